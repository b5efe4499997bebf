// Fuzzes the query service's page-token decoding with arbitrary bytes as the token text, for a
// ListArticles and a Search request.
//
// Invariants: never crashes; a refused token is INVALID_ARGUMENT with one BadRequest violation on
// `page_token` that never echoes the token; an accepted token has the current version and the
// request's fingerprint, and encoding it again gives a token that decodes to the same message.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "common/status/field_errors.h"
#include "google/protobuf/util/message_differencer.h"
#include "newsdb/v1/internal.pb.h"
#include "newsdb/v1/query_service.pb.h"
#include "services/query/page_token.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

void CheckRefusal(const absl::Status& status, absl::string_view text) {
  NEWSDB_FUZZ_CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  const auto violations = newsdb::status::FieldViolationsOf(status);
  NEWSDB_FUZZ_CHECK(violations.size() == 1 && violations[0].field == "page_token");
  NEWSDB_FUZZ_CHECK(text.size() < 8 || !absl::StrContains(status.message(), text));
}

template <typename Token>
void CheckAccepted(const Token& token, const google::protobuf::Message& request) {
  NEWSDB_FUZZ_CHECK(token.version() == newsdb::query::kPageTokenVersion);
  NEWSDB_FUZZ_CHECK(token.request_fingerprint() == newsdb::query::RequestFingerprint(request));
  Token again;
  NEWSDB_FUZZ_CHECK(
      newsdb::query::DecodePageToken(newsdb::query::EncodePageToken(token), request, &again).ok());
  NEWSDB_FUZZ_CHECK(google::protobuf::util::MessageDifferencer::Equals(token, again));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);

  newsdb::v1::ListArticlesRequest list;
  list.set_page_size(5);
  list.set_order(newsdb::v1::PUBLICATION_ORDER_NEWEST_FIRST);
  absl::StatusOr<newsdb::v1::ListPageToken> list_token =
      newsdb::query::DecodeListPageToken(text, list);
  if (list_token.ok()) {
    CheckAccepted(*list_token, list);
  } else {
    CheckRefusal(list_token.status(), text);
  }

  newsdb::v1::SearchRequest search;
  search.set_query("astana summit");
  search.set_page_size(10);
  newsdb::v1::SearchPageToken search_token;
  const absl::Status decoded = newsdb::query::DecodePageToken(text, search, &search_token);
  if (decoded.ok()) {
    CheckAccepted(search_token, search);
  } else {
    CheckRefusal(decoded, text);
  }

  // The input as the bytes of a token: only the fingerprint decides whether it is accepted.
  newsdb::v1::SearchPageToken parsed;
  if (parsed.ParseFromString(text)) {
    parsed.set_version(newsdb::query::kPageTokenVersion);
    parsed.set_request_fingerprint(newsdb::query::RequestFingerprint(search));
    newsdb::v1::SearchPageToken round;
    NEWSDB_FUZZ_CHECK(
        newsdb::query::DecodePageToken(newsdb::query::EncodePageToken(parsed), search, &round)
            .ok());
    newsdb::v1::SearchRequest other = search;
    other.set_query("astana");
    NEWSDB_FUZZ_CHECK(
        !newsdb::query::DecodePageToken(newsdb::query::EncodePageToken(parsed), other, &round)
             .ok());
  }
  return 0;
}
