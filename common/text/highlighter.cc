#include "common/text/highlighter.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <tuple>
#include <utility>

#include "absl/strings/string_view.h"
#include "common/text/utf8.h"

namespace newsdb::text {
namespace {

constexpr int kDefaultSnippetChars = 160;

bool MatchesTerm(std::string_view term, const HighlightTerms& match) {
  if (match.terms.contains(absl::string_view(term.data(), term.size()))) return true;
  for (const std::string& prefix : match.prefixes) {
    if (!prefix.empty() && term.size() >= prefix.size() &&
        term.compare(0, prefix.size(), prefix) == 0) {
      return true;
    }
  }
  return false;
}

// Appends `text`, replacing invalid UTF-8 so that the result can go into a protobuf string.
// Callers split text only at token boundaries, which are code point boundaries.
void AppendValidUtf8(std::string_view text, std::string& out) {
  if (FindInvalidUtf8(text) == std::string_view::npos) {
    out.append(text);
  } else {
    out.append(SanitizeUtf8(text));
  }
}

// Code points in `text`, counting each stray continuation byte of invalid input as nothing.
uint32_t CountChars(std::string_view text) {
  uint32_t chars = 0;
  for (const char c : text) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return chars;
}

// A piece of text to mark: bytes [begin, end), holding tokens [first_token, last_token].
struct MarkedRange {
  size_t begin;
  size_t end;
  size_t first_token;
  size_t last_token;
};

// Appends the range of `text` with its matched tokens wrapped in tags.
void AppendMarked(std::string_view text, const MarkedRange& range,
                  const std::vector<TermSpan>& tokens, const std::vector<bool>& matched,
                  const HighlightSpec& spec, std::string& out) {
  const size_t end = range.end;
  size_t cursor = range.begin;
  for (size_t i = range.first_token; i <= range.last_token && i < tokens.size(); ++i) {
    if (!matched[i]) continue;
    AppendValidUtf8(text.substr(cursor, tokens[i].begin - cursor), out);
    out.append(spec.pre_tag);
    AppendValidUtf8(text.substr(tokens[i].begin, tokens[i].end - tokens[i].begin), out);
    out.append(spec.post_tag);
    cursor = tokens[i].end;
  }
  AppendValidUtf8(text.substr(cursor, end - cursor), out);
}

// One paragraph's words, with their character offsets and whether they match.
struct AnalysedParagraph {
  std::vector<TermSpan> tokens;
  std::vector<uint32_t> char_begins;
  std::vector<uint32_t> char_ends;
  std::vector<bool> matched;
  std::vector<size_t> matched_tokens;  // indices into `tokens`
  uint32_t chars = 0;
};

template <typename IsMatch>
AnalysedParagraph AnalyseParagraph(std::string_view text, TermDictionary& dictionary,
                                   const std::bitset<256>& first_bytes, IsMatch&& is_match) {
  AnalysedParagraph paragraph;
  ThreadLocalAnalyzer().AnalyzeTermSpans(text, &dictionary, &paragraph.tokens, &first_bytes);
  const size_t count = paragraph.tokens.size();
  paragraph.char_begins.reserve(count);
  paragraph.char_ends.reserve(count);
  paragraph.matched.reserve(count);
  size_t byte = 0;
  uint32_t chars = 0;
  for (size_t i = 0; i < count; ++i) {
    const TermSpan& token = paragraph.tokens[i];
    chars += CountChars(text.substr(byte, token.begin - byte));
    paragraph.char_begins.push_back(chars);
    chars += CountChars(text.substr(token.begin, token.end - token.begin));
    paragraph.char_ends.push_back(chars);
    byte = token.end;
    const bool matched = is_match(token.term);
    paragraph.matched.push_back(matched);
    if (matched) paragraph.matched_tokens.push_back(i);
  }
  paragraph.chars = chars + CountChars(text.substr(byte));
  return paragraph;
}

// A candidate fragment.
struct Window {
  size_t paragraph;
  size_t first_token;  // first and last token shown
  size_t last_token;
  size_t begin_byte;  // source text shown
  size_t end_byte;
  bool cut_before;
  bool cut_after;
  // Distinct matched terms, as sorted term numbers (not views of the dictionary's strings: those
  // move when it grows).
  std::vector<uint32_t> terms;
  size_t matches;
};

// The window whose matched words are matched_tokens[first_match..last_match], widened with
// context to about `budget` characters.
Window MakeWindow(size_t paragraph_index, std::string_view text, const AnalysedParagraph& paragraph,
                  size_t first_match, size_t last_match, uint32_t budget) {
  Window window;
  window.paragraph = paragraph_index;
  window.matches = last_match - first_match + 1;
  for (size_t m = first_match; m <= last_match; ++m) {
    window.terms.push_back(paragraph.tokens[paragraph.matched_tokens[m]].term);
  }
  std::sort(window.terms.begin(), window.terms.end());
  window.terms.erase(std::unique(window.terms.begin(), window.terms.end()), window.terms.end());

  const size_t last_index = paragraph.tokens.size() - 1;
  size_t first_token = 0;
  size_t last_token = last_index;
  if (paragraph.chars > budget) {
    const size_t first_matched = paragraph.matched_tokens[first_match];
    const size_t last_matched = paragraph.matched_tokens[last_match];
    const int64_t match_begin = paragraph.char_begins[first_matched];
    const int64_t match_end = paragraph.char_ends[last_matched];
    const int64_t slack = std::max<int64_t>(0, int64_t{budget} - (match_end - match_begin));
    int64_t begin = match_begin - slack / 2;
    int64_t end = match_end + (slack - slack / 2);
    if (begin < 0) {
      end -= begin;
      begin = 0;
    }
    if (end > int64_t{paragraph.chars}) {
      begin = std::max<int64_t>(0, begin - (end - paragraph.chars));
      end = paragraph.chars;
    }
    // The first word starting at or after `begin`, and the last word ending at or before `end`;
    // the matched words themselves always qualify.
    first_token = static_cast<size_t>(
        std::lower_bound(paragraph.char_begins.begin(), paragraph.char_begins.end(), begin) -
        paragraph.char_begins.begin());
    first_token = std::min(first_token, first_matched);
    last_token = static_cast<size_t>(
        std::upper_bound(paragraph.char_ends.begin(), paragraph.char_ends.end(), end) -
        paragraph.char_ends.begin());
    last_token = last_token == 0 ? 0 : last_token - 1;
    last_token = std::max(last_token, last_matched);
  }
  window.first_token = first_token;
  window.last_token = last_token;
  window.cut_before = first_token > 0;
  window.cut_after = last_token < last_index;
  window.begin_byte = window.cut_before ? paragraph.tokens[first_token].begin : 0;
  window.end_byte = window.cut_after ? paragraph.tokens[last_token].end : text.size();
  // A whole paragraph's edges may hold spaces; a fragment should not.
  auto is_space = [](char c) { return c == ' ' || (c >= '\t' && c <= '\r'); };
  while (window.begin_byte < window.end_byte && is_space(text[window.begin_byte])) {
    ++window.begin_byte;
  }
  while (window.end_byte > window.begin_byte && is_space(text[window.end_byte - 1])) {
    --window.end_byte;
  }
  return window;
}

bool Overlaps(const Window& a, const Window& b) {
  return a.paragraph == b.paragraph && a.begin_byte < b.end_byte && b.begin_byte < a.end_byte;
}

size_t CountNewTerms(const Window& window, const std::vector<uint32_t>& shown) {
  size_t count = 0;
  for (const uint32_t term : window.terms) {
    if (!std::binary_search(shown.begin(), shown.end(), term)) ++count;
  }
  return count;
}

}  // namespace

Highlighter::Highlighter(const HighlightTerms& match, const HighlightSpec& spec)
    : match_(match), spec_(spec) {
  for (const std::string& term : match.terms) {
    if (!term.empty()) first_bytes_.set(static_cast<uint8_t>(term.front()));
  }
  for (const std::string& prefix : match.prefixes) {
    if (!prefix.empty()) first_bytes_.set(static_cast<uint8_t>(prefix.front()));
  }
}

bool Highlighter::Matches(uint32_t term) {
  if (term == TermSpan::kNoTerm) return false;
  if (term >= matched_.size()) matched_.resize(dictionary_.size(), -1);
  if (matched_[term] < 0) matched_[term] = MatchesTerm(dictionary_.term(term), match_) ? 1 : 0;
  return matched_[term] == 1;
}

std::string Highlighter::Title(std::string_view title) {
  spans_.clear();
  ThreadLocalAnalyzer().AnalyzeTermSpans(title, &dictionary_, &spans_, &first_bytes_);
  std::vector<bool> matched(spans_.size());
  bool any = false;
  for (size_t i = 0; i < spans_.size(); ++i) {
    matched[i] = Matches(spans_[i].term);
    any |= matched[i];
  }
  if (!any) return "";
  std::string out;
  out.reserve(title.size() + 4 * (spec_.pre_tag.size() + spec_.post_tag.size()));
  AppendMarked(title, {0, title.size(), 0, spans_.size() - 1}, spans_, matched, spec_, out);
  return out;
}

std::vector<std::string> Highlighter::Body(const std::vector<std::string>& paragraphs) {
  const HighlightSpec& spec = spec_;
  if (spec.max_fragments <= 0) return {};
  const auto budget =
      static_cast<uint32_t>(spec.snippet_chars > 0 ? spec.snippet_chars : kDefaultSnippetChars);

  std::vector<AnalysedParagraph> analysed;
  analysed.reserve(paragraphs.size());
  std::vector<Window> candidates;
  for (size_t p = 0; p < paragraphs.size(); ++p) {
    analysed.push_back(AnalyseParagraph(paragraphs[p], dictionary_, first_bytes_,
                                        [this](uint32_t term) { return Matches(term); }));
    const AnalysedParagraph& paragraph = analysed.back();
    const std::vector<size_t>& matched = paragraph.matched_tokens;
    // One candidate per matched word: the window that starts at it and takes the following
    // matched words while they fit in the budget.
    for (size_t first = 0; first < matched.size(); ++first) {
      size_t last = first;
      while (last + 1 < matched.size() &&
             paragraph.char_ends[matched[last + 1]] - paragraph.char_begins[matched[first]] <=
                 budget) {
        ++last;
      }
      candidates.push_back(MakeWindow(p, paragraphs[p], paragraph, first, last, budget));
      if (paragraph.chars <= budget) break;  // the whole paragraph: one candidate is enough
    }
  }
  if (candidates.empty()) return {};

  std::vector<const Window*> chosen;
  std::vector<uint32_t> shown_terms;  // sorted
  while (chosen.size() < static_cast<size_t>(spec.max_fragments)) {
    const Window* best = nullptr;
    std::tuple<size_t, size_t, size_t> best_score;
    for (const Window& candidate : candidates) {
      if (std::any_of(chosen.begin(), chosen.end(),
                      [&](const Window* window) { return Overlaps(*window, candidate); })) {
        continue;
      }
      const std::tuple<size_t, size_t, size_t> score{CountNewTerms(candidate, shown_terms),
                                                     candidate.terms.size(), candidate.matches};
      if (best == nullptr || score > best_score) {  // ties: the earlier candidate
        best = &candidate;
        best_score = score;
      }
    }
    if (best == nullptr) break;
    chosen.push_back(best);
    shown_terms.insert(shown_terms.end(), best->terms.begin(), best->terms.end());
    std::sort(shown_terms.begin(), shown_terms.end());
    shown_terms.erase(std::unique(shown_terms.begin(), shown_terms.end()), shown_terms.end());
  }

  std::sort(chosen.begin(), chosen.end(), [](const Window* a, const Window* b) {
    return std::tie(a->paragraph, a->begin_byte) < std::tie(b->paragraph, b->begin_byte);
  });
  std::vector<std::string> fragments;
  fragments.reserve(chosen.size());
  for (const Window* window : chosen) {
    const AnalysedParagraph& paragraph = analysed[window->paragraph];
    std::string fragment;
    if (window->cut_before) fragment.append(kEllipsis);
    AppendMarked(paragraphs[window->paragraph],
                 {window->begin_byte, window->end_byte, window->first_token, window->last_token},
                 paragraph.tokens, paragraph.matched, spec, fragment);
    if (window->cut_after) fragment.append(kEllipsis);
    fragments.push_back(std::move(fragment));
  }
  return fragments;
}

std::string HighlightTitle(std::string_view title, const HighlightTerms& match,
                           const HighlightSpec& spec) {
  return Highlighter(match, spec).Title(title);
}

std::vector<std::string> HighlightBody(const std::vector<std::string>& paragraphs,
                                       const HighlightTerms& match, const HighlightSpec& spec) {
  return Highlighter(match, spec).Body(paragraphs);
}

}  // namespace newsdb::text
