#include "services/storage/bm25_scorer.h"

#include <algorithm>
#include <cmath>

namespace newsdb::storage {
namespace {

double FieldPart(double tf, double length, double average, double weight) {
  if (tf == 0) return 0.0;
  return weight * tf * (Bm25Scorer::kK1 + 1) /
         (tf + Bm25Scorer::kK1 * (1 - Bm25Scorer::kB + Bm25Scorer::kB * length / average));
}

}  // namespace

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
    idf_.push_back(Idf(stats.documents, static_cast<double>(leaf.docs.size())));
  }
}

double Bm25Scorer::LeafScore(size_t leaf, size_t i, uint32_t doc) const {
  const LeafMatches& matches = leaves_[leaf];
  const FieldLengths lengths = values_.lengths(doc);
  return idf_[leaf] * (FieldPart(matches.title_tf[i], static_cast<double>(lengths.title),
                                 title_average_, kTitleWeight) +
                       FieldPart(matches.body_tf[i], static_cast<double>(lengths.body),
                                 body_average_, kBodyWeight) +
                       FieldPart(matches.credit_tf[i], static_cast<double>(lengths.credit),
                                 credit_average_, kCreditWeight));
}

std::vector<double> Bm25Scorer::ScoreAll(const DocList& docs) const {
  std::vector<double> scores(docs.size(), 0.0);
  for (size_t leaf = 0; leaf < leaves_.size(); ++leaf) {
    const DocList& leaf_docs = leaves_[leaf].docs;
    size_t j = 0;
    for (size_t i = 0; i < leaf_docs.size() && j < docs.size(); ++i) {
      while (j < docs.size() && docs[j] < leaf_docs[i]) ++j;
      if (j < docs.size() && docs[j] == leaf_docs[i]) scores[j] += LeafScore(leaf, i, docs[j]);
    }
  }
  return scores;
}

double Bm25Scorer::Score(uint32_t doc) const {
  double score = 0;
  for (size_t leaf = 0; leaf < leaves_.size(); ++leaf) {
    const DocList& leaf_docs = leaves_[leaf].docs;
    auto it = std::lower_bound(leaf_docs.begin(), leaf_docs.end(), doc);
    if (it == leaf_docs.end() || *it != doc) continue;
    score += LeafScore(leaf, static_cast<size_t>(it - leaf_docs.begin()), doc);
  }
  return score;
}

}  // namespace newsdb::storage
