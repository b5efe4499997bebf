#include "services/storage/window_runs.h"

#include <algorithm>

namespace newsdb::storage {

std::vector<MatchRun> SplitIntoWindows(const std::vector<uint32_t>& matches) {
  std::vector<MatchRun> runs;
  size_t begin = 0;
  while (begin < matches.size()) {
    const uint32_t window = WindowOf(matches[begin]);
    const uint32_t window_end = (window + 1) << kWindowShift;  // 0 after the last window
    size_t end = begin + 1;
    while (end < matches.size() && (window_end == 0 || matches[end] < window_end)) ++end;
    runs.push_back({window, begin, end, SortKey{}});
    begin = end;
  }
  return runs;
}

void BoundByValues(v1::SearchSort sort, const DocValuesView& values, std::vector<MatchRun>& runs) {
  for (MatchRun& run : runs) {
    const WindowBounds& bounds = values.window(run.window);
    switch (sort) {
      case v1::SEARCH_SORT_NEWEST:
        run.best.published = bounds.max_published;
        break;
      case v1::SEARCH_SORT_OLDEST:
        run.best.published = bounds.min_published;
        break;
      case v1::SEARCH_SORT_MOST_VIEWED:
        run.best.views = bounds.max_views;
        break;
      default:
        break;
    }
  }
}

absl::Status CollectBestRunsFirst(v1::SearchSort sort, std::vector<MatchRun>& runs,
                                  TopKCollector& top,
                                  absl::FunctionRef<void(const MatchRun&)> collect,
                                  absl::FunctionRef<bool()> cancelled) {
  // Stable: runs with equal bounds stay in document order, so the visit is deterministic.
  std::stable_sort(runs.begin(), runs.end(), [sort](const MatchRun& a, const MatchRun& b) {
    return PrimaryBefore(sort, a.best, b.best);
  });
  size_t remaining = 0;
  for (const MatchRun& run : runs) remaining += run.end - run.begin;
  for (size_t r = 0; r < runs.size(); ++r) {
    const MatchRun& run = runs[r];
    // Later runs' bounds are no better: once one run is outranked, all the rest are.
    if (top.SkipRunIfOutranked(run.best, remaining)) return absl::OkStatus();
    remaining -= run.end - run.begin;
    collect(run);
    if ((r & 63) == 63 && cancelled()) return absl::CancelledError("search cancelled");
  }
  return absl::OkStatus();
}

}  // namespace newsdb::storage
