#include "services/storage/article_store.h"

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/article/article_id.h"
#include "common/article/shard.h"
#include "common/status/field_errors.h"
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

int64_t SearchCount(const ArticleStore& store, const std::string& word) {
  v1::SearchShardRequest request;
  request.mutable_query()->mutable_term()->set_text(word);
  request.set_limit(1);
  absl::StatusOr<v1::SearchShardResponse> response = store.Search(request, [] { return false; });
  EXPECT_TRUE(response.ok()) << response.status();
  return response.ok() ? response->total_hits() : -1;
}

TEST_F(ArticleStoreTest, RepeatedIdWithinOneBatchIsIndexedWithItsLastText) {
  v1::Article first = MakeArticle(1700631060, "Twice", 10, 1700697600);
  first.set_paragraphs(0, "aardvark");
  v1::Article again = first;
  again.set_paragraphs(0, "zebra");
  ASSERT_TRUE(store_->Put(Batch({first, again})).ok());
  EXPECT_EQ(SearchCount(*store_, "zebra"), 1);
  EXPECT_EQ(SearchCount(*store_, "aardvark"), 0);
}

// The id fixes the publication minute, not the second: a re-put may move the second, and search
// must then find the article under its new key (and filter and sort by the new time).
TEST_F(ArticleStoreTest, RePutThatMovesThePublicationSecondStaysSearchable) {
  v1::Article article = MakeArticle(1700631060, "Moved within its minute", 10, 1700697600);
  ASSERT_TRUE(store_->Put(Batch({article})).ok());
  article.mutable_published_at()->set_seconds(1700631060 + 42);
  auto moved = store_->Put(Batch({article}));
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_THAT(Outcomes(*moved), ElementsAre(v1::PUT_OUTCOME_UPDATED));

  v1::SearchShardRequest request;
  request.mutable_query()->mutable_term()->set_text("moved");
  request.set_limit(10);
  absl::StatusOr<v1::SearchShardResponse> found = store_->Search(request, [] { return false; });
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->hits_size(), 1);
  EXPECT_EQ(found->hits(0).article().published_at().seconds(), 1700631060 + 42);

  // A time filter sees the new second: [minute, minute + 42) no longer holds it.
  request.mutable_filter()->mutable_published()->mutable_start()->set_seconds(1700631060);
  request.mutable_filter()->mutable_published()->mutable_end()->set_seconds(1700631060 + 42);
  found = store_->Search(request, [] { return false; });
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->total_hits(), 0);
  EXPECT_THAT(ScanTitles(*store_, {}), ElementsAre("Moved within its minute"));
}

// Two writers sending the same new articles at once: whichever creates an article, it is stored
// and indexed once, and the other writer's copy updates it. (Each writer builds postings before
// the lock; the one that finds the ids taken meanwhile must not index them again.)
TEST_F(ArticleStoreTest, ConcurrentWritesOfTheSameNewArticlesIndexEachOnce) {
  constexpr int kRounds = 25;
  constexpr int kPerRound = 40;
  std::vector<google::protobuf::RepeatedPtrField<v1::Article>> rounds;
  for (int r = 0; r < kRounds; ++r) {
    std::vector<v1::Article> articles;
    for (int i = 0; i < kPerRound; ++i) {
      v1::Article article = MakeArticle(1700631060 + r * 1000 + i,
                                        absl::StrCat("Round", r, " item", i), i, 1700697600);
      article.set_paragraphs(0, absl::StrCat("shared round", r));
      articles.push_back(article);
    }
    rounds.push_back(Batch(articles));
  }
  // The second writer's copies carry a later capture, so whichever writes second has updates to
  // make (and gets to the index with postings built for articles that now exist).
  std::vector<google::protobuf::RepeatedPtrField<v1::Article>> later = rounds;
  for (auto& batch : later) {
    for (v1::Article& article : batch) {
      v1::ViewObservation* observation = article.add_view_history();
      observation->mutable_captured_at()->set_seconds(1700697600 + 3600);
      observation->set_views(1000);
    }
  }
  for (int r = 0; r < kRounds; ++r) {
    std::vector<absl::StatusOr<std::vector<v1::PutResult>>> results(2);
    std::atomic<int> ready{0};
    auto put = [&](int writer) {
      ready.fetch_add(1);
      while (ready.load() < 2) {
      }
      results[writer] = store_->Put(writer == 0 ? rounds[r] : later[r]);
    };
    std::thread other(put, 1);
    put(0);
    other.join();
    ASSERT_TRUE(results[0].ok() && results[1].ok());
    int created = 0;
    for (const auto& result : results) {
      for (const v1::PutResult& one : *result) created += one.outcome() == v1::PUT_OUTCOME_CREATED;
    }
    EXPECT_EQ(created, kPerRound) << "round " << r;
  }
  EXPECT_EQ(store_->documents(), kRounds * kPerRound);
  for (int r = 0; r < kRounds; ++r) {
    EXPECT_EQ(SearchCount(*store_, absl::StrCat("round", r)), kPerRound) << "round " << r;
  }
  EXPECT_EQ(SearchCount(*store_, "shared"), kRounds * kPerRound);
}

