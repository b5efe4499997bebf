#include "common/search/query_tree.h"

#include <string>
#include <vector>

#include "common/status/field_errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "newsdb/v1/search.pb.h"

namespace newsdb::search {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

v1::Query Term(const std::string& text, v1::SearchField field = v1::SEARCH_FIELD_UNSPECIFIED) {
  v1::Query query;
  query.mutable_term()->set_text(text);
  query.mutable_term()->set_field(field);
  return query;
}

v1::Query Phrase(const std::string& text, v1::SearchField field = v1::SEARCH_FIELD_UNSPECIFIED) {
  v1::Query query;
  query.mutable_phrase()->set_text(text);
  query.mutable_phrase()->set_field(field);
  return query;
}

v1::Query Prefix(const std::string& prefix, v1::SearchField field = v1::SEARCH_FIELD_UNSPECIFIED) {
  v1::Query query;
  query.mutable_prefix()->set_prefix(prefix);
  query.mutable_prefix()->set_field(field);
  return query;
}

v1::Query AllOf(const std::vector<v1::Query>& children) {
  v1::Query query;
  for (const v1::Query& child : children) *query.mutable_all_of()->add_queries() = child;
  if (children.empty()) query.mutable_all_of();
  return query;
}

v1::Query AnyOf(const std::vector<v1::Query>& children) {
  v1::Query query;
  for (const v1::Query& child : children) *query.mutable_any_of()->add_queries() = child;
  if (children.empty()) query.mutable_any_of();
  return query;
}

v1::Query NoneOf(const std::vector<v1::Query>& children) {
  v1::Query query;
  for (const v1::Query& child : children) *query.mutable_none_of()->add_queries() = child;
  if (children.empty()) query.mutable_none_of();
  return query;
}

std::vector<std::string> ViolatedFields(const absl::Status& status) {
  std::vector<std::string> fields;
  for (const status::FieldViolation& violation : status::FieldViolationsOf(status)) {
    fields.push_back(violation.field);
  }
  return fields;
}

// all_of{all_of{...{term}}} with `depth` nodes on the path.
v1::Query Nested(int depth) {
  v1::Query root;
  v1::Query* node = &root;
  for (int i = 1; i < depth; ++i) node = node->mutable_all_of()->add_queries();
  node->mutable_term()->set_text("deep");
  return root;
}

TEST(DebugStringTest, PrintsTheCanonicalSExpression) {
  const v1::Query query = AllOf({Term("csto"), Phrase("biological safety", v1::SEARCH_FIELD_BODY),
                                 NoneOf({Term("putin")}), Prefix("sum", v1::SEARCH_FIELD_TITLE)});
  EXPECT_EQ(DebugString(query),
            R"((and (term "csto") (phrase body "biological safety") (not (term "putin")) )"
            R"((prefix title "sum")))");
}

TEST(DebugStringTest, PrintsOrCreditMatchAllAndUnsetNodes) {
  v1::Query match_all;
  match_all.mutable_match_all();
  EXPECT_EQ(DebugString(AnyOf({Term("xinhua", v1::SEARCH_FIELD_CREDIT), match_all, v1::Query()})),
            R"((or (term credit "xinhua") (all) (unset)))");
  EXPECT_EQ(DebugString(AllOf({})), "(and)");
}

TEST(DebugStringTest, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(DebugString(Term("a\"b\\c\nd\te\x01")), R"((term "a\"b\\c\nd\te\x01"))");
}

TEST(DebugStringTest, CopiesUtf8AndNamesUnknownFieldsByNumber) {
  EXPECT_EQ(DebugString(Term("Қазақстан", static_cast<v1::SearchField>(7))),
            R"((term field:7 "Қазақстан"))");
}

TEST(ValidateQueryTest, AcceptsAValidTree) {
  const v1::Query query =
      AllOf({Term("csto"), Phrase("biological safety", v1::SEARCH_FIELD_BODY),
             NoneOf({Term("putin")}), AnyOf({Prefix("sum", v1::SEARCH_FIELD_TITLE), Term("x")})});
  EXPECT_TRUE(ValidateQuery(query, "match").ok());
  v1::Query match_all;
  match_all.mutable_match_all();
  EXPECT_TRUE(ValidateQuery(match_all, "match").ok());
}

TEST(ValidateQueryTest, NamesThePathOfAnEmptyTerm) {
  const absl::Status status = ValidateQuery(AllOf({Term("a"), Term("")}), "match");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("match.all_of.queries[1].term.text"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("must not be empty"));
}

TEST(ValidateQueryTest, ListsEveryViolation) {
  const v1::Query query = AnyOf({Phrase(""), v1::Query(), AllOf({}), NoneOf({Prefix("s")}),
                                 Term("ok", static_cast<v1::SearchField>(9))});
  const absl::Status status = ValidateQuery(query, "match");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ViolatedFields(status),
              ElementsAre("match.any_of.queries[0].phrase.text", "match.any_of.queries[1]",
                          "match.any_of.queries[2].all_of.queries",
                          "match.any_of.queries[3].none_of.queries[0].prefix.prefix",
                          "match.any_of.queries[4].term.field"));
}

