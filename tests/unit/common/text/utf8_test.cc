#include "common/text/utf8.h"

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include "gtest/gtest.h"

namespace newsdb::text {
namespace {

constexpr size_t kNpos = std::string_view::npos;

// A deliberately simple validator to compare the fast one against: decode, then check the code
// point range and the shortest form.
size_t ReferenceFindInvalid(std::string_view s) {
  size_t pos = 0;
  while (pos < s.size()) {
    const auto lead = static_cast<unsigned char>(s[pos]);
    size_t length;
    uint32_t code_point;
    if (lead < 0x80) {
      ++pos;
      continue;
    } else if ((lead & 0xE0) == 0xC0) {
      length = 2;
      code_point = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3;
      code_point = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4;
      code_point = lead & 0x07;
    } else {
      return pos;
    }
    if (pos + length > s.size()) return pos;
    for (size_t i = 1; i < length; ++i) {
      const auto byte = static_cast<unsigned char>(s[pos + i]);
      if ((byte & 0xC0) != 0x80) return pos;
      code_point = (code_point << 6) | (byte & 0x3F);
    }
    const uint32_t min_for_length[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code_point < min_for_length[length] || code_point > 0x10FFFF ||
        (code_point >= 0xD800 && code_point <= 0xDFFF)) {
      return pos;
    }
    pos += length;
  }
  return kNpos;
}

TEST(Utf8Test, AcceptsValidText) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8(std::string_view("plain ASCII, with NUL \0 inside", 30)));
  EXPECT_TRUE(IsValidUtf8("Қасым-Жомарт Тоқаев, Өскемен, Үржар"));
  EXPECT_TRUE(IsValidUtf8("\u00a0NBSP \u200b zero width \U0001F600 emoji \U0010FFFF max"));
  EXPECT_TRUE(IsValidUtf8("\xC2\x9D"));  // a C1 control, seen in real dumps
}

TEST(Utf8Test, RejectsInvalidSequences) {
  EXPECT_EQ(FindInvalidUtf8("\x80"), 0u);              // lone continuation byte
  EXPECT_EQ(FindInvalidUtf8("ab\xC0\x80"), 2u);        // overlong NUL
  EXPECT_EQ(FindInvalidUtf8("ab\xC1\xBF"), 2u);        // overlong 2-byte form
  EXPECT_EQ(FindInvalidUtf8("\xE0\x80\x80"), 0u);      // overlong 3-byte form
  EXPECT_EQ(FindInvalidUtf8("\xED\xA0\x80"), 0u);      // surrogate U+D800
  EXPECT_EQ(FindInvalidUtf8("\xF0\x80\x80\x80"), 0u);  // overlong 4-byte form
  EXPECT_EQ(FindInvalidUtf8("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(FindInvalidUtf8("\xF5\x80\x80\x80"), 0u);
  EXPECT_EQ(FindInvalidUtf8("x\xFF"), 1u);
  EXPECT_EQ(FindInvalidUtf8("Алматы\xD0"), 12u);  // truncated at the end
  EXPECT_EQ(FindInvalidUtf8("\xE2\x82"), 0u);
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));
}

TEST(Utf8Test, FindsInvalidByteAtEveryOffsetOfLongAsciiRuns) {
  for (size_t length = 1; length < 80; ++length) {
    for (size_t bad = 0; bad < length; ++bad) {
      std::string s(length, 'a');
      s[bad] = '\xFF';
      ASSERT_EQ(FindInvalidUtf8(s), bad) << "length " << length;
    }
    EXPECT_EQ(FindInvalidUtf8(std::string(length, 'z')), kNpos);
  }
}

TEST(Utf8Test, MatchesReferenceValidatorOnRandomInput) {
  std::mt19937 random(20231123);
  const std::string pieces[] = {"a",
                                " ",
                                "Ж",
                                "қ",
                                "€",
                                "\U0001F600",
                                "\x80",
                                "\xC2",
                                "\xE0\xA0",
                                "\xED\xA0\x80",
                                "\xF4\x8F\xBF\xBF",
                                "\xF4\x90",
                                "\xFF",
                                "\xC0\xAF"};
  for (int round = 0; round < 20000; ++round) {
    std::string s;
    const int parts = static_cast<int>(random() % 12);
    for (int i = 0; i < parts; ++i) s += pieces[random() % std::size(pieces)];
    if (random() % 4 == 0) s.append(random() % 40, 'x');
    ASSERT_EQ(FindInvalidUtf8(s), ReferenceFindInvalid(s)) << s;
    const std::string sanitized = SanitizeUtf8(s);
    ASSERT_TRUE(IsValidUtf8(sanitized));
    if (IsValidUtf8(s)) {
      ASSERT_EQ(sanitized, s);
    }
  }
  for (int round = 0; round < 20000; ++round) {
    std::string s(random() % 24, '\0');
    for (char& c : s) c = static_cast<char>(random() & 0xFF);
    ASSERT_EQ(FindInvalidUtf8(s), ReferenceFindInvalid(s));
    ASSERT_TRUE(IsValidUtf8(SanitizeUtf8(s)));
  }
}

TEST(Utf8Test, SanitizeReplacesMaximalSubparts) {
  // The example of Unicode 15 §3.9, "U+FFFD Substitution of Maximal Subparts".
  EXPECT_EQ(SanitizeUtf8("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64"),
            "a\uFFFD\uFFFD\uFFFDb\uFFFDc\uFFFD\uFFFDd");
  EXPECT_EQ(SanitizeUtf8("\xE0\x80"), "\uFFFD\uFFFD");  // E0 80 is no prefix of any character
  EXPECT_EQ(SanitizeUtf8("ok \xF0\x9F\x98"), "ok \uFFFD");
  EXPECT_EQ(SanitizeUtf8("Астана"), "Астана");
  EXPECT_EQ(SanitizeUtf8(""), "");
}

