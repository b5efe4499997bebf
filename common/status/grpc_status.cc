#include "common/status/grpc_status.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/string_view.h"
#include "common/log/log.h"
#include "google/protobuf/any.pb.h"
#include "google/rpc/status.pb.h"

namespace newsdb::status {

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
