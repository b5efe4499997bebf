#ifndef NEWSDB_SERVICES_STORAGE_QUERY_MATCHER_H_
#define NEWSDB_SERVICES_STORAGE_QUERY_MATCHER_H_

// Evaluates a query tree over the posting lists of one search view: every leaf (term, phrase,
// prefix) becomes a sorted list of document numbers with its per-field term frequencies, and the
// boolean nodes combine the lists with merges. The leaves that are not negated are kept for
// scoring (bm25_scorer.h) and their words for highlighting.
//
// Not thread-safe (one per search). Uses the calling thread's ThreadLocalAnalyzer().

#include <cstdint>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/text/highlighter.h"
#include "newsdb/v1/search.pb.h"
#include "services/storage/doc_list.h"
#include "services/storage/posting_codec.h"
#include "services/storage/search_view.h"

namespace newsdb::storage {

// One field's matches of a leaf with their term frequencies (phrases count occurrences).
struct FieldMatches {
  IndexField field = IndexField::kBody;
  DocList docs;
  std::vector<uint32_t> freqs;  // parallel to docs, each >= 1
};

// A leaf's matches per field, fields in the order title, body, credit, none empty.
struct LeafMatches {
  std::vector<FieldMatches> fields;
  size_t documents = 0;  // in any field: the leaf's document frequency
  size_t ordinal = 0;    // the leaf's number in the tree, in evaluation order, from 0
};

// The term prefixes a prefix query matches, in the index's analysed (stemmed) form: the folded
// prefix and, when it differs, its stem, so that `almaty*` finds `almaty` (stem `almati`) too.
// Empty if the text holds no word.
std::vector<std::string> PrefixForms(absl::string_view prefix_text);

// A prefix may match at most this many words.
inline constexpr int kMaxPrefixTerms = 20'000;

class QueryMatcher {
 public:
  // Matches documents [0, doc_limit) of `postings`, which must outlive the matcher. `cancelled`
  // is polled between nodes and during long reads.
  QueryMatcher(const PostingSource& postings, uint32_t doc_limit,
               absl::FunctionRef<bool()> cancelled)
      : postings_(postings), doc_limit_(doc_limit), cancelled_(cancelled) {}

  // The documents matching a validated query tree (search::ValidateQuery).
  // Errors: INVALID_ARGUMENT (a prefix matches too many words), CANCELLED, INTERNAL (unreadable
  // postings).
  absl::StatusOr<DocList> Match(const v1::Query& query) { return Eval(query, false); }

  // The document frequency of every leaf of a validated tree, by ordinal (0 for negated leaves),
  // without combining the leaves: the statistics a search over several shards sums.
  // Errors: as Match.
  absl::StatusOr<std::vector<int64_t>> LeafDocumentCounts(const v1::Query& query);

  // Leaves not under a none_of, in evaluation order, with at least one match.
  const std::vector<LeafMatches>& scored_leaves() const { return scored_; }
  // The analysed words and prefixes of those leaves.
  text::HighlightTerms& highlight_terms() { return highlight_; }

 private:
  // `negated`: under a none_of (such leaves are neither scored nor highlighted).
  absl::StatusOr<DocList> Eval(const v1::Query& query, bool negated);
  absl::StatusOr<DocList> UniteChildren(const v1::BooleanQuery& node, bool negated);
  absl::StatusOr<DocList> EvalText(const std::string& text, v1::SearchField field, bool negated);
  absl::StatusOr<DocList> EvalPrefix(const std::string& prefix_text, v1::SearchField field,
                                     bool negated);
  DocList Universe() const;
  // The blocks of (field, term).
  PostingCursor TermCursor(IndexField field, absl::string_view term) const;
  absl::Status ReadDocs(IndexField field, absl::string_view term, DocList* docs,
                        std::vector<uint32_t>* freqs);
  absl::Status ReadPhrase(IndexField field, const std::vector<std::string>& terms, DocList* docs,
                          std::vector<uint32_t>* freqs);
  // Positions of (field, term) in each of `candidates`, flat, offsets[c]..offsets[c + 1]. Without
  // `found` every candidate must hold the term (INTERNAL otherwise); with it, candidates may lack
  // it, and `found` receives those that hold it (offsets are then per found document).
  absl::Status ReadCandidatePositions(IndexField field, absl::string_view term,
                                      const DocList& candidates, std::vector<uint32_t>* offsets,
                                      std::vector<uint32_t>* positions, DocList* found = nullptr);
  DocList Finish(LeafMatches leaf, DocList docs, bool negated);
  // Evaluates the positive leaves under `query` alone, counting the negated ones.
  absl::Status EvalLeaves(const v1::Query& query, bool negated);

  const PostingSource& postings_;
  const uint32_t doc_limit_;
  absl::FunctionRef<bool()> cancelled_;
  std::vector<LeafMatches> scored_;
  text::HighlightTerms highlight_;
  size_t leaves_ = 0;  // evaluated so far
};

}  // namespace newsdb::storage

#endif  // NEWSDB_SERVICES_STORAGE_QUERY_MATCHER_H_
