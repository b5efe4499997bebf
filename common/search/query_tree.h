#ifndef NEWSDB_COMMON_SEARCH_QUERY_TREE_H_
#define NEWSDB_COMMON_SEARCH_QUERY_TREE_H_

// Checks and prints typed query trees (newsdb.v1.Query). The query service validates the `match`
// of a SearchRequest and the trees its parser builds; storage validates SearchShard input. Both
// use these functions, so a tree that one side accepts the other accepts too.
//
// Limits of a valid tree (the human query syntax, docs/query-syntax.md, enforces the same):
// - every node sets its oneof; term and phrase texts are non-empty, valid UTF-8 and at most
//   kMaxQueryTextBytes bytes; a prefix is valid UTF-8, at most kMaxQueryTextBytes bytes and
//   analyses into exactly one word of at least kMinPrefixCharacters code points
//   (PrefixCharacters);
// - every `field` is a known SearchField value;
// - all_of, any_of and none_of have at least one child;
// - at most kMaxQueryDepth nodes on any path from the root to a leaf (a lone term has depth 1);
// - at most kMaxQueryLeaves leaves (term, phrase, prefix and match_all nodes).
//
// All functions are pure and thread-safe.

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "newsdb/v1/search.pb.h"

namespace newsdb::search {

inline constexpr size_t kMaxQueryTextBytes = 1000;
inline constexpr size_t kMinPrefixCharacters = 2;
inline constexpr int kMaxQueryDepth = 32;
inline constexpr int kMaxQueryLeaves = 256;

// At most this many violations are listed; validation stops collecting after that.
inline constexpr size_t kMaxQueryViolations = 20;

// Number of code points of `prefix` as storage matches it (text::Analyzer::NormalizePrefix:
// tokenised and case-folded, not stemmed): "Sum" -> 3, "ß" -> 2 ("ss"), "U.S" -> 2 ("us"),
// "Қа" -> 2. 0 unless `prefix` holds exactly one word ("--", "a-b", "3.5" -> 0). This is the
// length compared with kMinPrefixCharacters.
size_t PrefixCharacters(absl::string_view prefix);

// OK if `query` is a valid tree. Otherwise INVALID_ARGUMENT with one google.rpc.BadRequest
// violation per problem (at most kMaxQueryViolations), each naming the path below `field_path`,
// e.g. `match.all_of.queries[1].term.text: must not be empty`. An empty `field_path` makes the
// paths start at the node (`all_of.queries[1]...`) and names the root itself `query`. Never
// descends below kMaxQueryDepth + 1 levels, so any tree is safe to check.
absl::Status ValidateQuery(const v1::Query& query, absl::string_view field_path);

// A compact canonical S-expression of `query`, for tests and logs:
//   (and (term "csto") (phrase body "biological safety") (not (term "putin")) (prefix title "sum"))
// Nodes: (term [FIELD] "TEXT"), (phrase [FIELD] "TEXT"), (prefix [FIELD] "PREFIX"), (and ...),
// (or ...), (not ...), (all) for match_all, (unset) for a node without a kind. FIELD is title,
// body or credit, omitted when unspecified, and `field:N` for an unknown value N. Texts are
// quoted with `"` and `\` escaped as `\"` and `\\`, and control characters as `\n`, `\t`, `\r`
// or `\xHH`; other bytes (UTF-8 included) are copied. Recurses once per tree level.
std::string DebugString(const v1::Query& query);

}  // namespace newsdb::search

#endif  // NEWSDB_COMMON_SEARCH_QUERY_TREE_H_
