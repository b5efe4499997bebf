#include "services/storage/shard_searcher.h"

#include <optional>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "common/status/status_macros.h"
#include "services/storage/bm25_scorer.h"
#include "services/storage/facet_collectors.h"
#include "services/storage/query_matcher.h"
#include "services/storage/top_k_collector.h"

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

absl::StatusOr<std::vector<TopKCollector::Hit>> CollectTop(
    const SearchPlan& plan, const DocValuesView& values, const Bm25Scorer& scorer,
    const DocList& matches, absl::FunctionRef<bool()> cancelled, size_t* after_cursor) {
  const bool by_score = plan.sort == v1::SEARCH_SORT_RELEVANCE;
  const bool by_views = plan.sort == v1::SEARCH_SORT_MOST_VIEWED;
  std::vector<double> scores;
  if (by_score) scores = scorer.ScoreAll(matches);
  TopKCollector top(plan.sort, plan.limit, plan.after);
  const bool by_time = plan.sort == v1::SEARCH_SORT_NEWEST || plan.sort == v1::SEARCH_SORT_OLDEST;
  for (size_t i = 0; i < matches.size(); ++i) {
    const uint32_t doc = matches[i];
    SortKey key;
    if (by_score) key.score = scores[i];
    if (by_time) key.published = values.published_seconds(doc);
    if (by_views) key.views = values.views(doc);
    if (top.SkipIfOutranked(key)) continue;
    key.published = values.published_seconds(doc);
    key.id = values.id(doc);
    top.Collect(doc, key);
    if ((i & 0xffff) == 0xffff && cancelled()) return absl::CancelledError("search cancelled");
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

  const Bm25Scorer scorer({static_cast<double>(values.doc_limit()), values.length_sums()}, values,
                          matcher.scored_leaves());
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

}  // namespace newsdb::storage
