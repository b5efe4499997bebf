// Hot paths of storage, in process (no gRPC): the index write path (new articles through the
// write buffer), posting-block decoding, and whole shard searches (leaf reading, boolean merges,
// BM25 scoring, top-k, facets) over a synthetic index of 50,000 articles with a Zipf vocabulary,
// built once in a temporary RocksDB.
#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "common/article/article_id.h"
#include "common/testing/temp_dir.h"
#include "services/storage/article_store.h"
#include "services/storage/bm25_scorer.h"
#include "services/storage/doc_value_store.h"
#include "services/storage/posting_codec.h"

namespace newsdb::storage {
namespace {

constexpr int kArticles = 50'000;
constexpr int kVocabulary = 20'000;

std::string WordOf(int rank) { return absl::StrCat("w", rank, "x"); }

// Synthetic articles: 8-word titles and 6 paragraphs of 60 words drawn from a Zipf vocabulary
// (rank r has weight 1/(r+1)), five years of publication times, a few credits.
class ArticleMaker {
 public:
  ArticleMaker() : rng_(42) {
    std::vector<double> weights(kVocabulary);
    for (int r = 0; r < kVocabulary; ++r) weights[r] = 1.0 / (r + 1);
    zipf_ = std::discrete_distribution<int>(weights.begin(), weights.end());
  }

  void Make(int i, v1::Article* article) {
    const char* credits[] = {"Akorda", "Xinhua", "Kazinform", "Reuters", ""};
    const int64_t published = 1577836800 + static_cast<int64_t>(rng_() % (5 * 365 * 1440)) * 60;
    std::string title = absl::StrCat("t", i);
    for (int w = 0; w < 8; ++w) absl::StrAppend(&title, " ", WordOf(zipf_(rng_)));
    article->set_id(article::FormatArticleId(
        article::ComputeArticleId(absl::FromUnixSeconds(published), title)));
    article->mutable_published_at()->set_seconds(published);
    article->set_title(title);
    article->set_credit(credits[rng_() % 5]);
    for (int p = 0; p < 6; ++p) {
      std::string paragraph;
      for (int w = 0; w < 60; ++w) absl::StrAppend(&paragraph, WordOf(zipf_(rng_)), " ");
      article->add_paragraphs(paragraph);
    }
    v1::ViewObservation* observation = article->add_view_history();
    observation->mutable_captured_at()->set_seconds(1735689600);
    observation->set_views(static_cast<int64_t>(rng_() % 100000));
  }

 private:
  std::mt19937_64 rng_;
  std::discrete_distribution<int> zipf_;
};

class Corpus {
 public:
  Corpus() {
    auto store = ArticleStore::Open(dir_.path());
    if (!store.ok()) std::abort();
    store_ = *std::move(store);
    ArticleMaker maker;
    google::protobuf::RepeatedPtrField<v1::Article> batch;
    for (int i = 0; i < kArticles; ++i) {
      maker.Make(i, batch.Add());
      if (batch.size() == 2000) {
        if (!store_->Put(batch).ok()) std::abort();
        batch.Clear();
      }
    }
    if (!batch.empty() && !store_->Put(batch).ok()) std::abort();
  }
  ArticleStore& store() { return *store_; }

 private:
  testing::TempDir dir_;
  std::unique_ptr<ArticleStore> store_;
};

Corpus& SharedCorpus() {
  static Corpus* corpus = new Corpus();
  return *corpus;
}

void BM_DecodePostingDocs(benchmark::State& state) {
  std::vector<Posting> postings;
  std::mt19937 rng(1);
  uint32_t doc = 0;
  for (int i = 0; i < 5000; ++i) {
    doc += 1 + rng() % 8;
    postings.push_back({doc, {static_cast<uint32_t>(rng() % 50), 60, 200}});
  }
  const std::string block = EncodePostingBlock(0, postings);
  std::vector<uint32_t> docs, freqs;
  for (auto _ : state) {
    docs.clear();
    freqs.clear();
    benchmark::DoNotOptimize(DecodePostingDocs(block, 0, &docs, &freqs));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(postings.size()));
}
BENCHMARK(BM_DecodePostingDocs);

// BM25 over a word's matches in 1M documents: one in state.range(0) documents holds it in the
// body, a tenth of those also in the title (1: a common word; 200: a rare one, far apart).
void BM_ScoreAll(benchmark::State& state) {
  constexpr uint32_t kDocs = 1'000'000;
  const uint32_t one_in = static_cast<uint32_t>(state.range(0));
  std::mt19937 rng(7);
  DocValueStore store;
  for (uint32_t doc = 0; doc < kDocs; ++doc) {
    DocValues values;
    values.id = doc + 1;
    values.title_length = 6 + rng() % 10;
    values.body_length = 100 + rng() % 900;
    values.credit_length = rng() % 3;
    store.Add(doc, values, 1);
  }
  const DocValuesView view = store.Capture(kDocs, 1);
  LeafMatches leaf;
  leaf.fields.resize(2);
  leaf.fields[0].field = IndexField::kTitle;
  leaf.fields[1].field = IndexField::kBody;
  DocList all;
  for (uint32_t doc = 0; doc < kDocs; ++doc) {
    if (rng() % one_in != 0) continue;
    if (rng() % 10 == 0) leaf.fields[0].docs.push_back(doc), leaf.fields[0].freqs.push_back(1);
    leaf.fields[1].docs.push_back(doc);
    leaf.fields[1].freqs.push_back(1 + rng() % 20);
    all.push_back(doc);
  }
  leaf.documents = all.size();
  const std::vector<LeafMatches> leaves = {leaf};
  const Bm25Scorer scorer({kDocs, view.length_sums()}, view, leaves);
  for (auto _ : state) benchmark::DoNotOptimize(scorer.ScoreAll(all));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * all.size()));
}
BENCHMARK(BM_ScoreAll)->Arg(1)->Arg(200)->Unit(benchmark::kMicrosecond);

