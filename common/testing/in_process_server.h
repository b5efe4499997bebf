#ifndef NEWSDB_COMMON_TESTING_IN_PROCESS_SERVER_H_
#define NEWSDB_COMMON_TESTING_IN_PROCESS_SERVER_H_

// Serves gRPC services in the test process without a socket, so an adapter is tested through its
// generated stub. Test-only.

#include <memory>
#include <vector>

#include "grpcpp/channel.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"

namespace newsdb::testing {

class InProcessServer {
 public:
  explicit InProcessServer(const std::vector<grpc::Service*>& services) {
    grpc::ServerBuilder builder;
    for (grpc::Service* service : services) builder.RegisterService(service);
    server_ = builder.BuildAndStart();
  }
  InProcessServer(const InProcessServer&) = delete;
  InProcessServer& operator=(const InProcessServer&) = delete;
  ~InProcessServer() {
    server_->Shutdown();
    server_->Wait();
  }

  std::shared_ptr<grpc::Channel> channel() {
    return server_->InProcessChannel(grpc::ChannelArguments());
  }

 private:
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace newsdb::testing

#endif  // NEWSDB_COMMON_TESTING_IN_PROCESS_SERVER_H_
