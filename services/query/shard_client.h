#ifndef NEWSDB_SERVICES_QUERY_SHARD_CLIENT_H_
#define NEWSDB_SERVICES_QUERY_SHARD_CLIENT_H_

// What the query core needs of one storage shard: asynchronous calls that end by a deadline and
// can be cancelled. grpc_shard_client.h implements it over the generated stub; tests implement it
// over an in-process ArticleStore or with scripted failures. And the clock the core waits with.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "newsdb/v1/article.pb.h"
#include "newsdb/v1/storage_service.pb.h"

namespace newsdb::query {

// Time as the fan-out sees it (injected so tests need not sleep).
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
  virtual void SleepFor(absl::Duration duration) = 0;
};

// absl::Now and absl::SleepFor.
Clock& RealClock();

// A call in flight. Destroying it neither cancels nor waits; its `done` still runs once.
class ShardCall {
 public:
  virtual ~ShardCall() = default;
  // Asks the call to end early (its `done` then reports CANCELLED, or what arrived first).
  virtual void Cancel() = 0;
};

template <typename Response>
using ShardDone = std::function<void(absl::StatusOr<Response>)>;

// One storage shard. Each method starts a call and returns at once; `done` runs exactly once, on
// any thread (possibly before the method returns), by `deadline` at the latest.
class ShardClient {
 public:
  virtual ~ShardClient() = default;
  // The shard's address as configured, for messages.
  virtual const std::string& address() const = 0;

  virtual std::unique_ptr<ShardCall> SearchShard(const v1::SearchShardRequest& request,
                                                 absl::Time deadline,
                                                 ShardDone<v1::SearchShardResponse> done) = 0;
  virtual std::unique_ptr<ShardCall> GetSearchStatistics(const v1::SearchShardRequest& request,
                                                         absl::Time deadline,
                                                         ShardDone<v1::SearchStatistics> done) = 0;
  virtual std::unique_ptr<ShardCall> GetArticle(const v1::GetArticleRequest& request,
                                                absl::Time deadline,
                                                ShardDone<v1::Article> done) = 0;
  // The scan's articles, at most request.limit() (which must be > 0).
  virtual std::unique_ptr<ShardCall> ScanArticles(const v1::ScanArticlesRequest& request,
                                                  absl::Time deadline,
                                                  ShardDone<std::vector<v1::Article>> done) = 0;
  virtual std::unique_ptr<ShardCall> GetShardInfo(absl::Time deadline,
                                                  ShardDone<v1::ShardInfo> done) = 0;
};

}  // namespace newsdb::query

#endif  // NEWSDB_SERVICES_QUERY_SHARD_CLIENT_H_
