#ifndef NEWSDB_SERVICES_STORAGE_ROCKS_DB_H_
#define NEWSDB_SERVICES_STORAGE_ROCKS_DB_H_

// The only code that includes rocksdb/: owns the database and its column-family handles, and turns
// rocksdb::Status into absl::Status.
//
// Column families, one per access pattern (key layouts in key_codec.h):
//   articles      article key (published | id)     -> newsdb.v1.Article without views/view_history
//   article_ids   id (8 bytes)                      -> article key (16 bytes)
//   view_history  id | captured micros              -> view count
//   postings      field | term | 0 | first doc      -> posting block (posting_codec.h)
//   doc_values    doc number                        -> per-document values (search_index.h)
// The write-ahead log is always on: a write acknowledged by Write() survives a crash of the process
// (and, with `sync_writes`, of the machine).
//
// Thread-safety: all methods may be called concurrently (RocksDB's guarantees). Read-modify-write
// sequences need the caller's own lock.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
class Iterator;
class Slice;
class Snapshot;
class WriteBatch;
}  // namespace rocksdb

namespace newsdb::storage {

enum class ColumnFamily : int {
  kArticles = 0,
  kArticleIds,
  kViewHistory,
  kPostings,
  kDocValues,
  kRequests,   // the request ledger (request_ledger.h)
  kPositions,  // the positions part of each posting block (posting_codec.h)
};
inline constexpr int kColumnFamilyCount = 7;

// Tuning knobs; the defaults suit a shard of a few million articles in 1 GiB of memory.
struct RocksDbOptions {
  int64_t block_cache_bytes = 256 << 20;
  // The `positions` family's own cache, so that phrase searches never evict the blocks that
  // every search reads.
  int64_t positions_cache_bytes = 64 << 20;
  bool sync_writes = false;  // fsync the WAL on every write (survives power loss, slower)
};

class RocksDb;

// A consistent read view; reads with it see the database as it was when it was taken.
class Snapshot {
 public:
  ~Snapshot();
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

 private:
  friend class RocksDb;
  Snapshot(rocksdb::DB* db, const rocksdb::Snapshot* snapshot) : db_(db), snapshot_(snapshot) {}
  rocksdb::DB* db_;
  const rocksdb::Snapshot* snapshot_;
};

// Changes that RocksDb::Write applies atomically: all or none.
class WriteBatch {
 public:
  ~WriteBatch();
  WriteBatch(WriteBatch&&) noexcept;
  WriteBatch& operator=(WriteBatch&&) noexcept;
  WriteBatch(const WriteBatch&) = delete;
  WriteBatch& operator=(const WriteBatch&) = delete;

  void Put(ColumnFamily family, absl::string_view key, absl::string_view value);
  void Delete(ColumnFamily family, absl::string_view key);
  int count() const;

 private:
  friend class RocksDb;
  explicit WriteBatch(const RocksDb* db);
  const RocksDb* db_;
  std::unique_ptr<rocksdb::WriteBatch> batch_;
};

// Iterates one column family within [lower_bound, upper_bound) (empty bound = open).
class Iterator {
 public:
  ~Iterator();
  Iterator(const Iterator&) = delete;
  Iterator& operator=(const Iterator&) = delete;

  void Seek(absl::string_view target);         // first key >= target
  void SeekForPrev(absl::string_view target);  // last key <= target
  void SeekToFirst();
  void SeekToLast();
  bool Valid() const;
  void Next();
  void Prev();
  absl::string_view key() const;
  absl::string_view value() const;
  absl::Status status() const;  // INTERNAL on a read error; check when Valid() turns false

 private:
  friend class RocksDb;
  Iterator(std::string lower_bound, std::string upper_bound);
  std::string lower_bound_;
  std::string upper_bound_;
  std::unique_ptr<rocksdb::Slice> lower_slice_;
  std::unique_ptr<rocksdb::Slice> upper_slice_;
  std::unique_ptr<rocksdb::Iterator> iterator_;
};

class RocksDb {
 public:
  // Opens or creates the database in `path`, creating missing column families.
  // Errors: FAILED_PRECONDITION if another process holds it (LOCK), INTERNAL on corruption or
  // I/O errors (message carries RocksDB's).
  static absl::StatusOr<std::unique_ptr<RocksDb>> Open(const std::string& path,
                                                       const RocksDbOptions& options = {});
  ~RocksDb();  // flushes the memtables, closes column-family handles, then the database
  RocksDb(const RocksDb&) = delete;
  RocksDb& operator=(const RocksDb&) = delete;

  // The value of `key`, or nullopt if absent. Errors: INTERNAL.
  absl::StatusOr<std::optional<std::string>> Get(ColumnFamily family, absl::string_view key,
                                                 const Snapshot* snapshot = nullptr) const;
  // Applies `batch` atomically through the WAL. Errors: INTERNAL (disk full, I/O error).
  absl::Status Write(WriteBatch& batch);
  WriteBatch NewWriteBatch() const;
  std::unique_ptr<Iterator> NewIterator(ColumnFamily family, std::string lower_bound,
                                        std::string upper_bound,
                                        const Snapshot* snapshot = nullptr) const;
  std::shared_ptr<const Snapshot> GetSnapshot() const;
  // Approximate on-disk size of all SST and WAL files, in bytes.
  int64_t ApproximateDiskBytes() const;

 private:
  friend class WriteBatch;
  RocksDb() = default;
  rocksdb::ColumnFamilyHandle* handle(ColumnFamily family) const;

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // indexed by ColumnFamily; [last] = default
  bool sync_writes_ = false;
};

}  // namespace newsdb::storage

#endif  // NEWSDB_SERVICES_STORAGE_ROCKS_DB_H_
