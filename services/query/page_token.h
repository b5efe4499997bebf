#ifndef NEWSDB_SERVICES_QUERY_PAGE_TOKEN_H_
#define NEWSDB_SERVICES_QUERY_PAGE_TOKEN_H_

// Opaque page tokens (AIP-158) for QueryService.ListArticles: base64url of a ListPageToken holding
// the last position of the previous page and a fingerprint of the request. A position, not an
// offset, so pages neither repeat nor skip articles while ingest goes on. The fingerprint is a
// stable hash (FNV-1a 64 of the deterministic serialisation), so a token stays valid across query
// replicas and restarts.

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "newsdb/v1/internal.pb.h"
#include "newsdb/v1/query_service.pb.h"

namespace newsdb::query {

// Fingerprint of everything in `request` that a token must agree with: all but page_size and
// page_token.
uint64_t FingerprintListRequest(const v1::ListArticlesRequest& request);

// The token for the page after the article at (`last_published_seconds`, `last_id`).
std::string MakePageToken(const v1::ListArticlesRequest& request, int64_t last_published_seconds,
                          absl::string_view last_id);

// Decodes `text` and checks that it belongs to `request`.
// Errors: INVALID_ARGUMENT with a BadRequest on `page_token` (malformed, another version, or
// issued for a different request).
absl::StatusOr<v1::ListPageToken> DecodePageToken(absl::string_view text,
                                                  const v1::ListArticlesRequest& request);

}  // namespace newsdb::query

#endif  // NEWSDB_SERVICES_QUERY_PAGE_TOKEN_H_
