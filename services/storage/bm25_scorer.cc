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

// Inlined into the scoring loops (used only in this file).
ABSL_ATTRIBUTE_ALWAYS_INLINE inline double Bm25Scorer::FieldPart(IndexField field, uint32_t tf,
                                                                 uint32_t doc) const {
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

std::vector<double> Bm25Scorer::ScoreAll(const DocList& docs) const {
  std::vector<double> scores(docs.size(), 0.0);
  struct Cursor {
    const FieldMatches* field;
    size_t next;
  };
  std::vector<Cursor> cursors;
  for (size_t leaf = 0; leaf < leaves_.size(); ++leaf) {
    // The leaf's field lists walk along `docs` together, so a document's parts add up in a
    // register in title, body, credit order, as in LeafScore: the same bits, no per-leaf array.
    cursors.clear();
    for (const FieldMatches& field : leaves_[leaf].fields) cursors.push_back({&field, 0});
    const double idf = idf_[leaf];
    for (size_t j = 0; j < docs.size(); ++j) {
      const uint32_t doc = docs[j];
      double parts = 0;
      bool any_left = false;
      for (Cursor& cursor : cursors) {
        const DocList& field_docs = cursor.field->docs;
        size_t& next = cursor.next;
        while (next < field_docs.size() && field_docs[next] < doc) ++next;
        if (next == field_docs.size()) continue;
        any_left = true;
        if (field_docs[next] == doc) {
          parts += FieldPart(cursor.field->field, cursor.field->freqs[next], doc);
          ++next;
        }
      }
      if (parts != 0) scores[j] += idf * parts;
      if (!any_left) break;  // every field list is behind us
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
