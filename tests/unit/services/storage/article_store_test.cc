#include "services/storage/article_store.h"

#include <vector>

#include "common/article/article_id.h"
#include "common/testing/temp_dir.h"
#include "common/time/timestamp.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace newsdb::storage {
namespace {

using ::testing::ElementsAre;

v1::Article MakeArticle(int64_t published_seconds, const std::string& title, int64_t views,
                        int64_t captured_seconds) {
  v1::Article article;
  article.set_id(article::FormatArticleId(
      article::ComputeArticleId(absl::FromUnixSeconds(published_seconds), title)));
  article.mutable_published_at()->set_seconds(published_seconds);
  article.set_title(title);
  article.set_credit("Akorda");
  article.add_paragraphs("First paragraph.");
  article.add_paragraphs("- a bullet");
  article.set_source("test");
  v1::ViewObservation* observation = article.add_view_history();
  observation->mutable_captured_at()->set_seconds(captured_seconds);
  observation->set_views(views);
  return article;
}

google::protobuf::RepeatedPtrField<v1::Article> Batch(std::vector<v1::Article> articles) {
  google::protobuf::RepeatedPtrField<v1::Article> batch;
  for (v1::Article& article : articles) *batch.Add() = std::move(article);
  return batch;
}

std::vector<v1::PutOutcome> Outcomes(const std::vector<v1::PutResult>& results) {
  std::vector<v1::PutOutcome> outcomes;
  for (const v1::PutResult& result : results) outcomes.push_back(result.outcome());
  return outcomes;
}

std::vector<std::string> ScanTitles(const ArticleStore& store, const ScanOptions& options) {
  std::vector<std::string> titles;
  absl::Status status = store.Scan(options, [&](v1::Article article) {
    titles.push_back(article.title());
    return true;
  });
  EXPECT_TRUE(status.ok()) << status;
  return titles;
}

class ArticleStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<ArticleStore>> store = ArticleStore::Open(dir_.path());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }
  testing::TempDir dir_;
  std::unique_ptr<ArticleStore> store_;
};

TEST_F(ArticleStoreTest, CreatesThenRecognisesAnIdenticalRecordAsUnchanged) {
  v1::Article article = MakeArticle(1700631060, "Majilis ratifies a protocol", 5811, 1700697600);
  auto first = store_->Put(Batch({article}));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_THAT(Outcomes(*first), ElementsAre(v1::PUT_OUTCOME_CREATED));
  auto second = store_->Put(Batch({article}));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_THAT(Outcomes(*second), ElementsAre(v1::PUT_OUTCOME_UNCHANGED));

  absl::StatusOr<v1::Article> stored = store_->Get(article.id());
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->title(), "Majilis ratifies a protocol");
  EXPECT_EQ(stored->views(), 5811);
  EXPECT_EQ(stored->view_history_size(), 1);
  EXPECT_THAT(stored->paragraphs(), ElementsAre("First paragraph.", "- a bullet"));
}

TEST_F(ArticleStoreTest, LaterCaptureUpdatesViewsAndAppendsHistoryInCaptureOrder) {
  v1::Article early = MakeArticle(1700631060, "Title", 5811, 1700697600);
  v1::Article late = MakeArticle(1700631060, "Title", 9000, 1700956800);
  ASSERT_TRUE(store_->Put(Batch({late})).ok());
  // The earlier capture arrives second: history stays in capture order, views stay the latest.
  auto result = store_->Put(Batch({early}));
  ASSERT_TRUE(result.ok());
  EXPECT_THAT(Outcomes(*result), ElementsAre(v1::PUT_OUTCOME_UPDATED));
  absl::StatusOr<v1::Article> stored = store_->Get(early.id());
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->view_history_size(), 2);
  EXPECT_EQ(stored->view_history(0).views(), 5811);
  EXPECT_EQ(stored->view_history(1).views(), 9000);
  EXPECT_EQ(stored->views(), 9000);
}

TEST_F(ArticleStoreTest, ChangedTextIsAnUpdateWithoutASecondCopy) {
  v1::Article article = MakeArticle(1700631060, "Title", 10, 1700697600);
  ASSERT_TRUE(store_->Put(Batch({article})).ok());
  article.set_paragraphs(0, "Corrected paragraph.");
  auto result = store_->Put(Batch({article}));
  ASSERT_TRUE(result.ok());
  EXPECT_THAT(Outcomes(*result), ElementsAre(v1::PUT_OUTCOME_UPDATED));
  EXPECT_THAT(ScanTitles(*store_, {}), ElementsAre("Title"));
  EXPECT_EQ(store_->Get(article.id())->paragraphs(0), "Corrected paragraph.");
}

