#include "services/ingest/feed_parser.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/article/article_id.h"
#include "common/text/utf8.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace newsdb::ingest {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::StartsWith;

absl::TimeZone Zone(const std::string& name) {
  absl::TimeZone zone;
  EXPECT_TRUE(absl::LoadTimeZone(name, &zone)) << name;
  return zone;
}

FeedParserOptions Options(const std::string& zone = "UTC") {
  FeedParserOptions options;
  options.time_zone = Zone(zone);
  return options;
}

absl::Time Utc(int year, int month, int day, int hour, int minute) {
  return absl::FromCivil(absl::CivilSecond(year, month, day, hour, minute, 0), absl::UTCTimeZone());
}

std::vector<std::string> Titles(const ParsedFeed& feed) {
  std::vector<std::string> titles;
  for (const ParsedArticle& article : feed.articles) titles.push_back(article.title);
  return titles;
}

std::vector<int64_t> ErrorLines(const ParsedFeed& feed) {
  std::vector<int64_t> lines;
  for (const FeedRecordError& error : feed.errors) lines.push_back(error.line);
  return lines;
}

std::string Describe(const ParsedFeed& feed) {
  std::ostringstream out;
  for (const ParsedArticle& a : feed.articles) {
    out << "article line " << a.line << " [" << a.title << "] " << a.paragraphs.size() << "p\n";
  }
  for (const FeedRecordError& e : feed.errors) {
    out << "error line " << e.line << ": " << e.message << " [" << e.excerpt << "]\n";
  }
  return out.str();
}

ParsedFeed ParseInChunks(std::string_view content, size_t chunk_size, FeedParserOptions options) {
  ParsedFeed feed;
  FeedParser parser(
      std::move(options),
      [&feed](ParsedArticle article) { feed.articles.push_back(std::move(article)); },
      [&feed](FeedRecordError error) { feed.errors.push_back(std::move(error)); });
  for (size_t pos = 0; pos < content.size(); pos += chunk_size) {
    parser.Consume(content.substr(pos, chunk_size));
  }
  parser.Finish();
  feed.capture_date = parser.capture_date();
  return feed;
}

void ExpectSameFeed(const ParsedFeed& a, const ParsedFeed& b) {
  EXPECT_EQ(a.capture_date, b.capture_date);
  ASSERT_EQ(a.articles.size(), b.articles.size());
  for (size_t i = 0; i < a.articles.size(); ++i) {
    const ParsedArticle& x = a.articles[i];
    const ParsedArticle& y = b.articles[i];
    EXPECT_EQ(x.line, y.line);
    EXPECT_EQ(x.published, y.published);
    EXPECT_EQ(x.title, y.title);
    EXPECT_EQ(x.credit, y.credit);
    EXPECT_EQ(x.paragraphs, y.paragraphs);
    EXPECT_EQ(x.views, y.views);
    EXPECT_EQ(x.id, y.id);
  }
  ASSERT_EQ(a.errors.size(), b.errors.size());
  for (size_t i = 0; i < a.errors.size(); ++i) {
    EXPECT_EQ(a.errors[i].line, b.errors[i].line);
    EXPECT_EQ(a.errors[i].message, b.errors[i].message);
    EXPECT_EQ(a.errors[i].excerpt, b.errors[i].excerpt);
  }
}

std::filesystem::path SourceDir() {
  const char* dir = std::getenv("NEWSDB_SOURCE_DIR");
  return dir != nullptr ? std::filesystem::path(dir) : std::filesystem::path(".");
}

std::optional<std::string> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string ReadSample(const std::string& name) {
  const std::filesystem::path path = SourceDir() / "samples" / name;
  std::optional<std::string> content = ReadFile(path);
  EXPECT_TRUE(content.has_value()) << "cannot read " << path << " (is NEWSDB_SOURCE_DIR set?)";
  return content.value_or("");
}

// --- Grammar -------------------------------------------------------------------------------------

TEST(FeedParserTest, ParsesDumpHeaderGluedToFirstArticleHeader) {
  const ParsedFeed feed = ParseFeed(
      " date 2023-11-23 22.11.2023, 17:31 5811\n"
      "Majilis ratifies a protocol\n"
      "Images | odkb-csto\n"
      "First paragraph.\n"
      "Second paragraph.\n",
      Options());
  EXPECT_THAT(feed.errors, IsEmpty()) << Describe(feed);
  EXPECT_EQ(feed.capture_date, absl::CivilDay(2023, 11, 23));
  ASSERT_THAT(feed.articles, SizeIs(1));
  const ParsedArticle& article = feed.articles[0];
  EXPECT_EQ(article.line, 1);
  EXPECT_EQ(article.published, Utc(2023, 11, 22, 17, 31));
  EXPECT_EQ(article.views, 5811);
  EXPECT_EQ(article.title, "Majilis ratifies a protocol");
  EXPECT_EQ(article.credit, "odkb-csto");
  EXPECT_THAT(article.paragraphs, ElementsAre("First paragraph.", "Second paragraph."));
  EXPECT_EQ(article.id, article::ComputeArticleId(article.published, article.title));
}

TEST(FeedParserTest, CaptureDateIsKnownBeforeTheFirstArticleIsDelivered) {
  std::optional<absl::CivilDay> seen;
  FeedParser* parser_ptr = nullptr;
  FeedParser parser(
      Options(),
      [&](ParsedArticle) {
        if (!seen) seen = parser_ptr->capture_date();
      },
      [](FeedRecordError) {});
  parser_ptr = &parser;
  parser.Consume(" date 2023-11-23 22.11.2023, 17:31 5811\nTitle\nBody\n");
  EXPECT_EQ(parser.capture_date(), absl::CivilDay(2023, 11, 23));
  parser.Finish();
  EXPECT_EQ(seen, absl::CivilDay(2023, 11, 23));
}

TEST(FeedParserTest, DumpWithoutDateHeaderHasNoCaptureDate) {
  const ParsedFeed feed = ParseFeed("22.11.2023, 17:31 5811\nTitle\nBody\n", Options());
  EXPECT_EQ(feed.capture_date, std::nullopt);
  EXPECT_THAT(Titles(feed), ElementsAre("Title"));
  EXPECT_THAT(feed.errors, IsEmpty());
}

TEST(FeedParserTest, DumpHeaderAloneOnTheFirstLineIsAccepted) {
  const ParsedFeed feed =
      ParseFeed("\n \n date 2023-11-23\n22.11.2023, 17:31 5811\nTitle\nBody\n", Options());
  EXPECT_EQ(feed.capture_date, absl::CivilDay(2023, 11, 23));
  EXPECT_THAT(Titles(feed), ElementsAre("Title"));
  EXPECT_THAT(feed.errors, IsEmpty()) << Describe(feed);
}

TEST(FeedParserTest, ReportsInvalidCaptureDate) {
  const ParsedFeed feed =
      ParseFeed(" date 2023-02-30 22.11.2023, 17:31 5811\nTitle\nBody\n", Options());
  EXPECT_EQ(feed.capture_date, std::nullopt);
  EXPECT_THAT(Titles(feed), ElementsAre("Title"));
  ASSERT_THAT(feed.errors, SizeIs(1));
  EXPECT_EQ(feed.errors[0].line, 1);
  EXPECT_THAT(feed.errors[0].message,
              StartsWith("invalid capture date in dump header: 2023-02-30"));
}

