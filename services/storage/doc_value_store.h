#ifndef NEWSDB_SERVICES_STORAGE_DOC_VALUE_STORE_H_
#define NEWSDB_SERVICES_STORAGE_DOC_VALUE_STORE_H_

// The shard's per-document values in memory, in columns indexed by document number: id,
// publication second, views, credit (as an ordinal into a dictionary) and analysed field lengths,
// plus the running sums of the lengths (BM25's averages) and the documents per quarter hour of
// publication (calendar facets' totals). They are a cache of the `doc_values` column family
// (DocValues in key_codec.h), rebuilt when the index loads. Each window of kWindowDocs documents
// also has bounds of its values (WindowBounds).
//
// A search reads a DocValuesView: the columns as they were when it was captured, with the views
// as of a snapshot sequence, read without a lock while writes go on (shared_column.h). Replaced
// view counts are kept (up to a bound) so that a later page of a search sees its first page's.
//
// Thread-safety: Add, TrimViewHistory and Capture need external synchronisation as for
// SharedColumn (Capture on the shared side of a reader-writer lock, the rest exclusive);
// the other const members may run concurrently with Capture. A DocValuesView is immutable and
// safe from any thread; it must not outlive the store (the quarter-hour counts are read live,
// under the store's own lock).

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "common/article/article_id.h"
#include "services/storage/key_codec.h"
#include "services/storage/mutex.h"
#include "services/storage/shared_column.h"

namespace newsdb::storage {

// Analysed tokens per field (BM25's document lengths), of one document or summed.
struct FieldLengths {
  int64_t title = 0;
  int64_t body = 0;
  int64_t credit = 0;
};

// Credits by ordinal; ordinal 0 is the empty credit.
class CreditDictionary {
 public:
  CreditDictionary();
  // The ordinal of `credit`, added if new.
  uint32_t Intern(absl::string_view credit);
  std::optional<uint32_t> Find(absl::string_view credit) const;
  const std::string& name(uint32_t ordinal) const { return names_[ordinal]; }
  uint32_t size() const { return static_cast<uint32_t>(names_.size()); }

 private:
  std::vector<std::string> names_;
  absl::flat_hash_map<std::string, uint32_t> ordinals_;
};

// Documents per UTC-aligned quarter hour of publication (unix seconds / 900, floored). Every real
// time zone's offset is a multiple of 15 minutes, so these answer "articles published on this
// local day" in any zone. Thread-safe.
class PublicationHistogram {
 public:
  static int64_t QuarterOf(int64_t published_seconds);
  void Add(int64_t published_seconds) ABSL_LOCKS_EXCLUDED(mutex_);
  void Move(int64_t from_seconds, int64_t to_seconds) ABSL_LOCKS_EXCLUDED(mutex_);
  // Documents in quarter hours [first_quarter, end_quarter).
  int64_t Count(int64_t first_quarter, int64_t end_quarter) const ABSL_LOCKS_EXCLUDED(mutex_);
  // The quarter hours in [first_quarter, end_quarter) with documents, in order.
  std::vector<int64_t> Quarters(int64_t first_quarter, int64_t end_quarter) const
      ABSL_LOCKS_EXCLUDED(mutex_);

 private:
  mutable sync::Mutex mutex_;
  absl::btree_map<int64_t, int64_t> counts_ ABSL_GUARDED_BY(mutex_);
};

// Bounds of the values of a window: kWindowDocs consecutive document numbers starting at a
// multiple of kWindowDocs. They are the widest of every value any of the window's documents ever
// had (a replaced value only widens them), so they bound the values of every capture, and a
// search can pass a window whose best possible document cannot enter its top k (the collectors'
// early termination; "block-max" over the value columns).
struct WindowBounds {
  int64_t min_published = 0;
  int64_t max_published = 0;
  int64_t max_views = 0;
  uint32_t min_title_length = 0;
  uint32_t min_body_length = 0;
  uint32_t min_credit_length = 0;

