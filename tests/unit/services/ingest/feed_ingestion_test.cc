#include "services/ingest/feed_ingestion.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status/field_errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace newsdb::ingest {
namespace {

using ::testing::ElementsAre;
using ::testing::SizeIs;

// Stores in memory and answers like storage: CREATED the first time an id is seen.
class FakePublisher final : public BatchPublisher {
 public:
  absl::StatusOr<v1::PutArticlesResponse> Publish(const v1::PutArticlesRequest& request,
                                                  absl::Time /*deadline*/,
                                                  absl::Duration /*retry_budget*/) override {
    if (fail_after_batches >= 0 && static_cast<int>(batches.size()) >= fail_after_batches) {
      return absl::UnavailableError("storage is down");
    }
    batches.push_back(request);
    v1::PutArticlesResponse response;
    for (const v1::Article& article : request.articles()) {
      v1::PutResult* result = response.add_results();
      result->set_id(article.id());
      const bool known = std::find(seen.begin(), seen.end(), article.id()) != seen.end();
      result->set_outcome(known ? v1::PUT_OUTCOME_UNCHANGED : v1::PUT_OUTCOME_CREATED);
      seen.push_back(article.id());
    }
    return response;
  }

  std::vector<v1::PutArticlesRequest> batches;
  std::vector<std::string> seen;
  int fail_after_batches = -1;
};

std::string Dump(int articles) {
  std::string dump = " date 2023-11-23 ";
  for (int i = 0; i < articles; ++i) {
    absl::StrAppend(&dump, "22.11.2023, ", 10 + i / 60, ":", absl::StrFormat("%02d", i % 60), " ",
                    100 + i, "\nTitle number ", i, "\nImages | Akorda\nBody of ", i, ".\n");
  }
  return dump;
}

IngestOptions Options() {
  absl::StatusOr<IngestOptions> options = MakeIngestOptions(v1::FeedOptions(), "");
  EXPECT_TRUE(options.ok());
  return *options;
}

TEST(FeedIngestionTest, PublishesInBatchesAndTalliesOutcomes) {
  FakePublisher publisher;
  IngestOptions options = Options();
  options.max_batch_articles = 4;
  FeedIngestion ingestion(options, publisher, absl::FromUnixSeconds(0));
  ASSERT_TRUE(ingestion.Consume(Dump(10)).ok());
  absl::StatusOr<v1::IngestFeedResponse> response = ingestion.Finish();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_THAT(publisher.batches, SizeIs(3));  // 4 + 4 + 2
  EXPECT_EQ(response->articles_parsed(), 10);
  EXPECT_EQ(response->articles_created(), 10);
  EXPECT_THAT(response->article_ids(), SizeIs(10));
  EXPECT_THAT(response->errors(), SizeIs(0));
}

TEST(FeedIngestionTest, BatchesCarryRequestIdsOfTheirPrefixAndNumber) {
  FakePublisher publisher;
  IngestOptions options = Options();
  options.max_batch_articles = 4;
  options.request_id_prefix = "spool/f00d";
  FeedIngestion ingestion(options, publisher, absl::FromUnixSeconds(0));
  ASSERT_TRUE(ingestion.Consume(Dump(10)).ok());
  ASSERT_TRUE(ingestion.Finish().ok());
  ASSERT_THAT(publisher.batches, SizeIs(3));
  EXPECT_EQ(publisher.batches[0].request_id(), "spool/f00d/0");
  EXPECT_EQ(publisher.batches[2].request_id(), "spool/f00d/2");

  // Without a prefix each ingestion gets its own random one, so two calls never share ids.
  FakePublisher other;
  for (int call = 0; call < 2; ++call) {
    FeedIngestion plain(Options(), other, absl::FromUnixSeconds(0));
    ASSERT_TRUE(plain.Consume(Dump(1)).ok());
    ASSERT_TRUE(plain.Finish().ok());
  }
  ASSERT_THAT(other.batches, SizeIs(2));
  EXPECT_THAT(other.batches[0].request_id(), ::testing::StartsWith("ingest/"));
  EXPECT_NE(other.batches[0].request_id(), other.batches[1].request_id());
}

TEST(FeedIngestionTest, CaptureTimeIsTheDumpHeaderDateInTheFeedZone) {
  FakePublisher publisher;
  FeedIngestion ingestion(Options(), publisher, absl::FromUnixSeconds(0));
  ASSERT_TRUE(ingestion.Consume(Dump(1)).ok());
  ASSERT_TRUE(ingestion.Finish().ok());
  const v1::Article& article = publisher.batches.at(0).articles(0);
  // 2023-11-23 00:00 in Asia/Almaty (UTC+6) is 2023-11-22T18:00:00Z.
  EXPECT_EQ(article.view_history(0).captured_at().seconds(), 1700676000);
  EXPECT_EQ(article.view_history(0).views(), 100);
  EXPECT_EQ(article.source(), "unknown");
  // 22.11.2023 10:00 local is 04:00 UTC.
  EXPECT_EQ(article.published_at().seconds(), 1700625600);
}

TEST(FeedIngestionTest, EachConcatenatedDumpGivesItsArticlesItsOwnCaptureTime) {
  FakePublisher publisher;
  FeedIngestion ingestion(Options(), publisher, absl::FromUnixSeconds(0));
  // The second capture repeats the first article with more views and adds one.
  ASSERT_TRUE(ingestion
                  .Consume(Dump(2) + " date 2023-11-25 22.11.2023, 10:00 900\nTitle number 0\n"
                                     "Images | Akorda\nBody of 0.\n24.11.2023, 09:00 5\nNew\nB\n")
                  .ok());
  absl::StatusOr<v1::IngestFeedResponse> response = ingestion.Finish();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->articles_parsed(), 4);
  EXPECT_EQ(response->articles_created(), 3);
  EXPECT_EQ(response->articles_unchanged(), 1);
  EXPECT_THAT(response->errors(), SizeIs(0));
  ASSERT_THAT(response->captures(), SizeIs(2));
  // Midnight in Asia/Almaty (UTC+6): 2023-11-23 is 1700676000, 2023-11-25 is 1700848800.
  EXPECT_EQ(response->captures(0).line(), 1);
  EXPECT_EQ(response->captures(0).captured_at().seconds(), 1700676000);
  EXPECT_EQ(response->captures(0).articles_parsed(), 2);
  EXPECT_EQ(response->captures(1).line(), 9);
  EXPECT_EQ(response->captures(1).captured_at().seconds(), 1700848800);
  EXPECT_EQ(response->captures(1).articles_parsed(), 2);
  EXPECT_EQ(response->captured_at().seconds(), 1700676000);
  const v1::PutArticlesRequest& batch = publisher.batches.at(0);
  ASSERT_EQ(batch.articles_size(), 4);
  EXPECT_EQ(batch.articles(2).id(), batch.articles(0).id());
  EXPECT_EQ(batch.articles(2).view_history(0).captured_at().seconds(), 1700848800);
  EXPECT_EQ(batch.articles(2).view_history(0).views(), 900);
  EXPECT_EQ(batch.articles(3).view_history(0).captured_at().seconds(), 1700848800);
}

