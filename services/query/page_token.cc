#include "services/query/page_token.h"

#include "absl/strings/escaping.h"
#include "absl/strings/string_view.h"
#include "common/status/grpc_status.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace newsdb::query {
namespace {

constexpr int kTokenVersion = 1;

uint64_t Fnv1a64(absl::string_view bytes) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (char c : bytes) {
    hash ^= static_cast<uint8_t>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::string DeterministicBytes(const google::protobuf::MessageLite& message) {
  std::string bytes;
  google::protobuf::io::StringOutputStream stream(&bytes);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  message.SerializeToCodedStream(&coded);
  coded.Trim();
  return bytes;
}

}  // namespace

uint64_t FingerprintListRequest(const v1::ListArticlesRequest& request) {
  v1::ListArticlesRequest key = request;
  key.clear_page_size();
  key.clear_page_token();
  return Fnv1a64(DeterministicBytes(key));
}

std::string MakePageToken(const v1::ListArticlesRequest& request, int64_t last_published_seconds,
                          absl::string_view last_id) {
  v1::ListPageToken token;
  token.set_version(kTokenVersion);
  token.set_request_fingerprint(FingerprintListRequest(request));
  token.set_last_published_seconds(last_published_seconds);
  token.set_last_id(std::string(last_id));
  return absl::WebSafeBase64Escape(DeterministicBytes(token));
}

absl::StatusOr<v1::ListPageToken> DecodePageToken(absl::string_view text,
                                                  const v1::ListArticlesRequest& request) {
  std::string bytes;
  v1::ListPageToken token;
  if (!absl::WebSafeBase64Unescape(text, &bytes) || !token.ParseFromString(bytes) ||
      token.version() != kTokenVersion) {
    return status::InvalidFieldError("page_token",
                                     "is not a token issued by ListArticles of this server");
  }
  if (token.request_fingerprint() != FingerprintListRequest(request)) {
    return status::InvalidFieldError(
        "page_token", "was issued for a request with other published/order/view values");
  }
  return token;
}

}  // namespace newsdb::query
