#include "services/storage/bm25_scorer.h"

#include <algorithm>
#include <cmath>

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

double Bm25Scorer::FieldPart(IndexField field, uint32_t tf, uint32_t doc) const {
  double length = 0, average = 1, weight = 0;
  switch (field) {
    case IndexField::kTitle:
      length = values_.title_length(doc), average = title_average_, weight = kTitleWeight;
      break;
    case IndexField::kBody:
      length = values_.body_length(doc), average = body_average_, weight = kBodyWeight;
      break;
    case IndexField::kCredit:
      length = values_.credit_length(doc), average = credit_average_, weight = kCreditWeight;
      break;
  }
  const double frequency = tf;
  return weight * frequency * (kK1 + 1) / (frequency + kK1 * (1 - kB + kB * length / average));
}

double Bm25Scorer::LeafScore(size_t leaf, uint32_t doc) const {
  // Field parts add up in title, body, credit order from 0 (adding a missing field's 0 changes
  // nothing), so every way of scoring gives the same bits.
  double parts = 0;
  for (const FieldMatches& field : leaves_[leaf].fields) {
    auto it = std::lower_bound(field.docs.begin(), field.docs.end(), doc);
    if (it == field.docs.end() || *it != doc) continue;
    parts += FieldPart(field.field, field.freqs[static_cast<size_t>(it - field.docs.begin())], doc);
  }
  return idf_[leaf] * parts;
}

namespace {

// parts[j] += the field's BM25 part for docs[j], for each document of the field list that is in
// `docs`. The expression is FieldPart's, term for term, so the bits are the same.
template <typename LengthOf>
void AddFieldParts(const FieldMatches& field, const DocList& docs, double average, double weight,
                   LengthOf length_of, std::vector<double>& parts) {
  size_t j = 0;
  const size_t n = docs.size();
  for (size_t i = 0; i < field.docs.size() && j < n; ++i) {
    const uint32_t doc = field.docs[i];
    while (j < n && docs[j] < doc) ++j;
    if (j == n || docs[j] != doc) continue;
    const double tf = field.freqs[i];
    const double length = length_of(doc);
    parts[j] += weight * tf * (Bm25Scorer::kK1 + 1) /
                (tf + Bm25Scorer::kK1 * (1 - Bm25Scorer::kB + Bm25Scorer::kB * length / average));
  }
}

}  // namespace

std::vector<double> Bm25Scorer::ScoreAll(const DocList& docs) const {
  std::vector<double> scores(docs.size(), 0.0);
  std::vector<double> parts;
  for (size_t leaf = 0; leaf < leaves_.size(); ++leaf) {
    parts.assign(docs.size(), 0.0);
    for (const FieldMatches& field : leaves_[leaf].fields) {
      switch (field.field) {
        case IndexField::kTitle:
          AddFieldParts(
              field, docs, title_average_, kTitleWeight,
              [this](uint32_t doc) { return values_.title_length(doc); }, parts);
          break;
        case IndexField::kBody:
          AddFieldParts(
              field, docs, body_average_, kBodyWeight,
              [this](uint32_t doc) { return values_.body_length(doc); }, parts);
          break;
        case IndexField::kCredit:
          AddFieldParts(
              field, docs, credit_average_, kCreditWeight,
              [this](uint32_t doc) { return values_.credit_length(doc); }, parts);
          break;
      }
    }
    const double idf = idf_[leaf];
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
