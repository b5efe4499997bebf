#include "services/storage/shard_searcher.h"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "common/status/status_macros.h"
#include "services/storage/bm25_scorer.h"
#include "services/storage/facet_collectors.h"
#include "services/storage/query_matcher.h"
#include "services/storage/top_k_collector.h"
#include "services/storage/window_runs.h"

namespace newsdb::storage {
namespace {

// The matches whose values pass the plan's filters.
DocList FilterByValues(const SearchPlan& plan, const DocValuesView& values, DocList matches) {
  if (!plan.filters_values()) return matches;
  absl::flat_hash_set<uint32_t> credits;
  for (const std::string& credit : plan.credits) {
    if (std::optional<uint32_t> ordinal = values.credits().Find(credit)) credits.insert(*ordinal);
  }
  const bool by_credit = !plan.credits.empty();
  const bool by_views = plan.min_views || plan.max_views;
  DocList kept;
  kept.reserve(matches.size());
  for (uint32_t doc : matches) {
    const int64_t published = values.published_seconds(doc);
    if (plan.start_seconds && published < *plan.start_seconds) continue;
    if (plan.end_seconds && published >= *plan.end_seconds) continue;
    if (by_credit && !credits.contains(values.credit_ordinal(doc))) continue;
    if (by_views) {
      const int64_t views = values.views(doc);
      if (plan.min_views && views < *plan.min_views) continue;
      if (plan.max_views && views > *plan.max_views) continue;
    }
    kept.push_back(doc);
  }
  return kept;
}

// Builds the keys of docs[0, count) (`scores` parallel to them when by relevance) and collects.
void CollectMatches(const SearchPlan& plan, const DocValuesView& values, const uint32_t* docs,
                    size_t count, const double* scores, TopKCollector& top) {
  const bool by_score = plan.sort == v1::SEARCH_SORT_RELEVANCE;
  const bool by_views = plan.sort == v1::SEARCH_SORT_MOST_VIEWED;
  const bool by_time = plan.sort == v1::SEARCH_SORT_NEWEST || plan.sort == v1::SEARCH_SORT_OLDEST;
  for (size_t i = 0; i < count; ++i) {
    const uint32_t doc = docs[i];
    SortKey key;
    if (by_score) key.score = scores[i];
    if (by_time) key.published = values.published_seconds(doc);
    if (by_views) key.views = values.views(doc);
    if (top.SkipIfOutranked(key)) continue;
    key.published = values.published_seconds(doc);
    key.id = values.id(doc);
    top.Collect(doc, key);
  }
}

// Appends to `found` the matches in `list` not yet `taken`, and takes them (both increase).
void TakeMatchesIn(const DocList& matches, const DocList& list, std::vector<uint8_t>& taken,
                   DocList& found) {
  size_t i = 0;
  for (uint32_t doc : list) {
    i = GallopTo(matches.data(), matches.size(), i, doc);
    if (i == matches.size()) return;
    if (matches[i] != doc || taken[i] != 0) continue;
    taken[i] = 1;
    found.push_back(doc);
  }
}

// Relevance top k by MaxScore over the scored leaves' field lists: the matches in the list with
// the highest bound are scored first, then the other matches of the next list, and so on. Once
// the kept hits outrank the sum of the bounds of the lists not yet visited, every match left (in
// none of the visited lists, so scoring at most that sum) is counted, unscored.
absl::Status CollectByRelevance(const SearchPlan& plan, const DocValuesView& values,
                                const Bm25Scorer& scorer, const DocList& matches,
                                absl::FunctionRef<bool()> cancelled, TopKCollector& top) {
  const std::vector<Bm25Scorer::ListBound> lists = scorer.ListBounds();
  std::vector<double> scores;
  if (lists.size() <= 1) {  // every match is in the one list, or scores 0
    scores = scorer.ScoreAll(matches);
    CollectMatches(plan, values, matches.data(), matches.size(), scores.data(), top);
    return absl::OkStatus();
  }
  std::vector<double> rest(lists.size() + 1, 0.0);  // rest[j]: the bounds of lists j.. summed
  for (size_t j = lists.size(); j-- > 0;) rest[j] = rest[j + 1] + lists[j].bound;
  std::vector<uint8_t> taken(matches.size(), 0);
  size_t remaining = matches.size();
  DocList docs;
  for (size_t j = 0; j < lists.size(); ++j) {
    if (top.SkipRunIfOutranked(SortKey{rest[j], 0, 0, 0}, remaining)) return absl::OkStatus();
    docs.clear();
    TakeMatchesIn(matches, scorer.list(lists[j]).docs, taken, docs);
    scores.resize(docs.size());
    scorer.ScoreInto(docs.data(), docs.size(), scores.data());
    CollectMatches(plan, values, docs.data(), docs.size(), scores.data(), top);
    remaining -= docs.size();
    if (cancelled()) return absl::CancelledError("search cancelled");
  }
  // Matches in no scored list (through a negation or match_all) score 0.
  if (remaining == 0 || top.SkipRunIfOutranked(SortKey{}, remaining)) return absl::OkStatus();
  docs.clear();
  for (size_t i = 0; i < matches.size(); ++i) {
    if (taken[i] == 0) docs.push_back(matches[i]);
  }
  scores.assign(docs.size(), 0.0);
  CollectMatches(plan, values, docs.data(), docs.size(), scores.data(), top);
  return absl::OkStatus();
}

// The top of `matches` in the plan's order, skipping what cannot make it: by relevance MaxScore
// over the field lists, by time or views the best windows first (window_runs.h).
absl::StatusOr<std::vector<TopKCollector::Hit>> CollectTop(
    const SearchPlan& plan, const DocValuesView& values, const Bm25Scorer& scorer,
    const DocList& matches, absl::FunctionRef<bool()> cancelled, size_t* after_cursor) {
  TopKCollector top(plan.sort, plan.limit, plan.after);
  if (plan.sort == v1::SEARCH_SORT_RELEVANCE) {
    NEWSDB_RETURN_IF_ERROR(CollectByRelevance(plan, values, scorer, matches, cancelled, top));
  } else if (matches.size() <= plan.limit) {  // all are kept
    CollectMatches(plan, values, matches.data(), matches.size(), nullptr, top);
  } else {
    std::vector<MatchRun> runs = SplitIntoWindows(matches);
    BoundByValues(plan.sort, values, runs);
    NEWSDB_RETURN_IF_ERROR(CollectBestRunsFirst(
        plan.sort, runs, top,
        [&](const MatchRun& run) {
          CollectMatches(plan, values, matches.data() + run.begin, run.end - run.begin, nullptr,
                         top);
        },
        cancelled));
  }
  *after_cursor = top.after_cursor();
  return top.Take();
}

std::vector<v1::FacetResult> CollectFacets(const SearchPlan& plan, const DocValuesView& values,
                                           const DocList& matches) {
  std::vector<v1::FacetResult> facets;
  for (const SearchPlan::Facet& facet : plan.facets) {
    if (facet.kind == v1::FACET_KIND_CREDIT) {
      CreditFacetCollector credits(values.credits(), facet.top);
      for (uint32_t doc : matches) credits.Collect(values.credit_ordinal(doc));
      facets.push_back(credits.Result());
      continue;
    }
    CalendarFacetCollector calendar(facet.kind, facet.zone, values.histogram());
    for (uint32_t doc : matches) calendar.Collect(values.published_seconds(doc));
    if (plan.all_facet_buckets) {
      calendar.IncludeEmptyBuckets(
          plan.start_seconds ? PublicationHistogram::QuarterOf(*plan.start_seconds)
                             : std::numeric_limits<int64_t>::min(),
          plan.end_seconds ? PublicationHistogram::QuarterOf(*plan.end_seconds - 1) + 1
                           : std::numeric_limits<int64_t>::max());
    }
    facets.push_back(calendar.Result());
  }
  return facets;
}

}  // namespace

absl::StatusOr<IndexSearchResult> SearchShard(const SearchView& view, const SearchPlan& plan,
                                              absl::FunctionRef<bool()> cancelled) {
  const DocValuesView& values = view.values;
  QueryMatcher matcher(view.postings, values.doc_limit(), cancelled);
  NEWSDB_ASSIGN_OR_RETURN(DocList matches, matcher.Match(*plan.query));
  matches = FilterByValues(plan, values, std::move(matches));
  if (cancelled()) return absl::CancelledError("search cancelled");

  const Bm25Scorer scorer(plan.statistics.value_or(CollectionStats{
                              static_cast<double>(values.doc_limit()), values.length_sums(), {}}),
                          values, matcher.scored_leaves());
  size_t after_cursor = 0;
  NEWSDB_ASSIGN_OR_RETURN(std::vector<TopKCollector::Hit> top,
                          CollectTop(plan, values, scorer, matches, cancelled, &after_cursor));

  IndexSearchResult result;
  result.snapshot = view.snapshot;
  result.more_hits = after_cursor > top.size();
  result.highlight_terms = std::move(matcher.highlight_terms());
  const bool by_score = plan.sort == v1::SEARCH_SORT_RELEVANCE;
  for (const TopKCollector::Hit& kept : top) {
    IndexHit& hit = result.hits.emplace_back();
    hit.doc = kept.doc;
    hit.id = kept.key.id;
    hit.score = by_score ? kept.key.score : scorer.Score(kept.doc);
    hit.published_seconds = kept.key.published;
    hit.views = values.views(kept.doc);
  }
  result.total_hits = static_cast<int64_t>(matches.size());
  result.facets = CollectFacets(plan, values, matches);
  return result;
}

absl::StatusOr<v1::SearchStatistics> CollectStatistics(const SearchView& view,
                                                       const v1::Query& query,
                                                       absl::FunctionRef<bool()> cancelled) {
  QueryMatcher matcher(view.postings, view.values.doc_limit(), cancelled);
  NEWSDB_ASSIGN_OR_RETURN(std::vector<int64_t> leaf_documents, matcher.LeafDocumentCounts(query));
  v1::SearchStatistics statistics;
  *statistics.mutable_snapshot() = view.snapshot;
  statistics.set_documents(view.values.doc_limit());
  const FieldLengths sums = view.values.length_sums();
  statistics.set_title_length_sum(sums.title);
  statistics.set_body_length_sum(sums.body);
  statistics.set_credit_length_sum(sums.credit);
  for (int64_t frequency : leaf_documents) statistics.add_leaf_documents(frequency);
  return statistics;
}

}  // namespace newsdb::storage
