// The query core over in-process shards: the same random articles go into one ArticleStore and,
// split by id, into three; random searches (every sort, filters, facets, highlights, paging to the
// end) must give identical pages, scores, totals and facets from one shard and from three. Then
// routing, merging of lists, retries with an injected clock, partial answers and layout checks,
// with shards that fail on script.

#include "services/query/fan_out.h"

#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/article/article_id.h"
#include "common/article/shard.h"
#include "common/testing/temp_dir.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/storage/article_store.h"

namespace newsdb::query {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int64_t kStart = 1698796800;  // 2023-11-01T00:00:00Z

// Answers from an ArticleStore in the calling thread. `failures` scripts the first calls' status.
class StoreShard final : public ShardClient {
 public:
  StoreShard(storage::ArticleStore& store, std::string address)
      : store_(store), address_(std::move(address)) {}

  const std::string& address() const override { return address_; }
  std::unique_ptr<ShardCall> SearchShard(const v1::SearchShardRequest& request, absl::Time,
                                         ShardDone<v1::SearchShardResponse> done) override {
    ++searches;
    last_search = request;
    if (Fail(done)) return Call();
    done(store_.Search(request, [] { return false; }));
    return Call();
  }
  std::unique_ptr<ShardCall> GetSearchStatistics(const v1::SearchShardRequest& request, absl::Time,
                                                 ShardDone<v1::SearchStatistics> done) override {
    ++statistics_calls;
    if (Fail(done)) return Call();
    done(store_.Statistics(request, [] { return false; }));
    return Call();
  }
  std::unique_ptr<ShardCall> GetArticle(const v1::GetArticleRequest& request, absl::Time,
                                        ShardDone<v1::Article> done) override {
    ++gets;
    if (Fail(done)) return Call();
    done(store_.Get(request.id()));
    return Call();
  }
  std::unique_ptr<ShardCall> ScanArticles(const v1::ScanArticlesRequest& request, absl::Time,
                                          ShardDone<std::vector<v1::Article>> done) override {
    if (Fail(done)) return Call();
    storage::ScanOptions options;
    options.newest_first = request.order() != v1::PUBLICATION_ORDER_OLDEST_FIRST;
    options.limit = request.limit();
    options.omit_paragraphs = request.omit_paragraphs();
    if (request.has_resume_after()) {
      options.resume_after =
          storage::ArticleKey{request.resume_after().published_at().seconds(),
                              *article::ParseArticleId(request.resume_after().id())};
    }
    std::vector<v1::Article> articles;
    absl::Status scanned = store_.Scan(options, [&](v1::Article article) {
      articles.push_back(std::move(article));
      return true;
    });
    if (!scanned.ok()) {
      done(scanned);
    } else {
      done(std::move(articles));
    }
    return Call();
  }
  std::unique_ptr<ShardCall> GetShardInfo(absl::Time, ShardDone<v1::ShardInfo> done) override {
    if (Fail(done)) return Call();
    v1::ShardInfo info;
    info.mutable_shard()->set_index(store_.shard().index);
    info.mutable_shard()->set_count(store_.shard().count);
    info.set_documents(store_.documents());
    done(info);
    return Call();
  }

  std::vector<absl::Status> failures;  // returned by the next calls, first first
  int searches = 0;
  int statistics_calls = 0;
  int gets = 0;
  v1::SearchShardRequest last_search;

 private:
  class NoCall final : public ShardCall {
   public:
    void Cancel() override {}
  };
  static std::unique_ptr<ShardCall> Call() { return std::make_unique<NoCall>(); }
  template <typename Done>
  bool Fail(Done& done) {
    if (failures.empty()) return false;
    absl::Status failure = failures.front();
    failures.erase(failures.begin());
    done(failure);
    return true;
  }

  storage::ArticleStore& store_;
  const std::string address_;
};

class FakeClock final : public Clock {
 public:
  absl::Time Now() const override { return now; }
  void SleepFor(absl::Duration duration) override {
    now += duration;
    slept.push_back(duration);
  }
  absl::Time now = absl::FromUnixSeconds(1800000000);
  std::vector<absl::Duration> slept;
};

const std::vector<std::string>& Words() {
  static const auto* words = new std::vector<std::string>{
      "the",      "of",         "and",      "president", "minister", "summit",   "ratify",
      "ratified", "protocol",   "security", "council",   "astana",   "almaty",   "Туркестан",
      "trade",    "investment", "energy",   "oil",       "gas",      "pipeline", "railway",
      "flood",    "floods",     "region",   "akimat",    "law",      "draft",    "talks",
      "grain",    "wheat",      "export",   "exports",   "port",     "aktau",    "caspian",
      "water",    "school",     "health",   "vaccine",   "digital",  "bank",     "tenge",
      "rate",     "culture",    "museum",   "sport",     "football", "2024"};
  return *words;
}

std::string Word(std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0, 1);
  const double x = std::pow(u(rng), 2.0);
  return Words()[static_cast<size_t>(x * static_cast<double>(Words().size())) % Words().size()];
}

