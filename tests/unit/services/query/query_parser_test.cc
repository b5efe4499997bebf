#include "services/query/query_parser.h"

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/search/query_tree.h"
#include "common/status/field_errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace newsdb::query {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The parsed tree as an S-expression, or "error: <message>".
std::string Parse(const std::string& text) {
  absl::StatusOr<v1::Query> query = ParseQuery(text);
  if (!query.ok()) return "error: " + std::string(query.status().message());
  return search::DebugString(*query);
}

std::string Repeat(const std::string& piece, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += piece;
  return out;
}

TEST(QueryParserTest, ParsesTheDesignExample) {
  EXPECT_EQ(Parse(R"(csto "biological safety" -putin title:summit)"),
            R"((and (term "csto") (phrase "biological safety") (term title "summit") )"
            R"((not (term "putin"))))");
}

TEST(QueryParserTest, ASingleWordIsATerm) {
  EXPECT_EQ(Parse("csto"), R"((term "csto"))");
  EXPECT_EQ(Parse("  csto  "), R"((term "csto"))");
}

TEST(QueryParserTest, WordsSeparatedByWhitespaceAreAllRequired) {
  EXPECT_EQ(Parse("csto biological safety"),
            R"((and (term "csto") (term "biological") (term "safety")))");
}

TEST(QueryParserTest, AnyUnicodeWhitespaceSeparatesWords) {
  EXPECT_EQ(Parse("a\tb\nc\u00A0d\u3000e"),
            R"((and (term "a") (term "b") (term "c") (term "d") (term "e")))");
}

TEST(QueryParserTest, ExplicitAndMeansTheDefault) {
  EXPECT_EQ(Parse("a AND b"), Parse("a b"));
  EXPECT_EQ(Parse("a AND b AND c"), R"((and (term "a") (term "b") (term "c")))");
}

TEST(QueryParserTest, QuotesMakeAPhraseKeptAsWritten) {
  EXPECT_EQ(Parse(R"("biological safety")"), R"((phrase "biological safety"))");
  EXPECT_EQ(Parse(R"(" two  spaces ")"), R"((phrase " two  spaces "))");
  EXPECT_EQ(Parse(R"("a OR -b*")"), R"((phrase "a OR -b*"))");
}

TEST(QueryParserTest, ParenthesesAndQuotesAlsoEndAWord) {
  EXPECT_EQ(Parse(R"(foo(bar)baz"x y")"),
            R"((and (term "foo") (term "bar") (term "baz") (phrase "x y")))");
}

TEST(QueryParserTest, MinusExcludesWordsPhrasesAndGroups) {
  EXPECT_EQ(Parse("a -b"), R"((and (term "a") (not (term "b"))))");
  EXPECT_EQ(Parse(R"(a -"b c")"), R"((and (term "a") (not (phrase "b c"))))");
  EXPECT_EQ(Parse("a -(b OR c)"), R"((and (term "a") (not (term "b") (term "c"))))");
  EXPECT_EQ(Parse("a -(b c)"), R"((and (term "a") (not (and (term "b") (term "c")))))");
}

TEST(QueryParserTest, AllExclusionsMergeIntoOneNoneOfAtTheEnd) {
  EXPECT_EQ(Parse("-x a -y b -(z OR w)"),
            R"((and (term "a") (term "b") (not (term "x") (term "y") (term "z") (term "w"))))");
}

TEST(QueryParserTest, ALoneExclusionMatchesEverythingElse) {
  EXPECT_EQ(Parse("-putin"), R"((not (term "putin")))");
  EXPECT_EQ(Parse("-putin -lavrov"), R"((not (term "putin") (term "lavrov")))");
}

TEST(QueryParserTest, NotIsTheSameAsMinus) {
  EXPECT_EQ(Parse("a NOT b"), Parse("a -b"));
  EXPECT_EQ(Parse("NOT (a OR b)"), Parse("-(a OR b)"));
  EXPECT_EQ(Parse(R"(NOT"a b")"), R"((not (phrase "a b")))");
}

