#include "services/ingest/feed_parser.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <bit>
#include <cstdint>
#include <limits>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/text/utf8.h"

namespace newsdb::ingest {
namespace {

constexpr size_t kNpos = std::string_view::npos;
constexpr size_t kMaxExcerptBytes = 120;
// Enough raw bytes to cut an excerpt of kMaxExcerptBytes at a code point boundary.
constexpr size_t kExcerptSourceBytes = kMaxExcerptBytes + 4;
constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
constexpr std::string_view kCreditPrefix = "Images |";
constexpr std::string_view kRelevantNews = "relevant news";

inline bool IsBlank(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

inline std::string_view TrimBlanks(std::string_view s) {
  size_t begin = 0;
  while (begin < s.size() && IsBlank(s[begin])) ++begin;
  size_t end = s.size();
  while (end > begin && IsBlank(s[end - 1])) --end;
  return s.substr(begin, end - begin);
}

// Debian's Abseil is built in C++14 mode: absl::string_view is its own type there, so text
// helpers take std::string_view and convert explicitly.
inline absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (absl::ascii_tolower(static_cast<unsigned char>(a[i])) !=
        absl::ascii_tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
inline int Digit(char c) { return c - '0'; }
inline int TwoDigits(std::string_view s, size_t at) { return Digit(s[at]) * 10 + Digit(s[at + 1]); }
inline int FourDigits(std::string_view s, size_t at) {
  return TwoDigits(s, at) * 100 + TwoDigits(s, at + 2);
}

struct LineScan {
  size_t newline;          // offset of the first '\n', or npos
  size_t first_non_ascii;  // offset of the first byte >= 0x80 before it, or npos
};

// One pass finds the end of the line and whether it holds anything but ASCII, so that the UTF-8
// check, the costliest per-byte work, is skipped for ASCII lines and starts at the first
// non-ASCII byte otherwise.
LineScan ScanLine(std::string_view s) {
  const char* const data = s.data();
  const size_t size = s.size();
  size_t i = 0;
#if defined(__SSE2__)
  const __m128i newline = _mm_set1_epi8('\n');
  for (; i + 16 <= size; i += 16) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i));
    const auto newlines = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, newline)));
    const auto high = static_cast<uint32_t>(_mm_movemask_epi8(bytes));
    if ((newlines | high) == 0) continue;
    const uint32_t high_before = newlines != 0 ? high & ((newlines & -newlines) - 1) : high;
    if (high_before != 0) {
      const size_t non_ascii = i + static_cast<size_t>(std::countr_zero(high_before));
      return {s.find('\n', non_ascii), non_ascii};
    }
    if (newlines != 0) return {i + static_cast<size_t>(std::countr_zero(newlines)), kNpos};
  }
#endif
  for (; i < size; ++i) {
    const auto byte = static_cast<unsigned char>(data[i]);
    if (byte == '\n') return {i, kNpos};
    if (byte >= 0x80) return {s.find('\n', i), i};
  }
  return {kNpos, kNpos};
}

std::string Excerpt(std::string_view line) {
  return text::TruncateUtf8(text::SanitizeUtf8(text::TruncateUtf8(line, kMaxExcerptBytes)),
                            kMaxExcerptBytes);
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2) {
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return leap ? 29 : 28;
  }
  return kDays[month - 1];
}

// A line of the exact shape "DD.MM.YYYY, HH:MM VIEWS". Checked by hand: the shape test runs on
// every line of the dump, and most lines fail at the first byte.
bool HasHeaderShape(std::string_view s) {
  if (s.size() < 19 || !IsDigit(s[0])) return false;
  static constexpr std::string_view kShape = "##.##.####, ##:## ";
  for (size_t i = 1; i < kShape.size(); ++i) {
    if (kShape[i] == '#' ? !IsDigit(s[i]) : s[i] != kShape[i]) return false;
  }
  for (size_t i = kShape.size(); i < s.size(); ++i) {
    if (!IsDigit(s[i])) return false;
  }
  return true;
}

struct HeaderFields {
  absl::CivilSecond civil;
  int64_t views = 0;
  std::string error;  // empty if the fields are valid
};