std::string Sentence(std::mt19937_64& rng, int min_words, int max_words) {
  std::vector<std::string> words;
  for (int i = min_words + static_cast<int>(rng() % (max_words - min_words + 1)); i > 0; --i) {
    words.push_back(Word(rng));
  }
  return absl::StrJoin(words, " ");
}

v1::Article RandomArticle(std::mt19937_64& rng, int index) {
  static const std::vector<std::string> credits = {"Akorda",    "Akorda",    "Xinhua",
                                                   "Kazinform", "odkb-csto", ""};
  v1::Article article;
  const int64_t published = kStart + static_cast<int64_t>(rng() % (int64_t{60} * 24 * 60)) * 60;
  const std::string title = absl::StrCat(Sentence(rng, 3, 7), " ", index);
  article.set_id(
      article::FormatArticleId(article::ComputeArticleId(absl::FromUnixSeconds(published), title)));
  article.mutable_published_at()->set_seconds(published);
  article.set_title(title);
  article.set_credit(credits[rng() % credits.size()]);
  for (int p = 1 + static_cast<int>(rng() % 3); p > 0; --p) {
    article.add_paragraphs(Sentence(rng, 5, 25));
  }
  article.set_source("fan-out test");
  v1::ViewObservation* observation = article.add_view_history();
  observation->mutable_captured_at()->set_seconds(kStart + int64_t{70} * 86400);
  observation->set_views(static_cast<int64_t>(rng() % 500));  // ties in views are common
  return article;
}

std::string RandomQuery(std::mt19937_64& rng) {
  switch (rng() % 9) {
    case 0:
      return Word(rng);
    case 1:
      return absl::StrCat(Word(rng), " ", Word(rng));
    case 2:
      return absl::StrCat(Word(rng), " OR ", Word(rng), " OR ", Word(rng));
    case 3:
      return absl::StrCat("\"", Word(rng), " ", Word(rng), "\"");
    case 4:
      return absl::StrCat(Word(rng), " -", Word(rng));
    case 5:
      for (;;) {  // a prefix of two letters, so not of a Cyrillic word's first letter
        const std::string word = Word(rng);
        if (static_cast<unsigned char>(word[0]) < 0x80) return absl::StrCat(word.substr(0, 2), "*");
      }
    case 6:
      return absl::StrCat("title:", Word(rng), " OR body:", Word(rng));
    case 7:
      return absl::StrCat("(", Word(rng), " OR ", Word(rng), ") -(", Word(rng), " ", Word(rng),
                          ")");
    default:
      return "";  // every article
  }
}

v1::SearchRequest RandomSearch(std::mt19937_64& rng) {
  v1::SearchRequest request;
  request.set_query(RandomQuery(rng));
  request.set_sort(static_cast<v1::SearchSort>(rng() % 5));
  request.set_page_size(1 + static_cast<int>(rng() % 15));
  request.set_view(v1::ARTICLE_VIEW_BASIC);
  if (rng() % 3 == 0) {
    request.mutable_filter()->mutable_published()->mutable_start()->set_seconds(
        kStart + static_cast<int64_t>(rng() % 30) * 86400);
  }
  if (rng() % 4 == 0) request.mutable_filter()->mutable_views()->set_min(100);
  if (rng() % 5 == 0) request.mutable_filter()->add_credits("Akorda");
  if (rng() % 2 == 0) {
    v1::FacetRequest* credit = request.add_facets();
    credit->set_kind(v1::FACET_KIND_CREDIT);
    credit->set_top(1 + static_cast<int>(rng() % 4));  // cut below the number of credits
  }
  if (rng() % 3 == 0) request.add_facets()->set_kind(v1::FACET_KIND_DAY);
  if (rng() % 4 == 0) request.mutable_highlight()->set_enabled(true);
  return request;
}

// Hits of every page, with the total and facets of the first.
struct Paged {
  std::vector<v1::SearchHit> hits;
  int64_t total = 0;
  std::vector<std::string> facets;
  int pages = 0;
};

