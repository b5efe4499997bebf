#ifndef NEWSDB_SERVICES_STORAGE_STORAGE_SERVICE_H_
#define NEWSDB_SERVICES_STORAGE_STORAGE_SERVICE_H_

// gRPC adapter of newsdb.v1.StorageService over an ArticleStore (which it does not own).

#include "newsdb/v1/storage_service.grpc.pb.h"
#include "services/storage/article_store.h"

namespace newsdb::storage {

class StorageServiceImpl final : public v1::StorageService::Service {
 public:
  explicit StorageServiceImpl(ArticleStore& store) : store_(store) {}

  grpc::Status PutArticles(grpc::ServerContext* context, const v1::PutArticlesRequest* request,
                           v1::PutArticlesResponse* response) override;
  grpc::Status GetArticle(grpc::ServerContext* context, const v1::GetArticleRequest* request,
                          v1::Article* response) override;
  grpc::Status ScanArticles(grpc::ServerContext* context, const v1::ScanArticlesRequest* request,
                            grpc::ServerWriter<v1::Article>* writer) override;
  grpc::Status SearchShard(grpc::ServerContext* context, const v1::SearchShardRequest* request,
                           v1::SearchShardResponse* response) override;
  grpc::Status GetSearchStatistics(grpc::ServerContext* context,
                                   const v1::SearchShardRequest* request,
                                   v1::SearchStatistics* response) override;
  grpc::Status GetShardInfo(grpc::ServerContext* context, const v1::GetShardInfoRequest* request,
                            v1::ShardInfo* response) override;

 private:
  ArticleStore& store_;
};

}  // namespace newsdb::storage

#endif  // NEWSDB_SERVICES_STORAGE_STORAGE_SERVICE_H_
