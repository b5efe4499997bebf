#ifndef NEWSDB_SERVICES_STORAGE_SEARCH_INDEX_H_
#define NEWSDB_SERVICES_STORAGE_SEARCH_INDEX_H_

// The shard's full-text index and its writer: posting lists with positions in RocksDB
// (posting_codec.h), and per-document values (id, publication time, views, credit, field lengths)
// in RocksDB's `doc_values` (key_codec.h) and, for fast filters, sorts and facets, in memory
// (doc_value_store.h). Documents are numbered densely from 0 in creation order; a number never
// changes or gets reused. Nothing else is persisted: collection statistics are sums over the
// documents, computed when the index is loaded, so a restart reads one column family.
//
// Searches capture a SearchView under the index's lock and run without it (shard_searcher.h).
//
// New documents' postings first go to an in-memory write buffer (posting_buffer.h) that searches
// read together with RocksDB; Flush merges it into RocksDB with the key "\0indexed_through" in
// `postings` (u32 BE: documents below it have their postings in RocksDB), in one write. The
// articles themselves are durable from their own write: after a crash, the store re-indexes the
// documents from that number on (ArticleStore::Open). A clean close flushes.
//
// Thread-safety: Prepare and Commit must be serialised by the caller (ArticleStore's write mutex);
// Flush may run concurrently with them (one flush at a time), Search with all of them and itself.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "common/article/article_id.h"
#include "newsdb/v1/article.pb.h"
#include "newsdb/v1/storage_service.pb.h"
#include "services/storage/doc_value_store.h"
#include "services/storage/key_codec.h"
#include "services/storage/mutex.h"
#include "services/storage/posting_buffer.h"
#include "services/storage/posting_builder.h"
#include "services/storage/rocks_db.h"
#include "services/storage/search_view.h"
#include "services/storage/shard_searcher.h"

namespace newsdb::storage {

// When the write buffer is merged into RocksDB.
struct IndexOptions {
  uint32_t buffer_docs = 16384;            // documents
  size_t buffer_bytes = size_t{64} << 20;  // encoded postings
  // Merge the buffer when the store closes. Only tests turn this off, to simulate a crash.
  bool flush_on_close = true;
  // Writes are refused (UNAVAILABLE) while the buffer holds this many times its size: merges have
  // been failing, and memory must not grow without bound.
  uint32_t overload_factor = 4;
  // Tests only: called before each merge; an error fails the merge (fault injection).
  std::function<absl::Status()> before_flush;
};

class SearchIndex {
 public:
  // Loads per-document values from `db` (which must outlive the index).
  // Errors: INTERNAL on unreadable values.
  static absl::StatusOr<std::unique_ptr<SearchIndex>> Load(RocksDb& db,
                                                           const IndexOptions& options = {});

  // One document whose text or views changed in a write.
  struct Change {
    uint32_t doc = 0;
    const v1::Article* old_content = nullptr;  // the text before the write; nullptr if new
    const v1::Article* new_content = nullptr;  // the text after the write (may equal the old)
    int64_t views = 0;                         // latest view count after the write
  };
  // In-memory effects of a write, applied by Commit once the write is durable.
  struct PendingUpdate {
    std::vector<std::pair<uint32_t, DocValues>> values;
    std::shared_ptr<const MemSegment> segment;  // new documents' postings; may be null
  };

  // The number the next new document gets.
  uint32_t next_doc() const ABSL_LOCKS_EXCLUDED(mutex_);

  // Adds to `batch` the posting and doc-value changes of `changes`: postings of a changed text are
  // replaced (none stay behind); a new document's go to the update's buffer segment. Reads
  // existing posting blocks. A changed text of a buffered document flushes the buffer first.
  // Errors: INTERNAL on read or write errors.
  // `prepared`, if given, holds the postings of exactly the new documents of `changes`, in order
  // (it is consumed).
  absl::StatusOr<PendingUpdate> Prepare(const std::vector<Change>& changes, WriteBatch& batch,
                                        NewPostings* prepared = nullptr);
  void Commit(PendingUpdate update) ABSL_LOCKS_EXCLUDED(mutex_);

