// Article identity: a stable 64-bit id from the publication minute and the normalised title.
//
// The same article reappears in later dumps with a higher view count; it must map to the same id
// on every run, version and machine, so the id is a documented hash (see docs/article-id.md for
// the algorithm and test vectors), never std::hash or absl::Hash. Storage shards route by
// `id % shard_count`, so the low bits are well mixed.
//
// All functions are pure and thread-safe.
#ifndef NEWSDB_COMMON_ARTICLE_ARTICLE_ID_H_
#define NEWSDB_COMMON_ARTICLE_ARTICLE_ID_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace newsdb::article {

using ArticleId = uint64_t;

// The title as it takes part in the id: invalid UTF-8 replaced by U+FFFD, leading and trailing
// Unicode whitespace removed, every run of Unicode whitespace (White_Space property, which
// includes NBSP U+00A0 and the other no-break spaces) replaced by one ASCII space, then Unicode
// full case folding (text::FoldCase). Nothing else changes: no NFC/NFKC normalisation, and
// zero-width characters such as U+200B stay.
// Example: "  Tokayev\u00a0receives  KAZAKH   delegation " -> "tokayev receives kazakh delegation".
std::string NormalizeTitle(std::string_view title);

// The minute of `published` in UTC as whole minutes since the Unix epoch, rounded down
// (toward negative infinity, so 1969-12-31 23:59:30 UTC is minute -1).
int64_t UnixMinute(absl::Time published);

// FNV-1a 64 (offset basis 0xcbf29ce484222325, prime 0x100000001b3) over the 8-byte big-endian
// two's-complement UnixMinute(published) followed by the bytes of NormalizeTitle(title), then the
// MurmurHash3 fmix64 finaliser. Seconds within the minute, title case and whitespace do not
// change the id. Infinite times are clamped to the int64 minute range first.
ArticleId ComputeArticleId(absl::Time published, std::string_view title);

// 16 lowercase hexadecimal digits, zero-padded: 0x1f -> "000000000000001f".
std::string FormatArticleId(ArticleId id);

// Inverse of FormatArticleId. INVALID_ARGUMENT unless `text` is exactly 16 characters from
// [0-9a-f] (upper case, a "0x" prefix, signs and whitespace are rejected).
absl::StatusOr<ArticleId> ParseArticleId(std::string_view text);

}  // namespace newsdb::article

#endif  // NEWSDB_COMMON_ARTICLE_ARTICLE_ID_H_
