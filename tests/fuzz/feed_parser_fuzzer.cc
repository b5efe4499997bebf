// Fuzzes newsdb::ingest::FeedParser with arbitrary bytes.
//
// Input layout: byte 0 picks options (bit 0: Asia/Almaty instead of UTC, bit 1: max_line_bytes
// 64, bit 2: max_article_bytes 300), byte 1 picks where the dump is split into two chunks
// (byte1 / 256 of its length), the rest is the dump. Seeds start with printable control bytes
// ('@' = defaults) so that they stay readable.
//
// Invariants: articles have a non-empty title, valid UTF-8 everywhere, strictly increasing header
// lines and the id ComputeArticleId gives; errors have a line within the dump and a valid excerpt
// of at most 120 bytes; no line vanishes (blank + dump headers alone + separators + article lines
// + reported lines == lines, and the blank count is what the bytes say); capture lines never
// pass their article's header line and never decrease; and the result is the same for one chunk,
// two chunks and (for small inputs) one byte at a time.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "common/article/article_id.h"
#include "common/text/utf8.h"
#include "services/ingest/feed_parser.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using newsdb::ingest::FeedParser;
using newsdb::ingest::FeedParserOptions;
using newsdb::ingest::FeedRecordError;
using newsdb::ingest::ParsedArticle;
using newsdb::ingest::ParsedFeed;

struct Run {
  ParsedFeed feed;
  int64_t lines = 0;
  int64_t bytes = 0;
  int64_t dump_headers = 0;
  FeedParser::LineAccounting accounting;
};

Run ParseInChunks(std::string_view dump, const FeedParserOptions& options,
                  const std::vector<size_t>& cuts) {
  Run run;
  FeedParser parser(
      options, [&run](ParsedArticle article) { run.feed.articles.push_back(std::move(article)); },
      [&run](FeedRecordError error) { run.feed.errors.push_back(std::move(error)); });
  size_t begin = 0;
  for (const size_t cut : cuts) {
    parser.Consume(dump.substr(begin, cut - begin));
    begin = cut;
  }
  parser.Consume(dump.substr(begin));
  parser.Finish();
  run.feed.capture_date = parser.capture_date();
  run.lines = parser.lines();
  run.bytes = parser.bytes();
  run.dump_headers = parser.dump_headers();
  run.accounting = parser.line_accounting();
  return run;
}

bool SameArticle(const ParsedArticle& a, const ParsedArticle& b) {
  return a.line == b.line && a.published == b.published && a.title == b.title &&
         a.credit == b.credit && a.paragraphs == b.paragraphs && a.views == b.views &&
         a.id == b.id && a.capture_date == b.capture_date && a.capture_line == b.capture_line &&
         a.credit_line == b.credit_line;
}

bool SameAccounting(const FeedParser::LineAccounting& a, const FeedParser::LineAccounting& b) {
  return a.blank == b.blank && a.dump_header_only == b.dump_header_only &&
         a.separators == b.separators && a.in_articles == b.in_articles && a.reported == b.reported;
}

bool IsFeedBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

// Lines that are empty once trimmed (and, on line 1, once a byte order mark is removed).
int64_t BlankLines(std::string_view dump) {
  int64_t blank = 0;
  bool first = true;
  while (!dump.empty()) {
    const size_t end = dump.find('\n');
    std::string_view line = dump.substr(0, end);
    dump.remove_prefix(end == std::string_view::npos ? dump.size() : end + 1);
    if (first && line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);
    first = false;
    bool empty = true;
    for (const char c : line) empty = empty && IsFeedBlank(c);
    blank += empty ? 1 : 0;
  }
  return blank;
}

bool SameRun(const Run& a, const Run& b) {
  if (a.lines != b.lines || a.bytes != b.bytes || a.feed.capture_date != b.feed.capture_date ||
      a.dump_headers != b.dump_headers || !SameAccounting(a.accounting, b.accounting) ||
      a.feed.articles.size() != b.feed.articles.size() ||
      a.feed.errors.size() != b.feed.errors.size()) {
    return false;
  }
  for (size_t i = 0; i < a.feed.articles.size(); ++i) {
    if (!SameArticle(a.feed.articles[i], b.feed.articles[i])) return false;
  }
  for (size_t i = 0; i < a.feed.errors.size(); ++i) {
    const FeedRecordError& x = a.feed.errors[i];
    const FeedRecordError& y = b.feed.errors[i];
    if (x.line != y.line || x.message != y.message || x.excerpt != y.excerpt) return false;
  }
  return true;
}

