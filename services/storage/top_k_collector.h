#ifndef NEWSDB_SERVICES_STORAGE_TOP_K_COLLECTOR_H_
#define NEWSDB_SERVICES_STORAGE_TOP_K_COLLECTOR_H_

// The first `limit` matches of a search in its sort order (relevance, newest, oldest, most
// viewed), after an optional page cursor, in memory O(limit) however many documents match.
// Not thread-safe (one per search).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "common/article/article_id.h"
#include "newsdb/v1/search.pb.h"

namespace newsdb::storage {

// Where a document falls in a sort order. Unused members (score when not by relevance, views when
// not by views) are 0. Ids break every tie, so no two documents compare equal.
struct SortKey {
  double score = 0;
  int64_t published = 0;
  int64_t views = 0;
  article::ArticleId id = 0;
};

// True if `a` comes before `b` in `sort` (SEARCH_SORT_UNSPECIFIED is relevance).
bool Before(v1::SearchSort sort, const SortKey& a, const SortKey& b);

// True if `a`'s first sort value (score, publication second, or views; the rest ignored) comes
// strictly before `b`'s in `sort`.
inline bool PrimaryBefore(v1::SearchSort sort, const SortKey& a, const SortKey& b) {
  switch (sort) {
    case v1::SEARCH_SORT_NEWEST:
      return a.published > b.published;
    case v1::SEARCH_SORT_OLDEST:
      return a.published < b.published;
    case v1::SEARCH_SORT_MOST_VIEWED:
      return a.views > b.views;
    default:
      return a.score > b.score;
  }
}

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
