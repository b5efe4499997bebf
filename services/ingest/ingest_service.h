#ifndef NEWSDB_SERVICES_INGEST_INGEST_SERVICE_H_
#define NEWSDB_SERVICES_INGEST_INGEST_SERVICE_H_

// gRPC adapter of newsdb.v1.IngestService: one FeedIngestion per call, publishing to storage
// through a BatchPublisher (which it does not own). Thread-safe.

#include <functional>

#include "absl/time/time.h"
#include "newsdb/v1/ingest_service.grpc.pb.h"
#include "services/ingest/feed_ingestion.h"

namespace newsdb::ingest {

class IngestServiceImpl final : public v1::IngestService::Service {
 public:
  // `retry_budget` bounds how long one batch waits for an unavailable storage (from that batch's
  // first failure) when the call's own deadline is later (or unset). The call's deadline alone
  // bounds the call.
  IngestServiceImpl(BatchPublisher& publisher, absl::Duration retry_budget)
      : publisher_(publisher), retry_budget_(retry_budget) {}

  grpc::Status IngestFeed(grpc::ServerContext* context, const v1::IngestFeedRequest* request,
                          v1::IngestFeedResponse* response) override;
  grpc::Status StreamFeed(grpc::ServerContext* context, grpc::ServerReader<v1::FeedChunk>* reader,
                          v1::IngestFeedResponse* response) override;
  grpc::Status StreamFeedWithProgress(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<v1::IngestFeedEvent, v1::FeedChunk>* stream) override;

 private:
  // Reads a stream of chunks (`read` returns false at its end) into one FeedIngestion. After each
  // chunk, `on_progress` (if set) is told whether a batch was stored; it returns false when the
  // client is gone.
  grpc::Status ConsumeStream(
      grpc::ServerContext& context, const std::function<bool(v1::FeedChunk*)>& read,
      const std::function<bool(const FeedIngestion&, bool batch_stored)>& on_progress,
      v1::IngestFeedResponse* response);

  // The call's deadline and the per-batch retry budget.
  void SetLimits(const grpc::ServerContext& context, IngestOptions& options) const;

  BatchPublisher& publisher_;
  absl::Duration retry_budget_;
};

}  // namespace newsdb::ingest

#endif  // NEWSDB_SERVICES_INGEST_INGEST_SERVICE_H_
