#ifndef NEWSDB_COMMON_STATUS_GRPC_STATUS_H_
#define NEWSDB_COMMON_STATUS_GRPC_STATUS_H_

// Conversions between absl::Status (the domain cores) and grpc::Status (the wire), and builders
// for statuses that carry google.rpc error details. Details travel as absl::Status payloads keyed
// by their type URL and become google.rpc.Status.details on the wire
// (trailing metadata `grpc-status-details-bin`), where any gRPC client can decode them.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "grpcpp/support/status.h"

namespace newsdb::status {

inline constexpr absl::string_view kBadRequestTypeUrl = "type.googleapis.com/google.rpc.BadRequest";

// One bad field of a request: `field` is a path such as `published.end` or `articles[3].id`.
struct FieldViolation {
  std::string field;
  std::string description;
};

// INVALID_ARGUMENT "<field>: <description>" with a google.rpc.BadRequest detail for the field.
absl::Status InvalidFieldError(absl::string_view field, absl::string_view description);

// INVALID_ARGUMENT listing every violation in its message and in one google.rpc.BadRequest detail.
// Must be given at least one violation.
absl::Status InvalidFieldsError(const std::vector<FieldViolation>& violations);

// Returns the BadRequest violations carried by `status` (empty if none).
std::vector<FieldViolation> FieldViolationsOf(const absl::Status& status);

// Converts for the wire; payloads become google.rpc.Status details. INTERNAL and UNKNOWN keep
// their message for the log but tell the client only "internal error".
grpc::Status ToGrpcStatus(const absl::Status& status);

// Converts a status received from another service, keeping its code, message and details.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace newsdb::status

#endif  // NEWSDB_COMMON_STATUS_GRPC_STATUS_H_
