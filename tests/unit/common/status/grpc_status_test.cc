#include "common/status/grpc_status.h"

#include "common/status/status_macros.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"

namespace newsdb::status {
namespace {

TEST(GrpcStatusTest, InvalidFieldTravelsAsBadRequestDetail) {
  grpc::Status wire = ToGrpcStatus(InvalidFieldError("page_size", "must be <= 100"));
  EXPECT_EQ(wire.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(wire.error_message(), "page_size: must be <= 100");
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(wire.error_details()));
  ASSERT_EQ(details.details_size(), 1);
  EXPECT_EQ(details.details(0).type_url(), kBadRequestTypeUrl);
  google::rpc::BadRequest bad_request;
  ASSERT_TRUE(details.details(0).UnpackTo(&bad_request));
  ASSERT_EQ(bad_request.field_violations_size(), 1);
  EXPECT_EQ(bad_request.field_violations(0).field(), "page_size");
}

TEST(GrpcStatusTest, RoundTripKeepsCodeMessageAndViolations) {
  absl::Status original = InvalidFieldsError({{"a", "bad"}, {"b.c", "worse"}});
  absl::Status back = FromGrpcStatus(ToGrpcStatus(original));
  EXPECT_EQ(back.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(back.message(), original.message());
  std::vector<FieldViolation> violations = FieldViolationsOf(back);
  ASSERT_EQ(violations.size(), 2u);
  EXPECT_EQ(violations[1].field, "b.c");
}

TEST(GrpcStatusTest, InternalErrorsHideTheirDetailsFromClients) {
  grpc::Status wire = ToGrpcStatus(absl::InternalError("disk /dev/sda1 on fire"));
  EXPECT_EQ(wire.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(wire.error_message(), "internal error");
}

absl::StatusOr<int> Half(int value) {
  if (value % 2 != 0) return absl::InvalidArgumentError("odd");
  return value / 2;
}

absl::StatusOr<int> Quarter(int value) {
  NEWSDB_ASSIGN_OR_RETURN(int half, Half(value));
  NEWSDB_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

TEST(StatusMacrosTest, AssignOrReturnPropagatesTheFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace newsdb::status
