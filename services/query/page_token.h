#ifndef NEWSDB_SERVICES_QUERY_PAGE_TOKEN_H_
#define NEWSDB_SERVICES_QUERY_PAGE_TOKEN_H_

// Opaque page tokens (AIP-158): base64url of an internal message (newsdb/v1/internal.proto) that
// holds where the previous page ended and a fingerprint of the request. A position, not an offset,
// so pages neither repeat nor skip articles while ingest goes on. The fingerprint is a stable hash
// (FNV-1a 64 of the deterministic serialisation with page_size and page_token cleared), so a token
// stays valid across query replicas and restarts, and is refused for any other request.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "newsdb/v1/internal.pb.h"
#include "newsdb/v1/query_service.pb.h"

namespace newsdb::query {

inline constexpr int kPageTokenVersion = 2;

// Fingerprint of every field of `request` but `page_size` and `page_token`.
uint64_t RequestFingerprint(const google::protobuf::Message& request);

// base64url of the deterministic serialisation of `token`.
std::string EncodePageToken(const google::protobuf::Message& token);

// Decodes `text` into `token`, whose fields `version` and `request_fingerprint` must be 1 and the
// fingerprint of `request`.
// Errors: INVALID_ARGUMENT with a BadRequest on `page_token` (malformed, another version, or
// issued for a different request).
absl::Status DecodePageToken(absl::string_view text, const google::protobuf::Message& request,
                             google::protobuf::Message* token);

// ListArticles: the token for the page after the article at (`last_published_seconds`,
// `last_id`), and its decoding.
std::string MakeListPageToken(const v1::ListArticlesRequest& request,
                              int64_t last_published_seconds, absl::string_view last_id);
absl::StatusOr<v1::ListPageToken> DecodeListPageToken(absl::string_view text,
                                                      const v1::ListArticlesRequest& request);

}  // namespace newsdb::query

#endif  // NEWSDB_SERVICES_QUERY_PAGE_TOKEN_H_
