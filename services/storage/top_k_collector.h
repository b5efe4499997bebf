#ifndef NEWSDB_SERVICES_STORAGE_TOP_K_COLLECTOR_H_
#define NEWSDB_SERVICES_STORAGE_TOP_K_COLLECTOR_H_

// The first `limit` matches of a search in its sort order (relevance, newest, oldest, most
// viewed), after an optional page cursor, in memory O(limit) however many documents match.
// Not thread-safe (one per search).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "common/search/sort_order.h"
#include "newsdb/v1/search.pb.h"

namespace newsdb::storage {

using search::Before;
using search::PrimaryBefore;
using search::SortKey;

class TopKCollector {
 public:
  struct Hit {
    uint32_t doc = 0;
    SortKey key;
  };

  // Keeps matches that come after `after` (a page cursor) if given. `limit` >= 1.
  TopKCollector(v1::SearchSort sort, size_t limit, std::optional<SortKey> after);

  void Collect(uint32_t doc, const SortKey& key) {
    if (after_ && !Before(sort_, *after_, key)) return;
    ++after_cursor_;
    if (heap_.size() < limit_) {
      Push({doc, key});
    } else if (Before(sort_, key, heap_.front().key)) {
      ReplaceWorst({doc, key});
    }
  }

  // A cheap test before building a whole key: true if a match whose key has `primary`'s first
  // sort value (score, publication second, or views; the rest ignored) cannot be kept, because
  // `limit` better matches are kept already. Such a match is counted as after the cursor.
  bool SkipIfOutranked(const SortKey& primary) {
    const bool outranked = Outranked(primary);
    if (outranked) ++after_cursor_;
    return outranked;
  }

  // The same test for `matches` matches at once whose keys are at best `best` (only its first
  // sort value counts): true, and all of them counted as after the cursor, if none can be kept.
  bool SkipRunIfOutranked(const SortKey& best, size_t matches) {
    const bool outranked = Outranked(best);
    if (outranked) after_cursor_ += matches;
    return outranked;
  }

  // Matches collected that come after the cursor (kept or not).
  size_t after_cursor() const { return after_cursor_; }
  // The kept hits, first first. Ends the collection.
  std::vector<Hit> Take();

 private:
  bool Outranked(const SortKey& primary) const {
    return heap_.size() >= limit_ && PrimaryBefore(sort_, heap_.front().key, primary);
  }
  void Push(Hit hit);
  void ReplaceWorst(Hit hit);

  v1::SearchSort sort_;
  size_t limit_;
  std::optional<SortKey> after_;
  size_t after_cursor_ = 0;
  std::vector<Hit> heap_;  // a heap whose front is the worst kept hit
};

}  // namespace newsdb::storage

#endif  // NEWSDB_SERVICES_STORAGE_TOP_K_COLLECTOR_H_
