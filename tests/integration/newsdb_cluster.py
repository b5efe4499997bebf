"""Runs the real newsdb binaries for integration and e2e tests.

The module knows two things: how to turn the .proto files into Python stubs (`generate_stubs`), and
how to start, watch and stop the three servers over loopback (`Cluster`). It uses only the standard
library, grpcio and protobuf (Debian's python3-grpcio and python3-protobuf; run it with
/usr/bin/python3).

Every server is started as

    <binary> --listen=127.0.0.1:0 --port_file=<tmp>/<name>.port [--data_dir=... | --storage=...]

and counts as started once the port file holds the bound port and grpc.health.v1.Health/Check with
service "" answers SERVING. Each server's stderr goes to <tmp>/<name>.<n>.stderr; `Cluster.logs()`
returns all of them, and the tests print them when something fails. `Server.stop()` sends SIGTERM
and fails unless the process exits with code 0 within `STOP_TIMEOUT_S` (it is killed after that).
Every process still running is killed by `Cluster.close()` and, as a last resort, at interpreter
exit; `parse_args()` turns SIGTERM into KeyboardInterrupt so that exit path runs, and servers get a
parent-death signal (util-linux setpriv) so they die even if the test process is killed with -9.

It also holds a minimal reader of feed dumps (`read_dump`, for test expectations) and an
independent implementation of the article id of docs/article-id.md (`reference_article_id`).
"""

import argparse
import atexit
import contextlib
import glob
import importlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest
import time

import grpc

START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 30.0
POLL_INTERVAL_S = 0.05
LOOPBACK = "127.0.0.1"

HEALTH_PROTO = "/usr/share/grpc-proto/grpc/health/v1/health.proto"
REFLECTION_PROTO = "/usr/share/grpc-proto/grpc/reflection/v1alpha/reflection.proto"
GRPC_PYTHON_PLUGIN = "/usr/bin/grpc_python_plugin"
# util-linux's setpriv sets a parent-death signal and execs the server, so a server dies with the
# test process even if that is killed with SIGKILL (a ctest timeout) and atexit never runs.
SETPRIV = "/usr/bin/setpriv"

STORAGE = "storage"
INGEST = "ingest"
QUERY = "query"

# Paths of the binaries relative to the CMake build directory.
BINARY_PATHS = {
    STORAGE: "services/storage/newsdb-storage",
    INGEST: "services/ingest/newsdb-ingest",
    QUERY: "services/query/newsdb-query",
    "newsctl": "tools/newsctl/newsctl",
}

_REPO_ROOT_GUESS = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

# Every process and cluster started by this module, so that nothing outlives the test run.
_live_processes = []
_live_clusters = []


def _kill_leftovers():
    for cluster in list(_live_clusters):
        try:
            cluster.close()
        except OSError:
            pass
    for proc in _live_processes:
        if proc.poll() is None:
            try:
                proc.kill()
                proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                pass


atexit.register(_kill_leftovers)


class ClusterError(AssertionError):
    """A server did not start or stop as the contract says (an AssertionError: tests fail)."""


# --------------------------------------------------------------------------------------------------
# Command line and paths
# --------------------------------------------------------------------------------------------------


def _interrupt(signal_number, _frame):
    raise KeyboardInterrupt("signal %d" % signal_number)


def parse_args(argv=None):
    """Parses --bin-dir and --source-dir; returns (options, remaining argv for unittest.main).

    Defaults: env NEWSDB_BIN_DIR (else <repo>/build) and env NEWSDB_SOURCE_DIR (else this repo).
    """
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--bin-dir", default=os.environ.get("NEWSDB_BIN_DIR"))
    parser.add_argument("--source-dir", default=os.environ.get("NEWSDB_SOURCE_DIR"))
    argv = list(sys.argv if argv is None else argv)
    options, rest = parser.parse_known_args(argv[1:])
    # SIGTERM (e.g. from a test runner) ends the run like Ctrl-C, so atexit stops the servers.
    if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _interrupt)
    if not options.source_dir:
        options.source_dir = _REPO_ROOT_GUESS
    if not options.bin_dir:
        options.bin_dir = os.path.join(options.source_dir, "build")
    options.source_dir = os.path.abspath(options.source_dir)
    options.bin_dir = os.path.abspath(options.bin_dir)
    return options, [argv[0]] + rest


def binary_path(bin_dir, name):
    return os.path.join(bin_dir, BINARY_PATHS[name])


