#include "services/storage/facet_collectors.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace newsdb::storage {
namespace {

using ::testing::ElementsAre;

// (value, count, total_articles) of each bucket.
std::vector<std::tuple<std::string, int64_t, int64_t>> Buckets(const v1::FacetResult& result) {
  std::vector<std::tuple<std::string, int64_t, int64_t>> out;
  for (const v1::FacetBucket& bucket : result.buckets()) {
    out.emplace_back(bucket.value(), bucket.count(), bucket.total_articles());
  }
  return out;
}

absl::TimeZone Zone(const std::string& name) {
  absl::TimeZone zone;
  EXPECT_TRUE(absl::LoadTimeZone(name, &zone)) << name;
  return zone;
}

int64_t Seconds(const absl::CivilSecond& local, const absl::TimeZone& zone) {
  return absl::ToUnixSeconds(absl::FromCivil(local, zone));
}

TEST(CreditFacetCollectorTest, RanksCreditsByCountThenNameAndLeavesOutNoCredit) {
  CreditDictionary credits;
  const uint32_t xinhua = credits.Intern("Xinhua");
  const uint32_t akorda = credits.Intern("Akorda");
  const uint32_t kazinform = credits.Intern("Kazinform");
  CreditFacetCollector facet(credits, 2);
  for (uint32_t ordinal : {xinhua, akorda, kazinform, kazinform, xinhua, 0u, 0u, 0u}) {
    facet.Collect(ordinal);
  }
  const v1::FacetResult result = facet.Result();
  EXPECT_EQ(result.kind(), v1::FACET_KIND_CREDIT);
  EXPECT_THAT(Buckets(result),
              ElementsAre(std::tuple("Kazinform", 2, 0), std::tuple("Xinhua", 2, 0)));
}

TEST(CalendarFacetCollectorTest, CountsLocalDaysWithTheDaysTotals) {
  const absl::TimeZone kolkata = Zone("Asia/Kolkata");  // UTC+5:30: quarter hours still align
  PublicationHistogram totals;
  CalendarFacetCollector facet(v1::FACET_KIND_DAY, kolkata, totals);
  const std::vector<int64_t> published = {
      Seconds(absl::CivilSecond(2024, 5, 1, 0, 0, 0), kolkata),     // first second of May 1
      Seconds(absl::CivilSecond(2024, 5, 1, 23, 59, 59), kolkata),  // last second of May 1
      Seconds(absl::CivilSecond(2024, 5, 2, 0, 0, 0), kolkata),
  };
  for (int64_t seconds : published) {
    facet.Collect(seconds);
    totals.Add(seconds);
  }
  totals.Add(Seconds(absl::CivilSecond(2024, 5, 2, 12, 0, 0), kolkata));  // a non-match
  const v1::FacetResult result = facet.Result();
  EXPECT_EQ(result.kind(), v1::FACET_KIND_DAY);
  EXPECT_THAT(Buckets(result),
              ElementsAre(std::tuple("2024-05-01", 2, 2), std::tuple("2024-05-02", 1, 2)));
}

TEST(CalendarFacetCollectorTest, ADayWithAClockChangeIsCountedByLocalTime) {
  const absl::TimeZone berlin = Zone("Europe/Berlin");  // 2024-03-31 02:00 -> 03:00
  PublicationHistogram totals;
  CalendarFacetCollector facet(v1::FACET_KIND_DAY, berlin, totals);
  for (const absl::CivilSecond& local :
       {absl::CivilSecond(2024, 3, 31, 0, 30, 0), absl::CivilSecond(2024, 3, 31, 23, 50, 0),
        absl::CivilSecond(2024, 4, 1, 0, 10, 0), absl::CivilSecond(2024, 3, 30, 23, 59, 0)}) {
    facet.Collect(Seconds(local, berlin));
    totals.Add(Seconds(local, berlin));
  }
  EXPECT_THAT(Buckets(facet.Result()),
              ElementsAre(std::tuple("2024-03-30", 1, 1), std::tuple("2024-03-31", 2, 2),
                          std::tuple("2024-04-01", 1, 1)));
}

TEST(CalendarFacetCollectorTest, MonthsAddUpTheirDays) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  PublicationHistogram totals;
  CalendarFacetCollector facet(v1::FACET_KIND_MONTH, utc, totals);
  for (const absl::CivilSecond& when :
       {absl::CivilSecond(1969, 12, 31, 23, 59, 59), absl::CivilSecond(1970, 1, 1, 0, 0, 0),
        absl::CivilSecond(1970, 1, 31, 12, 0, 0), absl::CivilSecond(2025, 2, 28, 0, 0, 0)}) {
    facet.Collect(Seconds(when, utc));
    totals.Add(Seconds(when, utc));
  }
  const v1::FacetResult result = facet.Result();
  EXPECT_EQ(result.kind(), v1::FACET_KIND_MONTH);
  EXPECT_THAT(Buckets(result), ElementsAre(std::tuple("1969-12", 1, 1), std::tuple("1970-01", 2, 2),
                                           std::tuple("2025-02", 1, 1)));
}

}  // namespace
}  // namespace newsdb::storage
