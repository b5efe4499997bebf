// Checks the search index against a naive scan: random articles go into a real ArticleStore (in
// batches of varied sizes, with re-scrapes that change texts and views), then hundreds of random
// query trees with random filters, sorts and facets must give exactly the hits, totals and facet
// counts that scanning every article's analysed text gives. The same check then runs on real text
// (../shared/corpus/real-small.txt, skipped with a message where it is absent).

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/article/article_id.h"
#include "common/testing/temp_dir.h"
#include "common/text/analyzer.h"
#include "gtest/gtest.h"
#include "services/ingest/feed_parser.h"
#include "services/storage/article_store.h"

namespace newsdb::storage {
namespace {

constexpr int kArticles = 1200;
constexpr int kQueries = 400;
constexpr int64_t kStart = 1698796800;  // 2023-11-01T00:00:00Z

const std::vector<std::string>& Vocabulary() {
  static const auto* words = new std::vector<std::string>{
      "the",          "of",         "and",       "president",   "minister",   "summit",
      "summits",      "ratify",     "ratifies",  "ratified",    "protocol",   "protocols",
      "csto",         "biological", "safety",    "security",    "council",    "kazakhstan",
      "kazakhstan's", "astana",     "almaty",    "Туркестан",   "туркестан",  "Қазақстан",
      "China-U.S.",   "U.S.",       "relations", "cooperation", "agreement",  "agreements",
      "visit",        "visited",    "visiting",  "tokayev",     "xi",         "jinping",
      "trade",        "investment", "energy",    "oil",         "gas",        "pipeline",
      "railway",      "transport",  "logistics", "flood",       "floods",     "flooding",
      "region",       "regions",    "akimat",    "parliament",  "majilis",    "senate",
      "law",          "laws",       "draft",     "meeting",     "meetings",   "talks",
      "economy",      "economic",   "growth",    "4th",         "$1mln",      "2024",
      "grain",        "wheat",      "export",    "exports",     "exported",   "port",
      "aktau",        "caspian",    "sea",       "water",       "river",      "rivers",
      "school",       "schools",    "students",  "hospital",    "health",     "vaccine",
      "vaccines",     "pandemic",   "infection", "digital",     "technology", "bank",
      "banks",        "tenge",      "inflation", "rate",        "rates",      "culture",
      "theatre",      "museum",     "sport",     "football"};
  return *words;
}

const std::vector<std::string>& Credits() {
  static const auto* credits = new std::vector<std::string>{
      "Akorda", "Akorda", "Akorda", "Xinhua", "Kazinform", "odkb-csto", "Ministry of Energy",
      "",       ""};
  return *credits;
}

// Words and credits of a real corpus, when a test sets them (else the built-in lists).
const std::vector<std::string>* g_words = nullptr;
const std::vector<std::string>* g_credits = nullptr;

// A non-empty credit.
const std::string& AnyCredit(std::mt19937_64& rng) {
  const auto& credits = g_credits != nullptr ? *g_credits : Credits();
  for (;;) {
    const std::string& credit = credits[rng() % credits.size()];
    if (!credit.empty()) return credit;
  }
}

// Zipf-like choice: low indexes are far more frequent.
std::string Word(std::mt19937_64& rng) {
  const auto& words = g_words != nullptr ? *g_words : Vocabulary();
  std::uniform_real_distribution<double> u(0, 1);
  const double x = std::pow(u(rng), 2.2);
  return words[static_cast<size_t>(x * static_cast<double>(words.size())) % words.size()];
}

std::string Sentence(std::mt19937_64& rng, int min_words, int max_words) {
  std::uniform_int_distribution<int> count(min_words, max_words);
  std::vector<std::string> words;
  for (int i = count(rng); i > 0; --i) words.push_back(Word(rng));
  return absl::StrJoin(words, " ");
}

v1::Article RandomArticle(std::mt19937_64& rng, int index) {
  v1::Article article;
  const int64_t published = kStart + static_cast<int64_t>(rng() % (90 * 24 * 60)) * 60;
  std::string title = absl::StrCat(Sentence(rng, 3, 7), " ", index);  // unique titles
  article.set_id(
      article::FormatArticleId(article::ComputeArticleId(absl::FromUnixSeconds(published), title)));
  article.mutable_published_at()->set_seconds(published);
  article.set_title(title);
  article.set_credit(Credits()[rng() % Credits().size()]);
  for (int p = 1 + static_cast<int>(rng() % 4); p > 0; --p) {
    article.add_paragraphs((rng() % 8 == 0 ? "- " : "") + Sentence(rng, 5, 30));
  }
  article.set_source("oracle");
  v1::ViewObservation* observation = article.add_view_history();
  observation->mutable_captured_at()->set_seconds(kStart + 100 * 86400);
  observation->set_views(static_cast<int64_t>(rng() % 50000));
  return article;
}

// The naive side: every article's analysed tokens per field, one list per unit (title, each
// paragraph, credit), so phrases never cross units.
struct NaiveDoc {
  v1::Article article;
  std::vector<std::vector<std::string>> title, body, credit;
};

std::vector<std::string> Tokens(const std::string& text) {
  return text::ThreadLocalAnalyzer().Terms(text);
}

NaiveDoc MakeNaive(const v1::Article& article) {
  NaiveDoc doc;
  doc.article = article;
  doc.title.push_back(Tokens(article.title()));
  for (const std::string& paragraph : article.paragraphs()) doc.body.push_back(Tokens(paragraph));
  doc.credit.push_back(Tokens(article.credit()));
  return doc;
}

std::vector<const std::vector<std::vector<std::string>>*> Units(const NaiveDoc& doc,
                                                                v1::SearchField field) {
  switch (field) {
    case v1::SEARCH_FIELD_TITLE:
      return {&doc.title};
    case v1::SEARCH_FIELD_BODY:
      return {&doc.body};
    case v1::SEARCH_FIELD_CREDIT:
      return {&doc.credit};
    default:
      return {&doc.title, &doc.body};
  }
}

bool ContainsSequence(const NaiveDoc& doc, v1::SearchField field,
                      const std::vector<std::string>& terms) {
  if (terms.empty()) return false;
  for (const auto* units : Units(doc, field)) {
    for (const std::vector<std::string>& unit : *units) {
      if (std::search(unit.begin(), unit.end(), terms.begin(), terms.end()) != unit.end()) {
        return true;
      }
    }
  }
  return false;
}

// A prefix matches a word whose analysed form starts with the folded prefix or with its stem.
bool ContainsPrefix(const NaiveDoc& doc, v1::SearchField field, const std::string& text) {
  const std::string folded = text::ThreadLocalAnalyzer().NormalizePrefix(text);
  if (folded.empty()) return false;
  std::vector<std::string> prefixes = {folded};
  std::vector<std::string> terms = Tokens(text);
  if (terms.size() == 1) prefixes.push_back(terms[0]);
  for (const auto* units : Units(doc, field)) {
    for (const std::vector<std::string>& unit : *units) {
      for (const std::string& token : unit) {
        for (const std::string& prefix : prefixes) {
          if (token.compare(0, prefix.size(), prefix) == 0) return true;
        }
      }
    }
  }
  return false;
}

bool Matches(const NaiveDoc& doc, const v1::Query& query) {
  switch (query.node_case()) {
    case v1::Query::kTerm:
      return ContainsSequence(doc, query.term().field(), Tokens(query.term().text()));
    case v1::Query::kPhrase:
      return ContainsSequence(doc, query.phrase().field(), Tokens(query.phrase().text()));
    case v1::Query::kPrefix:
      return ContainsPrefix(doc, query.prefix().field(), query.prefix().prefix());
    case v1::Query::kMatchAll:
      return true;
    case v1::Query::kAnyOf:
      return std::any_of(query.any_of().queries().begin(), query.any_of().queries().end(),
                         [&](const v1::Query& child) { return Matches(doc, child); });
    case v1::Query::kNoneOf:
      return std::none_of(query.none_of().queries().begin(), query.none_of().queries().end(),
                          [&](const v1::Query& child) { return Matches(doc, child); });
    case v1::Query::kAllOf:
      return std::all_of(query.all_of().queries().begin(), query.all_of().queries().end(),
                         [&](const v1::Query& child) { return Matches(doc, child); });
    default:
      return false;
  }
}

v1::SearchField RandomField(std::mt19937_64& rng) {
  switch (rng() % 8) {
    case 0:
      return v1::SEARCH_FIELD_TITLE;
    case 1:
      return v1::SEARCH_FIELD_BODY;
    case 2:
      return v1::SEARCH_FIELD_CREDIT;
    default:
      return v1::SEARCH_FIELD_UNSPECIFIED;
  }
}

v1::Query RandomQuery(std::mt19937_64& rng, const std::vector<NaiveDoc>& docs, int depth) {
  v1::Query query;
  const int kind = static_cast<int>(rng() % (depth >= 2 ? 4 : 7));
  switch (kind) {
    case 0:
    case 1: {
      v1::TermQuery* term = query.mutable_term();
      term->set_text(rng() % 6 == 0 ? AnyCredit(rng) : Word(rng));
      term->set_field(RandomField(rng));
      break;
    }
    case 2: {
      // A phrase taken from a real paragraph, so that phrases do match.
      const NaiveDoc& doc = docs[rng() % docs.size()];
      const std::string& paragraph =
          doc.article.paragraphs(static_cast<int>(rng() % doc.article.paragraphs_size()));
      std::vector<std::string> words = absl::StrSplit(paragraph, ' ');
      const size_t length = 2 + rng() % 2;
      const size_t start = words.size() > length ? rng() % (words.size() - length) : 0;
      std::vector<std::string> phrase(
          words.begin() + static_cast<ptrdiff_t>(start),
          words.begin() + static_cast<ptrdiff_t>(std::min(words.size(), start + length)));
      query.mutable_phrase()->set_text(absl::StrJoin(phrase, " "));
      query.mutable_phrase()->set_field(rng() % 3 == 0 ? v1::SEARCH_FIELD_BODY
                                                       : v1::SEARCH_FIELD_UNSPECIFIED);
      break;
    }
    case 3: {
      // Prefixes of plain ASCII words (a prefix must hold at least two letters).
      std::string word = Word(rng);
      while (word.size() < 2 || !std::all_of(word.begin(), word.end(), [](char c) {
               return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
             })) {
        word = Word(rng);
      }
      query.mutable_prefix()->set_prefix(
          rng() % 4 == 0 ? word : word.substr(0, std::min<size_t>(word.size(), 2 + rng() % 3)));
      query.mutable_prefix()->set_field(RandomField(rng));
      break;
    }
    default: {
      v1::BooleanQuery* node = kind == 4   ? query.mutable_all_of()
                               : kind == 5 ? query.mutable_any_of()
                                           : query.mutable_none_of();
      for (int i = 1 + static_cast<int>(rng() % 3); i > 0; --i) {
        *node->add_queries() = RandomQuery(rng, docs, depth + 1);
      }
    }
  }
  return query;
}

bool SortsBefore(v1::SearchSort sort, const v1::Article& a, const v1::Article& b) {
  const uint64_t id_a = *article::ParseArticleId(a.id());
  const uint64_t id_b = *article::ParseArticleId(b.id());
  const int64_t pa = a.published_at().seconds(), pb = b.published_at().seconds();
  switch (sort) {
    case v1::SEARCH_SORT_OLDEST:
      return pa != pb ? pa < pb : id_a < id_b;
    case v1::SEARCH_SORT_MOST_VIEWED:
      if (a.views() != b.views()) return a.views() > b.views();
      [[fallthrough]];
    default:
      return pa != pb ? pa > pb : id_a > id_b;
  }
}

// Every hit of `request` over all pages (positions and snapshot as the query service uses them).
std::vector<v1::SearchHit> AllPagesOf(
    ArticleStore& store, v1::SearchShardRequest request, int64_t* total,
    std::vector<v1::FacetResult>* facets, const std::function<void()>& between_pages = [] {}) {
  std::vector<v1::SearchHit> hits;
  request.set_limit(37);
  for (int page = 0; page < 1000; ++page) {
    absl::StatusOr<v1::SearchShardResponse> response = store.Search(request, [] { return false; });
    EXPECT_TRUE(response.ok()) << response.status();
    if (!response.ok()) break;
    if (page == 0) {
      *total = response->total_hits();
      facets->assign(response->facets().begin(), response->facets().end());
    } else {
      EXPECT_EQ(response->total_hits(), *total) << "the total changed between pages";
    }
    for (const v1::SearchHit& hit : response->hits()) hits.push_back(hit);
    EXPECT_EQ(response->more_hits(), response->hits_size() == request.limit() &&
                                         static_cast<int64_t>(hits.size()) < *total);
    if (!response->more_hits()) break;
    *request.mutable_snapshot() = response->snapshot();
    *request.mutable_after() = response->positions(response->positions_size() - 1);
    between_pages();
  }
  return hits;
}

// The index's write buffer in three set-ups: merged into RocksDB every ~97 documents (so that
// queries read both sources, and re-scrapes edit merged blocks); never merged during the test
// (everything searched from memory); and never merged with the store closed as after a crash
// (reopening must re-index the buffered documents).
struct BufferSetUp {
  uint32_t buffer_docs;
  bool flush_on_close;
};

class SearchOracleTest : public ::testing::TestWithParam<BufferSetUp> {
 protected:
  static IndexOptions Options() {
    IndexOptions options;
    options.buffer_docs = GetParam().buffer_docs;
    options.flush_on_close = GetParam().flush_on_close;
    return options;
  }

