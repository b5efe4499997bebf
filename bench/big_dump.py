#!/usr/bin/python3
"""One big dump through StreamFeedWithProgress: ingest's and storage's memory, and backpressure.

Run (after building; `build/` is -O2):
  /usr/bin/python3 bench/big_dump.py --bin-dir build --articles 850000    # ~2.0 GB, ~2.5 minutes

It generates --articles articles with tools/gen_corpus.py (reused on later runs) and appends the
day files into ONE file of many concatenated dumps, starts newsdb-storage and newsdb-ingest on
127.0.0.1 (fresh data dir under --work), and streams the file through
IngestService.StreamFeedWithProgress as fast as the client can read it from disk (1 MiB chunks).
A sampler reads each service's VmRSS every 200 ms. It prints:
  - articles parsed/created, seconds, articles/s, MB/s;
  - peak RSS (VmHWM) of ingest and storage, and their RSS at 25/50/75/100% of the upload;
  - backpressure: the most bytes the client had handed to gRPC beyond what the server had read
    (from the progress events), i.e. how far a sender faster than storage can get ahead.
With --omit-ids the result carries counts only (FeedOptions.omit_article_ids). Every process it
starts is stopped on exit.
"""

import argparse
import os
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import newsdb_cluster as nc  # noqa: E402

import grpc  # noqa: E402

CHUNK = 1 << 20


def rss_kib(pid, field):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def build_file(articles, work, seed):
    corpus = os.path.join(work, "corpus-%d-%s" % (articles, seed))
    joined = corpus + ".txt"
    if os.path.exists(joined):
        return joined
    if not os.path.isdir(corpus):
        subprocess.run([sys.executable, os.path.join(ROOT, "tools", "gen_corpus.py"), "--articles",
                        str(articles), "--out", corpus + ".part", "--seed", seed], check=True)
        os.rename(corpus + ".part", corpus)
    with open(joined + ".part", "wb") as out:
        for name in sorted(os.listdir(corpus)):
            with open(os.path.join(corpus, name), "rb") as f:
                data = f.read()
            out.write(data if data.endswith(b"\n") else data + b"\n")
    os.rename(joined + ".part", joined)
    return joined


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin-dir", default=os.path.join(ROOT, "build"))
    parser.add_argument("--articles", type=int, default=850000)
    parser.add_argument("--seed", default="big")
    parser.add_argument("--omit-ids", action="store_true",
                        help="set FeedOptions.omit_article_ids (counts only in the result)")
    parser.add_argument("--work", default=os.path.join(ROOT, "var", "bench", "big"))
    options = parser.parse_args()
    os.makedirs(options.work, exist_ok=True)
    path = build_file(options.articles, options.work, options.seed)
    size = os.path.getsize(path)
    print("file %s: %d bytes (%.2f GiB)" % (path, size, size / (1 << 30)), flush=True)

    stubs = nc.generate_stubs(ROOT)
    cluster = nc.Cluster(os.path.abspath(options.bin_dir), ROOT, stubs=stubs)
    try:
        cluster.start_storage()
        cluster.start_ingest()
        pids = {"ingest": cluster.ingest.proc.pid, "storage": cluster.storage.proc.pid}
        samples = []  # (bytes sent, {name: VmRSS kiB})
        sent = [0]
        stop = threading.Event()

        def sampler():
            while not stop.is_set():
                samples.append((sent[0], {n: rss_kib(p, "VmRSS") for n, p in pids.items()}))
                time.sleep(0.2)

        def chunks():
            with open(path, "rb") as f:
                first = True
                while True:
                    data = f.read(CHUNK)
                    if not data and not first:
                        return
                    chunk = stubs.ingest_pb2.FeedChunk(content=data)
                    if first:
                        chunk.options.source = "big"
                        chunk.options.omit_article_ids = options.omit_ids
                        first = False
                    sent[0] += len(data)
                    yield chunk

        thread = threading.Thread(target=sampler, daemon=True)
        thread.start()
        # The result lists every article id (~18 bytes each): ~15 MB for 850k articles.
        channel = grpc.insecure_channel(cluster.ingest.address,
                                        options=[("grpc.max_receive_message_length", 256 << 20)])
        stub = stubs.ingest_grpc.IngestServiceStub(channel)
        started = time.monotonic()
        max_lag = 0
        result = None
        events = 0
        for event in stub.StreamFeedWithProgress(chunks(), timeout=3600):
            if event.HasField("progress"):
                events += 1
                max_lag = max(max_lag, sent[0] - event.progress.bytes_read)
            else:
                result = event.result
        elapsed = time.monotonic() - started
        stop.set()
        thread.join()
        peaks = {n: rss_kib(p, "VmHWM") for n, p in pids.items()}
        print("parsed %d, created %d, errors %d, captures %d, ids in the result %d" % (
            result.articles_parsed, result.articles_created,
            len(result.errors) + result.errors_omitted, len(result.captures),
            len(result.article_ids)))
        print("%.1f s, %.0f articles/s, %.1f MB/s; %d progress events" % (
            elapsed, result.articles_parsed / elapsed, size / elapsed / 1e6, events))
        print("peak RSS (VmHWM): ingest %.1f MiB, storage %.1f MiB" % (
            peaks["ingest"] / 1024, peaks["storage"] / 1024))
        for quarter in (0.25, 0.5, 0.75, 1.0):
            at = next((s for s in samples if s[0] >= quarter * size), samples[-1])
            print("  at %3d%% sent: ingest %.1f MiB, storage %.1f MiB" % (
                quarter * 100, (at[1]["ingest"] or 0) / 1024, (at[1]["storage"] or 0) / 1024))
        print("backpressure: the client was at most %.1f MiB ahead of what ingest had read" %
              (max_lag / (1 << 20)))
    finally:
        cluster.stop_all()
        cluster.close()


if __name__ == "__main__":
    main()