def missing_binaries(bin_dir, names=(STORAGE, INGEST, QUERY)):
    paths = [binary_path(bin_dir, n) for n in names]
    return [p for p in paths if not os.access(p, os.X_OK)]


# --------------------------------------------------------------------------------------------------
# Stubs
# --------------------------------------------------------------------------------------------------


class Stubs:
    """Generated modules, as attributes: article_pb2, ingest_pb2, ingest_grpc, query_pb2,
    query_grpc, storage_pb2, storage_grpc, status_pb2, error_details_pb2, health_pb2, health_grpc,
    reflection_pb2, reflection_grpc."""


_stubs_cache = {}


def _protoc(out_dir, include_dirs, files):
    cmd = [
        "protoc",
        "--python_out=" + out_dir,
        "--grpc_python_out=" + out_dir,
        "--plugin=protoc-gen-grpc_python=" + GRPC_PYTHON_PLUGIN,
    ]
    cmd += ["-I" + d for d in include_dirs]
    cmd += files
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise ClusterError("protoc failed (%s):\n%s%s" % (" ".join(cmd), result.stdout,
                                                         result.stderr))


def generate_stubs(source_dir, out_dir=None):
    """Generates the Python stubs of the newsdb, google.rpc, health and reflection protos.

    The newsdb and google/rpc files keep their import paths (newsdb/v1/..., google/rpc/...);
    health.proto and reflection.proto are generated as top-level modules (health_pb2, ...) because
    the package `grpc` already exists in Python. Returns a `Stubs`; cached per source_dir.
    """
    source_dir = os.path.abspath(source_dir)
    if source_dir in _stubs_cache:
        return _stubs_cache[source_dir]
    if out_dir is None:
        out_dir = tempfile.mkdtemp(prefix="newsdb-stubs-")
        atexit.register(shutil.rmtree, out_dir, True)
    proto_root = os.path.join(source_dir, "proto")
    newsdb_files = sorted(glob.glob(os.path.join(proto_root, "newsdb", "v1", "*.proto")))
    rpc_files = [os.path.join(proto_root, "google", "rpc", f)
                 for f in ("status.proto", "error_details.proto")]
    if not newsdb_files:
        raise ClusterError("no .proto files under %s/newsdb/v1" % proto_root)
    _protoc(out_dir, [proto_root, "/usr/include", "/usr/share/grpc-proto"],
            newsdb_files + rpc_files)
    _protoc(out_dir, [os.path.dirname(HEALTH_PROTO)], [HEALTH_PROTO])
    _protoc(out_dir, [os.path.dirname(REFLECTION_PROTO)], [REFLECTION_PROTO])
    if out_dir not in sys.path:
        sys.path.insert(0, out_dir)
    importlib.invalidate_caches()
    stubs = Stubs()
    stubs.out_dir = out_dir
    for attr, module in [
        ("article_pb2", "newsdb.v1.article_pb2"),
        ("ingest_pb2", "newsdb.v1.ingest_service_pb2"),
        ("ingest_grpc", "newsdb.v1.ingest_service_pb2_grpc"),
        ("query_pb2", "newsdb.v1.query_service_pb2"),
        ("query_grpc", "newsdb.v1.query_service_pb2_grpc"),
        ("storage_pb2", "newsdb.v1.storage_service_pb2"),
        ("storage_grpc", "newsdb.v1.storage_service_pb2_grpc"),
        ("status_pb2", "google.rpc.status_pb2"),
        ("error_details_pb2", "google.rpc.error_details_pb2"),
        ("health_pb2", "health_pb2"),
        ("health_grpc", "health_pb2_grpc"),
        ("reflection_pb2", "reflection_pb2"),
        ("reflection_grpc", "reflection_pb2_grpc"),
    ]:
        setattr(stubs, attr, importlib.import_module(module))
    _stubs_cache[source_dir] = stubs
    return stubs


def generate_health_stubs():
    """Only health_pb2/health_pb2_grpc (for clients that must not see the newsdb protos)."""
    key = "<health-only>"
    if key in _stubs_cache:
        return _stubs_cache[key]
    out_dir = tempfile.mkdtemp(prefix="newsdb-health-stubs-")
    atexit.register(shutil.rmtree, out_dir, True)
    _protoc(out_dir, [os.path.dirname(HEALTH_PROTO)], [HEALTH_PROTO])
    _protoc(out_dir, [os.path.dirname(REFLECTION_PROTO)], [REFLECTION_PROTO])
    if out_dir not in sys.path:
        sys.path.insert(0, out_dir)
    importlib.invalidate_caches()
    stubs = Stubs()
    stubs.out_dir = out_dir
    stubs.health_pb2 = importlib.import_module("health_pb2")
    stubs.health_grpc = importlib.import_module("health_pb2_grpc")
    stubs.reflection_pb2 = importlib.import_module("reflection_pb2")
    stubs.reflection_grpc = importlib.import_module("reflection_pb2_grpc")
    _stubs_cache[key] = stubs
    return stubs


