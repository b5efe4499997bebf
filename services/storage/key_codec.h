#ifndef NEWSDB_SERVICES_STORAGE_KEY_CODEC_H_
#define NEWSDB_SERVICES_STORAGE_KEY_CODEC_H_

// Byte layouts of RocksDB keys and small values. Every integer in a key is big-endian so that
// RocksDB's bytewise order is numeric order.
//
// Article key (column family `articles`), 16 bytes:
//   published_unix_seconds + 2^63 (u64, big-endian) | article_id (u64, big-endian)
// The sign-bit offset makes pre-1970 times sort before later ones. A forward iterator walks oldest
// to newest; a publication-time range is one range scan.
//
// View-history key (column family `view_history`), 16 bytes:
//   article_id (u64, big-endian) | captured_unix_micros + 2^63 (u64, big-endian)
// so one article's observations are one prefix, in capture order. The value is the view count
// (u64, big-endian).
//
// Document values (column family `doc_values`): document number (u32, big-endian) ->
//   id (u64 BE) | published seconds (u64 BE, +2^63) | varint views | varint title length |
//   varint body length | varint credit length | varint credit bytes | credit bytes
// (lengths count analysed tokens; see search_index.h for how documents are numbered).

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/article/article_id.h"

namespace newsdb::storage {

inline constexpr size_t kArticleKeySize = 16;
inline constexpr size_t kViewKeySize = 16;

struct ArticleKey {
  int64_t published_seconds = 0;
  article::ArticleId id = 0;
};

struct ViewKey {
  article::ArticleId id = 0;
  int64_t captured_micros = 0;
};

void AppendBigEndian64(uint64_t value, std::string* out);
uint64_t ReadBigEndian64(absl::string_view bytes);  // bytes.size() >= 8

std::string EncodeArticleKey(const ArticleKey& key);
absl::StatusOr<ArticleKey> DecodeArticleKey(
    absl::string_view key);  // INVALID_ARGUMENT if malformed

std::string EncodeArticleIdKey(article::ArticleId id);  // 8 bytes, column family `article_ids`
absl::StatusOr<article::ArticleId> DecodeArticleIdKey(absl::string_view key);
// Value of `article_ids`: the article key (16 bytes) and the search document number (u32 BE).
std::string EncodeIdValue(const ArticleKey& key, uint32_t doc);
absl::StatusOr<std::pair<ArticleKey, uint32_t>> DecodeIdValue(
    absl::string_view value);  // INVALID_ARGUMENT if malformed

std::string EncodeViewKey(const ViewKey& key);
absl::StatusOr<ViewKey> DecodeViewKey(absl::string_view key);
std::string EncodeViewCount(int64_t views);
absl::StatusOr<int64_t> DecodeViewCount(absl::string_view value);

// Per-document values as stored.
struct DocValues {
  article::ArticleId id = 0;
  int64_t published_seconds = 0;
  int64_t views = 0;
  uint32_t title_length = 0;
  uint32_t body_length = 0;
  uint32_t credit_length = 0;
  std::string credit;
};

std::string EncodeDocKey(uint32_t doc);
std::string EncodeDocValues(const DocValues& values);
absl::StatusOr<DocValues> DecodeDocValues(absl::string_view value);  // INVALID_ARGUMENT

// The smallest article key whose publication time is >= `seconds`.
std::string ArticleKeyLowerBound(int64_t seconds);

}  // namespace newsdb::storage

#endif  // NEWSDB_SERVICES_STORAGE_KEY_CODEC_H_
