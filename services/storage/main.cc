#include <cstdlib>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "common/article/shard.h"
#include "common/log/log.h"
#include "common/server/server_runner.h"
#include "services/storage/article_store.h"
#include "services/storage/storage_service.h"

ABSL_FLAG(std::string, data_dir, "/var/lib/newsdb", "Directory of the shard's data (RocksDB).");
ABSL_FLAG(std::string, shard, "0/1",
          "Which shard of how many this process serves, INDEX/COUNT: it holds the articles whose "
          "id modulo COUNT is INDEX. The data directory records it at creation and refuses "
          "another.");
ABSL_FLAG(int64_t, block_cache_mb, 256, "RocksDB block cache size, in MiB.");
ABSL_FLAG(int64_t, positions_cache_mb, 64,
          "Cache of the index's word positions (read by phrase searches), in MiB.");
ABSL_FLAG(bool, sync_writes, false,
          "fsync the write-ahead log before acknowledging a write (survives power loss; slower). "
          "Without it, acknowledged writes survive a crash of the process.");

ABSL_FLAG(int32_t, index_buffer_docs, 16384,
          "New documents whose postings are held in memory (searchable) before they are merged "
          "into RocksDB in one write. Larger: faster ingest, more memory, longer re-indexing "
          "after a crash (a clean stop merges them).");

ABSL_FLAG(absl::Duration, request_ledger_retention, absl::Hours(24),
          "How long the shard remembers the request_id of an applied PutArticles, so that a "
          "resend (after a lost response or a crash of the sender) gets the first answer.");

// jemalloc (linked by CMake): searches allocate large short-lived arrays (4-8 bytes per
// matching document) on gRPC's worker threads. jemalloc gives allocations of 8 MiB and more
// (a 1M-match search's scores) their own arena that returns pages at once, so each such search
// page-faulted its arrays in again: 56-72 ms instead of 12 ms for a common term at 1M articles.
// oversize_threshold:0 keeps them in the normal arenas. Freed pages go back to the system
// gradually over the decay times: at 3 s (and the default muzzy decay) a mix of searches a few
// hundred milliseconds apart still faulted in most of its arrays again (1M articles, plain mix:
// 224,000 page faults in 15 s, common term p50 33 ms; at 10 s: 93,000, 13 ms; 30 s faulted
// less but held 150 MiB more after an ingest). A background thread returns the memory of a burst
// of searches within about 20 s of idleness.
extern "C" {
extern const char* malloc_conf;
const char* malloc_conf =
    "background_thread:true,dirty_decay_ms:10000,muzzy_decay_ms:10000,oversize_threshold:0";
}

int main(int argc, char** argv) {
  newsdb::server::InitServerProcess(
      argc, argv,
      "Serves newsdb.v1.StorageService: one shard of the archive.\n"
      "Usage: newsdb-storage --listen=HOST:PORT --data_dir=DIR [--shard=I/N]",
      "127.0.0.1:7001");
  newsdb::storage::RocksDbOptions options;
  options.block_cache_bytes = absl::GetFlag(FLAGS_block_cache_mb) << 20;
  options.positions_cache_bytes = absl::GetFlag(FLAGS_positions_cache_mb) << 20;
  options.sync_writes = absl::GetFlag(FLAGS_sync_writes);
  newsdb::storage::IndexOptions index_options;
  if (absl::GetFlag(FLAGS_index_buffer_docs) < 1) {
    LOG(ERROR) << "--index_buffer_docs must be at least 1";
    return EXIT_FAILURE;
  }
  index_options.buffer_docs = static_cast<uint32_t>(absl::GetFlag(FLAGS_index_buffer_docs));
  absl::StatusOr<newsdb::article::ShardPlacement> shard =
      newsdb::article::ParseShardPlacement(absl::GetFlag(FLAGS_shard));
  if (!shard.ok()) {
    LOG(ERROR) << "--shard: " << shard.status().message();
    return EXIT_FAILURE;
  }
  const std::string data_dir = absl::GetFlag(FLAGS_data_dir);
  absl::StatusOr<std::unique_ptr<newsdb::storage::ArticleStore>> store =
      newsdb::storage::ArticleStore::Open(data_dir, options, index_options,
                                          absl::GetFlag(FLAGS_request_ledger_retention), *shard);
  if (!store.ok()) {
    LOG(ERROR) << "Cannot open the article store in " << data_dir << ": " << store.status();
    return EXIT_FAILURE;
  }
  LOG(INFO) << "Opened the article store in " << data_dir << " as shard "
            << newsdb::article::FormatShardPlacement(*shard);
  newsdb::storage::StorageServiceImpl service(**store);
  absl::Status served = newsdb::server::ServeUntilSignalled(
      {{&service, newsdb::v1::StorageService::service_full_name()}});
  LOG_IF(ERROR, !served.ok()) << served;
  return served.ok() ? EXIT_SUCCESS : EXIT_FAILURE;
}