TEST(FeedParserTest, ArticleWithoutCreditLineHasEmptyCredit) {
  const ParsedFeed feed = ParseFeed(
      "06.11.2023, 20:35 108861\nAid sent\nKazakhstan provided aid.\nImages | not a credit here\n",
      Options());
  ASSERT_THAT(feed.articles, SizeIs(1));
  EXPECT_EQ(feed.articles[0].credit, "");
  EXPECT_THAT(feed.articles[0].paragraphs,
              ElementsAre("Kazakhstan provided aid.", "Images | not a credit here"));
}

TEST(FeedParserTest, CreditTextIsTrimmed) {
  const ParsedFeed feed =
      ParseFeed("06.11.2023, 20:35 1\nTitle\nImages |   Akorda  \nBody\n", Options());
  ASSERT_THAT(feed.articles, SizeIs(1));
  EXPECT_EQ(feed.articles[0].credit, "Akorda");
}

TEST(FeedParserTest, BulletLinesKeepTheirDash) {
  const ParsedFeed feed = ParseFeed(
      "09.11.2023, 21:09 74581\nDocuments signed\nThe documents include:\n- The joint statement;\n"
      "- The action plan.\n",
      Options());
  ASSERT_THAT(feed.articles, SizeIs(1));
  EXPECT_THAT(
      feed.articles[0].paragraphs,
      ElementsAre("The documents include:", "- The joint statement;", "- The action plan."));
}

TEST(FeedParserTest, BodyLineThatStartsWithADateStaysBody) {
  const ParsedFeed feed = ParseFeed(
      "22.11.2023, 17:31 5811\n"
      "Title\n"
      "22.11.2023, 17:31 was the time of the vote.\n"
      "22.11.2023, 17:31\n"
      "22.11.2023, 17:31 58x\n"
      "22.11.2023 17:31 5811\n"
      "22.11.23, 17:31 5811\n"
      "22.11.2023,  17:31 5811\n"
      "a 22.11.2023, 17:31 5811\n",
      Options());
  EXPECT_THAT(feed.errors, IsEmpty()) << Describe(feed);
  ASSERT_THAT(feed.articles, SizeIs(1));
  EXPECT_THAT(feed.articles[0].paragraphs, SizeIs(7));
  EXPECT_EQ(feed.articles[0].paragraphs[0], "22.11.2023, 17:31 was the time of the vote.");
}

TEST(FeedParserTest, HeaderWithSurroundingBlanksIsRecognised) {
  const ParsedFeed feed = ParseFeed(
      "22.11.2023, 17:31 5811  \t\nOne\nBody\n  21.11.2023, 10:18 12951 \nTwo\nBody\n", Options());
  EXPECT_THAT(Titles(feed), ElementsAre("One", "Two"));
  EXPECT_THAT(feed.errors, IsEmpty());
}

TEST(FeedParserTest, SkipsBlankAndSingleSpaceLines) {
  const ParsedFeed feed = ParseFeed(
      "\n22.11.2023, 17:31 5811\n\n \nTitle\n \nImages | Akorda\n\nFirst.\n \n\t\nSecond.\n\n",
      Options());
  EXPECT_THAT(feed.errors, IsEmpty()) << Describe(feed);
  ASSERT_THAT(feed.articles, SizeIs(1));
  EXPECT_EQ(feed.articles[0].title, "Title");
  EXPECT_EQ(feed.articles[0].credit, "Akorda");
  EXPECT_THAT(feed.articles[0].paragraphs, ElementsAre("First.", "Second."));
}

TEST(FeedParserTest, StripsUtf8ByteOrderMark) {
  const ParsedFeed feed =
      ParseFeed("\xEF\xBB\xBF date 2023-11-23 22.11.2023, 17:31 5811\nTitle\nBody\n", Options());
  EXPECT_EQ(feed.capture_date, absl::CivilDay(2023, 11, 23));
  EXPECT_THAT(Titles(feed), ElementsAre("Title"));
  EXPECT_THAT(feed.errors, IsEmpty());
}

TEST(FeedParserTest, AcceptsCrlfLineEnds) {
  const ParsedFeed feed = ParseFeed(
      " date 2023-11-23 22.11.2023, 17:31 5811\r\nTitle\r\nImages | Akorda\r\nBody one.\r\n"
      "- bullet\r\n\r\n21.11.2023, 10:18 12951\r\nSecond\r\nBody two.",
      Options());
  EXPECT_THAT(feed.errors, IsEmpty()) << Describe(feed);
  ASSERT_THAT(feed.articles, SizeIs(2));
  EXPECT_EQ(feed.articles[0].title, "Title");
  EXPECT_EQ(feed.articles[0].credit, "Akorda");
  EXPECT_THAT(feed.articles[0].paragraphs, ElementsAre("Body one.", "- bullet"));
  EXPECT_THAT(feed.articles[1].paragraphs, ElementsAre("Body two."));
  EXPECT_EQ(feed.articles[1].line, 7);
}

TEST(FeedParserTest, AcceptsArticleWithoutBody) {
  const ParsedFeed feed = ParseFeed(
      "22.11.2023, 17:31 5811\nOnly a title\n21.11.2023, 10:18 12951\nTitle and credit\n"
      "Images | Akorda\n20.11.2023, 10:18 1\nLast title\n",
      Options());
  EXPECT_THAT(feed.errors, IsEmpty()) << Describe(feed);
  ASSERT_THAT(feed.articles, SizeIs(3));
  EXPECT_THAT(feed.articles[0].paragraphs, IsEmpty());
  EXPECT_EQ(feed.articles[1].credit, "Akorda");
  EXPECT_THAT(feed.articles[1].paragraphs, IsEmpty());
  EXPECT_EQ(feed.articles[2].title, "Last title");
}

TEST(FeedParserTest, TrimsTitleAndBodyLines) {
  const ParsedFeed feed =
      ParseFeed("22.11.2023, 17:31 5811\n  Padded title \t\n   indented body  \n", Options());
  ASSERT_THAT(feed.articles, SizeIs(1));
  EXPECT_EQ(feed.articles[0].title, "Padded title");
  EXPECT_THAT(feed.articles[0].paragraphs, ElementsAre("indented body"));
}

TEST(FeedParserTest, KeepsViewCountsWithLeadingZerosAndTheLargestInt64) {
  const ParsedFeed feed = ParseFeed(
      "22.11.2023, 17:31 0005811\nA\nB\n21.11.2023, 17:31 9223372036854775807\nC\nD\n"
      "20.11.2023, 17:31 0\nE\nF\n",
      Options());
  EXPECT_THAT(feed.errors, IsEmpty()) << Describe(feed);
  ASSERT_THAT(feed.articles, SizeIs(3));
  EXPECT_EQ(feed.articles[0].views, 5811);
  EXPECT_EQ(feed.articles[1].views, INT64_MAX);
  EXPECT_EQ(feed.articles[2].views, 0);
}

TEST(FeedParserTest, CountsLinesAndBytes) {
  FeedParser parser(
      Options(), [](ParsedArticle) {}, [](FeedRecordError) {});
  parser.Consume("22.11.2023, 17:31 5811\nTitle\nBo");
  EXPECT_EQ(parser.lines(), 2);
  parser.Consume("dy");
  parser.Finish();
  EXPECT_EQ(parser.lines(), 3);
  EXPECT_EQ(parser.bytes(), 33);
  EXPECT_EQ(parser.articles(), 1);
  EXPECT_EQ(parser.errors(), 0);
}

