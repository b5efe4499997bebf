#include "services/storage/posting_codec.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace newsdb::storage {
namespace {

TEST(PostingCodecTest, BlockRoundTripsDocsFrequenciesAndPositions) {
  std::vector<Posting> postings = {{100, {0, 7, 300}}, {101, {2}}, {5000, {1, 2, 3, 4}}};
  std::string block = EncodePostingBlock(100, postings);
  absl::StatusOr<std::vector<Posting>> decoded = DecodePostingBlock(block, 100);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_EQ(decoded->size(), 3u);
  EXPECT_EQ((*decoded)[2].doc, 5000u);
  EXPECT_THAT((*decoded)[0].positions, ::testing::ElementsAre(0, 7, 300));

  std::vector<uint32_t> docs, freqs;
  ASSERT_TRUE(DecodePostingDocs(block, 100, &docs, &freqs).ok());
  EXPECT_THAT(docs, ::testing::ElementsAre(100, 101, 5000));
  EXPECT_THAT(freqs, ::testing::ElementsAre(3, 1, 4));
}

TEST(PostingCodecTest, KeysSortByFieldTermThenFirstDocAndRoundTrip) {
  std::string a = EncodePostingKey(IndexField::kBody, "summit", 5);
  std::string b = EncodePostingKey(IndexField::kBody, "summit", 300);
  std::string c = EncodePostingKey(IndexField::kBody, "summits", 0);
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);  // the 0x00 separator sorts a term before its extensions
  absl::StatusOr<PostingKey> key = DecodePostingKey(b);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->term, "summit");
  EXPECT_EQ(key->first_doc, 300u);
  EXPECT_EQ(key->field, IndexField::kBody);
  EXPECT_TRUE(absl::string_view(a).substr(0, 8) == PostingKeyPrefix(IndexField::kBody, "summit"));
}

TEST(PostingCodecTest, MalformedInputIsAnErrorNotACrash) {
  EXPECT_FALSE(DecodePostingKey("x").ok());
  EXPECT_FALSE(DecodePostingKey(std::string("zterm\0\0\0\0\1", 10)).ok());
  std::vector<uint32_t> docs, freqs;
  EXPECT_FALSE(DecodePostingDocs("\xff\xff\xff", 0, &docs, &freqs).ok());
  EXPECT_FALSE(DecodePostingBlock(std::string("\x02\x00\x00\x01\x01", 5), 0).ok());  // 0 delta
  std::string truncated = EncodePostingBlock(0, {{0, {1, 2}}, {9, {4}}});
  truncated.pop_back();
  EXPECT_FALSE(DecodePostingBlock(truncated, 0).ok());
}

}  // namespace
}  // namespace newsdb::storage
