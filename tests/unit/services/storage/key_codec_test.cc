#include "services/storage/key_codec.h"

#include <algorithm>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace newsdb::storage {
namespace {

TEST(KeyCodecTest, ArticleKeyRoundTrips) {
  const ArticleKey key{1700631060, 0x0123456789abcdefULL};
  std::string encoded = EncodeArticleKey(key);
  ASSERT_EQ(encoded.size(), kArticleKeySize);
  absl::StatusOr<ArticleKey> decoded = DecodeArticleKey(encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->published_seconds, key.published_seconds);
  EXPECT_EQ(decoded->id, key.id);
}

TEST(KeyCodecTest, BytewiseOrderIsPublicationOrderThenId) {
  // Includes a pre-1970 time: the sign-bit offset must sort it first.
  std::vector<ArticleKey> keys = {{-86400, 5},     {0, 1},          {1700000000, 2},
                                  {1700000000, 9}, {1700000060, 0}, {4102444800, 3}};
  std::vector<std::string> encoded;
  for (const ArticleKey& key : keys) encoded.push_back(EncodeArticleKey(key));
  EXPECT_TRUE(std::is_sorted(encoded.begin(), encoded.end()));
}

TEST(KeyCodecTest, RejectsMalformedKeys) {
  EXPECT_EQ(DecodeArticleKey("short").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeViewKey(std::string(15, 'x')).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeViewCount("1234").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(KeyCodecTest, ViewKeysOfOneArticleSortByCaptureTime) {
  std::string early = EncodeViewKey({42, 1'700'000'000'000'000});
  std::string late = EncodeViewKey({42, 1'700'086'400'000'000});
  std::string other_article = EncodeViewKey({43, 0});
  EXPECT_LT(early, late);
  EXPECT_LT(late, other_article);
  EXPECT_EQ(early.substr(0, 8), EncodeArticleIdKey(42));
  absl::StatusOr<ViewKey> decoded = DecodeViewKey(late);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->captured_micros, 1'700'086'400'000'000);
  EXPECT_EQ(*DecodeViewCount(EncodeViewCount(167581)), 167581);
}

}  // namespace
}  // namespace newsdb::storage