TEST(FeedParserTest, IgnoresInputAfterFinish) {
  int articles = 0;
  FeedParser parser(
      Options(), [&](ParsedArticle) { ++articles; }, [](FeedRecordError) {});
  parser.Consume("22.11.2023, 17:31 5811\nTitle\nBody\n");
  parser.Finish();
  parser.Consume("21.11.2023, 17:31 5811\nTitle\nBody\n");
  parser.Finish();
  EXPECT_EQ(articles, 1);
  EXPECT_EQ(parser.lines(), 3);
}

// --- Bad records ---------------------------------------------------------------------------------

TEST(FeedParserTest, ReportsInvalidDateWithLineNumber) {
  const ParsedFeed feed = ParseFeed(
      "22.11.2023, 17:31 5811\n"  // 1
      "Good one\n"                // 2
      "Body of good one.\n"       // 3
      "31.02.2023, 10:00 999\n"   // 4: no 31 February
      "Bad title\n"               // 5
      "Bad body must not be glued to the good one.\n"
      "21.11.2023, 10:18 12951\n"  // 7
      "Good two\n"
      "Body of good two.\n",
      Options());
  EXPECT_THAT(Titles(feed), ElementsAre("Good one", "Good two"));
  EXPECT_THAT(feed.articles[0].paragraphs, ElementsAre("Body of good one."));
  ASSERT_THAT(feed.errors, SizeIs(1));
  EXPECT_EQ(feed.errors[0].line, 4);
  EXPECT_EQ(feed.errors[0].message,
            "invalid date in article header: 31.02.2023 is not a calendar date");
  EXPECT_EQ(feed.errors[0].excerpt, "31.02.2023, 10:00 999");
}

TEST(FeedParserTest, ReportsEveryKindOfImpossibleDateAndTime) {
  struct Case {
    std::string header;
    std::string message_start;
  };
  const Case cases[] = {
      {"31.02.2023, 10:00 1", "invalid date in article header: 31.02.2023"},
      {"29.02.2023, 10:00 1", "invalid date in article header: 29.02.2023"},
      {"00.11.2023, 10:00 1", "invalid date in article header: 00.11.2023"},
      {"31.04.2023, 10:00 1", "invalid date in article header: 31.04.2023"},
      {"15.13.2023, 10:00 1", "invalid date in article header: 15.13.2023"},
      {"15.00.2023, 10:00 1", "invalid date in article header: 15.00.2023"},
      {"15.11.0000, 10:00 1", "invalid date in article header: 15.11.0000"},
      {"22.11.2023, 25:00 1", "invalid time in article header: 25:00"},
      {"22.11.2023, 24:00 1", "invalid time in article header: 24:00"},
      {"22.11.2023, 10:60 1", "invalid time in article header: 10:60"},
      {"22.11.2023, 10:00 9223372036854775808", "view count out of range in article header"},
      {"22.11.2023, 10:00 99999999999999999999999", "view count out of range in article header"},
  };
  for (const Case& c : cases) {
    const ParsedFeed feed =
        ParseFeed("20.11.2023, 10:00 1\nBefore\nBody\n" + c.header + "\nTitle\nBody\n", Options());
    EXPECT_THAT(Titles(feed), ElementsAre("Before")) << c.header;
    EXPECT_THAT(feed.articles[0].paragraphs, ElementsAre("Body")) << c.header;
    ASSERT_THAT(feed.errors, SizeIs(1)) << c.header;
    EXPECT_EQ(feed.errors[0].line, 4) << c.header;
    EXPECT_THAT(feed.errors[0].message, StartsWith(c.message_start)) << c.header;
  }
  // 29 February exists in leap years.
  const ParsedFeed leap = ParseFeed("29.02.2024, 10:00 1\nLeap\nBody\n", Options());
  EXPECT_THAT(Titles(leap), ElementsAre("Leap"));
  EXPECT_THAT(leap.errors, IsEmpty());
}

TEST(FeedParserTest, ReportsHeaderWithoutTitle) {
  const ParsedFeed feed = ParseFeed(
      "22.11.2023, 17:31 5811\n"   // 1: followed by another header
      "\n"                         // 2
      "21.11.2023, 10:18 12951\n"  // 3
      "Title\n"
      "Body\n"
      "20.11.2023, 10:18 100\n",  // 6: at the end of the dump
      Options());
  EXPECT_THAT(Titles(feed), ElementsAre("Title"));
  EXPECT_THAT(ErrorLines(feed), ElementsAre(1, 6));
  EXPECT_EQ(feed.errors[0].message, "article header without a title");
  EXPECT_EQ(feed.errors[0].excerpt, "22.11.2023, 17:31 5811");
  EXPECT_EQ(feed.errors[1].message, "article header without a title");
}

TEST(FeedParserTest, ReportsInvalidUtf8WithLineNumberAndSanitizedExcerpt) {
  const ParsedFeed feed = ParseFeed(
      "22.11.2023, 17:31 5811\n"           // 1
      "Good one\n"                         // 2
      "Body.\n"                            // 3
      "21.11.2023, 10:18 12951\n"          // 4
      "Bad \xFF title\n"                   // 5: in the title
      "Body.\n"                            // 6
      "20.11.2023, 10:18 100\n"            // 7
      "Title\n"                            // 8
      "Images | Ak\xC3orda\n"              // 9: in the credit
      "19.11.2023, 10:18 100\n"            // 10
      "Title\n"                            // 11
      "Fine body line.\n"                  // 12
      "  Truncated \xE2\x82 sequence\r\n"  // 13: in the body
      "More body.\n"                       // 14
      "18.11.2023, 10:18 100\n"            // 15
      "Good two\n"
      "Body.\n",
      Options());
  EXPECT_THAT(Titles(feed), ElementsAre("Good one", "Good two"));
  EXPECT_THAT(ErrorLines(feed), ElementsAre(5, 9, 13));
  EXPECT_EQ(feed.errors[0].message, "invalid UTF-8 at byte 5 of the line");
  EXPECT_EQ(feed.errors[0].excerpt, "Bad \uFFFD title");
  EXPECT_EQ(feed.errors[1].excerpt, "Images | Ak\uFFFDorda");
  EXPECT_EQ(feed.errors[2].message, "invalid UTF-8 at byte 13 of the line");
  EXPECT_EQ(feed.errors[2].excerpt, "Truncated \uFFFD sequence");
  for (const FeedRecordError& error : feed.errors) EXPECT_TRUE(text::IsValidUtf8(error.excerpt));
}

TEST(FeedParserTest, ExcerptIsAtMost120BytesOfValidUtf8) {
  std::string long_title;
  for (int i = 0; i < 100; ++i) long_title += "Ж";  // 200 bytes
  long_title += "\xFF";
  const ParsedFeed feed = ParseFeed("22.11.2023, 17:31 5811\n" + long_title + "\n", Options());
  ASSERT_THAT(feed.errors, SizeIs(1));
  EXPECT_EQ(feed.errors[0].excerpt.size(), 120u);
  EXPECT_TRUE(text::IsValidUtf8(feed.errors[0].excerpt));
}

