#include "services/ingest/ingest_service.h"

#include <algorithm>
#include <cstdint>
#include <functional>

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
            << ", errors " << response->errors_size() + response->errors_omitted();
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
  options.set_omit_article_ids(request->omit_article_ids());
  absl::StatusOr<IngestOptions> ingest_options = MakeIngestOptions(options, "");
  if (!ingest_options.ok()) return status::ToGrpcStatus(ingest_options.status());
  SetLimits(*context, *ingest_options);
  FeedIngestion ingestion(*std::move(ingest_options), publisher_, absl::Now());
  absl::Status consumed = ingestion.Consume(request->content());
  if (!consumed.ok()) return status::ToGrpcStatus(consumed);
  if (context->IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "call cancelled");
  return Finished(ingestion, *context, response);
}

grpc::Status IngestServiceImpl::ConsumeStream(
    grpc::ServerContext& context, const std::function<bool(v1::FeedChunk*)>& read,
    const std::function<bool(const FeedIngestion&, bool batch_stored)>& on_progress,
    v1::IngestFeedResponse* response) {
  v1::FeedChunk chunk;
  if (!read(&chunk)) {
    return status::ToGrpcStatus(status::InvalidFieldError("chunks", "the stream sent no chunk"));
  }
  const v1::FeedOptions first_options = chunk.options();
  absl::StatusOr<IngestOptions> ingest_options = MakeIngestOptions(first_options, "options.");
  if (!ingest_options.ok()) return status::ToGrpcStatus(ingest_options.status());
  SetLimits(context, *ingest_options);
  FeedIngestion ingestion(*std::move(ingest_options), publisher_, absl::Now());
  int64_t index = 0;
  do {
    if (index > 0 && chunk.has_options() &&
        !google::protobuf::util::MessageDifferencer::Equals(chunk.options(), first_options)) {
      return status::ToGrpcStatus(status::InvalidFieldError(
          "options", "differs from the first chunk's options; send options once"));
    }
    const int64_t stored_before = ingestion.articles_stored();
    absl::Status consumed = ingestion.Consume(chunk.content());
    if (!consumed.ok()) return status::ToGrpcStatus(consumed);
    if (context.IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "call cancelled");
    if (on_progress && !on_progress(ingestion, ingestion.articles_stored() != stored_before)) {
      return grpc::Status(grpc::StatusCode::CANCELLED, "the client stopped reading progress");
    }
    ++index;
  } while (read(&chunk));
  return Finished(ingestion, context, response);
}

grpc::Status IngestServiceImpl::StreamFeed(grpc::ServerContext* context,
                                           grpc::ServerReader<v1::FeedChunk>* reader,
                                           v1::IngestFeedResponse* response) {
  return ConsumeStream(
      *context, [reader](v1::FeedChunk* chunk) { return reader->Read(chunk); }, nullptr, response);
}

grpc::Status IngestServiceImpl::StreamFeedWithProgress(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<v1::IngestFeedEvent, v1::FeedChunk>* stream) {
  constexpr absl::Duration kInterval = absl::Milliseconds(250);
  absl::Time last_sent = absl::InfinitePast();
  v1::IngestFeedEvent event;
  auto on_progress = [&](const FeedIngestion& ingestion, bool batch_stored) {
    const absl::Time now = absl::Now();
    if (!batch_stored && now - last_sent < kInterval) return true;
    last_sent = now;
    *event.mutable_progress() = ingestion.Progress();
    return stream->Write(event);
  };
  v1::IngestFeedResponse response;
  grpc::Status status = ConsumeStream(
      *context, [stream](v1::FeedChunk* chunk) { return stream->Read(chunk); }, on_progress,
      &response);
  if (!status.ok()) return status;
  *event.mutable_result() = std::move(response);
  if (!stream->Write(event)) {
    return grpc::Status(grpc::StatusCode::CANCELLED, "the client went away before the result");
  }
  return grpc::Status::OK;
}

}  // namespace newsdb::ingest
