#ifndef NEWSDB_SERVICES_STORAGE_SEARCH_VIEW_H_
#define NEWSDB_SERVICES_STORAGE_SEARCH_VIEW_H_

// What one shard search reads: the index as of one moment, captured under the index's lock
// (SearchIndex::CaptureView) and then read without it while writes go on. Later pages of a search
// capture the same moment again from the page token's ShardSnapshot.

#include <cstdint>
#include <memory>
#include <utility>

#include "absl/strings/string_view.h"
#include "newsdb/v1/storage_service.pb.h"
#include "services/storage/doc_value_store.h"
#include "services/storage/posting_buffer.h"
#include "services/storage/rocks_db.h"

namespace newsdb::storage {

// Posting blocks as of one moment: RocksDB's under a snapshot and the write buffer's segments.
// The database must outlive the source.
class PostingSource {
 public:
  PostingSource(const RocksDb& db, std::shared_ptr<const Snapshot> snapshot,
                uint32_t indexed_through, Segments segments)
      : db_(&db),
        snapshot_(std::move(snapshot)),
        indexed_through_(indexed_through),
        segments_(std::move(segments)) {}

  // Blocks with keys in [lower, upper) (an empty upper: unbounded).
  PostingCursor Cursor(absl::string_view lower, absl::string_view upper) const {
    return PostingCursor(*db_, snapshot_.get(), indexed_through_, segments_, lower, upper);
  }

 private:
  const RocksDb* db_;
  std::shared_ptr<const Snapshot> snapshot_;
  uint32_t indexed_through_;
  Segments segments_;
};

struct SearchView {
  v1::ShardSnapshot snapshot;  // document limit, write sequence and process epoch
  DocValuesView values;        // documents [0, snapshot.doc_limit())
  PostingSource postings;
};

}  // namespace newsdb::storage

#endif  // NEWSDB_SERVICES_STORAGE_SEARCH_VIEW_H_