Paged AllPages(FanOut& fan_out, v1::SearchRequest request) {
  Paged paged;
  for (int page = 0; page < 2000; ++page) {
    absl::StatusOr<v1::SearchResponse> response = fan_out.Search(request, CallScope());
    EXPECT_TRUE(response.ok()) << response.status() << " for " << request.ShortDebugString();
    if (!response.ok()) break;
    ++paged.pages;
    if (page == 0) {
      paged.total = response->total_hits();
      for (const v1::FacetResult& facet : response->facets()) {
        paged.facets.push_back(facet.ShortDebugString());
      }
    } else {
      EXPECT_EQ(response->total_hits(), paged.total);
    }
    for (const v1::SearchHit& hit : response->hits()) paged.hits.push_back(hit);
    if (response->next_page_token().empty()) break;
    request.set_page_token(response->next_page_token());
  }
  return paged;
}

class FanOutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto whole = storage::ArticleStore::Open(dirs_[0].path());
    ASSERT_TRUE(whole.ok()) << whole.status();
    whole_ = *std::move(whole);
    for (int shard = 0; shard < 3; ++shard) {
      auto store = storage::ArticleStore::Open(dirs_[shard + 1].path(), {}, {},
                                               storage::ArticleStore::kDefaultRequestRetention,
                                               article::ShardPlacement{shard, 3});
      ASSERT_TRUE(store.ok()) << store.status();
      parts_.push_back(*std::move(store));
    }
    std::mt19937_64 rng(20261207);
    // Batches, then re-scrapes that change views (and some texts) of earlier articles.
    std::vector<v1::Article> articles;
    articles.reserve(900);
    for (int i = 0; i < 900; ++i) articles.push_back(RandomArticle(rng, i));
    for (size_t begin = 0; begin < articles.size(); begin += 150) {
      Put(std::vector<v1::Article>(articles.begin() + static_cast<long>(begin),
                                   articles.begin() + static_cast<long>(begin + 150)));
    }
    std::vector<v1::Article> rescraped;
    for (size_t i = 0; i < articles.size(); i += 7) {
      v1::Article again = articles[i];
      v1::ViewObservation* observation = again.add_view_history();
      observation->mutable_captured_at()->set_seconds(kStart + int64_t{80} * 86400);
      observation->set_views(again.view_history(0).views() + static_cast<int64_t>(rng() % 300));
      if (i % 3 == 0) again.add_paragraphs(Sentence(rng, 4, 10));
      rescraped.push_back(again);
    }
    Put(rescraped);
    articles_ = articles;

    std::vector<std::unique_ptr<ShardClient>> one;
    one.push_back(std::make_unique<StoreShard>(*whole_, "whole"));
    one_ = std::make_unique<FanOut>(std::move(one), FanOutOptions(), clock_);
    std::vector<std::unique_ptr<ShardClient>> three;
    for (int shard = 0; shard < 3; ++shard) {
      auto client = std::make_unique<StoreShard>(*parts_[shard], absl::StrCat("part-", shard));
      shards_.push_back(client.get());
      three.push_back(std::move(client));
    }
    three_ = std::make_unique<FanOut>(std::move(three), FanOutOptions(), clock_);
  }

  void Put(const std::vector<v1::Article>& batch) {
    google::protobuf::RepeatedPtrField<v1::Article> all;
    std::vector<google::protobuf::RepeatedPtrField<v1::Article>> split(3);
    for (const v1::Article& article : batch) {
      *all.Add() = article;
      *split[article::ShardOf(*article::ParseArticleId(article.id()), 3)].Add() = article;
    }
    ASSERT_TRUE(whole_->Put(all).ok());
    for (int shard = 0; shard < 3; ++shard) {
      absl::StatusOr<std::vector<v1::PutResult>> put = parts_[shard]->Put(split[shard]);
      ASSERT_TRUE(put.ok()) << put.status();
    }
  }

  testing::TempDir dirs_[4];
  std::unique_ptr<storage::ArticleStore> whole_;
  std::vector<std::unique_ptr<storage::ArticleStore>> parts_;
  std::vector<v1::Article> articles_;
  FakeClock clock_;
  std::unique_ptr<FanOut> one_;
  std::unique_ptr<FanOut> three_;
  std::vector<StoreShard*> shards_;
};