TEST(FeedIngestionTest, ExplicitCaptureTimeWinsAndADumpWithoutHeaderUsesTheIngestTime) {
  FakePublisher publisher;
  v1::FeedOptions wire;
  wire.mutable_captured_at()->set_seconds(1700000000);
  wire.set_source("kazinform");
  FeedIngestion explicit_time(*MakeIngestOptions(wire, ""), publisher, absl::FromUnixSeconds(5));
  ASSERT_TRUE(explicit_time.Consume(Dump(1)).ok());
  ASSERT_TRUE(explicit_time.Finish().ok());
  EXPECT_EQ(publisher.batches.at(0).articles(0).view_history(0).captured_at().seconds(),
            1700000000);
  EXPECT_EQ(publisher.batches.at(0).articles(0).source(), "kazinform");

  FeedIngestion no_header(Options(), publisher, absl::FromUnixSeconds(1234567));
  ASSERT_TRUE(no_header.Consume("22.11.2023, 10:00 7\nTitle\nBody\n").ok());
  ASSERT_TRUE(no_header.Finish().ok());
  EXPECT_EQ(publisher.batches.at(1).articles(0).view_history(0).captured_at().seconds(), 1234567);
}

TEST(FeedIngestionTest, BadRecordsAreReportedWhileGoodOnesArePublished) {
  FakePublisher publisher;
  FeedIngestion ingestion(Options(), publisher, absl::FromUnixSeconds(0));
  ASSERT_TRUE(ingestion
                  .Consume("22.11.2023, 10:00 7\nGood one\nBody\n31.02.2023, 10:00 7\nBad date\n"
                           "Body\n21.11.2023, 09:00 8\nGood two\nBody\n")
                  .ok());
  absl::StatusOr<v1::IngestFeedResponse> response = ingestion.Finish();
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->articles_parsed(), 2);
  ASSERT_THAT(response->errors(), SizeIs(1));
  EXPECT_EQ(response->errors(0).line(), 4);
  EXPECT_THAT(response->errors(0).message(), ::testing::HasSubstr("31.02.2023"));
}

