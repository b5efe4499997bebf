#include "common/text/analyzer.h"

#include <algorithm>
#include <bitset>
#include <cstdint>
#include <ostream>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/text/utf8.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace newsdb::text {

// Readable failure messages.
void PrintTo(const Token& token, std::ostream* os) {
  *os << "{\"" << token.term << "\", " << token.position << ", " << token.begin << ", " << token.end
      << "}";
}

namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// The terms AnalyzeTerms() gives for `text`, through `dictionary`; checks the positions.
std::vector<std::string> NumberedTerms(std::string_view text, TermDictionary* dictionary) {
  std::vector<TermPosition> numbered;
  const uint32_t next = ThreadLocalAnalyzer().AnalyzeTerms(text, 3, dictionary, &numbered);
  EXPECT_EQ(next, 3 + numbered.size());
  std::vector<std::string> terms;
  for (size_t i = 0; i < numbered.size(); ++i) {
    EXPECT_EQ(numbered[i].position, 3 + i);
    terms.push_back(dictionary->term(numbered[i].term));
  }
  return terms;
}

// Terms() of the thread's analyzer. Every test that uses it also checks that AnalyzeTerms()
// (indexing) agrees, with a new dictionary and with one that has seen the words of all earlier
// calls, twice (its word cache).
std::vector<std::string> Terms(std::string_view text) {
  std::vector<std::string> terms = ThreadLocalAnalyzer().Terms(text);
  static TermDictionary* const seen = new TermDictionary();
  TermDictionary fresh;
  for (TermDictionary* dictionary : {&fresh, seen, seen}) {
    EXPECT_EQ(NumberedTerms(text, dictionary), terms) << text;
  }
  // AnalyzeTermSpans (highlighting): the same terms, with Analyze()'s source spans.
  std::vector<Token> tokens;
  ThreadLocalAnalyzer().Analyze(text, 0, &tokens);
  std::vector<TermSpan> spans;
  ThreadLocalAnalyzer().AnalyzeTermSpans(text, seen, &spans);
  EXPECT_EQ(spans.size(), tokens.size()) << text;
  for (size_t i = 0; i < std::min(spans.size(), tokens.size()); ++i) {
    EXPECT_EQ(seen->term(spans[i].term), tokens[i].term) << text;
    EXPECT_EQ(spans[i].begin, tokens[i].begin) << text;
    EXPECT_EQ(spans[i].end, tokens[i].end) << text;
  }
  // With a first-byte filter, exactly the words whose terms start with another byte drop out.
  std::bitset<256> first_bytes;
  for (const char c : std::string_view("akstu\xD0")) first_bytes.set(static_cast<uint8_t>(c));
  TermDictionary filtered;
  spans.clear();
  ThreadLocalAnalyzer().AnalyzeTermSpans(text, &filtered, &spans, &first_bytes);
  EXPECT_EQ(spans.size(), tokens.size()) << text;
  for (size_t i = 0; i < std::min(spans.size(), tokens.size()); ++i) {
    if (spans[i].term != TermSpan::kNoTerm) {
      EXPECT_EQ(filtered.term(spans[i].term), tokens[i].term) << text;
    } else {
      EXPECT_FALSE(first_bytes.test(static_cast<uint8_t>(tokens[i].term.front()))) << text;
    }
  }
  return terms;
}

std::vector<Token> Tokens(std::string_view text, uint32_t first_position = 0) {
  std::vector<Token> tokens;
  ThreadLocalAnalyzer().Analyze(text, first_position, &tokens);
  return tokens;
}

// The source text of each token.
std::vector<std::string> Sources(std::string_view text) {
  std::vector<std::string> sources;
  for (const Token& token : Tokens(text)) {
    sources.emplace_back(text.substr(token.begin, token.end - token.begin));
  }
  return sources;
}