TEST(QueryParserTest, DoubleNegationCancels) {
  EXPECT_EQ(Parse("--a"), R"((term "a"))");
  EXPECT_EQ(Parse("x NOT -a"), R"((and (term "x") (term "a")))");
  EXPECT_EQ(Parse("x -(-(a OR b))"), R"((and (term "x") (or (term "a") (term "b"))))");
}

TEST(QueryParserTest, MinusInsideAWordOrAloneIsNotAnOperator) {
  EXPECT_EQ(Parse("covid-19 nur-sultan"), R"((and (term "covid-19") (term "nur-sultan")))");
  EXPECT_EQ(Parse("a - b"), R"((and (term "a") (term "b")))");
  EXPECT_EQ(Parse("(a -)"), R"((term "a"))");
}

TEST(QueryParserTest, OrGivesAnyOf) {
  EXPECT_EQ(Parse("a OR b"), R"((or (term "a") (term "b")))");
  EXPECT_EQ(Parse("a OR b OR c"), R"((or (term "a") (term "b") (term "c")))");
  EXPECT_EQ(Parse("a OR (b OR c)"), R"((or (term "a") (term "b") (term "c")))");
}

TEST(QueryParserTest, OperatorsAreUpperCaseOnly) {
  EXPECT_EQ(Parse("a or b"), R"((and (term "a") (term "or") (term "b")))");
  EXPECT_EQ(Parse("a and not b"), R"((and (term "a") (term "and") (term "not") (term "b")))");
  EXPECT_EQ(Parse("Or"), R"((term "Or"))");
}

TEST(QueryParserTest, OperatorWordsCanBeSearchedWhenQuotedNegatedOrScoped) {
  EXPECT_EQ(Parse(R"("OR")"), R"((phrase "OR"))");
  EXPECT_EQ(Parse("a -OR"), R"((and (term "a") (not (term "OR"))))");
  EXPECT_EQ(Parse("title:NOT"), R"((term title "NOT"))");
}

TEST(QueryParserTest, AndBindsTighterThanOr) {
  EXPECT_EQ(Parse("a b OR c"), R"((or (and (term "a") (term "b")) (term "c")))");
  EXPECT_EQ(Parse("a OR b c"), R"((or (term "a") (and (term "b") (term "c"))))");
  EXPECT_EQ(Parse("a AND b OR c AND d"),
            R"((or (and (term "a") (term "b")) (and (term "c") (term "d"))))");
}

TEST(QueryParserTest, NegationBindsTighterThanAndAndOr) {
  EXPECT_EQ(Parse("-a OR b"), R"((or (not (term "a")) (term "b")))");
  EXPECT_EQ(Parse("a -b OR c"), R"((or (and (term "a") (not (term "b"))) (term "c")))");
  EXPECT_EQ(Parse("NOT a b"), R"((and (term "b") (not (term "a"))))");
}

TEST(QueryParserTest, ParenthesesGroupAndFlattenWhenTheyChangeNothing) {
  EXPECT_EQ(Parse("a (b OR c)"), R"((and (term "a") (or (term "b") (term "c"))))");
  EXPECT_EQ(Parse("(a OR b) (c OR d)"),
            R"((and (or (term "a") (term "b")) (or (term "c") (term "d"))))");
  EXPECT_EQ(Parse("a (b c)"), R"((and (term "a") (term "b") (term "c")))");
  EXPECT_EQ(Parse("((a))"), R"((term "a"))");
  EXPECT_EQ(Parse("a -(b -c)"), R"((and (term "a") (not (and (term "b") (not (term "c"))))))");
}

TEST(QueryParserTest, AStarAtTheEndMakesAPrefix) {
  EXPECT_EQ(Parse("sum*"), R"((prefix "sum"))");
  EXPECT_EQ(Parse("Қаз* a"), R"((and (prefix "Қаз") (term "a")))");
  EXPECT_EQ(Parse("-sum*"), R"((not (prefix "sum")))");
}