TEST(FeedIngestionTest, ListsTheFirstThousandErrorsAndCountsTheRest) {
  FakePublisher publisher;
  FeedIngestion ingestion(Options(), publisher, absl::FromUnixSeconds(0));
  const int bad = FeedIngestion::kMaxListedErrors + 234;
  std::string dump = "22.11.2023, 10:00 7\nGood one\nBody\n";
  for (int i = 0; i < bad; ++i) absl::StrAppend(&dump, "31.02.2023, 10:00 7\nBad ", i, "\nBody\n");
  absl::StrAppend(&dump, "21.11.2023, 09:00 8\nGood two\nBody\n");
  ASSERT_TRUE(ingestion.Consume(dump).ok());
  EXPECT_EQ(ingestion.Progress().errors(), bad);
  absl::StatusOr<v1::IngestFeedResponse> response = ingestion.Finish();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->articles_parsed(), 2);
  ASSERT_THAT(response->errors(), SizeIs(FeedIngestion::kMaxListedErrors));
  EXPECT_EQ(response->errors_omitted(), 234);
  EXPECT_EQ(response->errors(0).line(), 4);
  EXPECT_EQ(response->errors(FeedIngestion::kMaxListedErrors - 1).line(),
            4 + 3 * (FeedIngestion::kMaxListedErrors - 1));
}

TEST(FeedIngestionTest, OmitArticleIdsLeavesThemOutAndKeepsTheCounts) {
  FakePublisher publisher;
  IngestOptions options = Options();
  options.max_batch_articles = 4;
  FeedIngestion listed(options, publisher, absl::FromUnixSeconds(0));
  ASSERT_TRUE(listed.Consume(Dump(10)).ok());
  absl::StatusOr<v1::IngestFeedResponse> with_ids = listed.Finish();
  ASSERT_TRUE(with_ids.ok()) << with_ids.status();
  ASSERT_THAT(with_ids->article_ids(), SizeIs(10));
  EXPECT_EQ(with_ids->article_ids(0), publisher.batches[0].articles(0).id());
  EXPECT_EQ(with_ids->article_ids(9), publisher.batches[2].articles(1).id());

  options.omit_article_ids = true;
  FeedIngestion omitted(options, publisher, absl::FromUnixSeconds(0));
  ASSERT_TRUE(omitted.Consume(Dump(10)).ok());
  absl::StatusOr<v1::IngestFeedResponse> without = omitted.Finish();
  ASSERT_TRUE(without.ok()) << without.status();
  EXPECT_THAT(without->article_ids(), SizeIs(0));
  EXPECT_EQ(without->articles_parsed(), 10);
  EXPECT_EQ(without->articles_unchanged(), 10);  // the same dump again

  v1::FeedOptions wire;
  wire.set_omit_article_ids(true);
  absl::StatusOr<IngestOptions> made = MakeIngestOptions(wire, "");
  ASSERT_TRUE(made.ok());
  EXPECT_TRUE(made->omit_article_ids);
}

TEST(FeedIngestionTest, ProgressCountsBytesParsedAndStoredArticles) {
  FakePublisher publisher;
  IngestOptions options = Options();
  options.max_batch_articles = 4;
  FeedIngestion ingestion(options, publisher, absl::FromUnixSeconds(0));
  const std::string dump = Dump(10);
  const size_t half = dump.size() / 2;
  ASSERT_TRUE(ingestion.Consume(dump.substr(0, half)).ok());
  v1::IngestProgress progress = ingestion.Progress();
  EXPECT_EQ(progress.bytes_read(), static_cast<int64_t>(half));
  EXPECT_EQ(progress.articles_stored(), 4);  // one full batch so far
  EXPECT_GE(progress.articles_parsed(), progress.articles_stored());
  EXPECT_LT(progress.articles_parsed(), 10);
  ASSERT_TRUE(ingestion.Consume(dump.substr(half)).ok());
  progress = ingestion.Progress();
  EXPECT_EQ(progress.bytes_read(), static_cast<int64_t>(dump.size()));
  EXPECT_EQ(progress.articles_stored(), 8);
  EXPECT_EQ(progress.errors(), 0);
  ASSERT_TRUE(ingestion.Finish().ok());
}

TEST(FeedIngestionTest, StorageFailureFailsTheCallAndStopsPublishing) {
  FakePublisher publisher;
  publisher.fail_after_batches = 1;
  IngestOptions options = Options();
  options.max_batch_articles = 2;
  FeedIngestion ingestion(options, publisher, absl::FromUnixSeconds(0));
  absl::Status consumed = ingestion.Consume(Dump(6));
  EXPECT_EQ(consumed.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(consumed.message()), ::testing::HasSubstr("after 2 were stored"));
  EXPECT_EQ(ingestion.Finish().status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ingestion.articles_stored(), 2);
  EXPECT_THAT(publisher.batches, SizeIs(1));
}

TEST(FeedIngestionTest, BadOptionsNameTheirFields) {
  v1::FeedOptions wire;
  wire.set_source("Bad Source!");
  wire.set_time_zone("Mars/Olympus_Mons");
  absl::StatusOr<IngestOptions> options = MakeIngestOptions(wire, "options.");
  ASSERT_EQ(options.status().code(), absl::StatusCode::kInvalidArgument);
  std::vector<std::string> fields;
  for (const auto& violation : status::FieldViolationsOf(options.status())) {
    fields.push_back(violation.field);
  }
  EXPECT_THAT(fields, ElementsAre("options.source", "options.time_zone"));
}

}  // namespace
}  // namespace newsdb::ingest
