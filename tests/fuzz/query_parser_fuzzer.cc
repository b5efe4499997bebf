// Fuzzes newsdb::query::ParseQuery with arbitrary bytes as the query text.
//
// Invariants: never crashes; a parsed tree passes newsdb::search::ValidateQuery and parses the
// same when wrapped in parentheses (unless that breaks the length or nesting limit); an error is
// INVALID_ARGUMENT with one BadRequest violation on `query`, and its message names a column
// within the text (or past its last character), except "query has no searchable words".
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"
#include "common/search/query_tree.h"
#include "common/status/field_errors.h"
#include "common/text/utf8.h"
#include "services/query/query_parser.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

constexpr absl::string_view kNoWords = "query: query has no searchable words";

// Code points of `text`, counting each invalid sequence as one.
size_t CountCodePoints(std::string_view text) {
  size_t count = 0;
  for (size_t pos = 0; pos < text.size(); ++count) {
    pos += newsdb::text::DecodeUtf8At(text, pos).length;
  }
  return count;
}

// The N of the first "at column N" in `message`, or 0 if there is none.
size_t ColumnIn(absl::string_view message) {
  constexpr absl::string_view kAtColumn = "at column ";
  const size_t at = message.find(kAtColumn);
  if (at == absl::string_view::npos) return 0;
  size_t end = at + kAtColumn.size();
  while (end < message.size() && message[end] >= '0' && message[end] <= '9') ++end;
  size_t column = 0;
  if (!absl::SimpleAtoi(message.substr(at + kAtColumn.size(), end - at - kAtColumn.size()),
                        &column)) {
    return 0;
  }
  return column;
}

void CheckError(const absl::Status& status, std::string_view text) {
  NEWSDB_FUZZ_CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  const std::vector<newsdb::status::FieldViolation> violations =
      newsdb::status::FieldViolationsOf(status);
  NEWSDB_FUZZ_CHECK(violations.size() == 1);
  NEWSDB_FUZZ_CHECK(violations[0].field == "query");
  if (status.message() == kNoWords) return;
  const size_t column = ColumnIn(status.message());
  NEWSDB_FUZZ_CHECK(column >= 1);
  NEWSDB_FUZZ_CHECK(column <= CountCodePoints(text) + 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const absl::StatusOr<newsdb::v1::Query> query = newsdb::query::ParseQuery(text);
  if (!query.ok()) {
    CheckError(query.status(), text);
    return 0;
  }
  NEWSDB_FUZZ_CHECK(newsdb::search::ValidateQuery(*query, "query").ok());
  const std::string tree = newsdb::search::DebugString(*query);
  NEWSDB_FUZZ_CHECK(!tree.empty());

  const std::string wrapped = "(" + text + ")";
  const absl::StatusOr<newsdb::v1::Query> wrapped_query = newsdb::query::ParseQuery(wrapped);
  if (wrapped_query.ok()) {
    NEWSDB_FUZZ_CHECK(newsdb::search::DebugString(*wrapped_query) == tree);
  } else {
    CheckError(wrapped_query.status(), wrapped);
    const absl::string_view message = wrapped_query.status().message();
    NEWSDB_FUZZ_CHECK(message.find("longer than") != absl::string_view::npos ||
                      message.find("nesting deeper") != absl::string_view::npos);
  }
  return 0;
}
