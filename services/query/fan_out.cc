#include "services/query/fan_out.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/article/article_id.h"
#include "common/article/request_fields.h"
#include "common/article/shard.h"
#include "common/search/facets.h"
#include "common/search/query_tree.h"
#include "common/search/sort_order.h"
#include "common/status/field_errors.h"
#include "common/status/status_macros.h"
#include "services/query/page_token.h"
#include "services/query/query_parser.h"

namespace newsdb::query {
namespace {

class SystemClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
  void SleepFor(absl::Duration duration) override { absl::SleepFor(duration); }
};

template <typename Response>
using StartCall = std::function<std::unique_ptr<ShardCall>(int shard, ShardDone<Response> done)>;

// What the calls of one round share with their callbacks (which may outlive the round's calls).
template <typename Response>
struct Round {
  absl::Mutex mutex;
  absl::CondVar changed;
  int pending ABSL_GUARDED_BY(mutex) = 0;
  bool stop ABSL_GUARDED_BY(mutex) = false;
  std::vector<std::optional<absl::StatusOr<Response>>> results ABSL_GUARDED_BY(mutex);
};

// Calls each of `shards` at once and waits for all; a shard that answers UNAVAILABLE is called
// again after a backoff while attempts and time remain. A failure for which `stop_early` is true
// cancels the calls still running. Returns every shard's last result (by shard number; shards not
// in `shards` have UNKNOWN).
template <typename Response>
std::vector<absl::StatusOr<Response>> CallShards(
    const std::vector<int>& shards, int shard_count, absl::Time deadline, const CallScope& scope,
    const FanOutOptions& options, Clock& clock, const StartCall<Response>& start,
    const std::function<bool(const absl::Status&)>& stop_early) {
  std::vector<absl::StatusOr<Response>> final(shard_count, absl::UnknownError("not called"));
  std::vector<int> calling = shards;
  absl::Duration backoff = options.first_backoff;
  for (int attempt = 1; !calling.empty(); ++attempt) {
    auto round = std::make_shared<Round<Response>>();
    {
      absl::MutexLock lock(&round->mutex);
      round->pending = static_cast<int>(calling.size());
      round->results.resize(shard_count);
    }
    std::vector<std::unique_ptr<ShardCall>> calls;
    for (int shard : calling) {
      const bool may_retry = attempt < options.attempts;
      calls.push_back(
          start(shard, [round, shard, may_retry, &stop_early](absl::StatusOr<Response> result) {
            absl::MutexLock lock(&round->mutex);
            // An UNAVAILABLE shard that gets another attempt does not end the call (yet).
            if (!result.ok() && stop_early(result.status()) &&
                !(may_retry && result.status().code() == absl::StatusCode::kUnavailable)) {
              round->stop = true;
            }
            round->results[shard] = std::move(result);
            --round->pending;
            round->changed.SignalAll();
          }));
    }
    bool cancelled = false;
    for (;;) {
      bool cancel_now = false;
      {
        absl::MutexLock lock(&round->mutex);
        if (round->pending > 0 && !(round->stop && !cancelled)) {
          round->changed.WaitWithTimeout(&round->mutex, absl::Milliseconds(20));
        }
        if (round->pending == 0) break;
        cancel_now = !cancelled && (round->stop || scope.cancelled());
      }
      if (cancel_now) {
        for (const std::unique_ptr<ShardCall>& call : calls) call->Cancel();
        cancelled = true;
      }
    }
    std::vector<int> retry;
    {
      absl::MutexLock lock(&round->mutex);
      for (int shard : calling) {
        absl::StatusOr<Response>& result = *round->results[shard];
        if (!result.ok() && result.status().code() == absl::StatusCode::kUnavailable &&
            attempt < options.attempts && !round->stop && !scope.cancelled() &&
            clock.Now() + backoff < deadline) {
          retry.push_back(shard);
        }
        final[shard] = std::move(result);
      }
    }
    if (!retry.empty()) {
      clock.SleepFor(backoff);
      backoff *= 2;
    }
    calling = std::move(retry);
  }
  return final;
}

// `status` with `prefix` before its message, its payloads (BadRequest details) kept.
absl::Status Prefixed(const absl::Status& status, absl::string_view prefix) {
  absl::Status out(status.code(), absl::StrCat(prefix, status.message()));
  status.ForEachPayload(
      [&](absl::string_view type, const absl::Cord& payload) { out.SetPayload(type, payload); });
  return out;
}

bool Unreachable(const absl::Status& status) {
  return status.code() == absl::StatusCode::kUnavailable ||
         status.code() == absl::StatusCode::kDeadlineExceeded;
}

absl::Status ValidateListRequest(const v1::ListArticlesRequest& request) {
  std::vector<status::FieldViolation> violations;
  if (request.page_size() < 0) violations.push_back({"page_size", "must not be negative"});
  article::CheckTimeRange(request.published(), "published", violations);
  if (!v1::PublicationOrder_IsValid(request.order())) {
    violations.push_back({"order", "unknown value"});
  }
  if (!v1::ArticleView_IsValid(request.view())) violations.push_back({"view", "unknown value"});
  if (violations.empty()) return absl::OkStatus();
  return status::InvalidFieldsError(violations);
}

// The shard request for `request`: its query string and typed tree combined, validated.
absl::StatusOr<v1::SearchShardRequest> ToShardRequest(const v1::SearchRequest& request) {
  std::vector<status::FieldViolation> violations;
  if (request.page_size() < 0 || request.page_size() > kMaxSearchPageSize) {
    violations.push_back({"page_size", absl::StrCat("must be in 0..", kMaxSearchPageSize)});
  }
  if (!v1::SearchSort_IsValid(request.sort())) violations.push_back({"sort", "unknown value"});
  if (!v1::ArticleView_IsValid(request.view())) violations.push_back({"view", "unknown value"});
  std::optional<v1::Query> parsed;
  if (!request.query().empty()) {
    absl::StatusOr<v1::Query> query = ParseQuery(request.query());
    if (query.ok()) {
      parsed = *std::move(query);
    } else {
      for (auto& violation : status::FieldViolationsOf(query.status())) {
        violations.push_back(violation);
      }
      if (status::FieldViolationsOf(query.status()).empty()) {
        violations.push_back({"query", std::string(query.status().message())});
      }
    }
  }
  if (request.has_match()) {
    absl::Status valid = search::ValidateQuery(request.match(), "match");
    for (auto& violation : status::FieldViolationsOf(valid)) violations.push_back(violation);
  }
  if (!violations.empty()) return status::InvalidFieldsError(violations);

  v1::SearchShardRequest shard;
  if (parsed.has_value() && request.has_match()) {
    v1::BooleanQuery* both = shard.mutable_query()->mutable_all_of();
    *both->add_queries() = *std::move(parsed);
    *both->add_queries() = request.match();
    // Each part is valid alone; together they may pass the depth or size limits.
    if (absl::Status combined = search::ValidateQuery(shard.query(), "query"); !combined.ok()) {
      return status::InvalidFieldError(
          "match",
          absl::StrCat("together with `query` the query tree is too large: ", combined.message()));
    }
  } else if (parsed.has_value()) {
    *shard.mutable_query() = *std::move(parsed);
  } else if (request.has_match()) {
    *shard.mutable_query() = request.match();
  } else {
    shard.mutable_query()->mutable_match_all();
  }
  *shard.mutable_filter() = request.filter();
  shard.set_sort(request.sort());
  *shard.mutable_facets() = request.facets();
  *shard.mutable_highlight() = request.highlight();
  shard.set_omit_paragraphs(request.view() == v1::ARTICLE_VIEW_BASIC);
  return shard;
}

// Sums of the shards' statistics (every shard numbers the same query's leaves alike).
void AddStatistics(const v1::SearchStatistics& shard, v1::SearchStatistics* sum) {
  sum->set_documents(sum->documents() + shard.documents());
  sum->set_title_length_sum(sum->title_length_sum() + shard.title_length_sum());
  sum->set_body_length_sum(sum->body_length_sum() + shard.body_length_sum());
  sum->set_credit_length_sum(sum->credit_length_sum() + shard.credit_length_sum());
  while (sum->leaf_documents_size() < shard.leaf_documents_size()) sum->add_leaf_documents(0);
  for (int i = 0; i < shard.leaf_documents_size(); ++i) {
    sum->set_leaf_documents(i, sum->leaf_documents(i) + shard.leaf_documents(i));
  }
}

search::SortKey KeyOf(const v1::SearchPosition& position) {
  absl::StatusOr<article::ArticleId> id = article::ParseArticleId(position.id());
  return {position.score(), position.published_seconds(), position.views(), id.value_or(0)};
}

// The facets of all shards' answers, one per request facet: credit counts summed and cut to the
// requested top, calendar buckets (every shard's, matched or not: their totals) summed, in order.
std::vector<v1::FacetResult> MergeFacets(
    const google::protobuf::RepeatedPtrField<v1::FacetRequest>& requested,
    const std::vector<v1::SearchShardResponse*>& answers) {
  std::vector<v1::FacetResult> merged;
  for (int f = 0; f < requested.size(); ++f) {
    const v1::FacetRequest& facet = requested[f];
    std::map<std::string, std::pair<int64_t, int64_t>> buckets;  // value -> count, total
    for (const v1::SearchShardResponse* answer : answers) {
      if (f >= answer->facets_size()) continue;
      for (const v1::FacetBucket& bucket : answer->facets(f).buckets()) {
        auto& [count, total] = buckets[bucket.value()];
        count += bucket.count();
        total += bucket.total_articles();
      }
    }
    v1::FacetResult& result = merged.emplace_back();
    result.set_kind(facet.kind());
    std::vector<std::pair<std::string, std::pair<int64_t, int64_t>>> ordered(buckets.begin(),
                                                                             buckets.end());
    if (facet.kind() == v1::FACET_KIND_CREDIT) {
      std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
        return a.second.first > b.second.first;  // ties stay by value
      });
      const size_t top = facet.top() > 0 ? static_cast<size_t>(facet.top())
                                         : static_cast<size_t>(search::kDefaultFacetTop);
      if (ordered.size() > top) ordered.resize(top);
    }
    for (auto& [value, counts] : ordered) {
      if (counts.first == 0) continue;  // a shard's bucket that no shard matched in
      v1::FacetBucket* bucket = result.add_buckets();
      bucket->set_value(value);
      bucket->set_count(counts.first);
      if (facet.kind() != v1::FACET_KIND_CREDIT) bucket->set_total_articles(counts.second);
    }
  }
  return merged;
}

}  // namespace

