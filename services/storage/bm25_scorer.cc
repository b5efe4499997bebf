#include "services/storage/bm25_scorer.h"

#include <algorithm>
#include <cmath>

#include "absl/base/attributes.h"

namespace newsdb::storage {

double Bm25Scorer::Idf(double documents, double document_frequency) {
  return std::log(1.0 + (documents - document_frequency + 0.5) / (document_frequency + 0.5));
}

Bm25Scorer::Bm25Scorer(const CollectionStats& stats, const DocValuesView& values,
                       const std::vector<LeafMatches>& leaves)
    : values_(values), leaves_(leaves) {
  const double n = std::max(stats.documents, 1.0);
  title_average_ = std::max(static_cast<double>(stats.length_sums.title) / n, 1.0);
  body_average_ = std::max(static_cast<double>(stats.length_sums.body) / n, 1.0);
  credit_average_ = std::max(static_cast<double>(stats.length_sums.credit) / n, 1.0);
  idf_.reserve(leaves.size());
  for (const LeafMatches& leaf : leaves) {
    idf_.push_back(Idf(stats.documents, static_cast<double>(leaf.documents)));
  }
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

// Adds `field`'s part to parts[j] for each docs[j] in the field list: the two sorted lists walk
// together once. Norms come from a table of the same expression, so the bits are LeafScore's.
void Bm25Scorer::AddFieldParts(const FieldMatches& field, const DocList& docs,
                               std::vector<double>& parts) const {
  const FieldConstants constants = ConstantsOf(field.field);
  std::vector<double> table;
  if (field.docs.size() >= size_t{4} * kNormTableSize) {
    table.resize(kNormTableSize);
    for (uint32_t length = 0; length < kNormTableSize; ++length) {
      table[length] = Norm(length, constants.average);
    }
  }
  const SharedColumn<uint32_t>::Reader& lengths = LengthsOf(field.field);
  const size_t n = docs.size();
  const size_t count = field.docs.size();
  size_t j = 0;
  for (size_t i = 0; i < count; ++i) {
    // A rare word's documents are far apart, so each length is a cache miss: ask for it early.
    if (i + kPrefetchDistance < count) {
      __builtin_prefetch(lengths.address(field.docs[i + kPrefetchDistance]));
    }
    const uint32_t doc = field.docs[i];
    while (j < n && docs[j] < doc) ++j;
    if (j == n) break;
    if (docs[j] != doc) continue;
    const uint32_t length = lengths[doc];
    const double norm = length < table.size() ? table[length] : Norm(length, constants.average);
    parts[j] += Part(constants.weight, field.freqs[i], norm);
    ++j;
  }
}

std::vector<double> Bm25Scorer::ScoreAll(const DocList& docs) const {
  // A document's field parts add up in title, body, credit order, as in LeafScore, then
  // times the leaf's idf onto the score. The first leaf's parts add up in the scores themselves
  // (0 + idf * parts is idf * parts): one array for the common one-leaf search.
  std::vector<double> scores(docs.size(), 0.0);
  std::vector<double> parts;
  for (size_t leaf = 0; leaf < leaves_.size(); ++leaf) {
    std::vector<double>& sums = leaf == 0 ? scores : parts;
    if (leaf > 0) parts.assign(docs.size(), 0.0);
    for (const FieldMatches& field : leaves_[leaf].fields) AddFieldParts(field, docs, sums);
    const double idf = idf_[leaf];
    if (leaf == 0) {
      for (double& score : scores) score *= idf;
      continue;
    }
    for (size_t j = 0; j < docs.size(); ++j) {
      if (parts[j] != 0) scores[j] += idf * parts[j];
    }
  }
  return scores;
}

double Bm25Scorer::Score(uint32_t doc) const {
  double score = 0;
  for (size_t leaf = 0; leaf < leaves_.size(); ++leaf) score += LeafScore(leaf, doc);
  return score;
}

}  // namespace newsdb::storage
