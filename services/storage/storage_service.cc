#include "services/storage/storage_service.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/article/request_fields.h"
#include "common/article/shard.h"
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

// FAILED_PRECONDITION unless `expected` is unset or names `shard`: a caller that routes by a
// shard list in another order, or with another count, must not read or write here.
grpc::Status CheckExpectedShard(const article::ShardPlacement& shard, bool has_expected,
                                const v1::ShardPlacement& expected) {
  if (!has_expected || (expected.index() == shard.index && expected.count() == shard.count)) {
    return grpc::Status::OK;
  }
  return status::ToGrpcStatus(absl::FailedPreconditionError(
      absl::StrCat("this storage process is shard ", article::FormatShardPlacement(shard),
                   "; the caller expected shard ", expected.index(), "/", expected.count(),
                   " (check the order and count of its --storage list)")));
}

// A search's deadline and cancellation, polled by the index.
struct SearchDeadline {
  explicit SearchDeadline(grpc::ServerContext* server_context)
      : context(server_context), deadline(absl::FromChrono(server_context->deadline())) {}
  bool operator()() const {
    passed = absl::Now() > deadline;
    return passed || context->IsCancelled();
  }
  grpc::ServerContext* context;
  absl::Time deadline;
  mutable bool passed = false;
};

// A call that searches the index: the expected shard checked, `run` given the call's deadline
// and cancellation to poll, and a search stopped by the deadline reported as DEADLINE_EXCEEDED.
template <typename Response, typename Run>
grpc::Status RunSearch(grpc::ServerContext* context, const article::ShardPlacement& shard,
                       const v1::SearchShardRequest& request, Response* response, Run run) {
  if (grpc::Status placed = CheckExpectedShard(shard, request.has_shard(), request.shard());
      !placed.ok()) {
    return placed;
  }
  SearchDeadline cancelled(context);
  absl::StatusOr<Response> result = run(cancelled);
  if (!result.ok()) {
    if (cancelled.passed) {
      return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "search ran past the deadline");
    }
    return status::ToGrpcStatus(result.status());
  }
  *response = *std::move(result);
  return grpc::Status::OK;
}

}  // namespace

grpc::Status StorageServiceImpl::PutArticles(grpc::ServerContext* /*context*/,
                                             const v1::PutArticlesRequest* request,
                                             v1::PutArticlesResponse* response) {
  if (grpc::Status placed =
          CheckExpectedShard(store_.shard(), request->has_shard(), request->shard());
      !placed.ok()) {
    return placed;
  }
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
  if (grpc::Status placed =
          CheckExpectedShard(store_.shard(), request->has_shard(), request->shard());
      !placed.ok()) {
    return placed;
  }
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
  return RunSearch(
      context, store_.shard(), *request, response,
      [&](const SearchDeadline& cancelled) { return store_.Search(*request, cancelled); });
}

grpc::Status StorageServiceImpl::GetSearchStatistics(grpc::ServerContext* context,
                                                     const v1::SearchShardRequest* request,
                                                     v1::SearchStatistics* response) {
  return RunSearch(
      context, store_.shard(), *request, response,
      [&](const SearchDeadline& cancelled) { return store_.Statistics(*request, cancelled); });
}

grpc::Status StorageServiceImpl::GetShardInfo(grpc::ServerContext* /*context*/,
                                              const v1::GetShardInfoRequest* /*request*/,
                                              v1::ShardInfo* response) {
  response->mutable_shard()->set_index(store_.shard().index);
  response->mutable_shard()->set_count(store_.shard().count);
  response->set_documents(store_.documents());
  return grpc::Status::OK;
}

}  // namespace newsdb::storage
