#ifndef NEWSDB_SERVICES_STORAGE_SEARCH_REQUEST_H_
#define NEWSDB_SERVICES_STORAGE_SEARCH_REQUEST_H_

// A shard search request checked once, before the index is touched, and turned into the values
// the searcher's parts use: the filters in whole seconds, the sort, the page cursor and the
// facets with their time zones.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/search/facets.h"
#include "newsdb/v1/search.pb.h"
#include "newsdb/v1/storage_service.pb.h"
#include "services/storage/bm25_scorer.h"
#include "services/storage/top_k_collector.h"

namespace newsdb::storage {

inline constexpr int kMaxSearchLimit = 1000;
using search::kDefaultFacetTop;
using search::kDefaultFacetZone;
using search::kMaxFacetTop;

// Refers to the request's query: the request must outlive the plan.
struct SearchPlan {
  const v1::Query* query = nullptr;
  size_t limit = 0;
  // Publication second in [start_seconds, end_seconds).
  std::optional<int64_t> start_seconds;
  std::optional<int64_t> end_seconds;
  std::optional<int64_t> min_views;
  std::optional<int64_t> max_views;
  std::vector<std::string> credits;                 // any of them; none: no credit filter
  v1::SearchSort sort = v1::SEARCH_SORT_RELEVANCE;  // never UNSPECIFIED
  std::optional<SortKey> after;                     // the page cursor
  struct Facet {
    v1::FacetKind kind = v1::FACET_KIND_UNSPECIFIED;
    size_t top = kDefaultFacetTop;  // credit facets
    absl::TimeZone zone;            // calendar facets
  };
  std::vector<Facet> facets;
  // Every credit with a match, and calendar buckets without matches too (for a merger).
  bool all_facet_buckets = false;
  // BM25's collection statistics summed over every shard; unset: this shard's own.
  std::optional<CollectionStats> statistics;

  bool filters_values() const {
    return start_seconds || end_seconds || min_views || max_views || !credits.empty();
  }
};

// Errors: INVALID_ARGUMENT with a field violation for every bad field (query tree, limit,
// filter.published, filter.views, sort, facets[i].kind/top/time_zone, after.id, statistics).
absl::StatusOr<SearchPlan> PlanSearch(const v1::SearchShardRequest& request);

}  // namespace newsdb::storage

#endif  // NEWSDB_SERVICES_STORAGE_SEARCH_REQUEST_H_
