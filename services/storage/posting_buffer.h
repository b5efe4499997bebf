#ifndef NEWSDB_SERVICES_STORAGE_POSTING_BUFFER_H_
#define NEWSDB_SERVICES_STORAGE_POSTING_BUFFER_H_

// The index's write buffer: postings of the newest documents held in memory as immutable
// segments, merged into RocksDB in large blocks now and then (SearchIndex::Flush).
//
// Why: a write of ~1,000 articles touches ~45,000 distinct terms, nearly all of them rare, so
// writing each write's postings straight to RocksDB cost ~45 keys per article, and the memtable
// inserts, flushes and compactions of those keys were most of the storage's CPU during ingest.
// Merging many writes' segments first turns a term's many tiny blocks into one (see
// docs/architecture.md, "Index write buffer").
//
// A segment holds the postings of a run of new documents [first_doc, end_doc) as sorted
// (posting key, block) pairs, in the same key and block formats as RocksDB's, so a reader merges
// the two sources without caring where a block lives (in RocksDB a block's positions are a value
// of their own: PostingCursor::positions reads them from either).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/storage/rocks_db.h"

namespace newsdb::storage {

struct MemSegment {
  uint32_t first_doc = 0;
  uint32_t end_doc = 0;
  std::vector<std::string> keys;  // posting keys, strictly increasing
  std::vector<std::string> values;
  size_t bytes = 0;  // of keys and values

  void Add(std::string key, std::string value) {
    bytes += key.size() + value.size();
    keys.push_back(std::move(key));
    values.push_back(std::move(value));
  }
};

using Segments = std::vector<std::shared_ptr<const MemSegment>>;

// The first document number in a posting key (its last four bytes, big-endian), and its setter.
uint32_t PostingKeyFirstDoc(absl::string_view key);
void SetPostingKeyFirstDoc(uint32_t doc, std::string* key);  // key->size() >= 4

// Iterates, in key order, the posting blocks with keys in [lower, upper) (an empty upper: no
// bound) of RocksDB's `postings` family as of `snapshot` (null: the latest) and of `segments`.
// RocksDB blocks whose first document is >= `rocks_limit` are skipped: they are a flush of
// segments the reader still holds. The database and snapshot must outlive the cursor.
class PostingCursor {
 public:
  PostingCursor(const RocksDb& db, const Snapshot* snapshot, uint32_t rocks_limit,
                const Segments& segments, absl::string_view lower, absl::string_view upper);

  void SeekToFirst();
  bool Valid() const { return current_ != kNone; }
  void Next();
  absl::string_view key() const;
  // The block's documents and frequencies, and, for a block of the write buffer, its positions.
  absl::string_view value() const;
  // The block's positions section; `docs_end` is where DecodePostingDocs stopped in value().
  // A RocksDB block's positions are read from the `positions` family only now, into `scratch`.
  // Errors: INTERNAL if they are missing or cannot be read.
  absl::StatusOr<absl::string_view> positions(size_t docs_end, std::string* scratch) const;
  absl::Status status() const { return rocks_->status(); }

 private:
  static constexpr size_t kNone = ~size_t{0};
  static constexpr size_t kRocks = kNone - 1;
  struct Range {
    const MemSegment* segment;
    size_t begin;
    size_t position;
    size_t end;
  };
  void SkipRocksBeyondLimit();
  void PickSmallest();

  const RocksDb* db_;
  const Snapshot* snapshot_;
  std::unique_ptr<Iterator> rocks_;
  uint32_t rocks_limit_;
  std::vector<Range> ranges_;
  size_t current_ = kNone;  // kRocks or an index into ranges_
};

// The segments' postings as one set of blocks, a block per (field, term): `put` receives each
// key and block in key order. Segments must cover increasing, disjoint document ranges, in order.
// Errors: INTERNAL if a block is malformed.
absl::Status MergeSegments(
    const Segments& segments,
    absl::FunctionRef<void(absl::string_view key, absl::string_view value)> put);

}  // namespace newsdb::storage

#endif  // NEWSDB_SERVICES_STORAGE_POSTING_BUFFER_H_
