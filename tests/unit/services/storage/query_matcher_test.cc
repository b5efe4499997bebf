#include "services/storage/query_matcher.h"

#include <memory>
#include <string>
#include <vector>

#include "common/testing/temp_dir.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/storage/posting_builder.h"

namespace newsdb::storage {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

v1::Article Article(const std::string& title, const std::vector<std::string>& paragraphs,
                    const std::string& credit = "") {
  v1::Article article;
  article.set_title(title);
  for (const std::string& paragraph : paragraphs) article.add_paragraphs(paragraph);
  article.set_credit(credit);
  return article;
}

v1::Query Term(const std::string& text, v1::SearchField field = v1::SEARCH_FIELD_UNSPECIFIED) {
  v1::Query query;
  query.mutable_term()->set_text(text);
  query.mutable_term()->set_field(field);
  return query;
}

v1::Query Phrase(const std::string& text) {
  v1::Query query;
  query.mutable_phrase()->set_text(text);
  return query;
}

v1::Query Prefix(const std::string& text) {
  v1::Query query;
  query.mutable_prefix()->set_prefix(text);
  return query;
}

v1::Query Node(v1::BooleanQuery* (v1::Query::*node)(), const std::vector<v1::Query>& children) {
  v1::Query query;
  v1::BooleanQuery* boolean = (query.*node)();
  for (const v1::Query& child : children) *boolean->add_queries() = child;
  return query;
}
v1::Query AllOf(const std::vector<v1::Query>& c) { return Node(&v1::Query::mutable_all_of, c); }
v1::Query AnyOf(const std::vector<v1::Query>& c) { return Node(&v1::Query::mutable_any_of, c); }
v1::Query NoneOf(const std::vector<v1::Query>& c) { return Node(&v1::Query::mutable_none_of, c); }

// Documents 0-3 in the write buffer (one segment), the RocksDB side empty.
class QueryMatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = RocksDb::Open(dir_.path() + "/db", {});
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    const std::vector<v1::Article> articles = {
        Article("Astana hosts summit", {"Leaders met in Astana.", "Trade talks followed."}),
        Article("Trade news", {"Talks in Almaty ended.", "Leaders trade views"}, "Kazinform"),
        Article("Almaty weather", {"Snow in Almaty, snow in Astana."}),
        Article("Summit ends", {"The summit ended; leaders left."}, "Akorda"),
    };
    SegmentBuilder builder;
    for (uint32_t doc = 0; doc < articles.size(); ++doc) builder.Add(articles[doc], doc);
    segments_.push_back(builder.Build(0, static_cast<uint32_t>(articles.size())));
  }

  PostingSource Source() const { return PostingSource(*db_, db_->GetSnapshot(), 0, segments_); }

  // The matches of `query` over documents [0, limit).
  std::vector<uint32_t> Match(const v1::Query& query, uint32_t limit = 4) {
    const PostingSource source = Source();
    QueryMatcher matcher(source, limit, [] { return false; });
    absl::StatusOr<DocList> docs = matcher.Match(query);
    EXPECT_TRUE(docs.ok()) << docs.status();
    return docs.ok() ? *docs : DocList{};
  }

  testing::TempDir dir_;
  std::unique_ptr<RocksDb> db_;
  Segments segments_;
};

TEST_F(QueryMatcherTest, TermsMatchAnalysedWordsInTitleAndBody) {
  EXPECT_THAT(Match(Term("astana")), ElementsAre(0, 2));
  EXPECT_THAT(Match(Term("LEADERS")), ElementsAre(0, 1, 3));  // folded and stemmed like the text
  EXPECT_THAT(Match(Term("summit", v1::SEARCH_FIELD_TITLE)), ElementsAre(0, 3));
  EXPECT_THAT(Match(Term("kazinform")), IsEmpty());  // title and body only by default
  EXPECT_THAT(Match(Term("kazinform", v1::SEARCH_FIELD_CREDIT)), ElementsAre(1));
  EXPECT_THAT(Match(Term("nowhere")), IsEmpty());
}