TEST(FeedParserTest, ReportsTextBeforeTheFirstHeaderOncePerStretch) {
  // A page that starts with the first article's title: no dump header, no article header.
  const ParsedFeed feed = ParseFeed(
      "Orphan title\nImages | Akorda\nOrphan body.\n22.11.2023, 17:31 5811\nTitle\nBody\n",
      Options());
  EXPECT_EQ(feed.capture_date, std::nullopt);
  EXPECT_THAT(Titles(feed), ElementsAre("Title"));
  ASSERT_THAT(feed.errors, SizeIs(1));
  EXPECT_EQ(feed.errors[0].line, 1);
  EXPECT_EQ(feed.errors[0].message, "text before the first article header ignored");
  EXPECT_EQ(feed.errors[0].excerpt, "Orphan title");
}

TEST(FeedParserTest, ReportsTickerHeadlineGluedAfterDumpHeader) {
  const ParsedFeed feed = ParseFeed(
      " date 2025-01-11 Ticker headlineTicker headline\n07.01.2025, 17:35 26641\nTitle\nBody\n",
      Options());
  EXPECT_EQ(feed.capture_date, absl::CivilDay(2025, 1, 11));
  EXPECT_THAT(Titles(feed), ElementsAre("Title"));
  EXPECT_EQ(feed.articles[0].line, 2);
  ASSERT_THAT(feed.errors, SizeIs(1));
  EXPECT_EQ(feed.errors[0].line, 1);
  EXPECT_EQ(feed.errors[0].message, "text before the first article header ignored");
  EXPECT_EQ(feed.errors[0].excerpt, "Ticker headlineTicker headline");
}

// --- Concatenated dumps and line accounting -----------------------------------------------------

struct Tallied {
  ParsedFeed feed;
  FeedParser::LineAccounting tally;
  int64_t lines = 0;
  int64_t dump_headers = 0;
};

Tallied ParseTallied(std::string_view content, FeedParserOptions options) {
  Tallied out;
  FeedParser parser(
      std::move(options),
      [&out](ParsedArticle article) { out.feed.articles.push_back(std::move(article)); },
      [&out](FeedRecordError error) { out.feed.errors.push_back(std::move(error)); });
  parser.Consume(content);
  parser.Finish();
  out.feed.capture_date = parser.capture_date();
  out.tally = parser.line_accounting();
  out.lines = parser.lines();
  out.dump_headers = parser.dump_headers();
  return out;
}

int64_t Accounted(const FeedParser::LineAccounting& t) {
  return t.blank + t.dump_header_only + t.separators + t.in_articles + t.reported;
}

TEST(FeedParserTest, DumpHeaderGluedToAHeaderMidFileStartsANewCapture) {
  // A scraper appended its second capture to the file of the first.
  const Tallied run = ParseTallied(
      " date 2017-06-20 19.06.2017, 10:00 100\n"
      "First capture's article\n"
      "Images | Akorda\n"
      "Its last body line.\n"
      " date 2017-06-23 23.06.2017, 11:39 865\n"
      "Second capture's first article\n"
      "Its body.\n"
      "22.06.2017, 09:00 40\n"
      "Second capture's second article\n"
      "Body.\n",
      Options());
  EXPECT_THAT(run.feed.errors, IsEmpty()) << Describe(run.feed);
  EXPECT_THAT(Titles(run.feed),
              ElementsAre("First capture's article", "Second capture's first article",
                          "Second capture's second article"));
  const std::vector<ParsedArticle>& a = run.feed.articles;
  EXPECT_THAT(a[0].paragraphs, ElementsAre("Its last body line."));
  EXPECT_EQ(a[1].line, 5);
  EXPECT_EQ(a[1].published, Utc(2017, 6, 23, 11, 39));
  EXPECT_EQ(a[1].views, 865);
  EXPECT_THAT(a[1].paragraphs, ElementsAre("Its body."));
  EXPECT_EQ(a[0].capture_date, absl::CivilDay(2017, 6, 20));
  EXPECT_EQ(a[0].capture_line, 1);
  EXPECT_EQ(a[1].capture_date, absl::CivilDay(2017, 6, 23));
  EXPECT_EQ(a[1].capture_line, 5);
  EXPECT_EQ(a[2].capture_date, absl::CivilDay(2017, 6, 23));
  EXPECT_EQ(a[2].capture_line, 5);
  EXPECT_EQ(run.feed.capture_date, absl::CivilDay(2017, 6, 20));  // the first dump's
  EXPECT_EQ(run.dump_headers, 2);
  EXPECT_EQ(run.tally.in_articles, 10);
  EXPECT_EQ(Accounted(run.tally), run.lines);
}

TEST(FeedParserTest, DumpHeaderAloneMidFileEndsARelatedBlockAndAHeaderWithoutTitle) {
  const Tallied run = ParseTallied(
      "22.11.2023, 17:31 5811\n"          // 1
      "Title one\n"                       // 2
      "Body.\n"                           // 3
      "relevant news\n"                   // 4
      "stray link text\n"                 // 5: reported (after relevant news)
      "date 2023-11-25\n"                 // 6: a new capture, alone on its line
      "ticker before the first header\n"  // 7: reported again, in the new capture
      "24.11.2023, 09:00 7\n"             // 8
      "Title two\n"                       // 9
      "24.11.2023, 08:00 3\n"             // 10: header ...
      " date 2023-11-26\n"                // 11: ... ended by a dump header: no title
      "\n"                                // 12
      "25.11.2023, 08:00 3\n"             // 13
      "Title three\n",                    // 14
      Options());
  EXPECT_THAT(Titles(run.feed), ElementsAre("Title one", "Title two", "Title three"));
  EXPECT_THAT(ErrorLines(run.feed), ElementsAre(5, 7, 10)) << Describe(run.feed);
  EXPECT_EQ(run.feed.errors[1].message, "text before the first article header ignored");
  EXPECT_EQ(run.feed.errors[2].message, "article header without a title");
  EXPECT_EQ(run.feed.articles[0].capture_date, std::nullopt);
  EXPECT_EQ(run.feed.articles[0].capture_line, 0);
  EXPECT_EQ(run.feed.articles[1].capture_date, absl::CivilDay(2023, 11, 25));
  EXPECT_EQ(run.feed.articles[2].capture_date, absl::CivilDay(2023, 11, 26));
  EXPECT_EQ(run.feed.articles[2].capture_line, 11);
  EXPECT_EQ(run.feed.capture_date, absl::CivilDay(2023, 11, 25));
  EXPECT_EQ(run.dump_headers, 2);
  EXPECT_EQ(run.tally.blank, 1);
  EXPECT_EQ(run.tally.dump_header_only, 2);
  EXPECT_EQ(run.tally.separators, 1);
  EXPECT_EQ(run.tally.in_articles, 3 + 2 + 2);
  EXPECT_EQ(run.tally.reported, 3);
  EXPECT_EQ(Accounted(run.tally), run.lines);
  EXPECT_EQ(run.lines, 14);
}

TEST(FeedParserTest, EveryLineIsAccountedForInBadInput) {
  FeedParserOptions options = Options();
  options.max_line_bytes = 40;
  const Tallied run = ParseTallied(
      "orphan text\n"                                      // reported
      "more orphan text\n"                                 // reported (same stretch)
      "31.02.2023, 10:00 1\n"                              // invalid date: reported
      "its title\n"                                        // skipped with it
      "22.11.2023, 17:31 5811\n"                           // good
      "Title\n"                                            // good
      "Images | Akorda\n"                                  // good (credit)
      "\xC3\x28 invalid UTF-8\n"                           // drops the article: 4 lines reported
      "21.11.2023, 17:31 5\n"                              // good
      "Title two\n"                                        // good
      "a paragraph that is far longer than forty bytes\n"  // over-long: drops it
      "20.11.2023, 17:31 5\n"                              // good
      "Title three\n"                                      // good
      "   \n"                                              // blank
      "last paragraph",                                    // good, no final newline
      options);
  EXPECT_THAT(Titles(run.feed), ElementsAre("Title three"));
  EXPECT_THAT(ErrorLines(run.feed), ElementsAre(1, 3, 8, 11)) << Describe(run.feed);
  EXPECT_EQ(run.tally.blank, 1);
  EXPECT_EQ(run.tally.in_articles, 3);
  EXPECT_EQ(run.tally.reported, 2 + 2 + 4 + 3);
  EXPECT_EQ(Accounted(run.tally), run.lines);
  EXPECT_EQ(run.lines, 15);
}