  void SetUp() override {
    auto store = ArticleStore::Open(dir_.path(), {}, Options());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    std::mt19937_64 rng(20231122);
    std::vector<v1::Article> articles;
    for (int i = 0; i < kArticles; ++i) articles.push_back(RandomArticle(rng, i));
    // Batches of 1, 7, 100, ...: small writes merge into existing blocks, large ones make new.
    size_t next = 0;
    const size_t sizes[] = {1, 7, 100, 1, 1, 250, 3};
    for (int b = 0; next < articles.size(); ++b) {
      google::protobuf::RepeatedPtrField<v1::Article> batch;
      const size_t size = sizes[b % 7];
      for (size_t i = 0; i < size && next < articles.size(); ++i) *batch.Add() = articles[next++];
      ASSERT_TRUE(store_->Put(batch).ok());
    }
    // Re-scrapes: every 5th article gets a later capture with more views; every 15th also a
    // changed body (its old postings must disappear) and credit.
    google::protobuf::RepeatedPtrField<v1::Article> rescrapes;
    for (int i = 0; i < kArticles; i += 5) {
      v1::Article& article = articles[i];
      v1::ViewObservation* observation = article.add_view_history();
      observation->mutable_captured_at()->set_seconds(kStart + 101 * 86400);
      observation->set_views(article.view_history(0).views() + 1000 +
                             static_cast<int64_t>(rng() % 1000));
      if (i % 15 == 0) {
        article.set_paragraphs(0, Sentence(rng, 5, 20));
        article.set_credit(Credits()[rng() % Credits().size()]);
      }
      *rescrapes.Add() = article;
    }
    ASSERT_TRUE(store_->Put(rescrapes).ok());
    for (v1::Article& article : articles) {
      article.set_views(article.view_history(article.view_history_size() - 1).views());
      docs_.push_back(MakeNaive(article));
    }
  }

