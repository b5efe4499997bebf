// The spool directory: ingest for scrapers that write files (docs/spool.md).
//
//   DIR/incoming/NAME           complete dumps, renamed in (NAME.tmp and .NAME are ignored);
//                               NAME.options beside it (renamed in first) holds its options
//   DIR/work/ID~NAME            claimed: being ingested, or waiting to be retried
//   DIR/done/NAME               ingested, with NAME.report.json (the IngestFeedResponse)
//   DIR/failed/NAME             not ingestible (bad options, no article at all, storage refused
//                               it), with NAME.report.json giving the reason
//
// Crash safety comes from two things. Every move is one rename(2) within DIR, so a file is in
// exactly one folder at any moment; the claim gives it an ID that stays in its name. And batch N
// of file ID is sent with request_id "spool/ID/N": when a file is ingested again after a kill of
// ingest or storage, storage answers the batches it already applied from its request ledger, so
// the report counts each article once, as the first attempt would have.
#ifndef NEWSDB_SERVICES_INGEST_SPOOL_H_
#define NEWSDB_SERVICES_INGEST_SPOOL_H_

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "newsdb/v1/ingest_service.pb.h"
#include "services/ingest/feed_ingestion.h"

namespace newsdb::ingest {

struct SpoolOptions {
  std::string dir;
  int parallel = 2;  // files in flight at most
  // Options of a file without a sidecar (a NAME of the form SOURCE--REST sets the source).
  v1::FeedOptions defaults;
  absl::Duration retry_budget = absl::Seconds(30);  // per batch, as for calls
  // After a failure that may pass (storage unavailable), the file waits this long, doubling up
  // to max_retry_delay, and is ingested again.
  absl::Duration retry_delay = absl::Seconds(1);
  absl::Duration max_retry_delay = absl::Seconds(30);
  int64_t chunk_bytes = 1 << 20;
};

// Splits a spool file name into its options: "SOURCE--REST" gives the source when SOURCE is a
// valid source name. Returns `defaults` with the source set (or unchanged).
v1::FeedOptions OptionsFromName(const std::string& name, const v1::FeedOptions& defaults);

// Parses a sidecar: `key = value` lines (source, time_zone, captured_at as RFC 3339), `#`
// comments and blank lines. Errors: INVALID_ARGUMENT naming the line.
absl::StatusOr<v1::FeedOptions> ParseSidecar(const std::string& text,
                                             const v1::FeedOptions& defaults);

class Spool {
 public:
  // Creates the four folders if missing, resumes the files left in work/, picks up those already
  // in incoming/, and watches incoming/ (inotify). `publisher` must outlive the spool.
  // Errors: INVALID_ARGUMENT (parallel < 1), INTERNAL (cannot create or watch the folders).
  static absl::StatusOr<std::unique_ptr<Spool>> Start(SpoolOptions options,
                                                      BatchPublisher& publisher);
  // Stop()s.
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  // Stops watching and lets each worker end its current batch; unfinished files stay in work/
  // and are resumed by the next start.
  void Stop();

  // Files that reached done/ or failed/ since the start (for tests and the log).
  int64_t finished() const;

 private:
  struct Item {
    std::string work_name;  // ID~NAME in work/
    int attempts = 0;
    absl::Time not_before = absl::InfinitePast();
    std::optional<std::string> sidecar;  // its text, once Process read it
  };
  enum class Outcome { kDone, kFailed, kRetry, kStopped };

  Spool(SpoolOptions options, BatchPublisher& publisher)
      : options_(std::move(options)), publisher_(publisher) {}
  absl::Status Init();
  void Watch();
  void Work();
  // Moves incoming/NAME (and its sidecar) into work/ and queues it.
  void Claim(const std::string& name);
  void ClaimSidecar(const std::string& name, const std::string& work_name);
  void ScanIncoming();
  void Enqueue(Item item) ABSL_LOCKS_EXCLUDED(mutex_);
  Outcome Process(Item& item, std::string& reason);
  // Writes the report, then moves the file (and sidecar) from work/ to `folder` ("done" or
  // "failed").
  absl::Status Finish(const Item& item, const std::string& folder, const std::string& reason,
                      const v1::FeedOptions& options, const v1::IngestFeedResponse* response);

  std::string Path(const std::string& folder, const std::string& name) const;

  const SpoolOptions options_;
  BatchPublisher& publisher_;
  int inotify_fd_ = -1;
  std::thread watcher_;
  std::vector<std::thread> workers_;

  mutable absl::Mutex mutex_;
  std::deque<Item> queue_ ABSL_GUARDED_BY(mutex_);
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  int64_t finished_ ABSL_GUARDED_BY(mutex_) = 0;
};

}  // namespace newsdb::ingest

#endif  // NEWSDB_SERVICES_INGEST_SPOOL_H_
