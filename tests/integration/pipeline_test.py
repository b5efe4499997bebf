#!/usr/bin/python3
"""Integration test: ingest -> storage -> query through the three real binaries over loopback.

Run:  /usr/bin/python3 tests/integration/pipeline_test.py --bin-dir build --source-dir .
      (or set NEWSDB_BIN_DIR / NEWSDB_SOURCE_DIR; NEWSDB_KEEP_TMP=1 keeps the temp dir)

The steps share one cluster and run in order; a step whose prerequisite failed is skipped. The
cluster is stopped with SIGTERM at the end and every server must exit 0. Expectations (counts,
error lines and messages) come from samples/README.md and from reading the dumps, not constants.

  01 IngestFeed samples/newsdb-sample.txt: every header parsed and created, ids as documented
  02 the same dump again: all unchanged
  03 StreamFeed samples/newsdb-sample-later.txt in 100-byte chunks: repeats updated, new created;
     ListArticles pages (page_size 3) give the union once, newest first; view histories
  04 ListArticles order/range/view, page-token binding, INVALID_ARGUMENT with BadRequest, NOT_FOUND
  05 samples/newsdb-bad.txt: good records stored, errors at the documented lines (also streamed
     in 7-byte chunks); 05b a late capture keeps capture order; 05c ingest options and paging
     during ingest
  06 storage SIGTERM + restart on the same data dir: everything identical
  07 storage down: IngestFeed (3 s deadline) fails UNAVAILABLE/DEADLINE_EXCEEDED, query too;
     after the restart nothing is half-stored and re-sending stores it; 07b ingest drains an
     in-flight StreamFeed on SIGTERM
  08 newsctl ingest / list --json / get, exit codes
"""

import datetime
import json
import os
import re
import signal
import sys
import time
import unittest
import zoneinfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import newsdb_cluster as nc  # noqa: E402

import grpc  # noqa: E402
from google.protobuf import timestamp_pb2  # noqa: E402

OPTIONS = None  # set in main: .bin_dir, .source_dir

ID_RE = re.compile(r"^[0-9a-f]{16}$")
DEFAULT_ZONE = "Asia/Almaty"
RPC_TIMEOUT_S = 60
MAX_PAGES = 500
UNKNOWN_ID = "0000000000000000"


def ts_key(timestamp):
    return (timestamp.seconds, timestamp.nanos)


def utc_seconds_of_local(year, month, day, hour=0, minute=0, zone=DEFAULT_ZONE):
    local = datetime.datetime(year, month, day, hour, minute, tzinfo=zoneinfo.ZoneInfo(zone))
    return int(local.timestamp())


def timestamp(seconds):
    return timestamp_pb2.Timestamp(seconds=seconds)


def status_details(error):
    """The google.rpc.Status of a failed call (from grpc-status-details-bin), or None."""
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            return STUBS.status_pb2.Status.FromString(value)
    return None


def bad_request_fields(error):
    """Field names of every google.rpc.BadRequest field violation in the call's status details."""
    status = status_details(error)
    if status is None:
        return None
    fields = []
    for detail in status.details:
        if detail.type_url.endswith("/google.rpc.BadRequest"):
            bad_request = STUBS.error_details_pb2.BadRequest()
            detail.Unpack(bad_request)
            fields += [v.field for v in bad_request.field_violations]
    return fields


class SamplesReadme:
    """What samples/README.md states about the bundled dumps (the tests read their expectations
    from it rather than hard-coding them)."""

    def __init__(self, source_dir):
        path = os.path.join(source_dir, "samples", "README.md")
        with open(path, encoding="utf-8") as f:
            self.text = f.read()
        self.sections = {}
        for part in re.split(r"^## ", self.text, flags=re.M)[1:]:
            name = part.split()[0].strip("`")
            self.sections[name] = part

    def section(self, file_name):
        if file_name not in self.sections:
            raise AssertionError("samples/README.md has no section for %s" % file_name)
        return self.sections[file_name]

    def counts(self, file_name):
        """(articles, errors) from `**N articles, M errors**`."""
        match = re.search(r"\*\*(\d+) articles, (\d+) errors\*\*", self.section(file_name))
        if not match:
            raise AssertionError("samples/README.md: no '**N articles, M errors**' for %s" %
                                 file_name)
        return int(match.group(1)), int(match.group(2))

    def distinct_after_later(self):
        match = re.search(r"\*\*(\d+) distinct articles\*\*",
                          self.section("newsdb-sample-later.txt"))
        return int(match.group(1)) if match else None

    def repeated_in_later(self):
        match = re.search(r"(\d+) articles of `newsdb-sample.txt` again",
                          self.section("newsdb-sample-later.txt"))
        return int(match.group(1)) if match else None

    def bad_dump(self):
        """(good article header lines, [(error line, documented message)]) of newsdb-bad.txt."""
        section = self.section("newsdb-bad.txt")
        match = re.search(r"\*\*(\d+) good articles\*\* \(lines ([\d, ]+)\) and "
                          r"\*\*(\d+) errors\*\*", section)
        if not match:
            raise AssertionError("samples/README.md: no '**N good articles** (lines ...) and "
                                 "**M errors**' for newsdb-bad.txt")
        good_lines = [int(x) for x in re.findall(r"\d+", match.group(2))]
        self_check_good, error_count = int(match.group(1)), int(match.group(3))
        if len(good_lines) != self_check_good:
            raise AssertionError("samples/README.md: %d good articles but lines %s" % (
                self_check_good, good_lines))
        errors = []
        for row in re.findall(r"^\|([^\n]*)\|\s*$", section, flags=re.M):
            cells = [c.strip() for c in row.split("|")]
            if len(cells) < 3 or not re.match(r"^\d+", cells[0]):
                continue
            outcome = cells[-1]
            if outcome.startswith("error"):
                message = re.match(r"error `([^`]*)`", outcome)
                errors.append((int(re.match(r"\d+", cells[0]).group(0)),
                               message.group(1) if message else None))
        if len(errors) != error_count:
            raise AssertionError("samples/README.md: %d errors stated, %d in the table" % (
                error_count, len(errors)))
        return good_lines, errors


