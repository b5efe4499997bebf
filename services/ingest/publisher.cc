#include "services/ingest/publisher.h"

#include <algorithm>
#include <random>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/status/grpc_status.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace newsdb::ingest {
namespace {

bool IsRetryable(grpc::StatusCode code) {
  // UNAVAILABLE: storage down or restarting. RESOURCE_EXHAUSTED is not retried: the batch is too
  // big and would fail again.
  return code == grpc::StatusCode::UNAVAILABLE;
}

}  // namespace

std::shared_ptr<grpc::Channel> MakeStorageChannel(const std::string& address) {
  grpc::ChannelArguments arguments;
  arguments.SetMaxReceiveMessageSize(64 << 20);
  arguments.SetMaxSendMessageSize(64 << 20);
  // Reconnect quickly after storage restarts rather than after gRPC's default 1..120 s backoff.
  arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), arguments);
}

StoragePublisher::StoragePublisher(const std::shared_ptr<grpc::Channel>& channel,
                                   RetryPolicy policy)
    : stub_(v1::StorageService::NewStub(channel)), policy_(policy) {}

absl::StatusOr<v1::PutArticlesResponse> StoragePublisher::Publish(
    const v1::PutArticlesRequest& request, absl::Time deadline, absl::Duration retry_budget) {
  thread_local std::minstd_rand jitter(std::random_device{}());
  absl::Duration backoff = policy_.initial_backoff;
  grpc::Status last;
  // Set at the first failure: from then on the batch retries until the budget or the deadline.
  absl::Time give_up = absl::InfiniteFuture();
  for (int attempt = 1;; ++attempt) {
    grpc::ClientContext context;
    context.set_deadline(
        absl::ToChronoTime(std::min(deadline, absl::Now() + policy_.attempt_timeout)));
    v1::PutArticlesResponse response;
    last = stub_->PutArticles(&context, request, &response);
    if (last.ok()) return response;
    if (!IsRetryable(last.error_code())) return status::FromGrpcStatus(last);
    if (attempt == 1) give_up = std::min(deadline, absl::Now() + retry_budget);
    // Full jitter keeps many ingest replicas from retrying in lockstep. The last attempt comes
    // when the budget ends, so a batch gives up after the budget, not up to a backoff before it.
    const absl::Duration left = give_up - absl::Now();
    if (left <= absl::ZeroDuration()) break;
    const absl::Duration sleep =
        std::min(left, backoff * std::uniform_real_distribution<double>(0.5, 1.0)(jitter));
    LOG(WARNING) << "Storage unavailable (attempt " << attempt << "): " << last.error_message()
                 << "; retrying in " << sleep;
    absl::SleepFor(sleep);
    backoff = std::min(backoff * 2, policy_.max_backoff);
  }
  return absl::UnavailableError(absl::StrCat(
      "storage unavailable for ", absl::FormatDuration(retry_budget),
      " (the storage retry budget, --storage_retry_timeout) or until the call's deadline: ",
      last.error_message()));
}

}  // namespace newsdb::ingest
