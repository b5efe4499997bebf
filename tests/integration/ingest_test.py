#!/usr/bin/python3
"""Integration test of ingest that never loses an article, through the real binaries.

Run:  /usr/bin/python3 tests/integration/ingest_test.py --bin-dir build --source-dir .

The tests check:
  - a file of concatenated dumps (a scraper appending each capture to one file) ingested with
    `newsctl ingest` stores every article of every dump, each with its own dump's capture time;
    with ../shared/corpus present, the same for a concatenation of the real dumps;
  - `newsctl ingest` on a terminal (a pty) redraws a progress line in place (bar, percentage,
    MiB, stored articles, articles/s, ETA) that fits the terminal and is erased before the summary;
    piped, it prints no progress at all;
  - the spool directory (see SpoolTest).
"""

import datetime
import fcntl
import json
import os
import pty
import re
import select
import struct
import termios
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import zoneinfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import newsdb_cluster as nc  # noqa: E402

OPTIONS = None
RPC_TIMEOUT_S = 60
CORPUS_ARTICLES = 6000
PROGRESS_ARTICLES = 30000  # a few seconds of upload: several redraws, a rate and an ETA
TERMINAL_COLUMNS = 100
ALMATY = zoneinfo.ZoneInfo("Asia/Almaty")


def concatenate(paths, out_path):
    """Appends the dumps at `paths` to one file as a scraper does: each starts on a new line."""
    with open(out_path + ".part", "wb") as out:
        for path in paths:
            with open(path, "rb") as f:
                content = f.read()
            out.write(content)
            if not content.endswith(b"\n"):
                out.write(b"\n")
    os.rename(out_path + ".part", out_path)


