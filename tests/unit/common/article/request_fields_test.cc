#include "common/article/request_fields.h"

#include <vector>

#include "common/time/timestamp.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace newsdb::article {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(CheckTimeRangeTest, UnsetSidesAreInfinite) {
  std::vector<status::FieldViolation> violations;
  const TimeBounds bounds = CheckTimeRange(v1::TimeRange(), "published", violations);
  EXPECT_THAT(violations, IsEmpty());
  EXPECT_EQ(bounds.start, absl::InfinitePast());
  EXPECT_EQ(bounds.end, absl::InfiniteFuture());
}

TEST(CheckTimeRangeTest, ReturnsBothBounds) {
  v1::TimeRange range;
  *range.mutable_start() = time::ToTimestamp(absl::FromUnixSeconds(100));
  *range.mutable_end() = time::ToTimestamp(absl::FromUnixSeconds(100));  // empty, not reversed
  std::vector<status::FieldViolation> violations;
  const TimeBounds bounds = CheckTimeRange(range, "filter.published", violations);
  EXPECT_THAT(violations, IsEmpty());
  EXPECT_EQ(bounds.start, absl::FromUnixSeconds(100));
  EXPECT_EQ(bounds.end, absl::FromUnixSeconds(100));
}

TEST(CheckTimeRangeTest, NamesTheBadSideAndAReversedRange) {
  v1::TimeRange reversed;
  *reversed.mutable_start() = time::ToTimestamp(absl::FromUnixSeconds(200));
  *reversed.mutable_end() = time::ToTimestamp(absl::FromUnixSeconds(100));
  std::vector<status::FieldViolation> violations;
  CheckTimeRange(reversed, "filter.published", violations);
  EXPECT_THAT(violations,
              ElementsAre(AllOf(Field(&status::FieldViolation::field, "filter.published.end"),
                                Field(&status::FieldViolation::description,
                                      "must not be before filter.published.start"))));

  v1::TimeRange bad;
  bad.mutable_start()->set_nanos(-1);
  bad.mutable_end()->set_seconds(int64_t{1} << 50);
  violations.clear();
  const TimeBounds bounds = CheckTimeRange(bad, "published", violations);
  ASSERT_EQ(violations.size(), 2u);
  EXPECT_EQ(violations[0].field, "published.start");
  EXPECT_EQ(violations[1].field, "published.end");
  EXPECT_EQ(bounds.start, absl::InfinitePast());  // a bad side filters nothing
  EXPECT_EQ(bounds.end, absl::InfiniteFuture());
}

TEST(CheckArticleIdTest, ParsesOrNamesTheField) {
  std::vector<status::FieldViolation> violations;
  EXPECT_EQ(CheckArticleId("00000000000000ff", "id", violations), ArticleId{0xff});
  EXPECT_THAT(violations, IsEmpty());
  EXPECT_EQ(CheckArticleId("00000000000000FF", "resume_after.id", violations), std::nullopt);
  EXPECT_EQ(CheckArticleId("abc", "articles[3].id", violations), std::nullopt);
  ASSERT_EQ(violations.size(), 2u);
  EXPECT_EQ(violations[0].field, "resume_after.id");
  EXPECT_THAT(violations[0].description, HasSubstr("16 lowercase hex digits"));
  EXPECT_EQ(violations[1].field, "articles[3].id");
}

}  // namespace
}  // namespace newsdb::article