TEST(FeedParserTest, RelevantNewsLineEndsTheArticle) {
  const ParsedFeed feed = ParseFeed(
      "22.11.2023, 17:31 5811\nTitle\nBody.\nrelevant news\n21.11.2023, 10:00 10\nRelated one\n"
      "20.11.2023, 10:00 10\nRelated two\n",
      Options());
  EXPECT_THAT(feed.errors, IsEmpty()) << Describe(feed);
  EXPECT_THAT(Titles(feed), ElementsAre("Title", "Related one", "Related two"));
  EXPECT_THAT(feed.articles[0].paragraphs, ElementsAre("Body."));

  const ParsedFeed stray = ParseFeed(
      "22.11.2023, 17:31 5811\nTitle\nBody.\nRelevant News\nstray\nmore stray\n", Options());
  EXPECT_THAT(Titles(stray), ElementsAre("Title"));
  EXPECT_THAT(ErrorLines(stray), ElementsAre(5));
  EXPECT_EQ(stray.errors[0].message, "text after a \"relevant news\" line ignored");
}

TEST(FeedParserTest, SkipsOverlongLineWithoutBufferingIt) {
  FeedParserOptions options = Options();
  options.max_line_bytes = 100;
  const std::string huge(1000, 'x');
  const std::string dump =
      "22.11.2023, 17:31 5811\nGood one\nBody.\n21.11.2023, 10:18 12951\n"
      "Title\n" +
      huge + "\nMore body.\n20.11.2023, 10:18 100\nGood two\n" + std::string(100, 'y') + "\n";
  for (const size_t chunk : {size_t{1}, size_t{7}, size_t{64}, size_t{4096}}) {
    const ParsedFeed feed = ParseInChunks(dump, chunk, options);
    EXPECT_THAT(Titles(feed), ElementsAre("Good one", "Good two")) << chunk;
    ASSERT_THAT(feed.errors, SizeIs(1)) << chunk;
    EXPECT_EQ(feed.errors[0].line, 6);
    EXPECT_EQ(feed.errors[0].message,
              "line of 1000 bytes is longer than max_line_bytes (100) and was skipped");
    EXPECT_EQ(feed.errors[0].excerpt, std::string(120, 'x'));
    EXPECT_THAT(feed.articles[1].paragraphs, ElementsAre(std::string(100, 'y')));
  }
}

TEST(FeedParserTest, SkipsTenMegabyteLineInSmallChunks) {
  std::vector<FeedRecordError> errors;
  std::vector<std::string> titles;
  FeedParser parser(
      Options(), [&](ParsedArticle a) { titles.push_back(a.title); },
      [&](FeedRecordError e) { errors.push_back(std::move(e)); });
  parser.Consume("22.11.2023, 17:31 5811\nTitle\n");
  const std::string block(64 * 1024, 'z');
  for (int i = 0; i < 160; ++i) parser.Consume(block);  // 10 MiB line
  parser.Consume("\n21.11.2023, 10:18 12951\nNext\nBody\n");
  parser.Finish();
  EXPECT_THAT(titles, ElementsAre("Next"));
  ASSERT_THAT(errors, SizeIs(1));
  EXPECT_EQ(errors[0].line, 3);
  EXPECT_THAT(errors[0].message, HasSubstr("line of 10485760 bytes is longer than"));
}

TEST(FeedParserTest, DropsArticleLargerThanMaxArticleBytes) {
  FeedParserOptions options = Options();
  options.max_article_bytes = 50;
  const ParsedFeed feed = ParseFeed("22.11.2023, 17:31 5811\nBig\n" + std::string(30, 'a') + "\n" +
                                        std::string(30, 'b') + "\n" + std::string(30, 'c') +
                                        "\n21.11.2023, 10:18 12951\nSmall\nBody\n",
                                    options);
  EXPECT_THAT(Titles(feed), ElementsAre("Small"));
  ASSERT_THAT(feed.errors, SizeIs(1));
  EXPECT_EQ(feed.errors[0].line, 1);
  EXPECT_EQ(feed.errors[0].message, "article longer than max_article_bytes (50 bytes) dropped");
}

TEST(FeedParserTest, BinaryGarbageYieldsErrorsNotArticles) {
  std::string garbage;
  for (int i = 0; i < 4096; ++i) garbage.push_back(static_cast<char>((i * 7919) & 0xFF));
  // The garbage belongs to the record of the header above it, which is dropped as a whole.
  const ParsedFeed feed = ParseFeed(
      "22.11.2023, 17:31 5811\nGood\nBody\n21.11.2023, 17:31 5811\n"
      "Title\nBody\n" +
          garbage + "\n20.11.2023, 10:18 1\nT\nB\n",
      Options());
  EXPECT_THAT(Titles(feed), ElementsAre("Good", "T"));
  ASSERT_THAT(feed.errors, SizeIs(1)) << Describe(feed);
  EXPECT_GE(feed.errors[0].line, 7);
  EXPECT_THAT(feed.errors[0].message, StartsWith("invalid UTF-8 at byte"));
  EXPECT_TRUE(text::IsValidUtf8(feed.errors[0].excerpt));
}

// --- Time zones ----------------------------------------------------------------------------------

TEST(FeedParserTest, ConvertsAlmatyTimesAcrossThe2024Transition) {
  const ParsedFeed feed = ParseFeed(
      "01.03.2024, 10:00 1\nUTC+5 after the change\nB\n"
      "01.03.2024, 00:00 1\nFirst minute after midnight\nB\n"
      "29.02.2024, 23:30 1\nAmbiguous: happened twice\nB\n"
      "29.02.2024, 22:59 1\nLast UTC+6 minute before the overlap\nB\n"
      "22.11.2023, 17:31 1\nUTC+6 before the change\nB\n",
      Options("Asia/Almaty"));
  ASSERT_THAT(feed.articles, SizeIs(5)) << Describe(feed);
  EXPECT_EQ(feed.articles[0].published, Utc(2024, 3, 1, 5, 0));
  EXPECT_EQ(feed.articles[1].published, Utc(2024, 2, 29, 19, 0));
  // 23:30 local happened at 17:30 UTC (+06) and again at 18:30 UTC (+05): the earlier offset wins.
  EXPECT_EQ(feed.articles[2].published, Utc(2024, 2, 29, 17, 30));
  EXPECT_EQ(feed.articles[3].published, Utc(2024, 2, 29, 16, 59));
  EXPECT_EQ(feed.articles[4].published, Utc(2023, 11, 22, 11, 31));
}