  std::vector<v1::SearchHit> AllPages(
      v1::SearchShardRequest request, int64_t* total, std::vector<v1::FacetResult>* facets,
      const std::function<void()>& between_pages = [] {}) {
    return AllPagesOf(*store_, std::move(request), total, facets, between_pages);
  }

  testing::TempDir dir_;
  std::unique_ptr<ArticleStore> store_;
  std::vector<NaiveDoc> docs_;
};

// Runs `queries` random query trees with random filters, sorts and facets against `store` and
// checks hits, totals and facet counts against a scan of `docs`.
void CheckRandomQueries(ArticleStore& store, const std::vector<NaiveDoc>& docs, uint64_t seed,
                        int queries) {
  std::mt19937_64 rng(seed);
  int64_t base = INT64_MAX;
  for (const NaiveDoc& doc : docs) base = std::min(base, doc.article.published_at().seconds());
  base -= base % 86400;
  const v1::SearchSort sorts[] = {v1::SEARCH_SORT_RELEVANCE, v1::SEARCH_SORT_NEWEST,
                                  v1::SEARCH_SORT_OLDEST, v1::SEARCH_SORT_MOST_VIEWED};
  int non_empty = 0;
  for (int q = 0; q < queries; ++q) {
    v1::SearchShardRequest request;
    *request.mutable_query() = RandomQuery(rng, docs, 0);
    request.set_sort(sorts[rng() % 4]);
    const bool with_range = rng() % 3 == 0;
    const int64_t from = base + static_cast<int64_t>(rng() % 60) * 86400;
    const int64_t to = from + static_cast<int64_t>(1 + rng() % 30) * 86400;
    if (with_range) {
      request.mutable_filter()->mutable_published()->mutable_start()->set_seconds(from);
      request.mutable_filter()->mutable_published()->mutable_end()->set_seconds(to);
    }
    std::set<std::string> credits;
    if (rng() % 4 == 0) {
      credits = {AnyCredit(rng), AnyCredit(rng)};
      for (const std::string& credit : credits) request.mutable_filter()->add_credits(credit);
    }
    const bool with_views = rng() % 4 == 0;
    if (with_views) request.mutable_filter()->mutable_views()->set_min(20000);
    request.add_facets()->set_kind(v1::FACET_KIND_CREDIT);
    request.add_facets()->set_kind(v1::FACET_KIND_DAY);
    v1::FacetRequest* months = request.add_facets();
    months->set_kind(v1::FACET_KIND_MONTH);
    months->set_time_zone("UTC");

    // Naive side.
    std::vector<const v1::Article*> expected;
    std::map<std::string, int64_t> credit_counts, day_counts, month_counts;
    absl::TimeZone almaty;
    ASSERT_TRUE(absl::LoadTimeZone("Asia/Almaty", &almaty));
    for (const NaiveDoc& doc : docs) {
      const v1::Article& article = doc.article;
      const int64_t published = article.published_at().seconds();
      if (with_range && (published < from || published >= to)) continue;
      if (!credits.empty() && !credits.contains(article.credit())) continue;
      if (with_views && article.views() < 20000) continue;
      if (!Matches(doc, request.query())) continue;
      expected.push_back(&article);
      if (!article.credit().empty()) ++credit_counts[article.credit()];
      ++day_counts[absl::FormatCivilTime(
          absl::ToCivilDay(absl::FromUnixSeconds(published), almaty))];
      ++month_counts[absl::FormatCivilTime(absl::CivilMonth(
          absl::ToCivilDay(absl::FromUnixSeconds(published), absl::UTCTimeZone())))];
    }
    if (!expected.empty()) ++non_empty;

    int64_t total = -1;
    std::vector<v1::FacetResult> facets;
    std::vector<v1::SearchHit> hits = AllPagesOf(store, request, &total, &facets);
    SCOPED_TRACE(absl::StrCat("query #", q, ": ", request.ShortDebugString()));
    ASSERT_EQ(total, static_cast<int64_t>(expected.size()));
    ASSERT_EQ(hits.size(), expected.size());
    if (request.sort() == v1::SEARCH_SORT_RELEVANCE) {
      std::set<std::string> expected_ids, got_ids;
      for (const v1::Article* article : expected) expected_ids.insert(article->id());
      for (size_t i = 0; i < hits.size(); ++i) {
        got_ids.insert(hits[i].article().id());
        if (i > 0) {
          EXPECT_GE(hits[i - 1].score(), hits[i].score()) << "at hit " << i;
        }
      }
      EXPECT_EQ(got_ids, expected_ids);
    } else {
      std::sort(expected.begin(), expected.end(), [&](const v1::Article* a, const v1::Article* b) {
        return SortsBefore(request.sort(), *a, *b);
      });
      for (size_t i = 0; i < hits.size(); ++i) {
        ASSERT_EQ(hits[i].article().id(), expected[i]->id()) << "at hit " << i;
      }
    }
    ASSERT_EQ(facets.size(), 3u);
    std::map<std::string, int64_t> got_credits, got_days, got_months;
    for (const auto& bucket : facets[0].buckets()) got_credits[bucket.value()] = bucket.count();
    for (const auto& bucket : facets[1].buckets()) got_days[bucket.value()] = bucket.count();
    for (const auto& bucket : facets[2].buckets()) got_months[bucket.value()] = bucket.count();
    if (credit_counts.size() <= 10) {
      EXPECT_EQ(got_credits, credit_counts);
    }
    EXPECT_EQ(got_days, day_counts);
    EXPECT_EQ(got_months, month_counts);
  }
  EXPECT_GT(non_empty, queries / 4) << "the generator makes too few matching queries";
}

TEST_P(SearchOracleTest, RandomQueriesMatchANaiveScan) {
  CheckRandomQueries(*store_, docs_, 7, kQueries);
}

TEST_P(SearchOracleTest, DayBucketsCarryTheCountOfAllArticlesThatDay) {
  v1::SearchShardRequest request;
  request.mutable_query()->mutable_term()->set_text("summit");
  request.set_limit(1);
  v1::FacetRequest* days = request.add_facets();
  days->set_kind(v1::FACET_KIND_DAY);
  days->set_time_zone("UTC");
  auto response = store_->Search(request, [] { return false; });
  ASSERT_TRUE(response.ok()) << response.status();
  std::map<std::string, int64_t> all_per_day;
  for (const NaiveDoc& doc : docs_) {
    ++all_per_day[absl::FormatCivilTime(absl::ToCivilDay(
        absl::FromUnixSeconds(doc.article.published_at().seconds()), absl::UTCTimeZone()))];
  }
  ASSERT_GT(response->facets(0).buckets_size(), 0);
  for (const auto& bucket : response->facets(0).buckets()) {
    EXPECT_EQ(bucket.total_articles(), all_per_day[bucket.value()]) << bucket.value();
    EXPECT_LE(bucket.count(), bucket.total_articles());
  }
}

TEST_P(SearchOracleTest, PagingWhileIngestContinuesYieldsEachMatchExactlyOnce) {
  const v1::SearchSort sorts[] = {v1::SEARCH_SORT_RELEVANCE, v1::SEARCH_SORT_NEWEST,
                                  v1::SEARCH_SORT_MOST_VIEWED};
  std::mt19937_64 rng(99);
  int added = 0;
  for (v1::SearchSort sort : sorts) {
    v1::SearchShardRequest request;
    request.mutable_query()->mutable_any_of();
    *request.mutable_query()->mutable_any_of()->add_queries() = [] {
      v1::Query q;
      q.mutable_term()->set_text("president");
      return q;
    }();
    *request.mutable_query()->mutable_any_of()->add_queries() = [] {
      v1::Query q;
      q.mutable_term()->set_text("summit");
      return q;
    }();
    request.set_sort(sort);
    int64_t total = 0;
    std::vector<v1::FacetResult> facets;
    // Between pages: new matching articles, and more views for articles already seen or not.
    std::vector<v1::SearchHit> hits = AllPages(request, &total, &facets, [&] {
      google::protobuf::RepeatedPtrField<v1::Article> batch;
      v1::Article fresh = RandomArticle(rng, 100000 + added++);
      fresh.set_title(absl::StrCat("president summit ", fresh.title()));
      fresh.set_id(article::FormatArticleId(article::ComputeArticleId(
          absl::FromUnixSeconds(fresh.published_at().seconds()), fresh.title())));
      *batch.Add() = fresh;
      v1::Article bumped = docs_[rng() % docs_.size()].article;
      v1::ViewObservation* observation = bumped.add_view_history();
      observation->mutable_captured_at()->set_seconds(kStart + 200 * 86400 + added);
      observation->set_views(1'000'000 + added);
      *batch.Add() = bumped;
      ASSERT_TRUE(store_->Put(batch).ok());
    });
    std::set<std::string> seen;
    for (const v1::SearchHit& hit : hits) {
      EXPECT_TRUE(seen.insert(hit.article().id()).second) << "repeated " << hit.article().id();
    }
    EXPECT_EQ(static_cast<int64_t>(seen.size()), total);
    EXPECT_GT(total, 100);
  }
  EXPECT_GT(added, 5);
}

TEST_P(SearchOracleTest, IndexSurvivesARestart) {
  // New articles after the re-scrapes (which merged the buffer): these are in the write buffer at
  // the stop, and the crash set-up loses them from memory.
  std::mt19937_64 more_rng(77);
  google::protobuf::RepeatedPtrField<v1::Article> more;
  for (int i = 0; i < 60; ++i) {
    v1::Article article = RandomArticle(more_rng, 300000 + i);
    article.set_title(absl::StrCat("ratify ", article.title()));
    article.set_id(article::FormatArticleId(article::ComputeArticleId(
        absl::FromUnixSeconds(article.published_at().seconds()), article.title())));
    *more.Add() = article;
    article.set_views(article.view_history(article.view_history_size() - 1).views());
    docs_.push_back(MakeNaive(article));
  }
  ASSERT_TRUE(store_->Put(more).ok());
  v1::SearchShardRequest request;
  request.mutable_query()->mutable_term()->set_text("ratify");
  request.set_limit(1000);
  auto before = store_->Search(request, [] { return false; });
  ASSERT_TRUE(before.ok());
  ASSERT_GT(before->total_hits(), 0);
  store_.reset();
  auto reopened = ArticleStore::Open(dir_.path(), {}, Options());
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  auto after = (*reopened)->Search(request, [] { return false; });
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->total_hits(), before->total_hits());
  for (int i = 0; i < before->hits_size(); ++i) {
    EXPECT_EQ(after->hits(i).article().id(), before->hits(i).article().id());
    EXPECT_DOUBLE_EQ(after->hits(i).score(), before->hits(i).score());
  }
  store_ = *std::move(reopened);
  // Every query still agrees with the naive scan, and writes go on from where they were.
  CheckRandomQueries(*store_, docs_, 8, kQueries / 4);
  std::mt19937_64 rng(5);
  v1::Article fresh = RandomArticle(rng, 200000);
  fresh.set_title(absl::StrCat("xylophonist ", fresh.title()));
  fresh.set_id(article::FormatArticleId(article::ComputeArticleId(
      absl::FromUnixSeconds(fresh.published_at().seconds()), fresh.title())));
  google::protobuf::RepeatedPtrField<v1::Article> batch;
  *batch.Add() = fresh;
  ASSERT_TRUE(store_->Put(batch).ok());
  v1::SearchShardRequest added;
  added.mutable_query()->mutable_term()->set_text("xylophonist");
  added.set_limit(10);
  auto found = store_->Search(added, [] { return false; });
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->total_hits(), 1);
  EXPECT_EQ(found->hits(0).article().id(), fresh.id());
}

