// SearchIndex::Search: evaluates a query tree over posting lists and in-memory document values.
//
// Every leaf (term, phrase, prefix) becomes a sorted list of document numbers with its per-field
// frequencies; boolean nodes combine the lists with merges; filters, the sort, the page cursor and
// the facets then run over the in-memory values. Scores are BM25 per field, summed with field
// weights over the leaves that are not negated.

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/article/request_fields.h"
#include "common/search/query_tree.h"
#include "common/status/grpc_status.h"
#include "common/status/status_macros.h"
#include "common/text/analyzer.h"
#include "common/time/timestamp.h"
#include "services/storage/posting_codec.h"
#include "services/storage/search_index.h"

namespace newsdb::storage {
namespace {

constexpr double kK1 = 1.2;
constexpr double kB = 0.75;
constexpr double kTitleWeight = 2.5;
constexpr double kBodyWeight = 1.0;
constexpr double kCreditWeight = 0.5;
constexpr int kMaxPrefixTerms = 20'000;
constexpr int kDefaultFacetTop = 10;
constexpr int kMaxFacetTop = 100;
constexpr int kMaxLimit = 1000;
constexpr char kDefaultFacetZone[] = "Asia/Almaty";

using DocList = std::vector<uint32_t>;

}  // namespace

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

// A leaf's matches with per-field frequencies (parallel arrays).
struct LeafMatches {
  DocList docs;
  std::vector<uint32_t> title_tf;
  std::vector<uint32_t> body_tf;
  std::vector<uint32_t> credit_tf;
  double idf = 0;
};

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

// Merges one field's (docs, freqs) into a leaf.
void MergeField(IndexField field, const DocList& docs, const std::vector<uint32_t>& freqs,
                LeafMatches* leaf) {
  if (leaf->docs.empty()) {  // the first field: nothing to merge with
    leaf->docs = docs;
    std::vector<uint32_t> zeros(docs.size(), 0);
    leaf->title_tf = field == IndexField::kTitle ? freqs : zeros;
    leaf->body_tf = field == IndexField::kBody ? freqs : zeros;
    leaf->credit_tf = field == IndexField::kCredit ? freqs : zeros;
    return;
  }
  LeafMatches merged;
  const size_t total = leaf->docs.size() + docs.size();
  merged.docs.reserve(total);
  merged.title_tf.reserve(total);
  merged.body_tf.reserve(total);
  merged.credit_tf.reserve(total);
  size_t i = 0, j = 0;
  while (i < leaf->docs.size() || j < docs.size()) {
    uint32_t doc;
    uint32_t title = 0, body = 0, credit = 0;
    if (j == docs.size() || (i < leaf->docs.size() && leaf->docs[i] < docs[j])) {
      doc = leaf->docs[i];
      title = leaf->title_tf[i], body = leaf->body_tf[i], credit = leaf->credit_tf[i];
      ++i;
    } else {
      doc = docs[j];
      if (i < leaf->docs.size() && leaf->docs[i] == docs[j]) {
        title = leaf->title_tf[i], body = leaf->body_tf[i], credit = leaf->credit_tf[i];
        ++i;
      }
      uint32_t& slot = field == IndexField::kTitle  ? title
                       : field == IndexField::kBody ? body
                                                    : credit;
      slot += freqs[j];
      ++j;
    }
    merged.docs.push_back(doc);
    merged.title_tf.push_back(title);
    merged.body_tf.push_back(body);
    merged.credit_tf.push_back(credit);
  }
  merged.idf = leaf->idf;
  *leaf = std::move(merged);
}

// Sort-order comparison: true if `a` comes before `b`.
struct SortKey {
  double score;
  int64_t published;
  int64_t views;
  article::ArticleId id;
};

bool Before(v1::SearchSort sort, const SortKey& a, const SortKey& b) {
  switch (sort) {
    case v1::SEARCH_SORT_NEWEST:
      if (a.published != b.published) return a.published > b.published;
      return a.id > b.id;
    case v1::SEARCH_SORT_OLDEST:
      if (a.published != b.published) return a.published < b.published;
      return a.id < b.id;
    case v1::SEARCH_SORT_MOST_VIEWED:
      if (a.views != b.views) return a.views > b.views;
      if (a.published != b.published) return a.published > b.published;
      return a.id > b.id;
    default:
      if (a.score != b.score) return a.score > b.score;
      if (a.published != b.published) return a.published > b.published;
      return a.id > b.id;
  }
}

}  // namespace

