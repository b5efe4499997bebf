#ifndef NEWSDB_SERVICES_STORAGE_ARTICLE_STORE_H_
#define NEWSDB_SERVICES_STORAGE_ARTICLE_STORE_H_

// The article archive of one shard: upserts with view history, lookups by id, and scans in
// publication order, on top of RocksDb (column families in rocks_db.h, keys in key_codec.h).
//
// Thread-safety: every method may be called concurrently. Put calls are serialised by a mutex
// (each is a read-modify-write); reads never block on writes.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/article/shard.h"
#include "newsdb/v1/article.pb.h"
#include "newsdb/v1/storage_service.pb.h"
#include "services/storage/key_codec.h"
#include "services/storage/mutex.h"
#include "services/storage/request_ledger.h"
#include "services/storage/rocks_db.h"
#include "services/storage/search_index.h"

namespace newsdb::storage {

inline constexpr int kMaxArticlesPerPut = 10'000;
// The request ledger is pruned of expired entries at open and after this many recorded requests.
inline constexpr int64_t kRequestsPerPrune = 4096;

// What a scan returns.
struct ScanOptions {
  std::optional<absl::Time> start;  // inclusive
  std::optional<absl::Time> end;    // exclusive
  bool newest_first = true;
  std::optional<ArticleKey> resume_after;  // exclusive position in scan order
  int64_t limit = 0;                       // 0 = no limit
  bool omit_paragraphs = false;
};

class ArticleStore {
 public:
  // Opens (or creates) the store whose RocksDB lives in `<data_dir>/rocksdb`.
  // Errors: as RocksDb::Open.
  // Documents whose postings were still in the index's write buffer when the process stopped
  // without closing (a crash) are read back and re-indexed before Open returns.
  // `request_retention`: how long the request ledger remembers an applied request_id.
  // `shard`: which shard of how many this store is. A new store records it; an existing one must
  // have been created with the same (a store from before shards were recorded is shard 0/1).
  // Put refuses articles of other shards.
  // Errors: FAILED_PRECONDITION if the store was created as another shard.
  static absl::StatusOr<std::unique_ptr<ArticleStore>> Open(
      const std::string& data_dir, const RocksDbOptions& options = {},
      const IndexOptions& index_options = {},
      absl::Duration request_retention = kDefaultRequestRetention,
      article::ShardPlacement shard = {});
  static constexpr absl::Duration kDefaultRequestRetention = absl::Hours(24);
  // Merges the index's write buffer into RocksDB (unless IndexOptions::flush_on_close is false).
  ~ArticleStore();

  // Upserts `articles` in one atomic write and returns one outcome per article, in order.
  // See newsdb.v1.StorageService.PutArticles for the semantics.
  // Errors: INVALID_ARGUMENT with a BadRequest naming each bad field (nothing is written);
  // INTERNAL on a disk error (nothing is written).
  absl::StatusOr<std::vector<v1::PutResult>> Put(
      const google::protobuf::RepeatedPtrField<v1::Article>& articles) ABSL_LOCKS_EXCLUDED(mutex_);

  // Put with an idempotency key (empty: none). A request_id already recorded in the ledger is
  // answered from it (`replayed`) and writes nothing; otherwise the write records it atomically.
  // Errors: as Put, and INVALID_ARGUMENT for a request_id longer than kMaxRequestIdBytes or one
  // recorded for other articles.
  struct PutReply {
    std::vector<v1::PutResult> results;
    bool replayed = false;
  };
  absl::StatusOr<PutReply> Put(const google::protobuf::RepeatedPtrField<v1::Article>& articles,
                               absl::string_view request_id) ABSL_LOCKS_EXCLUDED(mutex_);

  // Returns the article with its view history. Errors: INVALID_ARGUMENT (malformed id),
  // NOT_FOUND, INTERNAL.
  absl::StatusOr<v1::Article> Get(absl::string_view id) const;

  // Calls `sink` with each article in the range, in the requested order, until it returns false
  // or `limit` articles were passed. All reads come from one snapshot.
  // Errors: INVALID_ARGUMENT (end before start), INTERNAL.
  absl::Status Scan(const ScanOptions& options, absl::FunctionRef<bool(v1::Article)> sink) const;

  // Searches this shard: the index's hits, each with its article (and snippets if asked).
  // Errors: as SearchIndex::Search.
  absl::StatusOr<v1::SearchShardResponse> Search(const v1::SearchShardRequest& request,
                                                 absl::FunctionRef<bool()> cancelled) const;

  // BM25's statistics of this shard for a search (SearchIndex::Statistics).
  absl::StatusOr<v1::SearchStatistics> Statistics(const v1::SearchShardRequest& request,
                                                  absl::FunctionRef<bool()> cancelled) const {
    return index_->Statistics(request, cancelled);
  }

  // The shard this store holds.
  const article::ShardPlacement& shard() const { return shard_; }

  // Number of stored articles.
  int64_t documents() const { return index_->documents(); }

  // Approximate size of the database files, in bytes.
  int64_t ApproximateDiskBytes() const { return db_->ApproximateDiskBytes(); }

 private:
  struct StoredState;
  struct StagedWrite;
  ArticleStore(std::unique_ptr<RocksDb> db, std::unique_ptr<SearchIndex> index,
               absl::Duration request_retention, article::ShardPlacement shard)
      : db_(std::move(db)),
        index_(std::move(index)),
        ledger_(*db_, request_retention),
        shard_(shard) {}
  // Records `shard` in a new store, or checks it against the recorded one.
  static absl::Status CheckShard(RocksDb& db, const SearchIndex& index,
                                 const article::ShardPlacement& shard);

  // Put's write, under the write mutex; `prepared` holds the postings of the articles that were
  // new when Put checked, built before the lock.
  absl::StatusOr<PutReply> WriteLocked(
      const google::protobuf::RepeatedPtrField<v1::Article>& articles, NewPostings& prepared,
      absl::string_view request_id, uint64_t fingerprint) ABSL_LOCKS_EXCLUDED(mutex_);
  // WriteLocked's steps: adds one article's changes to `batch` and returns its outcome; then the
  // index changes of everything staged, in touch order, with the ids created.
  absl::StatusOr<v1::PutResult> Stage(const v1::Article& article, StagedWrite& staged,
                                      WriteBatch& batch) const;
  static std::vector<SearchIndex::Change> IndexChanges(const StagedWrite& staged,
                                                       std::vector<article::ArticleId>* created);
  // Re-indexes the documents whose postings were in the write buffer at a crash.
  absl::Status RebuildBuffer();

  absl::StatusOr<std::optional<StoredState>> Load(article::ArticleId id,
                                                  const Snapshot* snapshot) const;
  // Adds the view history of `id` to `article`, reading with `views` (from NewViewIterator).
  absl::Status FillViews(Iterator& views, article::ArticleId id, v1::Article* article) const;
  std::unique_ptr<Iterator> NewViewIterator(const Snapshot* snapshot) const;

  std::unique_ptr<RocksDb> db_;
  std::unique_ptr<SearchIndex> index_;  // refers to *db_; destroyed first
  RequestLedger ledger_;                // refers to *db_
  const article::ShardPlacement shard_;
  mutable sync::Mutex mutex_;  // serialises writes (acquired before the index's)
  int64_t recorded_since_prune_ ABSL_GUARDED_BY(mutex_) = 0;
};

}  // namespace newsdb::storage

#endif  // NEWSDB_SERVICES_STORAGE_ARTICLE_STORE_H_
