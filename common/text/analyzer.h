// Text analysis shared by indexing (storage) and querying (query): tokenising, Unicode case folding
// and English stemming. Indexed text and query text must go through the same Analyzer rules, so
// that a query word finds the indexed words it was meant to; docs/search.md ("Text analysis")
// lists every rule with examples, and tests/unit/common/text/analyzer_test.cc checks each.
//
// Summary of the rules:
//  - A word is a maximal run of letters, digits (Unicode general categories L* and N*, any
//    script) and combining marks (Mn, Mc; never at the start of a word). Everything else
//    separates words, including invalid UTF-8 bytes, hyphens, underscores and currency symbols.
//  - Inside a word an apostrophe (U+0027 ', U+2019 ’, U+02BC ʼ) followed by a letter or digit
//    joins the two parts ("o'clock" -> "oclock"), except a possessive "'s" at the end of a word,
//    which is dropped ("Kazakhstan’s" -> "kazakhstan"). A soft hyphen (U+00AD), zero-width
//    non-joiner/joiner (U+200C, U+200D) or word joiner (U+2060) inside a word is dropped.
//  - Single letters separated by dots form one word: "U.S." -> "us", "U.S.A" -> "usa".
//  - A comma between digit groups in thousands grouping joins them: "2,500" -> "2500",
//    "1,000,000" -> "1000000". Any other comma and every dot split: "3.5" -> "3", "5".
//  - Each word is case-folded with Unicode full case folding ("ТУРКЕСТАН" -> "туркестан",
//    "Straße" -> "strasse"); a word holding a combining mark is then put in NFC.
//  - A folded word made only of the letters a-z is stemmed with Snowball English ("summits" ->
//    "summit"); words with digits or other letters are left as they are. There are no stop words.
//  - A folded word longer than kMaxTermBytes is cut to its first kMaxTermBytes bytes (at a
//    character boundary) and not stemmed.
#ifndef NEWSDB_COMMON_TEXT_ANALYZER_H_
#define NEWSDB_COMMON_TEXT_ANALYZER_H_

#include <bitset>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"

struct sb_stemmer;

namespace newsdb::text {

// Longest analysed term, in bytes.
inline constexpr size_t kMaxTermBytes = 64;

// An Analyzer remembers the stems of the last this-many distinct words it stemmed, and of up to as
// many before them that it has not seen again since (two generations: a full one becomes the old
// one, so frequent words survive the turnover).
inline constexpr size_t kMaxCachedStems = 32768;

// One word of analysed text.
struct Token {
  // The analysed form: case-folded, then English-stemmed if it is made only of a-z.
  std::string term;
  // Index of the word in the analysed text, counted from `first_position` of Analyze().
  uint32_t position;
  // Byte offsets [begin, end) of the word's source text in the input, for highlighting. The span
  // includes a dropped possessive "'s" and the dots of a dotted acronym ("U.S.").
  uint32_t begin;
  uint32_t end;

  friend bool operator==(const Token&, const Token&) = default;
};

// The terms of a batch of analysed text, numbered 0, 1, 2, ... in order of first appearance, for
// Analyzer::AnalyzeTerms(). It also remembers which term each word of the text (case-folded, not
// yet stemmed) became, so that a repeated word costs one hash lookup instead of a stem cache
// lookup, a string copy and a second lookup to number the term. It grows with the distinct words it
// sees: use one per batch of documents. Not thread-safe.
class TermDictionary {
 public:
  size_t size() const { return terms_.size(); }
  const std::string& term(uint32_t number) const { return terms_[number]; }
  const std::vector<std::string>& terms() const { return terms_; }

 private:
  friend class Analyzer;
  static constexpr uint32_t kNotFound = UINT32_MAX;

  // A folded word as the word table compares it: its first 16 bytes (zero-padded) and a hash.
  struct WordKey {
    uint64_t head[2];
    uint32_t hash;
  };
  // Reads 16 bytes from padded_word.data() even if the word is shorter (the analyzer's scan
  // buffer has them).
  static WordKey MakeWordKey(std::string_view padded_word);

  uint32_t Number(const std::string& term);
  // The term number of `word` (`key` is its MakeWordKey()), or kNotFound.
  uint32_t FindWord(std::string_view word, const WordKey& key) const;
  void AddWord(std::string_view word, const WordKey& key, uint32_t number);

  // Folded word -> term number: open addressing with linear probing, at most half full. Every
  // word of the text is looked up here, so a slot holds a word of up to 16 bytes itself: a
  // lookup touches one cache line, where a map of strings touched two or three.
  struct WordSlot {
    uint64_t head[2];
    uint32_t hash;
    uint32_t number;
    uint32_t length;  // 0: empty (words are never empty)
    uint32_t offset;  // of the whole word in long_words_, if longer than 16 bytes
  };
  std::vector<WordSlot> word_slots_ = std::vector<WordSlot>(1024);
  size_t word_count_ = 0;
  std::string long_words_;
  absl::flat_hash_map<std::string, uint32_t> numbers_;  // term -> term number
  std::vector<std::string> terms_;
};

// One word of text analysed by AnalyzeTerms(): its term's number in the TermDictionary.
struct TermPosition {
  uint32_t term;
  uint32_t position;

  friend bool operator==(const TermPosition&, const TermPosition&) = default;
};

// One word of text analysed by AnalyzeTermSpans(): its term's number in the TermDictionary and
// the byte offsets [begin, end) of its source text (as Token has them).
struct TermSpan {
  static constexpr uint32_t kNoTerm = UINT32_MAX;  // a word filtered out by its first byte
  uint32_t term;
  uint32_t begin;
  uint32_t end;

