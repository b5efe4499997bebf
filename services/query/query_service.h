#ifndef NEWSDB_SERVICES_QUERY_QUERY_SERVICE_H_
#define NEWSDB_SERVICES_QUERY_QUERY_SERVICE_H_

// gRPC adapter of newsdb.v1.QueryService, answering from a storage shard through its generated
// stub. Thread-safe.

#include <memory>

#include "grpcpp/channel.h"
#include "newsdb/v1/query_service.grpc.pb.h"
#include "newsdb/v1/storage_service.grpc.pb.h"

namespace newsdb::query {

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 1000;
inline constexpr int kDefaultSearchPageSize = 20;
inline constexpr int kMaxSearchPageSize = 100;

class QueryServiceImpl final : public v1::QueryService::Service {
 public:
  explicit QueryServiceImpl(const std::shared_ptr<grpc::Channel>& storage);

  grpc::Status GetArticle(grpc::ServerContext* context, const v1::GetArticleRequest* request,
                          v1::Article* response) override;
  grpc::Status ListArticles(grpc::ServerContext* context, const v1::ListArticlesRequest* request,
                            v1::ListArticlesResponse* response) override;
  grpc::Status Search(grpc::ServerContext* context, const v1::SearchRequest* request,
                      v1::SearchResponse* response) override;

 private:
  std::unique_ptr<v1::StorageService::Stub> storage_;
};

}  // namespace newsdb::query

#endif  // NEWSDB_SERVICES_QUERY_QUERY_SERVICE_H_
