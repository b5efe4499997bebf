#include "services/storage/search_index.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/log/log.h"
#include "common/status/grpc_status.h"
#include "common/status/status_macros.h"
#include "common/text/analyzer.h"
#include "common/time/timestamp.h"
#include "services/storage/key_codec.h"
#include "services/storage/posting_codec.h"

namespace newsdb::storage {
namespace {

// Key of the buffer's flush mark in `postings`; no posting key starts with NUL.
const absl::string_view kIndexedThroughKey("\0indexed_through", 16);
// Paragraphs are analysed as one text with a gap of this many positions between them, so that a
// phrase never spans two paragraphs.
constexpr uint32_t kParagraphGap = 8;
// Keep this many view changes for snapshots of later pages.
constexpr size_t kMaxViewChanges = 4'000'000;

constexpr uint64_t kSignBit = uint64_t{1} << 63;

}  // namespace

// ---- Doc values ----------------------------------------------------------------------------

std::string EncodeDocKey(uint32_t doc) {
  std::string key(4, '\0');
  for (int i = 3; i >= 0; --i) {
    key[i] = static_cast<char>(doc & 0xff);
    doc >>= 8;
  }
  return key;
}

std::string EncodeDocValues(const DocValues& values) {
  std::string out;
  AppendBigEndian64(values.id, &out);
  AppendBigEndian64(static_cast<uint64_t>(values.published_seconds) ^ kSignBit, &out);
  AppendVarint(static_cast<uint64_t>(values.views), &out);
  AppendVarint(values.title_length, &out);
  AppendVarint(values.body_length, &out);
  AppendVarint(values.credit_length, &out);
  AppendVarint(values.credit.size(), &out);
  out.append(values.credit);
  return out;
}

absl::StatusOr<DocValues> DecodeDocValues(absl::string_view value) {
  if (value.size() < 16) return absl::InvalidArgumentError("doc values too short");
  DocValues values;
  values.id = ReadBigEndian64(value);
  values.published_seconds = static_cast<int64_t>(ReadBigEndian64(value.substr(8)) ^ kSignBit);
  size_t pos = 16;
  uint64_t views = 0, title = 0, body = 0, credit_tokens = 0, credit_bytes = 0;
  if (!ReadVarint(value, &pos, &views) || !ReadVarint(value, &pos, &title) ||
      !ReadVarint(value, &pos, &body) || !ReadVarint(value, &pos, &credit_tokens) ||
      !ReadVarint(value, &pos, &credit_bytes) || credit_bytes != value.size() - pos ||
      title > UINT32_MAX || body > UINT32_MAX || credit_tokens > UINT32_MAX) {
    return absl::InvalidArgumentError("malformed doc values");
  }
  values.views = static_cast<int64_t>(views);
  values.title_length = static_cast<uint32_t>(title);
  values.body_length = static_cast<uint32_t>(body);
  values.credit_length = static_cast<uint32_t>(credit_tokens);
  values.credit = std::string(value.substr(pos));
  return values;
}

// ---- Analysis for indexing -----------------------------------------------------------------

namespace {

// Positions of each analysed term in one field.
using FieldTerms = absl::flat_hash_map<std::string, std::vector<uint32_t>>;

struct AnalysedArticle {
  FieldTerms title;
  FieldTerms body;
  FieldTerms credit;
  uint32_t title_length = 0;
  uint32_t body_length = 0;
  uint32_t credit_length = 0;
};

uint32_t AnalyseInto(absl::string_view text, uint32_t first_position, FieldTerms* terms,
                     std::vector<text::Token>* scratch) {
  scratch->clear();
  const uint32_t next = text::ThreadLocalAnalyzer().Analyze(
      std::string_view(text.data(), text.size()), first_position, scratch);
  for (text::Token& token : *scratch) (*terms)[token.term].push_back(token.position);
  return next;
}

AnalysedArticle Analyse(const v1::Article& article) {
  AnalysedArticle result;
  std::vector<text::Token> scratch;
  result.title_length = AnalyseInto(article.title(), 0, &result.title, &scratch);
  uint32_t position = 0;
  uint32_t tokens = 0;
  for (const std::string& paragraph : article.paragraphs()) {
    const uint32_t next = AnalyseInto(paragraph, position, &result.body, &scratch);
    tokens += next - position;
    position = next + kParagraphGap;
  }
  result.body_length = tokens;
  result.credit_length = AnalyseInto(article.credit(), 0, &result.credit, &scratch);
  return result;
}

bool SameText(const v1::Article& a, const v1::Article& b) {
  return a.title() == b.title() && a.credit() == b.credit() &&
         std::equal(a.paragraphs().begin(), a.paragraphs().end(), b.paragraphs().begin(),
                    b.paragraphs().end());
}

// Edits of one (field, term): document -> new positions (empty = remove).
using TermEdits = std::map<uint32_t, std::vector<uint32_t>>;

void CollectEdits(IndexField field, const FieldTerms* old_terms, const FieldTerms& new_terms,
                  uint32_t doc, std::map<std::pair<char, std::string>, TermEdits>* edits) {
  for (const auto& [term, positions] : new_terms) {
    if (old_terms != nullptr) {
      auto old = old_terms->find(term);
      if (old != old_terms->end() && old->second == positions) continue;
    }
    (*edits)[{static_cast<char>(field), term}][doc] = positions;
  }
  if (old_terms == nullptr) return;
  for (const auto& [term, positions] : *old_terms) {
    if (!new_terms.contains(term)) (*edits)[{static_cast<char>(field), term}][doc] = {};
  }
}

// New documents' tokens in one field, in document order: each token's term number (in the
// batch's TermDictionary) and position, and where each document's tokens end. Grouping them by
// term with a counting sort gives each term's postings without allocating per posting.
struct FreshField {
  struct DocumentEnd {
    uint32_t doc;
    size_t end;  // in tokens
  };
  struct Occurrence {
    uint32_t doc;
    uint32_t position;
  };
  std::vector<text::TermPosition> tokens;
  std::vector<DocumentEnd> documents;

