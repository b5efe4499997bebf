#ifndef NEWSDB_SERVICES_STORAGE_FACET_COLLECTORS_H_
#define NEWSDB_SERVICES_STORAGE_FACET_COLLECTORS_H_

// Facets over every match of a search, from the per-document value columns: counts per credit
// (the top N) and per local calendar day or month of publication in one time zone. Not
// thread-safe (one per search).

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "newsdb/v1/search.pb.h"
#include "services/storage/doc_value_store.h"

namespace newsdb::storage {

// The `top` credits with the most matches, most first, ties by credit; no bucket for matches
// without a credit. `credits` must outlive the collector and hold every ordinal collected.
class CreditFacetCollector {
 public:
  CreditFacetCollector(const CreditDictionary& credits, size_t top);
  void Collect(uint32_t credit_ordinal) { ++counts_[credit_ordinal]; }
  v1::FacetResult Result() const;

 private:
  const CreditDictionary& credits_;
  size_t top_;
  std::vector<int64_t> counts_;  // by ordinal
};

// Matches per local day (FACET_KIND_DAY) or month (FACET_KIND_MONTH) of publication in `zone`,
// in calendar order, each with the shard's total articles of that day or month (`totals`, which
// must outlive the collector). Buckets without matches are left out (see IncludeEmptyBuckets).
class CalendarFacetCollector {
 public:
  CalendarFacetCollector(v1::FacetKind kind, absl::TimeZone zone,
                         const PublicationHistogram& totals);
  // Matches are counted per UTC quarter hour (every real zone's offset is a multiple of 15
  // minutes, so a quarter hour lies in one local day); Result converts each quarter once.
  void Collect(int64_t published_seconds) {
    ++per_quarter_[PublicationHistogram::QuarterOf(published_seconds)];
  }
  // Also returns the buckets without matches (count 0) that hold articles published in quarter
  // hours [first_quarter, end_quarter): a merger of several shards' buckets needs every shard's
  // total of each bucket that any shard matched in.
  void IncludeEmptyBuckets(int64_t first_quarter, int64_t end_quarter) {
    for (int64_t quarter : totals_.Quarters(first_quarter, end_quarter)) {
      per_quarter_.try_emplace(quarter, 0);
    }
  }
  v1::FacetResult Result() const;

 private:
  v1::FacetKind kind_;
  absl::TimeZone zone_;
  const PublicationHistogram& totals_;
  absl::flat_hash_map<int64_t, int64_t> per_quarter_;
};

}  // namespace newsdb::storage

#endif  // NEWSDB_SERVICES_STORAGE_FACET_COLLECTORS_H_
