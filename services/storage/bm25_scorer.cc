#include "services/storage/bm25_scorer.h"

#include <algorithm>
#include <cmath>

#include "absl/base/attributes.h"

namespace newsdb::storage {

double Bm25Scorer::Idf(double documents, double document_frequency) {
  return std::log(1.0 + (documents - document_frequency + 0.5) / (document_frequency + 0.5));
}

namespace {

// BM25's length normalisation of a field: k1 (1 - b + b length / average).
ABSL_ATTRIBUTE_ALWAYS_INLINE inline double Norm(double length, double average) {
  return Bm25Scorer::kK1 * (1 - Bm25Scorer::kB + Bm25Scorer::kB * length / average);
}

// One field's weighted BM25 part for `tf` occurrences and the field's norm.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline double Part(double weight, uint32_t tf, double norm) {
  const double frequency = tf;
  return weight * frequency * (Bm25Scorer::kK1 + 1) / (frequency + norm);
}

// Norms of lengths below this come from a table when a field list is long enough to repay it.
constexpr uint32_t kNormTableSize = 4096;
// How many documents ahead the scoring loop prefetches a length.
constexpr size_t kPrefetchDistance = 16;

}  // namespace

namespace {
size_t TableIndex(IndexField field) {
  switch (field) {
    case IndexField::kTitle:
      return 0;
    case IndexField::kBody:
      return 1;
    case IndexField::kCredit:
      break;
  }
  return 2;
}
}  // namespace

Bm25Scorer::Bm25Scorer(const CollectionStats& stats, const DocValuesView& values,
                       const std::vector<LeafMatches>& leaves)
    : values_(values), leaves_(leaves) {
  const double n = std::max(stats.documents, 1.0);
  title_average_ = std::max(static_cast<double>(stats.length_sums.title) / n, 1.0);
  body_average_ = std::max(static_cast<double>(stats.length_sums.body) / n, 1.0);
  credit_average_ = std::max(static_cast<double>(stats.length_sums.credit) / n, 1.0);
  idf_.reserve(leaves.size());
  for (const LeafMatches& leaf : leaves) {
    const double frequency = leaf.ordinal < stats.leaf_documents.size()
                                 ? static_cast<double>(stats.leaf_documents[leaf.ordinal])
                                 : static_cast<double>(leaf.documents);
    idf_.push_back(Idf(stats.documents, frequency));
    for (const FieldMatches& field : leaf.fields) {
      std::vector<double>& table = norm_tables_[TableIndex(field.field)];
      if (field.docs.size() < size_t{4} * kNormTableSize || !table.empty()) continue;
      const double average = ConstantsOf(field.field).average;
      table.resize(kNormTableSize);
      for (uint32_t length = 0; length < kNormTableSize; ++length) {
        table[length] = Norm(length, average);
      }
    }
  }
}

double Bm25Scorer::NormOf(IndexField field, uint32_t length) const {
  const std::vector<double>& table = norm_tables_[TableIndex(field)];
  return length < table.size() ? table[length] : Norm(length, ConstantsOf(field).average);
}

Bm25Scorer::FieldConstants Bm25Scorer::ConstantsOf(IndexField field) const {
  switch (field) {
    case IndexField::kTitle:
      return {title_average_, kTitleWeight};
    case IndexField::kBody:
      return {body_average_, kBodyWeight};
    case IndexField::kCredit:
      break;
  }
  return {credit_average_, kCreditWeight};
}

const SharedColumn<uint32_t>::Reader& Bm25Scorer::LengthsOf(IndexField field) const {
  switch (field) {
    case IndexField::kTitle:
      return values_.title_lengths();
    case IndexField::kBody:
      return values_.body_lengths();
    case IndexField::kCredit:
      break;
  }
  return values_.credit_lengths();
}

double Bm25Scorer::LeafScore(size_t leaf, uint32_t doc) const {
  // Field parts add up in title, body, credit order from 0 (adding a missing field's 0 changes
  // nothing), so every way of scoring gives the same bits.
  double parts = 0;
  for (const FieldMatches& field : leaves_[leaf].fields) {
    auto it = std::lower_bound(field.docs.begin(), field.docs.end(), doc);
    if (it == field.docs.end() || *it != doc) continue;
    const FieldConstants constants = ConstantsOf(field.field);
    parts += Part(constants.weight, field.freqs[static_cast<size_t>(it - field.docs.begin())],
                  Norm(LengthsOf(field.field)[doc], constants.average));
  }
  return idf_[leaf] * parts;
}

