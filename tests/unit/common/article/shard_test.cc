#include "common/article/shard.h"

#include <string>
#include <utility>
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

TEST(ExpandShardAddressesTest, ListsAndPatterns) {
  EXPECT_EQ(*ExpandShardAddresses("127.0.0.1:7001", 0), std::vector<std::string>{"127.0.0.1:7001"});
  EXPECT_EQ(*ExpandShardAddresses("a:1, b:2,c:3", 3),
            (std::vector<std::string>{"a:1", "b:2", "c:3"}));
  EXPECT_EQ(*ExpandShardAddresses("newsdb-storage-{shard}.newsdb-storage:7001", 2),
            (std::vector<std::string>{"newsdb-storage-0.newsdb-storage:7001",
                                      "newsdb-storage-1.newsdb-storage:7001"}));
  for (auto [list, count] : std::vector<std::pair<const char*, int>>{{"", 0},
                                                                     {"a:1,,b:2", 0},
                                                                     {"a:1,b:2", 3},
                                                                     {"s-{shard}:1", 0},
                                                                     {"s-{shard}:1,b:2", 2},
                                                                     {"a:1", -1},
                                                                     {"a:1", 2000}}) {
    EXPECT_EQ(ExpandShardAddresses(list, count).status().code(), absl::StatusCode::kInvalidArgument)
        << list << " " << count;
  }
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
