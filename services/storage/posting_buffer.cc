#include "services/storage/posting_buffer.h"

#include <algorithm>
#include <optional>
#include <queue>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/storage/posting_codec.h"

namespace newsdb::storage {

uint32_t PostingKeyFirstDoc(absl::string_view key) {
  uint32_t doc = 0;
  for (size_t i = key.size() < 4 ? 0 : key.size() - 4; i < key.size(); ++i) {
    doc = (doc << 8) | static_cast<uint8_t>(key[i]);
  }
  return doc;
}

void SetPostingKeyFirstDoc(uint32_t doc, std::string* key) {
  for (size_t i = key->size(); i > key->size() - 4; --i) {
    (*key)[i - 1] = static_cast<char>(doc & 0xff);
    doc >>= 8;
  }
}

PostingCursor::PostingCursor(const RocksDb& db, const Snapshot* snapshot, uint32_t rocks_limit,
                             const Segments& segments, absl::string_view lower,
                             absl::string_view upper)
    : db_(&db),
      snapshot_(snapshot),
      rocks_(db.NewIterator(ColumnFamily::kPostings, std::string(lower), std::string(upper),
                            snapshot)),
      rocks_limit_(rocks_limit) {
  for (const std::shared_ptr<const MemSegment>& segment : segments) {
    const std::vector<std::string>& keys = segment->keys;
    auto key_less = [](const std::string& a, absl::string_view b) {
      return absl::string_view(a) < b;
    };
    const size_t begin = static_cast<size_t>(
        std::lower_bound(keys.begin(), keys.end(), lower, key_less) - keys.begin());
    const size_t end =
        upper.empty()
            ? keys.size()
            : static_cast<size_t>(std::lower_bound(keys.begin(), keys.end(), upper, key_less) -
                                  keys.begin());
    if (begin < end) ranges_.push_back({segment.get(), begin, begin, end});
  }
}

void PostingCursor::SkipRocksBeyondLimit() {
  while (rocks_->Valid() && PostingKeyFirstDoc(rocks_->key()) >= rocks_limit_) rocks_->Next();
}

void PostingCursor::PickSmallest() {
  current_ = kNone;
  absl::string_view best;
  if (rocks_->Valid()) {
    current_ = kRocks;
    best = rocks_->key();
  }
  for (size_t i = 0; i < ranges_.size(); ++i) {
    const Range& range = ranges_[i];
    if (range.position == range.end) continue;
    absl::string_view candidate = range.segment->keys[range.position];
    if (current_ == kNone || candidate < best) {
      current_ = i;
      best = candidate;
    }
  }
}

void PostingCursor::SeekToFirst() {
  rocks_->SeekToFirst();
  SkipRocksBeyondLimit();
  for (Range& range : ranges_) range.position = range.begin;
  PickSmallest();
}

void PostingCursor::Next() {
  if (current_ == kRocks) {
    rocks_->Next();
    SkipRocksBeyondLimit();
  } else if (current_ != kNone) {
    ++ranges_[current_].position;
  }
  PickSmallest();
}

absl::string_view PostingCursor::key() const {
  if (current_ == kRocks) return rocks_->key();
  const Range& range = ranges_[current_];
  return range.segment->keys[range.position];
}

absl::string_view PostingCursor::value() const {
  if (current_ == kRocks) return rocks_->value();
  const Range& range = ranges_[current_];
  return range.segment->values[range.position];
}

absl::StatusOr<absl::string_view> PostingCursor::positions(size_t docs_end,
                                                           std::string* scratch) const {
  if (current_ != kRocks) return value().substr(std::min(docs_end, value().size()));
  absl::StatusOr<std::optional<std::string>> stored =
      db_->Get(ColumnFamily::kPositions, rocks_->key(), snapshot_);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) {
    return absl::InternalError("a posting block's positions are missing from the index");
  }
  *scratch = **std::move(stored);
  return absl::string_view(*scratch);
}

absl::Status MergeSegments(
    const Segments& segments,
    absl::FunctionRef<void(absl::string_view key, absl::string_view value)> put) {
  for (size_t i = 1; i < segments.size(); ++i) {
    if (segments[i]->first_doc < segments[i - 1]->end_doc) {
      return absl::InternalError("index buffer segments overlap");
    }
  }
  // A k-way merge on the keys. A term's blocks in different segments share the key up to the
  // first document number, and come out in segment (document) order.
  struct Head {
    absl::string_view key;
    size_t segment;
    size_t position;
  };
  auto after = [](const Head& a, const Head& b) { return a.key > b.key; };
  std::priority_queue<Head, std::vector<Head>, decltype(after)> heads(after);
  for (size_t s = 0; s < segments.size(); ++s) {
    if (!segments[s]->keys.empty()) heads.push({segments[s]->keys[0], s, 0});
  }
  std::vector<PostingBlockRef> group;
  absl::string_view group_key;  // the first block's key
  auto term_of = [](absl::string_view key) { return key.substr(0, key.size() - 4); };
  auto emit = [&]() -> absl::Status {
    if (group.empty()) return absl::OkStatus();
    if (group.size() == 1) {
      put(group_key, group[0].bytes);
    } else {
      absl::StatusOr<std::string> joined = ConcatPostingBlocks(group);
      if (!joined.ok()) {
        return absl::InternalError(absl::StrCat("index buffer: ", joined.status().message()));
      }
      put(group_key, *joined);
    }
    group.clear();
    return absl::OkStatus();
  };
  while (!heads.empty()) {
    const Head head = heads.top();
    heads.pop();
    const MemSegment& segment = *segments[head.segment];
    if (head.key.size() < 5) return absl::InternalError("index buffer: malformed posting key");
    if (!group.empty() && term_of(head.key) != term_of(group_key)) {
      absl::Status emitted = emit();
      if (!emitted.ok()) return emitted;
    }
    if (group.empty()) group_key = head.key;
    group.push_back({PostingKeyFirstDoc(head.key), segment.values[head.position]});
    if (head.position + 1 < segment.keys.size()) {
      heads.push({segment.keys[head.position + 1], head.segment, head.position + 1});
    }
  }
  return emit();
}

}  // namespace newsdb::storage