TEST(Utf8Test, TruncateNeverSplitsACodePoint) {
  EXPECT_EQ(TruncateUtf8("hello", 10), "hello");
  EXPECT_EQ(TruncateUtf8("hello", 3), "hel");
  EXPECT_EQ(TruncateUtf8("hello", 0), "");
  EXPECT_EQ(TruncateUtf8("Қазақ", 3), "Қ");  // 2 bytes per letter
  EXPECT_EQ(TruncateUtf8("Қазақ", 4), "Қа");
  EXPECT_EQ(TruncateUtf8("a\U0001F600", 1), "a");
  EXPECT_EQ(TruncateUtf8("a\U0001F600", 2), "a");
  EXPECT_EQ(TruncateUtf8("a\U0001F600", 4), "a");
  EXPECT_EQ(TruncateUtf8("a\U0001F600", 5), "a\U0001F600");
  const std::string cyrillic = "Жетісу облысындағы мектептер жаңа оқу жылына дайын";
  for (size_t max = 0; max <= cyrillic.size(); ++max) {
    const std::string cut = TruncateUtf8(cyrillic, max);
    ASSERT_LE(cut.size(), max);
    ASSERT_GE(cut.size() + 3, max);
    ASSERT_TRUE(IsValidUtf8(cut)) << max;
  }
}

TEST(Utf8Test, FoldCaseFoldsAsciiAndUnicode) {
  EXPECT_EQ(FoldCase("Hello, WORLD 2023!"), "hello, world 2023!");
  EXPECT_EQ(FoldCase("ҚАЗАҚСТАН Республикасы"), "қазақстан республикасы");
  EXPECT_EQ(FoldCase("ӘЛЕМ ҮШІН ӨҢІР ҰЛТ ҒЫЛЫМ ҺӘМ"), "әлем үшін өңір ұлт ғылым һәм");
  EXPECT_EQ(FoldCase("Straße STRASSE"), "strasse strasse");  // full folding: ß -> ss
  EXPECT_EQ(FoldCase("ΣΑΣ ς"), "σασ σ");
  EXPECT_EQ(FoldCase("İ"), "i\u0307");
  EXPECT_EQ(FoldCase("ÀÉÎÕÜ"), "àéîõü");
  EXPECT_EQ(FoldCase("\U00010400"), "\U00010428");  // Deseret, outside the BMP
  EXPECT_EQ(FoldCase("mixed Ж\xFFx"), "mixed ж\uFFFDx");
  EXPECT_EQ(FoldCase(""), "");
}

TEST(Utf8Test, FoldCaseIsIdempotent) {
  for (const std::string_view s : {"Tokayev", "ТОҚАЕВ", "Straße", "ǅ ǈ ǋ", "ﬁ", "ΐ"}) {
    const std::string once = FoldCase(s);
    EXPECT_EQ(FoldCase(once), once) << s;
  }
}

TEST(Utf8Test, DecodeUtf8AtReportsCodePointsAndInvalidSubparts) {
  const std::string s = "aЖ€\U0001F600\xE2\x82";
  DecodedCodePoint d = DecodeUtf8At(s, 0);
  EXPECT_EQ(d.code_point, U'a');
  EXPECT_EQ(d.length, 1u);
  d = DecodeUtf8At(s, 1);
  EXPECT_EQ(d.code_point, U'Ж');
  EXPECT_EQ(d.length, 2u);
  d = DecodeUtf8At(s, 3);
  EXPECT_EQ(d.code_point, U'€');
  EXPECT_EQ(d.length, 3u);
  d = DecodeUtf8At(s, 6);
  EXPECT_EQ(d.code_point, U'\U0001F600');
  EXPECT_EQ(d.length, 4u);
  EXPECT_TRUE(d.valid);
  d = DecodeUtf8At(s, 10);
  EXPECT_FALSE(d.valid);
  EXPECT_EQ(d.code_point, 0xFFFDu);
  EXPECT_EQ(d.length, 2u);
}

TEST(Utf8Test, EncodeUtf8RoundTrips) {
  for (const char32_t c : {U'a', U'\u00a0', U'Қ', U'€', U'\U0001F600', U'\U0010FFFF'}) {
    const std::string encoded = EncodeUtf8(c);
    EXPECT_EQ(DecodeUtf8At(encoded, 0).code_point, c);
    EXPECT_EQ(DecodeUtf8At(encoded, 0).length, encoded.size());
  }
  EXPECT_EQ(EncodeUtf8(0xD800), kReplacementCharacter);
  EXPECT_EQ(EncodeUtf8(0x110000), kReplacementCharacter);
}

TEST(Utf8Test, IsUnicodeWhitespaceFollowsTheWhiteSpaceProperty) {
  for (const char32_t c : {U' ', U'\t', U'\n', U'\r', U'\u0085', U'\u00a0', U'\u1680', U'\u2000',
                           U'\u2007', U'\u200a', U'\u2028', U'\u202f', U'\u205f', U'\u3000'}) {
    EXPECT_TRUE(IsUnicodeWhitespace(c)) << static_cast<uint32_t>(c);
  }
  for (const char32_t c : {U'a', U'_', U'\u200b', U'\u200c', U'\ufeff', U'\u00ad', U'Ж'}) {
    EXPECT_FALSE(IsUnicodeWhitespace(c)) << static_cast<uint32_t>(c);
  }
}

}  // namespace
}  // namespace newsdb::text
