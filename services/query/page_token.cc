#include "services/query/page_token.h"

#include <memory>

#include "absl/strings/escaping.h"
#include "common/status/field_errors.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/reflection.h"

namespace newsdb::query {
namespace {

uint64_t Fnv1a64(absl::string_view bytes) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (char c : bytes) {
    hash ^= static_cast<uint8_t>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::string DeterministicBytes(const google::protobuf::Message& message) {
  std::string bytes;
  google::protobuf::io::StringOutputStream stream(&bytes);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  message.SerializeToCodedStream(&coded);
  coded.Trim();
  return bytes;
}

absl::Status NotOurs() {
  return status::InvalidFieldError("page_token", "is not a token issued by this service");
}

}  // namespace

uint64_t RequestFingerprint(const google::protobuf::Message& request) {
  std::unique_ptr<google::protobuf::Message> key(request.New());
  key->CopyFrom(request);
  const google::protobuf::Descriptor* descriptor = key->GetDescriptor();
  const google::protobuf::Reflection* reflection = key->GetReflection();
  for (const char* name : {"page_size", "page_token"}) {
    if (const google::protobuf::FieldDescriptor* field = descriptor->FindFieldByName(name)) {
      reflection->ClearField(key.get(), field);
    }
  }
  return Fnv1a64(DeterministicBytes(*key));
}

std::string EncodePageToken(const google::protobuf::Message& token) {
  return absl::WebSafeBase64Escape(DeterministicBytes(token));
}

absl::Status DecodePageToken(absl::string_view text, const google::protobuf::Message& request,
                             google::protobuf::Message* token) {
  std::string bytes;
  if (!absl::WebSafeBase64Unescape(text, &bytes) || !token->ParseFromString(bytes)) {
    return NotOurs();
  }
  const google::protobuf::Descriptor* descriptor = token->GetDescriptor();
  const google::protobuf::Reflection* reflection = token->GetReflection();
  const google::protobuf::FieldDescriptor* version = descriptor->FindFieldByName("version");
  const google::protobuf::FieldDescriptor* fingerprint =
      descriptor->FindFieldByName("request_fingerprint");
  if (version == nullptr || fingerprint == nullptr ||
      reflection->GetInt32(*token, version) != kPageTokenVersion) {
    return NotOurs();
  }
  if (reflection->GetUInt64(*token, fingerprint) != RequestFingerprint(request)) {
    return status::InvalidFieldError(
        "page_token", "was issued for a different request (only page_size may change)");
  }
  return absl::OkStatus();
}

std::string MakeListPageToken(const v1::ListArticlesRequest& request,
                              int64_t last_published_seconds, absl::string_view last_id) {
  v1::ListPageToken token;
  token.set_version(kPageTokenVersion);
  token.set_request_fingerprint(RequestFingerprint(request));
  token.set_last_published_seconds(last_published_seconds);
  token.set_last_id(std::string(last_id));
  return EncodePageToken(token);
}

absl::StatusOr<v1::ListPageToken> DecodeListPageToken(absl::string_view text,
                                                      const v1::ListArticlesRequest& request) {
  v1::ListPageToken token;
  absl::Status decoded = DecodePageToken(text, request, &token);
  if (!decoded.ok()) return decoded;
  return token;
}

}  // namespace newsdb::query