Clock& RealClock() {
  static SystemClock* clock = new SystemClock();
  return *clock;
}

FanOut::FanOut(std::vector<std::unique_ptr<ShardClient>> shards, FanOutOptions options,
               Clock& clock)
    : shards_(std::move(shards)), options_(options), clock_(clock) {}

FanOut::~FanOut() = default;

std::string FanOut::ShardName(int shard) const {
  return absl::StrCat("storage shard ", shard, "/", shard_count(), " (", shards_[shard]->address(),
                      ")");
}

namespace {

// When the shard calls of a call must end.
absl::Time ShardDeadline(const CallScope& scope, const FanOutOptions& options, const Clock& clock,
                         bool partial) {
  const absl::Time now = clock.Now();
  absl::Time deadline = std::min(scope.deadline, now + options.shard_timeout);
  if (partial && scope.deadline != absl::InfiniteFuture() && scope.deadline > now) {
    deadline = std::min(deadline, now + (scope.deadline - now) * options.partial_deadline_share);
  }
  return deadline;
}

std::vector<int> AllShards(int count) {
  std::vector<int> all(count);
  for (int i = 0; i < count; ++i) all[i] = i;
  return all;
}

v1::ShardPlacement Placement(int shard, int count) {
  v1::ShardPlacement placement;
  placement.set_index(shard);
  placement.set_count(count);
  return placement;
}

bool AlwaysStop(const absl::Status& /*status*/) { return true; }

}  // namespace

