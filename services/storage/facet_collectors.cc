#include "services/storage/facet_collectors.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "absl/time/civil_time.h"

namespace newsdb::storage {

CreditFacetCollector::CreditFacetCollector(const CreditDictionary& credits, size_t top)
    : credits_(credits), top_(top), counts_(credits.size(), 0) {}

v1::FacetResult CreditFacetCollector::Result() const {
  std::vector<std::pair<int64_t, uint32_t>> ranked;
  for (uint32_t ordinal = 1; ordinal < counts_.size(); ++ordinal) {  // 0: no credit
    if (counts_[ordinal] > 0) ranked.emplace_back(counts_[ordinal], ordinal);
  }
  std::sort(ranked.begin(), ranked.end(), [this](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first
                              : credits_.name(a.second) < credits_.name(b.second);
  });
  v1::FacetResult result;
  result.set_kind(v1::FACET_KIND_CREDIT);
  for (size_t i = 0; i < ranked.size() && i < top_; ++i) {
    v1::FacetBucket* bucket = result.add_buckets();
    bucket->set_value(credits_.name(ranked[i].second));
    bucket->set_count(ranked[i].first);
  }
  return result;
}

CalendarFacetCollector::CalendarFacetCollector(v1::FacetKind kind, absl::TimeZone zone,
                                               const PublicationHistogram& totals)
    : kind_(kind), zone_(zone), totals_(totals) {}

namespace {

int64_t FloorDiv(int64_t value, int64_t divisor) {
  return value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor);
}

}  // namespace

v1::FacetResult CalendarFacetCollector::Result() const {
  const bool by_month = kind_ == v1::FACET_KIND_MONTH;
  // A zone's offset is looked up once per UTC day; only a day with a transition converts each
  // quarter hour on its own.
  const absl::CivilDay epoch(1970, 1, 1);
  absl::flat_hash_map<int64_t, std::optional<int64_t>> offset_of_utc_day;
  absl::flat_hash_map<int64_t, int64_t> counts_per_local_day;  // days since 1970-01-01
  for (const auto& [quarter, count] : per_quarter_) {
    const int64_t seconds = quarter * 900;
    const int64_t utc_day = FloorDiv(seconds, 86400);
    auto [it, inserted] = offset_of_utc_day.try_emplace(utc_day);
    if (inserted) {
      const int start = zone_.At(absl::FromUnixSeconds(utc_day * 86400)).offset;
      const int end = zone_.At(absl::FromUnixSeconds(utc_day * 86400 + 86399)).offset;
      if (start == end) it->second = start;
    }
    const int64_t local_day = it->second.has_value()
                                  ? FloorDiv(seconds + *it->second, 86400)
                                  : absl::ToCivilDay(absl::FromUnixSeconds(seconds), zone_) - epoch;
    counts_per_local_day[local_day] += count;
  }
  std::map<absl::CivilDay, int64_t> day_counts;
  for (const auto& [local_day, count] : counts_per_local_day) {
    absl::CivilDay day = epoch + local_day;
    if (by_month) day = absl::CivilDay(absl::CivilMonth(day));
    day_counts[day] += count;
  }
  v1::FacetResult result;
  result.set_kind(kind_);
  for (const auto& [day, count] : day_counts) {
    const absl::CivilDay end = by_month ? absl::CivilDay(absl::CivilMonth(day) + 1) : day + 1;
    const int64_t first_quarter = absl::ToUnixSeconds(absl::FromCivil(day, zone_)) / 900;
    const int64_t end_quarter = absl::ToUnixSeconds(absl::FromCivil(end, zone_)) / 900;
    v1::FacetBucket* bucket = result.add_buckets();
    bucket->set_value(by_month ? absl::FormatCivilTime(absl::CivilMonth(day))
                               : absl::FormatCivilTime(day));
    bucket->set_count(count);
    bucket->set_total_articles(totals_.Count(first_quarter, end_quarter));
  }
  return result;
}

}  // namespace newsdb::storage
