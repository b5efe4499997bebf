#!/usr/bin/python3
"""e2e test: a client that knows no newsdb .proto file (as grpcurl works) against the real servers.

Run:  /usr/bin/python3 tests/e2e/reflection_test.py --bin-dir build --source-dir .
      (or set NEWSDB_BIN_DIR / NEWSDB_SOURCE_DIR)

Everything newsdb-specific is discovered through grpc.reflection.v1alpha.ServerReflection. The
only compiled-in protos are reflection.proto and the standard grpc.health.v1 health.proto (which
grpcurl users also bring, since gRPC's reflection has no descriptor for the health service).
"""

import datetime
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import newsdb_cluster as nc  # noqa: E402
import reflection_client  # noqa: E402

import grpc  # noqa: E402

OPTIONS = None

HEALTH = "grpc.health.v1.Health"
REFLECTION = "grpc.reflection.v1alpha.ServerReflection"
EXPECTED = {
    nc.STORAGE: ("newsdb.v1.StorageService", {"PutArticles", "GetArticle", "ScanArticles"}),
    nc.INGEST: ("newsdb.v1.IngestService", {"IngestFeed", "StreamFeed", "StreamFeedWithProgress"}),
    nc.QUERY: ("newsdb.v1.QueryService", {"GetArticle", "ListArticles"}),  # and Search
}


def parse_rfc3339(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


class ReflectionTest(nc.ClusterTestCase):
    @classmethod
    def setUpClass(cls):
        cls.open_cluster(OPTIONS, stubs=nc.generate_health_stubs(), require_binaries=True)
        with cls.starting():
            cls.cluster.start_all()
        cls.servers = {nc.STORAGE: cls.cluster.storage, nc.INGEST: cls.cluster.ingest,
                       nc.QUERY: cls.cluster.query}

    def client(self, name):
        server = self.servers[name]
        return reflection_client.ReflectionClient(server.address, self.stubs.reflection_pb2,
                                                  self.stubs.reflection_grpc)

    def test_each_server_lists_its_services(self):
        for name, (service, methods) in EXPECTED.items():
            with self.subTest(server=name), self.client(name) as client:
                services = client.list_services()
                self.assertIn(service, services)
                self.assertIn(HEALTH, services)
                self.assertIn(REFLECTION, services)
                others = {s for _, (s, _) in EXPECTED.items()} - {service}
                self.assertFalse(others & set(services), "%s also lists %s" % (name, services))
                descriptor = client.service(service)
                names = {m.name for m in descriptor.methods}
                self.assertTrue(methods <= names, "%s has methods %s, want at least %s" % (
                    service, sorted(names), sorted(methods)))
                for method_name in methods:  # request and response types resolve
                    method = client.method(service, method_name)
                    client.message_class(method.input_type.full_name)()
                    client.message_class(method.output_type.full_name)()

    def test_health_reports_serving(self):
        for name in EXPECTED:
            with self.subTest(server=name), self.client(name) as client:
                try:
                    reply = client.call(HEALTH, "Check", {"service": ""})
                    status = reply["status"]
                except reflection_client.ReflectionError:
                    # No descriptor for the health service through reflection (gRPC 1.51 C++):
                    # use the standard health.proto, as grpcurl users do.
                    stub = self.stubs.health_grpc.HealthStub(client.channel)
                    reply = stub.Check(self.stubs.health_pb2.HealthCheckRequest(service=""),
                                       timeout=10)
                    status = self.stubs.health_pb2.HealthCheckResponse.ServingStatus.Name(
                        reply.status)
                self.assertEqual(status, "SERVING")

    def test_ingest_then_list_through_reflection_only(self):
        dump = nc.read_dump(os.path.join(OPTIONS.source_dir, "samples", "newsdb-sample.txt"))
        self.assertGreater(len(dump.records), 0)
        with self.client(nc.INGEST) as ingest:
            reply = ingest.call("newsdb.v1.IngestService", "IngestFeed",
                                {"content": dump.content, "source": "sample"}, timeout=60)
        self.assertEqual(reply["errors"], [])
        self.assertEqual(int(reply["articles_parsed"]), len(dump.records))
        self.assertEqual(int(reply["articles_created"]) + int(reply["articles_unchanged"]),
                         len(dump.records))
        ids = reply["article_ids"]
        self.assertEqual(len(ids), len(dump.records))

        with self.client(nc.QUERY) as query:
            listed = []
            token = ""
            for _ in range(100):
                page = query.call("newsdb.v1.QueryService", "ListArticles",
                                  {"page_size": 4, "page_token": token})
                listed += page["articles"]
                token = page["next_page_token"]
                if not token:
                    break
            else:
                self.fail("ListArticles did not finish paging within 100 pages")
            self.assertEqual(sorted(a["title"] for a in listed),
                             sorted(r.title for r in dump.records))
            self.assertEqual(sorted(a["id"] for a in listed), sorted(ids))
            published = [parse_rfc3339(a["published_at"]) for a in listed]
            self.assertEqual(published, sorted(published, reverse=True), "not newest first")
            for article in listed:
                self.assertEqual(article["source"], "sample")
                self.assertGreater(len(article["view_history"]), 0)

            first = query.call("newsdb.v1.QueryService", "GetArticle", {"id": ids[0]})
            self.assertEqual(first["title"], dump.records[0].title)
            self.assertEqual(int(first["views"]), dump.records[0].views)

            with self.assertRaises(grpc.RpcError) as caught:
                query.call("newsdb.v1.QueryService", "GetArticle", {"id": "xyz"})
            self.assertEqual(caught.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)


def main():
    global OPTIONS
    OPTIONS, argv = nc.parse_args()
    unittest.main(argv=argv, verbosity=2)


if __name__ == "__main__":
    main()