STUBS = None


class PipelineTest(nc.ClusterTestCase):
    state = {}

    @classmethod
    def setUpClass(cls):
        global STUBS
        cls.open_cluster(OPTIONS, require_binaries=True)
        STUBS = cls.stubs
        cls.samples = os.path.join(OPTIONS.source_dir, "samples")
        cls.readme = SamplesReadme(OPTIONS.source_dir)
        with cls.starting():
            cls.cluster.start_all()
        cls.state = {}

    # ---- helpers ----

    def need(self, *keys):
        for key in keys:
            if key not in self.state:
                self.skipTest("an earlier step did not complete (%s missing)" % key)

    def ingest_stub(self):
        return STUBS.ingest_grpc.IngestServiceStub(self.cluster.ingest.channel)

    def query_stub(self):
        return STUBS.query_grpc.QueryServiceStub(self.cluster.query.channel)

    def ingest_feed(self, content, source="sample", timeout=RPC_TIMEOUT_S, **kwargs):
        request = STUBS.ingest_pb2.IngestFeedRequest(content=content, source=source, **kwargs)
        return self.ingest_stub().IngestFeed(request, timeout=timeout)

    def stream_feed(self, content, chunk_size=100, source="sample", timeout=RPC_TIMEOUT_S):
        def chunks():
            options = STUBS.ingest_pb2.FeedOptions(source=source)
            for offset in range(0, len(content), chunk_size):
                chunk = STUBS.ingest_pb2.FeedChunk(content=content[offset:offset + chunk_size])
                if offset == 0:
                    chunk.options.CopyFrom(options)
                yield chunk
        return self.ingest_stub().StreamFeed(chunks(), timeout=timeout)

    def list_page(self, **kwargs):
        request = STUBS.query_pb2.ListArticlesRequest(**kwargs)
        return self.query_stub().ListArticles(request, timeout=RPC_TIMEOUT_S)

    def list_all(self, page_size=3, **kwargs):
        """Every article of a listing, paging until next_page_token is empty (bounded)."""
        articles = []
        token = ""
        for _ in range(MAX_PAGES):
            response = self.list_page(page_size=page_size, page_token=token, **kwargs)
            self.assertLessEqual(len(response.articles), page_size if page_size > 0 else 50)
            articles += list(response.articles)
            token = response.next_page_token
            if not token:
                return articles
        self.fail("ListArticles still returned a next_page_token after %d pages" % MAX_PAGES)

    def get_article(self, article_id):
        request = STUBS.article_pb2.GetArticleRequest(id=article_id)
        return self.query_stub().GetArticle(request, timeout=RPC_TIMEOUT_S)

    def assert_rpc_error(self, codes, function, *args, **kwargs):
        codes = codes if isinstance(codes, (tuple, list, set)) else (codes,)
        with self.assertRaises(grpc.RpcError) as caught:
            function(*args, **kwargs)
        self.assertIn(caught.exception.code(), codes,
                      "got %s %r" % (caught.exception.code(), caught.exception.details()))
        return caught.exception

    def assert_ids_well_formed(self, ids):
        for article_id in ids:
            self.assertRegex(article_id, ID_RE)

    def capture_seconds(self, dump):
        year, month, day = (int(x) for x in dump.capture_date.split("-"))
        return utc_seconds_of_local(year, month, day)

    def assert_newest_first(self, articles):
        keys = [ts_key(a.published_at) for a in articles]
        self.assertEqual(keys, sorted(keys, reverse=True), "not newest first")

    def assert_oldest_first(self, articles):
        keys = [ts_key(a.published_at) for a in articles]
        self.assertEqual(keys, sorted(keys), "not oldest first")

    def assert_article_matches(self, article, record, source="sample"):
        self.assertEqual(article.title, record.title)
        self.assertEqual(article.source, source)
        self.assertEqual(article.credit, record.credit)
        self.assertEqual(article.published_at.seconds,
                         utc_seconds_of_local(record.year, record.month, record.day, record.hour,
                                              record.minute),
                         "published_at of %r (header time is %s local)" % (record, DEFAULT_ZONE))
        self.assertEqual(article.published_at.nanos, 0)
        self.assertEqual(article.id, nc.reference_article_id(article.published_at.seconds,
                                                             record.title),
                         "id of %r is not the docs/article-id.md id" % record)
        self.assertEqual(list(article.paragraphs), record.paragraphs, "paragraphs of %r" % record)

    # ---- steps ----

    def test_01_ingest_sample(self):
        dump = nc.read_dump(os.path.join(self.samples, "newsdb-sample.txt"))
        headers = len(dump.records)
        self.assertGreater(headers, 0, "no article headers in %s" % dump.path)
        self.assertEqual((headers, 0), self.readme.counts("newsdb-sample.txt"),
                         "headers in the dump vs samples/README.md")
        response = self.ingest_feed(dump.content)
        self.assertEqual(list(response.errors), [])
        self.assertEqual(response.articles_parsed, headers)
        self.assertEqual(response.articles_created, headers)
        self.assertEqual(response.articles_updated, 0)
        self.assertEqual(response.articles_unchanged, 0)
        ids = list(response.article_ids)
        self.assertEqual(len(ids), headers)
        self.assert_ids_well_formed(ids)
        self.assertEqual(len(set(ids)), len(ids), "duplicate ids: %s" % ids)
        if dump.capture_date:
            self.assertEqual(response.captured_at.seconds, self.capture_seconds(dump),
                             "captured_at should be midnight %s of %s" % (DEFAULT_ZONE,
                                                                          dump.capture_date))
        for article_id, record in zip(ids, dump.records):
            article = self.get_article(article_id)
            self.assertEqual(article.id, article_id)
            self.assert_article_matches(article, record)
            self.assertEqual(article.views, record.views)
            self.assertEqual([(ts_key(o.captured_at), o.views) for o in article.view_history],
                             [(ts_key(response.captured_at), record.views)])
        self.state["sample"] = (dump, ids, response)

    def test_02_reingest_is_unchanged(self):
        self.need("sample")
        dump, ids, first = self.state["sample"]
        response = self.ingest_feed(dump.content)
        self.assertEqual(list(response.errors), [])
        self.assertEqual(response.articles_parsed, len(ids))
        self.assertEqual(response.articles_created, 0)
        self.assertEqual(response.articles_updated, 0)
        self.assertEqual(response.articles_unchanged, len(ids))
        self.assertEqual(list(response.article_ids), ids)
        self.assertEqual(ts_key(response.captured_at), ts_key(first.captured_at))
        for article_id in ids:
            self.assertEqual(len(self.get_article(article_id).view_history), 1)

    def test_03_stream_later_dump(self):
        self.need("sample")
        dump, ids, first = self.state["sample"]
        later = nc.read_dump(os.path.join(self.samples, "newsdb-sample-later.txt"))
        self.assertGreater(len(later.records), 0)
        self.assertEqual((len(later.records), 0), self.readme.counts("newsdb-sample-later.txt"))
        response = self.stream_feed(later.content, chunk_size=100)
        self.assertEqual(list(response.errors), [])
        later_ids = list(response.article_ids)
        self.assertEqual(response.articles_parsed, len(later.records))
        self.assertEqual(len(later_ids), len(later.records))
        self.assert_ids_well_formed(later_ids)
        self.assertEqual(len(set(later_ids)), len(later_ids))
        repeated = [i for i in later_ids if i in set(ids)]
        new = [i for i in later_ids if i not in set(ids)]
        self.assertGreater(len(repeated), 0, "the later dump should repeat articles of the first")
        self.assertEqual(response.articles_updated, len(repeated))
        self.assertEqual(response.articles_created, len(new))
        self.assertEqual(response.articles_unchanged, 0)
        if later.capture_date:
            self.assertEqual(response.captured_at.seconds, self.capture_seconds(later))
        self.assertGreater(ts_key(response.captured_at), ts_key(first.captured_at))

        if self.readme.repeated_in_later() is not None:
            self.assertEqual(len(repeated), self.readme.repeated_in_later())
        union = set(ids) | set(later_ids)
        if self.readme.distinct_after_later() is not None:
            self.assertEqual(len(union), self.readme.distinct_after_later())
        articles = self.list_all(page_size=3)
        listed = [a.id for a in articles]
        self.assertEqual(len(listed), len(set(listed)), "duplicates in listing: %s" % listed)
        self.assertEqual(set(listed), union)
        self.assertEqual(len(listed), len(union))
        self.assert_newest_first(articles)

        first_records = dict(zip(ids, dump.records))
        later_records = dict(zip(later_ids, later.records))
        for article_id in repeated:
            article = self.get_article(article_id)
            history = [(ts_key(o.captured_at), o.views) for o in article.view_history]
            self.assertEqual(history, [(ts_key(first.captured_at), first_records[article_id].views),
                                       (ts_key(response.captured_at),
                                        later_records[article_id].views)],
                             "view_history of %s" % article_id)
            self.assertEqual(article.views, later_records[article_id].views)
            self.assert_article_matches(article, later_records[article_id])
        for article_id in new:
            self.assert_article_matches(self.get_article(article_id), later_records[article_id])
        self.state["later"] = (later, later_ids, response)
        self.state["listing"] = articles

    def test_04_list_options_and_errors(self):
        self.need("listing")
        newest = self.state["listing"]
        all_ids = {a.id for a in newest}

        oldest = self.list_all(page_size=3, order=STUBS.article_pb2.PUBLICATION_ORDER_OLDEST_FIRST)
        self.assertEqual(len(oldest), len(all_ids))
        self.assertEqual({a.id for a in oldest}, all_ids)
        self.assert_oldest_first(oldest)
        explicit = self.list_all(page_size=4,
                                 order=STUBS.article_pb2.PUBLICATION_ORDER_NEWEST_FIRST)
        self.assertEqual([a.id for a in explicit], [a.id for a in newest])

        # A published range [start, end) that cuts the listing in the middle.
        times = sorted({a.published_at.seconds for a in newest})
        self.assertGreaterEqual(len(times), 3, "need articles at 3+ distinct times")
        start, end = times[len(times) // 4], times[(3 * len(times)) // 4]
        if start == end:
            end = times[-1]
        want = {a.id for a in newest if start <= a.published_at.seconds < end}
        self.assertTrue(0 < len(want) < len(all_ids))
        published = STUBS.article_pb2.TimeRange(start=timestamp(start),
                                                end=timestamp(end))
        for order in (STUBS.article_pb2.PUBLICATION_ORDER_NEWEST_FIRST,
                      STUBS.article_pb2.PUBLICATION_ORDER_OLDEST_FIRST):
            ranged = self.list_all(page_size=2, published=published, order=order)
            self.assertEqual(sorted(a.id for a in ranged), sorted(want), "range %d..%d" % (start,
                                                                                          end))
        only_start = self.list_all(page_size=5, published=STUBS.article_pb2.TimeRange(
            start=timestamp(start)))
        self.assertEqual({a.id for a in only_start},
                         {a.id for a in newest if a.published_at.seconds >= start})
        only_end = self.list_all(page_size=5, published=STUBS.article_pb2.TimeRange(
            end=timestamp(end)))
        self.assertEqual({a.id for a in only_end},
                         {a.id for a in newest if a.published_at.seconds < end})

        # BASIC leaves the paragraphs out, FULL (and the default) has them.
        basic = self.list_all(page_size=3, view=STUBS.query_pb2.ARTICLE_VIEW_BASIC)
        self.assertEqual([a.id for a in basic], [a.id for a in newest])
        for article in basic:
            self.assertEqual(list(article.paragraphs), [], "BASIC article %s" % article.id)
            self.assertTrue(article.title)
            self.assertGreater(len(article.view_history), 0)
        self.assertTrue(any(a.paragraphs for a in newest), "FULL (default) has no paragraphs")
        full = self.list_all(page_size=3, view=STUBS.query_pb2.ARTICLE_VIEW_FULL)
        self.assertEqual(full, newest)

        # Page tokens: a token is bound to published/order/view; page_size may change.
        first_page = self.list_page(page_size=2)
        token = first_page.next_page_token
        self.assertTrue(token, "2 of %d articles should leave a next page" % len(all_ids))
        second_page = self.list_page(page_size=5, page_token=token)
        self.assertEqual([a.id for a in second_page.articles], [a.id for a in newest[2:7]])
        self.assert_rpc_error(grpc.StatusCode.INVALID_ARGUMENT, self.list_page, page_size=2,
                              page_token=token, published=published)
        self.assert_rpc_error(grpc.StatusCode.INVALID_ARGUMENT, self.list_page, page_size=2,
                              page_token=token,
                              order=STUBS.article_pb2.PUBLICATION_ORDER_OLDEST_FIRST)
        self.assert_rpc_error(grpc.StatusCode.INVALID_ARGUMENT, self.list_page, page_size=2,
                              page_token=token, view=STUBS.query_pb2.ARTICLE_VIEW_BASIC)
        ranged_page = self.list_page(page_size=1, published=published)
        if ranged_page.next_page_token:
            self.assert_rpc_error(grpc.StatusCode.INVALID_ARGUMENT, self.list_page, page_size=1,
                                  page_token=ranged_page.next_page_token)
        for garbage in ("garbage", "!!not a token!!", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"):
            self.assert_rpc_error(grpc.StatusCode.INVALID_ARGUMENT, self.list_page, page_size=2,
                                  page_token=garbage)
        self.assert_rpc_error(grpc.StatusCode.INVALID_ARGUMENT, self.list_page, page_size=-1)
        self.assert_rpc_error(grpc.StatusCode.INVALID_ARGUMENT, self.list_page,
                              published=STUBS.article_pb2.TimeRange(start=timestamp(end),
                                                                    end=timestamp(start)))

        # GetArticle argument errors carry a google.rpc.BadRequest naming `id`.
        for bad_id in ("xyz", "", "ABCDEF0123456789", "0123456789abcdef0"):
            error = self.assert_rpc_error(grpc.StatusCode.INVALID_ARGUMENT, self.get_article,
                                          bad_id)
            status = status_details(error)
            self.assertIsNotNone(status, "id %r: no grpc-status-details-bin" % bad_id)
            self.assertEqual(status.code, grpc.StatusCode.INVALID_ARGUMENT.value[0])
            self.assertIn("id", bad_request_fields(error), "id %r: %s" % (bad_id, status))
        unknown = UNKNOWN_ID if UNKNOWN_ID not in all_ids else "0000000000000001"
        self.assert_rpc_error(grpc.StatusCode.NOT_FOUND, self.get_article, unknown)
        self.state["step4"] = True

    def test_05_bad_dump(self):
        self.need("listing")
        dump = nc.read_dump(os.path.join(self.samples, "newsdb-bad.txt"))
        good_lines, documented_errors = self.readme.bad_dump()
        response = self.ingest_feed(dump.content)
        got_errors = [(e.line, e.message) for e in response.errors]
        self.assertEqual([line for line, _ in got_errors], [line for line, _ in documented_errors],
                         "error lines; got %s" % got_errors)
        for error, (line, message) in zip(response.errors, documented_errors):
            if message:
                self.assertTrue(error.message.startswith(message.rstrip(". ")),
                                "line %d: message %r, documented %r" % (line, error.message,
                                                                         message))
            self.assertLessEqual(len(error.excerpt.encode("utf-8")), 120)
            self.assertNotIn("\r", error.excerpt)
        excerpts = {e.line: e.excerpt for e in response.errors}
        if 16 in excerpts and any(line == 16 and m and "UTF-8" in m
                                  for line, m in documented_errors):
            self.assertIn("\ufffd", excerpts[16], "excerpt of the invalid UTF-8 line")

        self.assertEqual(response.articles_parsed, len(good_lines))
        self.assertEqual(len(response.article_ids), len(good_lines))
        self.assertEqual(response.articles_created, len(good_lines))
        self.assert_ids_well_formed(response.article_ids)
        self.assertEqual(len(set(response.article_ids)), len(good_lines))
        self.assertEqual(response.captured_at.seconds, self.capture_seconds(dump))
        for article_id, line in zip(response.article_ids, good_lines):
            record = dump.record_at(line)
            article = self.get_article(article_id)
            self.assert_article_matches(article, record)
            self.assertEqual(article.views, record.views)
        listing = self.list_all(page_size=10)
        listed = [a.id for a in listing]
        self.assertEqual(set(listed), {a.id for a in self.state["listing"]} |
                         set(response.article_ids), "listing after the bad dump")
        bad_records = [[r for r in dump.records if r.line <= line][-1]
                       for line, _ in documented_errors]
        bad_titles = {r.title for r in bad_records if r.title}
        self.assertGreater(len(bad_titles), 3)
        self.assertFalse(bad_titles & {a.title for a in listing},
                         "a bad record was stored")

        # Chunking does not matter (lines and UTF-8 sequences split anywhere): streaming the same
        # dump in 7-byte chunks reports the same errors, and the good records are now unchanged.
        streamed = self.stream_feed(dump.content, chunk_size=7)
        self.assertEqual([(e.line, e.message, e.excerpt) for e in streamed.errors],
                         [(e.line, e.message, e.excerpt) for e in response.errors])
        self.assertEqual(list(streamed.article_ids), list(response.article_ids))
        self.assertEqual(streamed.articles_unchanged, len(good_lines))
        self.state["bad"] = response

    def test_05b_capture_out_of_order(self):
        # A capture ingested late (explicit captured_at between two known captures) is inserted
        # in capture order, and `views` stays the latest capture's, not the last ingested one's.
        self.need("later")
        dump, ids, first = self.state["sample"]
        later, later_ids, later_response = self.state["later"]
        middle = first.captured_at.seconds + 86400  # between the two captures
        self.assertLess(middle, later_response.captured_at.seconds)
        # The sample again, each view count raised by 1, captured at `middle`.
        content = re.sub(rb"^((?: date \d{4}-\d\d-\d\d )?\d\d\.\d\d\.\d{4}, \d\d:\d\d )(\d+)$",
                         lambda m: m.group(1) + str(int(m.group(2)) + 1).encode(), dump.content,
                         flags=re.M)
        self.assertNotEqual(content, dump.content)
        response = self.ingest_feed(content, captured_at=timestamp(middle))
        self.assertEqual(list(response.errors), [])
        self.assertEqual(response.captured_at.seconds, middle)
        self.assertEqual(list(response.article_ids), ids)
        self.assertEqual(response.articles_updated, len(ids))
        first_records = dict(zip(ids, dump.records))
        later_records = dict(zip(later_ids, later.records))
        for article_id in ids:
            article = self.get_article(article_id)
            history = [(o.captured_at.seconds, o.views) for o in article.view_history]
            want = [(first.captured_at.seconds, first_records[article_id].views),
                    (middle, first_records[article_id].views + 1)]
            if article_id in later_records:
                want.append((later_response.captured_at.seconds, later_records[article_id].views))
            self.assertEqual(history, want, "view_history of %s" % article_id)
            self.assertEqual(article.views, want[-1][1],
                             "views of %s must be the latest capture's" % article_id)
        again = self.ingest_feed(content, captured_at=timestamp(middle))
        self.assertEqual(again.articles_unchanged, len(ids))
        self.state["listing"] = self.list_all(page_size=50)

    def test_05c_ingest_options(self):
        self.need("listing")
        stub = self.ingest_stub()
        text = (" date 2024-03-02 01.03.2024, 10:00 5\n"
                "Options test article\n"
                "Body.\n")
        march_2024 = STUBS.article_pb2.TimeRange(start=timestamp(1709251200 - 86400),
                                                 end=timestamp(1709251200 + 2 * 86400))

        # Bad options: INVALID_ARGUMENT naming the field, and nothing stored.
        for fields, field in (({"source": "Bad Source"}, "source"),
                              ({"source": "x" * 65}, "source"),
                              ({"time_zone": "Mars/Olympus_Mons"}, "time_zone")):
            request = STUBS.ingest_pb2.IngestFeedRequest(content=text.encode(), **fields)
            error = self.assert_rpc_error(grpc.StatusCode.INVALID_ARGUMENT, stub.IngestFeed,
                                          request, timeout=RPC_TIMEOUT_S)
            violations = bad_request_fields(error) or []
            self.assertTrue(any(v.split(".")[-1] == field for v in violations),
                            "%s: BadRequest fields %s, want %s" % (fields, violations, field))
        self.assertEqual(self.list_all(page_size=10, published=march_2024), [])

        # StreamFeed: options that change between chunks are INVALID_ARGUMENT.
        def changing_options():
            yield STUBS.ingest_pb2.FeedChunk(content=text.encode()[:20],
                                             options=STUBS.ingest_pb2.FeedOptions(source="a"))
            yield STUBS.ingest_pb2.FeedChunk(content=text.encode()[20:],
                                             options=STUBS.ingest_pb2.FeedOptions(source="b"))
        self.assert_rpc_error(grpc.StatusCode.INVALID_ARGUMENT, stub.StreamFeed,
                              changing_options(), timeout=RPC_TIMEOUT_S)
        self.assertEqual(self.list_all(page_size=10, published=march_2024), [])

        # Header times are local to time_zone (default Asia/Almaty, UTC+5 since 2024-03-01);
        # an empty source is stored as `unknown`.
        response = self.ingest_feed(text.encode(), source="")
        self.assertEqual(list(response.errors), [])
        almaty = self.get_article(response.article_ids[0])
        self.assertEqual(almaty.source, "unknown")
        self.assertEqual(almaty.published_at.seconds,
                         utc_seconds_of_local(2024, 3, 1, 10, 0, "Asia/Almaty"))
        self.assertEqual(almaty.published_at.seconds, 1709251200 + 5 * 3600)  # 05:00 UTC
        response = self.ingest_feed(text.encode(), source="tz-test", time_zone="UTC")
        utc = self.get_article(response.article_ids[0])
        self.assertEqual(utc.published_at.seconds, 1709251200 + 10 * 3600)
        self.assertNotEqual(utc.id, almaty.id)
        self.assertEqual(utc.id, nc.reference_article_id(utc.published_at.seconds, utc.title))
        stored = self.list_all(page_size=10, published=march_2024)
        self.assertEqual(sorted(a.id for a in stored), sorted([almaty.id, utc.id]))

        # A page token stays valid while ingest goes on: pages neither repeat nor skip what was
        # there; an article newer than the position is not shown, one older may be.
        before = [a.id for a in self.list_all(page_size=1000)]
        page = self.list_page(page_size=3)
        paged = [a.id for a in page.articles]
        extra = self.ingest_feed(b" date 2031-01-02 01.01.2031, 10:00 5\nFrom the future\nB.\n"
                                 b"01.01.1991, 10:00 5\nFrom the past\nB.\n", source="paging")
        future_id, past_id = extra.article_ids
        token = page.next_page_token
        for _ in range(MAX_PAGES):
            if not token:
                break
            page = self.list_page(page_size=3, page_token=token)
            paged += [a.id for a in page.articles]
            token = page.next_page_token
        self.assertEqual(len(paged), len(set(paged)), "a page repeated an article")
        self.assertNotIn(future_id, paged)
        self.assertEqual([i for i in paged if i != past_id], before)

        # page_size: 0 means 50, above 1000 counts as 1000 (not an error).
        everything = self.list_all(page_size=1000)
        self.assertEqual([a.id for a in self.list_page(page_size=0).articles],
                         [a.id for a in everything[:50]])
        self.assertEqual([a.id for a in self.list_page(page_size=5000).articles],
                         [a.id for a in everything[:1000]])
        self.state["listing"] = everything

    def test_06_storage_restart_keeps_everything(self):
        self.need("listing")
        before = self.list_all(page_size=3)
        details = {a.id: self.get_article(a.id) for a in before}
        self.cluster.restart_storage()
        after = self.retry_unavailable(lambda: self.list_all(page_size=3))
        self.assertEqual([a.id for a in after], [a.id for a in before])
        self.assertEqual(after, before)
        for article_id, article in details.items():
            again = self.get_article(article_id)
            self.assertEqual(list(again.view_history), list(article.view_history))
            self.assertEqual(again, article)
        self.state["restarted"] = True

    def retry_unavailable(self, call, within_s=10.0):
        """Runs `call`, retrying UNAVAILABLE for a few seconds (a channel reconnecting to a
        restarted storage may fail fast once)."""
        deadline = time.monotonic() + within_s
        while True:
            try:
                return call()
            except grpc.RpcError as error:
                if error.code() != grpc.StatusCode.UNAVAILABLE or time.monotonic() > deadline:
                    raise
                sys.stderr.write("note: UNAVAILABLE right after a storage restart (%s); retrying\n"
                                 % error.details())
                time.sleep(0.2)

    def test_07_storage_down(self):
        self.need("listing")
        dump_text = (
            " date 2001-06-03 02.06.2001, 10:15 120\n"
            "Outage test article one\n"
            "Images | newsdb tests\n"
            "First body line of article one.\n"
            "01.06.2001, 09:00 340\n"
            "Outage test article two\n"
            "Body of article two.\n"
            "- a list item\n"
            "31.05.2001, 23:59 999\n"
            "Outage test article three\n"
            "Body of article three.\n"
        )
        titles = {"Outage test article one", "Outage test article two",
                  "Outage test article three"}
        year_2001 = STUBS.article_pb2.TimeRange(start=timestamp(978307200 - 86400),
                                                end=timestamp(1009843200 + 86400))
        self.assertEqual(self.list_all(page_size=10, published=year_2001), [])

        port = self.cluster.storage.port
        self.cluster.storage.stop()
        try:
            started = time.monotonic()
            error = self.assert_rpc_error(
                (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED),
                self.ingest_feed, dump_text.encode(), "outage", 3)
            elapsed = time.monotonic() - started
            self.assertLess(elapsed, 10.0, "IngestFeed with a 3 s deadline took %.1f s" % elapsed)
            sys.stderr.write("note: IngestFeed with storage down: %s %r after %.1f s\n" % (
                error.code(), error.details(), elapsed))
            # Query with storage down: UNAVAILABLE (or the deadline), never OK.
            query = self.query_stub()
            for call, request in (
                    (query.ListArticles, STUBS.query_pb2.ListArticlesRequest(page_size=3)),
                    (query.GetArticle, STUBS.article_pb2.GetArticleRequest(id=UNKNOWN_ID))):
                started = time.monotonic()
                self.assert_rpc_error(
                    (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED),
                    call, request, timeout=3)
                self.assertLess(time.monotonic() - started, 10.0)
        finally:
            self.cluster.start_storage(port=port)
        self.assertEqual(self.cluster.storage.port, port)
        # Nothing was acknowledged, so whatever storage holds of that dump must be whole articles
        # of it (and with storage down from the start, nothing at all).
        leftovers = self.retry_unavailable(lambda: self.list_all(page_size=10, published=year_2001))
        self.assertEqual(leftovers, [], "storage holds articles of a dump it never acknowledged")
        # Re-sending the dump (as the contract says) stores it once.
        response = self.retry_unavailable(lambda: self.ingest_feed(dump_text.encode(), "outage"))
        self.assertEqual(list(response.errors), [])
        self.assertEqual(response.articles_parsed, 3)
        self.assertEqual(response.articles_created, 3)
        stored = self.list_all(page_size=2, published=year_2001)
        self.assertEqual({a.title for a in stored}, titles)
        self.assertEqual({a.id for a in stored}, set(response.article_ids))
        for article in stored:
            self.assertEqual(article.source, "outage")
            self.assertEqual(len(article.view_history), 1)
        self.state["outage"] = response

    def test_07b_ingest_drains_in_flight_stream(self):
        # SIGTERM while a StreamFeed is in flight: the call completes within --drain_timeout, the
        # server exits 0, and everything it reported is stored.
        self.need("listing")
        records = 200
        text = " date 2012-01-03 " + "".join(
            "02.01.2012, %02d:%02d %d\nDrain test article %d\nBody %d.\n" % (
                i // 60, i % 60, i + 1, i, i) for i in range(records))
        content = text.encode()
        ingest = self.cluster.ingest
        chunk_size = 400
        signal_at = 2 * chunk_size

        def chunks():
            options = STUBS.ingest_pb2.FeedOptions(source="drain")
            for offset in range(0, len(content), chunk_size):
                chunk = STUBS.ingest_pb2.FeedChunk(content=content[offset:offset + chunk_size])
                if offset == 0:
                    chunk.options.CopyFrom(options)
                if offset == signal_at:
                    ingest.proc.send_signal(signal.SIGTERM)
                    time.sleep(0.2)
                yield chunk
                time.sleep(0.01)

        stub = STUBS.ingest_grpc.IngestServiceStub(ingest.channel)
        try:
            response = stub.StreamFeed(chunks(), timeout=RPC_TIMEOUT_S)
        finally:
            ingest.stop()  # asserts exit code 0 within 30 s
            self.cluster.start_ingest()
        self.assertEqual(list(response.errors), [])
        self.assertEqual(response.articles_parsed, records)
        self.assertEqual(response.articles_created, records)
        year_2012 = STUBS.article_pb2.TimeRange(start=timestamp(1325376000),
                                                end=timestamp(1356998400))
        stored = self.list_all(page_size=100, published=year_2012)
        self.assertEqual(sorted(a.id for a in stored), sorted(response.article_ids))

    def test_08_newsctl(self):
        self.need("listing")
        newsctl = nc.binary_path(OPTIONS.bin_dir, "newsctl")
        self.assertTrue(os.access(newsctl, os.X_OK), "newsctl missing: %s" % newsctl)
        ingest_flag = "--ingest=" + self.cluster.ingest.address
        query_flag = "--query=" + self.cluster.query.address
        sample = os.path.join(self.samples, "newsdb-sample.txt")
        later = os.path.join(self.samples, "newsdb-sample-later.txt")
        before = self.list_all(page_size=50)

        # Everything in the samples is stored already: ingesting again changes nothing.
        run = self.cluster.run_newsctl([ingest_flag, "ingest", sample, "--source", "sample"])
        self.assertEqual(run.returncode, 0, "newsctl ingest: %s%s" % (run.stdout, run.stderr))
        run = self.cluster.run_newsctl(["--json", ingest_flag, "ingest", later, "--source",
                                        "sample"])
        self.assertEqual(run.returncode, 0, "newsctl --json ingest: %s%s" % (run.stdout,
                                                                            run.stderr))
        reports = parse_json_values(run.stdout)
        self.assertEqual(len(reports), 1, "one JSON report per file:\n%s" % run.stdout)
        report = reports[0]
        if isinstance(report, dict) and isinstance(report.get("response"), dict):
            report = report["response"]
        later_count = len(nc.read_dump(later).records)
        self.assertEqual(int(json_field(report, "articles_parsed", 0)), later_count, report)
        self.assertEqual(int(json_field(report, "articles_unchanged", 0)), later_count, report)
        self.assertEqual(int(json_field(report, "articles_created", 0)), 0, report)
        self.assertEqual(self.list_all(page_size=50), before)
        newest = before

        run = self.cluster.run_newsctl([query_flag, "list", "--limit", "5", "--json"])
        self.assertEqual(run.returncode, 0, "newsctl list: %s%s" % (run.stdout, run.stderr))
        listed = parse_json_articles(run.stdout)
        self.assertEqual([a.get("id") for a in listed], [a.id for a in newest[:5]],
                         "newsctl list --limit 5 --json printed:\n%s" % run.stdout)
        self.assertEqual([a.get("title") for a in listed], [a.title for a in newest[:5]])

        run = self.cluster.run_newsctl([query_flag, "list", "--order", "oldest", "--limit", "3",
                                        "--json"])
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual([a.get("id") for a in parse_json_articles(run.stdout)],
                         [a.id for a in list(reversed(newest))[:3]])

        # --from/--to are dates in --display_zone (default UTC); --to is inclusive.
        days = sorted({datetime.datetime.fromtimestamp(a.published_at.seconds,
                                                       datetime.timezone.utc).date()
                       for a in newest})
        if len(days) >= 3:
            first_day, last_day = days[1], days[-2]
            want = [a.id for a in newest
                    if first_day <= datetime.datetime.fromtimestamp(
                        a.published_at.seconds, datetime.timezone.utc).date() <= last_day]
            run = self.cluster.run_newsctl([query_flag, "--json", "--display_zone=UTC", "list",
                                            "--from", first_day.isoformat(), "--to",
                                            last_day.isoformat(), "--limit", "1000"])
            self.assertEqual(run.returncode, 0, run.stderr)
            self.assertEqual([a.get("id") for a in parse_json_articles(run.stdout)], want,
                             "list --from %s --to %s" % (first_day, last_day))

        target = newest[0]
        run = self.cluster.run_newsctl([query_flag, "get", target.id])
        self.assertEqual(run.returncode, 0, "newsctl get: %s%s" % (run.stdout, run.stderr))
        self.assertIn(target.title, run.stdout)
        run = self.cluster.run_newsctl(["get", target.id, query_flag, "--json"])
        self.assertEqual(run.returncode, 0, "newsctl get --json: %s%s" % (run.stdout, run.stderr))
        got = parse_json_articles(run.stdout)
        self.assertEqual([a.get("id") for a in got], [target.id])
        self.assertEqual(got[0].get("title"), target.title)

        missing = UNKNOWN_ID if UNKNOWN_ID not in {a.id for a in newest} else "0000000000000001"
        run = self.cluster.run_newsctl([query_flag, "get", missing])
        self.assertEqual(run.returncode, 1, "newsctl get of a missing id: exit %d, want 1 (%s)" %
                         (run.returncode, run.stderr))
        self.assertTrue(run.stderr.strip(), "newsctl get of a missing id printed nothing on stderr")
        # The status code is printed by name, not as a bare number.
        self.assertRegex(run.stderr, r"^newsctl: get.* failed: NOT_FOUND: ", run.stderr)
        run = self.cluster.run_newsctl([query_flag, "get", "xyz"])
        self.assertNotEqual(run.returncode, 0, "newsctl get xyz exited 0")
        self.assertTrue(run.stderr.strip())
        run = self.cluster.run_newsctl([query_flag, "no-such-command"])
        self.assertEqual(run.returncode, 2, "bad usage: exit %d, want 2 (%s)" % (run.returncode,
                                                                                 run.stderr))


def json_field(value, snake_name, default=None):
    """A field of a proto3-JSON object by its proto name or its lowerCamelCase JSON name."""
    camel = re.sub(r"_([a-z])", lambda m: m.group(1).upper(), snake_name)
    if snake_name in value:
        return value[snake_name]
    return value.get(camel, default)


def parse_json_values(text):
    """One JSON value, or one JSON value per line (JSON Lines)."""
    text = text.strip()
    if not text:
        return []
    try:
        return [json.loads(text)]
    except ValueError:
        decoder = json.JSONDecoder()
        values, position = [], 0
        while position < len(text):
            value, position = decoder.raw_decode(text, position)
            values.append(value)
            while position < len(text) and text[position].isspace():
                position += 1
        return values


def parse_json_articles(text):
    """Articles from newsctl --json output: an array, an object with `articles`, one article
    object, or one JSON value per line."""
    values = parse_json_values(text)
    articles = []
    for value in values:
        if isinstance(value, list):
            articles += value
        elif isinstance(value, dict) and isinstance(value.get("articles"), list):
            articles += value["articles"]
        elif isinstance(value, dict) and isinstance(value.get("article"), dict):
            articles.append(value["article"])
        elif isinstance(value, dict):
            articles.append(value)
        else:
            raise AssertionError("unexpected JSON from newsctl: %r" % (value,))
    return articles


def main():
    global OPTIONS
    OPTIONS, argv = nc.parse_args()
    unittest.main(argv=argv, verbosity=2)


if __name__ == "__main__":
    main()
