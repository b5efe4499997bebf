// Fuzzes newsdb::text::Analyzer with arbitrary bytes as text.
//
// Invariants: never crashes or reads outside the text; tokens have consecutive positions,
// increasing non-empty source spans inside the text, and valid UTF-8 terms of at most
// kMaxTermBytes; Terms() gives the tokens' terms; AnalyzeTerms() (indexing) gives the same terms
// and positions, both with a new TermDictionary and with one that has seen every earlier input
// (its word table's hits, growth and long words); AnalyzeTermSpans() (highlighting) gives the
// same terms and source spans, and with a first-byte filter drops only words whose terms start
// with other bytes; a Highlighter reused across inputs gives what a fresh one gives.
#include <algorithm>
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/text/analyzer.h"
#include "common/text/highlighter.h"
#include "common/text/utf8.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using newsdb::text::Analyzer;
using newsdb::text::TermDictionary;
using newsdb::text::TermPosition;
using newsdb::text::TermSpan;
using newsdb::text::Token;

void CheckAnalyzeTerms(Analyzer& analyzer, std::string_view text, const std::vector<Token>& tokens,
                       TermDictionary* dictionary) {
  std::vector<TermPosition> numbered;
  const uint32_t next = analyzer.AnalyzeTerms(text, 7, dictionary, &numbered);
  NEWSDB_FUZZ_CHECK(next == 7 + tokens.size());
  NEWSDB_FUZZ_CHECK(numbered.size() == tokens.size());
  for (size_t i = 0; i < tokens.size(); ++i) {
    NEWSDB_FUZZ_CHECK(numbered[i].position == tokens[i].position);
    NEWSDB_FUZZ_CHECK(numbered[i].term < dictionary->size());
    NEWSDB_FUZZ_CHECK(dictionary->term(numbered[i].term) == tokens[i].term);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // An exact-size copy, so that AddressSanitizer reports any read past the text.
  const std::vector<char> bytes(data, data + size);
  const std::string_view text(bytes.data(), bytes.size());
  Analyzer& analyzer = newsdb::text::ThreadLocalAnalyzer();

  std::vector<Token> tokens;
  const uint32_t next = analyzer.Analyze(text, 7, &tokens);
  NEWSDB_FUZZ_CHECK(next == 7 + tokens.size());
  std::vector<std::string> terms;
  uint32_t previous_end = 0;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& token = tokens[i];
    NEWSDB_FUZZ_CHECK(token.position == 7 + i);
    NEWSDB_FUZZ_CHECK(previous_end <= token.begin && token.begin < token.end);
    NEWSDB_FUZZ_CHECK(token.end <= text.size());
    NEWSDB_FUZZ_CHECK(!token.term.empty() && token.term.size() <= newsdb::text::kMaxTermBytes);
    NEWSDB_FUZZ_CHECK(newsdb::text::IsValidUtf8(token.term));
    previous_end = token.end;
    terms.push_back(token.term);
  }
  NEWSDB_FUZZ_CHECK(analyzer.Terms(text) == terms);

  TermDictionary fresh;
  CheckAnalyzeTerms(analyzer, text, tokens, &fresh);
  std::vector<TermSpan> spans;
  analyzer.AnalyzeTermSpans(text, &fresh, &spans);
  NEWSDB_FUZZ_CHECK(spans.size() == tokens.size());
  for (size_t i = 0; i < tokens.size(); ++i) {
    NEWSDB_FUZZ_CHECK(fresh.term(spans[i].term) == tokens[i].term);
    NEWSDB_FUZZ_CHECK(spans[i].begin == tokens[i].begin && spans[i].end == tokens[i].end);
  }
  // With a first-byte filter (the input's first byte, 'e', 's' and 0xD0): a word it drops has a
  // term that starts with another byte.
  std::bitset<256> first_bytes;
  for (const uint8_t byte : {uint8_t{'e'}, uint8_t{'s'}, uint8_t{0xD0}}) first_bytes.set(byte);
  if (size > 0) first_bytes.set(data[0]);
  spans.clear();
  TermDictionary filtered;
  analyzer.AnalyzeTermSpans(text, &filtered, &spans, &first_bytes);
  NEWSDB_FUZZ_CHECK(spans.size() == tokens.size());
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (spans[i].term == TermSpan::kNoTerm) {
      NEWSDB_FUZZ_CHECK(!first_bytes.test(static_cast<uint8_t>(tokens[i].term.front())));
    } else {
      NEWSDB_FUZZ_CHECK(filtered.term(spans[i].term) == tokens[i].term);
    }
  }
  static TermDictionary* const seen = new TermDictionary();
  CheckAnalyzeTerms(analyzer, text, tokens, seen);
  CheckAnalyzeTerms(analyzer, text, tokens, seen);

  // Highlighting, with the input's lines as paragraphs: with every third term of the input as the
  // query, the output is valid UTF-8 and the same when asked again; with a fixed query, a
  // Highlighter that has seen every earlier input (its dictionary grown) gives what a fresh one
  // gives.
  std::vector<std::string> paragraphs;
  for (size_t begin = 0; begin <= text.size();) {
    const size_t end = std::min(text.find('\n', begin), text.size());
    paragraphs.emplace_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  newsdb::text::HighlightTerms match;
  for (size_t i = 0; i < terms.size(); i += 3) match.terms.insert(terms[i]);
  if (!terms.empty()) match.prefixes.push_back(terms.back().substr(0, 2));
  newsdb::text::HighlightSpec spec;
  spec.snippet_chars = 1 + static_cast<int>(size % 97);
  newsdb::text::Highlighter highlighter(match, spec);
  const std::vector<std::string> fragments = highlighter.Body(paragraphs);
  for (const std::string& fragment : fragments) {
    NEWSDB_FUZZ_CHECK(newsdb::text::IsValidUtf8(fragment));
  }
  const std::string title = highlighter.Title(text);
  NEWSDB_FUZZ_CHECK(newsdb::text::IsValidUtf8(title));
  NEWSDB_FUZZ_CHECK(highlighter.Body(paragraphs) == fragments);

  static const newsdb::text::HighlightTerms* const fixed_match = [] {
    auto* fixed = new newsdb::text::HighlightTerms();
    for (std::string& term : newsdb::text::ThreadLocalAnalyzer().Terms("the summit e s 1 Қ")) {
      fixed->terms.insert(std::move(term));
    }
    fixed->prefixes.push_back("a");
    return fixed;
  }();
  static const newsdb::text::HighlightSpec* const fixed_spec = new newsdb::text::HighlightSpec();
  static newsdb::text::Highlighter* const reused =
      new newsdb::text::Highlighter(*fixed_match, *fixed_spec);
  newsdb::text::Highlighter fresh_highlighter(*fixed_match, *fixed_spec);
  NEWSDB_FUZZ_CHECK(reused->Body(paragraphs) == fresh_highlighter.Body(paragraphs));
  NEWSDB_FUZZ_CHECK(reused->Title(text) == fresh_highlighter.Title(text));
  return 0;
}