  bool operator==(const WindowBounds& other) const {
    return min_published == other.min_published && max_published == other.max_published &&
           max_views == other.max_views && min_title_length == other.min_title_length &&
           min_body_length == other.min_body_length && min_credit_length == other.min_credit_length;
  }
  // Bounds of one document's values.
  static WindowBounds Of(const DocValues& values);
  // Widened to hold `values` too.
  WindowBounds Widened(const DocValues& values) const;
};

inline constexpr uint32_t kWindowShift = 7;
inline constexpr uint32_t kWindowDocs = uint32_t{1} << kWindowShift;
inline uint32_t WindowOf(uint32_t doc) { return doc >> kWindowShift; }

class DocValueStore;

// The values of documents [0, doc_limit()) as of one capture.
class DocValuesView {
 public:
  uint32_t doc_limit() const { return doc_limit_; }
  article::ArticleId id(uint32_t doc) const { return ids_[doc]; }
  int64_t published_seconds(uint32_t doc) const { return published_[doc]; }
  int64_t views(uint32_t doc) const {
    if (!old_views_.empty()) {
      auto old = old_views_.find(doc);
      if (old != old_views_.end()) return old->second;
    }
    return views_[doc];
  }
  uint32_t credit_ordinal(uint32_t doc) const { return credit_ordinals_[doc]; }
  const CreditDictionary& credits() const { return *credits_; }
  FieldLengths lengths(uint32_t doc) const {
    return {title_lengths_[doc], body_lengths_[doc], credit_lengths_[doc]};
  }
  uint32_t title_length(uint32_t doc) const { return title_lengths_[doc]; }
  uint32_t body_length(uint32_t doc) const { return body_lengths_[doc]; }
  uint32_t credit_length(uint32_t doc) const { return credit_lengths_[doc]; }
  const SharedColumn<uint32_t>::Reader& title_lengths() const { return title_lengths_; }
  const SharedColumn<uint32_t>::Reader& body_lengths() const { return body_lengths_; }
  const SharedColumn<uint32_t>::Reader& credit_lengths() const { return credit_lengths_; }
  // Sums of the lengths of documents [0, doc_limit()): kept when the view covers every document,
  // summed otherwise (a later page's older limit).
  FieldLengths length_sums() const;
  const PublicationHistogram& histogram() const { return *histogram_; }
  // Windows [0, window_count()) cover the documents; the last may reach past doc_limit() (its
  // bounds then hold later documents' values too, and still bound this view's).
  uint32_t window_count() const { return (doc_limit_ + kWindowDocs - 1) >> kWindowShift; }
  const WindowBounds& window(uint32_t window) const { return *windows_.address(window); }

 private:
  friend class DocValueStore;
  uint32_t doc_limit_ = 0;
  SharedColumn<article::ArticleId>::Reader ids_;
  SharedColumn<int64_t>::Reader published_;
  SharedColumn<int64_t>::Reader views_;
  SharedColumn<uint32_t>::Reader credit_ordinals_;
  SharedColumn<uint32_t>::Reader title_lengths_;
  SharedColumn<uint32_t>::Reader body_lengths_;
  SharedColumn<uint32_t>::Reader credit_lengths_;
  SharedColumn<WindowBounds>::Reader windows_;
  std::shared_ptr<const CreditDictionary> credits_;
  absl::flat_hash_map<uint32_t, int64_t> old_views_;  // views replaced after the sequence
  std::optional<FieldLengths> length_sums_;
  const PublicationHistogram* histogram_ = nullptr;
};

class DocValueStore {
 public:
  DocValueStore();

  uint32_t size() const { return ids_.size(); }
  // Adds document size() or replaces an existing document's values (its id never changes).
  // `sequence` is the write's: a view captured at an earlier sequence keeps the old view count.
  void Add(uint32_t doc, const DocValues& values, int64_t sequence);
  // Forgets the oldest replaced view counts beyond `max_changes`; views of sequences before
  // oldest_sequence() can no longer be captured.
  void TrimViewHistory(size_t max_changes);
  int64_t oldest_sequence() const { return oldest_sequence_; }

  article::ArticleId id(uint32_t doc) const { return ids_[doc]; }
  FieldLengths lengths(uint32_t doc) const {
    return {title_lengths_[doc], body_lengths_[doc], credit_lengths_[doc]};
  }

  // Documents [0, doc_limit) (<= size()) with the views as of `sequence` (>= oldest_sequence()
  // - 1): a view count replaced by a write of a later sequence reads as before that write.
  DocValuesView Capture(uint32_t doc_limit, int64_t sequence) const;

 private:
  struct ViewChange {
    int64_t sequence;
    uint32_t doc;
    int64_t old_views;
  };
  uint64_t generation() const { return captures_.load(std::memory_order_relaxed); }
  uint32_t InternCredit(const std::string& credit);

  // Incremented by every Capture: chunks and the dictionary shared since are copied on change.
  mutable std::atomic<uint64_t> captures_{0};
  SharedColumn<article::ArticleId> ids_;
  SharedColumn<int64_t> published_;
  SharedColumn<int64_t> views_;
  SharedColumn<uint32_t> credit_ordinals_;
  SharedColumn<uint32_t> title_lengths_;
  SharedColumn<uint32_t> body_lengths_;
  SharedColumn<uint32_t> credit_lengths_;
  SharedColumn<WindowBounds> windows_;  // by window
  std::shared_ptr<CreditDictionary> credits_;
  uint64_t credits_generation_ = 0;
  FieldLengths length_sums_;
  std::unique_ptr<PublicationHistogram> histogram_;
  std::deque<ViewChange> view_changes_;  // oldest first
  int64_t oldest_sequence_ = 1;
};

}  // namespace newsdb::storage

#endif  // NEWSDB_SERVICES_STORAGE_DOC_VALUE_STORE_H_