TEST(AnalyzerTest, SplitsAtEverythingButLettersAndDigits) {
  EXPECT_THAT(Terms("Almaty sends 600 snowplows: streets, roads & (lanes)!"),
              ElementsAre("almati", "send", "600", "snowplow", "street", "road", "lane"));
  EXPECT_THAT(Terms("snake_case/path\\to|x+y=z#tag@host"),
              ElementsAre("snake", "case", "path", "to", "x", "y", "z", "tag", "host"));
  EXPECT_THAT(Terms(""), IsEmpty());
  EXPECT_THAT(Terms(" \t\n--- ... «» “” — !?"), IsEmpty());
}

TEST(AnalyzerTest, KeepsCyrillicAndKazakhWordsWhole) {
  EXPECT_THAT(Terms("Қазақстан, Туркестан және Алматы"),
              ElementsAre("қазақстан", "туркестан", "және", "алматы"));
  EXPECT_THAT(Terms("Әйгерім Жақсылықова — өңір"), ElementsAre("әйгерім", "жақсылықова", "өңір"));
}

TEST(AnalyzerTest, KeepsWordsOfOtherScripts) {
  EXPECT_THAT(Terms("Ελλάδα 北京 Ташкент עברית"),
              ElementsAre("ελλάδα", "北京", "ташкент", "עברית"));
  EXPECT_THAT(Terms("हिन्दी"), ElementsAre("हिन्दी"));  // combining vowel signs stay inside
}

TEST(AnalyzerTest, FoldsCaseBeyondAscii) {
  EXPECT_THAT(Terms("Туркестан ТУРКЕСТАН туркестан"),
              ElementsAre("туркестан", "туркестан", "туркестан"));
  EXPECT_THAT(Terms("ҚАЗАҚСТАН ӘӨҮҰІҢҒҺ"), ElementsAre("қазақстан", "әөүұіңғһ"));
  EXPECT_THAT(Terms("ΣΑΣ Éire ÀÉÎÕÜ"), ElementsAre("σασ", "éire", "àéîõü"));
  // Full folding: ß and ẞ become "ss"; the ASCII result is then stemmed like any ASCII word.
  EXPECT_EQ(Terms("Straße"), Terms("STRASSE"));
  EXPECT_EQ(Terms("STRAẞE"), Terms("strasse"));
  EXPECT_EQ(ThreadLocalAnalyzer().NormalizePrefix("Straße"), "strasse");
}

TEST(AnalyzerTest, FoldsAsciiWithoutTouchingDigits) {
  EXPECT_THAT(Terms("CSTO SCO NATO 2023 A320NEO"),
              ElementsAre("csto", "sco", "nato", "2023", "a320neo"));
}

TEST(AnalyzerTest, ComposesDecomposedCharacters) {
  // "é" as e + U+0301 and as U+00E9, "й" as и + U+0306 and as U+0439.
  EXPECT_EQ(Terms("Caf\u0065\u0301"), Terms("Caf\u00E9"));
  EXPECT_EQ(Terms("Кои\u0306лыбаев"), Terms("Койлыбаев"));
  EXPECT_THAT(Terms("Cafe\u0301"), ElementsAre("caf\u00E9"));
}

TEST(AnalyzerTest, CombiningMarkDoesNotStartAWord) {
  EXPECT_THAT(Terms("\u0301abc \u0301"), ElementsAre("abc"));
}

TEST(AnalyzerTest, DropsPossessiveS) {
  EXPECT_THAT(Terms("Kazakhstan’s Kazakhstan's KAZAKHSTAN'S"),
              ElementsAre("kazakhstan", "kazakhstan", "kazakhstan"));
  EXPECT_THAT(Terms("Тоқаев's plan"), ElementsAre("тоқаев", "plan"));
  EXPECT_THAT(Terms("the city’s department"), ElementsAre("the", "citi", "depart"));
  // The possessive stays inside the token's source span, so it is highlighted with the word.
  EXPECT_THAT(Sources("the city’s department"), ElementsAre("the", "city’s", "department"));
}

