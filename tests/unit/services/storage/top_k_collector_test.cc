#include "services/storage/top_k_collector.h"

#include <algorithm>
#include <random>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace newsdb::storage {
namespace {

using ::testing::ElementsAre;

std::vector<uint32_t> Docs(const std::vector<TopKCollector::Hit>& hits) {
  std::vector<uint32_t> docs;
  for (const TopKCollector::Hit& hit : hits) docs.push_back(hit.doc);
  return docs;
}

// doc, score, published, views, id
const std::vector<std::pair<uint32_t, SortKey>> kMatches = {
    {0, {1.5, 300, 7, 10}}, {1, {2.5, 100, 9, 11}}, {2, {1.5, 300, 7, 12}},
    {3, {0.5, 200, 9, 13}}, {4, {2.5, 100, 1, 14}},
};

std::vector<uint32_t> Top(v1::SearchSort sort, size_t limit,
                          std::optional<SortKey> after = std::nullopt) {
  TopKCollector top(sort, limit, after);
  for (const auto& [doc, key] : kMatches) top.Collect(doc, key);
  return Docs(top.Take());
}

TEST(TopKCollectorTest, OrdersByEachSortWithTiesBrokenByTimeThenId) {
  // Relevance: score, then newest, then larger id.
  EXPECT_THAT(Top(v1::SEARCH_SORT_RELEVANCE, 5), ElementsAre(4, 1, 2, 0, 3));
  EXPECT_THAT(Top(v1::SEARCH_SORT_UNSPECIFIED, 2), ElementsAre(4, 1));
  EXPECT_THAT(Top(v1::SEARCH_SORT_NEWEST, 5), ElementsAre(2, 0, 3, 4, 1));
  EXPECT_THAT(Top(v1::SEARCH_SORT_OLDEST, 5), ElementsAre(1, 4, 3, 0, 2));
  // Most viewed: views, then newest, then larger id.
  EXPECT_THAT(Top(v1::SEARCH_SORT_MOST_VIEWED, 5), ElementsAre(3, 1, 2, 0, 4));
}

TEST(TopKCollectorTest, ACursorKeepsOnlyWhatComesAfterIt) {
  TopKCollector top(v1::SEARCH_SORT_NEWEST, 2, SortKey{0, 300, 0, 10});  // doc 0's position
  for (const auto& [doc, key] : kMatches) top.Collect(doc, key);
  EXPECT_EQ(top.after_cursor(), 3u);  // docs 3, 4, 1
  EXPECT_THAT(Docs(top.Take()), ElementsAre(3, 4));
}

TEST(TopKCollectorTest, KeepsTheBestKOfManyInOrder) {
  std::mt19937 random(7);
  std::vector<std::pair<uint32_t, SortKey>> matches;
  for (uint32_t doc = 0; doc < 5000; ++doc) {
    matches.push_back(
        {doc, SortKey{static_cast<double>(random() % 50), static_cast<int64_t>(random() % 100),
                      static_cast<int64_t>(random() % 30), doc}});
  }
  for (v1::SearchSort sort : {v1::SEARCH_SORT_RELEVANCE, v1::SEARCH_SORT_NEWEST,
                              v1::SEARCH_SORT_OLDEST, v1::SEARCH_SORT_MOST_VIEWED}) {
    TopKCollector top(sort, 25, std::nullopt);
    for (const auto& [doc, key] : matches) top.Collect(doc, key);
    std::vector<std::pair<uint32_t, SortKey>> sorted = matches;
    std::sort(sorted.begin(), sorted.end(),
              [sort](const auto& a, const auto& b) { return Before(sort, a.second, b.second); });
    std::vector<uint32_t> expected;
    for (size_t i = 0; i < 25; ++i) expected.push_back(sorted[i].first);
    EXPECT_EQ(top.after_cursor(), 5000u);
    EXPECT_EQ(Docs(top.Take()), expected) << v1::SearchSort_Name(sort);
  }
}

}  // namespace
}  // namespace newsdb::storage

namespace newsdb::storage {
namespace {

TEST(TopKCollectorTest, SkippingOutrankedMatchesGivesTheSameTopAndCount) {
  std::mt19937 random(11);
  for (v1::SearchSort sort : {v1::SEARCH_SORT_RELEVANCE, v1::SEARCH_SORT_NEWEST,
                              v1::SEARCH_SORT_OLDEST, v1::SEARCH_SORT_MOST_VIEWED}) {
    const SortKey after{20, 50, 15, 2500};
    TopKCollector plain(sort, 10, after);
    TopKCollector skipping(sort, 10, after);
    size_t skipped = 0;
    for (uint32_t doc = 0; doc < 5000; ++doc) {
      const SortKey key{static_cast<double>(random() % 40), static_cast<int64_t>(random() % 100),
                        static_cast<int64_t>(random() % 30), doc};
      plain.Collect(doc, key);
      SortKey primary;
      primary.score = key.score;
      primary.published = key.published;
      primary.views = key.views;
      if (skipping.SkipIfOutranked(primary)) {
        ++skipped;
        continue;
      }
      skipping.Collect(doc, key);
    }
    EXPECT_GT(skipped, 1000u) << v1::SearchSort_Name(sort);
    EXPECT_EQ(skipping.after_cursor(), plain.after_cursor()) << v1::SearchSort_Name(sort);
    EXPECT_EQ(Docs(skipping.Take()), Docs(plain.Take())) << v1::SearchSort_Name(sort);
  }
}

}  // namespace
}  // namespace newsdb::storage
