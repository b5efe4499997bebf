// Streaming parser for scraped news-feed dumps (grammar and quirks: docs/feed-format.md).
//
//   feed     := dump+                                            dumps may be concatenated
//   dump     := [ spaces ] [ "date " YYYY-MM-DD " " ] article+   capture date, glued to 1st header
//   article  := header NL title NL [ credit NL ] body-line*
//   header   := DD "." MM "." YYYY ", " HH ":" MM " " VIEWS       local time; VIEWS = view count
//   credit   := "Images | " TEXT
//   body-line:= paragraph | "- " list item                      up to the next header line
//
// The parser never fails as a whole: every bad record (invalid date, header without a title,
// invalid UTF-8, over-long line or article, text outside an article) is reported to the error
// sink with its 1-based line number, and the good records around it are still delivered. No line
// vanishes: every non-blank line is part of a delivered article, a dump header, or a reported
// record or stretch (line_accounting() tallies them).
#ifndef NEWSDB_SERVICES_INGEST_FEED_PARSER_H_
#define NEWSDB_SERVICES_INGEST_FEED_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/article/article_id.h"

namespace newsdb::ingest {

// The time zone of Kazinform's header times, used when a request names no zone.
inline constexpr std::string_view kDefaultFeedTimeZone = "Asia/Almaty";

// One article of a dump. All strings are valid UTF-8 with surrounding ASCII blanks trimmed.
struct ParsedArticle {
  // 1-based line number of the article's header.
  int64_t line = 0;
  // Header time converted from the feed's zone to an instant.
  absl::Time published;
  // Never empty.
  std::string title;
  // Text after "Images |", trimmed; empty if the article has no credit line.
  std::string credit;
  // Body lines in order; bullet lines keep their "- "; empty for an article without body.
  std::vector<std::string> paragraphs;
  // View count at capture time.
  int64_t views = 0;
  // article::ComputeArticleId(published, title).
  article::ArticleId id = 0;
  // The capture (dump header) the article belongs to: the date of the last ` date YYYY-MM-DD`
  // line before its header (nullopt if there was none, or it was not a calendar date) and that
  // line's number (0 if none).
  std::optional<absl::CivilDay> capture_date;
  int64_t capture_line = 0;
  // Whether the article had an `Images |` credit line (its credit may still be empty).
  bool credit_line = false;
};

// A record that was skipped, and why.
struct FeedRecordError {
  int64_t line = 0;     // 1-based line the problem was found on (see docs/feed-format.md)
  std::string message;  // one of the fixed messages in docs/feed-format.md, plus details
  std::string excerpt;  // start of the offending line: at most 120 bytes, valid UTF-8
};

// kDefaultFeedTimeZone, loaded once per process. UTC if tzdata lacks it: callers that must know
// use LoadFeedTimeZone(""), which reports the failure.
absl::TimeZone DefaultFeedTimeZone();

// Limits and settings of one parse. An aggregate, so `FeedParserOptions{.time_zone = zone}` works.
struct FeedParserOptions {
  // Zone of the header times. A local time that occurs twice (clocks set back, as in Asia/Almaty
  // on 2024-03-01, when 23:00-23:59 on 29.02.2024 happened twice) takes the earlier offset:
  // absl::TimeZone::At(civil).pre, which is what absl::FromCivil returns. A local time skipped by
  // clocks set forward also uses the offset in force before the transition.
  absl::TimeZone time_zone = DefaultFeedTimeZone();
  // A longer line (not counting "\n") is a record error; it is skipped without being buffered.
  size_t max_line_bytes = size_t{1} << 20;
  // An article whose title, credit and paragraphs add up to more bytes is reported and dropped.
  size_t max_article_bytes = size_t{8} << 20;
};

// Loads an IANA zone for header times: "" means kDefaultFeedTimeZone.
// Errors: INVALID_ARGUMENT if tzdata has no zone of that name.
absl::StatusOr<absl::TimeZone> LoadFeedTimeZone(std::string_view name);

// Splits a dump, delivered in chunks of any size, into articles and record errors.
//
// Memory stays bounded by max_line_bytes plus one article, whatever the size of the dump. Sinks
// are called synchronously from Consume() and Finish(), articles in dump order; an article is
// delivered once the next header line (or Finish) shows that it is complete. Not thread-safe: use
// one parser per dump and thread.
class FeedParser {
 public:
  using ArticleSink = std::function<void(ParsedArticle)>;
  using ErrorSink = std::function<void(FeedRecordError)>;

  FeedParser(FeedParserOptions options, ArticleSink on_article, ErrorSink on_error);

  FeedParser(const FeedParser&) = delete;
  FeedParser& operator=(const FeedParser&) = delete;