absl::StatusOr<v1::Article> FanOut::GetArticle(const v1::GetArticleRequest& request,
                                               const CallScope& scope) {
  std::vector<status::FieldViolation> violations;
  const std::optional<article::ArticleId> id =
      article::CheckArticleId(request.id(), "id", violations);
  if (!id.has_value()) return status::InvalidFieldsError(violations);
  const int shard = article::ShardOf(*id, shard_count());
  const absl::Time deadline = ShardDeadline(scope, options_, clock_, false);
  std::vector<absl::StatusOr<v1::Article>> results = CallShards<v1::Article>(
      {shard}, shard_count(), deadline, scope, options_, clock_,
      [&](int s, ShardDone<v1::Article> done) {
        return shards_[s]->GetArticle(request, deadline, std::move(done));
      },
      AlwaysStop);
  absl::StatusOr<v1::Article>& result = results[shard];
  if (!result.ok() && result.status().code() != absl::StatusCode::kNotFound &&
      result.status().code() != absl::StatusCode::kInvalidArgument) {
    return Prefixed(result.status(), absl::StrCat(ShardName(shard), ": "));
  }
  return std::move(result);
}

absl::StatusOr<v1::ListArticlesResponse> FanOut::ListArticles(
    const v1::ListArticlesRequest& request, const CallScope& scope) {
  NEWSDB_RETURN_IF_ERROR(ValidateListRequest(request));
  const int page_size =
      request.page_size() == 0 ? kDefaultPageSize : std::min(request.page_size(), kMaxPageSize);
  v1::ScanArticlesRequest scan;
  *scan.mutable_published() = request.published();
  scan.set_order(request.order());
  scan.set_limit(page_size + 1);  // one more than a page tells whether another page exists
  scan.set_omit_paragraphs(request.view() == v1::ARTICLE_VIEW_BASIC);
  if (!request.page_token().empty()) {
    NEWSDB_ASSIGN_OR_RETURN(v1::ListPageToken token,
                            DecodeListPageToken(request.page_token(), request));
    scan.mutable_resume_after()->mutable_published_at()->set_seconds(
        token.last_published_seconds());
    scan.mutable_resume_after()->set_id(token.last_id());
  }
  const absl::Time deadline = ShardDeadline(scope, options_, clock_, false);
  std::vector<absl::StatusOr<std::vector<v1::Article>>> results =
      CallShards<std::vector<v1::Article>>(
          AllShards(shard_count()), shard_count(), deadline, scope, options_, clock_,
          [&](int shard, ShardDone<std::vector<v1::Article>> done) {
            v1::ScanArticlesRequest placed = scan;
            *placed.mutable_shard() = Placement(shard, shard_count());
            return shards_[shard]->ScanArticles(placed, deadline, std::move(done));
          },
          AlwaysStop);
  std::vector<v1::Article> merged;
  for (int shard = 0; shard < shard_count(); ++shard) {
    if (!results[shard].ok()) {
      if (results[shard].status().code() == absl::StatusCode::kInvalidArgument) {
        return results[shard].status();
      }
      return Prefixed(results[shard].status(), absl::StrCat(ShardName(shard), ": "));
    }
    for (v1::Article& article : *results[shard]) merged.push_back(std::move(article));
  }
  const bool oldest_first = request.order() == v1::PUBLICATION_ORDER_OLDEST_FIRST;
  auto key = [](const v1::Article& article) {
    return std::make_pair(article.published_at().seconds(), article.id());
  };
  std::sort(merged.begin(), merged.end(), [&](const v1::Article& a, const v1::Article& b) {
    return oldest_first ? key(a) < key(b) : key(b) < key(a);
  });
  v1::ListArticlesResponse response;
  const bool more = merged.size() > static_cast<size_t>(page_size);
  if (more) merged.resize(page_size);
  for (v1::Article& article : merged) *response.add_articles() = std::move(article);
  if (more) {
    const v1::Article& last = response.articles(page_size - 1);
    response.set_next_page_token(
        MakeListPageToken(request, last.published_at().seconds(), last.id()));
  }
  return response;
}