# --------------------------------------------------------------------------------------------------
# Servers
# --------------------------------------------------------------------------------------------------


def _read_port_file(path):
    try:
        with open(path, "r", encoding="ascii", errors="replace") as f:
            text = f.read()
    except OSError:
        return None
    text = text.strip()
    if not text.isdigit():
        return None
    port = int(text)
    return port if 0 < port < 65536 else None


class Server:
    """One running server process. Create it with `Cluster.start_*`."""

    def __init__(self, cluster, name, args, port_file, stderr_path):
        self.cluster = cluster
        self.name = name
        self.args = args
        self.port_file = port_file
        self.stderr_path = stderr_path
        self.port = None
        self.proc = None
        self.channel = None
        self.exit_code = None

    @property
    def address(self):
        return "%s:%d" % (LOOPBACK, self.port)

    def _start(self, health_stubs):
        if os.path.exists(self.port_file):
            os.remove(self.port_file)
        stderr = open(self.stderr_path, "wb")
        stdout_path = self.stderr_path[: -len(".stderr")] + ".stdout"
        stdout = open(stdout_path, "wb")
        try:
            command = list(self.args)
            if os.access(SETPRIV, os.X_OK):
                command = [SETPRIV, "--pdeathsig", "KILL", "--"] + command
            self.proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=stdout,
                                         stderr=stderr, cwd=self.cluster.tmp_dir)
        finally:
            stderr.close()
            stdout.close()
        _live_processes.append(self.proc)
        deadline = time.monotonic() + START_TIMEOUT_S
        # The port file is written after the server listens; read it until two reads agree, so a
        # half-written file cannot give a wrong port.
        previous = None
        while True:
            self._fail_if_exited("before writing its port file")
            port = _read_port_file(self.port_file)
            if port is not None and port == previous:
                self.port = port
                break
            previous = port
            if time.monotonic() > deadline:
                self._fail("did not write a port number to %s within %.0f s" %
                           (self.port_file, START_TIMEOUT_S))
            time.sleep(POLL_INTERVAL_S)
        self.channel = grpc.insecure_channel(self.address)
        health = health_stubs.health_grpc.HealthStub(self.channel)
        last_error = None
        while True:
            self._fail_if_exited("before reporting SERVING")
            try:
                reply = health.Check(health_stubs.health_pb2.HealthCheckRequest(service=""),
                                     timeout=1.0)
                if reply.status == health_stubs.health_pb2.HealthCheckResponse.SERVING:
                    return self
                last_error = "status %s" % reply.status
            except grpc.RpcError as e:
                last_error = "%s %s" % (e.code(), e.details())
            if time.monotonic() > deadline:
                self._fail("health Check(\"\") not SERVING within %.0f s (last: %s)" %
                           (START_TIMEOUT_S, last_error))
            time.sleep(POLL_INTERVAL_S)

    def _fail_if_exited(self, when):
        code = self.proc.poll()
        if code is not None:
            self.exit_code = code
            self._fail("exited with code %d %s" % (code, when))

    def _fail(self, what):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        raise ClusterError("%s (%s) %s\n%s" % (self.name, " ".join(self.args), what,
                                               self.cluster.logs()))

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def log_text(self):
        """What this server has written to stderr so far."""
        with open(self.stderr_path, "rb") as f:
            return f.read().decode("utf-8", errors="replace")

    def stop(self, timeout=STOP_TIMEOUT_S):
        """SIGTERM; fails unless the process exits with code 0 within `timeout` seconds."""
        if self.channel is not None:
            self.channel.close()
            self.channel = None
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.exit_code = self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
                raise ClusterError("%s did not exit within %.0f s of SIGTERM (killed)\n%s" %
                                   (self.name, timeout, self.cluster.logs()))
        else:
            self.exit_code = self.proc.returncode
        if self.exit_code != 0:
            raise ClusterError("%s exited with code %s after SIGTERM, want 0\n%s" %
                               (self.name, self.exit_code, self.cluster.logs()))

    def kill(self):
        if self.channel is not None:
            self.channel.close()
            self.channel = None
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


