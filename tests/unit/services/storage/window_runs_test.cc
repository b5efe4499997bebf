#include "services/storage/window_runs.h"

#include <algorithm>
#include <random>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace newsdb::storage {
namespace {

using ::testing::ElementsAre;
using ::testing::FieldsAre;

TEST(WindowRunsTest, MatchesSplitAtWindowBoundaries) {
  const std::vector<uint32_t> matches = {
      0, 5, kWindowDocs - 1, kWindowDocs, 3 * kWindowDocs + 2, UINT32_MAX};
  std::vector<std::tuple<uint32_t, size_t, size_t>> runs;
  for (const MatchRun& run : SplitIntoWindows(matches)) {
    runs.emplace_back(run.window, run.begin, run.end);
  }
  EXPECT_THAT(runs, ElementsAre(FieldsAre(0, 0, 3), FieldsAre(1, 3, 4), FieldsAre(3, 4, 5),
                                FieldsAre(UINT32_MAX >> kWindowShift, 5, 6)));
  EXPECT_TRUE(SplitIntoWindows({}).empty());
}

struct Match {
  uint32_t doc;
  SortKey key;
};

// A shard-like set of matches: documents in increasing publication order with noise, random
// views and scores, some documents not matching.
std::vector<Match> RandomMatches(std::mt19937& random, uint32_t documents) {
  std::vector<Match> matches;
  std::bernoulli_distribution matching(0.4);
  for (uint32_t doc = 0; doc < documents; ++doc) {
    if (!matching(random)) continue;
    const int64_t published = 1'000 * static_cast<int64_t>(doc) + random() % 5'000;
    matches.push_back({doc, SortKey{static_cast<double>(random() % 1'000) / 7, published,
                                    static_cast<int64_t>(random() % 10'000), doc + 1u}});
  }
  return matches;
}

// Every match's key, the plain way and by runs with exact per-run bounds; both must give the same
// hits and the same count after the cursor, and the runs must have passed most windows unread.
TEST(WindowRunsTest, BestRunsFirstKeepsExactlyWhatCollectingAllKeeps) {
  std::mt19937 random(3);
  const std::vector<Match> matches = RandomMatches(random, 40 * kWindowDocs);
  std::vector<uint32_t> docs;
  for (const Match& match : matches) docs.push_back(match.doc);
  for (v1::SearchSort sort : {v1::SEARCH_SORT_RELEVANCE, v1::SEARCH_SORT_NEWEST,
                              v1::SEARCH_SORT_OLDEST, v1::SEARCH_SORT_MOST_VIEWED}) {
    for (const std::optional<SortKey>& after :
         {std::optional<SortKey>(), std::optional<SortKey>(matches[matches.size() / 2].key)}) {
      TopKCollector all(sort, 10, after);
      for (const Match& match : matches) all.Collect(match.doc, match.key);

      std::vector<MatchRun> runs = SplitIntoWindows(docs);
      for (MatchRun& run : runs) {
        for (size_t i = run.begin; i < run.end; ++i) {
          const SortKey& key = matches[i].key;
          if (i == run.begin || Before(sort, key, run.best)) run.best = key;
        }
        // Only the first sort value is a bound; the tie-breakers are left unset.
        const SortKey best = run.best;
        run.best = SortKey{best.score, best.published, best.views, 0};
        if (sort == v1::SEARCH_SORT_RELEVANCE || sort == v1::SEARCH_SORT_MOST_VIEWED) {
          run.best.published = 0;
        }
      }
      TopKCollector by_runs(sort, 10, after);
      size_t visited = 0;
      ASSERT_TRUE(CollectBestRunsFirst(
                      sort, runs, by_runs,
                      [&](const MatchRun& run) {
                        ++visited;
                        for (size_t i = run.begin; i < run.end; ++i) {
                          by_runs.Collect(matches[i].doc, matches[i].key);
                        }
                      },
                      [] { return false; })
                      .ok());
      EXPECT_EQ(by_runs.after_cursor(), all.after_cursor()) << sort;
      std::vector<uint32_t> expected;
      std::vector<uint32_t> got;
      for (const TopKCollector::Hit& hit : all.Take()) expected.push_back(hit.doc);
      for (const TopKCollector::Hit& hit : by_runs.Take()) got.push_back(hit.doc);
      EXPECT_EQ(got, expected) << sort;
      ASSERT_EQ(got.size(), 10u);
      if (after.has_value()) continue;  // keys before the cursor are in every window
      if (sort == v1::SEARCH_SORT_NEWEST || sort == v1::SEARCH_SORT_OLDEST) {
        // By time, the newest (oldest) windows hold the top 10: a few runs of 40 are read.
        EXPECT_LE(visited, 4u) << sort;
      } else {
        EXPECT_LT(visited, runs.size() / 2) << sort;
      }
    }
  }
}

TEST(WindowRunsTest, BoundsByValuesComeFromTheWindows) {
  DocValueStore store;
  for (uint32_t doc = 0; doc < 2 * kWindowDocs; ++doc) {
    DocValues values;
    values.id = doc + 1;
    values.published_seconds = doc < kWindowDocs ? 100 + doc : 5'000 - doc;
    values.views = doc;
    store.Add(doc, values, 1);
  }
  const DocValuesView view = store.Capture(2 * kWindowDocs, 1);
  std::vector<MatchRun> runs = SplitIntoWindows({1, kWindowDocs + 1});
  BoundByValues(v1::SEARCH_SORT_NEWEST, view, runs);
  EXPECT_EQ(runs[0].best.published, 100 + kWindowDocs - 1);
  EXPECT_EQ(runs[1].best.published, 5'000 - kWindowDocs);
  BoundByValues(v1::SEARCH_SORT_OLDEST, view, runs);
  EXPECT_EQ(runs[0].best.published, 100);
  EXPECT_EQ(runs[1].best.published, 5'000 - 2 * kWindowDocs + 1);
  BoundByValues(v1::SEARCH_SORT_MOST_VIEWED, view, runs);
  EXPECT_EQ(runs[1].best.views, 2 * kWindowDocs - 1);
}

TEST(WindowRunsTest, ALongCollectionStopsWhenCancelled) {
  std::vector<uint32_t> docs;
  for (uint32_t doc = 0; doc < 200 * kWindowDocs; doc += kWindowDocs) docs.push_back(doc);
  std::vector<MatchRun> runs = SplitIntoWindows(docs);
  TopKCollector top(v1::SEARCH_SORT_NEWEST, 1000, std::nullopt);
  int polls = 0;
  const absl::Status status = CollectBestRunsFirst(
      v1::SEARCH_SORT_NEWEST, runs, top, [](const MatchRun&) {}, [&] { return ++polls == 2; });
  EXPECT_EQ(status.code(), absl::StatusCode::kCancelled);
}

}  // namespace
}  // namespace newsdb::storage
