#ifndef NEWSDB_SERVICES_STORAGE_WINDOW_RUNS_H_
#define NEWSDB_SERVICES_STORAGE_WINDOW_RUNS_H_

// Early termination for top-k collection by time or views: a search's matches are cut into runs,
// one per window of document numbers (kWindowDocs), and each run gets the best sort key any of
// its matches can have (from the window's value bounds, WindowBounds). Visiting runs best bound
// first, a top-k collector soon holds k hits that outrank every remaining run's bound, and those
// runs are counted (totals and page figures stay exact) without a value of theirs being read.
// Documents are numbered in ingest order, which follows publication time closely in a news
// archive, so newest and oldest read a few windows.
//
// Not thread-safe (one per search).

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "newsdb/v1/search.pb.h"
#include "services/storage/doc_value_store.h"
#include "services/storage/top_k_collector.h"

namespace newsdb::storage {

// matches[begin, end): the matches in one window, and the best key any of them can have (only
// the sort's first value is used).
struct MatchRun {
  uint32_t window = 0;
  size_t begin = 0;
  size_t end = 0;
  SortKey best;
};

// The runs of `matches` (increasing document numbers), in document order, bounds unset.
std::vector<MatchRun> SplitIntoWindows(const std::vector<uint32_t>& matches);

// Sets each run's best key for a sort by time or views from the window bounds of `values`.
void BoundByValues(v1::SearchSort sort, const DocValuesView& values, std::vector<MatchRun>& runs);

// Visits `runs` best bound first: `collect` is called for each run until `top` holds hits that
// outrank the next run's bound; that run and every later one are counted in `top` as outranked.
// `cancelled` is polled between runs. Errors: CANCELLED.
absl::Status CollectBestRunsFirst(v1::SearchSort sort, std::vector<MatchRun>& runs,
                                  TopKCollector& top,
                                  absl::FunctionRef<void(const MatchRun&)> collect,
                                  absl::FunctionRef<bool()> cancelled);

}  // namespace newsdb::storage

#endif  // NEWSDB_SERVICES_STORAGE_WINDOW_RUNS_H_