class Cluster:
    """The three newsdb servers on loopback, each with its own files in one temp dir.

    Usage:
        cluster = Cluster(bin_dir, source_dir)
        try:
            cluster.start_all()
            ... cluster.ingest.channel, cluster.query.address ...
            cluster.stop_all()          # SIGTERM, asserts exit code 0
        finally:
            cluster.close()             # kills whatever still runs, removes the temp dir
    """

    def __init__(self, bin_dir, source_dir, stubs=None, keep_tmp=None):
        self.bin_dir = bin_dir
        self.source_dir = source_dir
        self.stubs = stubs if stubs is not None else generate_health_stubs()
        self.tmp_dir = tempfile.mkdtemp(prefix="newsdb-cluster-")
        self.data_dir = os.path.join(self.tmp_dir, "data")
        os.makedirs(self.data_dir)
        self.keep_tmp = (os.environ.get("NEWSDB_KEEP_TMP") == "1") if keep_tmp is None else keep_tmp
        self.servers = []  # every Server ever started, for logs and cleanup
        self.storage = None
        self.ingest = None
        self.query = None
        self._starts = 0
        _live_clusters.append(self)

    # ---- starting ----

    def _start(self, name, extra_args, listen_port=0):
        binary = binary_path(self.bin_dir, name)
        if not os.access(binary, os.X_OK):
            raise ClusterError("binary not found or not executable: %s" % binary)
        self._starts += 1
        port_file = os.path.join(self.tmp_dir, "%s.port" % name)
        stderr_path = os.path.join(self.tmp_dir, "%s.%d.stderr" % (name, self._starts))
        args = [binary, "--listen=%s:%d" % (LOOPBACK, listen_port), "--port_file=" + port_file,
                "--drain_timeout=20s"] + extra_args
        server = Server(self, name, args, port_file, stderr_path)
        self.servers.append(server)
        return server._start(self.stubs)

    def start_storage(self, port=0, attempts=5):
        """Starts storage on `port` (0: a free one). A fixed port is retried a few times, since a
        restart may race with the kernel releasing the old socket."""
        last = None
        for _ in range(attempts if port else 1):
            try:
                self.storage = self._start(STORAGE, ["--data_dir=" + self.data_dir], port)
                return self.storage
            except ClusterError as e:
                last = e
                time.sleep(0.5)
        raise last

    def start_ingest(self, extra_args=()):
        self.ingest = self._start(INGEST, ["--storage=" + self.storage.address] + list(extra_args))
        return self.ingest

    def start_query(self, extra_args=()):
        self.query = self._start(QUERY, ["--storage=" + self.storage.address] + list(extra_args))
        return self.query

    def start_all(self):
        self.start_storage()
        self.start_ingest()
        self.start_query()
        return self

    def restart_storage(self, kill=False):
        """Stops storage (asserting exit code 0; with kill=True: SIGKILL, as in a crash) and starts
        it again on the same port and data dir, so ingest and query keep their --storage address."""
        port = self.storage.port
        if kill:
            self.storage.kill()
        elif self.storage.running():
            self.storage.stop()
        return self.start_storage(port=port)

    # ---- stopping ----

    def stop_all(self):
        """SIGTERM to query, ingest, storage (in that order); asserts exit code 0 for each."""
        errors = []
        for server in (self.query, self.ingest, self.storage):
            if server is not None and server.running():
                try:
                    server.stop()
                except ClusterError as e:
                    errors.append(str(e))
        if errors:
            raise ClusterError("\n".join(errors))

    def kill_all(self):
        for server in self.servers:
            server.kill()

    def close(self):
        self.kill_all()
        if self in _live_clusters:
            _live_clusters.remove(self)
        if not self.keep_tmp:
            shutil.rmtree(self.tmp_dir, ignore_errors=True)

    # ---- diagnostics ----

    def logs(self, max_bytes_per_file=20000):
        """The stderr (and stdout, if any) of every server started so far, newest last."""
        parts = []
        for server in self.servers:
            for path in (server.stderr_path, server.stderr_path[: -len(".stderr")] + ".stdout"):
                try:
                    with open(path, "rb") as f:
                        data = f.read()
                except OSError:
                    continue
                if not data and path.endswith(".stdout"):
                    continue
                if len(data) > max_bytes_per_file:
                    data = b"...[cut]...\n" + data[-max_bytes_per_file:]
                parts.append("----- %s (%s) -----\n%s" % (
                    os.path.basename(path), " ".join(server.args),
                    data.decode("utf-8", errors="replace")))
        return "\n".join(parts) if parts else "(no server output)"

    def print_logs(self, stream=None):
        stream = stream or sys.stderr
        print("\n===== newsdb server logs (%s) =====" % self.tmp_dir, file=stream)
        print(self.logs(), file=stream)
        print("===== end of server logs =====", file=stream)

    # ---- clients ----

    def run_newsctl(self, args, timeout=60, input_bytes=None):
        """Runs newsctl with `args`; returns subprocess.CompletedProcess (text)."""
        binary = binary_path(self.bin_dir, "newsctl")
        proc = subprocess.run([binary] + list(args), capture_output=True, timeout=timeout,
                              input=input_bytes, cwd=self.tmp_dir)
        proc.stdout = proc.stdout.decode("utf-8", errors="replace")
        proc.stderr = proc.stderr.decode("utf-8", errors="replace")
        return proc


