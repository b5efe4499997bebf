#include "common/article/shard.h"

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace newsdb::article {

absl::StatusOr<ShardPlacement> ParseShardPlacement(absl::string_view text) {
  const std::vector<absl::string_view> parts = absl::StrSplit(text, '/');
  int index = 0;
  int count = 0;
  // SimpleAtoi accepts surrounding whitespace and signs; a placement is digits only.
  auto digits = [](absl::string_view part) {
    return !part.empty() && part.size() <= 4 &&
           part.find_first_not_of("0123456789") == absl::string_view::npos;
  };
  if (parts.size() != 2 || !digits(parts[0]) || !digits(parts[1]) ||
      !absl::SimpleAtoi(parts[0], &index) || !absl::SimpleAtoi(parts[1], &count)) {
    return absl::InvalidArgumentError(
        absl::StrCat("shard \"", text, "\" is not INDEX/COUNT, e.g. 0/3"));
  }
  if (count < 1 || count > kMaxShards) {
    return absl::InvalidArgumentError(
        absl::StrCat("shard \"", text, "\": the count must be in 1..", kMaxShards));
  }
  if (index >= count) {
    return absl::InvalidArgumentError(
        absl::StrCat("shard \"", text, "\": the index must be in 0..", count - 1));
  }
  return ShardPlacement{index, count};
}

std::string FormatShardPlacement(const ShardPlacement& placement) {
  return absl::StrCat(placement.index, "/", placement.count);
}

}  // namespace newsdb::article
