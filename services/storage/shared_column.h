#ifndef NEWSDB_SERVICES_STORAGE_SHARED_COLUMN_H_
#define NEWSDB_SERVICES_STORAGE_SHARED_COLUMN_H_

// One per-document value (publication time, views, ...) for every document of the shard, indexed
// by document number, that searches read without a lock while writes go on.
//
// The values live in fixed-size chunks. Share() hands a search the chunks as they are; a later
// Set() of a value in a chunk that may have been shared copies the chunk first (copy on write),
// and Append() writes past every reader's end, so a Reader never sees a change. Whether a chunk
// may be shared is told by a generation: the caller counts the Share() calls of all its columns
// and passes the count to Set(); a chunk last copied at another count is copied again.
//
// Thread-safety: Append, Set and Share need external synchronisation such that Append and Set
// exclude every other call (a reader-writer lock with Share on its shared side). A Reader is
// immutable and may be used from any thread, after the column is gone too.

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

namespace newsdb::storage {

template <typename T>
class SharedColumn {
 public:
  static constexpr uint32_t kChunkShift = 15;
  static constexpr uint32_t kChunkDocs = uint32_t{1} << kChunkShift;

  // A column as it was at Share().
  class Reader {
   public:
    Reader() = default;
    T operator[](uint32_t doc) const { return *address(doc); }
    const T* address(uint32_t doc) const {
      return chunks_[doc >> kChunkShift].get() + (doc & (kChunkDocs - 1));
    }

   private:
    friend class SharedColumn;
    std::vector<std::shared_ptr<const T[]>> chunks_;
  };

  uint32_t size() const { return size_; }
  T operator[](uint32_t doc) const { return chunks_[doc >> kChunkShift].values[doc & kMask]; }

  void Append(T value, uint64_t generation) {
    if ((size_ & kMask) == 0) {
      chunks_.push_back({std::shared_ptr<T[]>(new T[kChunkDocs]()), generation});
    }
    chunks_.back().values[size_ & kMask] = value;
    ++size_;
  }

  // `doc` < size().
  void Set(uint32_t doc, T value, uint64_t generation) {
    Chunk& chunk = chunks_[doc >> kChunkShift];
    if (chunk.values[doc & kMask] == value) return;
    if (chunk.generation != generation) {
      std::shared_ptr<T[]> copy(new T[kChunkDocs]);
      std::copy(chunk.values.get(), chunk.values.get() + kChunkDocs, copy.get());
      chunk = {std::move(copy), generation};
    }
    chunk.values[doc & kMask] = value;
  }

  Reader Share() const {
    Reader reader;
    reader.chunks_.reserve(chunks_.size());
    for (const Chunk& chunk : chunks_) reader.chunks_.push_back(chunk.values);
    return reader;
  }

 private:
  static constexpr uint32_t kMask = kChunkDocs - 1;
  struct Chunk {
    std::shared_ptr<T[]> values;
    uint64_t generation = 0;  // the share count when this copy was made
  };
  std::vector<Chunk> chunks_;
  uint32_t size_ = 0;
};

}  // namespace newsdb::storage

#endif  // NEWSDB_SERVICES_STORAGE_SHARED_COLUMN_H_
