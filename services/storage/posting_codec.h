#ifndef NEWSDB_SERVICES_STORAGE_POSTING_CODEC_H_
#define NEWSDB_SERVICES_STORAGE_POSTING_CODEC_H_

// Posting blocks: the postings of one (field, term) for a run of documents, stored as one RocksDB
// value in the `postings` column family under
//   field (1 byte: 't' title, 'b' body, 'c' credit) | term (UTF-8, no NUL) | 0x00 |
//   first document number of the block (u32, big-endian)
// A term's blocks cover disjoint, increasing ranges of document numbers (a block covers from its
// key's number up to the next block's), so a term's posting list is one prefix scan.
//
// Block value (all integers LEB128 varints):
//   count
//   count document-number deltas (the first relative to the key's first number)
//   count term frequencies (>= 1)
//   for each document, tf position deltas (the first relative to 0)
// Document numbers and frequencies come first so that a query that needs no positions stops
// reading before them.
//
// In RocksDB a block is two values under the same key: its documents and frequencies in
// `postings`, its positions in `positions` (SplitPostingBlock). Positions are most of a common
// word's bytes; kept apart, the blocks that every search reads stay small enough to live in the
// block cache, and only phrase searches read positions. The write buffer's segments keep whole
// blocks.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace newsdb::storage {

enum class IndexField : char { kTitle = 't', kBody = 'b', kCredit = 'c' };

// One document's occurrences of a term.
struct Posting {
  uint32_t doc = 0;
  std::vector<uint32_t> positions;  // increasing; size() is the term frequency
};

std::string EncodePostingKey(IndexField field, absl::string_view term, uint32_t first_doc);
// All keys of (field, term) start with this; it ends with the 0x00 separator.
std::string PostingKeyPrefix(IndexField field, absl::string_view term);
// All keys of terms in `field` that start with `term_prefix` (no separator).
std::string PostingFieldPrefix(IndexField field, absl::string_view term_prefix);

struct PostingKey {
  IndexField field;
  std::string term;
  uint32_t first_doc;
};
// Errors: INVALID_ARGUMENT if malformed.
absl::StatusOr<PostingKey> DecodePostingKey(absl::string_view key);

// Encodes postings sorted by doc, all >= first_doc, each with >= 1 position.
std::string EncodePostingBlock(uint32_t first_doc, const std::vector<Posting>& postings);

// Decodes documents and term frequencies only (appends). If `positions_offset` is given, it
// receives where the positions section starts in `block`.
// Errors: INVALID_ARGUMENT if malformed.
absl::Status DecodePostingDocs(absl::string_view block, uint32_t first_doc,
                               std::vector<uint32_t>* docs, std::vector<uint32_t>* freqs,
                               size_t* positions_offset = nullptr);

// Decodes everything. Errors: INVALID_ARGUMENT if malformed.
absl::StatusOr<std::vector<Posting>> DecodePostingBlock(absl::string_view block,
                                                        uint32_t first_doc);

// A block's two parts: documents with frequencies, then positions (empty in a block that has
// none, such as the documents part itself).
struct PostingBlockParts {
  absl::string_view docs;
  absl::string_view positions;
};
// Errors: INVALID_ARGUMENT if the documents part is malformed.
absl::StatusOr<PostingBlockParts> SplitPostingBlock(absl::string_view block);

// One block of a term: its key's first document number and its bytes.
struct PostingBlockRef {
  uint32_t first_doc = 0;
  absl::string_view bytes;
};

// Joins blocks of one term whose documents are increasing across the blocks (each block's
// documents all below the next block's) into one block that starts at blocks[0].first_doc.
// Positions are copied as bytes: they are coded per document, so they need no re-coding.
// Errors: INVALID_ARGUMENT if a block is malformed or the blocks overlap or are out of order.
absl::StatusOr<std::string> ConcatPostingBlocks(const std::vector<PostingBlockRef>& blocks);

// LEB128 helpers shared by the storage codecs.
void AppendVarint(uint64_t value, std::string* out);
// Writes `value` as a varint at `out` and returns the end; `out` needs room for 10 bytes, or 5
// for a value below 2^32. For encoders that size a buffer once instead of appending byte by byte.
inline char* WriteVarint(uint64_t value, char* out) {
  while (value >= 0x80) {
    *out++ = static_cast<char>((value & 0x7f) | 0x80);
    value >>= 7;
  }
  *out++ = static_cast<char>(value);
  return out;
}
// Reads one varint at *pos; false if truncated or longer than 10 bytes.
bool ReadLongVarint(absl::string_view bytes, size_t* pos, uint64_t* value);
inline bool ReadVarint(absl::string_view bytes, size_t* pos, uint64_t* value) {
  // Most document deltas, frequencies and position deltas are below 128: one byte.
  if (*pos < bytes.size() && static_cast<uint8_t>(bytes[*pos]) < 0x80) {
    *value = static_cast<uint8_t>(bytes[(*pos)++]);
    return true;
  }
  return ReadLongVarint(bytes, pos, value);
}
// Moves *pos past `count` varints without decoding them; false if the bytes end first.
bool SkipVarints(absl::string_view bytes, size_t* pos, uint64_t count);

}  // namespace newsdb::storage

#endif  // NEWSDB_SERVICES_STORAGE_POSTING_CODEC_H_
