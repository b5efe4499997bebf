#include "services/storage/doc_value_store.h"

#include <cstdint>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/storage/shared_column.h"

namespace newsdb::storage {
namespace {

DocValues Values(article::ArticleId id, int64_t published, int64_t views,
                 const std::string& credit = "", uint32_t body_length = 10) {
  DocValues values;
  values.id = id;
  values.published_seconds = published;
  values.views = views;
  values.title_length = 2;
  values.body_length = body_length;
  values.credit_length = credit.empty() ? 0 : 1;
  values.credit = credit;
  return values;
}

TEST(SharedColumnTest, AReaderKeepsItsValuesWhileTheColumnChanges) {
  SharedColumn<int64_t> column;
  uint64_t generation = 0;
  const uint32_t documents = 3 * SharedColumn<int64_t>::kChunkDocs + 5;
  for (uint32_t doc = 0; doc < documents; ++doc) column.Append(doc, generation);
  const SharedColumn<int64_t>::Reader reader = column.Share();
  ++generation;  // what the owner does on every Share
  for (uint32_t doc = 0; doc < documents; doc += 1000) column.Set(doc, -1, generation);
  column.Append(99, generation);
  for (uint32_t doc = 0; doc < documents; ++doc) ASSERT_EQ(reader[doc], doc) << doc;
  EXPECT_EQ(column[0], -1);
  EXPECT_EQ(column[1000], -1);
  EXPECT_EQ(column[1001], 1001);
  EXPECT_EQ(column[documents], 99);
  EXPECT_EQ(column.size(), documents + 1);
}

TEST(SharedColumnTest, ChangesWithoutAShareSinceAreMadeInPlace) {
  SharedColumn<uint32_t> column;
  column.Append(1, 0);
  const SharedColumn<uint32_t>::Reader before = column.Share();
  column.Set(0, 2, 1);  // copies: `before` may hold the chunk
  const SharedColumn<uint32_t>::Reader after = column.Share();
  column.Set(0, 3, 2);
  EXPECT_EQ(before[0], 1u);
  EXPECT_EQ(after[0], 2u);
  EXPECT_EQ(column[0], 3u);
}

TEST(DocValueStoreTest, AViewSeesTheValuesOfItsCaptureOnly) {
  DocValueStore store;
  store.Add(0, Values(100, 1'000, 5, "Akorda"), 1);
  store.Add(1, Values(101, 2'000, 7), 1);
  const DocValuesView view = store.Capture(2, 1);

  store.Add(0, Values(100, 1'030, 50, "Kazinform", 20), 2);  // re-scraped: new text and views
  store.Add(2, Values(102, 3'000, 1, "Kazinform"), 2);

  ASSERT_EQ(view.doc_limit(), 2u);
  EXPECT_EQ(view.id(0), 100u);
  EXPECT_EQ(view.published_seconds(0), 1'000);
  EXPECT_EQ(view.views(0), 5);
  EXPECT_EQ(view.credits().name(view.credit_ordinal(0)), "Akorda");
  EXPECT_EQ(view.lengths(0).body, 10);
  EXPECT_EQ(view.credits().Find("Kazinform"), std::nullopt);
  EXPECT_EQ(view.length_sums().body, 20);

  const DocValuesView now = store.Capture(3, 2);
  EXPECT_EQ(now.published_seconds(0), 1'030);
  EXPECT_EQ(now.views(0), 50);
  EXPECT_EQ(now.credits().name(now.credit_ordinal(0)), "Kazinform");
  EXPECT_EQ(now.credit_ordinal(0), now.credit_ordinal(2));
  EXPECT_EQ(now.length_sums().body, 40);
  EXPECT_EQ(now.length_sums().title, 6);
  EXPECT_EQ(now.length_sums().credit, 2);
}

TEST(DocValueStoreTest, EachWindowBoundsItsDocumentsValuesEvenAfterTheyChange) {
  DocValueStore store;
  for (uint32_t doc = 0; doc < kWindowDocs + 2; ++doc) {
    store.Add(doc, Values(doc + 1, 1'000 + doc, doc % 7, "", 10 + doc % 5), 1);
  }
  const DocValuesView view = store.Capture(kWindowDocs + 2, 1);
  ASSERT_EQ(view.window_count(), 2u);
  const WindowBounds first = view.window(0);
  EXPECT_EQ(first.min_published, 1'000);
  EXPECT_EQ(first.max_published, 1'000 + kWindowDocs - 1);
  EXPECT_EQ(first.max_views, 6);
  EXPECT_EQ(first.min_body_length, 10u);
  EXPECT_EQ(first.min_title_length, 2u);
  EXPECT_EQ(view.window(1).min_published, 1'000 + kWindowDocs);
  EXPECT_EQ(view.window(1).max_published, 1'000 + kWindowDocs + 1);

  // A re-scrape with more views and a shorter body widens the bounds; fewer views later do not
  // narrow them (the older view counts may still be captured). The earlier view is unchanged.
  store.Add(3, Values(4, 500, 90, "", 1), 2);
  store.Add(3, Values(4, 500, 2, "", 30), 3);
  const WindowBounds widened = store.Capture(kWindowDocs + 2, 3).window(0);
  EXPECT_EQ(widened.min_published, 500);
  EXPECT_EQ(widened.max_views, 90);
  EXPECT_EQ(widened.min_body_length, 1u);
  EXPECT_EQ(view.window(0).max_views, 6);
  // An older, smaller limit reads the same windows: they bound its documents too.
  EXPECT_EQ(store.Capture(3, 3).window_count(), 1u);
}

TEST(DocValueStoreTest, AnOlderSequenceSeesTheViewCountsOfItsTime) {
  DocValueStore store;
  store.Add(0, Values(100, 1'000, 5), 1);
  store.Add(1, Values(101, 1'000, 6), 1);
  store.Add(0, Values(100, 1'000, 8), 2);
  store.Add(0, Values(100, 1'000, 9), 3);
  store.Add(1, Values(101, 1'000, 10), 3);
  EXPECT_EQ(store.Capture(2, 1).views(0), 5);
  EXPECT_EQ(store.Capture(2, 1).views(1), 6);
  EXPECT_EQ(store.Capture(2, 2).views(0), 8);
  EXPECT_EQ(store.Capture(2, 2).views(1), 6);
  EXPECT_EQ(store.Capture(2, 3).views(0), 9);
  EXPECT_EQ(store.Capture(2, 3).views(1), 10);
}

TEST(DocValueStoreTest, TrimmingTheHistoryMovesTheOldestSequence) {
  DocValueStore store;
  store.Add(0, Values(100, 1'000, 5), 1);
  for (int64_t sequence = 2; sequence <= 6; ++sequence) {
    store.Add(0, Values(100, 1'000, sequence * 10), sequence);
  }
  EXPECT_EQ(store.oldest_sequence(), 1);
  store.TrimViewHistory(2);  // keeps the changes of sequences 5 and 6
  EXPECT_EQ(store.oldest_sequence(), 5);
  EXPECT_EQ(store.Capture(1, 4).views(0), 40);
  EXPECT_EQ(store.Capture(1, 5).views(0), 50);
}

TEST(DocValueStoreTest, AnOlderLimitSumsTheLengthsBelowIt) {
  DocValueStore store;
  for (uint32_t doc = 0; doc < 5; ++doc) store.Add(doc, Values(100 + doc, 0, 0, "", doc + 1), 1);
  EXPECT_EQ(store.Capture(5, 1).length_sums().body, 1 + 2 + 3 + 4 + 5);
  EXPECT_EQ(store.Capture(3, 1).length_sums().body, 1 + 2 + 3);
  EXPECT_EQ(store.Capture(0, 1).length_sums().body, 0);
}

TEST(PublicationHistogramTest, CountsQuarterHoursIncludingBefore1970) {
  PublicationHistogram histogram;
  histogram.Add(0);
  histogram.Add(899);
  histogram.Add(900);
  histogram.Add(-1);
  EXPECT_EQ(PublicationHistogram::QuarterOf(-1), -1);
  EXPECT_EQ(PublicationHistogram::QuarterOf(-900), -1);
  EXPECT_EQ(PublicationHistogram::QuarterOf(-901), -2);
  EXPECT_EQ(histogram.Count(0, 1), 2);
  EXPECT_EQ(histogram.Count(-1, 2), 4);
  histogram.Move(899, -1);
  EXPECT_EQ(histogram.Count(0, 1), 1);
  EXPECT_EQ(histogram.Count(-1, 0), 2);
}

TEST(CreditDictionaryTest, OrdinalZeroIsTheEmptyCredit) {
  CreditDictionary credits;
  EXPECT_EQ(credits.Find(""), 0u);
  EXPECT_EQ(credits.Intern("Akorda"), 1u);
  EXPECT_EQ(credits.Intern("Akorda"), 1u);
  EXPECT_EQ(credits.name(1), "Akorda");
  EXPECT_EQ(credits.size(), 2u);
  EXPECT_EQ(credits.Find("akorda"), std::nullopt);
}

}  // namespace
}  // namespace newsdb::storage
