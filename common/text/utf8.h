// UTF-8 validation, repair, truncation and Unicode case folding.
//
// "Valid UTF-8" here is the strict definition of RFC 3629 / Unicode 15 §3.9 (Table 3-7): no
// overlong forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no truncated sequences.
// NUL and control characters are valid. All functions are pure and thread-safe.
#ifndef NEWSDB_COMMON_TEXT_UTF8_H_
#define NEWSDB_COMMON_TEXT_UTF8_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace newsdb::text {

// U+FFFD REPLACEMENT CHARACTER, encoded.
inline constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";

// True if `s` is entirely valid UTF-8 (the empty string is valid).
bool IsValidUtf8(std::string_view s);

// Byte offset of the first byte of the first invalid or truncated sequence in `s`, or
// std::string_view::npos if `s` is valid. Runs of ASCII are checked 16-32 bytes at a time.
size_t FindInvalidUtf8(std::string_view s);

// Returns `s` with every maximal invalid subpart (Unicode §3.9 "U+FFFD substitution of maximal
// subparts", the practice ICU and WHATWG follow) replaced by U+FFFD. Valid input is returned as is.
std::string SanitizeUtf8(std::string_view s);

// Returns the longest prefix of `s` that has at most `max_bytes` bytes and does not end inside a
// code point. For valid input the result is valid; invalid input should be sanitized first.
std::string TruncateUtf8(std::string_view s, size_t max_bytes);

// Unicode default case folding (full folding, CaseFolding.txt statuses C and F, as ICU's
// u_strFoldCase with U_FOLD_CASE_DEFAULT): "ÀB" -> "àb", "ẞ"/"ß" -> "ss", "ΣΑΣ" -> "σασ",
// "Қазақстан" -> "қазақстан", "İ" -> "i̇" (i + U+0307). Pure ASCII input takes a fast path that
// does not call ICU. Invalid sequences are replaced by U+FFFD first. Unicode's case-folding
// stability policy keeps the result for already-assigned characters the same across ICU versions.
std::string FoldCase(std::string_view utf8);

// One decoded code point: `code_point` is U+FFFD and `length` is the length of the maximal invalid
// subpart (>= 1) when the bytes at the position are not valid UTF-8.
struct DecodedCodePoint {
  char32_t code_point;
  size_t length;
  bool valid;
};

// Decodes the code point that starts at byte `pos` of `s`. Requires pos < s.size().
DecodedCodePoint DecodeUtf8At(std::string_view s, size_t pos);

// The UTF-8 encoding of `code_point`; U+FFFD for surrogates and values above U+10FFFF.
std::string EncodeUtf8(char32_t code_point);

// Appends the UTF-8 encoding of `code_point` to `out`.
void AppendUtf8(char32_t code_point, std::string& out);

// Appends the full Unicode case folding of one code point (ICU; folding is context-free, so
// folding code point by code point equals folding the whole text).
void AppendFoldedCodePoint(char32_t code_point, std::string& out);

// True for the code points with the Unicode White_Space property (Unicode 15): U+0009..U+000D,
// U+0020, U+0085, U+00A0 (NBSP), U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000.
// The list is fixed here on purpose so that it cannot change with the ICU version.
bool IsUnicodeWhitespace(char32_t code_point);

}  // namespace newsdb::text

#endif  // NEWSDB_COMMON_TEXT_UTF8_H_
