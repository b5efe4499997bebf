#include "common/article/shard.h"

#include <vector>

#include "gtest/gtest.h"

namespace newsdb::article {
namespace {

TEST(ShardPlacementTest, ParsesIndexOverCount) {
  absl::StatusOr<ShardPlacement> placement = ParseShardPlacement("2/3");
  ASSERT_TRUE(placement.ok()) << placement.status();
  EXPECT_EQ(placement->index, 2);
  EXPECT_EQ(placement->count, 3);
  EXPECT_EQ(FormatShardPlacement(*placement), "2/3");
  EXPECT_EQ(*ParseShardPlacement("0/1"), (ShardPlacement{0, 1}));
  EXPECT_EQ(*ParseShardPlacement("1023/1024"), (ShardPlacement{1023, 1024}));
}

TEST(ShardPlacementTest, RejectsWhatIsNotAPlacement) {
  for (const char* text : {"", "3", "1/", "/3", "a/3", "1/b", "-1/3", "+1/3", " 1/3", "1/3/4",
                           "1 /3", "3/3", "4/3", "0/0", "0/1025", "99999/100000"}) {
    absl::StatusOr<ShardPlacement> placement = ParseShardPlacement(text);
    EXPECT_EQ(placement.status().code(), absl::StatusCode::kInvalidArgument) << text;
  }
  EXPECT_NE(ParseShardPlacement("3/3").status().message().find("0..2"), absl::string_view::npos);
}

TEST(ShardOfTest, SpreadsRealIdsEvenly) {
  // Ids of articles a minute apart with similar titles: the routing must not follow the minute.
  std::vector<int> counts(3);
  for (int minute = 0; minute < 3000; ++minute) {
    const ArticleId id =
        ComputeArticleId(absl::FromUnixSeconds(1700000000 + int64_t{60} * minute), "Daily digest");
    ++counts[ShardOf(id, 3)];
  }
  for (int count : counts) {
    EXPECT_GT(count, 900);
    EXPECT_LT(count, 1100);
  }
  EXPECT_EQ(ShardOf(7, 1), 0);
  EXPECT_EQ(ShardOf(7, 4), 3);
  EXPECT_EQ(ShardOf(~uint64_t{0}, 1024), 1023);
}

}  // namespace
}  // namespace newsdb::article