TEST(AnalyzerTest, JoinsWordsAcrossInnerApostrophes) {
  EXPECT_THAT(Terms("o'clock O’Brien don't rock'n'roll"),
              ElementsAre("oclock", "obrien", "dont", "rocknrol"));
  EXPECT_THAT(Terms("Qazaqstanʼs Ta\u02BCzim"), ElementsAre("qazaqstan", "tazim"));
  // "'s" followed by more letters is not a possessive.
  EXPECT_THAT(Terms("it'sy"), ElementsAre("itsi"));
}

TEST(AnalyzerTest, ApostrophesAtWordEdgesSeparate) {
  EXPECT_THAT(Terms("'quoted' students' ’90s"), ElementsAre("quot", "student", "90s"));
  EXPECT_THAT(Sources("students' fees"), ElementsAre("students", "fees"));
}

TEST(AnalyzerTest, JoinsDottedAcronyms) {
  EXPECT_THAT(Terms("U.S. U.N. U.S.A e.g. i.e."), ElementsAre("us", "un", "usa", "eg", "ie"));
  EXPECT_THAT(Terms("China-U.S. ties"), ElementsAre("china", "us", "tie"));
  EXPECT_THAT(Terms("the U.S."), ElementsAre("the", "us"));
  EXPECT_THAT(Sources("the U.S. and U.N"), ElementsAre("the", "U.S.", "and", "U.N"));
}

TEST(AnalyzerTest, AcronymsAreAnalysedLikeTheJoinedWord) {
  EXPECT_EQ(Terms("U.S.A."), Terms("USA"));
  EXPECT_EQ(Terms("N.A.T.O."), Terms("NATO"));
}

TEST(AnalyzerTest, DotsBetweenLongerPartsSplit) {
  EXPECT_THAT(Terms("C.The end"), ElementsAre("c", "the", "end"));
  EXPECT_THAT(Terms("U.S.Army"), ElementsAre("us", "armi"));
  EXPECT_THAT(Terms("N.Nazarbayev"), ElementsAre("n", "nazarbayev"));
  EXPECT_THAT(Terms("example.com"), ElementsAre("exampl", "com"));
  EXPECT_THAT(Terms("A. B. Smith"), ElementsAre("a", "b", "smith"));
}

TEST(AnalyzerTest, CyrillicInitialsFormAnAcronym) {
  EXPECT_THAT(Terms("Қ.К. Тоқаев"), ElementsAre("қк", "тоқаев"));
}

TEST(AnalyzerTest, CurrencySymbolsSeparate) {
  EXPECT_THAT(Terms("$1mln €20 ₸500 £3"), ElementsAre("1mln", "20", "500", "3"));
}

TEST(AnalyzerTest, LettersAndDigitsStayOneUnstemmedWord) {
  EXPECT_THAT(Terms("4th 1990s COVID19 Boeing737s"),
              ElementsAre("4th", "1990s", "covid19", "boeing737s"));
}

TEST(AnalyzerTest, JoinsThousandsGroups) {
  EXPECT_THAT(Terms("2,500 1,000,000 12,345 999,999"),
              ElementsAre("2500", "1000000", "12345", "999999"));
  EXPECT_THAT(Terms("5,000-tonne"), ElementsAre("5000", "tonn"));
  EXPECT_THAT(Terms("about 2,000 road workers"), ElementsAre("about", "2000", "road", "worker"));
}

TEST(AnalyzerTest, OtherCommasAndDotsBetweenDigitsSplit) {
  EXPECT_THAT(Terms("3.5 2,5 1,2,3 1234,567 2,5000 23.11.2023 19:42"),
              ElementsAre("3", "5", "2", "5", "1", "2", "3", "1234", "567", "2", "5000", "23", "11",
                          "2023", "19", "42"));
  EXPECT_THAT(Terms("2,500.75"), ElementsAre("2500", "75"));
  EXPECT_THAT(Terms("A1,000"), ElementsAre("a1", "000"));
  EXPECT_THAT(Terms("2, 500"), ElementsAre("2", "500"));
}