class IngestTest(nc.ClusterTestCase):
    @classmethod
    def setUpClass(cls):
        cls.open_cluster(OPTIONS, binaries=(nc.STORAGE, nc.INGEST, nc.QUERY, "newsctl"))
        cls.work_dir = os.path.join(cls.cluster.tmp_dir, "work")
        os.makedirs(cls.work_dir)
        with cls.starting():
            cls.cluster.start_all()
            cls.query = cls.stubs.query_grpc.QueryServiceStub(cls.cluster.query.channel)

    def search(self, query="", **fields):
        request = self.stubs.query_pb2.SearchRequest(query=query, **fields)
        return self.query.Search(request, timeout=RPC_TIMEOUT_S)

    def total(self):
        return self.search("", page_size=1).total_hits

    def newsctl_ingest(self, path, source):
        proc = self.cluster.run_newsctl(
            ["--ingest=" + self.cluster.ingest.address, "ingest", path, "--source", source],
            timeout=300)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return proc

    def get(self, record):
        """The stored article of a dump record (gen_corpus and ingest's default: Asia/Almaty)."""
        local = datetime.datetime(record.year, record.month, record.day, record.hour,
                                  record.minute, tzinfo=ALMATY)
        article_id = nc.reference_article_id(int(local.timestamp()), record.title)
        return self.query.GetArticle(self.stubs.article_pb2.GetArticleRequest(id=article_id),
                                     timeout=RPC_TIMEOUT_S)

    def test_concatenated_generated_dumps_lose_nothing(self):
        corpus = os.path.join(self.work_dir, "generated")
        subprocess.run(
            [sys.executable, os.path.join(OPTIONS.source_dir, "tools", "gen_corpus.py"),
             "--articles", str(CORPUS_ARTICLES), "--out", corpus, "--years", "3",
             "--seed", "concatenated"], check=True, capture_output=True, timeout=300)
        files = sorted(os.path.join(corpus, name) for name in os.listdir(corpus))
        self.assertGreater(len(files), 3, "the generator wrote too few dumps to concatenate")
        expected = sum(len(nc.read_dump(path).records) for path in files)
        self.assertEqual(expected, CORPUS_ARTICLES)
        joined = os.path.join(self.work_dir, "appended.txt")
        concatenate(files, joined)
        dump = nc.read_dump(joined)
        self.assertEqual(len(dump.records), expected)
        captures = sorted({r.capture_date for r in dump.records})
        self.assertEqual(len(captures), len(files))

        before = self.total()
        proc = self.newsctl_ingest(joined, "appended")
        self.assertIn("parsed %d, created %d" % (expected, expected), proc.stdout)
        self.assertIn("errors 0", proc.stdout)
        self.assertEqual(self.total() - before, expected)

        # Each article keeps its own dump's capture time. Check the first article of every dump,
        # the one that used to vanish into the previous dump's last article, and the last one.
        by_capture = {}
        for record in dump.records:
            by_capture.setdefault(record.capture_date, []).append(record)
        for capture_date, records in sorted(by_capture.items()):
            midnight = datetime.datetime.combine(datetime.date.fromisoformat(capture_date),
                                                 datetime.time(), tzinfo=ALMATY)
            for record in (records[0], records[-1]):
                article = self.get(record)
                self.assertEqual(article.title, record.title)
                self.assertEqual(len(article.paragraphs), len(record.paragraphs), record)
                self.assertEqual([o.captured_at.seconds for o in article.view_history],
                                 [int(midnight.timestamp())], (capture_date, record))

    def test_concatenated_real_dumps_lose_nothing(self):
        real = os.path.join(OPTIONS.source_dir, "..", "shared", "corpus", "real")
        if not os.path.isdir(real):
            self.skipTest("shared corpus not found at %s: skipping the real-dump concatenation "
                          "(the generated one still runs)" % real)
        files = sorted(os.path.join(real, n) for n in os.listdir(real) if n.endswith(".txt"))[:12]
        joined = os.path.join(self.work_dir, "real-appended.txt")
        concatenate(files, joined)
        dump = nc.read_dump(joined)
        expected = sum(len(nc.read_dump(path).records) for path in files)
        self.assertEqual(len(dump.records), expected)
        before = self.total()
        proc = self.newsctl_ingest(joined, "real-appended")
        self.assertIn("errors 0", proc.stdout)
        # The real corpus has one pair of articles with the same minute and title (dump-0004):
        # they are one article, so one fewer is stored than parsed when that dump is present.
        self.assertIn("parsed %d," % expected, proc.stdout)
        collisions = 1 if any(p.endswith("dump-0004.txt") for p in files) else 0
        stored = self.total() - before
        self.assertEqual(stored, expected - collisions)
        print("concatenated %d real dumps: %d articles parsed, %d stored" %
              (len(files), expected, stored))


    def generate_single_dump(self, articles, seed, name):
        corpus = os.path.join(self.work_dir, name)
        subprocess.run(
            [sys.executable, os.path.join(OPTIONS.source_dir, "tools", "gen_corpus.py"),
             "--articles", str(articles), "--out", corpus, "--years", "1", "--seed", seed],
            check=True, capture_output=True, timeout=300)
        joined = os.path.join(self.work_dir, name + ".txt")
        concatenate(sorted(os.path.join(corpus, n) for n in os.listdir(corpus)), joined)
        return joined

    def run_newsctl_on_pty(self, args, timeout_s=240):
        """Runs newsctl with stderr on a pseudo-terminal of TERMINAL_COLUMNS columns and stdout
        on a pipe; returns (returncode, bytes written to the terminal, stdout text)."""
        master, slave = pty.openpty()
        try:
            fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, TERMINAL_COLUMNS, 0, 0))
            env = dict(os.environ, TERM="xterm")
            proc = subprocess.Popen(
                [nc.binary_path(OPTIONS.bin_dir, "newsctl")] + args, stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=slave, env=env, cwd=self.work_dir)
        finally:
            os.close(slave)
        terminal = b""
        deadline = time.monotonic() + timeout_s
        try:
            while time.monotonic() < deadline:
                ready, _, _ = select.select([master], [], [], 0.5)
                if ready:
                    try:
                        data = os.read(master, 65536)
                    except OSError:  # EIO: the child closed the terminal
                        break
                    if not data:
                        break
                    terminal += data
                elif proc.poll() is not None:
                    break
            stdout, _ = proc.communicate(timeout=max(1, deadline - time.monotonic()))
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            os.close(master)
        return proc.returncode, terminal, stdout.decode("utf-8", errors="replace")

    def test_progress_on_a_terminal_and_quiet_when_piped(self):
        path = self.generate_single_dump(PROGRESS_ARTICLES, "progress", "progress")
        size_mib = os.path.getsize(path) / (1 << 20)
        code, terminal, stdout = self.run_newsctl_on_pty(
            ["--ingest=" + self.cluster.ingest.address, "ingest", path, "--source", "progress"])
        self.assertEqual(code, 0, terminal)
        self.assertIn("parsed %d, created %d" % (PROGRESS_ARTICLES, PROGRESS_ARTICLES), stdout)
        text = terminal.decode("utf-8")
        self.assertTrue(text.endswith("\r\x1b[K"), "the progress line is not erased: %r" % text[-200:])
        draws = [d for d in text.split("\r") if d.strip("\x1b[K")]
        self.assertGreaterEqual(len(draws), 3, "too few redraws: %r" % text)
        line_re = re.compile(
            r"^(?P<label>\S+) \[[=> ]+\] +(?P<pct>\d+)%  (?P<read>[\d.]+)/(?P<total>[\d.]+) MiB  "
            r"(?P<stored>[\d,]+) stored(  (?P<rate>[\d,]+) art/s)?(  ETA (?P<eta>\w+))?\x1b\[K$")
        previous = None
        rates, etas = [], []
        for draw in draws:
            self.assertNotIn("\n", draw, "a progress draw scrolled: %r" % draw)
            visible = draw.replace("\x1b[K", "")
            self.assertLess(len(visible), TERMINAL_COLUMNS, draw)
            match = line_re.match(draw)
            self.assertIsNotNone(match, "unexpected progress line %r" % draw)
            self.assertEqual(match["label"], os.path.basename(path))
            self.assertAlmostEqual(float(match["total"]), size_mib, delta=0.1)
            figures = (int(match["pct"]), float(match["read"]),
                       int(match["stored"].replace(",", "")))
            self.assertLessEqual(figures[2], PROGRESS_ARTICLES)
            if previous is not None:
                self.assertTrue(all(a <= b for a, b in zip(previous, figures)),
                                "progress went back: %s then %s" % (previous, figures))
            previous = figures
            if match["rate"]:
                rates.append(int(match["rate"].replace(",", "")))
            if match["eta"]:
                etas.append(match["eta"])
        self.assertGreater(previous[2], 0, "no stored articles were ever shown")
        self.assertTrue(rates and min(rates) > 0, "no articles/s shown: %r" % draws)
        self.assertTrue(etas, "no ETA shown: %r" % draws)

        # Piped (auto), nothing but the summary; a bad mode is a usage error.
        proc = self.cluster.run_newsctl(
            ["--ingest=" + self.cluster.ingest.address, "ingest", path, "--source", "progress"],
            timeout=300)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stderr, "")
        self.assertIn("unchanged %d" % PROGRESS_ARTICLES, proc.stdout)
        self.assertNotIn("\r", proc.stdout)
        proc = self.cluster.run_newsctl(["--progress=sometimes", "ingest", path])
        self.assertEqual(proc.returncode, 2)
        self.assertIn("--progress must be auto, always or never", proc.stderr)
        print("progress: %d redraws on a %d-column terminal for %.1f MiB; rates %s art/s" %
              (len(draws), TERMINAL_COLUMNS, size_mib, rates[-3:]))