void Search(benchmark::State& state, v1::SearchShardRequest request) {
  ArticleStore& store = SharedCorpus().store();
  request.set_limit(20);
  int64_t hits = 0;
  for (auto _ : state) {
    auto response = store.Search(request, [] { return false; });
    if (!response.ok()) state.SkipWithError("search failed");
    hits = response.ok() ? response->total_hits() : 0;
  }
  state.counters["total_hits"] = static_cast<double>(hits);
}

v1::SearchShardRequest Term(int rank) {
  v1::SearchShardRequest request;
  request.mutable_query()->mutable_term()->set_text(WordOf(rank));
  return request;
}

void BM_SearchCommonTerm(benchmark::State& state) { Search(state, Term(1)); }
void BM_SearchRareTerm(benchmark::State& state) { Search(state, Term(5000)); }
void BM_SearchTwoTermAnd(benchmark::State& state) {
  v1::SearchShardRequest request;
  for (int rank : {20, 200}) {
    request.mutable_query()->mutable_all_of()->add_queries()->mutable_term()->set_text(
        WordOf(rank));
  }
  Search(state, request);
}
void BM_SearchPhrase(benchmark::State& state) {
  v1::SearchShardRequest request;
  request.mutable_query()->mutable_phrase()->set_text(absl::StrCat(WordOf(0), " ", WordOf(1)));
  Search(state, request);
}
void BM_SearchNewestFirst(benchmark::State& state) {
  v1::SearchShardRequest request = Term(3);
  request.set_sort(v1::SEARCH_SORT_NEWEST);
  Search(state, request);
}
void BM_SearchCreditFacet(benchmark::State& state) {
  v1::SearchShardRequest request = Term(10);
  request.add_facets()->set_kind(v1::FACET_KIND_CREDIT);
  request.add_facets()->set_kind(v1::FACET_KIND_DAY);
  Search(state, request);
}
// The index write path in process: 8,000 new articles in batches of 1,000 into a fresh store
// whose write buffer merges every 4,000 (analysis, posting segments, RocksDB writes, two merges).
void BM_PutNewArticles(benchmark::State& state) {
  ArticleMaker maker;
  std::vector<google::protobuf::RepeatedPtrField<v1::Article>> batches(8);
  int i = 0;
  for (auto& batch : batches) {
    for (int k = 0; k < 1000; ++k) maker.Make(i++, batch.Add());
  }
  IndexOptions options;
  options.buffer_docs = 4000;
  for (auto _ : state) {
    state.PauseTiming();
    auto dir = std::make_unique<testing::TempDir>();
    auto store = ArticleStore::Open(dir->path(), {}, options);
    if (!store.ok()) std::abort();
    state.ResumeTiming();
    for (const auto& batch : batches) {
      if (!(*store)->Put(batch).ok()) state.SkipWithError("put failed");
    }
    state.PauseTiming();
    store->reset();
    dir.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * i);
}
BENCHMARK(BM_PutNewArticles)->Unit(benchmark::kMillisecond);

BENCHMARK(BM_SearchCommonTerm)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SearchRareTerm)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SearchTwoTermAnd)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SearchPhrase)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SearchNewestFirst)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SearchCreditFacet)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace newsdb::storage

BENCHMARK_MAIN();
