#include "services/query/grpc_shard_client.h"

#include <utility>

#include "common/status/grpc_status.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/client_callback.h"

namespace newsdb::query {
namespace {

void SetDeadline(grpc::ClientContext& context, absl::Time deadline) {
  if (deadline != absl::InfiniteFuture()) context.set_deadline(absl::ToChronoTime(deadline));
}

// A unary call's context, request and response, alive until both its callback and the caller's
// handle are gone.
template <typename Request, typename Response>
struct UnaryState {
  grpc::ClientContext context;
  Request request;
  Response response;
};

class ContextCall final : public ShardCall {
 public:
  ContextCall(std::shared_ptr<void> owner, grpc::ClientContext* context)
      : owner_(std::move(owner)), context_(context) {}
  void Cancel() override { context_->TryCancel(); }

 private:
  std::shared_ptr<void> owner_;
  grpc::ClientContext* context_;
};

// Starts `method` (a stub->async() member) with a copy of `request`.
template <typename Request, typename Response, typename Method>
std::unique_ptr<ShardCall> StartUnary(Method method, const Request& request, absl::Time deadline,
                                      ShardDone<Response> done) {
  auto state = std::make_shared<UnaryState<Request, Response>>();
  state->request = request;
  SetDeadline(state->context, deadline);
  auto call = std::make_unique<ContextCall>(state, &state->context);
  method(&state->context, &state->request, &state->response,
         [state, done = std::move(done)](const grpc::Status& status) {
           if (status.ok()) {
             done(std::move(state->response));
           } else {
             done(status::FromGrpcStatus(status));
           }
         });
  return call;
}

// Reads a scan's stream up to its limit, then ends it.
class ScanReactor final : public grpc::ClientReadReactor<v1::Article> {
 public:
  ScanReactor(const v1::ScanArticlesRequest& request, absl::Time deadline,
              ShardDone<std::vector<v1::Article>> done)
      : request_(request), limit_(static_cast<size_t>(request.limit())), done_(std::move(done)) {
    SetDeadline(context_, deadline);
  }

  void Start(v1::StorageService::Stub* stub, std::shared_ptr<ScanReactor> self) {
    self_ = std::move(self);
    stub->async()->ScanArticles(&context_, &request_, this);
    StartRead(&article_);
    StartCall();
  }
  grpc::ClientContext* context() { return &context_; }

  void OnReadDone(bool ok) override {
    if (!ok) return;
    articles_.push_back(std::move(article_));
    if (articles_.size() >= limit_) {
      context_.TryCancel();  // the caller has what it asked for
      return;
    }
    StartRead(&article_);
  }

  void OnDone(const grpc::Status& status) override {
    if (status.ok() || (limit_ > 0 && articles_.size() >= limit_)) {
      done_(std::move(articles_));
    } else {
      done_(status::FromGrpcStatus(status));
    }
    self_.reset();  // may destroy this
  }

 private:
  grpc::ClientContext context_;
  const v1::ScanArticlesRequest request_;
  const size_t limit_;
  ShardDone<std::vector<v1::Article>> done_;
  v1::Article article_;
  std::vector<v1::Article> articles_;
  std::shared_ptr<ScanReactor> self_;  // kept until OnDone
};

}  // namespace

GrpcShardClient::GrpcShardClient(std::string address, const std::shared_ptr<grpc::Channel>& channel)
    : address_(std::move(address)), stub_(v1::StorageService::NewStub(channel)) {}

std::unique_ptr<ShardCall> GrpcShardClient::SearchShard(const v1::SearchShardRequest& request,
                                                        absl::Time deadline,
                                                        ShardDone<v1::SearchShardResponse> done) {
  auto method = [this](grpc::ClientContext* context, const v1::SearchShardRequest* in,
                       v1::SearchShardResponse* out, std::function<void(grpc::Status)> callback) {
    stub_->async()->SearchShard(context, in, out, std::move(callback));
  };
  return StartUnary<v1::SearchShardRequest, v1::SearchShardResponse>(method, request, deadline,
                                                                     std::move(done));
}

std::unique_ptr<ShardCall> GrpcShardClient::GetSearchStatistics(
    const v1::SearchShardRequest& request, absl::Time deadline,
    ShardDone<v1::SearchStatistics> done) {
  auto method = [this](grpc::ClientContext* context, const v1::SearchShardRequest* in,
                       v1::SearchStatistics* out, std::function<void(grpc::Status)> callback) {
    stub_->async()->GetSearchStatistics(context, in, out, std::move(callback));
  };
  return StartUnary<v1::SearchShardRequest, v1::SearchStatistics>(method, request, deadline,
                                                                  std::move(done));
}

std::unique_ptr<ShardCall> GrpcShardClient::GetArticle(const v1::GetArticleRequest& request,
                                                       absl::Time deadline,
                                                       ShardDone<v1::Article> done) {
  auto method = [this](grpc::ClientContext* context, const v1::GetArticleRequest* in,
                       v1::Article* out, std::function<void(grpc::Status)> callback) {
    stub_->async()->GetArticle(context, in, out, std::move(callback));
  };
  return StartUnary<v1::GetArticleRequest, v1::Article>(method, request, deadline, std::move(done));
}

std::unique_ptr<ShardCall> GrpcShardClient::GetShardInfo(absl::Time deadline,
                                                         ShardDone<v1::ShardInfo> done) {
  auto method = [this](grpc::ClientContext* context, const v1::GetShardInfoRequest* in,
                       v1::ShardInfo* out, std::function<void(grpc::Status)> callback) {
    stub_->async()->GetShardInfo(context, in, out, std::move(callback));
  };
  return StartUnary<v1::GetShardInfoRequest, v1::ShardInfo>(method, v1::GetShardInfoRequest(),
                                                            deadline, std::move(done));
}

std::unique_ptr<ShardCall> GrpcShardClient::ScanArticles(const v1::ScanArticlesRequest& request,
                                                         absl::Time deadline,
                                                         ShardDone<std::vector<v1::Article>> done) {
  auto reactor = std::make_shared<ScanReactor>(request, deadline, std::move(done));
  auto call = std::make_unique<ContextCall>(reactor, reactor->context());
  reactor->Start(stub_.get(), reactor);
  return call;
}

std::vector<std::unique_ptr<ShardClient>> ConnectShards(const std::vector<std::string>& addresses) {
  grpc::ChannelArguments arguments;
  arguments.SetMaxReceiveMessageSize(64 << 20);
  arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  std::vector<std::unique_ptr<ShardClient>> shards;
  shards.reserve(addresses.size());
  for (const std::string& address : addresses) {
    shards.push_back(std::make_unique<GrpcShardClient>(
        address,
        grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), arguments)));
  }
  return shards;
}

}  // namespace newsdb::query
