#include "common/text/highlighter.h"

#include <string>
#include <string_view>
#include <vector>

#include "common/text/analyzer.h"
#include "common/text/utf8.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace newsdb::text {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// Match terms for a query text, analysed as the query service does.
HighlightTerms Query(std::string_view words, const std::vector<std::string>& prefixes = {}) {
  HighlightTerms match;
  for (std::string& term : ThreadLocalAnalyzer().Terms(words)) match.terms.insert(std::move(term));
  for (const std::string& prefix : prefixes) {
    match.prefixes.push_back(ThreadLocalAnalyzer().NormalizePrefix(prefix));
  }
  return match;
}

// Characters (code points) of `text` without the default tags and ellipses.
size_t VisibleChars(std::string text) {
  for (const std::string_view tag :
       {std::string_view("<em>"), std::string_view("</em>"), kEllipsis}) {
    for (size_t at = text.find(tag); at != std::string::npos; at = text.find(tag)) {
      text.erase(at, tag.size());
    }
  }
  size_t chars = 0;
  for (const char c : text) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return chars;
}

TEST(HighlightTitleTest, WrapsMatchedWordsAndKeepsTheRest) {
  EXPECT_EQ(HighlightTitle("Tokayev attends CSTO summit in Minsk", Query("summit tokayev"), {}),
            "<em>Tokayev</em> attends CSTO <em>summit</em> in Minsk");
}

TEST(HighlightTitleTest, MatchesStemmedAndFoldedForms) {
  EXPECT_EQ(HighlightTitle("Senate RATIFIES treaties; summits end", Query("ratified summit"), {}),
            "Senate <em>RATIFIES</em> treaties; <em>summits</em> end");
  EXPECT_EQ(HighlightTitle("ТУРКЕСТАН облысы", Query("Туркестан"), {}),
            "<em>ТУРКЕСТАН</em> облысы");
}

TEST(HighlightTitleTest, WrapsTheOriginalSourceOfEachToken) {
  EXPECT_EQ(
      HighlightTitle("Kazakhstan’s U.S. envoy: 2,500 tonnes", Query("kazakhstan us 2500"), {}),
      "<em>Kazakhstan’s</em> <em>U.S.</em> envoy: <em>2,500</em> tonnes");
  EXPECT_EQ(HighlightTitle("Kassym-Jomart Tokayev", Query("Kassym-Jomart"), {}),
            "<em>Kassym</em>-<em>Jomart</em> Tokayev");
}

TEST(HighlightTitleTest, MatchesPrefixes) {
  EXPECT_EQ(HighlightTitle("Kazakh and Kazakhstan news", Query("", {"kazak"}), {}),
            "<em>Kazakh</em> and <em>Kazakhstan</em> news");
  // An empty prefix matches nothing.
  EXPECT_EQ(HighlightTitle("Anything", Query("", {"--"}), {}), "");
}

TEST(HighlightTitleTest, ReturnsEmptyWhenNothingMatches) {
  EXPECT_EQ(HighlightTitle("Astana light rail begins test runs", Query("almaty"), {}), "");
  EXPECT_EQ(HighlightTitle("", Query("almaty"), {}), "");
}

TEST(HighlightTitleTest, UsesCustomTags) {
  HighlightSpec spec;
  spec.pre_tag = "[";
  spec.post_tag = "]";
  EXPECT_EQ(HighlightTitle("Water tariffs", Query("tariff"), spec), "Water [tariffs]");
}

TEST(HighlightTitleTest, DoesNotEscapeText) {
  EXPECT_EQ(HighlightTitle("a <b> & c", Query("c"), {}), "a <b> & <em>c</em>");
}

TEST(HighlightTitleTest, ReplacesInvalidUtf8) {
  const std::string highlighted = HighlightTitle("bad\xFF byte", Query("byte"), {});
  EXPECT_EQ(highlighted, "bad\xEF\xBF\xBD <em>byte</em>");
}

TEST(HighlightBodyTest, ShowsShortParagraphWhole) {
  EXPECT_THAT(
      HighlightBody({"Residents can report uncleared streets through the 109 hotline."},
                    Query("hotline"), {}),
      ElementsAre("Residents can report uncleared streets through the 109 <em>hotline</em>."));
}

TEST(HighlightBodyTest, ReturnsNothingWhenNothingMatches) {
  EXPECT_THAT(HighlightBody({"One paragraph.", "Another one."}, Query("missing"), {}), IsEmpty());
  EXPECT_THAT(HighlightBody({}, Query("missing"), {}), IsEmpty());
  HighlightSpec none;
  none.max_fragments = 0;
  EXPECT_THAT(HighlightBody({"match"}, Query("match"), none), IsEmpty());
}

