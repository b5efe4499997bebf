"""A gRPC client that knows no newsdb .proto file, as grpcurl works.

It asks a server's grpc.reflection.v1alpha.ServerReflection for the services it offers and for the
FileDescriptorProtos that define them, builds a private descriptor pool and message classes from
them, and calls any unary method generically (requests and responses as protobuf JSON dicts or as
dynamic messages). Only the reflection protocol itself is compiled in (stubs generated from
/usr/share/grpc-proto/grpc/reflection/v1alpha/reflection.proto).

    client = ReflectionClient("127.0.0.1:7003", reflection_pb2, reflection_grpc)
    client.list_services()    # ['grpc.health.v1.Health', 'newsdb.v1.QueryService', ...]
    client.call("newsdb.v1.QueryService", "ListArticles", {"page_size": 5})   # -> dict
"""

import base64

import grpc
from google.protobuf import descriptor_pb2
from google.protobuf import descriptor_pool
from google.protobuf import json_format
from google.protobuf import message_factory

MAX_FILES = 200  # bound on the descriptor files fetched for one symbol (dependencies included)


class ReflectionError(Exception):
    """The server's reflection service answered with an error or not at all."""


def _message_class(pool, factory, full_name):
    descriptor = pool.FindMessageTypeByName(full_name)
    get_class = getattr(message_factory, "GetMessageClass", None)  # protobuf >= 4.22
    if get_class is not None:
        return get_class(descriptor)
    return factory.GetPrototype(descriptor)  # protobuf 3.21 / 4.21 (Debian 12)


class ReflectionClient:
    def __init__(self, target, reflection_pb2, reflection_grpc, channel=None, timeout=10.0):
        self._owns_channel = channel is None
        self.channel = channel if channel is not None else grpc.insecure_channel(target)
        self.target = target
        self.timeout = timeout
        self._pb2 = reflection_pb2
        self._stub = reflection_grpc.ServerReflectionStub(self.channel)
        self.pool = descriptor_pool.DescriptorPool()
        self._factory = message_factory.MessageFactory(self.pool)
        self._loaded_files = set()
        self._classes = {}

    def close(self):
        if self._owns_channel:
            self.channel.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ---- the reflection protocol ----

    def _ask(self, **request_fields):
        """Sends one ServerReflectionRequest on a new stream; returns its single response."""
        request = self._pb2.ServerReflectionRequest(host="", **request_fields)
        # One request, then the request stream ends and the server closes the call after answering.
        responses = list(self._stub.ServerReflectionInfo(iter([request]), timeout=self.timeout))
        if len(responses) != 1:
            raise ReflectionError("%s: reflection sent %d responses to %s" % (
                self.target, len(responses), request_fields))
        response = responses[0]
        if response.HasField("error_response"):
            raise ReflectionError("%s: reflection error %d %s for %s" % (
                self.target, response.error_response.error_code,
                response.error_response.error_message, request_fields))
        return response

    def list_services(self):
        """Fully qualified names of every service the server lists."""
        response = self._ask(list_services="*")
        return [service.name for service in response.list_services_response.service]

    def _add_files(self, serialized_files):
        """Adds FileDescriptorProtos (and, fetched by name, their missing dependencies) to the pool
        in dependency order."""
        pending = {}
        for data in serialized_files:
            file_proto = descriptor_pb2.FileDescriptorProto.FromString(data)
            pending.setdefault(file_proto.name, file_proto)
        fetched = 0
        while True:
            missing = {dep for proto in pending.values() for dep in proto.dependency
                       if dep not in pending and dep not in self._loaded_files}
            if not missing:
                break
            for name in sorted(missing):
                fetched += 1
                if fetched > MAX_FILES:
                    raise ReflectionError("%s: more than %d descriptor files" % (self.target,
                                                                                MAX_FILES))
                response = self._ask(file_by_filename=name)
                for data in response.file_descriptor_response.file_descriptor_proto:
                    file_proto = descriptor_pb2.FileDescriptorProto.FromString(data)
                    pending.setdefault(file_proto.name, file_proto)
                if name not in pending:
                    raise ReflectionError("%s: reflection did not return %s" % (self.target, name))

        def add(name, depth=0):
            if name in self._loaded_files:
                return
            if depth > MAX_FILES:
                raise ReflectionError("dependency cycle at %s" % name)
            proto = pending[name]
            for dep in proto.dependency:
                add(dep, depth + 1)
            self.pool.Add(proto)
            self._loaded_files.add(name)

        for name in sorted(pending):
            add(name)

    def load_symbol(self, symbol):
        """Loads the file that defines `symbol` (a service, method or message) into the pool."""
        response = self._ask(file_containing_symbol=symbol)
        self._add_files(response.file_descriptor_response.file_descriptor_proto)

    def service(self, service_name):
        """The ServiceDescriptor of `service_name`, fetched through reflection if needed."""
        try:
            return self.pool.FindServiceByName(service_name)
        except KeyError:
            self.load_symbol(service_name)
            return self.pool.FindServiceByName(service_name)

    def method(self, service_name, method_name):
        service = self.service(service_name)
        method = service.methods_by_name.get(method_name)
        if method is None:
            raise ReflectionError("%s has no method %s (has %s)" % (
                service_name, method_name, sorted(service.methods_by_name)))
        return method

    def message_class(self, full_name):
        if full_name not in self._classes:
            self._classes[full_name] = _message_class(self.pool, self._factory, full_name)
        return self._classes[full_name]

    # ---- calls ----

    def new_request(self, service_name, method_name, fields=None):
        """A request message of the method, filled from a protobuf-JSON dict (bytes as base64
        strings, or as Python bytes, which are encoded here)."""
        method = self.method(service_name, method_name)
        request = self.message_class(method.input_type.full_name)()
        if fields:
            json_format.ParseDict(_encode_bytes(fields), request)
        return request

    def call_message(self, service_name, method_name, request, timeout=None, metadata=None):
        """Calls a unary method with a dynamic request message; returns the response message."""
        method = self.method(service_name, method_name)
        if method.client_streaming or method.server_streaming:
            raise ReflectionError("%s/%s is streaming; only unary calls are supported" % (
                service_name, method_name))
        response_class = self.message_class(method.output_type.full_name)
        callable_ = self.channel.unary_unary(
            "/%s/%s" % (service_name, method_name),
            request_serializer=lambda message: message.SerializeToString(),
            response_deserializer=response_class.FromString)
        return callable_(request, timeout=timeout or self.timeout, metadata=metadata)

    def call(self, service_name, method_name, fields=None, timeout=None, metadata=None):
        """Like grpcurl -d '<json>': fields as a dict, the response as a dict (proto field
        names, defaults included)."""
        request = self.new_request(service_name, method_name, fields)
        response = self.call_message(service_name, method_name, request, timeout, metadata)
        return message_to_dict(response)


def message_to_dict(message):
    """Protobuf JSON as a dict: proto field names, fields with default values included."""
    try:
        return json_format.MessageToDict(message, preserving_proto_field_name=True,
                                         including_default_value_fields=True)
    except TypeError:  # protobuf >= 5.26 renamed the option
        return json_format.MessageToDict(message, preserving_proto_field_name=True,
                                         always_print_fields_with_no_presence=True)


def _encode_bytes(value):
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dict):
        return {k: _encode_bytes(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_encode_bytes(v) for v in value]
    return value
