// Highlighting of matched words in titles and body fragments (newsdb.v1.Snippets). Words are found
// with the same analysis as indexing (analyzer.h), so a query for "summit" marks "Summits".
// docs/search.md ("Highlighting") describes the rules with examples.
//
// The output is the input text with tags inserted around the source text of matched words; the
// text is not HTML-escaped (the tags are whatever the caller chose). Invalid UTF-8 in the input
// comes out as U+FFFD, so the output is always valid UTF-8. All functions are thread-safe: they
// use the calling thread's ThreadLocalAnalyzer().
#ifndef NEWSDB_COMMON_TEXT_HIGHLIGHTER_H_
#define NEWSDB_COMMON_TEXT_HIGHLIGHTER_H_

#include <bitset>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "common/text/analyzer.h"

namespace newsdb::text {

// U+2026 HORIZONTAL ELLIPSIS, marking where a fragment cuts its paragraph.
inline constexpr std::string_view kEllipsis = "\xE2\x80\xA6";

// How to mark matches and how long fragments are.
struct HighlightSpec {
  std::string pre_tag = "<em>";
  std::string post_tag = "</em>";
  // Target length of a body fragment in characters (code points), tags and "…" not counted;
  // values <= 0 mean 160.
  int snippet_chars = 160;
  // Most body fragments to return; <= 0 returns none.
  int max_fragments = 2;
};

// What counts as a match: a word matches if its analysed term is in `terms` (terms as
// Analyzer::Terms() produces them) or starts with one of `prefixes` (as
// Analyzer::NormalizePrefix() produces them; "" is ignored).
struct HighlightTerms {
  absl::flat_hash_set<std::string> terms;
  std::vector<std::string> prefixes;
};

// Highlights the titles and bodies of one search's hits. Words go through one TermDictionary, so
// a word that recurs across paragraphs and hits is analysed and matched against the query once.
// `match` and `spec` must outlive the Highlighter. Not thread-safe (one per search); it uses the
// calling thread's ThreadLocalAnalyzer().
class Highlighter {
 public:
  Highlighter(const HighlightTerms& match, const HighlightSpec& spec);

  // As HighlightTitle() and HighlightBody() below.
  std::string Title(std::string_view title);
  std::vector<std::string> Body(const std::vector<std::string>& paragraphs);

 private:
  bool Matches(uint32_t term);

  const HighlightTerms& match_;
  const HighlightSpec& spec_;
  std::bitset<256> first_bytes_;  // of the terms and prefixes: other words cannot match
  TermDictionary dictionary_;
  std::vector<int8_t> matched_;  // by term number: 1 matches, 0 not, -1 not known yet
  std::vector<TermSpan> spans_;  // scratch
};

// The whole title with every matched word wrapped in the tags; "" if no word matched.
// Example: "Tokayev attends CSTO summit" with terms {"summit"} ->
// "Tokayev attends CSTO <em>summit</em>".
std::string HighlightTitle(std::string_view title, const HighlightTerms& match,
                           const HighlightSpec& spec);

// Up to spec.max_fragments fragments of the paragraphs, each within one paragraph and about
// spec.snippet_chars characters long, with matched words wrapped in the tags; {} if no word of
// any paragraph matched (callers may fall back to the start of the first paragraph).
//
// The first fragment is the window of the paragraphs that holds the most distinct matched terms
// (then the most matched words; then the earliest). Each further fragment is the window that adds
// the most terms not shown yet (then as before) without overlapping a chosen one. The matches of a
// window are centred in it; a paragraph no longer than snippet_chars is shown whole. Fragments
// start and end at word boundaries, and "…" marks each end that cuts its paragraph short.
// Fragments are returned in document order.
std::vector<std::string> HighlightBody(const std::vector<std::string>& paragraphs,
                                       const HighlightTerms& match, const HighlightSpec& spec);

}  // namespace newsdb::text

#endif  // NEWSDB_COMMON_TEXT_HIGHLIGHTER_H_
