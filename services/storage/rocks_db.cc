#include "services/storage/rocks_db.h"

#include <filesystem>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/options.h"
#include "rocksdb/slice.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"

namespace newsdb::storage {
namespace {

// Names on disk; never rename one (that would orphan its data). Order matches ColumnFamily.
constexpr const char* kColumnFamilyNames[kColumnFamilyCount] = {
    "articles", "article_ids", "view_history", "postings", "doc_values", "requests", "positions"};

absl::Status FromRocks(const rocksdb::Status& status, absl::string_view what) {
  if (status.ok()) return absl::OkStatus();
  std::string message = absl::StrCat(what, ": ", status.ToString());
  if (status.IsIOError() && status.ToString().find("lock") != std::string::npos) {
    return absl::FailedPreconditionError(message);
  }
  return absl::InternalError(message);
}

rocksdb::Slice ToSlice(absl::string_view view) { return rocksdb::Slice(view.data(), view.size()); }

rocksdb::ColumnFamilyOptions FamilyOptions(ColumnFamily family,
                                           const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions options;
  // A 64 MiB memtable budget per family (the default is 512 MiB) keeps a shard's memory within
  // its 1 GiB budget; db_write_buffer_size below caps all families together.
  // The request ledger is small (a few bytes per article of recent writes): 8 MiB.
  options.OptimizeLevelStyleCompaction(family == ColumnFamily::kRequests ? 8 << 20 : 64 << 20);
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  if (family == ColumnFamily::kArticleIds || family == ColumnFamily::kViewHistory ||
      family == ColumnFamily::kArticles) {
    // Point lookups by key: a Bloom filter saves disk reads for ids that are new, and a search's
    // Get of each hit's article the index seeks of the levels that do not hold it.
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  }
  if (family == ColumnFamily::kArticles) table.block_size = size_t{16} * 1024;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  options.compression = rocksdb::kLZ4Compression;
  options.bottommost_compression = rocksdb::kZSTD;
  if (family == ColumnFamily::kPositions) {
    // A phrase of common words reads tens of megabytes of positions: LZ4 at every level, which
    // decompresses several times faster than ZSTD.
    options.bottommost_compression = rocksdb::kLZ4Compression;
  }
  return options;
}

}  // namespace

Snapshot::~Snapshot() { db_->ReleaseSnapshot(snapshot_); }

WriteBatch::WriteBatch(const RocksDb* db)
    : db_(db), batch_(std::make_unique<rocksdb::WriteBatch>()) {}
WriteBatch::~WriteBatch() = default;
WriteBatch::WriteBatch(WriteBatch&&) noexcept = default;
WriteBatch& WriteBatch::operator=(WriteBatch&&) noexcept = default;

void WriteBatch::Put(ColumnFamily family, absl::string_view key, absl::string_view value) {
  rocksdb::Status status = batch_->Put(db_->handle(family), ToSlice(key), ToSlice(value));
  (void)status;  // only fails past 4 GiB per batch, which callers' batch limits rule out
}

void WriteBatch::Delete(ColumnFamily family, absl::string_view key) {
  rocksdb::Status status = batch_->Delete(db_->handle(family), ToSlice(key));
  (void)status;
}

int WriteBatch::count() const { return static_cast<int>(batch_->Count()); }

Iterator::Iterator(std::string lower_bound, std::string upper_bound)
    : lower_bound_(std::move(lower_bound)), upper_bound_(std::move(upper_bound)) {}
Iterator::~Iterator() = default;
void Iterator::Seek(absl::string_view target) { iterator_->Seek(ToSlice(target)); }
void Iterator::SeekForPrev(absl::string_view target) { iterator_->SeekForPrev(ToSlice(target)); }
void Iterator::SeekToFirst() { iterator_->SeekToFirst(); }
void Iterator::SeekToLast() { iterator_->SeekToLast(); }
bool Iterator::Valid() const { return iterator_->Valid(); }
void Iterator::Next() { iterator_->Next(); }
void Iterator::Prev() { iterator_->Prev(); }
absl::string_view Iterator::key() const {
  rocksdb::Slice key = iterator_->key();
  return {key.data(), key.size()};
}
absl::string_view Iterator::value() const {
  rocksdb::Slice value = iterator_->value();
  return {value.data(), value.size()};
}
absl::Status Iterator::status() const { return FromRocks(iterator_->status(), "iterator"); }

absl::StatusOr<std::unique_ptr<RocksDb>> RocksDb::Open(const std::string& path,
                                                       const RocksDbOptions& options) {
  std::error_code error;
  std::filesystem::create_directories(path, error);
  if (error) {
    return absl::InternalError(absl::StrCat("cannot create ", path, ": ", error.message()));
  }
  std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  std::shared_ptr<rocksdb::Cache> positions_cache =
      rocksdb::NewLRUCache(options.positions_cache_bytes);

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.IncreaseParallelism(2);
  db_options.max_background_jobs = 2;
  db_options.keep_log_file_num = 5;
  db_options.max_total_wal_size = 128 << 20;
  db_options.db_write_buffer_size = 192 << 20;

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (int i = 0; i < kColumnFamilyCount; ++i) {
    const ColumnFamily family = static_cast<ColumnFamily>(i);
    descriptors.emplace_back(
        kColumnFamilyNames[i],
        FamilyOptions(family, family == ColumnFamily::kPositions ? positions_cache : cache));
  }
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions());