TEST(HighlightBodyTest, CutsLongParagraphAtWordsAroundTheMatch) {
  const std::string paragraph =
      "Almaty switched its road services to winter mode on Thursday evening after more than 15 "
      "centimetres of snow fell in the upper districts within six hours, and according to the "
      "department of energy and utilities, 600 snowplows and loaders and about 2,000 road workers "
      "were on duty overnight, focusing on steep streets in the Medeu and Bostandyk districts.";
  HighlightSpec spec;
  spec.snippet_chars = 60;
  const std::vector<std::string> fragments = HighlightBody({paragraph}, Query("snowplows"), spec);
  ASSERT_THAT(fragments, SizeIs(1));
  const std::string& fragment = fragments[0];
  EXPECT_THAT(fragment, ::testing::StartsWith(std::string(kEllipsis)));
  EXPECT_THAT(fragment, ::testing::EndsWith(std::string(kEllipsis)));
  EXPECT_THAT(fragment, ::testing::HasSubstr("600 <em>snowplows</em> and"));
  EXPECT_LE(VisibleChars(fragment), 60u);
  EXPECT_GE(VisibleChars(fragment), 45u);
  // Whole words only: the text between the ellipses is a piece of the paragraph that starts and
  // ends at a word.
  std::string plain = fragment.substr(kEllipsis.size(), fragment.size() - 2 * kEllipsis.size());
  for (const std::string_view tag : {"<em>", "</em>"}) plain.erase(plain.find(tag), tag.size());
  const size_t at = paragraph.find(plain);
  ASSERT_NE(at, std::string::npos) << plain;
  EXPECT_EQ(paragraph[at - 1], ' ');
  EXPECT_EQ(paragraph[at + plain.size()], ' ');
}

TEST(HighlightBodyTest, NoEllipsisAtParagraphEdges) {
  const std::string paragraph =
      "Snowplows cleared the streets of the upper districts overnight while residents slept and "
      "the city prepared for another heavy snowfall that forecasters expect on the weekend.";
  HighlightSpec spec;
  spec.snippet_chars = 50;
  const std::vector<std::string> start = HighlightBody({paragraph}, Query("snowplows"), spec);
  ASSERT_THAT(start, SizeIs(1));
  EXPECT_THAT(start[0], ::testing::StartsWith("<em>Snowplows</em> cleared"));
  EXPECT_THAT(start[0], ::testing::EndsWith(std::string(kEllipsis)));
  const std::vector<std::string> end = HighlightBody({paragraph}, Query("weekend"), spec);
  ASSERT_THAT(end, SizeIs(1));
  EXPECT_THAT(end[0], ::testing::StartsWith(std::string(kEllipsis)));
  EXPECT_THAT(end[0], ::testing::EndsWith("on the <em>weekend</em>."));
}

TEST(HighlightBodyTest, CountsCharactersNotBytes) {
  std::string paragraph;
  for (int i = 0; i < 30; ++i) paragraph += "Қазақстан өңірі ";
  paragraph += "Туркестан";
  for (int i = 0; i < 30; ++i) paragraph += " облысы әкімдігі";
  HighlightSpec spec;
  spec.snippet_chars = 80;
  const std::vector<std::string> fragments = HighlightBody({paragraph}, Query("туркестан"), spec);
  ASSERT_THAT(fragments, SizeIs(1));
  EXPECT_TRUE(IsValidUtf8(fragments[0]));
  EXPECT_THAT(fragments[0], ::testing::HasSubstr("<em>Туркестан</em>"));
  EXPECT_LE(VisibleChars(fragments[0]), 80u);
  EXPECT_GE(VisibleChars(fragments[0]), 60u);
}

TEST(HighlightBodyTest, PrefersTheDensestWindow) {
  const std::vector<std::string> paragraphs = {
      "The summit opened on Monday.",
      "Leaders at the summit discussed water and the summit declaration on water.",
      "Nothing here."};
  HighlightSpec spec;
  spec.max_fragments = 1;
  EXPECT_THAT(HighlightBody(paragraphs, Query("summit water"), spec),
              ElementsAre("Leaders at the <em>summit</em> discussed <em>water</em> and the "
                          "<em>summit</em> declaration on <em>water</em>."));
}

TEST(HighlightBodyTest, SecondFragmentPrefersTermsNotShownYet) {
  const std::vector<std::string> paragraphs = {
      "Tokayev arrived in Minsk.", "Tokayev met Lukashenko.", "Tokayev spoke to reporters.",
      "The energy agreement was signed later."};
  EXPECT_THAT(HighlightBody(paragraphs, Query("tokayev energy"), {}),
              ElementsAre("<em>Tokayev</em> arrived in Minsk.",
                          "The <em>energy</em> agreement was signed later."));
}

TEST(HighlightBodyTest, ReturnsFragmentsInDocumentOrder) {
  const std::vector<std::string> paragraphs = {"Water first.", "Water and grain and grain."};
  EXPECT_THAT(HighlightBody(paragraphs, Query("water grain"), {}),
              ElementsAre("<em>Water</em> first.",
                          "<em>Water</em> and <em>grain</em> and <em>grain</em>."));
}