  // Occurrences grouped by term number (each term's in document and position order), and where
  // each term's run starts (`terms` + 1 offsets).
  void GroupByTerm(size_t terms, std::vector<Occurrence>* sorted,
                   std::vector<uint32_t>* starts) const {
    starts->assign(terms + 1, 0);
    for (const text::TermPosition& token : tokens) ++(*starts)[token.term + 1];
    for (size_t t = 1; t < starts->size(); ++t) (*starts)[t] += (*starts)[t - 1];
    std::vector<uint32_t> next(starts->begin(), starts->end() - 1);
    sorted->resize(tokens.size());
    size_t i = 0;
    for (const DocumentEnd& document : documents) {
      for (; i < document.end; ++i) {
        (*sorted)[next[tokens[i].term]++] = {document.doc, tokens[i].position};
      }
    }
  }
};

// New documents' postings, before they become a buffer segment: the fields share one dictionary.
struct FreshPostings {
  text::TermDictionary dictionary;
  FreshField title, body, credit;

  // Analyses a new document (numbers increase from call to call) and returns its field lengths.
  // Paragraphs are analysed as one text with a gap of kParagraphGap positions between them.
  NewPostings::Lengths Add(const v1::Article& article, uint32_t doc) {
    text::Analyzer& analyzer = text::ThreadLocalAnalyzer();
    auto view = [](const std::string& text) { return std::string_view(text.data(), text.size()); };
    NewPostings::Lengths lengths;
    lengths.title = analyzer.AnalyzeTerms(view(article.title()), 0, &dictionary, &title.tokens);
    title.documents.push_back({doc, title.tokens.size()});
    uint32_t position = 0;
    for (const std::string& paragraph : article.paragraphs()) {
      const uint32_t next =
          analyzer.AnalyzeTerms(view(paragraph), position, &dictionary, &body.tokens);
      lengths.body += next - position;
      position = next + kParagraphGap;
    }
    body.documents.push_back({doc, body.tokens.size()});
    lengths.credit = analyzer.AnalyzeTerms(view(article.credit()), 0, &dictionary, &credit.tokens);
    credit.documents.push_back({doc, credit.tokens.size()});
    return lengths;
  }
};

// Buffers reused from block to block.
struct BlockScratch {
  std::vector<uint32_t> docs;
  std::vector<uint32_t> freqs;
  std::vector<char> bytes;
};

// A posting block straight from one term's occurrences (the bytes EncodePostingBlock gives for
// the same postings), without building the postings.
std::string EncodeOccurrenceBlock(uint32_t first_doc, const FreshField::Occurrence* begin,
                                  const FreshField::Occurrence* end, BlockScratch& block) {
  std::vector<uint32_t>& docs = block.docs;
  std::vector<uint32_t>& freqs = block.freqs;
  std::vector<char>& scratch = block.bytes;
  docs.clear();
  freqs.clear();
  for (const FreshField::Occurrence* o = begin; o != end; ++o) {
    if (docs.empty() || docs.back() != o->doc) {
      docs.push_back(o->doc);
      freqs.push_back(0);
    }
    ++freqs.back();
  }
  const size_t most = 5 * (1 + 2 * docs.size() + static_cast<size_t>(end - begin));
  if (scratch.size() < most) scratch.resize(most);
  char* out = WriteVarint(docs.size(), scratch.data());
  uint32_t previous = first_doc;
  for (uint32_t doc : docs) {
    out = WriteVarint(doc - previous, out);
    previous = doc;
  }
  for (uint32_t freq : freqs) out = WriteVarint(freq, out);
  uint32_t last_doc = UINT32_MAX;
  uint32_t last_position = 0;
  for (const FreshField::Occurrence* o = begin; o != end; ++o) {
    if (o->doc != last_doc) {
      last_doc = o->doc;
      last_position = 0;
    }
    out = WriteVarint(o->position - last_position, out);
    last_position = o->position;
  }
  return std::string(scratch.data(), out);
}

// New documents' postings as a buffer segment: one block per (field, term), keys in order
// (fields 'b' < 'c' < 't', terms sorted).
std::shared_ptr<MemSegment> BuildSegment(const FreshPostings& fresh, uint32_t first_doc,
                                         uint32_t documents) {
  auto segment = std::make_shared<MemSegment>();
  segment->first_doc = first_doc;
  segment->end_doc = first_doc + documents;
  // Sorted by the terms' first eight bytes as one big-endian number, then by the whole term:
  // most comparisons are then one integer comparison instead of a string comparison.
  const std::vector<std::string>& terms = fresh.dictionary.terms();
  std::vector<std::pair<uint64_t, uint32_t>> keyed(terms.size());
  for (uint32_t t = 0; t < terms.size(); ++t) {
    uint64_t prefix = 0;
    for (size_t i = 0; i < 8; ++i) {
      prefix = (prefix << 8) | (i < terms[t].size() ? static_cast<uint8_t>(terms[t][i]) : 0);
    }
    keyed[t] = {prefix, t};
  }
  std::sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    return terms[a.second] < terms[b.second];
  });
  std::vector<FreshField::Occurrence> sorted;
  std::vector<uint32_t> starts;
  BlockScratch block;
  for (auto [field, fresh_field] :
       {std::pair{IndexField::kBody, &fresh.body}, std::pair{IndexField::kCredit, &fresh.credit},
        std::pair{IndexField::kTitle, &fresh.title}}) {
    fresh_field->GroupByTerm(terms.size(), &sorted, &starts);
    for (const auto& [prefix, t] : keyed) {
      if (starts[t] == starts[t + 1]) continue;  // not in this field
      const FreshField::Occurrence* begin = sorted.data() + starts[t];
      const FreshField::Occurrence* end = sorted.data() + starts[t + 1];
      segment->Add(EncodePostingKey(field, terms[t], begin->doc),
                   EncodeOccurrenceBlock(begin->doc, begin, end, block));
    }
  }
  return segment;
}

}  // namespace

