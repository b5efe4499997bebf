#ifndef NEWSDB_SERVICES_QUERY_FAN_OUT_H_
#define NEWSDB_SERVICES_QUERY_FAN_OUT_H_

// The query core: answers QueryService calls from N storage shards (shard_client.h), calling them
// in parallel within the caller's deadline and cancelling what is still running when it returns.
//
// - GetArticle goes to the id's shard (article::ShardOf).
// - ListArticles merges the shards' scans in publication order.
// - Search with several shards first sums BM25's statistics over them (GetSearchStatistics) and
//   has every shard score with the sums, so scores, order, totals and facets are those of one
//   shard holding everything; it merges the shards' top hits, totals and every facet bucket, and
//   its page token holds one snapshot per shard and the summed statistics.
// - A shard that cannot be reached is retried a few times (reads are idempotent), then the call
//   fails with UNAVAILABLE naming it, or, with allow_partial_results, answers from the others.
//
// Thread-safe: one FanOut serves every call.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "newsdb/v1/query_service.pb.h"
#include "services/query/shard_client.h"

namespace newsdb::query {

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 1000;
inline constexpr int kDefaultSearchPageSize = 20;
inline constexpr int kMaxSearchPageSize = 100;

struct FanOutOptions {
  // The longest any shard call may take (also when the caller set no deadline).
  absl::Duration shard_timeout = absl::Seconds(30);
  // Calls to a shard that answers UNAVAILABLE, the first included, and the wait before the
  // first retry (doubling after each).
  int attempts = 4;
  absl::Duration first_backoff = absl::Milliseconds(100);
  // With allow_partial_results, shard calls end this share of the caller's remaining time early,
  // so that the answer of the live shards still reaches the caller in time.
  double partial_deadline_share = 0.8;
};

// The caller's deadline and whether it gave up (polled while waiting).
struct CallScope {
  absl::Time deadline = absl::InfiniteFuture();
  std::function<bool()> cancelled = [] { return false; };
};

class FanOut {
 public:
  // `shards` in shard order (shard i holds the ids that are i modulo the count); at least one.
  explicit FanOut(std::vector<std::unique_ptr<ShardClient>> shards, FanOutOptions options = {},
                  Clock& clock = RealClock());
  ~FanOut();

  int shard_count() const { return static_cast<int>(shards_.size()); }

  // Errors: INVALID_ARGUMENT (malformed id), NOT_FOUND, UNAVAILABLE (naming the shard).
  absl::StatusOr<v1::Article> GetArticle(const v1::GetArticleRequest& request,
                                         const CallScope& scope);
  // Errors: INVALID_ARGUMENT (bad range, page size or token), UNAVAILABLE (naming the shard).
  absl::StatusOr<v1::ListArticlesResponse> ListArticles(const v1::ListArticlesRequest& request,
                                                        const CallScope& scope);
  // Errors: see newsdb.v1.QueryService.Search.
  absl::StatusOr<v1::SearchResponse> Search(const v1::SearchRequest& request,
                                            const CallScope& scope);

  // Asks every shard which shard it is. OK if each reports its place in the list; otherwise
  // FAILED_PRECONDITION naming the first that does not, or UNAVAILABLE naming one that cannot be
  // reached.
  absl::Status CheckShards(const CallScope& scope);

  // "storage shard I/N (ADDRESS)".
  std::string ShardName(int shard) const;

 private:
  std::vector<std::unique_ptr<ShardClient>> shards_;
  const FanOutOptions options_;
  Clock& clock_;
};

}  // namespace newsdb::query

#endif  // NEWSDB_SERVICES_QUERY_FAN_OUT_H_