class SpoolTest(nc.ClusterTestCase):
    """newsdb-ingest --spool_dir: files renamed into incoming/ end in done/ exactly once, with a
    report of exact counts, also across a kill -9 of ingest or of storage in the middle of a
    file."""

    @classmethod
    def setUpClass(cls):
        cls.open_cluster(OPTIONS)
        cls.spool = os.path.join(cls.cluster.tmp_dir, "spool")
        with cls.starting():
            cls.cluster.start_storage()
            cls.cluster.start_query()

    def drop(self, name, content):
        incoming = os.path.join(self.spool, "incoming")
        tmp = os.path.join(incoming, name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(content)
        os.rename(tmp, os.path.join(incoming, name))

    def wait_for(self, path, timeout_s=60):
        deadline = time.monotonic() + timeout_s
        while not os.path.exists(path):
            self.assertLess(time.monotonic(), deadline, "%s did not appear" % path)
            time.sleep(0.05)

    def report(self, folder, name):
        path = os.path.join(self.spool, folder, name + ".report.json")
        self.wait_for(path)
        with open(path, encoding="utf-8") as f:
            return json.load(f)

    def generated_file(self, articles, seed):
        """`articles` generated articles as one file of concatenated dumps (bytes)."""
        corpus = tempfile.mkdtemp(prefix="newsdb-spool-corpus-")
        try:
            subprocess.run(
                [sys.executable, os.path.join(OPTIONS.source_dir, "tools", "gen_corpus.py"),
                 "--articles", str(articles), "--out", corpus, "--years", "2", "--seed", seed],
                check=True, capture_output=True, timeout=300)
            joined = os.path.join(corpus, "all.txt")
            concatenate(sorted(os.path.join(corpus, n) for n in os.listdir(corpus)), joined)
            with open(joined, "rb") as f:
                return f.read()
        finally:
            shutil.rmtree(corpus, ignore_errors=True)

    def restart_ingest(self, args):
        if self.cluster.ingest is not None and self.cluster.ingest.running():
            self.cluster.ingest.stop()
        self.cluster.start_ingest(args)

    def total(self, query):
        """Search's match-all total, waiting for query to reach a restarted storage."""
        return nc.search_when_reachable(query, self.stubs.query_pb2.SearchRequest(page_size=1),
                                        RPC_TIMEOUT_S).total_hits

    def wait_for_stored(self, query, count, what):
        deadline = time.monotonic() + 60
        while self.total(query) < count:
            self.assertLess(time.monotonic(), deadline, what)
            time.sleep(0.02)

    def test_spool_survives_kill_of_storage_mid_file(self):
        big = self.generated_file(12000, "spool-storage")
        query = self.stubs.query_grpc.QueryServiceStub(self.cluster.query.channel)
        # A short retry budget: while storage stays down longer than it, the batch fails and the
        # spool puts the file back to be ingested again after its retry delay.
        self.restart_ingest(["--spool_dir=" + self.spool, "--storage_retry_timeout=1s"])
        os.makedirs(os.path.join(self.spool, "incoming"), exist_ok=True)
        before = self.total(query)
        self.drop("agency--storage-kill.txt", big)
        # 1. SIGKILL storage after >= 2,000 articles and keep it down past the budget (3 s).
        self.wait_for_stored(query, before + 2000, "the spool stored nothing")
        port = self.cluster.storage.port
        self.cluster.storage.kill()
        time.sleep(3)
        self.cluster.start_storage(port=port)
        # 2. SIGKILL again later in the file, restarted at once.
        self.wait_for_stored(query, before + 6000, "the spool did not go on after storage came back")
        self.cluster.restart_storage(kill=True)

        done = self.report("done", "agency--storage-kill.txt")
        self.assertEqual(done["status"], "done")
        response = done["response"]
        self.assertEqual(int(response["articles_parsed"]), 12000)
        self.assertEqual(int(response.get("articles_created", 0)), 12000, done)
        self.assertGreaterEqual(done["attempts"], 2, "storage was down past the budget: the first "
                                "attempt must have failed and the file been retried")
        self.assertNotIn("articles_updated", response)
        self.assertNotIn("errors", response)
        self.assertFalse(os.path.exists(os.path.join(self.spool, "failed",
                                                     "agency--storage-kill.txt")))
        self.assertEqual(sorted(os.listdir(os.path.join(self.spool, "work"))), [])
        self.assertEqual(self.total(query), before + 12000)

    def test_spool_survives_kill_of_ingest_mid_file(self):
        big = self.generated_file(12000, "spool")
        query = self.stubs.query_grpc.QueryServiceStub(self.cluster.query.channel)
        ingest_args = ["--spool_dir=" + self.spool, "--spool_parallel=2",
                       "--storage_retry_timeout=20s"]
        self.restart_ingest(ingest_args)
        os.makedirs(os.path.join(self.spool, "incoming"), exist_ok=True)
        # Files that wait in incoming/ while ingest is down are picked up at its start, too.
        self.drop("kazinform--big.txt", big)
        # Kill ingest while the big file is in work/ and some of its batches are stored.
        deadline = time.monotonic() + 60
        while query.Search(self.stubs.query_pb2.SearchRequest(page_size=1),
                           timeout=RPC_TIMEOUT_S).total_hits < 2000:
            self.assertLess(time.monotonic(), deadline, "the spool stored nothing")
            time.sleep(0.02)
        self.cluster.ingest.kill()
        self.assertTrue(os.listdir(os.path.join(self.spool, "work")), "the file already finished")
        with open(os.path.join(OPTIONS.source_dir, "samples", "newsdb-sample.txt"), "rb") as f:
            sample = f.read()
        self.drop("sample.txt", sample)
        with open(os.path.join(self.spool, "incoming", "bad.txt.options"), "w") as f:
            f.write("time_zone = Mars/Olympus\n")
        self.drop("bad.txt", sample)
        self.cluster.start_ingest(ingest_args)

        done = self.report("done", "kazinform--big.txt")
        self.assertEqual(done["status"], "done")
        self.assertEqual(done["options"]["source"], "kazinform")
        response = done["response"]
        self.assertEqual(int(response["articles_parsed"]), 12000)
        # Exactly once: the batches stored before the kill are answered from storage's ledger.
        self.assertEqual(int(response.get("articles_created", 0)), 12000, done)
        self.assertNotIn("errors", response)
        sample_report = self.report("done", "sample.txt")
        self.assertEqual(int(sample_report["response"]["articles_parsed"]),
                         len(nc.read_dump(os.path.join(self.spool, "done", "sample.txt")).records))
        failed = self.report("failed", "bad.txt")
        self.assertIn("Mars/Olympus", failed["reason"])
        self.assertTrue(os.path.exists(os.path.join(self.spool, "failed", "bad.txt")))
        self.assertTrue(os.path.exists(os.path.join(self.spool, "failed", "bad.txt.options")))
        self.assertEqual(sorted(os.listdir(os.path.join(self.spool, "incoming"))), [])
        self.assertEqual(sorted(os.listdir(os.path.join(self.spool, "work"))), [])
        total = query.Search(self.stubs.query_pb2.SearchRequest(page_size=1),
                             timeout=RPC_TIMEOUT_S).total_hits
        self.assertEqual(total, 12000 + int(sample_report["response"]["articles_created"]))


def main():
    global OPTIONS
    OPTIONS, argv = nc.parse_args()
    unittest.main(argv=argv, verbosity=2)


if __name__ == "__main__":
    main()
