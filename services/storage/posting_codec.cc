#include "services/storage/posting_codec.h"

#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "services/storage/key_codec.h"

namespace newsdb::storage {
namespace {

absl::Status Malformed(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("malformed posting block: ", what));
}

bool IsField(char c) { return c == 't' || c == 'b' || c == 'c'; }

}  // namespace

void AppendVarint(uint64_t value, std::string* out) {
  char bytes[10];
  out->append(bytes, WriteVarint(value, bytes));
}

bool SkipVarints(absl::string_view bytes, size_t* pos, uint64_t count) {
  // A varint ends at each byte below 0x80: count them eight bytes at a time.
  const char* data = bytes.data();
  size_t at = *pos;
  while (count >= 8 && at + 8 <= bytes.size()) {
    uint64_t word;
    std::memcpy(&word, data + at, 8);
    const uint64_t ends = ~word & 0x8080808080808080ULL;
    const uint64_t found = static_cast<uint64_t>(__builtin_popcountll(ends));
    if (found >= count) break;  // the last one ends inside this word
    count -= found;
    at += 8;
  }
  for (; count > 0; ++at) {
    if (at >= bytes.size()) return false;
    if (static_cast<uint8_t>(data[at]) < 0x80) --count;
  }
  *pos = at;
  return true;
}

bool ReadLongVarint(absl::string_view bytes, size_t* pos, uint64_t* value) {
  uint64_t result = 0;
  for (int shift = 0; shift < 70 && *pos < bytes.size(); shift += 7) {
    const uint8_t byte = static_cast<uint8_t>(bytes[(*pos)++]);
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *value = result;
      return true;
    }
  }
  return false;
}

std::string PostingFieldPrefix(IndexField field, absl::string_view term_prefix) {
  std::string key;
  key.reserve(1 + term_prefix.size());
  key.push_back(static_cast<char>(field));
  key.append(term_prefix.data(), term_prefix.size());
  return key;
}

std::string PostingKeyPrefix(IndexField field, absl::string_view term) {
  std::string key = PostingFieldPrefix(field, term);
  key.push_back('\0');
  return key;
}

std::string EncodePostingKey(IndexField field, absl::string_view term, uint32_t first_doc) {
  std::string key = PostingKeyPrefix(field, term);
  for (int shift = 24; shift >= 0; shift -= 8) {
    key.push_back(static_cast<char>((first_doc >> shift) & 0xff));
  }
  return key;
}

absl::StatusOr<PostingKey> DecodePostingKey(absl::string_view key) {
  if (key.size() < 6 || !IsField(key[0]) || key[key.size() - 5] != '\0') {
    return absl::InvalidArgumentError("malformed posting key");
  }
  PostingKey decoded;
  decoded.field = static_cast<IndexField>(key[0]);
  decoded.term = std::string(key.substr(1, key.size() - 6));
  if (decoded.term.find('\0') != std::string::npos) {
    return absl::InvalidArgumentError("malformed posting key: NUL in term");
  }
  uint32_t doc = 0;
  for (size_t i = key.size() - 4; i < key.size(); ++i)
    doc = (doc << 8) | static_cast<uint8_t>(key[i]);
  decoded.first_doc = doc;
  return decoded;
}

std::string EncodePostingBlock(uint32_t first_doc, const std::vector<Posting>& postings) {
  std::string out;
  AppendVarint(postings.size(), &out);
  uint32_t previous = first_doc;
  for (const Posting& posting : postings) {
    AppendVarint(posting.doc - previous, &out);
    previous = posting.doc;
  }
  for (const Posting& posting : postings) AppendVarint(posting.positions.size(), &out);
  for (const Posting& posting : postings) {
    uint32_t last = 0;
    for (uint32_t position : posting.positions) {
      AppendVarint(position - last, &out);
      last = position;
    }
  }
  return out;
}

