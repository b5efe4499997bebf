#ifndef NEWSDB_SERVICES_QUERY_GRPC_SHARD_CLIENT_H_
#define NEWSDB_SERVICES_QUERY_GRPC_SHARD_CLIENT_H_

// ShardClient over the generated StorageService stub, with gRPC's callback API: a call costs no
// thread while it waits.

#include <memory>
#include <string>
#include <vector>

#include "grpcpp/channel.h"
#include "newsdb/v1/storage_service.grpc.pb.h"
#include "services/query/shard_client.h"

namespace newsdb::query {

class GrpcShardClient final : public ShardClient {
 public:
  GrpcShardClient(std::string address, const std::shared_ptr<grpc::Channel>& channel);

  const std::string& address() const override { return address_; }
  std::unique_ptr<ShardCall> SearchShard(const v1::SearchShardRequest& request, absl::Time deadline,
                                         ShardDone<v1::SearchShardResponse> done) override;
  std::unique_ptr<ShardCall> GetSearchStatistics(const v1::SearchShardRequest& request,
                                                 absl::Time deadline,
                                                 ShardDone<v1::SearchStatistics> done) override;
  std::unique_ptr<ShardCall> GetArticle(const v1::GetArticleRequest& request, absl::Time deadline,
                                        ShardDone<v1::Article> done) override;
  std::unique_ptr<ShardCall> ScanArticles(const v1::ScanArticlesRequest& request,
                                          absl::Time deadline,
                                          ShardDone<std::vector<v1::Article>> done) override;
  std::unique_ptr<ShardCall> GetShardInfo(absl::Time deadline,
                                          ShardDone<v1::ShardInfo> done) override;

 private:
  const std::string address_;
  std::unique_ptr<v1::StorageService::Stub> stub_;
};

// One client per address (insecure channels with the storage message-size limit and a reconnect
// backoff of at most a second).
std::vector<std::unique_ptr<ShardClient>> ConnectShards(const std::vector<std::string>& addresses);

}  // namespace newsdb::query

#endif  // NEWSDB_SERVICES_QUERY_GRPC_SHARD_CLIENT_H_
