#include <cstdlib>
#include <string>

#include "absl/flags/flag.h"
#include "common/log/log.h"
#include "common/server/server_runner.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "services/query/query_service.h"

ABSL_FLAG(std::string, storage, "127.0.0.1:7001", "Address of the storage service, HOST:PORT.");

int main(int argc, char** argv) {
  newsdb::server::InitServerProcess(argc, argv,
                                    "Serves newsdb.v1.QueryService: reads of the archive.\n"
                                    "Usage: newsdb-query --listen=HOST:PORT --storage=HOST:PORT",
                                    "127.0.0.1:7003");
  const std::string storage = absl::GetFlag(FLAGS_storage);
  grpc::ChannelArguments arguments;
  arguments.SetMaxReceiveMessageSize(64 << 20);
  arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  newsdb::query::QueryServiceImpl service(
      grpc::CreateCustomChannel(storage, grpc::InsecureChannelCredentials(), arguments));
  LOG(INFO) << "Reading from storage at " << storage;
  absl::Status served = newsdb::server::ServeUntilSignalled(
      {{&service, newsdb::v1::QueryService::service_full_name()}});
  LOG_IF(ERROR, !served.ok()) << served;
  return served.ok() ? EXIT_SUCCESS : EXIT_FAILURE;
}
