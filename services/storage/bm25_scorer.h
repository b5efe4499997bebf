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

// What BM25 needs of the whole collection: of this shard, or summed over every shard of a
// search over several (then each leaf's document frequency comes from `leaf_documents`, by the
// leaf's ordinal, instead of from its matches here).
struct CollectionStats {
  double documents = 0;
  FieldLengths length_sums;
  std::vector<int64_t> leaf_documents;  // empty: the leaves' own
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
  // The same for docs[0, count) into scores[0, count), the field lists entered by binary search:
  // for scoring a search's matches a window at a time.
  void ScoreInto(const uint32_t* docs, size_t count, double* scores) const;
  // One leaf's list of one field, and the most it adds to any document's score.
  struct ListBound {
    size_t leaf = 0;
    size_t field = 0;  // index into the leaf's fields
    double bound = 0;
  };
  // Every field list of every leaf, the highest bound first. A list's bound is its leaf's idf
  // times its field part with the list's highest term frequency and the field's shortest length
  // in the view (WindowBounds): every operation of a score is monotonic in those, so a document
  // found in none of some lists scores at most the sum of the other lists' bounds (MaxScore).
  std::vector<ListBound> ListBounds() const;
  const FieldMatches& list(const ListBound& bound) const {
    return leaves_[bound.leaf].fields[bound.field];
  }
  // The score of one document (binary search in each field list).
  double Score(uint32_t doc) const;

 private:
  struct FieldConstants {
    double average;  // length
    double weight;
  };
  FieldConstants ConstantsOf(IndexField field) const;
  const SharedColumn<uint32_t>::Reader& LengthsOf(IndexField field) const;
  // Adds `field`'s part to parts[j] for each docs[j] (j < count) in the field list.
  void AddFieldParts(const FieldMatches& field, const uint32_t* docs, size_t count,
                     double* parts) const;
  double NormOf(IndexField field, uint32_t length) const;

  const DocValuesView& values_;
  const std::vector<LeafMatches>& leaves_;
  std::vector<double> idf_;  // per leaf
  // Norms of lengths below kNormTableSize per field (title, body, credit), computed when some
  // leaf's list in the field is long enough to repay the table; else empty.
  std::vector<double> norm_tables_[3];
  double title_average_ = 1;
  double body_average_ = 1;
  double credit_average_ = 1;
};

}  // namespace newsdb::storage

#endif  // NEWSDB_SERVICES_STORAGE_BM25_SCORER_H_
