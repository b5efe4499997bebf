#include "common/article/shard.h"

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
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

absl::StatusOr<std::vector<std::string>> ExpandShardAddresses(absl::string_view list, int count) {
  constexpr absl::string_view kPlaceholder = "{shard}";
  if (count < 0 || count > kMaxShards) {
    return absl::InvalidArgumentError(
        absl::StrCat("the shard count must be in 1..", kMaxShards, ", not ", count));
  }
  std::vector<std::string> addresses;
  if (absl::StrContains(list, kPlaceholder)) {
    if (absl::StrContains(list, ',')) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"", list, "\": use either a list or one address with {shard}"));
    }
    if (count == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"", list, "\" has {shard}: the shard count must be given"));
    }
    for (int shard = 0; shard < count; ++shard) {
      addresses.push_back(absl::StrReplaceAll(list, {{kPlaceholder, absl::StrCat(shard)}}));
    }
    return addresses;
  }
  for (absl::string_view part : absl::StrSplit(list, ',')) {
    part = absl::StripAsciiWhitespace(part);
    if (part.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"", list, "\" has an empty address; give HOST:PORT,HOST:PORT,..."));
    }
    addresses.emplace_back(part);
  }
  if (static_cast<int>(addresses.size()) > kMaxShards) {
    return absl::InvalidArgumentError(absl::StrCat("at most ", kMaxShards, " shards"));
  }
  if (count != 0 && static_cast<int>(addresses.size()) != count) {
    return absl::InvalidArgumentError(absl::StrCat("\"", list, "\" lists ", addresses.size(),
                                                   " shards, but the shard count is ", count));
  }
  return addresses;
}

std::string FormatShardPlacement(const ShardPlacement& placement) {
  return absl::StrCat(placement.index, "/", placement.count);
}

}  // namespace newsdb::article
