#include "services/storage/search_request.h"

#include <algorithm>
#include <limits>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "common/article/request_fields.h"
#include "common/search/query_tree.h"
#include "common/status/field_errors.h"

namespace newsdb::storage {
namespace {

// Publication times are whole seconds: t >= start <=> t >= ceil(start), likewise for the end.
int64_t CeilSeconds(absl::Time t) {
  const int64_t floor = absl::ToUnixSeconds(t);
  return floor + (absl::FromUnixSeconds(floor) < t ? 1 : 0);
}

void PlanFilter(const v1::SearchFilter& filter, SearchPlan& plan,
                std::vector<status::FieldViolation>& violations) {
  const article::TimeBounds published =
      article::CheckTimeRange(filter.published(), "filter.published", violations);
  if (published.start != absl::InfinitePast()) plan.start_seconds = CeilSeconds(published.start);
  if (published.end != absl::InfiniteFuture()) plan.end_seconds = CeilSeconds(published.end);
  if (filter.views().has_min()) plan.min_views = filter.views().min();
  if (filter.views().has_max()) plan.max_views = filter.views().max();
  if (plan.min_views && plan.max_views && *plan.max_views < *plan.min_views) {
    violations.push_back({"filter.views.max", "must not be below filter.views.min"});
  }
  plan.credits.assign(filter.credits().begin(), filter.credits().end());
}

void PlanFacets(const v1::SearchShardRequest& request, SearchPlan& plan,
                std::vector<status::FieldViolation>& violations) {
  for (int i = 0; i < request.facets_size(); ++i) {
    const v1::FacetRequest& facet = request.facets(i);
    SearchPlan::Facet& planned = plan.facets.emplace_back();
    planned.kind = facet.kind();
    if (facet.kind() == v1::FACET_KIND_UNSPECIFIED || !v1::FacetKind_IsValid(facet.kind())) {
      violations.push_back({absl::StrCat("facets[", i, "].kind"), "must be CREDIT, DAY or MONTH"});
    }
    if (facet.top() < 0 || facet.top() > kMaxFacetTop) {
      violations.push_back(
          {absl::StrCat("facets[", i, "].top"), absl::StrCat("must be in 0..", kMaxFacetTop)});
    }
    if (facet.top() > 0) planned.top = static_cast<size_t>(facet.top());
    if (request.all_facet_buckets()) planned.top = std::numeric_limits<size_t>::max();
    const std::string zone = facet.time_zone().empty() ? kDefaultFacetZone : facet.time_zone();
    if (!absl::LoadTimeZone(zone, &planned.zone)) {
      violations.push_back({absl::StrCat("facets[", i, "].time_zone"),
                            absl::StrCat("unknown IANA time zone \"", facet.time_zone(), "\"")});
    }
  }
}

}  // namespace

absl::StatusOr<SearchPlan> PlanSearch(const v1::SearchShardRequest& request) {
  SearchPlan plan;
  std::vector<status::FieldViolation> violations;
  if (absl::Status valid = search::ValidateQuery(request.query(), "query"); !valid.ok()) {
    for (auto& violation : status::FieldViolationsOf(valid)) violations.push_back(violation);
    if (violations.empty()) violations.push_back({"query", std::string(valid.message())});
  }
  plan.query = &request.query();
  if (request.limit() < 1 || request.limit() > kMaxSearchLimit) {
    violations.push_back({"limit", absl::StrCat("must be in 1..", kMaxSearchLimit)});
  }
  plan.limit = static_cast<size_t>(std::max(request.limit(), 1));
  PlanFilter(request.filter(), plan, violations);
  if (!v1::SearchSort_IsValid(request.sort())) violations.push_back({"sort", "unknown value"});
  if (request.sort() != v1::SEARCH_SORT_UNSPECIFIED) plan.sort = request.sort();
  PlanFacets(request, plan, violations);
  plan.all_facet_buckets = request.all_facet_buckets();
  if (request.has_after()) {
    const v1::SearchPosition& after = request.after();
    const std::optional<article::ArticleId> id = article::CheckArticleId(
        std::string_view(after.id().data(), after.id().size()), "after.id", violations);
    if (id) plan.after = SortKey{after.score(), after.published_seconds(), after.views(), *id};
  }
  if (request.has_statistics()) {
    const v1::SearchStatistics& statistics = request.statistics();
    if (statistics.documents() < 0 || statistics.title_length_sum() < 0 ||
        statistics.body_length_sum() < 0 || statistics.credit_length_sum() < 0) {
      violations.push_back({"statistics", "counts must not be negative"});
    }
    CollectionStats& stats = plan.statistics.emplace();
    stats.documents = static_cast<double>(statistics.documents());
    stats.length_sums = {statistics.title_length_sum(), statistics.body_length_sum(),
                         statistics.credit_length_sum()};
    for (int i = 0; i < statistics.leaf_documents_size(); ++i) {
      const int64_t frequency = statistics.leaf_documents(i);
      if (frequency < 0 || frequency > statistics.documents()) {
        violations.push_back({absl::StrCat("statistics.leaf_documents[", i, "]"),
                              "must be in 0..statistics.documents"});
      }
      stats.leaf_documents.push_back(frequency);
    }
  }
  if (!violations.empty()) return status::InvalidFieldsError(violations);
  return plan;
}

}  // namespace newsdb::storage
