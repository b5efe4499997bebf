#include "common/text/analyzer.h"

#include <libstemmer.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utypes.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <limits>

#include "absl/strings/string_view.h"
#include "common/log/log.h"
#include "common/text/utf8.h"

namespace newsdb::text {
namespace {

// Character classes, as bit flags.
enum : uint8_t {
  kLetter = 1,      // general category L*
  kNumber = 2,      // general category N*
  kMark = 4,        // Mn, Mc: continue a word, never start one
  kApostrophe = 8,  // ' ’ ʼ
  kJoiner = 16,     // soft hyphen, ZWNJ, ZWJ, word joiner: dropped inside a word
};
constexpr uint8_t kStartsWord = kLetter | kNumber;
constexpr uint8_t kContinuesWord = kLetter | kNumber | kMark;

// Folded words are collected up to this many bytes. Even NFC (which shrinks text at most
// threefold) leaves a longer word above kMaxTermBytes, so the cap never changes a term.
constexpr size_t kScanCapBytes = 4 * kMaxTermBytes;

inline uint64_t Load64(const char* p) {
  uint64_t value;
  std::memcpy(&value, p, sizeof(value));
  return value;
}

// The folded form of the word being scanned. A fixed buffer rather than a std::string: appending
// a few bytes to a string compiles to `rep movs`/`rep stos` and reloads of the string's size after
// every byte written, which cost more than the rest of the scan.
class FoldedWord {
 public:
  size_t size() const { return size_; }
  // The bytes after the word, up to 16 from its start, are readable (TermDictionary::MakeWordKey).
  std::string_view view() const { return {bytes_, size_}; }
  void clear() { size_ = 0; }
  void resize(size_t size) { size_ = size; }  // only to shrink
  bool full() const { return size_ >= kScanCapBytes; }
  // Appends ASCII letters and digits, lowered, up to the cap. Bytes up to `readable_end` may be
  // read: then whole 8-byte words are copied (setting bit 5 lowers a letter and keeps a digit).
  void AppendAsciiLowered(const char* begin, size_t length, const char* readable_end) {
    const size_t take = std::min(length, full() ? 0 : kScanCapBytes - size_);
    char* out = bytes_ + size_;
    size_ += take;  // <= kScanCapBytes, so 8-byte stores stay inside bytes_
    size_t i = 0;
    for (; i < take && readable_end - (begin + i) >= 8; i += 8) {
      const uint64_t lowered = Load64(begin + i) | 0x2020202020202020ull;
      std::memcpy(out + i, &lowered, sizeof(lowered));
    }
    for (; i < take; ++i) out[i] = static_cast<char>(begin[i] | 0x20);
  }
  // Appends at most kMaxFoldedBytes (callers check full() first).
  void Append(const char* begin, size_t length) {
    std::memcpy(bytes_ + size_, begin, std::min(length, kMaxFoldedBytes));
    size_ += std::min(length, kMaxFoldedBytes);
  }

  // The case folding of one code point is at most 3 code points of at most 4 bytes.
  static constexpr size_t kMaxFoldedBytes = 12;

 private:
  char bytes_[kScanCapBytes + 16] = {};  // slack for a code point's folding or an 8-byte store
  size_t size_ = 0;
};

// Offsets are uint32_t; longer input is cut.
constexpr size_t kMaxInputBytes = std::numeric_limits<uint32_t>::max();

uint8_t ClassifyWithIcu(char32_t c) {
  switch (c) {
    case 0x0027:
    case 0x2019:
    case 0x02BC:
      return kApostrophe;
    case 0x00AD:
    case 0x200C:
    case 0x200D:
    case 0x2060:
      return kJoiner;
    default:
      break;
  }
  const uint32_t mask = U_MASK(u_charType(static_cast<UChar32>(c)));
  if ((mask & U_GC_L_MASK) != 0) return kLetter;
  if ((mask & U_GC_N_MASK) != 0) return kNumber;
  if ((mask & (U_GC_MN_MASK | U_GC_MC_MASK)) != 0) return kMark;
  return 0;
}

// Class and folded UTF-8 of every two-byte code point (U+0080..U+07FF: Latin-1, Latin Extended,
// Greek, Cyrillic with its Kazakh letters, Armenian, Hebrew, Arabic), so that Cyrillic text does
// not call ICU per character.
struct TwoByteEntry {
  uint8_t flags;
  uint8_t folded_length;
  char folded[10];  // at most 3 code points of at most 3 bytes
};

class TwoByteTable {
 public:
  TwoByteTable() {
    std::string folded;
    for (char32_t c = 0x80; c < 0x800; ++c) {
      TwoByteEntry& entry = entries_[c - 0x80];
      entry.flags = ClassifyWithIcu(c);
      folded.clear();
      AppendFoldedCodePoint(c, folded);
      if (folded.size() > sizeof(entry.folded)) {  // cannot happen; keep the character
        folded.clear();
        AppendUtf8(c, folded);
      }
      entry.folded_length = static_cast<uint8_t>(folded.size());
      std::copy(folded.begin(), folded.end(), entry.folded);
    }
  }
  const TwoByteEntry& operator[](char32_t c) const { return entries_[c - 0x80]; }