TEST(AnalyzerTest, HyphensSplit) {
  EXPECT_THAT(Terms("Kassym-Jomart Al-Farabi COVID-19 well‑known"),
              ElementsAre("kassym", "jomart", "al", "farabi", "covid", "19", "well", "known"));
}

TEST(AnalyzerTest, StemsEnglishWords) {
  EXPECT_EQ(Terms("ratifies"), Terms("ratified"));
  EXPECT_EQ(Terms("ratify"), Terms("ratified"));
  EXPECT_THAT(Terms("ratifies summits summit Running energy"),
              ElementsAre("ratifi", "summit", "summit", "run", "energi"));
  EXPECT_THAT(Terms("news agreement Kazakhstan"), ElementsAre("news", "agreement", "kazakhstan"));
}

// The stem cache must not change results, also after both its generations have filled up.
TEST(AnalyzerTest, StemCacheGivesTheStemmerResults) {
  std::string text;
  for (size_t i = 0; i < 2 * kMaxCachedStems + 100; ++i) {
    std::string word;
    for (size_t n = i; word.size() < 4 || n > 0; n /= 26) {
      word.push_back(static_cast<char>('a' + n % 26));
    }
    text += word + "ings ";
  }
  text += "ratifies summits ratified summit";
  Analyzer warm;
  const std::vector<std::string> first = warm.Terms(text);
  EXPECT_EQ(warm.Terms(text), first);
  EXPECT_EQ(warm.Terms("summits ratify"), Analyzer().Terms("summits ratify"));
  EXPECT_THAT(std::vector<std::string>(first.end() - 4, first.end()),
              ElementsAre("ratifi", "summit", "ratifi", "summit"));
}

// Highlighting skips words by their first byte (AnalyzeTermSpans), which relies on English
// stemming keeping a word's first letter: checked on Snowball's exceptional forms, short words
// and 200,000 random words.
TEST(AnalyzerTest, StemmingKeepsTheFirstLetter) {
  std::string text =
      "skis skies dying lying tying idly gently ugly early only singly news howe atlas cosmos "
      "bias andes inning innings outing outings canning cannings herring herrings earring "
      "earrings proceed exceed succeed ied ies sses yes yelling youth y ys ay ey ies ied eed "
      "ing ings ly ness ational ";
  uint64_t state = 20261128;
  for (int i = 0; i < 200000; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const int length = 1 + static_cast<int>((state >> 60) % 12);
    for (int k = 0; k < length; ++k) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      text.push_back(static_cast<char>('a' + (state >> 33) % 26));
    }
    text.push_back(' ');
  }
  Analyzer analyzer;
  std::vector<Token> tokens;
  analyzer.Analyze(text, 0, &tokens);
  for (const Token& token : tokens) {
    ASSERT_FALSE(token.term.empty());
    EXPECT_EQ(token.term.front(), text[token.begin]) << text.substr(token.begin, 20);
  }
}

TEST(AnalyzerTest, DoesNotStemWordsWithDigitsOrOtherLetters) {
  EXPECT_THAT(Terms("2000s résumés naïvely Алматы"),
              ElementsAre("2000s", "résumés", "naïvely", "алматы"));
}

TEST(AnalyzerTest, KeepsStopWords) {
  EXPECT_THAT(Terms("The of and a"), ElementsAre("the", "of", "and", "a"));
}

TEST(AnalyzerTest, DropsSoftHyphensAndJoinersInsideWords) {
  EXPECT_EQ(Terms("infor\u00ADmation"), Terms("information"));
  EXPECT_THAT(Terms("\u00ADword\u00AD"), ElementsAre("word"));
  EXPECT_THAT(Terms("a\u200Db"), ElementsAre("ab"));
}