void CheckInvariants(const Run& run, std::string_view dump, size_t max_line_bytes) {
  NEWSDB_FUZZ_CHECK(run.bytes == static_cast<int64_t>(dump.size()));
  int64_t newlines = 0;
  for (const char c : dump) newlines += c == '\n' ? 1 : 0;
  NEWSDB_FUZZ_CHECK(run.lines == newlines + ((dump.empty() || dump.back() == '\n') ? 0 : 1));
  const FeedParser::LineAccounting& tally = run.accounting;
  NEWSDB_FUZZ_CHECK(tally.blank + tally.dump_header_only + tally.separators + tally.in_articles +
                        tally.reported ==
                    run.lines);
  // An over-long line is skipped unread, so a line of blanks longer than max_line_bytes counts as
  // reported or as an article's line, not as blank.
  if (dump.size() <= max_line_bytes) {
    NEWSDB_FUZZ_CHECK(tally.blank == BlankLines(dump));
  } else {
    NEWSDB_FUZZ_CHECK(tally.blank <= BlankLines(dump));
  }
  NEWSDB_FUZZ_CHECK(tally.dump_header_only <= run.dump_headers);
  int64_t previous_line = 0;
  int64_t previous_capture = 0;
  int64_t article_lines = 0;
  for (const ParsedArticle& article : run.feed.articles) {
    NEWSDB_FUZZ_CHECK(article.line > previous_line);
    NEWSDB_FUZZ_CHECK(article.line <= run.lines);
    NEWSDB_FUZZ_CHECK(article.capture_line <= article.line);
    NEWSDB_FUZZ_CHECK(article.capture_line >= previous_capture);
    if (run.dump_headers == 0) {
      NEWSDB_FUZZ_CHECK(article.capture_line == 0 && !article.capture_date.has_value());
    }
    previous_line = article.line;
    previous_capture = article.capture_line;
    article_lines +=
        2 + (article.credit_line ? 1 : 0) + static_cast<int64_t>(article.paragraphs.size());
    NEWSDB_FUZZ_CHECK(!article.title.empty());
    NEWSDB_FUZZ_CHECK(newsdb::text::IsValidUtf8(article.title));
    NEWSDB_FUZZ_CHECK(newsdb::text::IsValidUtf8(article.credit));
    NEWSDB_FUZZ_CHECK(article.views >= 0);
    NEWSDB_FUZZ_CHECK(article.published != absl::InfinitePast() &&
                      article.published != absl::InfiniteFuture());
    for (const std::string& paragraph : article.paragraphs) {
      NEWSDB_FUZZ_CHECK(!paragraph.empty());
      NEWSDB_FUZZ_CHECK(newsdb::text::IsValidUtf8(paragraph));
    }
    NEWSDB_FUZZ_CHECK(article.id ==
                      newsdb::article::ComputeArticleId(article.published, article.title));
  }
  NEWSDB_FUZZ_CHECK(article_lines == tally.in_articles);
  for (const FeedRecordError& error : run.feed.errors) {
    NEWSDB_FUZZ_CHECK(error.line >= 1 && error.line <= run.lines);
    NEWSDB_FUZZ_CHECK(!error.message.empty());
    NEWSDB_FUZZ_CHECK(error.excerpt.size() <= 120);
    NEWSDB_FUZZ_CHECK(newsdb::text::IsValidUtf8(error.excerpt));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  static const absl::TimeZone kAlmaty = newsdb::ingest::DefaultFeedTimeZone();
  const uint8_t control = data[0];
  const std::string_view dump(reinterpret_cast<const char*>(data + 2), size - 2);
  const size_t split = static_cast<size_t>(data[1]) * dump.size() / 256;

  FeedParserOptions options;
  options.time_zone = (control & 1) != 0 ? kAlmaty : absl::UTCTimeZone();
  if ((control & 2) != 0) options.max_line_bytes = 64;
  if ((control & 4) != 0) options.max_article_bytes = 300;

  const Run whole = ParseInChunks(dump, options, {});
  CheckInvariants(whole, dump, options.max_line_bytes);
  const Run two = ParseInChunks(dump, options, {split});
  NEWSDB_FUZZ_CHECK(SameRun(whole, two));
  if (dump.size() <= 4096) {
    std::vector<size_t> every_byte;
    for (size_t i = 1; i < dump.size(); ++i) every_byte.push_back(i);
    NEWSDB_FUZZ_CHECK(SameRun(whole, ParseInChunks(dump, options, every_byte)));
  }
  return 0;
}