class ClusterTestCase(unittest.TestCase):
    """Base of a test class that runs one Cluster for all its tests.

    In setUpClass: `cls.open_cluster(options)` (skips the class when a binary is not built; sets
    cls.stubs and cls.cluster), then the class's own set-up inside `with cls.starting():`, which
    prints the servers' logs and stops them if it fails. Scratch files belong in
    cls.cluster.tmp_dir, removed with the cluster. tearDownClass stops the servers (asserting clean
    exits); a failed test prints their logs."""

    cluster = None

    @classmethod
    def open_cluster(cls, options, binaries=None, stubs=None, require_binaries=False):
        """`stubs`: generated modules to use (default: generate_stubs). `require_binaries`: a
        missing binary fails the class instead of skipping it (the suite's own smoke tests)."""
        missing = missing_binaries(options.bin_dir, **({"names": binaries} if binaries else {}))
        if missing:
            if require_binaries:
                raise AssertionError("newsdb binaries missing (build first): %s"
                                     % ", ".join(missing))
            raise unittest.SkipTest("binaries not built: %s" % ", ".join(missing))
        cls.stubs = stubs if stubs is not None else generate_stubs(options.source_dir)
        cls.cluster = Cluster(options.bin_dir, options.source_dir, stubs=cls.stubs)

    @classmethod
    @contextlib.contextmanager
    def starting(cls):
        try:
            yield
        except BaseException:
            cls.cluster.print_logs()
            cls.cluster.close()
            cls.cluster = None
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.cluster is None:
            return
        try:
            cls.cluster.stop_all()
        finally:
            cls.cluster.close()

    def tearDown(self):
        if self.cluster is not None and test_failed(self):
            self.cluster.print_logs()