TEST(AnalyzerTest, CutsLongWordsToMaxTermBytes) {
  const std::string ascii(100, 'a');
  EXPECT_THAT(Terms(ascii + " next"), ElementsAre(std::string(kMaxTermBytes, 'a'), "next"));
  // Not stemmed: "...ing" would otherwise lose its suffix.
  const std::string long_ing = std::string(70, 'x') + "ing";
  EXPECT_THAT(Terms(long_ing), ElementsAre(std::string(kMaxTermBytes, 'x')));
  // Two-byte letters: cut at a character boundary (64 bytes = 32 letters).
  std::string cyrillic;
  for (int i = 0; i < 40; ++i) cyrillic += "Ж";
  std::string expected;
  for (int i = 0; i < 32; ++i) expected += "ж";
  EXPECT_THAT(Terms(cyrillic), ElementsAre(expected));
  // Three-byte letters: 64 is not a multiple of 3, so 63 bytes.
  std::string cjk;
  for (int i = 0; i < 30; ++i) cjk += "京";
  const std::vector<std::string> terms = Terms(cjk);
  ASSERT_EQ(terms.size(), 1u);
  EXPECT_EQ(terms[0].size(), 63u);
  EXPECT_TRUE(IsValidUtf8(terms[0]));
  // The famous long Kazakh word (33 letters, 66 bytes) keeps its first 32 letters.
  EXPECT_EQ(Terms("Қанағаттандырылмағандықтарыңыздан")[0].size(), 64u);
}

TEST(AnalyzerTest, LongWordKeepsItsWholeSourceSpan) {
  const std::string text = std::string(1000, 'b') + " c";
  EXPECT_THAT(Tokens(text), ElementsAre(Token{std::string(kMaxTermBytes, 'b'), 0, 0, 1000},
                                        Token{"c", 1, 1001, 1002}));
}

TEST(AnalyzerTest, InvalidUtf8Separates) {
  EXPECT_THAT(Terms("abc\xFF"
                    "def"),
              ElementsAre("abc", "def"));
  EXPECT_THAT(Terms("\xC0\x80x\xED\xA0\x80y\xF4\x90\x80\x80z"), ElementsAre("x", "y", "z"));
  EXPECT_THAT(Terms("Ж\xD0"), ElementsAre("ж"));  // truncated sequence at the end
  EXPECT_THAT(Terms("\xE2\x80"), IsEmpty());
}

TEST(AnalyzerTest, GivesConsecutivePositionsAndByteOffsets) {
  const std::string_view text = "  Tokayev’s U.S. visit: 2,500 guests";
  std::vector<Token> tokens;
  EXPECT_EQ(ThreadLocalAnalyzer().Analyze(text, 10, &tokens), 15u);
  EXPECT_THAT(tokens, ElementsAre(Token{"tokayev", 10, 2, 13}, Token{"us", 11, 14, 18},
                                  Token{"visit", 12, 19, 24}, Token{"2500", 13, 26, 31},
                                  Token{"guest", 14, 32, 38}));
}

TEST(AnalyzerTest, AppendsToExistingTokens) {
  std::vector<Token> tokens;
  Analyzer analyzer;
  const uint32_t next = analyzer.Analyze("first words", 0, &tokens);
  EXPECT_EQ(next, 2u);
  EXPECT_EQ(analyzer.Analyze("more", next + 8, &tokens), 11u);
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_EQ(tokens[2], (Token{"more", 10, 0, 4}));
  EXPECT_EQ(analyzer.Analyze("", 7, &tokens), 7u);
  EXPECT_EQ(tokens.size(), 3u);
}

TEST(AnalyzerTest, TermsMatchAnalyze) {
  const std::string_view text =
      "Kazakhstan’s President Kassym-Jomart Tokayev ratified 2,500 U.N. deals";
  std::vector<std::string> from_tokens;
  for (const Token& token : Tokens(text)) from_tokens.push_back(token.term);
  EXPECT_EQ(Terms(text), from_tokens);
}

