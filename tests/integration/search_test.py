#!/usr/bin/python3
"""Integration test of full-text search through the three real binaries over loopback.

Run:  /usr/bin/python3 tests/integration/search_test.py --bin-dir build --source-dir .

Ingests the bundled sample, a small dump written here (Cyrillic names, bullets, phrases), and the
real Kazinform sample from ../shared when it exists (the relevance check says clearly when it is
skipped), then searches through QueryService.Search: relevance, stemming, Unicode folding, phrases,
prefixes, field scopes, filters, sorts, facets, highlights, syntax errors, paging while ingest goes
on, and a storage restart.
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import newsdb_cluster as nc  # noqa: E402

import grpc  # noqa: E402

OPTIONS = None
RPC_TIMEOUT_S = 30
MAX_PAGES = 200

LOCAL_DUMP = """ date 2024-03-05 04.03.2024, 11:20 3100
Туркестан hosts the Turkic summit of culture ministers
Images | Akorda
Ministers met in Туркестан to agree on a common cultural calendar.
- The summit adopted a joint statement on biological safety of museums.
- Delegations visited the mausoleum.
02.03.2024, 09:05 5200
ҚАЗАҚСТАН and Uzbekistan ratified a water agreement
The parliaments ratified the agreement on the Syr Darya river.
Flood protection works were discussed at the meeting.
29.02.2024, 23:30 800
Floods expected in northern regions
Images | Ministry of Emergency Situations
Spring floods are expected after heavy snow; the summits of the hills keep their snow longest.
"""


class SearchTest(nc.ClusterTestCase):
    @classmethod
    def setUpClass(cls):
        cls.open_cluster(OPTIONS)
        cls.search_pb2 = __import__("newsdb.v1.search_pb2", fromlist=["search_pb2"])
        with cls.starting():
            cls.cluster.start_all()
            cls.ingest = cls.stubs.ingest_grpc.IngestServiceStub(cls.cluster.ingest.channel)
            cls.query = cls.stubs.query_grpc.QueryServiceStub(cls.cluster.query.channel)
            cls._ingest_file(os.path.join(OPTIONS.source_dir, "samples", "newsdb-sample.txt"),
                             "sample")
            cls._ingest_bytes(LOCAL_DUMP.encode("utf-8"), "local")
            cls.kazinform = os.path.join(OPTIONS.source_dir, "..", "shared", "corpus", "sample",
                                         "kazinform-2023-11-23.txt")
            cls.has_kazinform = os.path.exists(cls.kazinform)
            if cls.has_kazinform:
                cls._ingest_file(cls.kazinform, "kazinform")

    @classmethod
    def _ingest_bytes(cls, content, source):
        response = cls.ingest.IngestFeed(
            cls.stubs.ingest_pb2.IngestFeedRequest(content=content, source=source),
            timeout=RPC_TIMEOUT_S)
        assert response.articles_parsed > 0, response
        return response

    @classmethod
    def _ingest_file(cls, path, source):
        with open(path, "rb") as f:
            return cls._ingest_bytes(f.read(), source)

    def search(self, query="", **fields):
        request = self.stubs.query_pb2.SearchRequest(query=query, **fields)
        return self.query.Search(request, timeout=RPC_TIMEOUT_S)

    def titles(self, response):
        return [hit.article.title for hit in response.hits]

    def bad_request_fields(self, error):
        for key, value in error.trailing_metadata() or ():
            if key == "grpc-status-details-bin":
                status = self.stubs.status_pb2.Status.FromString(value)
                fields = []
                for detail in status.details:
                    bad = self.stubs.error_details_pb2.BadRequest()
                    if detail.Unpack(bad):
                        fields += [(v.field, v.description) for v in bad.field_violations]
                return fields
        return []

    # ---- relevance and analysis ----

    def test_csto_biological_safety_ranks_the_majilis_article_first(self):
        if not self.has_kazinform:
            self.skipTest("SKIPPED: real sample not found at %s" % self.kazinform)
        response = self.search("CSTO biological safety")
        self.assertGreater(response.total_hits, 0)
        self.assertEqual(response.hits[0].article.title,
                         "Majilis ratifies 4th protocol changing CSTO Charter")

    def test_stemming_finds_other_forms(self):
        titles = self.titles(self.search("ratify", page_size=100))
        self.assertIn("ҚАЗАҚСТАН and Uzbekistan ratified a water agreement", titles)
        flood_titles = self.titles(self.search("flooding", page_size=100))
        self.assertIn("Floods expected in northern regions", flood_titles)

    def test_unicode_case_folding(self):
        titles = self.titles(self.search("туркестан"))
        self.assertEqual(titles, ["Туркестан hosts the Turkic summit of culture ministers"])
        titles = self.titles(self.search("қазақстан"))
        self.assertIn("ҚАЗАҚСТАН and Uzbekistan ratified a water agreement", titles)

    def test_phrase_prefix_exclusion_or_and_fields(self):
        phrase = self.titles(self.search('"common cultural calendar"'))
        self.assertEqual(phrase, ["Туркестан hosts the Turkic summit of culture ministers"])
        self.assertEqual(self.search('"calendar common cultural"').total_hits, 0)
        prefix = self.titles(self.search("uzbek*"))
        self.assertIn("ҚАЗАҚСТАН and Uzbekistan ratified a water agreement", prefix)
        excluded = self.titles(self.search("summit -turkic", page_size=100))
        self.assertNotIn("Туркестан hosts the Turkic summit of culture ministers", excluded)
        either = self.titles(self.search("(mausoleum OR \"syr darya\")", page_size=100))
        self.assertIn("Туркестан hosts the Turkic summit of culture ministers", either)
        self.assertIn("ҚАЗАҚСТАН and Uzbekistan ratified a water agreement", either)
        both = self.titles(self.search("mausoleum \"syr darya\"", page_size=100))
        self.assertEqual(both, [])
        # "summits" occurs in the body of the floods article only; title: scopes to the title.
        title_only = self.titles(self.search("title:summit", page_size=100))
        self.assertNotIn("Floods expected in northern regions", title_only)
        self.assertIn("Туркестан hosts the Turkic summit of culture ministers", title_only)
        credit = self.titles(self.search("credit:akorda water"))
        self.assertEqual(credit, [])

    def test_typed_match_tree_equals_the_query_string(self):
        pb = self.search_pb2
        match = pb.Query(all_of=pb.BooleanQuery(queries=[
            pb.Query(term=pb.TermQuery(text="summit")),
            pb.Query(none_of=pb.BooleanQuery(queries=[pb.Query(term=pb.TermQuery(text="turkic"))])),
        ]))
        typed = self.search(match=match, page_size=100)
        parsed = self.search("summit -turkic", page_size=100)
        self.assertEqual([h.article.id for h in typed.hits], [h.article.id for h in parsed.hits])
        self.assertEqual(typed.total_hits, parsed.total_hits)

    # ---- filters, sorts, facets, highlights ----

    def test_filters_sorts_facets_and_highlights(self):
        pb = self.search_pb2
        filt = pb.SearchFilter(credits=["Akorda"])
        response = self.search("", filter=filt, sort=pb.SEARCH_SORT_NEWEST, page_size=100,
                               facets=[pb.FacetRequest(kind=pb.FACET_KIND_CREDIT),
                                       pb.FacetRequest(kind=pb.FACET_KIND_DAY)])
        self.assertGreater(response.total_hits, 0)
        for hit in response.hits:
            self.assertEqual(hit.article.credit, "Akorda")
        times = [hit.article.published_at.seconds for hit in response.hits]
        self.assertEqual(times, sorted(times, reverse=True))
        credit_facet = response.facets[0]
        self.assertEqual([(b.value, b.count) for b in credit_facet.buckets],
                         [("Akorda", response.total_hits)])
        day_facet = response.facets[1]
        self.assertEqual(sum(b.count for b in day_facet.buckets), response.total_hits)
        for bucket in day_facet.buckets:
            self.assertGreaterEqual(bucket.total_articles, bucket.count)

        viewed = self.search("", sort=pb.SEARCH_SORT_MOST_VIEWED, page_size=100)
        views = [hit.article.views for hit in viewed.hits]
        self.assertEqual(views, sorted(views, reverse=True))

        lit = self.search("mausoleum", highlight=pb.HighlightOptions(enabled=True))
        self.assertEqual(lit.total_hits, 1)
        self.assertTrue(any("<em>mausoleum</em>" in f for f in lit.hits[0].snippets.body),
                        lit.hits[0].snippets)
        # The view defaults to FULL, as ArticleView documents (and as ListArticles does).
        self.assertEqual(len(lit.hits[0].article.paragraphs), 3)
        full = self.search("mausoleum", view=self.stubs.query_pb2.ARTICLE_VIEW_FULL)
        self.assertEqual(full.hits[0].article.paragraphs, lit.hits[0].article.paragraphs)
        basic = self.search("mausoleum", view=self.stubs.query_pb2.ARTICLE_VIEW_BASIC)
        self.assertEqual(len(basic.hits[0].article.paragraphs), 0)
        self.assertEqual(basic.hits[0].article.title, full.hits[0].article.title)

    # ---- errors ----

    def test_bad_syntax_and_arguments_are_invalid_argument_with_field_violations(self):
        with self.assertRaises(grpc.RpcError) as raised:
            self.search('summit "unterminated')
        self.assertEqual(raised.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        fields = self.bad_request_fields(raised.exception)
        self.assertEqual(fields[0][0], "query")
        self.assertIn("column", fields[0][1])
        with self.assertRaises(grpc.RpcError) as raised:
            self.search("summit", page_size=1000)
        self.assertEqual(raised.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("page_size", [f for f, _ in self.bad_request_fields(raised.exception)])
        with self.assertRaises(grpc.RpcError) as raised:
            self.search("summit", page_token="garbage")
        self.assertIn("page_token", [f for f, _ in self.bad_request_fields(raised.exception)])

    # ---- paging ----

    def test_paging_while_ingest_continues_yields_each_match_once(self):
        first = self.search("summit OR ratify OR floods", page_size=2)
        total = first.total_hits
        seen = [hit.article.id for hit in first.hits]
        token = first.next_page_token
        added = 0
        pages = 0
        while token and pages < MAX_PAGES:
            pages += 1
            # A new matching article before every page must not shift the pages.
            added += 1
            dump = " date 2024-04-0%d 01.04.2024, 1%d:00 1\nSummit number %d\nBody %d\n" % (
                1 + added % 9, added % 10, added, added)
            self._ingest_bytes(dump.encode(), "paging")
            page = self.search("summit OR ratify OR floods", page_size=2, page_token=token)
            self.assertEqual(page.total_hits, total)
            seen += [hit.article.id for hit in page.hits]
            token = page.next_page_token
        self.assertEqual(len(seen), len(set(seen)), "an article was repeated")
        self.assertEqual(len(seen), total)
        self.assertGreater(added, 0)
        # A token belongs to its request.
        if first.next_page_token:
            with self.assertRaises(grpc.RpcError) as raised:
                self.search("summit", page_size=2, page_token=first.next_page_token)
            self.assertEqual(raised.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)

    # ---- durability and the CLI ----

    def test_z_index_survives_a_storage_kill(self):
        # The sample's postings are still in storage's in-memory write buffer (it merges every
        # 16,384 new articles or on a clean stop): after SIGKILL, storage re-indexes them from the
        # stored articles when it starts.
        before = self.search("summit", page_size=100)
        self.assertGreater(before.total_hits, 0)
        self.cluster.restart_storage(kill=True)
        after = self.search("summit", page_size=100)
        self.assertEqual([h.article.id for h in after.hits], [h.article.id for h in before.hits])
        self.assertEqual(after.total_hits, before.total_hits)
        self.assertIn("Re-indexed", self.cluster.storage.log_text())

    def test_z_index_survives_a_storage_restart(self):
        before = self.search("summit", page_size=100)
        self.cluster.restart_storage()
        after = self.search("summit", page_size=100)
        self.assertEqual([h.article.id for h in after.hits], [h.article.id for h in before.hits])
        self.assertEqual(after.total_hits, before.total_hits)

    def test_newsctl_search(self):
        proc = self.cluster.run_newsctl(["--query=" + self.cluster.query.address, "search",
                                         "mausoleum", "--facets", "credit,day"])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("Туркестан hosts the Turkic summit", proc.stdout)
        self.assertIn("1 of 1 matching article(s)", proc.stdout)
        proc = self.cluster.run_newsctl(["--query=" + self.cluster.query.address, "--json",
                                         "search", "mausoleum"])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn('"total_hits": "1"', proc.stdout)
        proc = self.cluster.run_newsctl(["--query=" + self.cluster.query.address, "search",
                                         "(unbalanced"])
        self.assertEqual(proc.returncode, 1)
        self.assertIn("query", proc.stderr)


def main():
    global OPTIONS
    OPTIONS, argv = nc.parse_args()
    unittest.main(argv=argv, verbosity=2)


if __name__ == "__main__":
    main()
