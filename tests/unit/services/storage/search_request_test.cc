#include "services/storage/search_request.h"

#include <string>
#include <vector>

#include "common/status/field_errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace newsdb::storage {
namespace {

using ::testing::UnorderedElementsAre;

v1::SearchShardRequest Request() {
  v1::SearchShardRequest request;
  request.mutable_query()->mutable_term()->set_text("astana");
  request.set_limit(10);
  return request;
}

std::vector<std::string> BadFields(const v1::SearchShardRequest& request) {
  absl::StatusOr<SearchPlan> plan = PlanSearch(request);
  std::vector<std::string> fields;
  if (plan.ok()) return fields;
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument);
  for (const status::FieldViolation& violation : status::FieldViolationsOf(plan.status())) {
    fields.push_back(violation.field);
  }
  return fields;
}

TEST(SearchRequestTest, APlainRequestGetsTheDefaults) {
  const v1::SearchShardRequest request = Request();
  absl::StatusOr<SearchPlan> plan = PlanSearch(request);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->query, &request.query());
  EXPECT_EQ(plan->limit, 10u);
  EXPECT_EQ(plan->sort, v1::SEARCH_SORT_RELEVANCE);
  EXPECT_FALSE(plan->after.has_value());
  EXPECT_FALSE(plan->filters_values());
}

TEST(SearchRequestTest, EveryBadFieldIsNamedAtOnce) {
  v1::SearchShardRequest request = Request();
  request.mutable_query()->Clear();  // no node set
  request.set_limit(1001);
  request.mutable_filter()->mutable_views()->set_min(10);
  request.mutable_filter()->mutable_views()->set_max(5);
  request.set_sort(static_cast<v1::SearchSort>(77));
  v1::FacetRequest* facet = request.add_facets();
  facet->set_top(101);
  facet->set_time_zone("Mars/Olympus");
  request.mutable_after()->set_id("not-an-id");
  EXPECT_THAT(BadFields(request),
              UnorderedElementsAre("query", "limit", "filter.views.max", "sort", "facets[0].kind",
                                   "facets[0].top", "facets[0].time_zone", "after.id"));
}

TEST(SearchRequestTest, PublicationBoundsBecomeWholeSecondsRoundedUp) {
  v1::SearchShardRequest request = Request();
  v1::TimeRange* range = request.mutable_filter()->mutable_published();
  range->mutable_start()->set_seconds(100);
  range->mutable_start()->set_nanos(1);
  range->mutable_end()->set_seconds(200);
  absl::StatusOr<SearchPlan> plan = PlanSearch(request);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->start_seconds, 101);  // t >= 100.000000001 <=> t >= 101 for whole seconds
  EXPECT_EQ(plan->end_seconds, 200);
  EXPECT_TRUE(plan->filters_values());
}

TEST(SearchRequestTest, AReversedTimeRangeIsRejected) {
  v1::SearchShardRequest request = Request();
  v1::TimeRange* range = request.mutable_filter()->mutable_published();
  range->mutable_start()->set_seconds(200);
  range->mutable_end()->set_seconds(100);
  EXPECT_THAT(BadFields(request), UnorderedElementsAre("filter.published.end"));
}

TEST(SearchRequestTest, FacetsGetTheirTopAndZoneAndTheCursorItsKey) {
  v1::SearchShardRequest request = Request();
  request.set_sort(v1::SEARCH_SORT_MOST_VIEWED);
  request.add_facets()->set_kind(v1::FACET_KIND_CREDIT);
  v1::FacetRequest* day = request.add_facets();
  day->set_kind(v1::FACET_KIND_DAY);
  day->set_top(3);
  day->set_time_zone("UTC");
  v1::SearchPosition* after = request.mutable_after();
  after->set_id("00000000000000ff");
  after->set_views(12);
  after->set_published_seconds(1'700'000'000);
  absl::StatusOr<SearchPlan> plan = PlanSearch(request);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->facets.size(), 2u);
  EXPECT_EQ(plan->facets[0].top, static_cast<size_t>(kDefaultFacetTop));
  EXPECT_EQ(plan->facets[0].zone.name(), kDefaultFacetZone);
  EXPECT_EQ(plan->facets[1].top, 3u);
  EXPECT_EQ(plan->facets[1].zone.name(), "UTC");
  ASSERT_TRUE(plan->after.has_value());
  EXPECT_EQ(plan->after->id, 0xffu);
  EXPECT_EQ(plan->after->views, 12);
  EXPECT_EQ(plan->after->published, 1'700'000'000);
  EXPECT_EQ(plan->sort, v1::SEARCH_SORT_MOST_VIEWED);
}

}  // namespace
}  // namespace newsdb::storage