TEST(AnalyzerTest, AnalyzeTermsNumbersTermsInOrderOfFirstAppearance) {
  TermDictionary dictionary;
  std::vector<TermPosition> numbered;
  EXPECT_EQ(ThreadLocalAnalyzer().AnalyzeTerms("Summits, summit talks; SUMMIT", 10, &dictionary,
                                               &numbered),
            14u);
  EXPECT_THAT(numbered, ElementsAre(TermPosition{0, 10}, TermPosition{0, 11}, TermPosition{1, 12},
                                    TermPosition{0, 13}));
  EXPECT_THAT(dictionary.terms(), ElementsAre("summit", "talk"));
  // A second text goes on with the same numbers.
  numbered.clear();
  ThreadLocalAnalyzer().AnalyzeTerms("talked with Tokayev", 0, &dictionary, &numbered);
  EXPECT_THAT(numbered, ElementsAre(TermPosition{1, 0}, TermPosition{2, 1}, TermPosition{3, 2}));
  EXPECT_THAT(dictionary.terms(), ElementsAre("summit", "talk", "with", "tokayev"));
}

TEST(AnalyzerTest, AnalyzeTermsGivesComposedAndDecomposedWordsOneNumber) {
  TermDictionary dictionary;
  std::vector<TermPosition> numbered;
  ThreadLocalAnalyzer().AnalyzeTerms("caf\u00E9 cafe\u0301 CAF\u00C9 CAFE\u0301", 0, &dictionary,
                                     &numbered);
  EXPECT_THAT(numbered, ElementsAre(TermPosition{0, 0}, TermPosition{0, 1}, TermPosition{0, 2},
                                    TermPosition{0, 3}));
  EXPECT_THAT(dictionary.terms(), ElementsAre("caf\u00E9"));
}

// The word table keeps words of up to 16 bytes in its slots and longer ones aside: words that
// share their first 16 bytes, or differ only past them, must still get their own terms, also
// after the table has grown many times.
TEST(AnalyzerTest, AnalyzeTermsTellsApartLongWordsAndSurvivesGrowth) {
  std::string text =
      "internationalization internationalizations internationalisation "
      "internationalizationx abcdefghijklmnop abcdefghijklmnopq abcdefghijklmnopqr "
      "abcdefghijklmno abcdefgh abcdefghi abcdefg ";
  for (int i = 0; i < 20000; ++i) {
    std::string word;
    for (int n = i; word.size() < 3 || n > 0; n /= 26)
      word.push_back(static_cast<char>('a' + n % 26));
    text += word + (i % 3 == 0 ? "abcdefghijklmnopqrstu " : " ");
  }
  text += text;  // every word again, now found in the table
  std::vector<std::string> expected;
  std::vector<Token> tokens;
  ThreadLocalAnalyzer().Analyze(text, 0, &tokens);
  for (const Token& token : tokens) expected.push_back(token.term);
  TermDictionary dictionary;
  EXPECT_EQ(NumberedTerms(text, &dictionary), expected);
  // Two words, one term; a word that differs past 16 bytes, its own.
  EXPECT_THAT(std::vector<std::string>(dictionary.terms().begin(), dictionary.terms().begin() + 3),
              ElementsAre("internation", "internationalis", "internationalizationx"));
}

TEST(AnalyzerTest, NormalizesPrefixesWithoutStemming) {
  Analyzer analyzer;
  EXPECT_EQ(analyzer.NormalizePrefix("Kazakh"), "kazakh");
  EXPECT_EQ(analyzer.NormalizePrefix("TURKIST*"), "turkist");
  EXPECT_EQ(analyzer.NormalizePrefix("Туркест"), "туркест");
  EXPECT_EQ(analyzer.NormalizePrefix("summits"), "summits");
  EXPECT_EQ(analyzer.NormalizePrefix("U.S"), "us");
  EXPECT_EQ(analyzer.NormalizePrefix("o'cl"), "ocl");
  EXPECT_EQ(analyzer.NormalizePrefix("Kazakhstan's"), "kazakhstan");
  EXPECT_EQ(analyzer.NormalizePrefix("  «ratif»  "), "ratif");
}

