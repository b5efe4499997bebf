#ifndef NEWSDB_COMMON_SEARCH_SORT_ORDER_H_
#define NEWSDB_COMMON_SEARCH_SORT_ORDER_H_

// The four orders of search hits (newsdb.v1.SearchSort) on one key type: a shard collects its
// top hits with them, and the query service merges the shards' hits with the same comparison, so
// N shards give the order one shard holding everything would.
//
// All functions are pure and thread-safe.

#include <cstdint>

#include "newsdb/v1/search.pb.h"

namespace newsdb::search {

// Where a document falls in a sort order. Unused members (score when not by relevance, views when
// not by views) are 0. Ids (article ids) break every tie, so no two documents compare equal.
struct SortKey {
  double score = 0;
  int64_t published = 0;
  int64_t views = 0;
  uint64_t id = 0;
};

// True if `a`'s first sort value (score, publication second, or views; the rest ignored) comes
// strictly before `b`'s in `sort` (SEARCH_SORT_UNSPECIFIED is relevance).
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

// True if `a` comes before `b` in `sort`: relevance ties newest first, newest and oldest tie by
// id, most viewed ties newest first; then by id (higher first, but lower first for oldest).
inline bool Before(v1::SearchSort sort, const SortKey& a, const SortKey& b) {
  switch (sort) {
    case v1::SEARCH_SORT_NEWEST:
      if (a.published != b.published) return a.published > b.published;
      return a.id > b.id;
    case v1::SEARCH_SORT_OLDEST:
      if (a.published != b.published) return a.published < b.published;
      return a.id < b.id;
    case v1::SEARCH_SORT_MOST_VIEWED:
      if (a.views != b.views) return a.views > b.views;
      if (a.published != b.published) return a.published > b.published;
      return a.id > b.id;
    default:
      if (a.score != b.score) return a.score > b.score;
      if (a.published != b.published) return a.published > b.published;
      return a.id > b.id;
  }
}

}  // namespace newsdb::search

#endif  // NEWSDB_COMMON_SEARCH_SORT_ORDER_H_