TEST(FeedParserTest, ConvertsTehranTimesIncludingSkippedAndRepeatedMinutes) {
  const ParsedFeed feed = ParseFeed(
      "01.06.2023, 12:00 1\nIRST +03:30 (no DST since 2022)\nB\n"
      "21.09.2022, 23:30 1\nRepeated when DST ended\nB\n"
      "01.06.2022, 12:00 1\nIRDT +04:30\nB\n"
      "22.03.2022, 00:30 1\nSkipped when DST began\nB\n",
      Options("Asia/Tehran"));
  ASSERT_THAT(feed.articles, SizeIs(4)) << Describe(feed);
  EXPECT_EQ(feed.articles[0].published, Utc(2023, 6, 1, 8, 30));
  EXPECT_EQ(feed.articles[1].published, Utc(2022, 9, 21, 19, 0));  // earlier offset, +04:30
  EXPECT_EQ(feed.articles[2].published, Utc(2022, 6, 1, 7, 30));
  EXPECT_EQ(feed.articles[3].published, Utc(2022, 3, 21, 21, 0));  // offset before the gap
}

TEST(FeedParserTest, LoadFeedTimeZoneDefaultsToAlmatyAndRejectsUnknownZones) {
  const absl::StatusOr<absl::TimeZone> default_zone = LoadFeedTimeZone("");
  ASSERT_TRUE(default_zone.ok()) << default_zone.status();
  EXPECT_EQ(default_zone->name(), "Asia/Almaty");
  EXPECT_EQ(DefaultFeedTimeZone().name(), "Asia/Almaty");
  EXPECT_EQ(FeedParserOptions().time_zone.name(), "Asia/Almaty");
  const absl::StatusOr<absl::TimeZone> tehran = LoadFeedTimeZone("Asia/Tehran");
  ASSERT_TRUE(tehran.ok());
  EXPECT_EQ(tehran->name(), "Asia/Tehran");
  EXPECT_EQ(LoadFeedTimeZone("Mars/Olympus_Mons").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(LoadFeedTimeZone("not a zone\n").status().code(), absl::StatusCode::kInvalidArgument);
}

// --- Chunking ------------------------------------------------------------------------------------

TEST(FeedParserTest, ChunkingDoesNotChangeTheResult) {
  const std::string dumps[] = {
      ReadSample("newsdb-sample.txt"),
      ReadSample("newsdb-bad.txt"),
      "\xEF\xBB\xBF date 2023-11-23 Ticker\r\n22.11.2023, 17:31 5811\r\nҚазақ title\r\n"
      "Images | Akorda\r\n\r\nТоқаев body \xD0\r\n21.11.2023, 10:18 1\n\n20.11.2023, 10:18 1\nT\n"
      "B with no newline at the end",
  };
  for (const std::string& dump : dumps) {
    const ParsedFeed whole = ParseFeed(dump, Options("Asia/Almaty"));
    for (const size_t chunk : {size_t{1}, size_t{2}, size_t{3}, size_t{7}, size_t{4096}}) {
      SCOPED_TRACE(chunk);
      ExpectSameFeed(whole, ParseInChunks(dump, chunk, Options("Asia/Almaty")));
    }
  }
}

// --- Real sample and bundled samples -------------------------------------------------------------

struct ExpectedArticle {
  int64_t line;
  absl::Time published_utc;
  int64_t views;
  std::string title;
  std::string credit;
  size_t paragraphs;
};

void ExpectArticles(const ParsedFeed& feed, const std::vector<ExpectedArticle>& expected) {
  ASSERT_EQ(feed.articles.size(), expected.size()) << Describe(feed);
  for (size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE(expected[i].title);
    const ParsedArticle& article = feed.articles[i];
    EXPECT_EQ(article.line, expected[i].line);
    EXPECT_EQ(article.published, expected[i].published_utc);
    EXPECT_EQ(article.views, expected[i].views);
    EXPECT_EQ(article.title, expected[i].title);
    EXPECT_EQ(article.credit, expected[i].credit);
    EXPECT_EQ(article.paragraphs.size(), expected[i].paragraphs);
    EXPECT_EQ(article.id, article::ComputeArticleId(article.published, article.title));
  }
}

TEST(FeedParserTest, ParsesTheRealKazinformSample) {
  const std::filesystem::path path =
      SourceDir() / ".." / "shared" / "corpus" / "sample" / "kazinform-2023-11-23.txt";
  const std::optional<std::string> content = ReadFile(path);
  if (!content) GTEST_SKIP() << "shared corpus not found at " << path.string() << "; skipping";

  const ParsedFeed feed = ParseFeed(*content, Options("Asia/Almaty"));
  EXPECT_THAT(feed.errors, IsEmpty()) << Describe(feed);
  EXPECT_EQ(feed.capture_date, absl::CivilDay(2023, 11, 23));
  // Header times are Almaty local (UTC+6 in 2023).
  ExpectArticles(
      feed,
      {
          {1, Utc(2023, 11, 22, 11, 31), 5811,
           "Majilis ratifies 4th protocol changing CSTO Charter", "odkb-csto", 4},
          {8, Utc(2023, 11, 22, 14, 13), 6296,
           "Tokayev receives Nguyen Thanh Hung, Chairman of Board of SOVICO Group", "Akorda", 6},
          {17, Utc(2023, 11, 21, 4, 18), 12951,
           "President Tokayev to attend CSTO Council session in Minsk and SPECA Summit in Baku",
           "odkb-csto.org", 2},
          {22, Utc(2023, 11, 17, 2, 1), 27111, "Xi stresses role of people in China-U.S. relations",
           "Xinhua", 19},
          {44, Utc(2023, 11, 9, 15, 9), 74581,
           "Kazakh, Russian Presidents sign documents following talks", "Akorda", 9},
          {56, Utc(2023, 11, 9, 12, 11), 74356,
           "Russian President on bilateral relations with Kazakhstan", "Akorda", 5},
          {64, Utc(2023, 11, 6, 14, 35), 108861, "Kazakhstan transfers $1mln to Palestinians", "",
           5},
          {71, Utc(2023, 11, 3, 14, 41), 166771,
           "The 10th Summit of the Organization of Turkic States was held in Astana", "Akorda", 37},
          {111, Utc(2023, 11, 3, 11, 45), 167581,
           "Turkic states need to unite more than ever - Kassym-Jomart Tokayev", "Akorda", 5},
      });
  ASSERT_THAT(feed.articles, SizeIs(9));
  EXPECT_THAT(feed.articles[4].paragraphs[3], StartsWith("- The 2024/26 joint action plan"));

  for (const size_t chunk : {size_t{1}, size_t{7}, size_t{4096}}) {
    SCOPED_TRACE(chunk);
    ExpectSameFeed(feed, ParseInChunks(*content, chunk, Options("Asia/Almaty")));
  }
}

TEST(FeedParserTest, ParsesTheBundledSample) {
  const ParsedFeed feed = ParseFeed(ReadSample("newsdb-sample.txt"), Options("Asia/Almaty"));
  EXPECT_THAT(feed.errors, IsEmpty()) << Describe(feed);
  EXPECT_EQ(feed.capture_date, absl::CivilDay(2023, 11, 24));
  ExpectArticles(
      feed,
      {
          {1, Utc(2023, 11, 23, 13, 42), 2140,
           "Almaty sends 600 snowplows onto city streets as first heavy snow falls",
           "Almaty city akimat", 4},
          {8, Utc(2023, 11, 23, 10, 5), 3388,
           "Wheat shipments through Aktau port up by a quarter this autumn",
           "Ministry of Agriculture", 4},
          {15, Utc(2023, 11, 23, 5, 20), 5012,
           "Astana light rail begins test runs on its first section", "", 3},
          {20, Utc(2023, 11, 22, 15, 37), 7730,
           "Shymkent teacher wins national award for village robotics club",
           "Ministry of Education", 4},
          {27, Utc(2023, 11, 22, 8, 10), 8119,
           "Government approves measures to keep utility tariffs in check",
           "Government of Kazakhstan", 7},
          {37, Utc(2023, 11, 21, 12, 55), 11420,
           "Snow leopard filmed by camera trap in Ile-Alatau National Park",
           "Ile-Alatau National Park", 4},
          {44, Utc(2023, 11, 21, 3, 30), 12003,
           "Karaganda region to open three new schools by 2025", "", 2},
          {48, Utc(2023, 11, 20, 11, 12), 15877,
           "Kazakhstan and Uzbekistan agree on joint program to save irrigation water", "MFA RK",
           3},
          {54, Utc(2023, 11, 18, 7, 48), 24930,
           "Aktobe farmer Нұрлан Сейітов triples camel milk output", "Aktobe region akimat", 4},
          {61, Utc(2023, 11, 16, 14, 3), 31560,
           "National Museum opens exhibition of Saka gold from the Eleke Sazy burial",
           "National Museum of Kazakhstan", 6},
          {70, Utc(2023, 11, 14, 2, 15), 40118,
           "Oil output at Tengiz expected to rise next year, ministry says", "", 3},
          {75, Utc(2023, 11, 10, 6, 0), 58342,
           "First electric bus made in Kazakhstan rolls off assembly line in Kostanay",
           "Kostanay region akimat", 3},
      });
  ASSERT_THAT(feed.articles, SizeIs(12));
  // The body line that starts with a date and time is body, not a header.
  EXPECT_THAT(feed.articles[1].paragraphs[2], StartsWith("20.11.2023, 09:00 marked"));
  EXPECT_EQ(feed.articles[4].paragraphs[2],
            "- an audit of investment programs of regional utility "
            "monopolies;");
}

TEST(FeedParserTest, LaterCaptureOfTheBundledSampleKeepsIdsAndRaisesViews) {
  const ParsedFeed first = ParseFeed(ReadSample("newsdb-sample.txt"), Options("Asia/Almaty"));
  const ParsedFeed later = ParseFeed(ReadSample("newsdb-sample-later.txt"), Options("Asia/Almaty"));
  EXPECT_THAT(later.errors, IsEmpty()) << Describe(later);
  EXPECT_EQ(later.capture_date, absl::CivilDay(2023, 11, 27));
  ASSERT_THAT(later.articles, SizeIs(7));
  std::map<article::ArticleId, const ParsedArticle*> by_id;
  for (const ParsedArticle& article : first.articles) by_id[article.id] = &article;
  int seen_before = 0;
  for (const ParsedArticle& article : later.articles) {
    const auto it = by_id.find(article.id);
    if (it == by_id.end()) continue;
    ++seen_before;
    EXPECT_EQ(article.title, it->second->title);
    EXPECT_EQ(article.published, it->second->published);
    EXPECT_GT(article.views, it->second->views) << article.title;
  }
  EXPECT_EQ(seen_before, 5);
}

TEST(FeedParserTest, BadSampleYieldsTheDocumentedErrors) {
  const std::string content = ReadSample("newsdb-bad.txt");
  // The CRLF lines are part of the test; a checkout that rewrote line ends would hide them.
  EXPECT_THAT(content, HasSubstr("\r\n"));
  const ParsedFeed feed = ParseFeed(content, Options("Asia/Almaty"));
  EXPECT_EQ(feed.capture_date, absl::CivilDay(2023, 11, 28));
  EXPECT_THAT(Titles(feed), ElementsAre("Pavlodar opens first public ice rink of the season",
                                        "Semey hospital receives new MRI scanner",
                                        "Kostanay students build weather station on school roof",
                                        "Atyrau marks 80 years of its drama theatre"));
  EXPECT_THAT(feed.articles[0].paragraphs, SizeIs(2));
  EXPECT_EQ(feed.articles[1].credit, "Abai region health department");
  EXPECT_THAT(feed.articles[2].paragraphs, SizeIs(3));
  EXPECT_THAT(ErrorLines(feed), ElementsAre(6, 13, 16, 18, 25, 27, 33)) << Describe(feed);
  EXPECT_THAT(feed.errors[0].message, StartsWith("invalid date in article header: 31.02.2023"));
  EXPECT_EQ(feed.errors[1].message, "article header without a title");
  EXPECT_EQ(feed.errors[2].message, "invalid UTF-8 at byte 13 of the line");
  EXPECT_THAT(feed.errors[3].message, StartsWith("invalid time in article header: 25:00"));
  EXPECT_THAT(feed.errors[4].message, StartsWith("invalid date in article header: 24.13.2023"));
  EXPECT_THAT(feed.errors[5].message, StartsWith("view count out of range"));
  EXPECT_EQ(feed.errors[6].message, "article header without a title");
}

// --- Converted real corpus (optional) ------------------------------------------------------------

std::vector<std::string> SplitTabs(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, '\t')) fields.push_back(field);
  return fields;
}