// ---- Loading and writing -------------------------------------------------------------------

absl::StatusOr<std::unique_ptr<SearchIndex>> SearchIndex::Load(RocksDb& db,
                                                               const IndexOptions& options) {
  std::unique_ptr<SearchIndex> index(new SearchIndex(db, options));
  index->epoch_ = std::random_device{}() * uint64_t{0x100000001} ^
                  static_cast<uint64_t>(absl::ToUnixNanos(absl::Now()));
  absl::MutexLock lock(&index->mutex_);
  index->credits_.push_back("");
  index->credit_index_[""] = 0;
  std::unique_ptr<Iterator> it = db.NewIterator(ColumnFamily::kDocValues, "", "");
  uint32_t expected = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    absl::string_view key = it->key();
    if (key != EncodeDocKey(expected)) {
      return absl::InternalError(absl::StrCat("doc values are not dense at document ", expected));
    }
    absl::StatusOr<DocValues> values = DecodeDocValues(it->value());
    if (!values.ok()) {
      return absl::InternalError(
          absl::StrCat("document ", expected, ": ", values.status().message()));
    }
    index->AddDocLocked(expected, *values);
    ++expected;
  }
  NEWSDB_RETURN_IF_ERROR(it->status());
  // Without a mark (a new index, or one written before the buffer existed) every document's
  // postings are in RocksDB; the mark is written now, so that a crash before the first flush
  // still finds where the buffer began.
  index->indexed_through_ = expected;
  NEWSDB_ASSIGN_OR_RETURN(std::optional<std::string> mark,
                          db.Get(ColumnFamily::kPostings, kIndexedThroughKey));
  if (!mark.has_value()) {
    WriteBatch batch = db.NewWriteBatch();
    batch.Put(ColumnFamily::kPostings, kIndexedThroughKey, EncodeDocKey(expected));
    NEWSDB_RETURN_IF_ERROR(db.Write(batch));
  } else {
    if (mark->size() != 4) return absl::InternalError("malformed index flush mark");
    const uint32_t through = PostingKeyFirstDoc(*mark);
    if (through > expected) {
      return absl::InternalError(absl::StrCat("the index flush mark (", through,
                                              ") is beyond the documents (", expected, ")"));
    }
    index->indexed_through_ = through;
  }
  return index;
}

