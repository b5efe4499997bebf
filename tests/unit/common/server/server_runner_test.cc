#include "common/server/server_runner.h"

#include "google/protobuf/descriptor.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "newsdb/v1/query_service.grpc.pb.h"

namespace newsdb::server {
namespace {

class EmptyQueryService final : public v1::QueryService::Service {};

grpc::health::v1::HealthCheckResponse::ServingStatus Check(grpc::Channel& channel,
                                                           const std::string& service) {
  auto stub = grpc::health::v1::Health::NewStub(
      std::shared_ptr<grpc::Channel>(&channel, [](grpc::Channel*) {}));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status status = stub->Check(&context, request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return response.status();
}

TEST(ServerRunnerTest, PortZeroBindsAFreePortAndReportsEveryServiceServing) {
  EmptyQueryService service;
  int port = 0;
  auto server =
      StartServer({.listen = "127.0.0.1:0"},
                  {{&service, std::string(v1::QueryService::service_full_name())}}, &port);
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_GT(port, 0);
  auto channel =
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials());
  EXPECT_EQ(Check(*channel, ""), grpc::health::v1::HealthCheckResponse::SERVING);
  EXPECT_EQ(Check(*channel, "newsdb.v1.QueryService"),
            grpc::health::v1::HealthCheckResponse::SERVING);

  // What SIGTERM does first: readiness fails while calls drain.
  (*server)->GetHealthCheckService()->SetServingStatus(false);
  EXPECT_EQ(Check(*channel, "newsdb.v1.QueryService"),
            grpc::health::v1::HealthCheckResponse::NOT_SERVING);
  (*server)->Shutdown();
  (*server)->Wait();
}

TEST(ServerRunnerTest, ReflectionServiceIsLinkedIn) {
  // If --as-needed had dropped libgrpc++_reflection, its descriptors would be missing here; the
  // e2e reflection test (tests/e2e) lists the services of the real binaries.
  EXPECT_NE(google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
                "grpc.reflection.v1alpha.ServerReflection"),
            nullptr);
}

TEST(ServerRunnerTest, AnAddressInUseIsUnavailable) {
  EmptyQueryService first_service;
  EmptyQueryService second_service;
  int port = 0;
  auto first = StartServer({.listen = "127.0.0.1:0"}, {{&first_service, "a"}}, &port);
  ASSERT_TRUE(first.ok());
  int second_port = 0;
  auto second = StartServer({.listen = "127.0.0.1:" + std::to_string(port)},
                            {{&second_service, "b"}}, &second_port);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  (*first)->Shutdown();
  (*first)->Wait();
}

}  // namespace
}  // namespace newsdb::server
