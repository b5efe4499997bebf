#include "common/text/utf8.h"

#include <unicode/uchar.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utypes.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <bit>
#include <cstdint>
#include <cstring>

namespace newsdb::text {
namespace {

constexpr uint64_t kHighBits = 0x8080808080808080ULL;

inline uint64_t Load64(const char* p) {
  uint64_t word;
  std::memcpy(&word, p, sizeof(word));
  return word;
}

// Index of the lowest byte whose high bit is set in `high_bits` (a word masked with kHighBits),
// in memory order.
inline size_t FirstHighByte(uint64_t high_bits) {
  if constexpr (std::endian::native == std::endian::little) {
    return static_cast<size_t>(std::countr_zero(high_bits)) >> 3;
  } else {
    return static_cast<size_t>(std::countl_zero(high_bits)) >> 3;
  }
}

// Length of the ASCII prefix of [begin, end). Feed text is mostly long ASCII runs, so this checks
// 16 bytes per step and jumps straight to the first non-ASCII byte of a word.
inline size_t AsciiPrefixLength(const char* begin, const char* end) {
  const char* p = begin;
#if defined(__SSE2__)
  // x86-64 always has SSE2: test 32 bytes per step, then locate the byte with the mask.
  while (end - p >= 32) {
    const __m128i first = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i second = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16));
    const auto mask = static_cast<uint32_t>(_mm_movemask_epi8(first)) |
                      (static_cast<uint32_t>(_mm_movemask_epi8(second)) << 16);
    if (mask != 0) return static_cast<size_t>(p - begin) + std::countr_zero(mask);
    p += 32;
  }
#endif
  while (end - p >= 16) {
    const uint64_t first = Load64(p) & kHighBits;
    const uint64_t second = Load64(p + 8) & kHighBits;
    if ((first | second) != 0) {
      const size_t offset = first != 0 ? FirstHighByte(first) : 8 + FirstHighByte(second);
      return static_cast<size_t>(p - begin) + offset;
    }
    p += 16;
  }
  if (end - p >= 8) {
    const uint64_t word = Load64(p) & kHighBits;
    if (word != 0) return static_cast<size_t>(p - begin) + FirstHighByte(word);
    p += 8;
  }
  while (p < end && static_cast<unsigned char>(*p) < 0x80) ++p;
  return static_cast<size_t>(p - begin);
}

inline bool InRange(unsigned char byte, unsigned char low, unsigned char high) {
  return byte >= low && byte <= high;
}

// Decodes a multi-byte sequence (s[pos] >= 0x80) following Unicode Table 3-7. On failure the
// length is that of the maximal subpart: the lead byte plus the continuation bytes that were
// still acceptable.
inline DecodedCodePoint DecodeMultiByte(std::string_view s, size_t pos) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(s.data());
  const size_t size = s.size();
  const unsigned char lead = bytes[pos];
  size_t needed;
  unsigned char second_low = 0x80;
  unsigned char second_high = 0xBF;
  char32_t code_point;
  if (InRange(lead, 0xC2, 0xDF)) {
    needed = 1;
    code_point = lead & 0x1F;
  } else if (InRange(lead, 0xE0, 0xEF)) {
    needed = 2;
    code_point = lead & 0x0F;
    if (lead == 0xE0) second_low = 0xA0;   // no overlong 3-byte forms
    if (lead == 0xED) second_high = 0x9F;  // no surrogates
  } else if (InRange(lead, 0xF0, 0xF4)) {
    needed = 3;
    code_point = lead & 0x07;
    if (lead == 0xF0) second_low = 0x90;   // no overlong 4-byte forms
    if (lead == 0xF4) second_high = 0x8F;  // nothing above U+10FFFF
  } else {
    return {0xFFFD, 1, false};
  }
  for (size_t i = 1; i <= needed; ++i) {
    if (pos + i >= size) return {0xFFFD, i, false};
    const unsigned char byte = bytes[pos + i];
    const bool ok = i == 1 ? InRange(byte, second_low, second_high) : InRange(byte, 0x80, 0xBF);
    if (!ok) return {0xFFFD, i, false};
    code_point = (code_point << 6) | (byte & 0x3F);
  }
  return {code_point, needed + 1, true};
}

inline char AsciiToLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

}  // namespace

void AppendUtf8(char32_t c, std::string& out) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    if (c >= 0xD800 && c <= 0xDFFF) {
      out.append(kReplacementCharacter);
      return;
    }
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c <= 0x10FFFF) {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.append(kReplacementCharacter);
  }
}