class SearchIndex::Evaluator {
 public:
  Evaluator(const SearchIndex& index, uint32_t doc_limit, const Snapshot* snapshot,
            absl::FunctionRef<bool()> cancelled)
      : index_(index), doc_limit_(doc_limit), snapshot_(snapshot), cancelled_(cancelled) {}

  // Evaluates `query`; `negated` is true under a none_of (such leaves are neither scored nor
  // highlighted).
  absl::StatusOr<DocList> Eval(const v1::Query& query, bool negated)
      ABSL_SHARED_LOCKS_REQUIRED(index_.mutex_) {
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

  const std::vector<LeafMatches>& scored_leaves() const { return scored_; }
  text::HighlightTerms& highlight_terms() { return highlight_; }

 private:
  absl::StatusOr<DocList> UniteChildren(const v1::BooleanQuery& node, bool negated)
      ABSL_SHARED_LOCKS_REQUIRED(index_.mutex_) {
    DocList result;
    for (const v1::Query& child : node.queries()) {
      NEWSDB_ASSIGN_OR_RETURN(DocList docs, Eval(child, negated));
      result = Unite(result, docs);
    }
    return result;
  }

  DocList Universe() const {
    DocList all(doc_limit_);
    for (uint32_t doc = 0; doc < doc_limit_; ++doc) all[doc] = doc;
    return all;
  }

  // Posting blocks with keys in [lower, upper) (empty upper: unbounded), from RocksDB and the
  // write buffer.
  PostingCursor Cursor(absl::string_view lower, absl::string_view upper)
      ABSL_SHARED_LOCKS_REQUIRED(index_.mutex_) {
    return PostingCursor(index_.db_.NewIterator(ColumnFamily::kPostings, std::string(lower),
                                                std::string(upper), snapshot_),
                         index_.indexed_through_, index_.segments_, lower, upper);
  }

  // Documents and frequencies of (field, term), below the document limit.
  absl::Status ReadDocs(IndexField field, absl::string_view term, DocList* docs,
                        std::vector<uint32_t>* freqs) ABSL_SHARED_LOCKS_REQUIRED(index_.mutex_) {
    const std::string prefix = PostingKeyPrefix(field, term);
    std::string upper = prefix;
    upper.back() = '\x01';
    PostingCursor cursor = Cursor(prefix, upper);
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

  absl::StatusOr<DocList> EvalText(const std::string& text, v1::SearchField field, bool negated)
      ABSL_SHARED_LOCKS_REQUIRED(index_.mutex_) {
    std::vector<std::string> terms = text::ThreadLocalAnalyzer().Terms(text);
    LeafMatches leaf;
    if (!terms.empty()) {
      for (IndexField index_field : FieldsOf(field)) {
        DocList docs;
        std::vector<uint32_t> freqs;
        if (terms.size() == 1) {
          NEWSDB_RETURN_IF_ERROR(ReadDocs(index_field, terms[0], &docs, &freqs));
        } else {
          NEWSDB_RETURN_IF_ERROR(ReadPhrase(index_field, terms, &docs, &freqs));
        }
        MergeField(index_field, docs, freqs, &leaf);
      }
    }
    if (!negated) {
      for (std::string& term : terms) highlight_.terms.insert(std::move(term));
    }
    return Finish(std::move(leaf), negated);
  }

  // Documents where `terms` occur at consecutive positions, with the number of occurrences.
  // Documents where `terms` occur at consecutive positions, with the number of occurrences.
  // Positions are decoded only for the documents that hold every term, into flat arrays.
  absl::Status ReadPhrase(IndexField field, const std::vector<std::string>& terms, DocList* docs,
                          std::vector<uint32_t>* freqs) ABSL_SHARED_LOCKS_REQUIRED(index_.mutex_) {
    DocList candidates;
    for (size_t k = 0; k < terms.size(); ++k) {
      DocList term_docs;
      std::vector<uint32_t> term_freqs;
      NEWSDB_RETURN_IF_ERROR(ReadDocs(field, terms[k], &term_docs, &term_freqs));
      candidates = k == 0 ? std::move(term_docs) : Intersect(candidates, term_docs);
      if (candidates.empty()) return absl::OkStatus();
    }
    // For each term: positions of each candidate, flat, with offsets[c]..offsets[c + 1].
    struct CandidatePositions {
      std::vector<uint32_t> offsets;
      std::vector<uint32_t> positions;
    };
    std::vector<CandidatePositions> per_term(terms.size());
    for (size_t k = 0; k < terms.size(); ++k) {
      NEWSDB_RETURN_IF_ERROR(ReadCandidatePositions(field, terms[k], candidates,
                                                    &per_term[k].offsets, &per_term[k].positions));
    }
    for (size_t c = 0; c < candidates.size(); ++c) {
      uint32_t occurrences = 0;
      const CandidatePositions& first = per_term[0];
      for (uint32_t i = first.offsets[c]; i < first.offsets[c + 1]; ++i) {
        const uint32_t start = first.positions[i];
        bool match = true;
        for (size_t k = 1; k < terms.size() && match; ++k) {
          const CandidatePositions& other = per_term[k];
          match = std::binary_search(other.positions.begin() + other.offsets[c],
                                     other.positions.begin() + other.offsets[c + 1],
                                     start + static_cast<uint32_t>(k));
        }
        if (match) ++occurrences;
      }
      if (occurrences > 0) {
        docs->push_back(candidates[c]);
        freqs->push_back(occurrences);
      }
    }
    return absl::OkStatus();
  }

  // Positions of (field, term) in each of `candidates` (sorted; every one holds the term).
  absl::Status ReadCandidatePositions(IndexField field, absl::string_view term,
                                      const DocList& candidates, std::vector<uint32_t>* offsets,
                                      std::vector<uint32_t>* positions)
      ABSL_SHARED_LOCKS_REQUIRED(index_.mutex_) {
    const std::string prefix = PostingKeyPrefix(field, term);
    std::string upper = prefix;
    upper.back() = '\x01';
    PostingCursor cursor = Cursor(prefix, upper);
    PostingCursor* it = &cursor;
    offsets->assign(1, 0);
    size_t next = 0;  // the next candidate to find
    DocList block_docs;
    std::vector<uint32_t> block_freqs;
    for (it->SeekToFirst(); it->Valid() && next < candidates.size(); it->Next()) {
      NEWSDB_ASSIGN_OR_RETURN(PostingKey key, DecodePostingKey(it->key()));
      if (key.first_doc >= doc_limit_) break;
      block_docs.clear();
      block_freqs.clear();
      size_t pos = 0;
      const absl::string_view block = it->value();
      absl::Status decoded =
          DecodePostingDocs(block, key.first_doc, &block_docs, &block_freqs, &pos);
      if (!decoded.ok()) return absl::InternalError(decoded.message());
      for (size_t i = 0; i < block_docs.size(); ++i) {
        const bool wanted = next < candidates.size() && block_docs[i] == candidates[next];
        uint64_t position = 0;
        for (uint32_t j = 0; j < block_freqs[i]; ++j) {
          uint64_t delta = 0;
          if (!ReadVarint(block, &pos, &delta)) {
            return absl::InternalError("malformed posting block: position");
          }
          position += delta;
          if (wanted) positions->push_back(static_cast<uint32_t>(position));
        }
        if (wanted) {
          offsets->push_back(static_cast<uint32_t>(positions->size()));
          ++next;
        }
      }
    }
    NEWSDB_RETURN_IF_ERROR(it->status());
    if (next != candidates.size()) {
      return absl::InternalError(absl::StrCat("posting list of ", term, " changed during a read"));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<DocList> EvalPrefix(const std::string& prefix_text, v1::SearchField field,
                                     bool negated) ABSL_SHARED_LOCKS_REQUIRED(index_.mutex_) {
    const std::vector<std::string> prefixes = PrefixForms(prefix_text);
    LeafMatches leaf;
    for (IndexField index_field : FieldsOf(field)) {
      // Frequencies summed over every term with one of the prefixes (their ranges are disjoint).
      absl::flat_hash_map<uint32_t, uint32_t> sums;
      int terms = 0;
      DocList docs;
      std::vector<uint32_t> freqs;
      for (const std::string& prefix : prefixes) {
        const std::string start = PostingFieldPrefix(index_field, prefix);
        PostingCursor cursor = Cursor(start, "");
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
      MergeField(index_field, docs, freqs, &leaf);
    }
    if (!negated) {
      for (const std::string& prefix : prefixes) highlight_.prefixes.push_back(prefix);
    }
    return Finish(std::move(leaf), negated);
  }

  DocList Finish(LeafMatches leaf, bool negated) {
    const double n = doc_limit_;
    const double df = static_cast<double>(leaf.docs.size());
    leaf.idf = std::log(1.0 + (n - df + 0.5) / (df + 0.5));
    DocList docs = leaf.docs;
    if (!negated && !leaf.docs.empty()) scored_.push_back(std::move(leaf));
    return docs;
  }

  const SearchIndex& index_;
  const uint32_t doc_limit_;
  const Snapshot* snapshot_;
  absl::FunctionRef<bool()> cancelled_;
  std::vector<LeafMatches> scored_;
  text::HighlightTerms highlight_;
};

absl::StatusOr<IndexSearchResult> SearchIndex::Search(const v1::SearchShardRequest& request,
                                                      absl::FunctionRef<bool()> cancelled) const {
  // Validate everything before touching the index.
  std::vector<status::FieldViolation> violations;
  if (absl::Status valid = search::ValidateQuery(request.query(), "query"); !valid.ok()) {
    for (auto& violation : status::FieldViolationsOf(valid)) violations.push_back(violation);
    if (violations.empty()) violations.push_back({"query", std::string(valid.message())});
  }
  if (request.limit() < 1 || request.limit() > kMaxLimit) {
    violations.push_back({"limit", absl::StrCat("must be in 1..", kMaxLimit)});
  }
  std::optional<int64_t> start_seconds, end_seconds;
  const v1::SearchFilter& filter = request.filter();
  const article::TimeBounds published =
      article::CheckTimeRange(filter.published(), "filter.published", violations);
  // Publication times are whole seconds: t >= start <=> t >= ceil(start), likewise for the end.
  auto ceil_seconds = [](absl::Time t) {
    return absl::ToUnixSeconds(t) + (absl::FromUnixSeconds(absl::ToUnixSeconds(t)) < t ? 1 : 0);
  };
  if (published.start != absl::InfinitePast()) start_seconds = ceil_seconds(published.start);
  if (published.end != absl::InfiniteFuture()) end_seconds = ceil_seconds(published.end);
  if (filter.views().has_min() && filter.views().has_max() &&
      filter.views().max() < filter.views().min()) {
    violations.push_back({"filter.views.max", "must not be below filter.views.min"});
  }
  if (!v1::SearchSort_IsValid(request.sort())) violations.push_back({"sort", "unknown value"});
  std::vector<absl::TimeZone> facet_zones(request.facets_size());
  for (int i = 0; i < request.facets_size(); ++i) {
    const v1::FacetRequest& facet = request.facets(i);
    if (facet.kind() == v1::FACET_KIND_UNSPECIFIED || !v1::FacetKind_IsValid(facet.kind())) {
      violations.push_back({absl::StrCat("facets[", i, "].kind"), "must be CREDIT, DAY or MONTH"});
    }
    if (facet.top() < 0 || facet.top() > kMaxFacetTop) {
      violations.push_back(
          {absl::StrCat("facets[", i, "].top"), absl::StrCat("must be in 0..", kMaxFacetTop)});
    }
    const std::string zone = facet.time_zone().empty() ? kDefaultFacetZone : facet.time_zone();
    if (!absl::LoadTimeZone(zone, &facet_zones[i])) {
      violations.push_back({absl::StrCat("facets[", i, "].time_zone"),
                            absl::StrCat("unknown IANA time zone \"", facet.time_zone(), "\"")});
    }
  }
  if (!violations.empty()) return status::InvalidFieldsError(violations);

  absl::ReaderMutexLock lock(&mutex_);
  const uint32_t documents = static_cast<uint32_t>(ids_.size());
  v1::ShardSnapshot snapshot;
  if (request.has_snapshot()) {
    snapshot = request.snapshot();
    if (snapshot.epoch() != epoch_) {
      return absl::FailedPreconditionError(
          "the page token belongs to a storage process that has since restarted; search again");
    }
    if (snapshot.sequence() + 1 < oldest_sequence_ || snapshot.sequence() > sequence_ ||
        snapshot.doc_limit() < 0 || snapshot.doc_limit() > documents) {
      return absl::FailedPreconditionError("the page token has expired; search again");
    }
  } else {
    snapshot.set_doc_limit(documents);
    snapshot.set_sequence(sequence_);
    snapshot.set_epoch(epoch_);
  }
  const uint32_t doc_limit = static_cast<uint32_t>(snapshot.doc_limit());
  // Views as of the snapshot: the oldest replaced value after it wins.
  absl::flat_hash_map<uint32_t, int64_t> old_views;
  for (auto it = view_changes_.rbegin();
       it != view_changes_.rend() && it->sequence > snapshot.sequence(); ++it) {
    old_views[it->doc] = it->old_views;
  }
  auto views_of = [&](uint32_t doc) ABSL_SHARED_LOCKS_REQUIRED(mutex_) {
    auto old = old_views.find(doc);
    return old == old_views.end() ? views_[doc] : old->second;
  };

  std::shared_ptr<const Snapshot> db_snapshot = db_.GetSnapshot();
  Evaluator evaluator(*this, doc_limit, db_snapshot.get(), cancelled);
  NEWSDB_ASSIGN_OR_RETURN(DocList matches, evaluator.Eval(request.query(), false));

  // Filters.
  absl::flat_hash_set<uint32_t> credit_filter;
  for (const std::string& credit : filter.credits()) {
    auto it = credit_index_.find(credit);
    if (it != credit_index_.end()) credit_filter.insert(it->second);
  }
  const bool filter_credit = filter.credits_size() > 0;
  const bool filter_views = filter.views().has_min() || filter.views().has_max();
  if (start_seconds || end_seconds || filter_credit || filter_views) {
    DocList kept;
    kept.reserve(matches.size());
    for (uint32_t doc : matches) {
      if (start_seconds && published_[doc] < *start_seconds) continue;
      if (end_seconds && published_[doc] >= *end_seconds) continue;
      if (filter_credit && !credit_filter.contains(credit_ordinals_[doc])) continue;
      if (filter_views) {
        const int64_t views = views_of(doc);
        if (filter.views().has_min() && views < filter.views().min()) continue;
        if (filter.views().has_max() && views > filter.views().max()) continue;
      }
      kept.push_back(doc);
    }
    matches = std::move(kept);
  }
  if (cancelled()) return absl::CancelledError("search cancelled");

  // BM25 statistics as of the snapshot.
  double title_sum = 0, body_sum = 0, credit_sum = 0;
  if (doc_limit == documents) {
    title_sum = static_cast<double>(title_length_sum_);
    body_sum = static_cast<double>(body_length_sum_);
    credit_sum = static_cast<double>(credit_length_sum_);
  } else {
    for (uint32_t doc = 0; doc < doc_limit; ++doc) {
      title_sum += title_lengths_[doc];
      body_sum += body_lengths_[doc];
      credit_sum += credit_lengths_[doc];
    }
  }
  const double n = std::max<double>(doc_limit, 1);
  const double title_avg = std::max(title_sum / n, 1.0);
  const double body_avg = std::max(body_sum / n, 1.0);
  const double credit_avg = std::max(credit_sum / n, 1.0);
  const std::vector<LeafMatches>& leaves = evaluator.scored_leaves();
  // One leaf's BM25 contribution for the doc at index i of the leaf. Scores add up leaf by leaf in
  // the same order everywhere, so a score is bit-identical however it is computed (page cursors
  // compare scores exactly).
  auto leaf_score = [&](const LeafMatches& leaf, size_t i,
                        uint32_t doc) ABSL_SHARED_LOCKS_REQUIRED(mutex_) {
    auto part = [](double tf, double length, double average, double weight) {
      if (tf == 0) return 0.0;
      return weight * tf * (kK1 + 1) / (tf + kK1 * (1 - kB + kB * length / average));
    };
    return leaf.idf * (part(leaf.title_tf[i], title_lengths_[doc], title_avg, kTitleWeight) +
                       part(leaf.body_tf[i], body_lengths_[doc], body_avg, kBodyWeight) +
                       part(leaf.credit_tf[i], credit_lengths_[doc], credit_avg, kCreditWeight));
  };
  auto score_of = [&](uint32_t doc) ABSL_SHARED_LOCKS_REQUIRED(mutex_) {
    double score = 0;
    for (const LeafMatches& leaf : leaves) {
      auto it = std::lower_bound(leaf.docs.begin(), leaf.docs.end(), doc);
      if (it == leaf.docs.end() || *it != doc) continue;
      score += leaf_score(leaf, static_cast<size_t>(it - leaf.docs.begin()), doc);
    }
    return score;
  };

  // Order, cursor, top-k.
  const v1::SearchSort sort =
      request.sort() == v1::SEARCH_SORT_UNSPECIFIED ? v1::SEARCH_SORT_RELEVANCE : request.sort();
  const bool by_score = sort == v1::SEARCH_SORT_RELEVANCE;
  std::optional<SortKey> after;
  if (request.has_after()) {
    std::vector<status::FieldViolation> cursor_violations;
    const std::optional<article::ArticleId> id = article::CheckArticleId(
        std::string_view(request.after().id().data(), request.after().id().size()), "after.id",
        cursor_violations);
    if (!id) return status::InvalidFieldsError(cursor_violations);
    after = SortKey{request.after().score(), request.after().published_seconds(),
                    request.after().views(), *id};
  }
  struct Candidate {
    uint32_t doc;
    SortKey key;
  };
  // Scores of all matches at once: each leaf's sorted documents merge with the sorted matches.
  std::vector<double> scores;
  if (by_score) {
    scores.assign(matches.size(), 0.0);
    for (const LeafMatches& leaf : leaves) {
      size_t j = 0;
      for (size_t i = 0; i < leaf.docs.size() && j < matches.size(); ++i) {
        while (j < matches.size() && matches[j] < leaf.docs[i]) ++j;
        if (j < matches.size() && matches[j] == leaf.docs[i]) {
          scores[j] += leaf_score(leaf, i, matches[j]);
        }
      }
    }
  }
  // Top-k with a bounded heap whose top is the worst kept candidate: memory stays O(k) however
  // many articles match.
  const size_t limit = static_cast<size_t>(request.limit());
  auto less = [sort](const Candidate& a, const Candidate& b) { return Before(sort, a.key, b.key); };
  std::vector<Candidate> candidates;
  candidates.reserve(limit + 1);
  size_t after_cursor = 0;  // matches that come after the cursor
  for (size_t i = 0; i < matches.size(); ++i) {
    const uint32_t doc = matches[i];
    Candidate candidate{doc,
                        {by_score ? scores[i] : 0.0, published_[doc],
                         sort == v1::SEARCH_SORT_MOST_VIEWED ? views_of(doc) : 0, ids_[doc]}};
    if (after && !Before(sort, *after, candidate.key)) continue;
    ++after_cursor;
    if (candidates.size() < limit) {
      candidates.push_back(candidate);
      std::push_heap(candidates.begin(), candidates.end(), less);
    } else if (less(candidate, candidates.front())) {
      std::pop_heap(candidates.begin(), candidates.end(), less);
      candidates.back() = candidate;
      std::push_heap(candidates.begin(), candidates.end(), less);
    }
    if ((i & 0xffff) == 0xffff && cancelled()) return absl::CancelledError("search cancelled");
  }
  std::sort_heap(candidates.begin(), candidates.end(), less);
  const size_t k = candidates.size();

  IndexSearchResult result;
  result.snapshot = snapshot;
  result.more_hits = after_cursor > k;
  result.highlight_terms = std::move(evaluator.highlight_terms());
  for (size_t i = 0; i < k; ++i) {
    const Candidate& candidate = candidates[i];
    IndexHit& hit = result.hits.emplace_back();
    hit.doc = candidate.doc;
    hit.id = candidate.key.id;
    hit.score = by_score ? candidate.key.score : score_of(candidate.doc);
    hit.published_seconds = candidate.key.published;
    hit.views = views_of(candidate.doc);
  }
  result.total_hits = static_cast<int64_t>(matches.size());

  // Facets over every match.
  for (int f = 0; f < request.facets_size(); ++f) {
    const v1::FacetRequest& facet = request.facets(f);
    v1::FacetResult& out = result.facets.emplace_back();
    out.set_kind(facet.kind());
    if (facet.kind() == v1::FACET_KIND_CREDIT) {
      std::vector<int64_t> counts(credits_.size(), 0);
      for (uint32_t doc : matches) ++counts[credit_ordinals_[doc]];
      std::vector<std::pair<int64_t, std::string>> ranked;
      for (size_t ordinal = 1; ordinal < counts.size(); ++ordinal) {  // 0: no credit
        if (counts[ordinal] > 0) ranked.emplace_back(counts[ordinal], credits_[ordinal]);
      }
      std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
      });
      const size_t top = facet.top() == 0 ? kDefaultFacetTop : static_cast<size_t>(facet.top());
      for (size_t i = 0; i < ranked.size() && i < top; ++i) {
        v1::FacetBucket* bucket = out.add_buckets();
        bucket->set_value(ranked[i].second);
        bucket->set_count(ranked[i].first);
      }
      continue;
    }
    // Every real zone's offsets are multiples of 15 minutes, so all instants of one UTC-aligned
    // quarter hour fall into the same local day: convert each quarter hour once.
    const absl::TimeZone& zone = facet_zones[f];
    const bool by_month = facet.kind() == v1::FACET_KIND_MONTH;
    absl::flat_hash_map<int64_t, int64_t> matches_per_quarter;
    for (uint32_t doc : matches) {
      const int64_t seconds = published_[doc];
      ++matches_per_quarter[seconds >= 0 ? seconds / 900 : -((-seconds + 899) / 900)];
    }
    // A zone's offset is looked up once per UTC day; only a day with a transition converts each
    // quarter hour on its own.
    const absl::CivilDay epoch(1970, 1, 1);
    absl::flat_hash_map<int64_t, std::optional<int64_t>> offset_of_utc_day;
    absl::flat_hash_map<int64_t, int64_t> counts_per_local_day;  // days since 1970-01-01
    for (const auto& [quarter, count] : matches_per_quarter) {
      const int64_t seconds = quarter * 900;
      const int64_t utc_day = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
      auto [it, inserted] = offset_of_utc_day.try_emplace(utc_day);
      if (inserted) {
        const int start = zone.At(absl::FromUnixSeconds(utc_day * 86400)).offset;
        const int end = zone.At(absl::FromUnixSeconds(utc_day * 86400 + 86399)).offset;
        if (start == end) it->second = start;
      }
      int64_t local_day;
      if (it->second.has_value()) {
        const int64_t local = seconds + *it->second;
        local_day = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
      } else {
        local_day = absl::ToCivilDay(absl::FromUnixSeconds(seconds), zone) - epoch;
      }
      counts_per_local_day[local_day] += count;
    }
    std::map<absl::CivilDay, int64_t> day_counts;
    for (const auto& [local_day, count] : counts_per_local_day) {
      absl::CivilDay day = epoch + local_day;
      if (by_month) day = absl::CivilDay(absl::CivilMonth(day));
      day_counts[day] += count;
    }
    for (const auto& [day, count] : day_counts) {
      const absl::CivilDay end = by_month ? absl::CivilDay(absl::CivilMonth(day) + 1) : day + 1;
      const int64_t first_quarter = absl::ToUnixSeconds(absl::FromCivil(day, zone)) / 900;
      const int64_t end_quarter = absl::ToUnixSeconds(absl::FromCivil(end, zone)) / 900;
      int64_t total = 0;
      for (auto it = quarter_hour_counts_.lower_bound(first_quarter);
           it != quarter_hour_counts_.end() && it->first < end_quarter; ++it) {
        total += it->second;
      }
      v1::FacetBucket* bucket = out.add_buckets();
      bucket->set_value(by_month ? absl::FormatCivilTime(absl::CivilMonth(day))
                                 : absl::FormatCivilTime(day));
      bucket->set_count(count);
      bucket->set_total_articles(total);
    }
  }
  return result;
}

}  // namespace newsdb::storage