// The two sorted lists walk together once, the field list entered at docs[0] by binary search;
// when `docs` are far fewer than the list (MaxScore scores a few of a common word's documents),
// each is found by galloping instead, so the rest of the list is never touched. Norms come from
// a table of the same expression, so the bits are LeafScore's.
void Bm25Scorer::AddFieldParts(const FieldMatches& field, const uint32_t* docs, size_t count,
                               double* parts) const {
  if (count == 0) return;
  const double weight = ConstantsOf(field.field).weight;
  const SharedColumn<uint32_t>::Reader& lengths = LengthsOf(field.field);
  const uint32_t* list = field.docs.data();
  const size_t size = field.docs.size();
  size_t i = static_cast<size_t>(std::lower_bound(list, list + size, docs[0]) - list);
  if (size - i > 4 * count) {
    for (size_t j = 0; j < count && i < size; ++j) {
      if (j + kPrefetchDistance < count) {
        __builtin_prefetch(lengths.address(docs[j + kPrefetchDistance]));
      }
      const uint32_t doc = docs[j];
      i = GallopTo(list, size, i, doc);
      if (i == size) break;
      if (list[i] != doc) continue;
      parts[j] += Part(weight, field.freqs[i], NormOf(field.field, lengths[doc]));
      ++i;
    }
    return;
  }
  size_t j = 0;
  for (; i < size; ++i) {
    // A rare word's documents are far apart, so each length is a cache miss: ask for it early.
    if (i + kPrefetchDistance < size) {
      __builtin_prefetch(lengths.address(list[i + kPrefetchDistance]));
    }
    const uint32_t doc = list[i];
    while (j < count && docs[j] < doc) ++j;
    if (j == count) break;
    if (docs[j] != doc) continue;
    parts[j] += Part(weight, field.freqs[i], NormOf(field.field, lengths[doc]));
    ++j;
  }
}

std::vector<double> Bm25Scorer::ScoreAll(const DocList& docs) const {
  std::vector<double> scores(docs.size(), 0.0);
  ScoreInto(docs.data(), docs.size(), scores.data());
  return scores;
}

void Bm25Scorer::ScoreInto(const uint32_t* docs, size_t count, double* scores) const {
  // A document's field parts add up in title, body, credit order, as in LeafScore, then
  // times the leaf's idf onto the score. The first leaf's parts add up in the scores themselves
  // (0 + idf * parts is idf * parts): one array for the common one-leaf search.
  std::fill(scores, scores + count, 0.0);
  std::vector<double> parts;
  for (size_t leaf = 0; leaf < leaves_.size(); ++leaf) {
    if (leaf > 0) parts.assign(count, 0.0);
    double* sums = leaf == 0 ? scores : parts.data();
    for (const FieldMatches& field : leaves_[leaf].fields) {
      AddFieldParts(field, docs, count, sums);
    }
    const double idf = idf_[leaf];
    if (leaf == 0) {
      for (size_t j = 0; j < count; ++j) scores[j] *= idf;
      continue;
    }
    for (size_t j = 0; j < count; ++j) {
      if (parts[j] != 0) scores[j] += idf * parts[j];
    }
  }
}

namespace {

uint32_t ShortestIn(const WindowBounds& bounds, IndexField field) {
  switch (field) {
    case IndexField::kTitle:
      return bounds.min_title_length;
    case IndexField::kBody:
      return bounds.min_body_length;
    case IndexField::kCredit:
      break;
  }
  return bounds.min_credit_length;
}

// A score's parts are monotonic in frequency and length, so a part from the highest frequency and
// the shortest length bounds every document's; sums of bounds may round apart from a score's sum
// by an ulp or two, which the margin covers.
constexpr double kBoundMargin = 1 + 1e-9;

}  // namespace

std::vector<Bm25Scorer::ListBound> Bm25Scorer::ListBounds() const {
  // The shortest length of each field in the view, from the window bounds.
  uint32_t shortest[3] = {UINT32_MAX, UINT32_MAX, UINT32_MAX};
  for (uint32_t w = 0; w < values_.window_count(); ++w) {
    const WindowBounds& window = values_.window(w);
    for (IndexField field : {IndexField::kTitle, IndexField::kBody, IndexField::kCredit}) {
      uint32_t& least = shortest[TableIndex(field)];
      least = std::min(least, ShortestIn(window, field));
    }
  }
  std::vector<ListBound> bounds;
  for (size_t leaf = 0; leaf < leaves_.size(); ++leaf) {
    const std::vector<FieldMatches>& fields = leaves_[leaf].fields;
    for (size_t f = 0; f < fields.size(); ++f) {
      const FieldMatches& list = fields[f];
      if (list.docs.empty()) continue;
      uint32_t highest = 0;
      for (uint32_t tf : list.freqs) highest = std::max(highest, tf);
      const uint32_t length = shortest[TableIndex(list.field)];
      const double part = Part(ConstantsOf(list.field).weight, highest,
                               NormOf(list.field, length == UINT32_MAX ? 0 : length));
      bounds.push_back({leaf, f, idf_[leaf] * part * kBoundMargin});
    }
  }
  std::stable_sort(bounds.begin(), bounds.end(),
                   [](const ListBound& a, const ListBound& b) { return a.bound > b.bound; });
  return bounds;
}

double Bm25Scorer::Score(uint32_t doc) const {
  double score = 0;
  for (size_t leaf = 0; leaf < leaves_.size(); ++leaf) score += LeafScore(leaf, doc);
  return score;
}

}  // namespace newsdb::storage