TEST_F(FanOutTest, ThreeShardsGiveTheAnswersOfOne) {
  std::mt19937_64 rng(7);
  int compared_hits = 0;
  for (int q = 0; q < 150; ++q) {
    const v1::SearchRequest request = RandomSearch(rng);
    SCOPED_TRACE(request.ShortDebugString());
    const Paged expected = AllPages(*one_, request);
    const Paged actual = AllPages(*three_, request);
    EXPECT_EQ(actual.total, expected.total);
    EXPECT_EQ(actual.facets, expected.facets);
    EXPECT_EQ(actual.pages, expected.pages);
    ASSERT_EQ(actual.hits.size(), expected.hits.size());
    EXPECT_EQ(static_cast<int64_t>(expected.hits.size()), expected.total);
    for (size_t i = 0; i < expected.hits.size(); ++i) {
      ASSERT_EQ(actual.hits[i].article().id(), expected.hits[i].article().id()) << "hit " << i;
      // Bit for bit: the page cursors compare scores exactly.
      ASSERT_EQ(actual.hits[i].score(), expected.hits[i].score()) << "hit " << i;
      EXPECT_EQ(actual.hits[i].snippets().ShortDebugString(),
                expected.hits[i].snippets().ShortDebugString());
      EXPECT_EQ(actual.hits[i].article().view_history_size(),
                expected.hits[i].article().view_history_size());
    }
    compared_hits += static_cast<int>(expected.hits.size());
  }
  EXPECT_GT(compared_hits, 10000);  // the random searches found something to compare
}

TEST_F(FanOutTest, ShardsScoreWithTheStatisticsOfAllAndCountEveryCredit) {
  v1::SearchRequest request;
  request.set_query("grain OR wheat");
  request.add_facets()->set_kind(v1::FACET_KIND_CREDIT);
  absl::StatusOr<v1::SearchResponse> response = three_->Search(request, CallScope());
  ASSERT_TRUE(response.ok()) << response.status();
  for (StoreShard* shard : shards_) {
    EXPECT_EQ(shard->statistics_calls, 1);
    EXPECT_EQ(shard->last_search.statistics().documents(), 900);
    EXPECT_EQ(shard->last_search.statistics().leaf_documents_size(), 2);
    EXPECT_TRUE(shard->last_search.all_facet_buckets());
    EXPECT_EQ(shard->last_search.shard().count(), 3);
  }
  // The next page reuses the statistics of the first (in its token): no second round.
  ASSERT_FALSE(response->next_page_token().empty());
  request.set_page_token(response->next_page_token());
  ASSERT_TRUE(three_->Search(request, CallScope()).ok());
  for (StoreShard* shard : shards_) EXPECT_EQ(shard->statistics_calls, 1);
}

TEST_F(FanOutTest, ListsMergeTheShardsInPublicationOrder) {
  for (v1::PublicationOrder order :
       {v1::PUBLICATION_ORDER_NEWEST_FIRST, v1::PUBLICATION_ORDER_OLDEST_FIRST}) {
    std::vector<std::string> ids[2];
    FanOut* fan_outs[2] = {one_.get(), three_.get()};
    for (int f = 0; f < 2; ++f) {
      v1::ListArticlesRequest request;
      request.set_order(order);
      request.set_page_size(77);
      request.set_view(v1::ARTICLE_VIEW_BASIC);
      for (int page = 0; page < 100; ++page) {
        absl::StatusOr<v1::ListArticlesResponse> response =
            fan_outs[f]->ListArticles(request, CallScope());
        ASSERT_TRUE(response.ok()) << response.status();
        for (const v1::Article& article : response->articles()) ids[f].push_back(article.id());
        if (response->next_page_token().empty()) break;
        request.set_page_token(response->next_page_token());
      }
    }
    EXPECT_EQ(ids[0].size(), articles_.size());
    EXPECT_EQ(ids[1], ids[0]);
  }
}

