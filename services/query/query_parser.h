#ifndef NEWSDB_SERVICES_QUERY_QUERY_PARSER_H_
#define NEWSDB_SERVICES_QUERY_QUERY_PARSER_H_

// Parses the human query syntax of SearchRequest.query into the typed tree (newsdb.v1.Query).
// docs/query-syntax.md is the reference: grammar, examples and every error message. In short:
//   csto "biological safety" -putin title:summit    words and phrases, all required
//   a OR b, NOT x, -x, -"a phrase", -(a OR b)        alternatives and exclusions
//   sum*   title:x  body:"a b"  credit:(a OR b)      prefixes and field scopes
// Precedence: - and NOT bind tightest, then AND (explicit or implied by juxtaposition), then OR;
// parentheses group. Words keep their text as written (analysis happens in storage); a word or
// phrase without any letter or digit is ignored. The result is the simplest equivalent tree and
// always passes newsdb::search::ValidateQuery.
//
// Pure and thread-safe.

#include <cstddef>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "newsdb/v1/search.pb.h"

namespace newsdb::query {

// Longest query text accepted, in Unicode code points.
inline constexpr size_t kMaxQueryCharacters = 1000;

// Parses `text`. Errors: INVALID_ARGUMENT with a google.rpc.BadRequest violation on the field
// `query`, whose description names the 1-based column (in code points) of the problem, e.g.
// `query: unterminated phrase starting at column 6`; the one exception is a query without any
// searchable word (`query: query has no searchable words`). INTERNAL only for a parser bug.
absl::StatusOr<v1::Query> ParseQuery(absl::string_view text);

}  // namespace newsdb::query

#endif  // NEWSDB_SERVICES_QUERY_QUERY_PARSER_H_