TEST(QueryParserTest, FieldScopesApplyToWordsPhrasesAndPrefixes) {
  EXPECT_EQ(Parse("title:summit"), R"((term title "summit"))");
  EXPECT_EQ(Parse(R"(body:"biological safety")"), R"((phrase body "biological safety"))");
  EXPECT_EQ(Parse("credit:xin*"), R"((prefix credit "xin"))");
  EXPECT_EQ(Parse("Title:a CREDIT:b"), R"((and (term title "a") (term credit "b")))");
}

TEST(QueryParserTest, AScopedGroupScopesEveryLeafWithoutItsOwnScope) {
  EXPECT_EQ(Parse(R"(title:(a OR body:b "c d" -e) f)"),
            R"((and (or (term title "a") (and (term body "b") (phrase title "c d") )"
            R"((not (term title "e")))) (term "f")))");
  EXPECT_EQ(Parse("title:body:x"), R"((term body "x"))");
}

TEST(QueryParserTest, ScopeAndNegationCombineInEitherOrder) {
  EXPECT_EQ(Parse("a -title:putin"), R"((and (term "a") (not (term title "putin"))))");
  EXPECT_EQ(Parse("a title:-putin"), Parse("a -title:putin"));
}

// A typo in a field name must not silently match nothing.
TEST(QueryParserTest, AnUnknownFieldNameIsAnErrorNamingTheColumnAndTheFields) {
  EXPECT_EQ(Parse("a nosuch:foo"),
            "error: query: unknown field \"nosuch\" at column 3: the fields are title, body and "
            "credit (to search for the text itself, quote it: \"nosuch:foo\")");
  EXPECT_EQ(Parse("Titel:summit"),
            "error: query: unknown field \"Titel\" at column 1: the fields are title, body and "
            "credit (to search for the text itself, quote it: \"Titel:summit\")");
  EXPECT_THAT(Parse("a:title:b"), HasSubstr("unknown field \"a\" at column 1"));
}

// Colons that cannot start a field scope stay inside the word, and a quoted `name:rest` is text.
TEST(QueryParserTest, OtherWordsWithAColonAreWords) {
  EXPECT_EQ(Parse("17:31"), R"((term "17:31"))");
  EXPECT_EQ(Parse("https://inform.kz"), R"((term "https://inform.kz"))");
  EXPECT_EQ(Parse("ф:x"), R"((term "ф:x"))");
  EXPECT_EQ(Parse("xyz:"), R"((term "xyz:"))");
  EXPECT_EQ(Parse(R"("xyz:rest")"), R"((phrase "xyz:rest"))");
}

TEST(QueryParserTest, WordsKeepTheirOriginalText) {
  EXPECT_EQ(Parse("U.S. Kazakhstan’s ТУРКЕСТАН"),
            R"((and (term "U.S.") (term "Kazakhstan’s") (term "ТУРКЕСТАН")))");
}

TEST(QueryParserTest, WordsAndPhrasesWithoutLettersOrDigitsAreIgnored) {
  EXPECT_EQ(Parse("a & b"), R"((and (term "a") (term "b")))");
  EXPECT_EQ(Parse(R"(a OR & "--" -!)"), R"((term "a"))");
  EXPECT_EQ(Parse("a (& !)"), R"((term "a"))");
  EXPECT_EQ(Parse("title:— 2023"), R"((term "2023"))");
  EXPECT_EQ(Parse(R"("")"), "error: query: query has no searchable words");
}

TEST(QueryParserTest, RejectsQueriesWithoutSearchableWords) {
  EXPECT_EQ(Parse(""), "error: query: query has no searchable words");
  EXPECT_EQ(Parse(" \t "), "error: query: query has no searchable words");
  EXPECT_EQ(Parse("& -- !!"), "error: query: query has no searchable words");
}

TEST(QueryParserTest, ErrorsAreInvalidArgumentOnTheQueryField) {
  const absl::Status status = ParseQuery("\"abc").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  const std::vector<status::FieldViolation> violations = status::FieldViolationsOf(status);
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].field, "query");
  EXPECT_EQ(violations[0].description, "unterminated phrase starting at column 1");
}

