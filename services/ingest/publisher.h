#ifndef NEWSDB_SERVICES_INGEST_PUBLISHER_H_
#define NEWSDB_SERVICES_INGEST_PUBLISHER_H_

// Publishes article batches to a storage shard over its generated gRPC stub, retrying with
// exponential backoff while storage is unavailable (down, restarting, or not yet reachable) until
// the caller's deadline. PutArticles is idempotent, so a retry after an unanswered attempt cannot
// double-count. Thread-safe.

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "newsdb/v1/storage_service.grpc.pb.h"
#include "services/ingest/feed_ingestion.h"

namespace newsdb::ingest {

struct RetryPolicy {
  absl::Duration initial_backoff = absl::Milliseconds(50);
  absl::Duration max_backoff = absl::Seconds(2);
  absl::Duration attempt_timeout = absl::Seconds(60);
};

class StoragePublisher final : public BatchPublisher {
 public:
  StoragePublisher(const std::shared_ptr<grpc::Channel>& channel, RetryPolicy policy = {});

  // Errors: UNAVAILABLE when storage stayed unreachable for `retry_budget` since the first failed
  // attempt, or until `deadline`; otherwise storage's own status.
  absl::StatusOr<v1::PutArticlesResponse> Publish(const v1::PutArticlesRequest& request,
                                                  absl::Time deadline,
                                                  absl::Duration retry_budget) override;

 private:
  std::unique_ptr<v1::StorageService::Stub> stub_;
  RetryPolicy policy_;
};

// A channel to `address` with newsdb's message-size limits.
std::shared_ptr<grpc::Channel> MakeStorageChannel(const std::string& address);

}  // namespace newsdb::ingest

#endif  // NEWSDB_SERVICES_INGEST_PUBLISHER_H_