namespace {

// Floor division, so that pre-1970 times land in the right quarter hour.
int64_t QuarterHourOf(int64_t published_seconds) {
  return published_seconds >= 0 ? published_seconds / 900 : -((-published_seconds + 899) / 900);
}

}  // namespace

uint32_t SearchIndex::CreditOrdinalLocked(const std::string& credit) {
  auto [it, inserted] = credit_index_.try_emplace(credit, static_cast<uint32_t>(credits_.size()));
  if (inserted) credits_.push_back(credit);
  return it->second;
}

void SearchIndex::AddDocLocked(uint32_t doc, const DocValues& values) {
  if (doc == ids_.size()) {
    ids_.push_back(values.id);
    published_.push_back(values.published_seconds);
    views_.push_back(values.views);
    credit_ordinals_.push_back(CreditOrdinalLocked(values.credit));
    title_lengths_.push_back(values.title_length);
    body_lengths_.push_back(values.body_length);
    credit_lengths_.push_back(values.credit_length);
    title_length_sum_ += values.title_length;
    body_length_sum_ += values.body_length;
    credit_length_sum_ += values.credit_length;
    ++quarter_hour_counts_[QuarterHourOf(values.published_seconds)];
    return;
  }
  // An existing document: its text, views or publication second changed (its id, and so its
  // publication minute, cannot). The article's key moved with the second; searches must look it
  // up under the new one.
  if (published_[doc] != values.published_seconds) {
    auto old_quarter = quarter_hour_counts_.find(QuarterHourOf(published_[doc]));
    if (old_quarter != quarter_hour_counts_.end() && --old_quarter->second == 0) {
      quarter_hour_counts_.erase(old_quarter);
    }
    ++quarter_hour_counts_[QuarterHourOf(values.published_seconds)];
    published_[doc] = values.published_seconds;
  }
  if (views_[doc] != values.views) {
    view_changes_.push_back({sequence_, doc, views_[doc]});
    views_[doc] = values.views;
  }
  credit_ordinals_[doc] = CreditOrdinalLocked(values.credit);
  title_length_sum_ += static_cast<int64_t>(values.title_length) - title_lengths_[doc];
  body_length_sum_ += static_cast<int64_t>(values.body_length) - body_lengths_[doc];
  credit_length_sum_ += static_cast<int64_t>(values.credit_length) - credit_lengths_[doc];
  title_lengths_[doc] = values.title_length;
  body_lengths_[doc] = values.body_length;
  credit_lengths_[doc] = values.credit_length;
}