TEST(HighlightBodyTest, TakesTwoFragmentsFromOneLongParagraph) {
  std::string paragraph = "Grain exports rose.";
  for (int i = 0; i < 20; ++i) paragraph += " Filler words without any interest at all.";
  paragraph += " Wheat prices fell.";
  HighlightSpec spec;
  spec.snippet_chars = 40;
  const std::vector<std::string> fragments = HighlightBody({paragraph}, Query("grain wheat"), spec);
  ASSERT_THAT(fragments, SizeIs(2));
  EXPECT_THAT(fragments[0], ::testing::StartsWith("<em>Grain</em> exports rose."));
  EXPECT_THAT(fragments[1], ::testing::EndsWith("<em>Wheat</em> prices fell."));
}

TEST(HighlightBodyTest, FragmentsDoNotOverlap) {
  const std::vector<std::string> fragments =
      HighlightBody({"Only one match here."}, Query("match"), {});
  EXPECT_THAT(fragments, SizeIs(1));
}

TEST(HighlightBodyTest, MaxFragmentsLimitsTheCount) {
  HighlightSpec spec;
  spec.max_fragments = 3;
  EXPECT_THAT(HighlightBody({"a water", "b water", "c water", "d water"}, Query("water"), spec),
              SizeIs(3));
}

TEST(HighlightBodyTest, NonPositiveSnippetCharsMeansDefault) {
  std::string paragraph;
  for (int i = 0; i < 100; ++i) paragraph += "word ";
  paragraph += "needle";
  HighlightSpec spec;
  spec.snippet_chars = 0;
  const std::vector<std::string> fragments = HighlightBody({paragraph}, Query("needle"), spec);
  ASSERT_THAT(fragments, SizeIs(1));
  EXPECT_LE(VisibleChars(fragments[0]), 160u);
  EXPECT_GE(VisibleChars(fragments[0]), 150u);
}

TEST(HighlightBodyTest, WordLongerThanTheBudgetIsShownWhole) {
  const std::string long_word(300, 'x');
  HighlightSpec spec;
  spec.snippet_chars = 20;
  const std::vector<std::string> fragments =
      HighlightBody({"before " + long_word + " after"}, Query(long_word), spec);
  EXPECT_THAT(fragments, ElementsAre(std::string(kEllipsis) + "<em>" + long_word + "</em>" +
                                     std::string(kEllipsis)));
}

TEST(HighlightBodyTest, OutputIsValidUtf8ForInvalidInput) {
  const std::vector<std::string> fragments =
      HighlightBody({"\xFF\xFEwater \xC3 works"}, Query("water"), {});
  ASSERT_THAT(fragments, SizeIs(1));
  EXPECT_TRUE(IsValidUtf8(fragments[0]));
  EXPECT_THAT(fragments[0], ::testing::HasSubstr("<em>water</em>"));
}

// A Highlighter reused across a search's hits remembers words and their matches; every title and
// body must come out as a fresh one gives them, whatever it saw before.
TEST(HighlighterTest, ReuseGivesWhatAFreshHighlighterGives) {
  const HighlightTerms match = Query("summit ratified Туркестан", {"kazakh"});
  HighlightSpec spec;
  spec.snippet_chars = 40;
  const std::vector<std::vector<std::string>> bodies = {
      {"Leaders met at the summit in Astana on Monday, where the treaty was ratified.",
       "ТУРКЕСТАН region officials and Kazakhstan’s envoys attended the summits."},
      {"No matching words here at all."},
      {"Kazakh and kazakhstani delegations; the Senate ratifies, summit ends, summit resumes."},
      {"cafe\u0301 summit caf\u00E9 \xFF\xFE summit"},
  };
  const std::vector<std::string> titles = {"Summit in Astana", "Nothing", "Kazakhs ratify",
                                           "SUMMITS: Туркестан"};
  Highlighter reused(match, spec);
  for (int round = 0; round < 2; ++round) {
    for (size_t i = 0; i < bodies.size(); ++i) {
      EXPECT_EQ(reused.Body(bodies[i]), Highlighter(match, spec).Body(bodies[i])) << i;
      EXPECT_EQ(reused.Title(titles[i]), Highlighter(match, spec).Title(titles[i])) << i;
    }
  }
  EXPECT_EQ(reused.Title("Kazakhs ratify"), "<em>Kazakhs</em> <em>ratify</em>");
  EXPECT_THAT(
      reused.Body(bodies[2]),
      ElementsAre(
          "<em>Kazakh</em> and <em>kazakhstani</em> delegations; the" + std::string(kEllipsis),
          std::string(kEllipsis) + "<em>ratifies</em>, <em>summit</em> ends, <em>summit</em>" +
              std::string(kEllipsis)));
}

}  // namespace
}  // namespace newsdb::text