TEST_F(ArticleStoreTest, RepeatedIdWithinOneBatchBuildsOnTheFirstOccurrence) {
  v1::Article first = MakeArticle(1700631060, "Twice", 10, 1700697600);
  v1::Article again = first;
  again.set_paragraphs(0, "Second version.");
  auto result = store_->Put(Batch({first, again, again}));
  ASSERT_TRUE(result.ok());
  EXPECT_THAT(Outcomes(*result), ElementsAre(v1::PUT_OUTCOME_CREATED, v1::PUT_OUTCOME_UPDATED,
                                             v1::PUT_OUTCOME_UNCHANGED));
  EXPECT_EQ(store_->Get(first.id())->paragraphs(0), "Second version.");
}

TEST_F(ArticleStoreTest, InvalidArticleRejectsTheWholeBatchWithFieldViolations) {
  v1::Article good = MakeArticle(1700631060, "Good", 1, 1700697600);
  v1::Article bad = MakeArticle(1700631120, "Bad", 1, 1700697600);
  bad.set_id("XYZ");
  bad.clear_title();
  auto result = store_->Put(Batch({good, bad}));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(result.status().message()), ::testing::HasSubstr("articles[1].id"));
  EXPECT_THAT(std::string(result.status().message()), ::testing::HasSubstr("articles[1].title"));
  EXPECT_EQ(store_->Get(good.id()).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ArticleStoreTest, GetRejectsMalformedIdAndReportsMissingOnes) {
  EXPECT_EQ(store_->Get("not-an-id").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Get("00000000000000ff").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ArticleStoreTest, ScansRangesInBothOrdersAndResumesAfterAPosition) {
  std::vector<v1::Article> articles;
  for (int i = 0; i < 5; ++i) {
    articles.push_back(MakeArticle(1700000000 + i * 3600, absl::StrCat("A", i), i, 1700100000));
  }
  ASSERT_TRUE(store_->Put(Batch(articles)).ok());
  EXPECT_THAT(ScanTitles(*store_, {}), ElementsAre("A4", "A3", "A2", "A1", "A0"));
  ScanOptions oldest;
  oldest.newest_first = false;
  EXPECT_THAT(ScanTitles(*store_, oldest), ElementsAre("A0", "A1", "A2", "A3", "A4"));

  ScanOptions range;
  range.start = absl::FromUnixSeconds(1700000000 + 3600);    // inclusive
  range.end = absl::FromUnixSeconds(1700000000 + 3 * 3600);  // exclusive
  EXPECT_THAT(ScanTitles(*store_, range), ElementsAre("A2", "A1"));
  range.newest_first = false;
  EXPECT_THAT(ScanTitles(*store_, range), ElementsAre("A1", "A2"));

  ScanOptions resume;
  resume.resume_after =
      ArticleKey{1700000000 + 2 * 3600, *article::ParseArticleId(articles[2].id())};
  resume.limit = 1;
  EXPECT_THAT(ScanTitles(*store_, resume), ElementsAre("A1"));
  resume.newest_first = false;
  EXPECT_THAT(ScanTitles(*store_, resume), ElementsAre("A3"));

  ScanOptions backwards;
  backwards.start = absl::FromUnixSeconds(1700005000);
  backwards.end = absl::FromUnixSeconds(1700000000);
  EXPECT_EQ(store_->Scan(backwards, [](v1::Article) { return true; }).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ArticleStoreTest, EverythingSurvivesReopening) {
  v1::Article article = MakeArticle(1700631060, "Durable", 5811, 1700697600);
  ASSERT_TRUE(store_->Put(Batch({article})).ok());
  ASSERT_TRUE(store_->Put(Batch({MakeArticle(1700631060, "Durable", 6000, 1700784000)})).ok());
  store_.reset();
  absl::StatusOr<std::unique_ptr<ArticleStore>> reopened = ArticleStore::Open(dir_.path());
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  absl::StatusOr<v1::Article> stored = (*reopened)->Get(article.id());
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->views(), 6000);
  EXPECT_EQ(stored->view_history_size(), 2);
}

TEST_F(ArticleStoreTest, SecondOpenOfTheSameDirectoryFailsWhileTheFirstHoldsIt) {
  absl::StatusOr<std::unique_ptr<ArticleStore>> second = ArticleStore::Open(dir_.path());
  EXPECT_FALSE(second.ok());
}

}  // namespace
}  // namespace newsdb::storage