TEST(AnalyzerTest, NormalizePrefixRejectsNoneOrSeveralWords) {
  Analyzer analyzer;
  EXPECT_EQ(analyzer.NormalizePrefix(""), "");
  EXPECT_EQ(analyzer.NormalizePrefix("--*"), "");
  EXPECT_EQ(analyzer.NormalizePrefix("new yo"), "");
  EXPECT_EQ(analyzer.NormalizePrefix("al-far"), "");
}

TEST(AnalyzerTest, NormalizePrefixCutsLongPrefixes) {
  EXPECT_EQ(ThreadLocalAnalyzer().NormalizePrefix(std::string(80, 'Q')),
            std::string(kMaxTermBytes, 'q'));
}

TEST(AnalyzerTest, ThreadLocalAnalyzerIsPerThread) {
  Analyzer* main_analyzer = &ThreadLocalAnalyzer();
  EXPECT_EQ(main_analyzer, &ThreadLocalAnalyzer());
  Analyzer* other_analyzer = nullptr;
  std::vector<std::string> other_terms;
  std::thread thread([&] {
    other_analyzer = &ThreadLocalAnalyzer();
    other_terms = ThreadLocalAnalyzer().Terms("Parallel summits");
  });
  thread.join();
  EXPECT_NE(main_analyzer, other_analyzer);
  EXPECT_THAT(other_terms, ElementsAre("parallel", "summit"));
}

// Whatever the bytes: no crash, terms are valid UTF-8 of at most kMaxTermBytes, offsets are in
// order inside the input, positions are consecutive, and Terms() and AnalyzeTerms() agree with
// Analyze().
TEST(AnalyzerTest, RandomBytesKeepInvariants) {
  std::mt19937 random(20231124);
  const std::string_view pieces[] = {"a",    "Z",    "9",        "'",  "’", ".",      ",",
                                     "-",    " ",    "s",        "Қ",  "ß", "\u0301", "\u00AD",
                                     "\xFF", "\xD0", "\xE2\x80", "京", "ʼ"};
  Analyzer analyzer;
  TermDictionary dictionary;  // shared by all rounds, so that its word cache is used
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    const int length = static_cast<int>(random() % 40);
    for (int i = 0; i < length; ++i) text += pieces[random() % std::size(pieces)];
    std::vector<Token> tokens;
    const uint32_t next = analyzer.Analyze(text, 5, &tokens);
    ASSERT_EQ(next, 5 + tokens.size());
    uint32_t previous_end = 0;
    std::vector<std::string> terms;
    for (size_t i = 0; i < tokens.size(); ++i) {
      const Token& token = tokens[i];
      EXPECT_EQ(token.position, 5 + i);
      EXPECT_LE(previous_end, token.begin);
      EXPECT_LT(token.begin, token.end);
      EXPECT_LE(token.end, text.size());
      EXPECT_FALSE(token.term.empty());
      EXPECT_LE(token.term.size(), kMaxTermBytes);
      EXPECT_TRUE(IsValidUtf8(token.term)) << text;
      previous_end = token.end;
      terms.push_back(token.term);
    }
    EXPECT_EQ(analyzer.Terms(text), terms);
    EXPECT_EQ(NumberedTerms(text, &dictionary), terms) << text;
  }
}

// The analysis of a word's own source text gives the same term: highlighting and the index
// agree on what a word is.
TEST(AnalyzerTest, ReanalysingATokenSourceGivesItsTerm) {
  const std::string_view text =
      "Kazakhstan’s U.S. envoy met Қазақстан officials at 10:00; 2,500 “quoted” o'clock "
      "Kassym-Jomart STRAẞE infor\u00ADmation";
  for (const Token& token : Tokens(text)) {
    EXPECT_THAT(Terms(text.substr(token.begin, token.end - token.begin)), ElementsAre(token.term));
  }
}

}  // namespace
}  // namespace newsdb::text