// A store whose index buffer merges keep failing (a full disk, say) keeps its writes searchable,
// then refuses new ones with UNAVAILABLE instead of growing the buffer without bound, and takes
// them again once a merge succeeds.
TEST(ArticleStoreBufferTest, FailingMergesRefuseWritesUntilAMergeSucceeds) {
  testing::TempDir dir;
  std::atomic<bool> fail{true};
  IndexOptions options;
  options.buffer_docs = 10;
  options.overload_factor = 3;
  options.before_flush = [&]() -> absl::Status {
    return fail ? absl::InternalError("no space left on device (injected)") : absl::OkStatus();
  };
  auto store = ArticleStore::Open(dir.path(), {}, options);
  ASSERT_TRUE(store.ok()) << store.status();
  auto batch_of_ten = [](int first) {
    std::vector<v1::Article> articles;
    for (int i = first; i < first + 10; ++i) {
      articles.push_back(MakeArticle(1700631060 + i, absl::StrCat("Item ", i), i, 1700697600));
    }
    return Batch(articles);
  };
  for (int b = 0; b < 3; ++b) ASSERT_TRUE((*store)->Put(batch_of_ten(b * 10)).ok()) << b;
  EXPECT_EQ(SearchCount(**store, "paragraph"), 30);

  absl::StatusOr<std::vector<v1::PutResult>> refused = (*store)->Put(batch_of_ten(30));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(refused.status().message()), ::testing::HasSubstr("injected"));
  EXPECT_EQ((*store)->documents(), 30);

  fail = false;
  ASSERT_TRUE((*store)->Put(batch_of_ten(30)).ok());
  EXPECT_EQ((*store)->documents(), 40);
  EXPECT_EQ(SearchCount(**store, "paragraph"), 40);
  store->reset();
  auto reopened = ArticleStore::Open(dir.path());
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ(SearchCount(**reopened, "paragraph"), 40);
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

// BASIC hits and titles-only scans leave out the paragraphs and nothing else; highlights still
// see the paragraphs.
TEST_F(ArticleStoreTest, WithoutParagraphsEverythingElseComesBack) {
  const v1::Article article = MakeArticle(1700631060, "Grain exports rise", 5811, 1700697600);
  ASSERT_TRUE(store_->Put(Batch({article})).ok());
  ASSERT_TRUE(
      store_->Put(Batch({MakeArticle(1700631060, "Grain exports rise", 6000, 1700784000)})).ok());
  absl::StatusOr<v1::Article> full = store_->Get(article.id());
  ASSERT_TRUE(full.ok()) << full.status();
  v1::Article expected = *full;
  expected.clear_paragraphs();
  ASSERT_EQ(expected.view_history_size(), 2);

  v1::SearchShardRequest request;
  request.mutable_query()->mutable_term()->set_text("grain");
  request.set_limit(5);
  request.set_omit_paragraphs(true);
  absl::StatusOr<v1::SearchShardResponse> found = store_->Search(request, [] { return false; });
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->hits_size(), 1);
  EXPECT_EQ(found->hits(0).article().SerializeAsString(), expected.SerializeAsString());

  request.mutable_query()->mutable_term()->set_text("paragraph");
  request.mutable_highlight()->set_enabled(true);
  found = store_->Search(request, [] { return false; });
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->hits_size(), 1);
  EXPECT_EQ(found->hits(0).article().paragraphs_size(), 0);
  EXPECT_THAT(found->hits(0).snippets().body(),
              ::testing::Contains(::testing::HasSubstr("paragraph")));

  ScanOptions scan;
  scan.omit_paragraphs = true;
  std::vector<v1::Article> scanned;
  ASSERT_TRUE(store_
                  ->Scan(scan,
                         [&](v1::Article a) {
                           scanned.push_back(std::move(a));
                           return true;
                         })
                  .ok());
  ASSERT_EQ(scanned.size(), 1u);
  EXPECT_EQ(scanned[0].SerializeAsString(), expected.SerializeAsString());
}