TEST_P(SearchOracleTest, ARescrapedBodyLeavesNoStalePostings) {
  v1::Article article = docs_[3].article;
  article.clear_paragraphs();
  article.add_paragraphs("zyzzyva quokka");
  google::protobuf::RepeatedPtrField<v1::Article> batch;
  *batch.Add() = article;
  ASSERT_TRUE(store_->Put(batch).ok());
  auto count = [&](const std::string& word) {
    v1::SearchShardRequest request;
    request.mutable_query()->mutable_term()->set_text(word);
    request.mutable_query()->mutable_term()->set_field(v1::SEARCH_FIELD_BODY);
    request.set_limit(1000);
    auto response = store_->Search(request, [] { return false; });
    EXPECT_TRUE(response.ok());
    int64_t hits_of_article = 0;
    for (const auto& hit : response->hits()) hits_of_article += hit.article().id() == article.id();
    return hits_of_article;
  };
  EXPECT_EQ(count("quokka"), 1);
  for (const std::string& paragraph : docs_[3].article.paragraphs()) {
    for (const std::string& term : Tokens(paragraph)) {
      EXPECT_EQ(count(term), 0) << "stale posting of " << term;
    }
  }
}

TEST_P(SearchOracleTest, BadRequestsNameTheirFields) {
  v1::SearchShardRequest request;
  request.set_limit(0);
  request.mutable_filter()->mutable_views()->set_min(10);
  request.mutable_filter()->mutable_views()->set_max(5);
  request.add_facets()->set_time_zone("Nowhere/Void");
  auto response = store_->Search(request, [] { return false; });
  ASSERT_EQ(response.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(response.status().message());
  for (const char* field : {"limit", "filter.views.max", "facets[0].kind", "facets[0].time_zone"}) {
    EXPECT_NE(message.find(field), std::string::npos) << field << " missing in " << message;
  }
}

TEST_P(SearchOracleTest, CancellationStopsTheSearch) {
  v1::SearchShardRequest request;
  request.mutable_query()->mutable_match_all();
  request.set_limit(10);
  auto response = store_->Search(request, [] { return true; });
  EXPECT_EQ(response.status().code(), absl::StatusCode::kCancelled);
}

// The same check on real text (punctuation, curly quotes, names, numbers): the newest 200 Tehran
// Times articles of the shared corpus, with query words drawn from their own text.
INSTANTIATE_TEST_SUITE_P(WriteBuffer, SearchOracleTest,
                         ::testing::Values(BufferSetUp{97, true}, BufferSetUp{16384, true},
                                           BufferSetUp{16384, false}),
                         [](const ::testing::TestParamInfo<BufferSetUp>& param_info) {
                           return absl::StrCat("Merge", param_info.param.buffer_docs,
                                               param_info.param.flush_on_close ? "" : "Crash");
                         });

TEST(SearchOracleRealCorpusTest, RandomQueriesOnRealArticlesMatchANaiveScan) {
  const char* source_dir = std::getenv("NEWSDB_SOURCE_DIR");
  const std::string path =
      absl::StrCat(source_dir != nullptr ? source_dir : ".", "/../shared/corpus/real-small.txt");
  std::ifstream in(path, std::ios::binary);
  if (!in) GTEST_SKIP() << "SKIPPED: shared corpus not found at " << path;
  const std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ingest::ParsedFeed feed = ingest::ParseFeed(content, ingest::FeedParserOptions());
  ASSERT_EQ(feed.articles.size(), 200u);
  testing::TempDir dir;
  auto store = ArticleStore::Open(dir.path());
  ASSERT_TRUE(store.ok()) << store.status();
  std::vector<NaiveDoc> docs;
  std::vector<std::string> words;
  std::set<std::string> credits;
  google::protobuf::RepeatedPtrField<v1::Article> batch;
  for (const ingest::ParsedArticle& parsed : feed.articles) {
    v1::Article article;
    article.set_id(article::FormatArticleId(parsed.id));
    article.mutable_published_at()->set_seconds(absl::ToUnixSeconds(parsed.published));
    article.set_title(parsed.title);
    article.set_credit(parsed.credit);
    for (const std::string& paragraph : parsed.paragraphs) {
      article.add_paragraphs(paragraph);
      for (absl::string_view word : absl::StrSplit(paragraph, ' ', absl::SkipEmpty())) {
        words.emplace_back(word);
      }
    }
    if (!parsed.credit.empty()) credits.insert(parsed.credit);
    v1::ViewObservation* observation = article.add_view_history();
    observation->mutable_captured_at()->set_seconds(1687564800);
    observation->set_views(parsed.views);
    article.set_views(parsed.views);
    docs.push_back(MakeNaive(article));
    *batch.Add() = std::move(article);
    if (batch.size() == 37) {
      ASSERT_TRUE((*store)->Put(batch).ok());
      batch.Clear();
    }
  }
  ASSERT_TRUE((*store)->Put(batch).ok());
  const std::vector<std::string> credit_list(credits.begin(), credits.end());
  g_words = &words;
  g_credits = &credit_list;
  CheckRandomQueries(**store, docs, 11, 200);
  g_words = nullptr;
  g_credits = nullptr;
}

}  // namespace
}  // namespace newsdb::storage