HeaderFields DecodeHeader(std::string_view s) {
  HeaderFields fields;
  const int day = TwoDigits(s, 0);
  const int month = TwoDigits(s, 3);
  const int year = FourDigits(s, 6);
  const int hour = TwoDigits(s, 12);
  const int minute = TwoDigits(s, 15);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) {
    fields.error = absl::StrCat("invalid date in article header: ", Absl(s.substr(0, 10)),
                                " is not a calendar date");
    return fields;
  }
  if (hour > 23 || minute > 59) {
    fields.error = absl::StrCat("invalid time in article header: ", Absl(s.substr(12, 5)),
                                " is not a time of day");
    return fields;
  }
  int64_t views = 0;
  for (size_t i = 18; i < s.size(); ++i) {
    const int digit = Digit(s[i]);
    if (views > (std::numeric_limits<int64_t>::max() - digit) / 10) {
      fields.error = "view count out of range in article header: more than 9223372036854775807";
      return fields;
    }
    views = views * 10 + digit;
  }
  fields.civil = absl::CivilSecond(year, month, day, hour, minute, 0);
  fields.views = views;
  return fields;
}

}  // namespace

absl::TimeZone DefaultFeedTimeZone() {
  static const absl::TimeZone zone = [] {
    absl::TimeZone tz;
    if (!absl::LoadTimeZone(std::string(kDefaultFeedTimeZone), &tz)) tz = absl::UTCTimeZone();
    return tz;
  }();
  return zone;
}

absl::StatusOr<absl::TimeZone> LoadFeedTimeZone(std::string_view name) {
  const std::string zone_name =
      name.empty() ? std::string(kDefaultFeedTimeZone) : std::string(name);
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(zone_name, &zone)) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown time zone \"", absl::CHexEscape(zone_name),
                     "\" (expected an IANA name such as Asia/Almaty)"));
  }
  return zone;
}

FeedParser::FeedParser(FeedParserOptions options, ArticleSink on_article, ErrorSink on_error)
    : options_(options), on_article_(std::move(on_article)), on_error_(std::move(on_error)) {}

void FeedParser::Consume(std::string_view chunk) {
  if (finished_) return;
  bytes_ += static_cast<int64_t>(chunk.size());
  while (!chunk.empty()) {
    const LineScan scan = ScanLine(chunk);
    if (scan.newline == kNpos) {
      AppendPartialLine(chunk);
      return;
    }
    const std::string_view piece = chunk.substr(0, scan.newline);
    chunk.remove_prefix(scan.newline + 1);
    if (partial_line_.empty() && !overlong_) {
      // Common case: the whole line is inside this chunk and is parsed in place, without a copy.
      ++line_number_;
      if (piece.size() > options_.max_line_bytes) {
        ProcessOverlongLine(piece.size(), piece.substr(0, kExcerptSourceBytes));
      } else {
        ProcessLine(piece, scan.first_non_ascii);
      }
    } else {
      AppendPartialLine(piece);
      EndPartialLine();
    }
  }
}

void FeedParser::AppendPartialLine(std::string_view piece) {
  if (overlong_) {
    overlong_length_ += piece.size();
    if (overlong_head_.size() < kExcerptSourceBytes) {
      overlong_head_.append(piece.substr(0, kExcerptSourceBytes - overlong_head_.size()));
    }
    return;
  }
  if (partial_line_.size() + piece.size() <= options_.max_line_bytes) {
    partial_line_.append(piece);
    return;
  }
  // Too long to keep: remember its start for the excerpt and count the rest.
  overlong_ = true;
  overlong_length_ = partial_line_.size() + piece.size();
  overlong_head_ = partial_line_.substr(0, kExcerptSourceBytes);
  if (overlong_head_.size() < kExcerptSourceBytes) {
    overlong_head_.append(piece.substr(0, kExcerptSourceBytes - overlong_head_.size()));
  }
  partial_line_.clear();
}

void FeedParser::EndPartialLine() {
  ++line_number_;
  if (overlong_) {
    ProcessOverlongLine(overlong_length_, overlong_head_);
    overlong_ = false;
    overlong_length_ = 0;
    overlong_head_.clear();
  } else {
    ProcessLine(partial_line_, 0);  // not scanned as one piece: check all of it
    partial_line_.clear();
  }
}

