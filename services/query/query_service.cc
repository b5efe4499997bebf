#include "services/query/query_service.h"

#include <utility>

#include "common/status/grpc_status.h"
#include "grpcpp/server_context.h"

namespace newsdb::query {
namespace {

CallScope ScopeOf(grpc::ServerContext* context) {
  CallScope scope;
  scope.deadline = absl::FromChrono(context->deadline());
  scope.cancelled = [context] { return context->IsCancelled(); };
  return scope;
}

template <typename Response>
grpc::Status Answer(absl::StatusOr<Response> result, Response* response) {
  if (!result.ok()) return status::ToGrpcStatus(result.status());
  *response = *std::move(result);
  return grpc::Status::OK;
}

}  // namespace

grpc::Status QueryServiceImpl::GetArticle(grpc::ServerContext* context,
                                          const v1::GetArticleRequest* request,
                                          v1::Article* response) {
  return Answer(shards_.GetArticle(*request, ScopeOf(context)), response);
}

grpc::Status QueryServiceImpl::ListArticles(grpc::ServerContext* context,
                                            const v1::ListArticlesRequest* request,
                                            v1::ListArticlesResponse* response) {
  return Answer(shards_.ListArticles(*request, ScopeOf(context)), response);
}

grpc::Status QueryServiceImpl::Search(grpc::ServerContext* context,
                                      const v1::SearchRequest* request,
                                      v1::SearchResponse* response) {
  return Answer(shards_.Search(*request, ScopeOf(context)), response);
}

}  // namespace newsdb::query
