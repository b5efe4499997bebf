#include "services/storage/posting_builder.h"

#include <algorithm>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "common/text/analyzer.h"

namespace newsdb::storage {
namespace {

// Paragraphs are analysed as one text with a gap of this many positions between them, so that a
// phrase never spans two paragraphs.
constexpr uint32_t kParagraphGap = 8;

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

void CollectEdits(IndexField field, const FieldTerms* old_terms, const FieldTerms& new_terms,
                  uint32_t doc, PostingEdits* edits) {
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

}  // namespace

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
  DocLengths Add(const v1::Article& article, uint32_t doc) {
    text::Analyzer& analyzer = text::ThreadLocalAnalyzer();
    auto view = [](const std::string& text) { return std::string_view(text.data(), text.size()); };
    DocLengths lengths;
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

namespace {

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

bool SameText(const v1::Article& a, const v1::Article& b) {
  return a.title() == b.title() && a.credit() == b.credit() &&
         std::equal(a.paragraphs().begin(), a.paragraphs().end(), b.paragraphs().begin(),
                    b.paragraphs().end());
}

SegmentBuilder::SegmentBuilder() : fresh_(std::make_unique<FreshPostings>()) {}
SegmentBuilder::~SegmentBuilder() = default;

DocLengths SegmentBuilder::Add(const v1::Article& article, uint32_t doc) {
  return fresh_->Add(article, doc);
}

std::shared_ptr<MemSegment> SegmentBuilder::Build(uint32_t first_doc, uint32_t documents) const {
  return BuildSegment(*fresh_, first_doc, documents);
}

NewPostings BuildNewPostings(
    const std::vector<std::pair<article::ArticleId, const v1::Article*>>& documents) {
  NewPostings result;
  SegmentBuilder builder;
  uint32_t doc = 0;
  for (const auto& [id, article] : documents) {
    result.ids.push_back(id);
    result.lengths.push_back(builder.Add(*article, doc++));
  }
  result.segment = builder.Build(0, doc);
  return result;
}

DocLengths CollectTextEdits(uint32_t doc, const v1::Article& old_content,
                            const v1::Article& new_content, PostingEdits* edits) {
  const AnalysedArticle analysed = Analyse(new_content);
  const AnalysedArticle old = Analyse(old_content);
  CollectEdits(IndexField::kTitle, &old.title, analysed.title, doc, edits);
  CollectEdits(IndexField::kBody, &old.body, analysed.body, doc, edits);
  CollectEdits(IndexField::kCredit, &old.credit, analysed.credit, doc, edits);
  return {analysed.title_length, analysed.body_length, analysed.credit_length};
}

}  // namespace newsdb::storage