TEST(QueryParserTest, ReportsAnUnterminatedPhrase) {
  EXPECT_EQ(Parse(R"(a "b c)"), "error: query: unterminated phrase starting at column 3");
  EXPECT_EQ(Parse(R"("a" "b)"), "error: query: unterminated phrase starting at column 5");
}

TEST(QueryParserTest, CountsColumnsInCodePointsNotBytes) {
  // "Путин " is 6 code points but 11 bytes.
  EXPECT_EQ(Parse(R"(Путин "b c)"), "error: query: unterminated phrase starting at column 7");
  EXPECT_EQ(Parse("Қазақстан OR"), "error: query: OR at column 11 has no operand on its right");
  EXPECT_EQ(Parse("Астана с*"),
            "error: query: prefix at column 8 must be one word of at least 2 letters or "
            "digits before \"*\"");
  EXPECT_EQ(Parse("«Астана» б*р"), "error: query: \"*\" at column 11 is not at the end of a word");
}

TEST(QueryParserTest, ReportsUnbalancedParentheses) {
  EXPECT_EQ(Parse("a (b c"), "error: query: unbalanced \"(\" at column 3: no matching \")\"");
  EXPECT_EQ(Parse("(a (b) c"), "error: query: unbalanced \"(\" at column 1: no matching \")\"");
  EXPECT_EQ(Parse("a b)"), "error: query: unbalanced \")\" at column 4: no matching \"(\"");
  EXPECT_EQ(Parse(") a"), "error: query: unbalanced \")\" at column 1: no matching \"(\"");
  EXPECT_EQ(Parse("(a))"), "error: query: unbalanced \")\" at column 4: no matching \"(\"");
}

TEST(QueryParserTest, ReportsEmptyParentheses) {
  EXPECT_EQ(Parse("()"), "error: query: empty parentheses at column 1");
  EXPECT_EQ(Parse("a ( ) b"), "error: query: empty parentheses at column 3");
}

TEST(QueryParserTest, ReportsOperatorsWithAMissingOperand) {
  EXPECT_EQ(Parse("a OR"), "error: query: OR at column 3 has no operand on its right");
  EXPECT_EQ(Parse("OR a"), "error: query: OR at column 1 has no operand on its left");
  EXPECT_EQ(Parse("a OR OR b"), "error: query: OR at column 3 has no operand on its right");
  EXPECT_EQ(Parse("(a OR) b"), "error: query: OR at column 4 has no operand on its right");
  EXPECT_EQ(Parse("(OR a)"), "error: query: OR at column 2 has no operand on its left");
  EXPECT_EQ(Parse("a AND"), "error: query: AND at column 3 has no operand on its right");
  EXPECT_EQ(Parse("AND a"), "error: query: AND at column 1 has no operand on its left");
  EXPECT_EQ(Parse("a OR AND b"), "error: query: AND at column 6 has no operand on its left");
  EXPECT_EQ(Parse("NOT"), "error: query: NOT at column 1 has no operand after it");
  EXPECT_EQ(Parse("a NOT OR b"), "error: query: NOT at column 3 has no operand after it");
}

TEST(QueryParserTest, ReportsMisplacedStars) {
  EXPECT_EQ(Parse("su*m"), "error: query: \"*\" at column 3 is not at the end of a word");
  EXPECT_EQ(Parse("sum**"), "error: query: \"*\" at column 4 is not at the end of a word");
  EXPECT_EQ(Parse("a *"), "error: query: \"*\" at column 3 has no word before it");
  EXPECT_EQ(Parse("title:*"), "error: query: \"*\" at column 7 has no word before it");
}

TEST(QueryParserTest, ReportsPrefixesThatAreTooShortOrNotOneWord) {
  EXPECT_EQ(Parse("s*"),
            "error: query: prefix at column 1 must be one word of at least 2 letters or digits "
            "before \"*\"");
  EXPECT_THAT(Parse("a covid-1*"), HasSubstr("prefix at column 3 must be one word"));
  EXPECT_EQ(Parse("U.S*"), R"((prefix "U.S"))");
}

TEST(QueryParserTest, ReportsAFieldScopeWithNothingAfterIt) {
  EXPECT_EQ(Parse("title:"),
            "error: query: field scope \"title:\" at column 1 has nothing after it");
  EXPECT_EQ(Parse("a Body: b"),
            "error: query: field scope \"Body:\" at column 3 has nothing after it");
  EXPECT_EQ(Parse("(credit:)"),
            "error: query: field scope \"credit:\" at column 2 has nothing after it");
}

TEST(QueryParserTest, ReportsInvalidUtf8) {
  EXPECT_EQ(Parse("ab \xff"), "error: query: invalid UTF-8 at column 4");
  EXPECT_EQ(Parse("Қ\xd0"), "error: query: invalid UTF-8 at column 2");
  EXPECT_EQ(Parse("a \xed\xa0\x80"), "error: query: invalid UTF-8 at column 3");  // surrogate
}

TEST(QueryParserTest, LimitsTheQueryTo1000CodePoints) {
  // 100 words of 9 two-byte letters: 1000 code points, 1900 bytes.
  const std::string longest = Repeat("ҚҚҚҚҚҚҚҚҚ ", 100);
  EXPECT_TRUE(ParseQuery(longest).ok());
  EXPECT_EQ(Parse(longest + "a"),
            "error: query: query is longer than 1000 characters at column 1001");
}

TEST(QueryParserTest, LimitsWordsAndPhrasesTo1000Bytes) {
  EXPECT_EQ(Parse("x " + Repeat("Қ", 501)),
            "error: query: word at column 3 is longer than 1000 bytes");
  EXPECT_EQ(Parse("\"" + Repeat("Қ", 500) + " \""),
            "error: query: phrase at column 1 is longer than 1000 bytes");
  EXPECT_TRUE(ParseQuery("\"" + Repeat("Қ", 500) + "\"").ok());
}

TEST(QueryParserTest, Limits256WordsAndPhrases) {
  EXPECT_TRUE(ParseQuery(Repeat("a ", 256)).ok());
  EXPECT_EQ(Parse(Repeat("a ", 257)),
            "error: query: more than 256 words and phrases: the next one starts at column 513");
  // Ignored words do not count.
  EXPECT_TRUE(ParseQuery(Repeat("a ", 256) + Repeat("& ", 100)).ok());
}

TEST(QueryParserTest, LimitsParenthesesTo32Levels) {
  EXPECT_EQ(Parse(Repeat("(", 32) + "a" + Repeat(")", 32)), R"((term "a"))");
  EXPECT_EQ(Parse(Repeat("(", 33) + "a" + Repeat(")", 33)),
            "error: query: nesting deeper than 32 levels at column 33");
}

TEST(QueryParserTest, LimitsTheTreeTo32Levels) {
  // "a -(a -(a ... -(a)...))": n groups make a tree of depth 2n + 1.
  auto nested = [](int groups) { return Repeat("a -(", groups) + "a" + Repeat(")", groups); };
  absl::StatusOr<v1::Query> deepest = ParseQuery(nested(15));
  ASSERT_TRUE(deepest.ok()) << deepest.status();
  EXPECT_TRUE(search::ValidateQuery(*deepest, "query").ok());
  // The innermost word is the first node at depth 33; it starts at column 4 * 16 + 1.
  EXPECT_EQ(Parse(nested(16)), "error: query: nesting deeper than 32 levels at column 65");
}

TEST(QueryParserTest, ParsedTreesPassValidation) {
  for (const char* text : {R"(csto "biological safety" -putin title:summit)", "a OR -b", "-x",
                           "title:(a OR -bc*)", "(a b) OR (c -d) OR NOT e", "ab* cd*"}) {
    absl::StatusOr<v1::Query> query = ParseQuery(text);
    ASSERT_TRUE(query.ok()) << text << ": " << query.status();
    EXPECT_TRUE(search::ValidateQuery(*query, "query").ok()) << text;
  }
}

}  // namespace
}  // namespace newsdb::query