uint32_t SearchIndex::next_doc() const {
  absl::ReaderMutexLock lock(&mutex_);
  return static_cast<uint32_t>(ids_.size());
}

int64_t SearchIndex::documents() const {
  absl::ReaderMutexLock lock(&mutex_);
  return static_cast<int64_t>(ids_.size());
}

NewPostings BuildNewPostings(
    const std::vector<std::pair<article::ArticleId, const v1::Article*>>& documents) {
  NewPostings result;
  FreshPostings fresh;
  uint32_t doc = 0;
  for (const auto& [id, article] : documents) {
    result.ids.push_back(id);
    result.lengths.push_back(fresh.Add(*article, doc++));
  }
  result.segment = BuildSegment(fresh, 0, doc);
  return result;
}

absl::StatusOr<SearchIndex::PendingUpdate> SearchIndex::Prepare(const std::vector<Change>& changes,
                                                                WriteBatch& batch,
                                                                NewPostings* prepared) {
  // Edits rewrite posting blocks in RocksDB, so a changed document must have its postings there.
  for (const Change& change : changes) {
    if (change.old_content != nullptr && change.doc >= indexed_through() &&
        !SameText(*change.old_content, *change.new_content)) {
      NEWSDB_RETURN_IF_ERROR(Flush());
      break;
    }
  }
  PendingUpdate update;
  std::map<std::pair<char, std::string>, TermEdits> edits;  // of documents that existed
  FreshPostings fresh;                                      // of new documents
  size_t new_docs = 0;
  for (const Change& change : changes) {
    NEWSDB_CHECK(change.new_content != nullptr);
    const v1::Article& content = *change.new_content;
    const bool text_changed =
        change.old_content == nullptr || !SameText(*change.old_content, content);
    AnalysedArticle analysed;
    if (!text_changed) {
      // Only the views changed (a later capture): keep the lengths, skip the analysis.
      absl::ReaderMutexLock lock(&mutex_);
      analysed.title_length = title_lengths_[change.doc];
      analysed.body_length = body_lengths_[change.doc];
      analysed.credit_length = credit_lengths_[change.doc];
    } else if (change.old_content == nullptr && prepared != nullptr) {
      NEWSDB_CHECK(new_docs < prepared->ids.size() &&
                   prepared->ids[new_docs] == *article::ParseArticleId(content.id()));
      const NewPostings::Lengths& lengths = prepared->lengths[new_docs];
      analysed.title_length = lengths.title;
      analysed.body_length = lengths.body;
      analysed.credit_length = lengths.credit;
    } else if (change.old_content == nullptr) {
      const NewPostings::Lengths lengths = fresh.Add(content, change.doc);
      analysed.title_length = lengths.title;
      analysed.body_length = lengths.body;
      analysed.credit_length = lengths.credit;
    } else {
      analysed = Analyse(content);
      std::optional<AnalysedArticle> old;
      if (change.old_content != nullptr) old = Analyse(*change.old_content);
      CollectEdits(IndexField::kTitle, old ? &old->title : nullptr, analysed.title, change.doc,
                   &edits);
      CollectEdits(IndexField::kBody, old ? &old->body : nullptr, analysed.body, change.doc,
                   &edits);
      CollectEdits(IndexField::kCredit, old ? &old->credit : nullptr, analysed.credit, change.doc,
                   &edits);
    }
    if (change.old_content == nullptr) ++new_docs;
    DocValues values;
    values.id = *article::ParseArticleId(content.id());
    values.published_seconds = content.published_at().seconds();
    values.views = change.views;
    values.title_length = analysed.title_length;
    values.body_length = analysed.body_length;
    values.credit_length = analysed.credit_length;
    values.credit = content.credit();
    batch.Put(ColumnFamily::kDocValues, EncodeDocKey(change.doc), EncodeDocValues(values));
    update.values.emplace_back(change.doc, std::move(values));
  }

  const uint32_t first_new_doc = next_doc();
  // New documents' postings go to the write buffer (Commit adds the segment).
  if (prepared != nullptr) {
    NEWSDB_CHECK(prepared->ids.size() == new_docs);
    MemSegment& segment = *prepared->segment;
    for (std::string& key : segment.keys) {
      SetPostingKeyFirstDoc(PostingKeyFirstDoc(key) + first_new_doc, &key);
    }
    segment.first_doc = first_new_doc;
    segment.end_doc = first_new_doc + static_cast<uint32_t>(new_docs);
    if (new_docs > 0) update.segment = std::move(prepared->segment);
  } else if (new_docs > 0) {
    update.segment = BuildSegment(fresh, first_new_doc, static_cast<uint32_t>(new_docs));
  }

  for (auto& [field_term, term_edits] : edits) {
    const IndexField field = static_cast<IndexField>(field_term.first);
    const std::string& term = field_term.second;
    const std::string prefix = PostingKeyPrefix(field, term);
    std::string upper = prefix;
    upper.back() = '\x01';
    std::unique_ptr<Iterator> it = db_.NewIterator(ColumnFamily::kPostings, prefix, upper);
    // Blocks this write touches, by first document.
    std::map<uint32_t, std::vector<Posting>> blocks;
    std::map<uint32_t, bool> existed;
    // The block that covers `doc` (first <= doc), loading it from the database if needed.
    auto covering_block = [&](uint32_t doc) -> absl::StatusOr<std::optional<uint32_t>> {
      std::optional<uint32_t> best;
      auto cached = blocks.upper_bound(doc);
      if (cached != blocks.begin()) best = std::prev(cached)->first;
      it->SeekForPrev(EncodePostingKey(field, term, doc));
      if (it->Valid()) {
        NEWSDB_ASSIGN_OR_RETURN(PostingKey key, DecodePostingKey(it->key()));
        if (!best || key.first_doc > *best) {
          if (!blocks.contains(key.first_doc)) {
            absl::StatusOr<std::vector<Posting>> postings =
                DecodePostingBlock(it->value(), key.first_doc);
            if (!postings.ok()) {
              return absl::InternalError(
                  absl::StrCat("term ", term, ": ", postings.status().message()));
            }
            blocks[key.first_doc] = *std::move(postings);
            existed[key.first_doc] = true;
          }
          best = key.first_doc;
        }
      } else {
        NEWSDB_RETURN_IF_ERROR(it->status());
      }
      return best;
    };

    for (auto& [doc, positions] : term_edits) {
      NEWSDB_ASSIGN_OR_RETURN(std::optional<uint32_t> first, covering_block(doc));
      if (!first.has_value()) {
        if (positions.empty()) continue;
        blocks[doc] = {};  // a new block that starts here and ends where the next one starts
        first = doc;
      }
      std::vector<Posting>& postings = blocks[*first];
      auto at = std::lower_bound(postings.begin(), postings.end(), doc,
                                 [](const Posting& p, uint32_t d) { return p.doc < d; });
      const bool present = at != postings.end() && at->doc == doc;
      if (positions.empty()) {
        if (present) postings.erase(at);
      } else if (present) {
        at->positions = std::move(positions);
      } else {
        postings.insert(at, Posting{doc, std::move(positions)});
      }
    }
    for (auto& [first, postings] : blocks) {
      if (postings.empty()) {
        if (existed[first])
          batch.Delete(ColumnFamily::kPostings, EncodePostingKey(field, term, first));
        continue;
      }
      batch.Put(ColumnFamily::kPostings, EncodePostingKey(field, term, first),
                EncodePostingBlock(first, postings));
    }
  }
  return update;
}