void FeedParser::Finish() {
  if (finished_) return;
  if (!partial_line_.empty() || overlong_) EndPartialLine();
  CloseRecordAtHeader();  // the end of the dump closes the last record as a header would
  finished_ = true;
}

void FeedParser::ProcessLine(std::string_view raw_line, size_t first_non_ascii) {
  first_non_ascii_ = first_non_ascii;
  std::string_view line = raw_line;
  if (line_number_ == 1 && line.starts_with(kByteOrderMark)) {
    line.remove_prefix(kByteOrderMark.size());
  }
  line = TrimBlanks(line);
  if (line.empty()) {  // blank lines and lines of spaces carry nothing
    ++accounting_.blank;
    return;
  }
  if (line[0] == 'd') {
    // A dump header may start any line: scrapers append captures to one file.
    const size_t size = line.size();
    line = StripDumpHeader(line);
    if (line.size() != size && line.empty()) {
      ++accounting_.dump_header_only;
      return;
    }
  }
  if (HasHeaderShape(line)) {
    HandleHeader(line);
  } else {
    HandleText(line, raw_line);
  }
}

std::string_view FeedParser::StripDumpHeader(std::string_view line) {
  // "date YYYY-MM-DD", then the end of the line or blanks and the rest (normally the first header).
  static constexpr std::string_view kShape = "date ####-##-##";
  if (line.size() < kShape.size()) return line;
  for (size_t i = 0; i < kShape.size(); ++i) {
    if (kShape[i] == '#' ? !IsDigit(line[i]) : line[i] != kShape[i]) return line;
  }
  if (line.size() > kShape.size() && !IsBlank(line[kShape.size()])) return line;
  // A new capture: the article being assembled ends here, and text up to the next article header
  // is outside any article.
  CloseRecordAtHeader();
  state_ = State::kBeforeFirstHeader;
  ++dump_headers_;
  capture_line_ = line_number_;
  capture_date_.reset();
  const int year = FourDigits(line, 5);
  const int month = TwoDigits(line, 10);
  const int day = TwoDigits(line, 13);
  if (year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= DaysInMonth(year, month)) {
    capture_date_ = absl::CivilDay(year, month, day);
    if (dump_headers_ == 1) first_capture_date_ = capture_date_;
  } else {
    ReportError(line_number_,
                absl::StrCat("invalid capture date in dump header: ", Absl(line.substr(5, 10)),
                             " is not a calendar date"),
                line);
  }
  return TrimBlanks(line.substr(kShape.size()));
}

void FeedParser::HandleHeader(std::string_view line) {
  CloseRecordAtHeader();
  HeaderFields fields = DecodeHeader(line);
  article_lines_ = 1;
  if (!fields.error.empty()) {
    DropRecord(line_number_, std::move(fields.error), line);
    return;
  }
  article_ = ParsedArticle{};
  article_.paragraphs.reserve(16);  // typical articles have 3-20 paragraphs; avoids regrowth
  article_.line = line_number_;
  article_.capture_date = capture_date_;
  article_.capture_line = capture_line_;
  article_.published = options_.time_zone.At(fields.civil).pre;
  article_.views = fields.views;
  article_bytes_ = 0;
  header_text_.assign(line.substr(0, kExcerptSourceBytes));
  state_ = State::kExpectTitle;
}

void FeedParser::CloseRecordAtHeader() {
  switch (state_) {
    case State::kExpectTitle:
      DropRecord(article_.line, "article header without a title", header_text_);
      break;
    case State::kExpectCredit:
    case State::kBody:
      FinishArticle();
      break;
    default:
      break;
  }
  stretch_reported_ = false;
}

