#include "services/storage/storage_service.h"

#include "absl/time/clock.h"
#include "common/article/request_fields.h"
#include "common/status/grpc_status.h"
#include "common/time/timestamp.h"

namespace newsdb::storage {
namespace {

absl::StatusOr<ScanOptions> ToScanOptions(const v1::ScanArticlesRequest& request) {
  ScanOptions options;
  std::vector<status::FieldViolation> violations;
  const article::TimeBounds bounds =
      article::CheckTimeRange(request.published(), "published", violations);
  if (bounds.start != absl::InfinitePast()) options.start = bounds.start;
  if (bounds.end != absl::InfiniteFuture()) options.end = bounds.end;
  options.newest_first = request.order() != v1::PUBLICATION_ORDER_OLDEST_FIRST;
  if (request.has_resume_after()) {
    if (std::optional<article::ArticleId> id =
            article::CheckArticleId(request.resume_after().id(), "resume_after.id", violations)) {
      options.resume_after = ArticleKey{request.resume_after().published_at().seconds(), *id};
    }
  }
  if (request.limit() < 0) violations.push_back({"limit", "must not be negative"});
  options.limit = request.limit();
  options.omit_paragraphs = request.omit_paragraphs();
  if (!violations.empty()) return status::InvalidFieldsError(violations);
  return options;
}

}  // namespace

grpc::Status StorageServiceImpl::PutArticles(grpc::ServerContext* /*context*/,
                                             const v1::PutArticlesRequest* request,
                                             v1::PutArticlesResponse* response) {
  absl::StatusOr<ArticleStore::PutReply> reply =
      store_.Put(request->articles(), request->request_id());
  if (!reply.ok()) return status::ToGrpcStatus(reply.status());
  for (v1::PutResult& result : reply->results) *response->add_results() = std::move(result);
  response->set_replayed(reply->replayed);
  return grpc::Status::OK;
}

grpc::Status StorageServiceImpl::GetArticle(grpc::ServerContext* /*context*/,
                                            const v1::GetArticleRequest* request,
                                            v1::Article* response) {
  absl::StatusOr<v1::Article> article = store_.Get(request->id());
  if (!article.ok()) return status::ToGrpcStatus(article.status());
  *response = *std::move(article);
  return grpc::Status::OK;
}

grpc::Status StorageServiceImpl::ScanArticles(grpc::ServerContext* context,
                                              const v1::ScanArticlesRequest* request,
                                              grpc::ServerWriter<v1::Article>* writer) {
  absl::StatusOr<ScanOptions> options = ToScanOptions(*request);
  if (!options.ok()) return status::ToGrpcStatus(options.status());
  bool cancelled = false;
  absl::Status scanned = store_.Scan(*options, [&](const v1::Article& article) {
    if (context->IsCancelled() || !writer->Write(article)) {
      cancelled = true;
      return false;
    }
    return true;
  });
  if (cancelled) return grpc::Status(grpc::StatusCode::CANCELLED, "scan cancelled by the client");
  return status::ToGrpcStatus(scanned);
}

grpc::Status StorageServiceImpl::SearchShard(grpc::ServerContext* context,
                                             const v1::SearchShardRequest* request,
                                             v1::SearchShardResponse* response) {
  const absl::Time deadline = absl::FromChrono(context->deadline());
  bool deadline_passed = false;
  absl::StatusOr<v1::SearchShardResponse> found = store_.Search(*request, [&] {
    deadline_passed = absl::Now() > deadline;
    return deadline_passed || context->IsCancelled();
  });
  if (!found.ok()) {
    if (deadline_passed) {
      return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "search ran past the deadline");
    }
    return status::ToGrpcStatus(found.status());
  }
  *response = *std::move(found);
  return grpc::Status::OK;
}

}  // namespace newsdb::storage
