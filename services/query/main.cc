#include <cstdlib>
#include <string>

#include "absl/flags/flag.h"
#include "absl/time/clock.h"
#include "common/article/shard.h"
#include "common/log/log.h"
#include "common/server/server_runner.h"
#include "services/query/fan_out.h"
#include "services/query/grpc_shard_client.h"
#include "services/query/query_service.h"

ABSL_FLAG(std::string, storage, "127.0.0.1:7001",
          "The storage shards in shard order: HOST:PORT,HOST:PORT,... or one address with "
          "{shard} in it (expanded for 0..--storage_shards-1).");
ABSL_FLAG(int32_t, storage_shards, 0,
          "Number of storage shards (0: the length of the --storage list; required with "
          "{shard}).");
ABSL_FLAG(absl::Duration, shard_timeout, absl::Seconds(30),
          "The longest a call to one shard may take, also when the client set no deadline.");

int main(int argc, char** argv) {
  newsdb::server::InitServerProcess(
      argc, argv,
      "Serves newsdb.v1.QueryService: reads of the archive, fanned out to the storage shards.\n"
      "Usage: newsdb-query --listen=HOST:PORT --storage=HOST:PORT[,HOST:PORT...]",
      "127.0.0.1:7003");
  absl::StatusOr<std::vector<std::string>> addresses = newsdb::article::ExpandShardAddresses(
      absl::GetFlag(FLAGS_storage), absl::GetFlag(FLAGS_storage_shards));
  if (!addresses.ok()) {
    LOG(ERROR) << "--storage: " << addresses.status().message();
    return EXIT_FAILURE;
  }
  newsdb::query::FanOutOptions options;
  options.shard_timeout = absl::GetFlag(FLAGS_shard_timeout);
  newsdb::query::FanOut shards(newsdb::query::ConnectShards(*addresses), options);
  // Shards in the wrong order or of another count would answer wrongly: refuse to start. Shards
  // not up yet are checked on every call (each request names the shard it expects).
  newsdb::query::CallScope scope;
  scope.deadline = absl::Now() + absl::Seconds(5);
  absl::Status checked = shards.CheckShards(scope);
  if (absl::IsFailedPrecondition(checked)) {
    LOG(ERROR) << checked.message();
    return EXIT_FAILURE;
  }
  LOG_IF(WARNING, !checked.ok()) << "Could not check the storage shards yet: " << checked;
  LOG(INFO) << "Reading from " << addresses->size() << " storage shard(s) at "
            << absl::GetFlag(FLAGS_storage);
  newsdb::query::QueryServiceImpl service(shards);
  absl::Status served = newsdb::server::ServeUntilSignalled(
      {{&service, newsdb::v1::QueryService::service_full_name()}});
  LOG_IF(ERROR, !served.ok()) << served;
  return served.ok() ? EXIT_SUCCESS : EXIT_FAILURE;
}