def search_when_reachable(query_stub, request, rpc_timeout_s, wait_s=30.0, poll_s=0.1):
    """QueryService.Search, retried while it is UNAVAILABLE (query's channel to a restarted
    storage reconnects), for at most `wait_s`; any other error, or UNAVAILABLE after that, raises."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            return query_stub.Search(request, timeout=rpc_timeout_s)
        except grpc.RpcError as e:
            if e.code() != grpc.StatusCode.UNAVAILABLE or time.monotonic() > deadline:
                raise
            time.sleep(poll_s)


def test_failed(test_case):
    """True if `test_case` (a running unittest.TestCase, called from tearDown) has failed so far."""
    outcome = getattr(test_case, "_outcome", None)
    if outcome is None:
        return False
    if not getattr(outcome, "success", True):
        return True
    result = getattr(outcome, "result", None)
    if result is None:
        return False
    for failed, _ in list(getattr(result, "errors", [])) + list(getattr(result, "failures", [])):
        if failed is test_case:
            return True
    return False


# --------------------------------------------------------------------------------------------------
# Feed dumps (a minimal reader for test expectations; the real parser lives in services/ingest)
# --------------------------------------------------------------------------------------------------

import re  # noqa: E402  (kept next to its only user)

# docs/feed-format.md: a header is a whole (trimmed) line; the dump header `date YYYY-MM-DD` is
# taken off the start of the first non-blank line.
HEADER_RE = re.compile(r"^(\d\d)\.(\d\d)\.(\d{4}), (\d\d):(\d\d) (\d+)$")
DUMP_HEADER_RE = re.compile(r"^date (\d{4}-\d\d-\d\d)(?:[ \t]+|$)")
ASCII_BLANKS = " \t\r\v\f"


class DumpRecord:
    """One article of a dump: header fields, title, credit and paragraphs (trimmed lines)."""

    def __init__(self, line, day, month, year, hour, minute, views):
        self.line = line  # 1-based line number of the header
        self.day, self.month, self.year = day, month, year
        self.hour, self.minute = hour, minute
        self.views = views
        self.capture_date = None  # "YYYY-MM-DD" of the dump header it follows, if any
        self.title = None
        self.credit = None  # None: no `Images |` line
        self.paragraphs = []

    def __repr__(self):
        return "DumpRecord(line=%d, %04d-%02d-%02d %02d:%02d, views=%d, %r)" % (
            self.line, self.year, self.month, self.day, self.hour, self.minute, self.views,
            self.title)


class Dump:
    """A minimal reader of well-formed dumps, for test expectations only: it does not validate
    dates, UTF-8 or view counts (services/ingest/feed_parser is the real parser)."""

    def __init__(self, path):
        self.path = path
        with open(path, "rb") as f:
            self.content = f.read()
        self.capture_date = None  # "YYYY-MM-DD" of the first dump header, if any
        self.records = []
        text = self.content.decode("utf-8", errors="replace")
        if text.startswith("\ufeff"):
            text = text[1:]
        current = None
        capture = None  # the current dump's "YYYY-MM-DD"
        for index, raw in enumerate(text.split("\n")):
            line = raw.strip(ASCII_BLANKS)
            if not line:
                continue
            match = DUMP_HEADER_RE.match(line)
            if match:  # a dump header may start any line: dumps may be concatenated
                capture = match.group(1)
                if self.capture_date is None:
                    self.capture_date = capture
                current = None
                line = line[match.end():].strip(ASCII_BLANKS)
                if not line:
                    continue
            match = HEADER_RE.match(line)
            if match:
                day, month, year, hour, minute, views = (int(g) for g in match.groups())
                current = DumpRecord(index + 1, day, month, year, hour, minute, views)
                current.capture_date = capture
                self.records.append(current)
            elif current is None:
                continue
            elif current.title is None:
                current.title = line
            elif current.credit is None and not current.paragraphs and line.startswith("Images |"):
                current.credit = line[len("Images |"):].strip(ASCII_BLANKS)
            else:
                if current.credit is None and not current.paragraphs:
                    current.credit = ""
                current.paragraphs.append(line)
        for record in self.records:
            if record.credit is None and record.title is not None:
                record.credit = ""

    def record_at(self, line):
        for record in self.records:
            if record.line == line:
                return record
        raise KeyError("no header at line %d of %s" % (line, self.path))


def read_dump(path):
    return Dump(path)


# --------------------------------------------------------------------------------------------------
# Article ids: the reference algorithm of docs/article-id.md, reimplemented independently
# --------------------------------------------------------------------------------------------------

_U64 = (1 << 64) - 1
_WHITE_SPACE = {*range(0x9, 0xE), 0x20, 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x2028, 0x2029,
                0x202F, 0x205F, 0x3000}


def normalize_title(title):
    words = "".join(" " if ord(ch) in _WHITE_SPACE else ch for ch in title).split(" ")
    return " ".join(w for w in words if w).casefold()


def _fmix64(k):
    k ^= k >> 33
    k = (k * 0xff51afd7ed558ccd) & _U64
    k ^= k >> 33
    k = (k * 0xc4ceb9fe1a85ec53) & _U64
    return k ^ (k >> 33)


def reference_article_id(unix_seconds, title):
    """16 lowercase hex digits: fmix64(FNV-1a-64(be64(minute) ++ utf8(normalize_title(title))))."""
    h = 0xcbf29ce484222325
    data = ((unix_seconds // 60) & _U64).to_bytes(8, "big") + normalize_title(title).encode()
    for byte in data:
        h = ((h ^ byte) * 0x100000001b3) & _U64
    return "%016x" % _fmix64(h)


assert reference_article_id(1700652660, "Majilis ratifies 4th protocol changing CSTO Charter") == \
    "cb50a0564ecf6899"
assert reference_article_id(-30, "Before the epoch") == "fd1118d43d75fa7b"
assert reference_article_id(1700471700, "Қазақстан  Президенті\u00a0ТОҚАЕВ") == "4f0c5865da2d09c1"
assert reference_article_id(1700471759, "Straße in ALMATY") == "ee311ac44947809b"
