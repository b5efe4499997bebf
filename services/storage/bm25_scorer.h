#ifndef NEWSDB_SERVICES_STORAGE_BM25_SCORER_H_
#define NEWSDB_SERVICES_STORAGE_BM25_SCORER_H_

// BM25 per field (k1 1.2, b 0.75), summed over the fields with weights (title 2.5, body 1,
// credit 0.5), then over a search's scored leaves. A leaf's idf comes from its document frequency
// in the collection. Contributions are added leaf by leaf in the same order everywhere, so a score
// is bit-identical however it is computed: page cursors compare scores exactly.
//
// Not thread-safe (one per search); the view and leaves must outlive the scorer.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "services/storage/doc_value_store.h"
#include "services/storage/query_matcher.h"

namespace newsdb::storage {

// What BM25 needs of the whole collection.
struct CollectionStats {
  double documents = 0;
  FieldLengths length_sums;
};

class Bm25Scorer {
 public:
  static constexpr double kK1 = 1.2;
  static constexpr double kB = 0.75;
  static constexpr double kTitleWeight = 2.5;
  static constexpr double kBodyWeight = 1.0;
  static constexpr double kCreditWeight = 0.5;

  static double Idf(double documents, double document_frequency);

  // Scores `leaves` (each with at least one match) with document lengths from `values`.
  Bm25Scorer(const CollectionStats& stats, const DocValuesView& values,
             const std::vector<LeafMatches>& leaves);

  // The contribution of leaf `leaf` to the score of `doc` (0 if the leaf does not match it).
  double LeafScore(size_t leaf, uint32_t doc) const;
  // Scores of each of `docs` (increasing): each leaf's field lists walk along them once.
  std::vector<double> ScoreAll(const DocList& docs) const;
  // The score of one document (binary search in each field list).
  double Score(uint32_t doc) const;

 private:
  struct FieldConstants {
    double average;  // length
    double weight;
  };
  FieldConstants ConstantsOf(IndexField field) const;
  const SharedColumn<uint32_t>::Reader& LengthsOf(IndexField field) const;
  void AddFieldParts(const FieldMatches& field, const DocList& docs,
                     std::vector<double>& parts) const;

  const DocValuesView& values_;
  const std::vector<LeafMatches>& leaves_;
  std::vector<double> idf_;  // per leaf
  double title_average_ = 1;
  double body_average_ = 1;
  double credit_average_ = 1;
};

}  // namespace newsdb::storage

#endif  // NEWSDB_SERVICES_STORAGE_BM25_SCORER_H_
