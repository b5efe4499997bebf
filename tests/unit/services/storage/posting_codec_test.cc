#include "services/storage/posting_codec.h"

#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
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

TEST(PostingCodecTest, JoinedBlocksEqualOneBlockOfAllPostings) {
  const std::vector<Posting> first = {{10, {0, 4}}, {12, {7}}};
  const std::vector<Posting> second = {{40, {1, 2, 3}}};
  const std::vector<Posting> third = {{41, {9}}, {900, {0, 300}}};
  const std::string a = EncodePostingBlock(10, first);
  const std::string b = EncodePostingBlock(35, second);  // a key's number may precede its docs
  const std::string c = EncodePostingBlock(41, third);
  absl::StatusOr<std::string> joined = ConcatPostingBlocks({{10, a}, {35, b}, {41, c}});
  ASSERT_TRUE(joined.ok()) << joined.status();
  std::vector<Posting> all = first;
  all.insert(all.end(), second.begin(), second.end());
  all.insert(all.end(), third.begin(), third.end());
  EXPECT_EQ(*joined, EncodePostingBlock(10, all));
  absl::StatusOr<std::vector<Posting>> decoded = DecodePostingBlock(*joined, 10);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_EQ(decoded->size(), 5u);
  EXPECT_EQ((*decoded)[4].doc, 900u);
  EXPECT_THAT((*decoded)[2].positions, ::testing::ElementsAre(1, 2, 3));
}

TEST(PostingCodecTest, JoiningOverlappingOrBrokenBlocksIsAnError) {
  const std::string a = EncodePostingBlock(10, {{10, {0}}, {20, {1}}});
  const std::string b = EncodePostingBlock(15, {{15, {0}}});
  EXPECT_FALSE(ConcatPostingBlocks({{10, a}, {15, b}}).ok());  // 15 is not after 20
  EXPECT_FALSE(ConcatPostingBlocks({{15, b}, {10, a}}).ok());  // out of order
  EXPECT_FALSE(ConcatPostingBlocks({}).ok());
  EXPECT_FALSE(ConcatPostingBlocks({{10, a}, {30, "\xff"}}).ok());
}

}  // namespace
}  // namespace newsdb::storage

namespace newsdb::storage {
namespace {

TEST(PostingCodecTest, SplitBlockPartsAreTheDocumentsThenThePositions) {
  const std::vector<Posting> postings = {{3, {0, 200}}, {900, {5}}};
  const std::string block = EncodePostingBlock(0, postings);
  absl::StatusOr<PostingBlockParts> parts = SplitPostingBlock(block);
  ASSERT_TRUE(parts.ok()) << parts.status();
  EXPECT_EQ(absl::StrCat(parts->docs, parts->positions), block);
  std::vector<uint32_t> docs;
  std::vector<uint32_t> freqs;
  size_t docs_end = 0;
  ASSERT_TRUE(DecodePostingDocs(parts->docs, 0, &docs, &freqs, &docs_end).ok());
  EXPECT_THAT(docs, ::testing::ElementsAre(3, 900));
  EXPECT_THAT(freqs, ::testing::ElementsAre(2, 1));
  EXPECT_EQ(docs_end, parts->docs.size());
  // The documents part alone splits into itself and no positions.
  absl::StatusOr<PostingBlockParts> again = SplitPostingBlock(parts->docs);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->positions.empty());
  EXPECT_FALSE(SplitPostingBlock(block.substr(0, 2)).ok());
}

TEST(PostingCodecTest, SkippingVarintsLandsWhereReadingThemWould) {
  std::mt19937 random(3);
  std::string bytes;
  std::vector<size_t> starts;  // where each varint starts, then the end
  for (int i = 0; i < 300; ++i) {
    starts.push_back(bytes.size());
    const int bits = static_cast<int>(random() % 40);
    AppendVarint(bits == 0 ? 0 : random() % (uint64_t{1} << bits), &bytes);
  }
  starts.push_back(bytes.size());
  for (size_t from = 0; from < 300; from += 7) {
    for (size_t count = 0; from + count <= 300; count += 1 + count / 3) {
      size_t pos = starts[from];
      ASSERT_TRUE(SkipVarints(bytes, &pos, count)) << from << " " << count;
      EXPECT_EQ(pos, starts[from + count]) << from << " " << count;
    }
    size_t pos = starts[from];
    EXPECT_FALSE(SkipVarints(bytes, &pos, 301 - from)) << from;
  }
  uint64_t value = 0;
  size_t pos = 0;
  const std::string truncated = "\x80\x80";
  EXPECT_FALSE(ReadVarint(truncated, &pos, &value));
  pos = 0;
  EXPECT_TRUE(ReadVarint(std::string("\x7f"), &pos, &value));
  EXPECT_EQ(value, 127u);
}

}  // namespace
}  // namespace newsdb::storage
