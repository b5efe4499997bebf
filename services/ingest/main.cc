#include <cstdlib>
#include <string>

#include "absl/flags/flag.h"
#include "absl/time/time.h"
#include "common/log/log.h"
#include "common/server/server_runner.h"
#include "services/ingest/ingest_service.h"
#include "services/ingest/publisher.h"

ABSL_FLAG(std::string, storage, "127.0.0.1:7001", "Address of the storage service, HOST:PORT.");
ABSL_FLAG(absl::Duration, storage_retry_timeout, absl::Seconds(30),
          "How long one batch keeps retrying while storage is unavailable, counted from that "
          "batch's first failed attempt, unless the call's deadline comes first; then the call "
          "fails with UNAVAILABLE. The call's own deadline bounds the whole call.");

int main(int argc, char** argv) {
  newsdb::server::InitServerProcess(argc, argv,
                                    "Serves newsdb.v1.IngestService: parses feed dumps and stores "
                                    "their articles.\n"
                                    "Usage: newsdb-ingest --listen=HOST:PORT --storage=HOST:PORT",
                                    "127.0.0.1:7002");
  const std::string storage = absl::GetFlag(FLAGS_storage);
  newsdb::ingest::StoragePublisher publisher(newsdb::ingest::MakeStorageChannel(storage));
  newsdb::ingest::IngestServiceImpl service(publisher, absl::GetFlag(FLAGS_storage_retry_timeout));
  LOG(INFO) << "Publishing to storage at " << storage;
  absl::Status served = newsdb::server::ServeUntilSignalled(
      {{&service, newsdb::v1::IngestService::service_full_name()}});
  LOG_IF(ERROR, !served.ok()) << served;
  return served.ok() ? EXIT_SUCCESS : EXIT_FAILURE;
}
