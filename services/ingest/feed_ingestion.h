#ifndef NEWSDB_SERVICES_INGEST_FEED_INGESTION_H_
#define NEWSDB_SERVICES_INGEST_FEED_INGESTION_H_

// Turns one feed dump into stored articles: parses it as it arrives (FeedParser), gives every good
// record its capture observation, publishes batches through a BatchPublisher, and tallies the
// outcome into an IngestFeedResponse. Memory is bounded by one batch plus the parser's buffers, the
// first 1,000 errors, and 8 bytes per stored article for the ids (none with omit_article_ids).
//
// Not thread-safe: one FeedIngestion serves one call.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/article/article_id.h"
#include "newsdb/v1/ingest_service.pb.h"
#include "newsdb/v1/storage_service.pb.h"
#include "services/ingest/feed_parser.h"

namespace newsdb::ingest {

// Stores batches of articles. Implemented over StorageService stubs in publisher.h; tests use a
// fake.
class BatchPublisher {
 public:
  virtual ~BatchPublisher() = default;
  // Stores `request` (idempotently) before `deadline`, returning one result per article. While
  // storage is unavailable it retries for at most `retry_budget`, counted from this batch's first
  // failed attempt (not from the start of the call): a long dump is bounded by its call's deadline
  // alone, and a storage outage by the budget.
  // Errors: UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED, INVALID_ARGUMENT (a bug in ingest) ...
  virtual absl::StatusOr<v1::PutArticlesResponse> Publish(const v1::PutArticlesRequest& request,
                                                          absl::Time deadline,
                                                          absl::Duration retry_budget) = 0;
};

// Validated options of one ingestion.
struct IngestOptions {
  std::string source = "unknown";
  absl::TimeZone time_zone;
  std::optional<absl::Time> captured_at;                   // overrides the dump header
  absl::Time deadline = absl::InfiniteFuture();            // of the whole call
  absl::Duration retry_budget = absl::InfiniteDuration();  // per batch, see BatchPublisher
  int max_batch_articles = 2000;
  int64_t max_batch_bytes = 8 << 20;
  // Batch N is sent with request_id "<prefix>/<N>" (storage's request ledger answers a resend
  // with the first answer, so counts stay exact across lost responses and restarts). Empty: a
  // random prefix for this ingestion. The spool gives each file its own, fixed across restarts.
  std::string request_id_prefix;
  // The response leaves article_ids empty (FeedOptions.omit_article_ids).
  bool omit_article_ids = false;
};

// Checks and converts request options. Errors: INVALID_ARGUMENT with a BadRequest naming the field
// (`source`, `time_zone`, `captured_at`; prefixed with `field_prefix`, e.g. "options.").
absl::StatusOr<IngestOptions> MakeIngestOptions(const v1::FeedOptions& options,
                                                absl::string_view field_prefix);

class FeedIngestion {
 public:
  // `publisher` must outlive this object. `now` is the ingest time, used as the capture time of a
  // dump that has no header and no captured_at option.
  FeedIngestion(IngestOptions options, BatchPublisher& publisher, absl::Time now);

  // Parses the next bytes of the dump and publishes full batches.
  // Errors: the publisher's; after an error, further calls return it again.
  absl::Status Consume(absl::string_view chunk);

  // Ends the dump, publishes the rest, and returns the tally.
  absl::StatusOr<v1::IngestFeedResponse> Finish();

  // Articles acknowledged by storage so far.
  int64_t articles_stored() const { return stored_; }

  // Bytes consumed, good records parsed, records stored and errors found so far.
  v1::IngestProgress Progress() const;

  // The response lists this many errors; it counts the rest in `errors_omitted`.
  static constexpr int kMaxListedErrors = 1000;

 private:
  void OnArticle(ParsedArticle parsed);
  void OnError(FeedRecordError error);
  absl::Status PublishBatch();
  // Capture time of articles of a dump whose header has `date` (nullopt: none).
  absl::Time CaptureTime(const std::optional<absl::CivilDay>& date) const;

  IngestOptions options_;
  BatchPublisher& publisher_;
  absl::Time now_;
  FeedParser parser_;
  v1::PutArticlesRequest batch_;
  int64_t batch_bytes_ = 0;
  absl::Status status_;
  int64_t stored_ = 0;
  int64_t batches_ = 0;
  int64_t bytes_consumed_ = 0;
  int64_t articles_parsed_ = 0;
  // Ids of the stored articles in dump order, 8 bytes each (the response's strings take ~10
  // times that); turned into article_ids by Finish. Empty with omit_article_ids.
  std::vector<article::ArticleId> stored_ids_;
  v1::IngestFeedResponse response_;
};

}  // namespace newsdb::ingest

#endif  // NEWSDB_SERVICES_INGEST_FEED_INGESTION_H_