  // Whether the write buffer has reached its size and should be flushed, and whether it holds
  // overload_factor times that (merges have been failing).
  bool BufferFull() const ABSL_LOCKS_EXCLUDED(mutex_);
  bool BufferOverloaded() const ABSL_LOCKS_EXCLUDED(mutex_);
  // Merges the write buffer, as it is when the call starts, into RocksDB (one write). May run
  // while Prepare and Commit add to the buffer; flushes run one at a time.
  // Errors: INTERNAL (the buffer stays, and searches still see it).
  absl::Status Flush() ABSL_LOCKS_EXCLUDED(flush_mutex_, mutex_);
  // Flush, if the buffer is still full once this call's turn to flush comes.
  absl::Status FlushIfFull() ABSL_LOCKS_EXCLUDED(flush_mutex_, mutex_);
  // Documents below this number have their postings in RocksDB, the others in the buffer.
  uint32_t indexed_through() const ABSL_LOCKS_EXCLUDED(mutex_);
  // Puts documents whose postings were lost with the buffer (a crash) back into it: `postings`
  // (from BuildNewPostings) are those of documents first_doc, first_doc + 1, ..., which must
  // continue the buffer. Serialised like Prepare.
  // Errors: INVALID_ARGUMENT if they do not continue the buffer or name other articles.
  absl::Status Rebuffer(uint32_t first_doc, NewPostings postings) ABSL_LOCKS_EXCLUDED(mutex_);
  article::ArticleId IdOf(uint32_t doc) const ABSL_LOCKS_EXCLUDED(mutex_);
  const IndexOptions& options() const { return options_; }

  // The index as of `requested` (a page token's), or now if null.
  // Errors: FAILED_PRECONDITION (a snapshot of another process, or expired).
  absl::StatusOr<SearchView> CaptureView(const v1::ShardSnapshot* requested) const
      ABSL_LOCKS_EXCLUDED(mutex_);

  // Validates the request (search_request.h), captures its view and searches it without the lock.
  // `cancelled` is polled during long loops.
  // Errors: INVALID_ARGUMENT (bad tree, filters, facets), FAILED_PRECONDITION (as CaptureView),
  // CANCELLED, INTERNAL.
  absl::StatusOr<IndexSearchResult> Search(const v1::SearchShardRequest& request,
                                           absl::FunctionRef<bool()> cancelled) const
      ABSL_LOCKS_EXCLUDED(mutex_);

  // BM25's statistics of this shard for the request's query, at its snapshot (or now).
  // Errors: as Search.
  absl::StatusOr<v1::SearchStatistics> Statistics(const v1::SearchShardRequest& request,
                                                  absl::FunctionRef<bool()> cancelled) const
      ABSL_LOCKS_EXCLUDED(mutex_);

  int64_t documents() const ABSL_LOCKS_EXCLUDED(mutex_);

 private:
  SearchIndex(RocksDb& db, const IndexOptions& options) : db_(db), options_(options) {}

  // Prepare's steps.
  absl::Status FlushBeforeEdits(const std::vector<Change>& changes) ABSL_LOCKS_EXCLUDED(mutex_);
  absl::Status RewriteEditedBlocks(PostingEdits&& edits, WriteBatch& batch) const;

  absl::Status FlushLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(flush_mutex_)
      ABSL_LOCKS_EXCLUDED(mutex_);

  RocksDb& db_;
  const IndexOptions options_;
  sync::Mutex flush_mutex_ ABSL_ACQUIRED_BEFORE(mutex_);  // one Flush at a time
  mutable sync::Mutex mutex_;
  // The write buffer: segments of documents [indexed_through_, next document), in order.
  Segments segments_ ABSL_GUARDED_BY(mutex_);
  uint32_t indexed_through_ ABSL_GUARDED_BY(mutex_) = 0;
  size_t buffer_bytes_ ABSL_GUARDED_BY(mutex_) = 0;
  // Captured on the shared side of mutex_, changed on its exclusive side.
  DocValueStore values_ ABSL_GUARDED_BY(mutex_);
  int64_t sequence_ ABSL_GUARDED_BY(mutex_) = 1;  // of the last Commit
  uint64_t epoch_ = 0;                            // this process's, in page tokens
};

}  // namespace newsdb::storage

#endif  // NEWSDB_SERVICES_STORAGE_SEARCH_INDEX_H_
