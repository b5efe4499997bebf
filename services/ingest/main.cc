#include <cstdlib>
#include <memory>
#include <string>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/time/time.h"
#include "common/log/log.h"
#include "common/server/server_runner.h"
#include "services/ingest/ingest_service.h"
#include "services/ingest/publisher.h"
#include "services/ingest/spool.h"

ABSL_FLAG(std::string, storage, "127.0.0.1:7001", "Address of the storage service, HOST:PORT.");
ABSL_FLAG(absl::Duration, storage_retry_timeout, absl::Seconds(30),
          "How long one batch keeps retrying while storage is unavailable, counted from that "
          "batch's first failed attempt, unless the call's deadline comes first; then the call "
          "fails with UNAVAILABLE. The call's own deadline bounds the whole call.");

ABSL_FLAG(std::string, spool_dir, "",
          "Watch DIR/incoming/ for dumps renamed in and ingest each one, moving it to DIR/done/ "
          "with NAME.report.json, or to DIR/failed/ with the reason (docs/spool.md). Empty: no "
          "spool.");
ABSL_FLAG(int32_t, spool_parallel, 2, "Spool files ingested at the same time, at most.");
ABSL_FLAG(std::string, spool_source, "",
          "Source of spool files without a sidecar or a SOURCE--NAME name (empty: unknown).");
ABSL_FLAG(std::string, spool_time_zone, "",
          "IANA time zone of spool files without a sidecar that sets one (empty: Asia/Almaty).");

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
  std::unique_ptr<newsdb::ingest::Spool> spool;
  if (const std::string spool_dir = absl::GetFlag(FLAGS_spool_dir); !spool_dir.empty()) {
    newsdb::ingest::SpoolOptions options;
    options.dir = spool_dir;
    options.parallel = absl::GetFlag(FLAGS_spool_parallel);
    options.defaults.set_source(absl::GetFlag(FLAGS_spool_source));
    options.defaults.set_time_zone(absl::GetFlag(FLAGS_spool_time_zone));
    options.retry_budget = absl::GetFlag(FLAGS_storage_retry_timeout);
    absl::Status defaults =
        newsdb::ingest::MakeIngestOptions(options.defaults, "--spool_").status();
    if (!defaults.ok()) {
      LOG(ERROR) << "Bad spool options: " << defaults;
      return EXIT_FAILURE;
    }
    absl::StatusOr<std::unique_ptr<newsdb::ingest::Spool>> started =
        newsdb::ingest::Spool::Start(std::move(options), publisher);
    if (!started.ok()) {
      LOG(ERROR) << "Cannot start the spool in " << spool_dir << ": " << started.status();
      return EXIT_FAILURE;
    }
    spool = *std::move(started);
  }
  absl::Status served = newsdb::server::ServeUntilSignalled(
      {{&service, newsdb::v1::IngestService::service_full_name()}});
  if (spool != nullptr) spool->Stop();  // unfinished files stay in work/ for the next start
  LOG_IF(ERROR, !served.ok()) << served;
  return served.ok() ? EXIT_SUCCESS : EXIT_FAILURE;
}
