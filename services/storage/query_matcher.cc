// QueryMatcher: leaves read posting blocks through the view's PostingSource; boolean nodes merge
// sorted document lists.

#include "services/storage/query_matcher.h"

#include <algorithm>
#include <iterator>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/field_errors.h"
#include "common/status/status_macros.h"
#include "common/text/analyzer.h"

namespace newsdb::storage {

std::vector<std::string> PrefixForms(absl::string_view prefix_text) {
  text::Analyzer& analyzer = text::ThreadLocalAnalyzer();
  const std::string folded =
      analyzer.NormalizePrefix(std::string_view(prefix_text.data(), prefix_text.size()));
  if (folded.empty()) return {};
  std::vector<std::string> terms =
      analyzer.Terms(std::string_view(prefix_text.data(), prefix_text.size()));
  const std::string stemmed = terms.size() == 1 ? terms[0] : folded;
  // When one form starts with the other, the shorter one's range holds the longer one's.
  if (absl::StartsWith(folded, stemmed)) return {stemmed};
  if (absl::StartsWith(stemmed, folded)) return {folded};
  return {folded, stemmed};
}

namespace {

DocList Intersect(const DocList& a, const DocList& b) {
  DocList out;
  out.reserve(std::min(a.size(), b.size()));
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

DocList Unite(const DocList& a, const DocList& b) {
  DocList out;
  out.reserve(a.size() + b.size());
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

DocList Subtract(const DocList& a, const DocList& b) {
  DocList out;
  out.reserve(a.size());
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

std::vector<IndexField> FieldsOf(v1::SearchField field) {
  switch (field) {
    case v1::SEARCH_FIELD_TITLE:
      return {IndexField::kTitle};
    case v1::SEARCH_FIELD_BODY:
      return {IndexField::kBody};
    case v1::SEARCH_FIELD_CREDIT:
      return {IndexField::kCredit};
    default:
      return {IndexField::kTitle, IndexField::kBody};
  }
}

// Adds one field's postings to a leaf: its documents join the leaf's.
void AddField(IndexField field, DocList docs, std::vector<uint32_t> freqs, LeafMatches* leaf,
              DocList* leaf_docs) {
  if (docs.empty()) return;
  *leaf_docs = leaf_docs->empty() ? docs : Unite(*leaf_docs, docs);
  leaf->fields.push_back({field, std::move(docs), std::move(freqs)});
}

}  // namespace

absl::StatusOr<DocList> QueryMatcher::Eval(const v1::Query& query, bool negated) {
  if (cancelled_()) return absl::CancelledError("search cancelled");
  switch (query.node_case()) {
    case v1::Query::kTerm:
      return EvalText(query.term().text(), query.term().field(), negated);
    case v1::Query::kPhrase:
      return EvalText(query.phrase().text(), query.phrase().field(), negated);
    case v1::Query::kPrefix:
      return EvalPrefix(query.prefix().prefix(), query.prefix().field(), negated);
    case v1::Query::kMatchAll:
      return Universe();
    case v1::Query::kNoneOf: {
      NEWSDB_ASSIGN_OR_RETURN(DocList excluded, UniteChildren(query.none_of(), !negated));
      return Subtract(Universe(), excluded);
    }
    case v1::Query::kAnyOf:
      return UniteChildren(query.any_of(), negated);
    case v1::Query::kAllOf: {
      std::optional<DocList> result;
      DocList excluded;
      for (const v1::Query& child : query.all_of().queries()) {
        if (child.node_case() == v1::Query::kNoneOf) {
          NEWSDB_ASSIGN_OR_RETURN(DocList docs, UniteChildren(child.none_of(), !negated));
          excluded = Unite(excluded, docs);
          continue;
        }
        NEWSDB_ASSIGN_OR_RETURN(DocList docs, Eval(child, negated));
        result = result.has_value() ? Intersect(*result, docs) : std::move(docs);
      }
      if (!result.has_value()) result = Universe();
      return Subtract(*result, excluded);
    }
    default:
      return status::InvalidFieldError("query", "a query node must be set");
  }
}

absl::StatusOr<std::vector<int64_t>> QueryMatcher::LeafDocumentCounts(const v1::Query& query) {
  NEWSDB_RETURN_IF_ERROR(EvalLeaves(query, false));
  std::vector<int64_t> counts(leaves_);
  for (const LeafMatches& leaf : scored_)
    counts[leaf.ordinal] = static_cast<int64_t>(leaf.documents);
  return counts;
}

absl::Status QueryMatcher::EvalLeaves(const v1::Query& query, bool negated) {
  if (cancelled_()) return absl::CancelledError("search cancelled");
  switch (query.node_case()) {
    case v1::Query::kTerm:
    case v1::Query::kPhrase:
    case v1::Query::kPrefix:
      if (negated) {
        ++leaves_;
        return absl::OkStatus();
      }
      return Eval(query, false).status();
    case v1::Query::kMatchAll:
      return absl::OkStatus();
    case v1::Query::kNoneOf:
      for (const v1::Query& child : query.none_of().queries()) {
        NEWSDB_RETURN_IF_ERROR(EvalLeaves(child, !negated));
      }
      return absl::OkStatus();
    case v1::Query::kAnyOf:
      for (const v1::Query& child : query.any_of().queries()) {
        NEWSDB_RETURN_IF_ERROR(EvalLeaves(child, negated));
      }
      return absl::OkStatus();
    case v1::Query::kAllOf:
      for (const v1::Query& child : query.all_of().queries()) {
        NEWSDB_RETURN_IF_ERROR(EvalLeaves(child, negated));
      }
      return absl::OkStatus();
    default:
      return status::InvalidFieldError("query", "a query node must be set");
  }
}

absl::StatusOr<DocList> QueryMatcher::UniteChildren(const v1::BooleanQuery& node, bool negated) {
  DocList result;
  for (const v1::Query& child : node.queries()) {
    NEWSDB_ASSIGN_OR_RETURN(DocList docs, Eval(child, negated));
    result = Unite(result, docs);
  }
  return result;
}

DocList QueryMatcher::Universe() const {
  DocList all(doc_limit_);
  for (uint32_t doc = 0; doc < doc_limit_; ++doc) all[doc] = doc;
  return all;
}

PostingCursor QueryMatcher::TermCursor(IndexField field, absl::string_view term) const {
  const std::string prefix = PostingKeyPrefix(field, term);
  std::string upper = prefix;
  upper.back() = '\x01';  // just past the prefix's 0x00 separator
  return postings_.Cursor(prefix, upper);
}

// Documents and frequencies of (field, term), below the document limit.
absl::Status QueryMatcher::ReadDocs(IndexField field, absl::string_view term, DocList* docs,
                                    std::vector<uint32_t>* freqs) {
  PostingCursor cursor = TermCursor(field, term);
  PostingCursor* it = &cursor;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    NEWSDB_ASSIGN_OR_RETURN(PostingKey key, DecodePostingKey(it->key()));
    if (key.first_doc >= doc_limit_) break;
    absl::Status decoded = DecodePostingDocs(it->value(), key.first_doc, docs, freqs);
    if (!decoded.ok()) return absl::InternalError(decoded.message());
  }
  NEWSDB_RETURN_IF_ERROR(it->status());
  while (!docs->empty() && docs->back() >= doc_limit_) {
    docs->pop_back();
    freqs->pop_back();
  }
  return absl::OkStatus();
}

absl::StatusOr<DocList> QueryMatcher::EvalText(const std::string& text, v1::SearchField field,
                                               bool negated) {
  std::vector<std::string> terms = text::ThreadLocalAnalyzer().Terms(text);
  LeafMatches leaf;
  DocList leaf_docs;
  if (!terms.empty()) {
    for (IndexField index_field : FieldsOf(field)) {
      DocList docs;
      std::vector<uint32_t> freqs;
      if (terms.size() == 1) {
        NEWSDB_RETURN_IF_ERROR(ReadDocs(index_field, terms[0], &docs, &freqs));
      } else {
        NEWSDB_RETURN_IF_ERROR(ReadPhrase(index_field, terms, &docs, &freqs));
      }
      AddField(index_field, std::move(docs), std::move(freqs), &leaf, &leaf_docs);
    }
  }
  if (!negated) {
    for (std::string& term : terms) highlight_.terms.insert(std::move(term));
  }
  return Finish(std::move(leaf), std::move(leaf_docs), negated);
}

// Documents where `terms` occur at consecutive positions, with the number of occurrences.
// Positions are decoded only for documents that may still match: the candidates hold every term,
// and each term's positions (rarest first) prune the candidates and their possible starts before
// the next, commoner term's are read, so a phrase with a common word ("head of state") decodes
// that word's positions only where the rarer words already line up.
absl::Status QueryMatcher::ReadPhrase(IndexField field, const std::vector<std::string>& terms,
                                      DocList* docs, std::vector<uint32_t>* freqs) {
  // The documents of all terms but the last, then one pass over the last term's blocks that both
  // intersects and reads positions (common words' blocks are megabytes: 2n - 1 passes, not 2n).
  const size_t last = terms.size() - 1;
  DocList candidates;
  std::vector<size_t> document_counts(terms.size(), 0);
  for (size_t k = 0; k < last; ++k) {
    DocList term_docs;
    std::vector<uint32_t> term_freqs;
    NEWSDB_RETURN_IF_ERROR(ReadDocs(field, terms[k], &term_docs, &term_freqs));
    document_counts[k] = term_docs.size();
    candidates = k == 0 ? std::move(term_docs) : Intersect(candidates, term_docs);
    if (candidates.empty()) return absl::OkStatus();
  }
  // Possible phrase starts of each candidate, flat: starts[start_offsets[c]..start_offsets[c+1]].
  std::vector<uint32_t> start_offsets;
  std::vector<uint32_t> starts;
  {
    std::vector<uint32_t> offsets;
    std::vector<uint32_t> positions;
    DocList found;
    NEWSDB_RETURN_IF_ERROR(
        ReadCandidatePositions(field, terms[last], candidates, &offsets, &positions, &found));
    candidates.clear();
    start_offsets.assign(1, 0);
    for (size_t c = 0; c < found.size(); ++c) {
      for (uint32_t i = offsets[c]; i < offsets[c + 1]; ++i) {
        if (positions[i] >= last) starts.push_back(positions[i] - static_cast<uint32_t>(last));
      }
      if (starts.size() == start_offsets.back()) continue;
      candidates.push_back(found[c]);
      start_offsets.push_back(static_cast<uint32_t>(starts.size()));
    }
  }
  // The other terms, rarest first; each keeps the starts it confirms at its offset.
  std::vector<size_t> order(last);
  for (size_t k = 0; k < last; ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return document_counts[a] < document_counts[b]; });
  std::vector<uint32_t> offsets;
  std::vector<uint32_t> positions;
  for (const size_t k : order) {
    if (candidates.empty()) return absl::OkStatus();
    if (cancelled_()) return absl::CancelledError("search cancelled");
    NEWSDB_RETURN_IF_ERROR(
        ReadCandidatePositions(field, terms[k], candidates, &offsets, &positions));
    size_t kept_candidates = 0;
    size_t kept_starts = 0;
    for (size_t c = 0; c < candidates.size(); ++c) {
      const auto begin = positions.begin() + offsets[c];
      const auto end = positions.begin() + offsets[c + 1];
      const size_t first_start = kept_starts;
      for (uint32_t i = start_offsets[c]; i < start_offsets[c + 1]; ++i) {
        if (std::binary_search(begin, end, starts[i] + static_cast<uint32_t>(k))) {
          starts[kept_starts++] = starts[i];
        }
      }
      if (kept_starts == first_start) continue;
      candidates[kept_candidates] = candidates[c];
      start_offsets[kept_candidates] = static_cast<uint32_t>(first_start);
      ++kept_candidates;
    }
    candidates.resize(kept_candidates);
    start_offsets.resize(kept_candidates);
    start_offsets.push_back(static_cast<uint32_t>(kept_starts));
    starts.resize(kept_starts);
  }
  for (size_t c = 0; c < candidates.size(); ++c) {
    docs->push_back(candidates[c]);
    freqs->push_back(start_offsets[c + 1] - start_offsets[c]);
  }
  return absl::OkStatus();
}

// Positions of (field, term) in each of `candidates` (sorted); see the header for `found`.
absl::Status QueryMatcher::ReadCandidatePositions(IndexField field, absl::string_view term,
                                                  const DocList& candidates,
                                                  std::vector<uint32_t>* offsets,
                                                  std::vector<uint32_t>* positions,
                                                  DocList* found) {
  PostingCursor cursor = TermCursor(field, term);
  PostingCursor* it = &cursor;
  offsets->assign(1, 0);
  positions->clear();
  size_t next = 0;  // the next candidate to find
  DocList block_docs;
  std::vector<uint32_t> block_freqs;
  std::string scratch;
  for (it->SeekToFirst(); it->Valid() && next < candidates.size(); it->Next()) {
    NEWSDB_ASSIGN_OR_RETURN(PostingKey key, DecodePostingKey(it->key()));
    if (key.first_doc >= doc_limit_) break;
    block_docs.clear();
    block_freqs.clear();
    size_t docs_end = 0;
    absl::Status decoded =
        DecodePostingDocs(it->value(), key.first_doc, &block_docs, &block_freqs, &docs_end);
    if (!decoded.ok()) return absl::InternalError(decoded.message());
    if (block_docs.empty()) continue;
    // A block that holds no candidate is passed without reading its positions.
    if (found != nullptr) {
      while (next < candidates.size() && candidates[next] < block_docs.front()) ++next;
    }
    if (next == candidates.size()) break;
    if (candidates[next] > block_docs.back()) continue;
    NEWSDB_ASSIGN_OR_RETURN(const absl::string_view block, it->positions(docs_end, &scratch));
    size_t pos = 0;
    // Positions of documents that are not candidates are skipped unread, in runs.
    uint64_t skip = 0;
    for (size_t i = 0; i < block_docs.size() && next < candidates.size(); ++i) {
      if (found != nullptr) {  // candidates may lack the term: pass those below this document
        while (next < candidates.size() && candidates[next] < block_docs[i]) ++next;
        if (next == candidates.size()) break;
      }
      if (block_docs[i] != candidates[next]) {
        skip += block_freqs[i];
        continue;
      }
      if (skip > 0 && !SkipVarints(block, &pos, skip)) {
        return absl::InternalError("malformed posting block: positions");
      }
      skip = 0;
      uint64_t position = 0;
      for (uint32_t j = 0; j < block_freqs[i]; ++j) {
        uint64_t delta = 0;
        if (!ReadVarint(block, &pos, &delta)) {
          return absl::InternalError("malformed posting block: position");
        }
        position += delta;
        positions->push_back(static_cast<uint32_t>(position));
      }
      offsets->push_back(static_cast<uint32_t>(positions->size()));
      if (found != nullptr) found->push_back(candidates[next]);
      ++next;
    }
  }
  NEWSDB_RETURN_IF_ERROR(it->status());
  if (found == nullptr && next != candidates.size()) {
    return absl::InternalError(absl::StrCat("posting list of ", term, " changed during a read"));
  }
  return absl::OkStatus();
}

absl::StatusOr<DocList> QueryMatcher::EvalPrefix(const std::string& prefix_text,
                                                 v1::SearchField field, bool negated) {
  const std::vector<std::string> prefixes = PrefixForms(prefix_text);
  LeafMatches leaf;
  DocList leaf_docs;
  for (IndexField index_field : FieldsOf(field)) {
    // Frequencies summed over every term with one of the prefixes (their ranges are disjoint).
    absl::flat_hash_map<uint32_t, uint32_t> sums;
    int terms = 0;
    DocList docs;
    std::vector<uint32_t> freqs;
    for (const std::string& prefix : prefixes) {
      const std::string start = PostingFieldPrefix(index_field, prefix);
      PostingCursor cursor = postings_.Cursor(start, "");
      PostingCursor* it = &cursor;
      std::string current_term;
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        if (!absl::StartsWith(it->key(), start)) break;
        NEWSDB_ASSIGN_OR_RETURN(PostingKey key, DecodePostingKey(it->key()));
        if (key.term != current_term) {
          current_term = key.term;
          if (++terms > kMaxPrefixTerms) {
            return status::InvalidFieldError(
                "query", absl::StrCat("prefix \"", prefix_text, "*\" matches more than ",
                                      kMaxPrefixTerms, " words; make it longer"));
          }
        }
        if (key.first_doc >= doc_limit_) continue;
        docs.clear();
        freqs.clear();
        absl::Status decoded = DecodePostingDocs(it->value(), key.first_doc, &docs, &freqs);
        if (!decoded.ok()) return absl::InternalError(decoded.message());
        for (size_t i = 0; i < docs.size(); ++i) {
          if (docs[i] < doc_limit_) sums[docs[i]] += freqs[i];
        }
        if (cancelled_()) return absl::CancelledError("search cancelled");
      }
      NEWSDB_RETURN_IF_ERROR(it->status());
    }
    std::vector<std::pair<uint32_t, uint32_t>> sorted(sums.begin(), sums.end());
    std::sort(sorted.begin(), sorted.end());
    docs.clear();
    freqs.clear();
    for (const auto& [doc, freq] : sorted) {
      docs.push_back(doc);
      freqs.push_back(freq);
    }
    AddField(index_field, std::move(docs), std::move(freqs), &leaf, &leaf_docs);
  }
  if (!negated) {
    for (const std::string& prefix : prefixes) highlight_.prefixes.push_back(prefix);
  }
  return Finish(std::move(leaf), std::move(leaf_docs), negated);
}

DocList QueryMatcher::Finish(LeafMatches leaf, DocList docs, bool negated) {
  leaf.documents = docs.size();
  leaf.ordinal = leaves_++;
  if (!negated && !docs.empty()) scored_.push_back(std::move(leaf));
  return docs;
}

}  // namespace newsdb::storage