TEST(FeedParserTest, RealCorpusMatchesManifest) {
  const std::filesystem::path dir = SourceDir() / ".." / "shared" / "corpus" / "real";
  std::ifstream manifest(dir / "MANIFEST.tsv");
  if (!manifest) GTEST_SKIP() << "shared corpus not found at " << dir.string() << "; skipping";
  std::string line;
  std::getline(manifest, line);
  const std::vector<std::string> columns = SplitTabs(line);
  ASSERT_GE(columns.size(), 7u);
  ASSERT_EQ(columns[0], "file");
  ASSERT_EQ(columns[2], "articles");
  ASSERT_EQ(columns[4], "dump_date");
  int files = 0;
  int64_t total = 0;
  std::set<article::ArticleId> ids;
  while (std::getline(manifest, line)) {
    const std::vector<std::string> fields = SplitTabs(line);
    if (fields.size() < 7) continue;
    const std::optional<std::string> content = ReadFile(dir / fields[0]);
    if (!content) continue;  // dumps may be removed for licence reasons
    SCOPED_TRACE(fields[0]);
    // UTC keeps the header's civil time, so oldest and newest compare as written.
    const ParsedFeed feed = ParseFeed(*content, Options("UTC"));
    EXPECT_THAT(feed.errors, IsEmpty()) << Describe(feed).substr(0, 2000);
    EXPECT_EQ(static_cast<int64_t>(feed.articles.size()), std::stoll(fields[2]));
    absl::CivilDay dump_date;
    ASSERT_TRUE(absl::ParseCivilTime(fields[4], &dump_date));
    EXPECT_EQ(feed.capture_date, dump_date);
    if (feed.articles.empty()) continue;
    absl::Time oldest = absl::InfiniteFuture();
    absl::Time newest = absl::InfinitePast();
    for (const ParsedArticle& article : feed.articles) {
      oldest = std::min(oldest, article.published);
      newest = std::max(newest, article.published);
      ids.insert(article.id);
    }
    EXPECT_EQ(absl::FormatTime("%Y-%m-%d %H:%M", oldest, absl::UTCTimeZone()), fields[5]);
    EXPECT_EQ(absl::FormatTime("%Y-%m-%d %H:%M", newest, absl::UTCTimeZone()), fields[6]);
    total += static_cast<int64_t>(feed.articles.size());
    ++files;
  }
  if (files == 0) GTEST_SKIP() << "no dump of MANIFEST.tsv found in " << dir.string();
  // Identity by (minute, folded title) has exactly one real collision in the corpus (two versions
  // of a Reuters item in dump-0004), so ids are one fewer than articles when that dump is present.
  const int64_t collisions = std::filesystem::exists(dir / "dump-0004.txt") ? 1 : 0;
  EXPECT_EQ(static_cast<int64_t>(ids.size()), total - collisions);
  std::printf("parsed %d dumps, %lld articles, %zu distinct ids\n", files,
              static_cast<long long>(total), ids.size());
}