TEST_F(FanOutTest, GetGoesToTheIdsShardOnly) {
  const v1::Article& wanted = articles_[123];
  const int home = article::ShardOf(*article::ParseArticleId(wanted.id()), 3);
  v1::GetArticleRequest request;
  request.set_id(wanted.id());
  absl::StatusOr<v1::Article> found = three_->GetArticle(request, CallScope());
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->title(), wanted.title());
  for (int shard = 0; shard < 3; ++shard) EXPECT_EQ(shards_[shard]->gets, shard == home ? 1 : 0);
  request.set_id("0000000000000003");
  EXPECT_EQ(three_->GetArticle(request, CallScope()).status().code(), absl::StatusCode::kNotFound);
  request.set_id("nope");
  EXPECT_EQ(three_->GetArticle(request, CallScope()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(FanOutTest, AnUnavailableShardIsRetriedWithBackoffThenNamed) {
  v1::SearchRequest request;
  request.set_query("the");
  shards_[1]->failures = {absl::UnavailableError("connection refused"),
                          absl::UnavailableError("connection refused")};
  absl::StatusOr<v1::SearchResponse> recovered = three_->Search(request, CallScope());
  ASSERT_TRUE(recovered.ok()) << recovered.status();
  EXPECT_THAT(clock_.slept, ElementsAre(absl::Milliseconds(100), absl::Milliseconds(200)));
  const absl::StatusOr<v1::SearchResponse> expected = one_->Search(request, CallScope());
  EXPECT_EQ(recovered->total_hits(), expected->total_hits());

  clock_.slept.clear();
  shards_[1]->failures.assign(8, absl::UnavailableError("connection refused"));
  absl::StatusOr<v1::SearchResponse> failed = three_->Search(request, CallScope());
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(failed.status().message(),
              HasSubstr("storage shard 1/3 (part-1): connection refused"));
  EXPECT_EQ(clock_.slept.size(), 3u);  // four attempts

  // No retry once the deadline would pass first.
  clock_.slept.clear();
  shards_[1]->failures.assign(8, absl::UnavailableError("connection refused"));
  CallScope soon;
  soon.deadline = clock_.now + absl::Milliseconds(50);
  EXPECT_EQ(three_->Search(request, soon).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(clock_.slept.empty());
}

TEST_F(FanOutTest, APartialAnswerNamesTheMissingShardAndKeepsToItsPages) {
  v1::SearchRequest request;
  request.set_query("the");
  request.set_page_size(5);
  request.set_allow_partial_results(true);
  shards_[2]->failures.assign(4, absl::UnavailableError("connection refused"));
  absl::StatusOr<v1::SearchResponse> partial = three_->Search(request, CallScope());
  ASSERT_TRUE(partial.ok()) << partial.status();
  ASSERT_EQ(partial->missing_shards_size(), 1);
  EXPECT_EQ(partial->missing_shards(0).index(), 2);
  EXPECT_EQ(partial->missing_shards(0).address(), "part-2");
  EXPECT_EQ(partial->missing_shards(0).reason(), "connection refused");
  for (const v1::SearchHit& hit : partial->hits()) {
    EXPECT_NE(article::ShardOf(*article::ParseArticleId(hit.article().id()), 3), 2);
  }
  // The total counts the shards that answered.
  v1::SearchRequest whole = request;
  whole.set_allow_partial_results(false);
  const absl::StatusOr<v1::SearchResponse> all = three_->Search(whole, CallScope());
  ASSERT_TRUE(all.ok());
  EXPECT_LT(partial->total_hits(), all->total_hits());
  EXPECT_GT(partial->total_hits(), 0);
  // The shard is back, but later pages of the partial answer still leave it out.
  ASSERT_FALSE(partial->next_page_token().empty());
  request.set_page_token(partial->next_page_token());
  const int searches_before = shards_[2]->searches;
  absl::StatusOr<v1::SearchResponse> next = three_->Search(request, CallScope());
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(shards_[2]->searches, searches_before);
  ASSERT_EQ(next->missing_shards_size(), 1);
  EXPECT_EQ(next->total_hits(), partial->total_hits());
}

TEST_F(FanOutTest, OtherShardErrorsAreNotHiddenByPartialAnswers) {
  v1::SearchRequest request;
  request.set_query("the");
  request.set_allow_partial_results(true);
  shards_[0]->failures = {absl::InternalError("disk error")};
  absl::StatusOr<v1::SearchResponse> failed = three_->Search(request, CallScope());
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(failed.status().message(), HasSubstr("storage shard 0/3 (part-0): disk error"));
}

TEST_F(FanOutTest, APageTokenOfAnotherLayoutIsRefused) {
  v1::SearchRequest request;
  request.set_query("the");
  absl::StatusOr<v1::SearchResponse> first = three_->Search(request, CallScope());
  ASSERT_TRUE(first.ok());
  request.set_page_token(first->next_page_token());
  absl::StatusOr<v1::SearchResponse> elsewhere = one_->Search(request, CallScope());
  EXPECT_EQ(elsewhere.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(elsewhere.status().message(), HasSubstr("layout of 3 storage shards"));
}

TEST_F(FanOutTest, CheckShardsFindsAShardOutOfPlace) {
  EXPECT_TRUE(three_->CheckShards(CallScope()).ok());
  std::vector<std::unique_ptr<ShardClient>> swapped;
  swapped.push_back(std::make_unique<StoreShard>(*parts_[1], "b"));
  swapped.push_back(std::make_unique<StoreShard>(*parts_[0], "a"));
  swapped.push_back(std::make_unique<StoreShard>(*parts_[2], "c"));
  FanOut misordered(std::move(swapped), FanOutOptions(), clock_);
  absl::Status checked = misordered.CheckShards(CallScope());
  EXPECT_EQ(checked.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(checked.message(), HasSubstr("storage shard 0/3 (b) reports that it is shard 1/3"));
}

}  // namespace
}  // namespace newsdb::query
