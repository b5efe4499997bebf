#include "services/ingest/ingest_service.h"

#include <algorithm>

#include "absl/time/clock.h"
#include "common/log/log.h"
#include "common/status/grpc_status.h"
#include "google/protobuf/util/message_differencer.h"

namespace newsdb::ingest {
namespace {

grpc::Status Finished(FeedIngestion& ingestion, const grpc::ServerContext& context,
                      v1::IngestFeedResponse* response) {
  absl::StatusOr<v1::IngestFeedResponse> result = ingestion.Finish();
  if (!result.ok()) return status::ToGrpcStatus(result.status());
  *response = *std::move(result);
  LOG(INFO) << "Ingested from " << context.peer() << ": parsed " << response->articles_parsed()
            << ", created " << response->articles_created() << ", updated "
            << response->articles_updated() << ", unchanged " << response->articles_unchanged()
            << ", errors " << response->errors_size();
  return grpc::Status::OK;
}

}  // namespace

void IngestServiceImpl::SetLimits(const grpc::ServerContext& context,
                                  IngestOptions& options) const {
  options.deadline = absl::FromChrono(context.deadline());
  options.retry_budget = retry_budget_;
}

grpc::Status IngestServiceImpl::IngestFeed(grpc::ServerContext* context,
                                           const v1::IngestFeedRequest* request,
                                           v1::IngestFeedResponse* response) {
  v1::FeedOptions options;
  options.set_source(request->source());
  options.set_time_zone(request->time_zone());
  if (request->has_captured_at()) *options.mutable_captured_at() = request->captured_at();
  absl::StatusOr<IngestOptions> ingest_options = MakeIngestOptions(options, "");
  if (!ingest_options.ok()) return status::ToGrpcStatus(ingest_options.status());
  SetLimits(*context, *ingest_options);
  FeedIngestion ingestion(*std::move(ingest_options), publisher_, absl::Now());
  absl::Status consumed = ingestion.Consume(request->content());
  if (!consumed.ok()) return status::ToGrpcStatus(consumed);
  if (context->IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "call cancelled");
  return Finished(ingestion, *context, response);
}

grpc::Status IngestServiceImpl::StreamFeed(grpc::ServerContext* context,
                                           grpc::ServerReader<v1::FeedChunk>* reader,
                                           v1::IngestFeedResponse* response) {
  v1::FeedChunk chunk;
  if (!reader->Read(&chunk)) {
    return status::ToGrpcStatus(status::InvalidFieldError("chunks", "the stream sent no chunk"));
  }
  const v1::FeedOptions first_options = chunk.options();
  absl::StatusOr<IngestOptions> ingest_options = MakeIngestOptions(first_options, "options.");
  if (!ingest_options.ok()) return status::ToGrpcStatus(ingest_options.status());
  SetLimits(*context, *ingest_options);
  FeedIngestion ingestion(*std::move(ingest_options), publisher_, absl::Now());
  int64_t index = 0;
  do {
    if (index > 0 && chunk.has_options() &&
        !google::protobuf::util::MessageDifferencer::Equals(chunk.options(), first_options)) {
      return status::ToGrpcStatus(status::InvalidFieldError(
          "options", "differs from the first chunk's options; send options once"));
    }
    absl::Status consumed = ingestion.Consume(chunk.content());
    if (!consumed.ok()) return status::ToGrpcStatus(consumed);
    if (context->IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "call cancelled");
    ++index;
  } while (reader->Read(&chunk));
  return Finished(ingestion, *context, response);
}

}  // namespace newsdb::ingest