TEST(FeedParserTest, RealSmallSliceHasTwoHundredArticles) {
  const std::filesystem::path path = SourceDir() / ".." / "shared" / "corpus" / "real-small.txt";
  const std::optional<std::string> content = ReadFile(path);
  if (!content) GTEST_SKIP() << "shared corpus not found at " << path.string() << "; skipping";
  const ParsedFeed feed = ParseFeed(*content, Options("Asia/Tehran"));
  EXPECT_THAT(feed.errors, IsEmpty());
  EXPECT_THAT(feed.articles, SizeIs(200));
  int with_credit = 0;
  for (const ParsedArticle& article : feed.articles) with_credit += article.credit.empty() ? 0 : 1;
  EXPECT_EQ(with_credit, 152);
  EXPECT_EQ(feed.capture_date, absl::CivilDay(2023, 6, 24));
}

// Appends one dump to a file the way a scraper does: each capture starts on a new line, its
// header glued to its first article's header.
void AppendDump(std::string& file, const std::string& dump) {
  if (!file.empty() && file.back() != '\n') file += '\n';
  file += dump;
}

// A generated dump of `articles` articles captured on `day`, in the shape of the real ones; every
// third has no credit line, every fifth has a "relevant news" block with a related article.
std::string GeneratedDump(absl::CivilDay day, int articles, int seed) {
  std::string out = absl::StrFormat(" date %04d-%02d-%02d ", day.year(), day.month(), day.day());
  absl::CivilMinute at = absl::CivilMinute(day) - 40;
  for (int i = 0; i < articles; ++i) {
    at -= 7 + (i * 13 + seed) % 300;
    out += absl::StrFormat("%02d.%02d.%04d, %02d:%02d %d\n", at.day(), at.month(), at.year(),
                           at.hour(), at.minute(), 100 + (i * 7919 + seed) % 90000);
    out += absl::StrFormat("Generated story %d of capture %d\n", i, seed);
    if (i % 3 != 0) out += "Images | Generated Agency\n";
    for (int p = 0; p < 1 + (i + seed) % 6; ++p) {
      out += absl::StrFormat("Paragraph %d of story %d, capture %d.\n", p, i, seed);
    }
    if (i % 5 == 4) {
      out += "relevant news\n";
      at -= 1;
      out += absl::StrFormat("%02d.%02d.%04d, %02d:%02d 5\nRelated to story %d of capture %d\n",
                             at.day(), at.month(), at.year(), at.hour(), at.minute(), i, seed);
    }
  }
  return out;
}

TEST(FeedParserTest, ConcatenatedGeneratedDumpsLoseNoArticle) {
  std::string file;
  std::vector<int64_t> per_dump;
  std::vector<absl::CivilDay> days;
  for (int d = 0; d < 13; ++d) {
    const absl::CivilDay day = absl::CivilDay(2017, 6, 1) + 3 * d;
    const std::string dump = GeneratedDump(day, 20 + 17 * d, d);
    const ParsedFeed alone = ParseFeed(dump, Options());
    ASSERT_THAT(alone.errors, IsEmpty()) << Describe(alone);
    per_dump.push_back(static_cast<int64_t>(alone.articles.size()));
    days.push_back(day);
    AppendDump(file, dump);
  }
  const Tallied run = ParseTallied(file, Options());
  EXPECT_THAT(run.feed.errors, IsEmpty()) << Describe(run.feed).substr(0, 2000);
  EXPECT_EQ(run.dump_headers, 13);
  EXPECT_EQ(Accounted(run.tally), run.lines);
  ASSERT_EQ(static_cast<int64_t>(run.feed.articles.size()),
            std::accumulate(per_dump.begin(), per_dump.end(), int64_t{0}));
  // Each article carries the date of the dump it came from, in file order.
  size_t next = 0;
  for (size_t d = 0; d < per_dump.size(); ++d) {
    for (int64_t i = 0; i < per_dump[d]; ++i, ++next) {
      EXPECT_EQ(run.feed.articles[next].capture_date, days[d]) << run.feed.articles[next].title;
    }
  }
  for (const size_t chunk : {size_t{1}, size_t{4093}}) {
    ExpectSameFeed(run.feed, ParseInChunks(file, chunk, Options()));
  }
}

TEST(FeedParserTest, ConcatenatedRealDumpsLoseNoArticle) {
  const std::filesystem::path shared = SourceDir() / ".." / "shared" / "corpus";
  std::ifstream manifest(shared / "real" / "MANIFEST.tsv");
  if (!manifest) {
    GTEST_SKIP() << "shared corpus not found at " << shared.string()
                 << "; skipping the real-dump concatenation (the generated one still runs)";
  }
  std::string file;
  int64_t expected = 0;
  std::vector<std::pair<int64_t, absl::CivilDay>> dumps;  // (articles, dump date)
  std::string line;
  std::getline(manifest, line);
  while (std::getline(manifest, line)) {
    const std::vector<std::string> fields = SplitTabs(line);
    if (fields.size() < 7) continue;
    const std::optional<std::string> content = ReadFile(shared / "real" / fields[0]);
    if (!content) continue;  // dumps may be removed for licence reasons
    absl::CivilDay day;
    ASSERT_TRUE(absl::ParseCivilTime(fields[4], &day));
    dumps.emplace_back(std::stoll(fields[2]), day);
    expected += dumps.back().first;
    AppendDump(file, *content);
  }
  if (dumps.empty()) GTEST_SKIP() << "no dump of MANIFEST.tsv found under " << shared.string();
  const std::optional<std::string> kazinform =
      ReadFile(shared / "sample" / "kazinform-2023-11-23.txt");
  if (kazinform) {
    dumps.emplace_back(9, absl::CivilDay(2023, 11, 23));
    expected += 9;
    AppendDump(file, *kazinform);
  }
  const Tallied run = ParseTallied(file, Options());
  EXPECT_THAT(run.feed.errors, IsEmpty()) << Describe(run.feed).substr(0, 2000);
  EXPECT_EQ(run.dump_headers, static_cast<int64_t>(dumps.size()));
  EXPECT_EQ(Accounted(run.tally), run.lines);
  ASSERT_EQ(static_cast<int64_t>(run.feed.articles.size()), expected);
  size_t next = 0;
  for (const auto& [articles, day] : dumps) {
    for (int64_t i = 0; i < articles; ++i, ++next) {
      ASSERT_EQ(run.feed.articles[next].capture_date, day) << run.feed.articles[next].title;
    }
  }
  std::printf("concatenated %zu real dumps: %zu lines, %lld articles, none lost\n", dumps.size(),
              static_cast<size_t>(run.lines), static_cast<long long>(expected));
}

}  // namespace
}  // namespace newsdb::ingest