namespace {

// Merges the shards' answers into `response`: every shard's hits after the cursor in order, the
// first page_size of them all, the totals and facets summed, and the next page's token.
void MergeAnswers(const v1::SearchRequest& request, int page_size,
                  const std::vector<v1::SearchShardResponse*>& answers,
                  const std::vector<std::optional<v1::ShardSnapshot>>& snapshots,
                  const std::optional<v1::SearchStatistics>& statistics,
                  v1::SearchResponse* response) {
  struct Ranked {
    search::SortKey key;
    v1::SearchShardResponse* answer;
    int hit;
  };
  std::vector<Ranked> ranked;
  bool more = false;
  int64_t total = 0;
  for (v1::SearchShardResponse* answer : answers) {
    total += answer->total_hits();
    more = more || answer->more_hits();
    for (int i = 0; i < answer->hits_size() && i < answer->positions_size(); ++i) {
      ranked.push_back({KeyOf(answer->positions(i)), answer, i});
    }
  }
  const v1::SearchSort sort = request.sort();
  std::sort(ranked.begin(), ranked.end(), [sort](const Ranked& a, const Ranked& b) {
    return search::Before(sort, a.key, b.key);
  });
  if (ranked.size() > static_cast<size_t>(page_size)) {
    more = true;
    ranked.resize(page_size);
  }
  for (const Ranked& kept : ranked) {
    *response->add_hits() = std::move(*kept.answer->mutable_hits(kept.hit));
  }
  response->set_total_hits(total);
  for (v1::FacetResult& facet : MergeFacets(request.facets(), answers)) {
    *response->add_facets() = std::move(facet);
  }
  if (more && !ranked.empty()) {
    v1::SearchPageToken token;
    token.set_version(kPageTokenVersion);
    token.set_request_fingerprint(RequestFingerprint(request));
    for (const std::optional<v1::ShardSnapshot>& snapshot : snapshots) {
      *token.add_snapshots() = snapshot.value_or(v1::ShardSnapshot());
    }
    *token.mutable_after() = ranked.back().answer->positions(ranked.back().hit);
    if (statistics.has_value()) *token.mutable_statistics() = *statistics;
    response->set_next_page_token(EncodePageToken(token));
  }
}

void AddMissing(int shard, const std::string& address, absl::string_view reason,
                v1::SearchResponse* response) {
  v1::MissingShard* missing = response->add_missing_shards();
  missing->set_index(shard);
  missing->set_address(address);
  missing->set_reason(std::string(reason));
}

// The shards a search calls and the state each searches: the page token's, or now.
struct SearchStart {
  std::vector<int> live;
  std::vector<int> skipped;  // shards that missed the first page of a partial answer
  std::vector<std::optional<v1::ShardSnapshot>> snapshots;
  std::optional<v1::SearchStatistics> statistics;
};

absl::StatusOr<SearchStart> StartSearch(const v1::SearchRequest& request, int count,
                                        v1::SearchShardRequest* shard_request) {
  SearchStart start;
  start.snapshots.resize(count);
  if (request.page_token().empty()) {
    start.live = AllShards(count);
    return start;
  }
  v1::SearchPageToken token;
  NEWSDB_RETURN_IF_ERROR(DecodePageToken(request.page_token(), request, &token));
  if (token.snapshots_size() != count) {
    return absl::FailedPreconditionError(
        absl::StrCat("the page token comes from a layout of ", token.snapshots_size(),
                     " storage shards; this query service reads ", count, "; search again"));
  }
  for (int shard = 0; shard < count; ++shard) {
    if (token.snapshots(shard).epoch() == 0) {
      start.skipped.push_back(shard);
      continue;
    }
    start.live.push_back(shard);
    start.snapshots[shard] = token.snapshots(shard);
  }
  *shard_request->mutable_after() = token.after();
  if (token.has_statistics()) start.statistics = token.statistics();
  return start;
}

}  // namespace

