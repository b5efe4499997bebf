#include "services/storage/search_index.h"

#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/log/log.h"
#include "common/search/query_tree.h"
#include "common/status/field_errors.h"
#include "common/status/status_macros.h"
#include "services/storage/posting_codec.h"
#include "services/storage/search_request.h"

namespace newsdb::storage {
namespace {

// Key of the buffer's flush mark in `postings`; no posting key starts with NUL.
const absl::string_view kIndexedThroughKey("\0indexed_through", 16);
// Keep this many view changes for snapshots of later pages.
constexpr size_t kMaxViewChanges = 4'000'000;

// Key of the posting format's mark in `postings`: present once every block in RocksDB is stored
// as two values (posting_codec.h). Indexes written before positions had a family of their own
// are split when they are opened (MigrateToSplitBlocks).
const absl::string_view kSplitBlocksKey("\0split_blocks", 13);

// Writes a whole posting block as RocksDB holds it: documents part and positions part.
absl::Status PutPostingBlock(absl::string_view key, absl::string_view block, WriteBatch& batch) {
  NEWSDB_ASSIGN_OR_RETURN(PostingBlockParts parts, SplitPostingBlock(block));
  batch.Put(ColumnFamily::kPostings, key, parts.docs);
  batch.Put(ColumnFamily::kPositions, key, parts.positions);
  return absl::OkStatus();
}

void DeletePostingBlock(absl::string_view key, WriteBatch& batch) {
  batch.Delete(ColumnFamily::kPostings, key);
  batch.Delete(ColumnFamily::kPositions, key);
}

// Moves the positions of every whole block in `postings` to `positions`, in batches, then writes
// the mark. A crash part-way leaves blocks already split, which a new run passes over (a whole
// block always has positions after its documents part; a split one has none).
absl::Status MigrateToSplitBlocks(RocksDb& db) {
  constexpr size_t kBatchBytes = 8 << 20;
  std::unique_ptr<Iterator> it =
      db.NewIterator(ColumnFamily::kPostings, std::string(1, '\x01'), "");
  WriteBatch batch = db.NewWriteBatch();
  size_t batch_bytes = 0;
  int64_t moved = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    absl::StatusOr<PostingBlockParts> parts = SplitPostingBlock(it->value());
    if (!parts.ok()) {
      return absl::InternalError(absl::StrCat("posting block ", absl::CHexEscape(it->key()), ": ",
                                              parts.status().message()));
    }
    if (parts->positions.empty()) continue;
    NEWSDB_RETURN_IF_ERROR(PutPostingBlock(it->key(), it->value(), batch));
    batch_bytes += it->key().size() * 2 + it->value().size();
    ++moved;
    if (batch_bytes >= kBatchBytes) {
      NEWSDB_RETURN_IF_ERROR(db.Write(batch));
      batch = db.NewWriteBatch();
      batch_bytes = 0;
    }
  }
  NEWSDB_RETURN_IF_ERROR(it->status());
  batch.Put(ColumnFamily::kPostings, kSplitBlocksKey, "");
  NEWSDB_RETURN_IF_ERROR(db.Write(batch));
  if (moved > 0) {
    LOG(INFO) << "index: moved the positions of " << moved
              << " posting blocks to their own column family";
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<SearchIndex>> SearchIndex::Load(RocksDb& db,
                                                               const IndexOptions& options) {
  NEWSDB_ASSIGN_OR_RETURN(std::optional<std::string> split,
                          db.Get(ColumnFamily::kPostings, kSplitBlocksKey));
  if (!split.has_value()) NEWSDB_RETURN_IF_ERROR(MigrateToSplitBlocks(db));
  std::unique_ptr<SearchIndex> index(new SearchIndex(db, options));
  index->epoch_ = std::random_device{}() * uint64_t{0x100000001} ^
                  static_cast<uint64_t>(absl::ToUnixNanos(absl::Now()));
  sync::MutexLock lock(&index->mutex_);
  std::unique_ptr<Iterator> it = db.NewIterator(ColumnFamily::kDocValues, "", "");
  uint32_t expected = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    absl::string_view key = it->key();
    if (key != EncodeDocKey(expected)) {
      return absl::InternalError(absl::StrCat("doc values are not dense at document ", expected));
    }
    absl::StatusOr<DocValues> values = DecodeDocValues(it->value());
    if (!values.ok()) {
      return absl::InternalError(
          absl::StrCat("document ", expected, ": ", values.status().message()));
    }
    index->values_.Add(expected, *values, index->sequence_);
    ++expected;
  }
  NEWSDB_RETURN_IF_ERROR(it->status());
  // Without a mark (a new index, or one written before the buffer existed) every document's
  // postings are in RocksDB; the mark is written now, so that a crash before the first flush
  // still finds where the buffer began.
  index->indexed_through_ = expected;
  NEWSDB_ASSIGN_OR_RETURN(std::optional<std::string> mark,
                          db.Get(ColumnFamily::kPostings, kIndexedThroughKey));
  if (!mark.has_value()) {
    WriteBatch batch = db.NewWriteBatch();
    batch.Put(ColumnFamily::kPostings, kIndexedThroughKey, EncodeDocKey(expected));
    NEWSDB_RETURN_IF_ERROR(db.Write(batch));
  } else {
    if (mark->size() != 4) return absl::InternalError("malformed index flush mark");
    const uint32_t through = PostingKeyFirstDoc(*mark);
    if (through > expected) {
      return absl::InternalError(absl::StrCat("the index flush mark (", through,
                                              ") is beyond the documents (", expected, ")"));
    }
    index->indexed_through_ = through;
  }
  return index;
}

uint32_t SearchIndex::next_doc() const {
  sync::ReaderMutexLock lock(&mutex_);
  return values_.size();
}

int64_t SearchIndex::documents() const {
  sync::ReaderMutexLock lock(&mutex_);
  return values_.size();
}

absl::Status SearchIndex::FlushBeforeEdits(const std::vector<Change>& changes) {
  // Edits rewrite posting blocks in RocksDB, so a changed document must have its postings there.
  for (const Change& change : changes) {
    if (change.old_content != nullptr && change.doc >= indexed_through() &&
        !SameText(*change.old_content, *change.new_content)) {
      return Flush();
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<SearchIndex::PendingUpdate> SearchIndex::Prepare(const std::vector<Change>& changes,
                                                                WriteBatch& batch,
                                                                NewPostings* prepared) {
  NEWSDB_RETURN_IF_ERROR(FlushBeforeEdits(changes));
  PendingUpdate update;
  PostingEdits edits;      // of documents that existed
  SegmentBuilder builder;  // of new documents, unless prepared
  size_t new_docs = 0;
  for (const Change& change : changes) {
    NEWSDB_CHECK(change.new_content != nullptr);
    const v1::Article& content = *change.new_content;
    DocLengths lengths;
    if (change.old_content == nullptr) {
      if (prepared != nullptr) {
        NEWSDB_CHECK(new_docs < prepared->ids.size() &&
                     prepared->ids[new_docs] == *article::ParseArticleId(content.id()));
        lengths = prepared->lengths[new_docs];
      } else {
        lengths = builder.Add(content, change.doc);
      }
      ++new_docs;
    } else if (SameText(*change.old_content, content)) {
      // Only the views changed (a later capture): keep the lengths, skip the analysis.
      sync::ReaderMutexLock lock(&mutex_);
      const FieldLengths known = values_.lengths(change.doc);
      lengths = {static_cast<uint32_t>(known.title), static_cast<uint32_t>(known.body),
                 static_cast<uint32_t>(known.credit)};
    } else {
      lengths = CollectTextEdits(change.doc, *change.old_content, content, &edits);
    }
    DocValues values;
    values.id = *article::ParseArticleId(content.id());
    values.published_seconds = content.published_at().seconds();
    values.views = change.views;
    values.title_length = lengths.title;
    values.body_length = lengths.body;
    values.credit_length = lengths.credit;
    values.credit = content.credit();
    batch.Put(ColumnFamily::kDocValues, EncodeDocKey(change.doc), EncodeDocValues(values));
    update.values.emplace_back(change.doc, std::move(values));
  }

  // New documents' postings go to the write buffer (Commit adds the segment).
  const uint32_t first_new_doc = next_doc();
  if (prepared != nullptr) {
    NEWSDB_CHECK(prepared->ids.size() == new_docs);
    MemSegment& segment = *prepared->segment;
    for (std::string& key : segment.keys) {
      SetPostingKeyFirstDoc(PostingKeyFirstDoc(key) + first_new_doc, &key);
    }
    segment.first_doc = first_new_doc;
    segment.end_doc = first_new_doc + static_cast<uint32_t>(new_docs);
    if (new_docs > 0) update.segment = std::move(prepared->segment);
  } else if (new_docs > 0) {
    update.segment = builder.Build(first_new_doc, static_cast<uint32_t>(new_docs));
  }
  NEWSDB_RETURN_IF_ERROR(RewriteEditedBlocks(std::move(edits), batch));
  return update;
}

absl::Status SearchIndex::RewriteEditedBlocks(PostingEdits&& edits, WriteBatch& batch) const {
  for (auto& [field_term, term_edits] : edits) {
    const IndexField field = static_cast<IndexField>(field_term.first);
    const std::string& term = field_term.second;
    const std::string prefix = PostingKeyPrefix(field, term);
    std::string upper = prefix;
    upper.back() = '\x01';
    std::unique_ptr<Iterator> it = db_.NewIterator(ColumnFamily::kPostings, prefix, upper);
    // Blocks this write touches, by first document.
    std::map<uint32_t, std::vector<Posting>> blocks;
    std::map<uint32_t, bool> existed;
    // The block that covers `doc` (first <= doc), loading it from the database if needed.
    auto covering_block = [&](uint32_t doc) -> absl::StatusOr<std::optional<uint32_t>> {
      std::optional<uint32_t> best;
      auto cached = blocks.upper_bound(doc);
      if (cached != blocks.begin()) best = std::prev(cached)->first;
      it->SeekForPrev(EncodePostingKey(field, term, doc));
      if (it->Valid()) {
        NEWSDB_ASSIGN_OR_RETURN(PostingKey key, DecodePostingKey(it->key()));
        if (!best || key.first_doc > *best) {
          if (!blocks.contains(key.first_doc)) {
            NEWSDB_ASSIGN_OR_RETURN(std::optional<std::string> positions,
                                    db_.Get(ColumnFamily::kPositions, it->key()));
            absl::StatusOr<std::vector<Posting>> postings = DecodePostingBlock(
                absl::StrCat(it->value(), positions.value_or("")), key.first_doc);
            if (!postings.ok()) {
              return absl::InternalError(
                  absl::StrCat("term ", term, ": ", postings.status().message()));
            }
            blocks[key.first_doc] = *std::move(postings);
            existed[key.first_doc] = true;
          }
          best = key.first_doc;
        }
      } else {
        NEWSDB_RETURN_IF_ERROR(it->status());
      }
      return best;
    };

    for (auto& [doc, positions] : term_edits) {
      NEWSDB_ASSIGN_OR_RETURN(std::optional<uint32_t> first, covering_block(doc));
      if (!first.has_value()) {
        if (positions.empty()) continue;
        blocks[doc] = {};  // a new block that starts here and ends where the next one starts
        first = doc;
      }
      std::vector<Posting>& postings = blocks[*first];
      auto at = std::lower_bound(postings.begin(), postings.end(), doc,
                                 [](const Posting& p, uint32_t d) { return p.doc < d; });
      const bool present = at != postings.end() && at->doc == doc;
      if (positions.empty()) {
        if (present) postings.erase(at);
      } else if (present) {
        at->positions = std::move(positions);
      } else {
        postings.insert(at, Posting{doc, std::move(positions)});
      }
    }
    for (auto& [first, postings] : blocks) {
      const std::string key = EncodePostingKey(field, term, first);
      if (postings.empty()) {
        if (existed[first]) DeletePostingBlock(key, batch);
        continue;
      }
      NEWSDB_RETURN_IF_ERROR(PutPostingBlock(key, EncodePostingBlock(first, postings), batch));
    }
  }
  return absl::OkStatus();
}

void SearchIndex::Commit(PendingUpdate update) {
  sync::MutexLock lock(&mutex_);
  ++sequence_;
  for (auto& [doc, values] : update.values) values_.Add(doc, values, sequence_);
  if (update.segment != nullptr) {
    buffer_bytes_ += update.segment->bytes;
    segments_.push_back(std::move(update.segment));
  }
  values_.TrimViewHistory(kMaxViewChanges);
}

bool SearchIndex::BufferFull() const {
  sync::ReaderMutexLock lock(&mutex_);
  if (segments_.empty()) return false;
  return segments_.back()->end_doc - indexed_through_ >= options_.buffer_docs ||
         buffer_bytes_ >= options_.buffer_bytes;
}

bool SearchIndex::BufferOverloaded() const {
  sync::ReaderMutexLock lock(&mutex_);
  if (segments_.empty()) return false;
  const uint64_t factor = std::max<uint32_t>(options_.overload_factor, 1);
  return segments_.back()->end_doc - indexed_through_ >= factor * options_.buffer_docs ||
         buffer_bytes_ >= factor * options_.buffer_bytes;
}

uint32_t SearchIndex::indexed_through() const {
  sync::ReaderMutexLock lock(&mutex_);
  return indexed_through_;
}

article::ArticleId SearchIndex::IdOf(uint32_t doc) const {
  sync::ReaderMutexLock lock(&mutex_);
  NEWSDB_CHECK(doc < values_.size());
  return values_.id(doc);
}

absl::Status SearchIndex::Flush() {
  sync::MutexLock flush_lock(&flush_mutex_);
  return FlushLocked();
}

absl::Status SearchIndex::FlushIfFull() {
  sync::MutexLock flush_lock(&flush_mutex_);
  if (!BufferFull()) return absl::OkStatus();  // another call flushed it meanwhile
  return FlushLocked();
}

absl::Status SearchIndex::FlushLocked() {
  if (options_.before_flush) NEWSDB_RETURN_IF_ERROR(options_.before_flush());
  // The segments are immutable, and only a flush removes them: Commit may append more meanwhile.
  // Searches read these segments until the merged blocks are durable, and skip those blocks in
  // RocksDB until the segments are dropped (PostingCursor's limit).
  Segments segments;
  uint32_t through = 0;
  size_t bytes = 0;
  {
    sync::ReaderMutexLock lock(&mutex_);
    if (segments_.empty()) return absl::OkStatus();
    segments = segments_;
    through = segments_.back()->end_doc;
  }
  for (const std::shared_ptr<const MemSegment>& segment : segments) bytes += segment->bytes;
  WriteBatch batch = db_.NewWriteBatch();
  absl::Status split = absl::OkStatus();
  NEWSDB_RETURN_IF_ERROR(
      MergeSegments(segments, [&](absl::string_view key, absl::string_view value) {
        if (split.ok()) split = PutPostingBlock(key, value, batch);
      }));
  if (!split.ok()) return absl::InternalError(absl::StrCat("index buffer: ", split.message()));
  batch.Put(ColumnFamily::kPostings, kIndexedThroughKey, EncodeDocKey(through));
  NEWSDB_RETURN_IF_ERROR(db_.Write(batch));
  sync::MutexLock lock(&mutex_);
  segments_.erase(segments_.begin(), segments_.begin() + static_cast<ptrdiff_t>(segments.size()));
  buffer_bytes_ -= bytes;
  indexed_through_ = through;
  return absl::OkStatus();
}

absl::Status SearchIndex::Rebuffer(uint32_t first_doc, NewPostings postings) {
  const uint32_t count = static_cast<uint32_t>(postings.ids.size());
  if (count == 0) return absl::OkStatus();
  sync::MutexLock lock(&mutex_);
  const uint32_t expected = segments_.empty() ? indexed_through_ : segments_.back()->end_doc;
  if (first_doc != expected) {
    return absl::InvalidArgumentError(
        absl::StrCat("re-buffered documents start at ", first_doc, ", expected ", expected));
  }
  if (first_doc + count > values_.size()) {
    return absl::InvalidArgumentError("re-buffered documents beyond the index");
  }
  for (uint32_t k = 0; k < count; ++k) {
    if (values_.id(first_doc + k) != postings.ids[k]) {
      return absl::InvalidArgumentError(
          absl::StrCat("re-buffered document ", first_doc + k, " has another article's id"));
    }
  }
  MemSegment& segment = *postings.segment;
  for (std::string& key : segment.keys) {
    SetPostingKeyFirstDoc(PostingKeyFirstDoc(key) + first_doc, &key);
  }
  segment.first_doc = first_doc;
  segment.end_doc = first_doc + count;
  buffer_bytes_ += segment.bytes;
  segments_.push_back(std::move(postings.segment));
  return absl::OkStatus();
}

absl::StatusOr<SearchView> SearchIndex::CaptureView(const v1::ShardSnapshot* requested) const {
  sync::ReaderMutexLock lock(&mutex_);
  const uint32_t documents = values_.size();
  v1::ShardSnapshot snapshot;
  if (requested != nullptr) {
    snapshot = *requested;
    if (snapshot.epoch() != epoch_) {
      return absl::FailedPreconditionError(
          "the page token belongs to a storage process that has since restarted; search again");
    }
    if (snapshot.sequence() + 1 < values_.oldest_sequence() || snapshot.sequence() > sequence_ ||
        snapshot.doc_limit() < 0 || snapshot.doc_limit() > documents) {
      return absl::FailedPreconditionError("the page token has expired; search again");
    }
  } else {
    snapshot.set_doc_limit(documents);
    snapshot.set_sequence(sequence_);
    snapshot.set_epoch(epoch_);
  }
  const uint32_t doc_limit = static_cast<uint32_t>(snapshot.doc_limit());
  return SearchView{snapshot, values_.Capture(doc_limit, snapshot.sequence()),
                    PostingSource(db_, db_.GetSnapshot(), indexed_through_, segments_)};
}

absl::StatusOr<IndexSearchResult> SearchIndex::Search(const v1::SearchShardRequest& request,
                                                      absl::FunctionRef<bool()> cancelled) const {
  NEWSDB_ASSIGN_OR_RETURN(const SearchPlan plan, PlanSearch(request));
  NEWSDB_ASSIGN_OR_RETURN(const SearchView view,
                          CaptureView(request.has_snapshot() ? &request.snapshot() : nullptr));
  return SearchShard(view, plan, cancelled);
}

absl::StatusOr<v1::SearchStatistics> SearchIndex::Statistics(
    const v1::SearchShardRequest& request, absl::FunctionRef<bool()> cancelled) const {
  if (absl::Status valid = search::ValidateQuery(request.query(), "query"); !valid.ok()) {
    return valid;
  }
  NEWSDB_ASSIGN_OR_RETURN(const SearchView view,
                          CaptureView(request.has_snapshot() ? &request.snapshot() : nullptr));
  return CollectStatistics(view, request.query(), cancelled);
}

}  // namespace newsdb::storage