TEST(ValidateQueryTest, RejectsTextsLongerThan1000Bytes) {
  EXPECT_TRUE(ValidateQuery(Term(std::string(1000, 'a')), "match").ok());
  EXPECT_THAT(ViolatedFields(ValidateQuery(Term(std::string(1001, 'a')), "match")),
              ElementsAre("match.term.text"));
  EXPECT_THAT(ViolatedFields(ValidateQuery(Phrase(std::string(1001, 'a')), "match")),
              ElementsAre("match.phrase.text"));
  EXPECT_THAT(ViolatedFields(ValidateQuery(Prefix(std::string(1001, 'a')), "match")),
              ElementsAre("match.prefix.prefix"));
}

TEST(ValidateQueryTest, RejectsInvalidUtf8) {
  EXPECT_THAT(ViolatedFields(ValidateQuery(Term("a\xff"), "match")),
              ElementsAre("match.term.text"));
}

TEST(ValidateQueryTest, RequiresAPrefixOfOneWordWithAtLeastTwoCharacters) {
  EXPECT_TRUE(ValidateQuery(Prefix("su"), "match").ok());
  EXPECT_TRUE(ValidateQuery(Prefix("Қа"), "match").ok());
  EXPECT_TRUE(ValidateQuery(Prefix("ß"), "match").ok());    // folds to "ss"
  EXPECT_TRUE(ValidateQuery(Prefix("U.S"), "match").ok());  // one word, "us"
  EXPECT_FALSE(ValidateQuery(Prefix("s"), "match").ok());
  EXPECT_FALSE(ValidateQuery(Prefix(""), "match").ok());
  EXPECT_FALSE(ValidateQuery(Prefix("Қ"), "match").ok());  // one code point, two bytes
  EXPECT_FALSE(ValidateQuery(Prefix("--"), "match").ok());
  const absl::Status two_words = ValidateQuery(Prefix("new-yo"), "match");
  EXPECT_THAT(ViolatedFields(two_words), ElementsAre("match.prefix.prefix"));
  EXPECT_THAT(std::string(two_words.message()), HasSubstr("must be one word of at least 2"));
}

TEST(PrefixCharactersTest, CountsCodePointsOfTheAnalysedPrefix) {
  EXPECT_EQ(PrefixCharacters("Sum"), 3u);
  EXPECT_EQ(PrefixCharacters("ß"), 2u);
  EXPECT_EQ(PrefixCharacters("Қазақ"), 5u);
  EXPECT_EQ(PrefixCharacters("3.5"), 0u);
  EXPECT_EQ(PrefixCharacters(""), 0u);
}

TEST(ValidateQueryTest, AllowsDepth32AndRejectsDepth33) {
  EXPECT_TRUE(ValidateQuery(Nested(kMaxQueryDepth), "match").ok());
  const absl::Status status = ValidateQuery(Nested(kMaxQueryDepth + 1), "match");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  std::string deepest = "match";
  for (int i = 1; i <= kMaxQueryDepth; ++i) deepest += ".all_of.queries[0]";
  EXPECT_THAT(ViolatedFields(status), ElementsAre(deepest));
  EXPECT_THAT(std::string(status.message()), HasSubstr("nests deeper than 32 levels"));
}

TEST(ValidateQueryTest, SurvivesAVeryDeepTree) {
  EXPECT_FALSE(ValidateQuery(Nested(2000), "match").ok());
}

TEST(ValidateQueryTest, AllowsAt256LeavesAndRejectsMore) {
  std::vector<v1::Query> leaves(kMaxQueryLeaves, Term("a"));
  EXPECT_TRUE(ValidateQuery(AnyOf(leaves), "match").ok());
  leaves.push_back(Term("b"));
  const absl::Status status = ValidateQuery(AnyOf(leaves), "match");
  EXPECT_THAT(ViolatedFields(status), ElementsAre("match"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("at most 256 leaf queries"));
}

TEST(ValidateQueryTest, CapsTheNumberOfViolationsButKeepsTheLeafCount) {
  std::vector<v1::Query> leaves(300, Term(""));
  const std::vector<status::FieldViolation> violations =
      status::FieldViolationsOf(ValidateQuery(AllOf(leaves), "match"));
  ASSERT_EQ(violations.size(), kMaxQueryViolations + 1);
  EXPECT_EQ(violations.back().field, "match");
}

TEST(ValidateQueryTest, PathsStartAtTheNodeWithoutAFieldPath) {
  EXPECT_THAT(ViolatedFields(ValidateQuery(AllOf({Term("")}), "")),
              ElementsAre("all_of.queries[0].term.text"));
  EXPECT_THAT(ViolatedFields(ValidateQuery(v1::Query(), "")), ElementsAre("query"));
}

}  // namespace
}  // namespace newsdb::search
