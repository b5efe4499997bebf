#include "services/query/page_token.h"

#include "gtest/gtest.h"

namespace newsdb::query {
namespace {

v1::ListArticlesRequest Request() {
  v1::ListArticlesRequest request;
  request.mutable_published()->mutable_start()->set_seconds(1700000000);
  request.set_order(v1::PUBLICATION_ORDER_OLDEST_FIRST);
  request.set_page_size(10);
  return request;
}

TEST(PageTokenTest, RoundTripsForTheSameRequest) {
  std::string token = MakeListPageToken(Request(), 1700003600, "0123456789abcdef");
  v1::ListArticlesRequest next = Request();
  next.set_page_token(token);
  next.set_page_size(25);  // AIP-158: page_size may change between pages
  absl::StatusOr<v1::ListPageToken> decoded = DecodeListPageToken(token, next);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->last_published_seconds(), 1700003600);
  EXPECT_EQ(decoded->last_id(), "0123456789abcdef");
}

TEST(PageTokenTest, RejectsATokenOfAnotherRequest) {
  std::string token = MakeListPageToken(Request(), 1700003600, "0123456789abcdef");
  v1::ListArticlesRequest other = Request();
  other.mutable_published()->mutable_start()->set_seconds(1600000000);
  EXPECT_EQ(DecodeListPageToken(token, other).status().code(), absl::StatusCode::kInvalidArgument);
  other = Request();
  other.set_order(v1::PUBLICATION_ORDER_NEWEST_FIRST);
  EXPECT_EQ(DecodeListPageToken(token, other).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(PageTokenTest, RejectsGarbage) {
  for (const char* garbage : {"", "!!!", "AAAA", "bm90IGEgdG9rZW4"}) {
    EXPECT_EQ(DecodeListPageToken(garbage, Request()).status().code(),
              absl::StatusCode::kInvalidArgument)
        << garbage;
  }
}

}  // namespace
}  // namespace newsdb::query