absl::StatusOr<v1::SearchResponse> FanOut::Search(const v1::SearchRequest& request,
                                                  const CallScope& scope) {
  NEWSDB_ASSIGN_OR_RETURN(v1::SearchShardRequest shard_request, ToShardRequest(request));
  const int page_size = request.page_size() == 0 ? kDefaultSearchPageSize : request.page_size();
  const int count = shard_count();
  const bool partial = request.allow_partial_results();
  shard_request.set_limit(page_size);
  shard_request.set_all_facet_buckets(count > 1);

  NEWSDB_ASSIGN_OR_RETURN(SearchStart start, StartSearch(request, count, &shard_request));
  std::vector<int> live = std::move(start.live);
  std::vector<std::optional<v1::ShardSnapshot>> snapshots = std::move(start.snapshots);
  std::optional<v1::SearchStatistics> statistics = std::move(start.statistics);
  v1::SearchResponse response;
  auto add_missing = [&](int shard, absl::string_view reason) {
    AddMissing(shard, shards_[shard]->address(), reason, &response);
  };
  for (int shard : start.skipped) add_missing(shard, "did not answer the first page");
  auto placed = [&](int shard) {
    v1::SearchShardRequest one = shard_request;
    *one.mutable_shard() = Placement(shard, count);
    if (snapshots[shard].has_value()) *one.mutable_snapshot() = *snapshots[shard];
    return one;
  };
  const absl::Time deadline = ShardDeadline(scope, options_, clock_, partial);
  // Which failures end the call: any, or (partial answers) all but an unreachable shard's.
  auto stop_early = [partial](const absl::Status& s) { return !partial || !Unreachable(s); };
  // The first failure to report, if it ends the call.
  auto failure = [&](int shard, const absl::Status& status) -> std::optional<absl::Status> {
    if (partial && Unreachable(status)) {
      add_missing(shard, status.message());
      return std::nullopt;
    }
    if (status.code() == absl::StatusCode::kInvalidArgument) return status;
    return Prefixed(status, absl::StrCat(ShardName(shard), ": "));
  };
  if (count > 1 && !statistics.has_value()) {
    std::vector<absl::StatusOr<v1::SearchStatistics>> found = CallShards<v1::SearchStatistics>(
        live, count, deadline, scope, options_, clock_,
        [&](int shard, ShardDone<v1::SearchStatistics> done) {
          return shards_[shard]->GetSearchStatistics(placed(shard), deadline, std::move(done));
        },
        stop_early);
    statistics.emplace();
    std::vector<int> answered;
    std::optional<absl::Status> failed;
    for (int shard : live) {
      if (!found[shard].ok()) {
        if (!failed.has_value()) failed = failure(shard, found[shard].status());
        continue;
      }
      AddStatistics(*found[shard], &*statistics);
      snapshots[shard] = found[shard]->snapshot();
      answered.push_back(shard);
    }
    if (failed.has_value()) return *failed;
    live = std::move(answered);
  }
  if (statistics.has_value()) *shard_request.mutable_statistics() = *statistics;

  std::vector<absl::StatusOr<v1::SearchShardResponse>> found = CallShards<v1::SearchShardResponse>(
      live, count, deadline, scope, options_, clock_,
      [&](int shard, ShardDone<v1::SearchShardResponse> done) {
        return shards_[shard]->SearchShard(placed(shard), deadline, std::move(done));
      },
      stop_early);
  std::vector<v1::SearchShardResponse*> answers;
  std::optional<absl::Status> failed;
  for (int shard : live) {
    if (!found[shard].ok()) {
      snapshots[shard].reset();
      if (!failed.has_value()) failed = failure(shard, found[shard].status());
      continue;
    }
    snapshots[shard] = found[shard]->snapshot();
    answers.push_back(&*found[shard]);
  }
  if (failed.has_value()) return *failed;

  MergeAnswers(request, page_size, answers, snapshots, statistics, &response);
  return response;
}

absl::Status FanOut::CheckShards(const CallScope& scope) {
  const absl::Time deadline = ShardDeadline(scope, options_, clock_, false);
  std::vector<absl::StatusOr<v1::ShardInfo>> found = CallShards<v1::ShardInfo>(
      AllShards(shard_count()), shard_count(), deadline, scope, options_, clock_,
      [&](int shard, ShardDone<v1::ShardInfo> done) {
        return shards_[shard]->GetShardInfo(deadline, std::move(done));
      },
      AlwaysStop);
  for (int shard = 0; shard < shard_count(); ++shard) {
    if (!found[shard].ok()) {
      return Prefixed(found[shard].status(), absl::StrCat(ShardName(shard), ": "));
    }
    const v1::ShardPlacement& placement = found[shard]->shard();
    if (placement.index() != shard || placement.count() != shard_count()) {
      return absl::FailedPreconditionError(absl::StrCat(
          ShardName(shard), " reports that it is shard ", placement.index(), "/", placement.count(),
          "; list the shards in order, each with --shard=I/", shard_count()));
    }
  }
  return absl::OkStatus();
}

}  // namespace newsdb::query