void FeedParser::HandleText(std::string_view line, std::string_view raw_line) {
  switch (state_) {
    case State::kBeforeFirstHeader:
      ++accounting_.reported;
      if (!stretch_reported_) {
        ReportError(line_number_, "text before the first article header ignored", line);
        stretch_reported_ = true;
      }
      return;
    case State::kAfterSeparator:
      ++accounting_.reported;
      if (!stretch_reported_) {
        ReportError(line_number_, "text after a \"relevant news\" line ignored", line);
        stretch_reported_ = true;
      }
      return;
    case State::kSkipRecord:
      ++accounting_.reported;  // inside a record whose error was reported
      return;
    case State::kExpectTitle:
      ++article_lines_;
      if (!CheckUtf8(line, raw_line) || !AddArticleBytes(line.size())) return;
      article_.title.assign(line);
      state_ = State::kExpectCredit;
      return;
    case State::kExpectCredit:
      state_ = State::kBody;
      if (line.starts_with(kCreditPrefix)) {
        ++article_lines_;
        if (!CheckUtf8(line, raw_line)) return;
        const std::string_view credit = TrimBlanks(line.substr(kCreditPrefix.size()));
        if (!AddArticleBytes(credit.size())) return;
        article_.credit.assign(credit);
        article_.credit_line = true;
        return;
      }
      break;
    case State::kBody:
      break;
  }
  // A body line.
  if (EqualsIgnoreAsciiCase(line, kRelevantNews)) {
    // Pages end with a block of links to related articles; it is not part of this article.
    FinishArticle();
    ++accounting_.separators;
    state_ = State::kAfterSeparator;
    return;
  }
  ++article_lines_;
  if (!CheckUtf8(line, raw_line) || !AddArticleBytes(line.size())) return;
  article_.paragraphs.emplace_back(line);
}

bool FeedParser::CheckUtf8(std::string_view line, std::string_view raw_line) {
  const auto line_offset = static_cast<size_t>(line.data() - raw_line.data());
  if (first_non_ascii_ >= line_offset + line.size()) return true;  // all ASCII
  const size_t skip = first_non_ascii_ > line_offset ? first_non_ascii_ - line_offset : 0;
  size_t invalid = text::FindInvalidUtf8(line.substr(skip));
  if (invalid == kNpos) return true;
  invalid += skip;
  const size_t column = line_offset + invalid + 1;
  DropRecord(line_number_, absl::StrCat("invalid UTF-8 at byte ", column, " of the line"), line);
  return false;
}

bool FeedParser::AddArticleBytes(size_t n) {
  article_bytes_ += n;
  if (article_bytes_ <= options_.max_article_bytes) return true;
  DropRecord(article_.line,
             absl::StrCat("article longer than max_article_bytes (", options_.max_article_bytes,
                          " bytes) dropped"),
             header_text_);
  return false;
}

void FeedParser::ProcessOverlongLine(size_t length, std::string_view head) {
  std::string message = absl::StrCat("line of ", length, " bytes is longer than max_line_bytes (",
                                     options_.max_line_bytes, ") and was skipped");
  switch (state_) {
    case State::kBeforeFirstHeader:
    case State::kAfterSeparator:
      ++accounting_.reported;
      if (!stretch_reported_) {
        ReportError(line_number_, std::move(message), head);
        stretch_reported_ = true;
      }
      return;
    case State::kSkipRecord:
      ++accounting_.reported;
      return;
    case State::kExpectTitle:
    case State::kExpectCredit:
    case State::kBody:
      ++article_lines_;
      DropRecord(line_number_, std::move(message), head);
      return;
  }
}

void FeedParser::FinishArticle() {
  article_.id = article::ComputeArticleId(article_.published, article_.title);
  accounting_.in_articles += article_lines_;
  article_lines_ = 0;
  ++articles_delivered_;
  on_article_(std::move(article_));
  article_ = ParsedArticle{};
  state_ = State::kSkipRecord;
}

void FeedParser::DropRecord(int64_t line_number, std::string message,
                            std::string_view excerpt_source) {
  ReportError(line_number, std::move(message), excerpt_source);
  accounting_.reported += article_lines_;
  article_lines_ = 0;
  article_ = ParsedArticle{};
  article_bytes_ = 0;
  state_ = State::kSkipRecord;
}

void FeedParser::ReportError(int64_t line_number, std::string message,
                             std::string_view excerpt_source) {
  ++errors_delivered_;
  on_error_(FeedRecordError{line_number, std::move(message), Excerpt(excerpt_source)});
}

ParsedFeed ParseFeed(std::string_view content, FeedParserOptions options) {
  ParsedFeed feed;
  FeedParser parser(
      options, [&feed](ParsedArticle article) { feed.articles.push_back(std::move(article)); },
      [&feed](FeedRecordError error) { feed.errors.push_back(std::move(error)); });
  parser.Consume(content);
  parser.Finish();
  feed.capture_date = parser.capture_date();
  return feed;
}

}  // namespace newsdb::ingest
