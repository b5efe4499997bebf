#ifndef NEWSDB_COMMON_SEARCH_FACETS_H_
#define NEWSDB_COMMON_SEARCH_FACETS_H_

// Defaults and limits of facet requests (newsdb.v1.FacetRequest), shared by the shards that count
// and the query service that merges their counts.

namespace newsdb::search {

// CREDIT facets: buckets returned when `top` is 0, and the most a request may ask for.
inline constexpr int kDefaultFacetTop = 10;
inline constexpr int kMaxFacetTop = 100;
// DAY and MONTH facets: the zone buckets are cut in when `time_zone` is empty.
inline constexpr char kDefaultFacetZone[] = "Asia/Almaty";

}  // namespace newsdb::search

#endif  // NEWSDB_COMMON_SEARCH_FACETS_H_