 private:
  std::array<TwoByteEntry, 0x800 - 0x80> entries_;
};

const TwoByteTable& TwoByteCharacters() {
  static const TwoByteTable* const table = new TwoByteTable();
  return *table;
}

constexpr std::array<uint8_t, 128> MakeAsciiTable() {
  std::array<uint8_t, 128> table{};
  for (int c = 'a'; c <= 'z'; ++c) table[c] = kLetter;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = kLetter;
  for (int c = '0'; c <= '9'; ++c) table[c] = kNumber;
  table['\''] = kApostrophe;
  return table;
}
constexpr std::array<uint8_t, 128> kAsciiFlags = MakeAsciiTable();

inline bool IsAsciiDigit(unsigned char byte) { return byte >= '0' && byte <= '9'; }

struct CodePoint {
  char32_t value;
  uint32_t length;
  uint8_t flags;  // 0 for invalid UTF-8
};

// Decodes and classifies the code point at `pos` (< text.size()).
inline CodePoint ReadCodePoint(std::string_view text, size_t pos) {
  const auto byte = static_cast<unsigned char>(text[pos]);
  if (byte < 0x80) return {byte, 1, kAsciiFlags[byte]};
  // Two-byte sequences (Cyrillic) are decoded here rather than by a call.
  if (byte >= 0xC2 && byte <= 0xDF && pos + 1 < text.size()) {
    const auto next = static_cast<unsigned char>(text[pos + 1]);
    if ((next & 0xC0) == 0x80) {
      const char32_t c = (static_cast<char32_t>(byte & 0x1F) << 6) | (next & 0x3F);
      return {c, 2, TwoByteCharacters()[c].flags};
    }
  }
  const DecodedCodePoint decoded = DecodeUtf8At(text, pos);
  const auto length = static_cast<uint32_t>(decoded.length);
  if (!decoded.valid) return {decoded.code_point, length, 0};
  const char32_t c = decoded.code_point;
  if (c < 0x800) return {c, length, TwoByteCharacters()[c].flags};
  return {c, length, ClassifyWithIcu(c)};
}

// Flags of the code point at `pos`, 0 past the end.
inline uint8_t FlagsAt(std::string_view text, size_t pos) {
  return pos < text.size() ? ReadCodePoint(text, pos).flags : 0;
}

// Appends the case folding of a letter, digit or mark (unless the word is full).
inline void AppendFolded(const CodePoint& cp, FoldedWord& word) {
  if (word.full()) return;
  if (cp.value < 0x80) {
    const auto c = static_cast<char>(cp.value);
    word.AppendAsciiLowered(&c, 1, &c + 1);
  } else if (cp.value < 0x800) {
    const TwoByteEntry& entry = TwoByteCharacters()[cp.value];
    word.Append(entry.folded, entry.folded_length);
  } else {
    thread_local std::string folded;
    folded.clear();
    AppendFoldedCodePoint(cp.value, folded);
    word.Append(folded.data(), folded.size());
  }
}

// True if text[pos..] is three ASCII digits not followed by a fourth: the rest of a thousands
// group after a comma.
bool IsThousandsGroup(std::string_view text, size_t pos) {
  if (text.size() < pos + 3) return false;
  for (size_t i = pos; i < pos + 3; ++i) {
    if (!IsAsciiDigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return pos + 3 == text.size() || !IsAsciiDigit(static_cast<unsigned char>(text[pos + 3]));
}

struct ScannedWord {
  size_t end;
  bool has_mark;
};

// Scans the word starting at `pos` (a letter or digit) and appends its folded form to `word`.
ScannedWord ScanWord(std::string_view text, size_t pos, FoldedWord& word) {
  const char* const data = text.data();
  const size_t size = text.size();
  bool has_mark = false;
  // For thousands grouping: the word so far is ASCII digits and joined commas, and
  // `group_digits` digits follow the last comma (or the start).
  bool digits_only = true;
  size_t group_digits = 0;
  while (pos < size) {
    const auto byte = static_cast<unsigned char>(data[pos]);
    if (byte < 0x80) {
      // Most words are ASCII: take the whole run of letters and digits at once.
      const uint8_t flags = kAsciiFlags[byte];
      if ((flags & (kLetter | kNumber)) != 0) {
        size_t run_end = pos + 1;
        while (run_end < size && static_cast<unsigned char>(data[run_end]) < 0x80 &&
               (kAsciiFlags[static_cast<unsigned char>(data[run_end])] & (kLetter | kNumber)) !=
                   0) {
          ++run_end;
        }
        word.AppendAsciiLowered(data + pos, run_end - pos, data + size);
        if (digits_only) {
          for (size_t i = pos; i < run_end && digits_only; ++i) {
            digits_only = IsAsciiDigit(static_cast<unsigned char>(data[i]));
          }
          group_digits += run_end - pos;
        }
        pos = run_end;
        continue;
      }
      if (byte == ',' && digits_only && group_digits >= 1 && group_digits <= 3 &&
          IsThousandsGroup(text, pos + 1)) {
        ++pos;
        group_digits = 0;
        continue;
      }
      if (byte != '\'') break;
    }
    const CodePoint cp = ReadCodePoint(text, pos);
    if ((cp.flags & kContinuesWord) != 0) {
      AppendFolded(cp, word);
      has_mark |= (cp.flags & kMark) != 0;
      digits_only = false;
      pos += cp.length;
      continue;
    }
    const size_t after = pos + cp.length;
    if ((cp.flags & kApostrophe) != 0) {
      if (after >= size) break;
      const CodePoint next = ReadCodePoint(text, after);
      if ((next.flags & kStartsWord) == 0) break;
      if ((next.value == 's' || next.value == 'S') &&
          (FlagsAt(text, after + 1) & kContinuesWord) == 0) {
        return {after + 1, has_mark};  // possessive: dropped, but part of the source span
      }
      pos = after;
      continue;
    }
    if ((cp.flags & kJoiner) != 0 && (FlagsAt(text, after) & kContinuesWord) != 0) {
      pos = after;
      continue;
    }
    break;
  }
  return {pos, has_mark};
}

// Scans a dotted acronym ("U.S.", "U.S.A"): two or more single letters, each followed by a dot,
// except that the dot after the last one is optional. The letter at `pos` is followed by a dot.
// Appends the folded letters to `word` and returns the end, or returns 0 and leaves `word`
// unchanged if the text at `pos` is not an acronym.
size_t ScanAcronym(std::string_view text, size_t pos, FoldedWord& word) {
  const size_t size = text.size();
  const size_t old_size = word.size();
  size_t letters = 0;
  size_t end = 0;
  while (pos < size) {
    const CodePoint cp = ReadCodePoint(text, pos);
    if ((cp.flags & kLetter) == 0) break;
    const size_t after = pos + cp.length;
    const bool dot_follows = after < size && text[after] == '.';
    if (!dot_follows && (letters == 0 || (FlagsAt(text, after) & kContinuesWord) != 0)) break;
    AppendFolded(cp, word);
    ++letters;
    end = dot_follows ? after + 1 : after;
    if (!dot_follows) break;
    pos = after + 1;
  }
  if (letters < 2) {
    word.resize(old_size);
    return 0;
  }
  return end;
}

inline bool IsLowercaseAsciiWord(std::string_view term) {
  for (const char c : term) {
    if (c < 'a' || c > 'z') return false;
  }
  return true;
}

}  // namespace

void Analyzer::StemmerDeleter::operator()(sb_stemmer* stemmer) const { sb_stemmer_delete(stemmer); }

Analyzer::Analyzer() : stemmer_(sb_stemmer_new("english", "UTF_8")) {
  // "english" in UTF-8 is always compiled into libstemmer; null means out of memory.
  NEWSDB_CHECK(stemmer_ != nullptr) << "cannot create the Snowball English stemmer";
  term_.reserve(kScanCapBytes + 16);
  TwoByteCharacters();  // build the table now rather than inside the first Analyze()
  hot_stems_.resize(kHotStems);
}

Analyzer::~Analyzer() = default;

void Analyzer::ComposeTerm() {
  UErrorCode error = U_ZERO_ERROR;
  const UNormalizer2* nfc = unorm2_getNFCInstance(&error);
  if (U_FAILURE(error)) return;
  utf16_.resize(term_.size() + 1);  // UTF-16 never needs more units than UTF-8 bytes
  int32_t utf16_length = 0;
  u_strFromUTF8(utf16_.data(), static_cast<int32_t>(utf16_.size()), &utf16_length, term_.data(),
                static_cast<int32_t>(term_.size()), &error);
  if (U_FAILURE(error)) return;
  if (unorm2_quickCheck(nfc, utf16_.data(), utf16_length, &error) == UNORM_YES) return;
  error = U_ZERO_ERROR;
  normalized_.resize(static_cast<size_t>(utf16_length) * 3 + 1);  // NFC grows text at most 3x
  const int32_t normalized_length =
      unorm2_normalize(nfc, utf16_.data(), utf16_length, normalized_.data(),
                       static_cast<int32_t>(normalized_.size()), &error);
  if (U_FAILURE(error)) return;
  std::string composed(static_cast<size_t>(normalized_length) * 3 + 1, '\0');
  int32_t composed_length = 0;
  u_strToUTF8(composed.data(), static_cast<int32_t>(composed.size()), &composed_length,
              normalized_.data(), normalized_length, &error);
  if (U_FAILURE(error)) return;
  term_.assign(composed.data(), static_cast<size_t>(composed_length));
}

void Analyzer::MakeTerm(std::string_view folded, bool has_mark, bool stem) {
  term_.assign(folded.data(), folded.size());
  if (has_mark) ComposeTerm();
  if (term_.size() > kMaxTermBytes) {
    size_t cut = kMaxTermBytes;
    while (cut > 0 && (static_cast<unsigned char>(term_[cut]) & 0xC0) == 0x80) --cut;
    term_.resize(cut);
    return;  // the stem of a cut word means nothing
  }
  // Snowball English leaves words of up to two letters alone.
  if (stem && term_.size() > 2 && IsLowercaseAsciiWord(term_)) StemTerm();
}

void Analyzer::StemTerm() {
  const absl::string_view word(term_.data(), term_.size());
  HotStem* hot = nullptr;
  if (word.size() <= kHotStemBytes) {
    uint32_t hash = 2166136261u;  // FNV-1a
    for (char c : word) hash = (hash ^ static_cast<uint8_t>(c)) * 16777619u;
    hot = &hot_stems_[(hash ^ (hash >> 15)) & (kHotStems - 1)];
    if (hot->word_length == word.size() && std::memcmp(hot->word, word.data(), word.size()) == 0) {
      term_.assign(hot->stem, hot->stem_length);
      return;
    }
  }
  auto remember_hot = [&](absl::string_view stem) {
    if (hot == nullptr || stem.size() > kHotStemBytes) return;
    hot->word_length = static_cast<uint8_t>(word.size());
    std::memcpy(hot->word, word.data(), word.size());
    hot->stem_length = static_cast<uint8_t>(stem.size());
    std::memcpy(hot->stem, stem.data(), stem.size());
  };
  if (auto cached = stems_.find(word); cached != stems_.end()) {
    remember_hot(cached->second);
    term_.assign(cached->second);
    return;
  }
  auto remember = [&](absl::string_view stem) {
    remember_hot(stem);
    if (stems_.size() >= kMaxCachedStems) {
      old_stems_ = std::move(stems_);
      stems_.clear();
    }
    stems_.emplace(word, stem);
  };
  if (auto old = old_stems_.find(word); old != old_stems_.end()) {
    const std::string stem = old->second;
    remember(stem);  // may replace old_stems_
    term_.assign(stem);
    return;
  }
  const sb_symbol* stemmed =
      sb_stemmer_stem(stemmer_.get(), reinterpret_cast<const sb_symbol*>(term_.data()),
                      static_cast<int>(term_.size()));
  if (stemmed == nullptr) return;  // out of memory: keep the folded word
  const std::string stem(reinterpret_cast<const char*>(stemmed),
                         static_cast<size_t>(sb_stemmer_length(stemmer_.get())));
  remember(stem);
  term_.assign(stem);
}

template <typename Emit>
void Analyzer::ForEachWord(std::string_view text, Emit&& emit) {
  if (text.size() > kMaxInputBytes) text = text.substr(0, kMaxInputBytes);
  const size_t size = text.size();
  FoldedWord folded;
  size_t pos = 0;
  while (pos < size) {
    const auto byte = static_cast<unsigned char>(text[pos]);
    CodePoint cp;
    if (byte < 0x80) {
      if ((kAsciiFlags[byte] & kStartsWord) == 0) {
        ++pos;
        continue;
      }
      cp = {byte, 1, kAsciiFlags[byte]};
    } else {
      cp = ReadCodePoint(text, pos);
      if ((cp.flags & kStartsWord) == 0) {
        pos += cp.length;
        continue;
      }
    }
    folded.clear();
    size_t end = 0;
    bool has_mark = false;
    if ((cp.flags & kLetter) != 0 && pos + cp.length < size && text[pos + cp.length] == '.') {
      end = ScanAcronym(text, pos, folded);
    }
    if (end == 0) {
      const ScannedWord word = ScanWord(text, pos, folded);
      end = word.end;
      has_mark = word.has_mark;
    }
    emit(pos, end, folded.view(), has_mark);
    pos = end;
  }
}

uint32_t Analyzer::Analyze(std::string_view text, uint32_t first_position,
                           std::vector<Token>* out) {
  uint32_t position = first_position;
  ForEachWord(text, [&](size_t begin, size_t end, std::string_view folded, bool has_mark) {
    MakeTerm(folded, has_mark, /*stem=*/true);
    out->push_back(
        Token{term_, position++, static_cast<uint32_t>(begin), static_cast<uint32_t>(end)});
  });
  return position;
}

uint32_t TermDictionary::Number(const std::string& term) {
  auto [it, inserted] = numbers_.try_emplace(term, static_cast<uint32_t>(terms_.size()));
  if (inserted) terms_.push_back(term);
  return it->second;
}

TermDictionary::WordKey TermDictionary::MakeWordKey(std::string_view padded_word) {
  // Full 8-byte loads, masked: the bytes were just stored 8 at a time (FoldedWord), and a load
  // that matches a store is forwarded from it, where a narrower or straddling load waits for it.
  const char* p = padded_word.data();
  const size_t n = padded_word.size();
  auto low_bytes = [](uint64_t value, size_t count) {
    return count >= 8 ? value : value & ((uint64_t{1} << (8 * count)) - 1);
  };
  WordKey key{{low_bytes(Load64(p), n), n > 8 ? low_bytes(Load64(p + 8), n - 8) : 0}, 0};
  // Multiply and fold, 8 bytes at a time.
  constexpr uint64_t kMultiplier = 0x9E3779B97F4A7C15ull;
  uint64_t hash = n * kMultiplier;
  auto mix = [&](uint64_t bytes) {
    hash = (hash ^ bytes) * kMultiplier;
    hash ^= hash >> 29;
  };
  mix(key.head[0]);
  mix(key.head[1]);
  size_t i = 16;
  for (; i + 8 <= n; i += 8) mix(Load64(p + i));
  if (i < n) mix(Load64(p + n - 8));  // n > 16: overlaps bytes already mixed, which is fine
  key.hash = static_cast<uint32_t>((hash * 0xD6E8FEB86659FD93ull) >> 32);
  return key;
}

uint32_t TermDictionary::FindWord(std::string_view word, const WordKey& key) const {
  const size_t mask = word_slots_.size() - 1;
  for (size_t i = key.hash & mask;; i = (i + 1) & mask) {
    const WordSlot& slot = word_slots_[i];
    if (slot.length == 0) return kNotFound;
    if (slot.hash == key.hash && slot.length == word.size() && slot.head[0] == key.head[0] &&
        slot.head[1] == key.head[1] &&
        (word.size() <= 16 ||
         std::memcmp(long_words_.data() + slot.offset, word.data(), word.size()) == 0)) {
      return slot.number;
    }
  }
}

void TermDictionary::AddWord(std::string_view word, const WordKey& key, uint32_t number) {
  if (2 * (word_count_ + 1) > word_slots_.size()) {
    std::vector<WordSlot> old(2 * word_slots_.size());
    old.swap(word_slots_);
    const size_t mask = word_slots_.size() - 1;
    for (const WordSlot& slot : old) {
      if (slot.length == 0) continue;
      size_t i = slot.hash & mask;
      while (word_slots_[i].length != 0) i = (i + 1) & mask;
      word_slots_[i] = slot;
    }
  }
  const size_t mask = word_slots_.size() - 1;
  size_t i = key.hash & mask;
  while (word_slots_[i].length != 0) i = (i + 1) & mask;
  word_slots_[i] = {{key.head[0], key.head[1]},
                    key.hash,
                    number,
                    static_cast<uint32_t>(word.size()),
                    static_cast<uint32_t>(long_words_.size())};
  if (word.size() > 16) long_words_.append(word);
  ++word_count_;
}

template <typename Emit>
void Analyzer::NumberWords(std::string_view text, TermDictionary* dictionary,
                           const std::bitset<256>* first_bytes, Emit&& emit) {
  ForEachWord(text, [&](size_t begin, size_t end, std::string_view folded, bool has_mark) {
    if (first_bytes != nullptr && !has_mark &&
        !first_bytes->test(static_cast<uint8_t>(folded.front()))) {
      emit(begin, end, TermSpan::kNoTerm);
      return;
    }
    // The term is a function of the folded word, and of whether the source had combining marks
    // (which decides NFC); words with marks are rare and skip the word table.
    if (has_mark) {
      MakeTerm(folded, has_mark, /*stem=*/true);
      emit(begin, end, dictionary->Number(term_));
      return;
    }
    const TermDictionary::WordKey key = TermDictionary::MakeWordKey(folded);
    if (const uint32_t known = dictionary->FindWord(folded, key);
        known != TermDictionary::kNotFound) {
      emit(begin, end, known);
      return;
    }
    MakeTerm(folded, has_mark, /*stem=*/true);
    const uint32_t number = dictionary->Number(term_);
    dictionary->AddWord(folded, key, number);
    emit(begin, end, number);
  });
}

uint32_t Analyzer::AnalyzeTerms(std::string_view text, uint32_t first_position,
                                TermDictionary* dictionary, std::vector<TermPosition>* out) {
  uint32_t position = first_position;
  NumberWords(text, dictionary, nullptr, [&](size_t, size_t, uint32_t number) {
    out->push_back({number, position++});
  });
  return position;
}

void Analyzer::AnalyzeTermSpans(std::string_view text, TermDictionary* dictionary,
                                std::vector<TermSpan>* out, const std::bitset<256>* first_bytes) {
  NumberWords(text, dictionary, first_bytes, [&](size_t begin, size_t end, uint32_t number) {
    out->push_back({number, static_cast<uint32_t>(begin), static_cast<uint32_t>(end)});
  });
}

std::vector<std::string> Analyzer::Terms(std::string_view text) {
  std::vector<std::string> terms;
  ForEachWord(text, [&](size_t, size_t, std::string_view folded, bool has_mark) {
    MakeTerm(folded, has_mark, /*stem=*/true);
    terms.push_back(term_);
  });
  return terms;
}

std::string Analyzer::NormalizePrefix(std::string_view prefix) {
  std::string word;
  int words = 0;
  ForEachWord(prefix, [&](size_t, size_t, std::string_view folded, bool has_mark) {
    MakeTerm(folded, has_mark, /*stem=*/false);
    if (++words == 1) word = term_;
  });
  if (words != 1) word.clear();
  return word;
}

Analyzer& ThreadLocalAnalyzer() {
  thread_local Analyzer analyzer;
  return analyzer;
}

}  // namespace newsdb::text
