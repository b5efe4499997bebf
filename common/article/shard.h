// Where an article lives when the archive is split over N storage processes: shard `id mod N`
// (the id's low bits are well mixed, article_id.h). A storage process serves one shard I of N,
// written "I/N" on command lines and in its data directory.
//
// All functions are pure and thread-safe.
#ifndef NEWSDB_COMMON_ARTICLE_SHARD_H_
#define NEWSDB_COMMON_ARTICLE_SHARD_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/article/article_id.h"

namespace newsdb::article {

// At most this many shards.
inline constexpr int kMaxShards = 1024;

// Shard `index` of `count` (0 <= index < count <= kMaxShards).
struct ShardPlacement {
  int index = 0;
  int count = 1;

  friend bool operator==(const ShardPlacement& a, const ShardPlacement& b) {
    return a.index == b.index && a.count == b.count;
  }
  friend bool operator!=(const ShardPlacement& a, const ShardPlacement& b) { return !(a == b); }
};

// "I/N", e.g. "0/3". INVALID_ARGUMENT (saying what is wrong) for anything else, for N outside
// 1..kMaxShards and for I outside 0..N-1.
absl::StatusOr<ShardPlacement> ParseShardPlacement(absl::string_view text);

// "I/N".
std::string FormatShardPlacement(const ShardPlacement& placement);

// The addresses of the storage shards, in shard order, from a --storage flag: either a comma
// separated list "HOST:PORT,HOST:PORT,..." (then `count`, if not 0, must be its length), or one
// address with "{shard}" in it, expanded for shards 0..count-1 (count >= 1), e.g. the pod names
// of a Kubernetes StatefulSet: "newsdb-storage-{shard}.newsdb-storage:7001".
// Errors: INVALID_ARGUMENT saying what is wrong.
absl::StatusOr<std::vector<std::string>> ExpandShardAddresses(absl::string_view list, int count);

// The shard of `id` among `count` shards (count >= 1).
inline int ShardOf(ArticleId id, int count) {
  return static_cast<int>(id % static_cast<uint64_t>(count));
}

}  // namespace newsdb::article

#endif  // NEWSDB_COMMON_ARTICLE_SHARD_H_