  std::unique_ptr<RocksDb> result(new RocksDb());
  result->sync_writes_ = options.sync_writes;
  rocksdb::DB* db = nullptr;
  rocksdb::Status status = rocksdb::DB::Open(db_options, path, descriptors, &result->handles_, &db);
  if (!status.ok()) return FromRocks(status, absl::StrCat("cannot open RocksDB at ", path));
  result->db_.reset(db);
  return result;
}

RocksDb::~RocksDb() {
  if (db_ == nullptr) return;
  // Flushing the memtables on a clean close means the next open replays no write-ahead log, so a
  // restarted shard serves at once. (After a crash the WAL, bounded by max_total_wal_size, is
  // replayed instead.)
  rocksdb::FlushOptions flush;
  flush.wait = true;
  db_->Flush(flush, handles_).PermitUncheckedError();
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  }
  handles_.clear();
  db_->Close().PermitUncheckedError();
}

rocksdb::ColumnFamilyHandle* RocksDb::handle(ColumnFamily family) const {
  return handles_[static_cast<int>(family)];
}

absl::StatusOr<std::optional<std::string>> RocksDb::Get(ColumnFamily family, absl::string_view key,
                                                        const Snapshot* snapshot) const {
  rocksdb::ReadOptions read_options;
  if (snapshot != nullptr) read_options.snapshot = snapshot->snapshot_;
  std::string value;
  rocksdb::Status status = db_->Get(read_options, handle(family), ToSlice(key), &value);
  if (status.IsNotFound()) return std::nullopt;
  if (!status.ok()) return FromRocks(status, "get");
  return value;
}

absl::Status RocksDb::Write(WriteBatch& batch) {
  rocksdb::WriteOptions write_options;
  write_options.sync = sync_writes_;
  return FromRocks(db_->Write(write_options, batch.batch_.get()), "write");
}

WriteBatch RocksDb::NewWriteBatch() const { return WriteBatch(this); }

std::unique_ptr<Iterator> RocksDb::NewIterator(ColumnFamily family, std::string lower_bound,
                                               std::string upper_bound,
                                               const Snapshot* snapshot) const {
  std::unique_ptr<Iterator> iterator(new Iterator(std::move(lower_bound), std::move(upper_bound)));
  rocksdb::ReadOptions read_options;
  if (snapshot != nullptr) read_options.snapshot = snapshot->snapshot_;
  if (!iterator->lower_bound_.empty()) {
    iterator->lower_slice_ = std::make_unique<rocksdb::Slice>(iterator->lower_bound_);
    read_options.iterate_lower_bound = iterator->lower_slice_.get();
  }
  if (!iterator->upper_bound_.empty()) {
    iterator->upper_slice_ = std::make_unique<rocksdb::Slice>(iterator->upper_bound_);
    read_options.iterate_upper_bound = iterator->upper_slice_.get();
  }
  iterator->iterator_.reset(db_->NewIterator(read_options, handle(family)));
  return iterator;
}

std::shared_ptr<const Snapshot> RocksDb::GetSnapshot() const {
  return std::shared_ptr<const Snapshot>(new Snapshot(db_.get(), db_->GetSnapshot()));
}

int64_t RocksDb::ApproximateDiskBytes() const {
  uint64_t total = 0;
  for (int i = 0; i < kColumnFamilyCount; ++i) {
    uint64_t size = 0;
    db_->GetIntProperty(handles_[i], rocksdb::DB::Properties::kTotalSstFilesSize, &size);
    total += size;
  }
  return static_cast<int64_t>(total);
}

}  // namespace newsdb::storage
