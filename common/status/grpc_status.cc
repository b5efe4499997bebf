#include "common/status/grpc_status.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "common/log/log.h"
#include "google/protobuf/any.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace newsdb::status {

absl::Status InvalidFieldError(absl::string_view field, absl::string_view description) {
  return InvalidFieldsError({{std::string(field), std::string(description)}});
}

absl::Status InvalidFieldsError(const std::vector<FieldViolation>& violations) {
  NEWSDB_CHECK(!violations.empty());
  google::rpc::BadRequest bad_request;
  std::vector<std::string> parts;
  for (const FieldViolation& violation : violations) {
    google::rpc::BadRequest::FieldViolation* wire = bad_request.add_field_violations();
    wire->set_field(violation.field);
    wire->set_description(violation.description);
    parts.push_back(absl::StrCat(violation.field, ": ", violation.description));
  }
  absl::Status status(absl::StatusCode::kInvalidArgument, absl::StrJoin(parts, "; "));
  status.SetPayload(kBadRequestTypeUrl, absl::Cord(bad_request.SerializeAsString()));
  return status;
}

std::vector<FieldViolation> FieldViolationsOf(const absl::Status& status) {
  std::vector<FieldViolation> violations;
  absl::optional<absl::Cord> payload = status.GetPayload(kBadRequestTypeUrl);
  if (!payload.has_value()) return violations;
  google::rpc::BadRequest bad_request;
  if (!bad_request.ParseFromString(std::string(*payload))) return violations;
  for (const auto& violation : bad_request.field_violations()) {
    violations.push_back({violation.field(), violation.description()});
  }
  return violations;
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  std::string message(status.message());
  if (status.code() == absl::StatusCode::kInternal || status.code() == absl::StatusCode::kUnknown) {
    LOG(ERROR) << "Internal error returned to a client: " << status;
    message = "internal error";
  }
  google::rpc::Status wire;  // absl and gRPC share code numbers
  wire.set_code(status.raw_code());
  wire.set_message(message);
  status.ForEachPayload([&wire](absl::string_view type_url, const absl::Cord& value) {
    google::protobuf::Any* detail = wire.add_details();
    detail->set_type_url(std::string(type_url));
    detail->set_value(std::string(value));
  });
  return grpc::Status(static_cast<grpc::StatusCode>(status.raw_code()), message,
                      wire.SerializeAsString());
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  absl::Status result(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  google::rpc::Status wire;
  if (!status.error_details().empty() && wire.ParseFromString(status.error_details())) {
    for (const google::protobuf::Any& detail : wire.details()) {
      result.SetPayload(detail.type_url(), absl::Cord(detail.value()));
    }
  }
  return result;
}

}  // namespace newsdb::status
