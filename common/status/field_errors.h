#ifndef NEWSDB_COMMON_STATUS_FIELD_ERRORS_H_
#define NEWSDB_COMMON_STATUS_FIELD_ERRORS_H_

// INVALID_ARGUMENT statuses that name the bad fields of a request. The fields travel as a
// google.rpc.BadRequest payload keyed by its type URL; grpc_status.h puts payloads on the wire as
// google.rpc.Status details. Needs the proto messages, not gRPC: the domain cores use this.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

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

}  // namespace newsdb::status

#endif  // NEWSDB_COMMON_STATUS_FIELD_ERRORS_H_