TEST_F(QueryMatcherTest, APhraseNeedsConsecutiveWordsInOneParagraph) {
  EXPECT_THAT(Match(Phrase("trade talks")), ElementsAre(0));
  EXPECT_THAT(Match(Phrase("snow in astana")), ElementsAre(2));
  // Document 1: "... Almaty ended." | "Leaders trade ...": not across the paragraph break.
  EXPECT_THAT(Match(Phrase("ended leaders")), ElementsAre(3));
  // "leaders" is in 0, 1 and 3, "trade" in 0 and 1 only; in 0 they are paragraphs apart.
  EXPECT_THAT(Match(Phrase("leaders trade")), ElementsAre(1));
  EXPECT_THAT(Match(Phrase("talks leaders")), IsEmpty());
}

TEST_F(QueryMatcherTest, BooleanNodesCombineTheirChildren) {
  EXPECT_THAT(Match(AllOf({Term("leaders"), Term("summit")})), ElementsAre(0, 3));
  EXPECT_THAT(Match(AnyOf({Term("weather"), Term("news")})), ElementsAre(1, 2));
  EXPECT_THAT(Match(AllOf({Term("leaders"), NoneOf({Term("summit")})})), ElementsAre(1));
  EXPECT_THAT(Match(NoneOf({Term("almaty")})), ElementsAre(0, 3));
  v1::Query all;
  all.mutable_match_all();
  EXPECT_THAT(Match(all), ElementsAre(0, 1, 2, 3));
  EXPECT_THAT(Match(all, 2), ElementsAre(0, 1));
}

TEST_F(QueryMatcherTest, PrefixesMatchEveryWordThatStartsWithThem) {
  EXPECT_THAT(Match(Prefix("sum")), ElementsAre(0, 3));
  EXPECT_THAT(Match(Prefix("almaty")), ElementsAre(1, 2));  // indexed as its stem, almati
  EXPECT_EQ(PrefixForms("almaty"), (std::vector<std::string>{"almaty", "almati"}));
  EXPECT_THAT(PrefixForms("!!"), IsEmpty());
}

TEST_F(QueryMatcherTest, TheDocumentLimitHidesLaterDocuments) {
  EXPECT_THAT(Match(Term("almaty"), 2), ElementsAre(1));
  EXPECT_THAT(Match(Phrase("summit ended"), 3), IsEmpty());
}

TEST_F(QueryMatcherTest, OnlyLeavesOutsideNoneOfAreScoredAndHighlighted) {
  const PostingSource source = Source();
  QueryMatcher matcher(source, 4, [] { return false; });
  ASSERT_TRUE(matcher.Match(AllOf({Term("snow"), Prefix("ast"), NoneOf({Term("summit")})})).ok());
  ASSERT_EQ(matcher.scored_leaves().size(), 2u);
  const LeafMatches& snow = matcher.scored_leaves()[0];
  ASSERT_EQ(snow.fields.size(), 1u);
  EXPECT_EQ(snow.fields[0].field, IndexField::kBody);
  EXPECT_THAT(snow.fields[0].docs, ElementsAre(2));
  EXPECT_THAT(snow.fields[0].freqs, ElementsAre(2));
  EXPECT_EQ(snow.documents, 1u);
  const LeafMatches& astana = matcher.scored_leaves()[1];  // title of 0, bodies of 0 and 2
  ASSERT_EQ(astana.fields.size(), 2u);
  EXPECT_EQ(astana.fields[0].field, IndexField::kTitle);
  EXPECT_THAT(astana.fields[0].docs, ElementsAre(0));
  EXPECT_THAT(astana.fields[1].docs, ElementsAre(0, 2));
  EXPECT_EQ(astana.documents, 2u);
  EXPECT_THAT(matcher.highlight_terms().terms, UnorderedElementsAre("snow"));
  EXPECT_THAT(matcher.highlight_terms().prefixes, ElementsAre("ast"));
}

TEST_F(QueryMatcherTest, ACancelledSearchStops) {
  const PostingSource source = Source();
  QueryMatcher matcher(source, 4, [] { return true; });
  absl::StatusOr<DocList> docs = matcher.Match(Term("astana"));
  EXPECT_EQ(docs.status().code(), absl::StatusCode::kCancelled);
}

}  // namespace
}  // namespace newsdb::storage
