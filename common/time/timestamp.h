#ifndef NEWSDB_COMMON_TIME_TIMESTAMP_H_
#define NEWSDB_COMMON_TIME_TIMESTAMP_H_

// Conversions between google.protobuf.Timestamp (the wire) and absl::Time (the code).

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace newsdb::time {

// Copies `time` into a Timestamp. `time` must be finite.
google::protobuf::Timestamp ToTimestamp(absl::Time time);

// Reads a Timestamp; INVALID_ARGUMENT if nanos is outside [0, 1e9) or seconds outside
// 0001-01-01..9999-12-31 (the range google.protobuf.Timestamp allows).
absl::StatusOr<absl::Time> FromTimestamp(const google::protobuf::Timestamp& timestamp);

// Formats as RFC 3339 in UTC, e.g. 2023-11-22T11:31:00Z.
std::string FormatUtc(absl::Time time);

}  // namespace newsdb::time

#endif  // NEWSDB_COMMON_TIME_TIMESTAMP_H_