// Appends the full case folding of one code point. Case folding is context-free, so folding code
// point by code point equals folding the whole string.
void AppendFoldedCodePoint(char32_t code_point, std::string& out) {
  UChar source[2];
  int32_t source_length = 0;
  U16_APPEND_UNSAFE(source, source_length, static_cast<UChar32>(code_point));
  UChar folded[8];  // full folding yields at most 3 code points
  UErrorCode error = U_ZERO_ERROR;
  const int32_t folded_length =
      u_strFoldCase(folded, 8, source, source_length, U_FOLD_CASE_DEFAULT, &error);
  if (U_FAILURE(error) || folded_length > 8) {
    AppendUtf8(code_point, out);  // cannot happen for one code point; keep the text
    return;
  }
  for (int32_t i = 0; i < folded_length;) {
    UChar32 c;
    U16_NEXT(folded, i, folded_length, c);
    AppendUtf8(static_cast<char32_t>(c), out);
  }
}

DecodedCodePoint DecodeUtf8At(std::string_view s, size_t pos) {
  const auto byte = static_cast<unsigned char>(s[pos]);
  if (byte < 0x80) return {byte, 1, true};
  return DecodeMultiByte(s, pos);
}

size_t FindInvalidUtf8(std::string_view s) {
  const char* const data = s.data();
  const size_t size = s.size();
  size_t pos = 0;
  while (pos < size) {
    pos += AsciiPrefixLength(data + pos, data + size);
    // Non-Latin text has runs of multi-byte characters separated by single ASCII bytes (spaces,
    // punctuation); step through those here rather than restarting the word scan for each.
    while (pos < size) {
      if (static_cast<unsigned char>(data[pos]) < 0x80) {
        if (pos + 1 < size && static_cast<unsigned char>(data[pos + 1]) >= 0x80) {
          ++pos;
          continue;
        }
        break;
      }
      const DecodedCodePoint decoded = DecodeMultiByte(s, pos);
      if (!decoded.valid) return pos;
      pos += decoded.length;
    }
  }
  return std::string_view::npos;
}

bool IsValidUtf8(std::string_view s) { return FindInvalidUtf8(s) == std::string_view::npos; }

std::string SanitizeUtf8(std::string_view s) {
  size_t invalid = FindInvalidUtf8(s);
  if (invalid == std::string_view::npos) return std::string(s);
  std::string out;
  out.reserve(s.size() + 8);
  size_t pos = 0;
  while (invalid != std::string_view::npos) {
    out.append(s.substr(pos, invalid - pos));
    out.append(kReplacementCharacter);
    pos = invalid + DecodeMultiByte(s, invalid).length;
    const size_t next = FindInvalidUtf8(s.substr(pos));
    invalid = next == std::string_view::npos ? next : pos + next;
  }
  out.append(s.substr(pos));
  return out;
}

std::string TruncateUtf8(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return std::string(s);
  size_t cut = max_bytes;
  // s[cut] is the first byte left out; if it continues a code point, drop that code point's
  // leading bytes too. A code point has at most 3 continuation bytes.
  for (int steps = 0; steps < 3 && cut > 0; ++steps) {
    if ((static_cast<unsigned char>(s[cut]) & 0xC0) != 0x80) break;
    --cut;
  }
  if ((static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) cut = max_bytes;  // not UTF-8 anyway
  return std::string(s.substr(0, cut));
}

std::string EncodeUtf8(char32_t code_point) {
  std::string out;
  AppendUtf8(code_point, out);
  return out;
}

std::string FoldCase(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  const char* const data = utf8.data();
  const size_t size = utf8.size();
  size_t pos = 0;
  while (pos < size) {
    const size_t ascii = AsciiPrefixLength(data + pos, data + size);
    for (size_t i = 0; i < ascii; ++i) out.push_back(AsciiToLower(data[pos + i]));
    pos += ascii;
    if (pos >= size) break;
    const DecodedCodePoint decoded = DecodeMultiByte(utf8, pos);
    if (decoded.valid) {
      AppendFoldedCodePoint(decoded.code_point, out);
    } else {
      out.append(kReplacementCharacter);
    }
    pos += decoded.length;
  }
  return out;
}

bool IsUnicodeWhitespace(char32_t c) {
  switch (c) {
    case 0x0009:
    case 0x000A:
    case 0x000B:
    case 0x000C:
    case 0x000D:
    case 0x0020:
    case 0x0085:
    case 0x00A0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200A;
  }
}

}  // namespace newsdb::text