absl::Status DecodePostingDocs(absl::string_view block, uint32_t first_doc,
                               std::vector<uint32_t>* docs, std::vector<uint32_t>* freqs,
                               size_t* positions_offset) {
  size_t pos = 0;
  uint64_t count = 0;
  if (!ReadVarint(block, &pos, &count)) return Malformed("count");
  // Each document takes at least 3 bytes (delta, tf, one position): a count beyond that is a lie.
  if (count > block.size()) return Malformed("count larger than the block");
  const size_t docs_start = docs->size();
  const size_t freqs_start = freqs->size();
  docs->resize(docs_start + count);
  freqs->resize(freqs_start + count);
  uint32_t* doc_out = docs->data() + docs_start;
  uint32_t* freq_out = freqs->data() + freqs_start;
  auto fail = [&](const char* what) {
    docs->resize(docs_start);
    freqs->resize(freqs_start);
    return Malformed(what);
  };
  uint64_t doc = first_doc;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t delta = 0;
    if (!ReadVarint(block, &pos, &delta)) return fail("document delta");
    doc += delta;
    if (doc > UINT32_MAX || (i > 0 && delta == 0)) return fail("document numbers");
    doc_out[i] = static_cast<uint32_t>(doc);
  }
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t freq = 0;
    if (!ReadVarint(block, &pos, &freq) || freq == 0 || freq > UINT32_MAX) {
      return fail("term frequency");
    }
    freq_out[i] = static_cast<uint32_t>(freq);
  }
  if (positions_offset != nullptr) *positions_offset = pos;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Posting>> DecodePostingBlock(absl::string_view block,
                                                        uint32_t first_doc) {
  std::vector<uint32_t> docs;
  std::vector<uint32_t> freqs;
  absl::Status decoded = DecodePostingDocs(block, first_doc, &docs, &freqs);
  if (!decoded.ok()) return decoded;
  // Skip to the positions section: re-read the two varint runs.
  size_t pos = 0;
  uint64_t ignored = 0;
  for (size_t i = 0; i < 1 + 2 * docs.size(); ++i) ReadVarint(block, &pos, &ignored);
  std::vector<Posting> postings(docs.size());
  for (size_t i = 0; i < docs.size(); ++i) {
    postings[i].doc = docs[i];
    if (freqs[i] > block.size()) return Malformed("term frequency larger than the block");
    postings[i].positions.reserve(freqs[i]);
    uint64_t position = 0;
    for (uint32_t j = 0; j < freqs[i]; ++j) {
      uint64_t delta = 0;
      if (!ReadVarint(block, &pos, &delta)) return Malformed("position");
      position += delta;
      if (position > UINT32_MAX) return Malformed("position out of range");
      postings[i].positions.push_back(static_cast<uint32_t>(position));
    }
  }
  if (pos != block.size()) return Malformed("trailing bytes");
  return postings;
}

absl::StatusOr<PostingBlockParts> SplitPostingBlock(absl::string_view block) {
  size_t pos = 0;
  uint64_t count = 0;
  if (!ReadVarint(block, &pos, &count)) return Malformed("count");
  if (count > block.size()) return Malformed("count larger than the block");
  if (!SkipVarints(block, &pos, 2 * count)) return Malformed("documents");
  return PostingBlockParts{block.substr(0, pos), block.substr(pos)};
}

absl::StatusOr<std::string> ConcatPostingBlocks(const std::vector<PostingBlockRef>& blocks) {
  if (blocks.empty()) return absl::InvalidArgumentError("no posting blocks to join");
  std::vector<uint32_t> docs;
  std::vector<uint32_t> freqs;
  size_t position_bytes = 0;
  std::vector<absl::string_view> positions;
  positions.reserve(blocks.size());
  for (const PostingBlockRef& block : blocks) {
    const size_t before = docs.size();
    if (before > 0 && block.first_doc <= docs.back()) {
      return absl::InvalidArgumentError("posting blocks overlap or are out of order");
    }
    size_t offset = 0;
    NEWSDB_RETURN_IF_ERROR(DecodePostingDocs(block.bytes, block.first_doc, &docs, &freqs, &offset));
    if (docs.size() == before) return Malformed("empty block");
    positions.push_back(block.bytes.substr(offset));
    position_bytes += positions.back().size();
  }
  std::string out;
  out.reserve(position_bytes + docs.size() * 3 + 8);
  AppendVarint(docs.size(), &out);
  uint32_t previous = blocks.front().first_doc;
  for (uint32_t doc : docs) {
    AppendVarint(doc - previous, &out);
    previous = doc;
  }
  for (uint32_t freq : freqs) AppendVarint(freq, &out);
  for (absl::string_view bytes : positions) out.append(bytes.data(), bytes.size());
  return out;
}

}  // namespace newsdb::storage