// An index written before positions had a column family of their own held whole posting blocks
// in `postings`; opening it moves their positions out, and phrases, words and edits still work.
TEST_F(ArticleStoreTest, IndexWithWholePostingBlocksIsSplitWhenOpened) {
  std::vector<v1::Article> articles;
  for (int i = 0; i < 3; ++i) {
    articles.push_back(MakeArticle(1700631060 + 60 * i, absl::StrCat("Old ", i), i, 1700697600));
  }
  ASSERT_TRUE(store_->Put(Batch(articles)).ok());
  store_.reset();  // merges the write buffer into RocksDB
  {
    // Rewrite the index as the old format had it: whole blocks, no positions family, no mark.
    absl::StatusOr<std::unique_ptr<RocksDb>> db = RocksDb::Open(dir_.path() + "/rocksdb");
    ASSERT_TRUE(db.ok()) << db.status();
    WriteBatch batch = (*db)->NewWriteBatch();
    std::unique_ptr<Iterator> it = (*db)->NewIterator(ColumnFamily::kPositions, "", "");
    int blocks = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next(), ++blocks) {
      absl::StatusOr<std::optional<std::string>> docs =
          (*db)->Get(ColumnFamily::kPostings, it->key());
      ASSERT_TRUE(docs.ok() && docs->has_value());
      batch.Put(ColumnFamily::kPostings, it->key(), absl::StrCat(**docs, it->value()));
      batch.Delete(ColumnFamily::kPositions, it->key());
    }
    ASSERT_GT(blocks, 0);
    batch.Delete(ColumnFamily::kPostings, std::string("\0split_blocks", 13));
    ASSERT_TRUE((*db)->Write(batch).ok());
  }
  absl::StatusOr<std::unique_ptr<ArticleStore>> reopened = ArticleStore::Open(dir_.path());
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ(SearchCount(**reopened, "first paragraph"), 3);
  EXPECT_EQ(SearchCount(**reopened, "paragraph first"), 0);
  EXPECT_EQ(SearchCount(**reopened, "bullet"), 3);
  v1::Article edited = articles[1];
  edited.set_paragraphs(0, "Second thoughts.");
  ASSERT_TRUE((*reopened)->Put(Batch({edited})).ok());
  EXPECT_EQ(SearchCount(**reopened, "first paragraph"), 2);
  EXPECT_EQ(SearchCount(**reopened, "second thoughts"), 1);
}

// --- The request ledger
// --------------------------------------------------------------------------

TEST_F(ArticleStoreTest, ResentRequestIdGetsTheFirstAnswerAndWritesNothing) {
  const auto batch = Batch({MakeArticle(1700631060, "One", 10, 1700697600),
                            MakeArticle(1700631120, "Two", 20, 1700697600)});
  auto first = store_->Put(batch, "spool/abc/0");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_FALSE(first->replayed);
  EXPECT_THAT(Outcomes(first->results),
              ElementsAre(v1::PUT_OUTCOME_CREATED, v1::PUT_OUTCOME_CREATED));
  // Without a request id, a resend is an idempotent write that reports UNCHANGED ...
  auto plain = store_->Put(batch);
  ASSERT_TRUE(plain.ok());
  EXPECT_THAT(Outcomes(*plain), ElementsAre(v1::PUT_OUTCOME_UNCHANGED, v1::PUT_OUTCOME_UNCHANGED));
  // ... with it, the sender that lost the first answer gets that answer, also after a restart.
  store_.reset();
  auto reopened = ArticleStore::Open(dir_.path());
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  store_ = *std::move(reopened);
  auto again = store_->Put(batch, "spool/abc/0");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->replayed);
  EXPECT_THAT(Outcomes(again->results),
              ElementsAre(v1::PUT_OUTCOME_CREATED, v1::PUT_OUTCOME_CREATED));
  EXPECT_EQ(again->results[1].id(), batch[1].id());
  EXPECT_EQ(store_->documents(), 2);
}

TEST_F(ArticleStoreTest, ReplayedRequestDoesNotUndoALaterWrite) {
  const auto early = Batch({MakeArticle(1700631060, "One", 10, 1700697600)});
  ASSERT_TRUE(store_->Put(early, "r1").ok());
  ASSERT_TRUE(store_->Put(Batch({MakeArticle(1700631060, "One", 99, 1700784000)}), "r2").ok());
  auto replay = store_->Put(early, "r1");
  ASSERT_TRUE(replay.ok());
  EXPECT_TRUE(replay->replayed);
  EXPECT_EQ(store_->Get(early[0].id())->views(), 99);
  EXPECT_EQ(store_->Get(early[0].id())->view_history_size(), 2);
}

