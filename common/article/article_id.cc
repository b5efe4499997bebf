#include "common/article/article_id.h"

#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/text/fnv.h"
#include "common/text/utf8.h"

namespace newsdb::article {
namespace {

// MurmurHash3 fmix64: FNV-1a alone leaves the low bits weakly mixed for short inputs, and shards
// pick articles by the low bits (id % N).
inline uint64_t Fmix64(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}

inline bool IsAsciiWhitespace(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

}  // namespace

std::string NormalizeTitle(std::string_view title) {
  // Most titles are valid UTF-8, so the copy that SanitizeUtf8 makes is only paid for bad ones.
  std::string sanitized;
  std::string_view s = title;
  if (!text::IsValidUtf8(title)) {
    sanitized = text::SanitizeUtf8(title);
    s = sanitized;
  }
  // Collapsing only shrinks the text, so the output fits in a buffer of the input's size.
  std::string collapsed(s.size(), '\0');
  char* const out = collapsed.data();
  size_t size = 0;
  bool pending_space = false;
  bool ascii = true;
  size_t pos = 0;
  while (pos < s.size()) {
    const auto byte = static_cast<unsigned char>(s[pos]);
    if (byte < 0x80) {
      if (IsAsciiWhitespace(byte)) {
        pending_space = true;
      } else {
        if (pending_space && size > 0) out[size++] = ' ';
        pending_space = false;
        // ASCII is folded here; FoldCase is needed only when other letters occur.
        out[size++] = byte >= 'A' && byte <= 'Z' ? static_cast<char>(byte + 32) : s[pos];
      }
      ++pos;
      continue;
    }
    ascii = false;
    const text::DecodedCodePoint decoded = text::DecodeUtf8At(s, pos);
    if (text::IsUnicodeWhitespace(decoded.code_point)) {
      pending_space = true;
    } else {
      if (pending_space && size > 0) out[size++] = ' ';
      pending_space = false;
      std::memcpy(out + size, s.data() + pos, decoded.length);
      size += decoded.length;
    }
    pos += decoded.length;
  }
  collapsed.resize(size);
  return ascii ? collapsed : text::FoldCase(collapsed);
}

int64_t UnixMinute(absl::Time published) {
  const int64_t seconds = absl::ToUnixSeconds(published);  // floors; saturates for infinite times
  int64_t minute = seconds / 60;
  if (seconds % 60 < 0) --minute;
  return minute;
}

ArticleId ComputeArticleId(absl::Time published, std::string_view title) {
  const auto minute = static_cast<uint64_t>(UnixMinute(published));
  const uint64_t hash = text::FnvAppendBigEndian(text::kFnvOffsetBasis, minute);
  return Fmix64(text::FnvAppend(hash, NormalizeTitle(title)));
}

std::string FormatArticleId(ArticleId id) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<size_t>(i)] = kDigits[id & 0xF];
    id >>= 4;
  }
  return out;
}

absl::StatusOr<ArticleId> ParseArticleId(std::string_view text) {
  if (text.size() != 16) {
    return absl::InvalidArgumentError(
        absl::StrCat("article id must be 16 lowercase hex digits, got ", text.size(), " bytes"));
  }
  ArticleId id = 0;
  for (const char c : text) {
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else {
      return absl::InvalidArgumentError("article id must be 16 lowercase hex digits [0-9a-f]");
    }
    id = (id << 4) | static_cast<ArticleId>(digit);
  }
  return id;
}

}  // namespace newsdb::article