  friend bool operator==(const TermSpan&, const TermSpan&) = default;
};

// Analyses text. Construction allocates a Snowball stemmer, and an instance caches the stems of up
// to 2 * kMaxCachedStems words (about 8 MB at most), so prefer ThreadLocalAnalyzer() over
// constructing one per call.
//
// Not thread-safe: an Analyzer holds the stemmer's state and scratch buffers. Use one instance
// per thread (ThreadLocalAnalyzer()). Every function accepts any bytes, including invalid UTF-8,
// and never fails.
class Analyzer {
 public:
  Analyzer();
  ~Analyzer();
  Analyzer(const Analyzer&) = delete;
  Analyzer& operator=(const Analyzer&) = delete;

  // Appends the words of `text` to `out`, at positions first_position, first_position + 1, ...
  // and returns the next free position (first_position + number of words); `out` must not be
  // null. Inputs of 4 GiB or more are cut at 4 GiB - 1 bytes so that offsets fit in uint32_t. To
  // keep phrases from matching across the boundary of two texts (say, paragraphs), leave a gap of
  // at least one position between them.
  uint32_t Analyze(std::string_view text, uint32_t first_position, std::vector<Token>* out);

  // Like Analyze(), for indexing: appends each word's term number in `dictionary` (adding new
  // terms to it) and position, without byte offsets. dictionary->term(t.term) is the term Analyze()
  // gives for the same word. Neither pointer may be null.
  uint32_t AnalyzeTerms(std::string_view text, uint32_t first_position, TermDictionary* dictionary,
                        std::vector<TermPosition>* out);

  // Like AnalyzeTerms(), for highlighting: appends each word's term number and source span; the
  // word's position is its index among the appended spans. With `first_bytes`, a word whose term
  // cannot start with one of them gets TermSpan::kNoTerm and is neither stemmed nor added to the
  // dictionary: a term starts with its folded word's first byte (English stemming keeps the first
  // letter), except for a word with combining marks (NFC may change it), which is always analysed.
  void AnalyzeTermSpans(std::string_view text, TermDictionary* dictionary,
                        std::vector<TermSpan>* out, const std::bitset<256>* first_bytes = nullptr);

  // The terms of `text`, in order, analysed exactly as Analyze() does (for queries).
  std::vector<std::string> Terms(std::string_view text);

  // The form of a prefix query: `prefix` analysed like text but not stemmed, so that it can be
  // compared with the beginnings of indexed terms. Returns "" unless `prefix` holds exactly one
  // word: "Kazakh" -> "kazakh", "TURKIST*" -> "turkist", "U.S" -> "us", "o'cl" -> "ocl",
  // "--" -> "", "new yo" -> "" (callers report INVALID_ARGUMENT for ""). Because indexed terms
  // are stemmed, a whole word whose stem is not a prefix of it does not match itself as a prefix
  // ("energy" -> stem "energi"); docs/search.md explains.
  std::string NormalizePrefix(std::string_view prefix);

 private:
  struct StemmerDeleter {
    void operator()(sb_stemmer* stemmer) const;
  };

  // Calls `emit(begin, end, folded, has_mark)` for each word of `text`, with its folded form
  // (valid during the call); MakeTerm(folded, has_mark, ...) turns that into its term.
  template <typename Emit>
  void ForEachWord(std::string_view text, Emit&& emit);
  // Calls `emit(begin, end, number)` for each word of `text`, with its term's number in
  // `dictionary` (added if new), or kNoTerm if `first_bytes` (if not null) rules it out.
  template <typename Emit>
  void NumberWords(std::string_view text, TermDictionary* dictionary,
                   const std::bitset<256>* first_bytes, Emit&& emit);
  // Puts the term of a folded word in term_: NFC if its source had combining marks, length cap,
  // stemming.
  void MakeTerm(std::string_view folded, bool has_mark, bool stem);
  // Puts term_ in Unicode Normalization Form C.
  void ComposeTerm();
  // Replaces term_ (a-z only) by its Snowball English stem.
  void StemTerm();

  std::unique_ptr<sb_stemmer, StemmerDeleter> stemmer_;
  // Stems of recently seen words, in two generations. News vocabulary is skewed, so this saves
  // most of the stemmer's work (about three quarters of the analysis time without it); a single
  // generation that started over when full lost the frequent words with the rare ones, and at
  // ~45,000 distinct words per 1,000 articles it started over every few hundred articles.
  absl::flat_hash_map<std::string, std::string> stems_;
  absl::flat_hash_map<std::string, std::string> old_stems_;
  // In front of those, a small direct-mapped table for the most frequent words: it fits in the
  // CPU's cache, where the maps (megabytes) miss on nearly every lookup.
  struct HotStem {
    uint8_t word_length = 0;  // 0: empty
    uint8_t stem_length = 0;
    char word[23];
    char stem[23];
  };
  static constexpr size_t kHotStems = 4096;  // a power of two
  static constexpr size_t kHotStemBytes = sizeof(HotStem::word);
  std::vector<HotStem> hot_stems_;
  std::string term_;           // the term being made
  std::u16string utf16_;       // scratch for NFC
  std::u16string normalized_;  // scratch for NFC
};

// The calling thread's Analyzer, created on first use and destroyed at thread exit.
Analyzer& ThreadLocalAnalyzer();

}  // namespace newsdb::text

#endif  // NEWSDB_COMMON_TEXT_ANALYZER_H_