TEST_F(ArticleStoreTest, RequestIdReusedForOtherArticlesIsInvalidArgument) {
  ASSERT_TRUE(store_->Put(Batch({MakeArticle(1700631060, "One", 10, 1700697600)}), "dup").ok());
  auto other = store_->Put(Batch({MakeArticle(1700631060, "Other", 10, 1700697600)}), "dup");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(other.status().message()), ::testing::HasSubstr("request_id"));
  EXPECT_FALSE(store_->Get(MakeArticle(1700631060, "Other", 10, 1700697600).id()).ok());
  auto too_long = store_->Put(Batch({MakeArticle(1700631060, "One", 10, 1700697600)}),
                              std::string(kMaxRequestIdBytes + 1, 'x'));
  EXPECT_EQ(too_long.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ArticleStoreTest, ExpiredRequestIdsArePrunedAtOpen) {
  const auto batch = Batch({MakeArticle(1700631060, "One", 10, 1700697600)});
  store_.reset();
  {
    auto short_lived = ArticleStore::Open(dir_.path(), {}, {}, absl::Milliseconds(1));
    ASSERT_TRUE(short_lived.ok());
    ASSERT_TRUE((*short_lived)->Put(batch, "old").ok());
  }
  absl::SleepFor(absl::Milliseconds(20));
  auto reopened = ArticleStore::Open(dir_.path(), {}, {}, absl::Milliseconds(1));
  ASSERT_TRUE(reopened.ok());
  // Forgotten: the resend is a plain idempotent write again.
  auto resent = (*reopened)->Put(batch, "old");
  ASSERT_TRUE(resent.ok());
  EXPECT_FALSE(resent->replayed);
  EXPECT_THAT(Outcomes(resent->results), ElementsAre(v1::PUT_OUTCOME_UNCHANGED));
}

TEST_F(ArticleStoreTest, SecondOpenOfTheSameDirectoryFailsWhileTheFirstHoldsIt) {
  absl::StatusOr<std::unique_ptr<ArticleStore>> second = ArticleStore::Open(dir_.path());
  EXPECT_FALSE(second.ok());
}

}  // namespace
}  // namespace newsdb::storage

namespace newsdb::storage {
namespace {

// Searches run without the index lock over a captured view while writes add documents, replace
// view counts and merge the write buffer: every page must show one moment, the first page's.
TEST(ArticleStoreConcurrencyTest, SearchesDuringWritesSeeOneMomentAcrossPages) {
  testing::TempDir dir;
  IndexOptions index_options;
  index_options.buffer_docs = 150;  // merges while the searches run
  absl::StatusOr<std::unique_ptr<ArticleStore>> opened =
      ArticleStore::Open(dir.path(), {}, index_options);
  ASSERT_TRUE(opened.ok()) << opened.status();
  ArticleStore& store = **opened;
  constexpr int kOld = 120;
  constexpr int kRounds = 30;
  std::vector<v1::Article> old;
  for (int i = 0; i < kOld; ++i) {
    old.push_back(MakeArticle(1700000000 + 60 * i, absl::StrCat("Old story ", i), 1, 1700690000));
  }
  ASSERT_TRUE(store.Put(Batch(old)).ok());

  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int round = 1; round <= kRounds; ++round) {
      // One write gives every old article the same new count: a view sees all or none of it.
      std::vector<v1::Article> update = old;
      for (v1::Article& article : update) {
        v1::ViewObservation* later = article.add_view_history();
        later->mutable_captured_at()->set_seconds(1700690000 + 3600 * round);
        later->set_views(10 * round);
      }
      EXPECT_TRUE(store.Put(Batch(update)).ok());
      std::vector<v1::Article> fresh;
      for (int i = 0; i < 40; ++i) {
        fresh.push_back(MakeArticle(1710000000 + 100000 * round + 60 * i,
                                    absl::StrCat("Fresh story ", round, " ", i), 0, 1700690000));
      }
      EXPECT_TRUE(store.Put(Batch(fresh)).ok());
    }
    done.store(true);
  });

  int checked = 0;
  while (!done.load() || checked < 5) {
    v1::SearchShardRequest request;
    request.mutable_query()->mutable_match_all();
    request.set_sort(v1::SEARCH_SORT_MOST_VIEWED);
    request.set_limit(50);
    absl::StatusOr<v1::SearchShardResponse> first = store.Search(request, [] { return false; });
    ASSERT_TRUE(first.ok()) << first.status();
    ASSERT_EQ(first->positions_size(), 50);
    request.set_limit(kOld - 50);
    *request.mutable_snapshot() = first->snapshot();
    *request.mutable_after() = first->positions(49);
    absl::StatusOr<v1::SearchShardResponse> second = store.Search(request, [] { return false; });
    ASSERT_TRUE(second.ok()) << second.status();
    EXPECT_EQ(second->total_hits(), first->total_hits());
    ASSERT_EQ(second->positions_size(), kOld - 50);
    // The old articles rank first (fresh ones have 0 views), all with the count of one write.
    const int64_t views = first->positions(0).views();
    for (const auto* page : {&*first, &*second}) {
      for (const v1::SearchPosition& position : page->positions()) {
        ASSERT_EQ(position.views(), views) << "a page mixed two writes";
      }
    }
    EXPECT_EQ((first->total_hits() - kOld) % 40, 0);
    ++checked;
  }
  writer.join();
  EXPECT_GE(checked, 5);
}

}  // namespace
}  // namespace newsdb::storage

