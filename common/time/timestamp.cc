#include "common/time/timestamp.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace newsdb::time {
namespace {

// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, the bounds of google.protobuf.Timestamp.
constexpr int64_t kMinSeconds = -62135596800;
constexpr int64_t kMaxSeconds = 253402300799;

}  // namespace

google::protobuf::Timestamp ToTimestamp(absl::Time time) {
  google::protobuf::Timestamp timestamp;
  const int64_t seconds = absl::ToUnixSeconds(time);
  timestamp.set_seconds(seconds);
  timestamp.set_nanos(
      static_cast<int32_t>(absl::ToInt64Nanoseconds(time - absl::FromUnixSeconds(seconds))));
  return timestamp;
}

absl::StatusOr<absl::Time> FromTimestamp(const google::protobuf::Timestamp& timestamp) {
  if (timestamp.nanos() < 0 || timestamp.nanos() >= 1'000'000'000) {
    return absl::InvalidArgumentError(
        absl::StrCat("timestamp nanos must be in [0, 999999999], got ", timestamp.nanos()));
  }
  if (timestamp.seconds() < kMinSeconds || timestamp.seconds() > kMaxSeconds) {
    return absl::InvalidArgumentError(
        absl::StrCat("timestamp seconds must be within years 1..9999, got ", timestamp.seconds()));
  }
  return absl::FromUnixSeconds(timestamp.seconds()) + absl::Nanoseconds(timestamp.nanos());
}

std::string FormatUtc(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", time, absl::UTCTimeZone());
}

}  // namespace newsdb::time