  // Feeds the next bytes of the dump. Chunks may split lines and UTF-8 sequences anywhere; the
  // result is the same for any chunking. Ignored after Finish().
  void Consume(std::string_view chunk);

  // Ends the dump: parses a last line without "\n" and delivers the last article. Call once;
  // later calls do nothing.
  void Finish();

  // The capture date of the first ` date YYYY-MM-DD` dump header, known as soon as its line is
  // parsed (before the articles after it are delivered); nullopt if the feed has none. A feed of
  // concatenated dumps has one header per dump: each article carries its own (capture_date).
  std::optional<absl::CivilDay> capture_date() const { return first_capture_date_; }
  // Dump headers seen so far (each starts a capture).
  int64_t dump_headers() const { return dump_headers_; }

  // Where every line went. Once Finish() ran:
  //   lines() == blank + dump_header_only + separators + in_articles + reported
  // where in_articles counts the header, title, credit and paragraph lines of delivered articles
  // and reported the non-blank lines inside reported records and ignored stretches.
  struct LineAccounting {
    int64_t blank = 0;
    int64_t dump_header_only = 0;  // a dump header alone on its line
    int64_t separators = 0;        // "relevant news" lines
    int64_t in_articles = 0;
    int64_t reported = 0;
  };
  const LineAccounting& line_accounting() const { return accounting_; }

  // Lines seen so far (a last line without "\n" counts once Finish() ran) and bytes consumed.
  int64_t lines() const { return line_number_; }
  int64_t bytes() const { return bytes_; }
  // Articles and errors delivered so far.
  int64_t articles() const { return articles_delivered_; }
  int64_t errors() const { return errors_delivered_; }

 private:
  enum class State {
    kBeforeFirstHeader,  // preamble: no header seen yet
    kExpectTitle,        // after a valid header
    kExpectCredit,       // after the title: credit line or first body line
    kBody,               // body lines until the next header
    kSkipRecord,         // a bad record: ignore lines up to the next header
    kAfterSeparator,     // after a "relevant news" line: ignore lines up to the next header
  };

  void AppendPartialLine(std::string_view piece);
  void EndPartialLine();
  // `first_non_ascii`: offset of the first byte >= 0x80 in raw_line (npos if none; 0 if unknown).
  void ProcessLine(std::string_view raw_line, size_t first_non_ascii);
  void ProcessOverlongLine(size_t length, std::string_view head);
  // Takes a dump header off the start of `line` (starting a new capture) and returns the rest;
  // returns `line` unchanged if it does not start with one.
  std::string_view StripDumpHeader(std::string_view line);
  void HandleHeader(std::string_view line);
  void HandleText(std::string_view line, std::string_view raw_line);
  bool CheckUtf8(std::string_view line, std::string_view raw_line);
  bool AddArticleBytes(size_t n);
  void CloseRecordAtHeader();
  void FinishArticle();
  void DropRecord(int64_t line_number, std::string message, std::string_view excerpt_source);
  void ReportError(int64_t line_number, std::string message, std::string_view excerpt_source);

  FeedParserOptions options_;
  ArticleSink on_article_;
  ErrorSink on_error_;

  State state_ = State::kBeforeFirstHeader;
  bool finished_ = false;
  bool stretch_reported_ = false;               // one error per stretch of text outside articles
  std::optional<absl::CivilDay> capture_date_;  // of the current capture
  int64_t capture_line_ = 0;
  std::optional<absl::CivilDay> first_capture_date_;
  int64_t dump_headers_ = 0;
  LineAccounting accounting_;
  // Non-blank lines of the article being assembled (moved to in_articles when it is delivered,
  // to reported when it is dropped).
  int64_t article_lines_ = 0;

  std::string partial_line_;  // an unterminated line carried over from the previous chunk
  bool overlong_ = false;     // the carried-over line exceeds max_line_bytes: counted, not kept
  size_t overlong_length_ = 0;
  std::string overlong_head_;  // first bytes of that line, for the error excerpt

  ParsedArticle article_;  // the article being assembled
  size_t article_bytes_ = 0;
  std::string header_text_;  // its header line, for error excerpts

  size_t first_non_ascii_ = 0;  // of the line being processed, see ProcessLine
  int64_t line_number_ = 0;
  int64_t bytes_ = 0;
  int64_t articles_delivered_ = 0;
  int64_t errors_delivered_ = 0;
};

// Result of parsing a whole dump in memory.
struct ParsedFeed {
  std::optional<absl::CivilDay> capture_date;
  std::vector<ParsedArticle> articles;
  std::vector<FeedRecordError> errors;
};

// Convenience: runs a FeedParser over `content` and collects everything.
ParsedFeed ParseFeed(std::string_view content, FeedParserOptions options);

}  // namespace newsdb::ingest

#endif  // NEWSDB_SERVICES_INGEST_FEED_PARSER_H_
