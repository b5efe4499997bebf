#ifndef NEWSDB_SERVICES_QUERY_QUERY_SERVICE_H_
#define NEWSDB_SERVICES_QUERY_QUERY_SERVICE_H_

// gRPC adapter of newsdb.v1.QueryService over the fan-out to the storage shards (fan_out.h),
// which it does not own. Thread-safe.

#include "newsdb/v1/query_service.grpc.pb.h"
#include "services/query/fan_out.h"

namespace newsdb::query {

class QueryServiceImpl final : public v1::QueryService::Service {
 public:
  explicit QueryServiceImpl(FanOut& shards) : shards_(shards) {}

  grpc::Status GetArticle(grpc::ServerContext* context, const v1::GetArticleRequest* request,
                          v1::Article* response) override;
  grpc::Status ListArticles(grpc::ServerContext* context, const v1::ListArticlesRequest* request,
                            v1::ListArticlesResponse* response) override;
  grpc::Status Search(grpc::ServerContext* context, const v1::SearchRequest* request,
                      v1::SearchResponse* response) override;

 private:
  FanOut& shards_;
};

}  // namespace newsdb::query

#endif  // NEWSDB_SERVICES_QUERY_QUERY_SERVICE_H_