void SearchIndex::Commit(PendingUpdate update) {
  absl::MutexLock lock(&mutex_);
  ++sequence_;
  for (auto& [doc, values] : update.values) AddDocLocked(doc, values);
  if (update.segment != nullptr) {
    buffer_bytes_ += update.segment->bytes;
    segments_.push_back(std::move(update.segment));
  }
  while (view_changes_.size() > kMaxViewChanges) {
    oldest_sequence_ = view_changes_.front().sequence + 1;
    view_changes_.pop_front();
  }
}

bool SearchIndex::BufferFull() const {
  absl::ReaderMutexLock lock(&mutex_);
  if (segments_.empty()) return false;
  return segments_.back()->end_doc - indexed_through_ >= options_.buffer_docs ||
         buffer_bytes_ >= options_.buffer_bytes;
}

bool SearchIndex::BufferOverloaded() const {
  absl::ReaderMutexLock lock(&mutex_);
  if (segments_.empty()) return false;
  const uint64_t factor = std::max<uint32_t>(options_.overload_factor, 1);
  return segments_.back()->end_doc - indexed_through_ >= factor * options_.buffer_docs ||
         buffer_bytes_ >= factor * options_.buffer_bytes;
}

uint32_t SearchIndex::indexed_through() const {
  absl::ReaderMutexLock lock(&mutex_);
  return indexed_through_;
}

