#ifndef NEWSDB_SERVICES_STORAGE_SHARD_SEARCHER_H_
#define NEWSDB_SERVICES_STORAGE_SHARD_SEARCHER_H_

// One shard search over a captured SearchView, composed of its parts: the query tree's matches
// (query_matcher.h), the value filters, BM25 scores (bm25_scorer.h), the top-k in the requested
// order (top_k_collector.h), the exact total and the facets (facet_collectors.h). It holds no
// lock: the view is immutable.

#include <cstdint>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "common/article/article_id.h"
#include "common/text/highlighter.h"
#include "newsdb/v1/search.pb.h"
#include "newsdb/v1/storage_service.pb.h"
#include "services/storage/search_request.h"
#include "services/storage/search_view.h"

namespace newsdb::storage {

// One hit of a shard search before its article is fetched.
struct IndexHit {
  uint32_t doc = 0;
  article::ArticleId id = 0;
  double score = 0;
  int64_t published_seconds = 0;
  int64_t views = 0;  // as of the snapshot
};

// What a search found.
struct IndexSearchResult {
  std::vector<IndexHit> hits;
  bool more_hits = false;  // matches follow the last hit
  int64_t total_hits = 0;
  std::vector<v1::FacetResult> facets;
  v1::ShardSnapshot snapshot;
  text::HighlightTerms highlight_terms;  // analysed words of the query's positive leaves
};

// `cancelled` is polled during long loops.
// Errors: INVALID_ARGUMENT (a prefix matches too many words), CANCELLED, INTERNAL.
absl::StatusOr<IndexSearchResult> SearchShard(const SearchView& view, const SearchPlan& plan,
                                              absl::FunctionRef<bool()> cancelled);

// BM25's collection statistics of `view` for a validated `query`: what a search over several
// shards sums and passes back in the plan's `statistics`.
// Errors: as SearchShard.
absl::StatusOr<v1::SearchStatistics> CollectStatistics(const SearchView& view,
                                                       const v1::Query& query,
                                                       absl::FunctionRef<bool()> cancelled);

}  // namespace newsdb::storage

#endif  // NEWSDB_SERVICES_STORAGE_SHARD_SEARCHER_H_
