#ifndef NEWSDB_COMMON_STATUS_GRPC_STATUS_H_
#define NEWSDB_COMMON_STATUS_GRPC_STATUS_H_

// Conversions between absl::Status (the domain cores) and grpc::Status (the wire). Details
// (field_errors.h) travel as absl::Status payloads keyed by their type URL and become
// google.rpc.Status.details on the wire (trailing metadata `grpc-status-details-bin`), where any
// gRPC client can decode them. For the service layers only: the cores use field_errors.h.

#include "absl/status/status.h"
#include "common/status/field_errors.h"
#include "grpcpp/support/status.h"

namespace newsdb::status {

// Converts for the wire; payloads become google.rpc.Status details. INTERNAL and UNKNOWN keep
// their message for the log but tell the client only "internal error".
grpc::Status ToGrpcStatus(const absl::Status& status);

// Converts a status received from another service, keeping its code, message and details.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace newsdb::status

#endif  // NEWSDB_COMMON_STATUS_GRPC_STATUS_H_