article::ArticleId SearchIndex::IdOf(uint32_t doc) const {
  absl::ReaderMutexLock lock(&mutex_);
  return ids_.at(doc);
}

absl::Status SearchIndex::Flush() {
  absl::MutexLock flush_lock(&flush_mutex_);
  return FlushLocked();
}

absl::Status SearchIndex::FlushIfFull() {
  absl::MutexLock flush_lock(&flush_mutex_);
  if (!BufferFull()) return absl::OkStatus();  // another call flushed it meanwhile
  return FlushLocked();
}

absl::Status SearchIndex::FlushLocked() {
  if (options_.before_flush) NEWSDB_RETURN_IF_ERROR(options_.before_flush());
  // The segments are immutable, and only a flush removes them: Commit may append more meanwhile.
  // Searches read these segments until the merged blocks are durable, and skip those blocks in
  // RocksDB until the segments are dropped (PostingCursor's limit).
  Segments segments;
  uint32_t through = 0;
  size_t bytes = 0;
  {
    absl::ReaderMutexLock lock(&mutex_);
    if (segments_.empty()) return absl::OkStatus();
    segments = segments_;
    through = segments_.back()->end_doc;
  }
  for (const std::shared_ptr<const MemSegment>& segment : segments) bytes += segment->bytes;
  WriteBatch batch = db_.NewWriteBatch();
  NEWSDB_RETURN_IF_ERROR(
      MergeSegments(segments, [&](absl::string_view key, absl::string_view value) {
        batch.Put(ColumnFamily::kPostings, key, value);
      }));
  batch.Put(ColumnFamily::kPostings, kIndexedThroughKey, EncodeDocKey(through));
  NEWSDB_RETURN_IF_ERROR(db_.Write(batch));
  absl::MutexLock lock(&mutex_);
  segments_.erase(segments_.begin(), segments_.begin() + static_cast<ptrdiff_t>(segments.size()));
  buffer_bytes_ -= bytes;
  indexed_through_ = through;
  return absl::OkStatus();
}

absl::Status SearchIndex::Rebuffer(uint32_t first_doc, NewPostings postings) {
  const uint32_t count = static_cast<uint32_t>(postings.ids.size());
  if (count == 0) return absl::OkStatus();
  absl::MutexLock lock(&mutex_);
  const uint32_t expected = segments_.empty() ? indexed_through_ : segments_.back()->end_doc;
  if (first_doc != expected) {
    return absl::InvalidArgumentError(
        absl::StrCat("re-buffered documents start at ", first_doc, ", expected ", expected));
  }
  if (first_doc + count > ids_.size()) {
    return absl::InvalidArgumentError("re-buffered documents beyond the index");
  }
  for (uint32_t k = 0; k < count; ++k) {
    if (ids_[first_doc + k] != postings.ids[k]) {
      return absl::InvalidArgumentError(
          absl::StrCat("re-buffered document ", first_doc + k, " has another article's id"));
    }
  }
  MemSegment& segment = *postings.segment;
  for (std::string& key : segment.keys) {
    SetPostingKeyFirstDoc(PostingKeyFirstDoc(key) + first_doc, &key);
  }
  segment.first_doc = first_doc;
  segment.end_doc = first_doc + count;
  buffer_bytes_ += segment.bytes;
  segments_.push_back(std::move(postings.segment));
  return absl::OkStatus();
}

}  // namespace newsdb::storage