namespace newsdb::storage {
namespace {

TEST(ArticleStoreShardTest, TheDataDirectoryRemembersItsShard) {
  testing::TempDir dir;
  const article::ShardPlacement second_of_three{1, 3};
  {
    auto store = ArticleStore::Open(dir.path(), {}, {}, ArticleStore::kDefaultRequestRetention,
                                    second_of_three);
    ASSERT_TRUE(store.ok()) << store.status();
    EXPECT_EQ((*store)->shard(), second_of_three);
  }
  {
    auto same = ArticleStore::Open(dir.path(), {}, {}, ArticleStore::kDefaultRequestRetention,
                                   second_of_three);
    ASSERT_TRUE(same.ok()) << same.status();
  }
  for (const article::ShardPlacement& other :
       {article::ShardPlacement{0, 1}, article::ShardPlacement{2, 3},
        article::ShardPlacement{1, 4}}) {
    auto reopened =
        ArticleStore::Open(dir.path(), {}, {}, ArticleStore::kDefaultRequestRetention, other);
    ASSERT_EQ(reopened.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_NE(reopened.status().message().find("holds shard 1/3"), absl::string_view::npos)
        << reopened.status();
  }
}

TEST(ArticleStoreShardTest, PutRefusesArticlesOfOtherShardsAndWritesNothing) {
  testing::TempDir dir;
  auto store = ArticleStore::Open(dir.path(), {}, {}, ArticleStore::kDefaultRequestRetention,
                                  article::ShardPlacement{0, 2});
  ASSERT_TRUE(store.ok()) << store.status();
  std::vector<v1::Article> mine, theirs;
  for (int i = 0; mine.empty() || theirs.empty(); ++i) {
    v1::Article article = MakeArticle(1700631060 + 60 * i, "Routed", 10, 1700697600);
    article::ArticleId id = *article::ParseArticleId(article.id());
    (article::ShardOf(id, 2) == 0 ? mine : theirs).push_back(article);
  }
  auto refused = (*store)->Put(Batch({mine[0], theirs[0]}));
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  const std::vector<status::FieldViolation> violations =
      status::FieldViolationsOf(refused.status());
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].field, "articles[1].id");
  EXPECT_EQ(violations[0].description, "belongs to shard 1/2, not to this shard 0/2");
  EXPECT_EQ((*store)->documents(), 0);
  auto accepted = (*store)->Put(Batch({mine[0]}));
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  EXPECT_EQ((*store)->documents(), 1);
}

TEST(ArticleStoreShardTest, AStoreWithArticlesFromBeforeShardsIsTheOnlyShard) {
  testing::TempDir dir;
  {
    auto store = ArticleStore::Open(dir.path());
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE((*store)->Put(Batch({MakeArticle(1700631060, "Old", 1, 1700697600)})).ok());
  }
  auto as_two = ArticleStore::Open(dir.path(), {}, {}, ArticleStore::kDefaultRequestRetention,
                                   article::ShardPlacement{0, 2});
  EXPECT_EQ(as_two.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(ArticleStore::Open(dir.path()).ok());
}

}  // namespace
}  // namespace newsdb::storage
