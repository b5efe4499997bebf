#include "services/storage/posting_buffer.h"

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/testing/temp_dir.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/storage/posting_codec.h"

namespace newsdb::storage {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

std::shared_ptr<const MemSegment> Segment(
    uint32_t first, uint32_t end, const std::map<std::string, std::vector<Posting>>& terms) {
  auto segment = std::make_shared<MemSegment>();
  segment->first_doc = first;
  segment->end_doc = end;
  for (const auto& [term, postings] : terms) {  // std::map: in key order for one field
    segment->Add(EncodePostingKey(IndexField::kBody, term, postings.front().doc),
                 EncodePostingBlock(postings.front().doc, postings));
  }
  return segment;
}

class PostingBufferTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = RocksDb::Open(dir_.path() + "/db", {});
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
  }

  void PutBlock(absl::string_view term, const std::vector<Posting>& postings) {
    // As the index stores a block: documents and positions under the same key, apart.
    const std::string block = EncodePostingBlock(postings.front().doc, postings);
    absl::StatusOr<PostingBlockParts> parts = SplitPostingBlock(block);
    ASSERT_TRUE(parts.ok()) << parts.status();
    const std::string key = EncodePostingKey(IndexField::kBody, term, postings.front().doc);
    WriteBatch batch = db_->NewWriteBatch();
    batch.Put(ColumnFamily::kPostings, key, parts->docs);
    batch.Put(ColumnFamily::kPositions, key, parts->positions);
    ASSERT_TRUE(db_->Write(batch).ok());
  }

  // Every (term, document) the cursor yields over [lower, upper).
  std::vector<std::pair<std::string, uint32_t>> Read(uint32_t rocks_limit, const Segments& segments,
                                                     const std::string& lower,
                                                     const std::string& upper) {
    std::vector<std::pair<std::string, uint32_t>> out;
    for (const auto& [term, posting] : ReadPostings(rocks_limit, segments, lower, upper)) {
      out.emplace_back(term, posting.doc);
    }
    return out;
  }

  // Every (term, posting with its positions) the cursor yields over [lower, upper).
  std::vector<std::pair<std::string, Posting>> ReadPostings(uint32_t rocks_limit,
                                                            const Segments& segments,
                                                            const std::string& lower,
                                                            const std::string& upper) {
    PostingCursor cursor(*db_, nullptr, rocks_limit, segments, lower, upper);
    std::vector<std::pair<std::string, Posting>> out;
    std::string scratch;
    for (cursor.SeekToFirst(); cursor.Valid(); cursor.Next()) {
      absl::StatusOr<PostingKey> key = DecodePostingKey(cursor.key());
      EXPECT_TRUE(key.ok());
      std::vector<uint32_t> docs;
      std::vector<uint32_t> freqs;
      size_t docs_end = 0;
      EXPECT_TRUE(DecodePostingDocs(cursor.value(), key->first_doc, &docs, &freqs, &docs_end).ok());
      absl::StatusOr<absl::string_view> positions = cursor.positions(docs_end, &scratch);
      EXPECT_TRUE(positions.ok()) << positions.status();
      if (!positions.ok()) continue;
      absl::StatusOr<std::vector<Posting>> postings = DecodePostingBlock(
          absl::StrCat(cursor.value().substr(0, docs_end), *positions), key->first_doc);
      EXPECT_TRUE(postings.ok()) << postings.status();
      if (!postings.ok()) continue;
      for (Posting& posting : *postings) out.emplace_back(key->term, std::move(posting));
    }
    EXPECT_TRUE(cursor.status().ok());
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<RocksDb> db_;
};

TEST_F(PostingBufferTest, CursorMergesRocksDbAndSegmentsInKeyOrder) {
  PutBlock("grain", {{1, {0}}, {3, {2}}});
  PutBlock("wheat", {{2, {5}}});
  const Segments segments = {Segment(10, 20, {{"grain", {{11, {1}}}}, {"oats", {{12, {0}}}}}),
                             Segment(20, 30, {{"grain", {{25, {4}}}}, {"wheat", {{29, {0}}}}})};
  EXPECT_THAT(Read(10, segments, "", ""),
              ElementsAre(Pair("grain", 1), Pair("grain", 3), Pair("grain", 11), Pair("grain", 25),
                          Pair("oats", 12), Pair("wheat", 2), Pair("wheat", 29)));
  // One term's prefix range, as ReadDocs uses it.
  std::string prefix = PostingKeyPrefix(IndexField::kBody, "grain");
  std::string upper = prefix;
  upper.back() = '\x01';
  EXPECT_THAT(Read(10, segments, prefix, upper), ElementsAre(Pair("grain", 1), Pair("grain", 3),
                                                             Pair("grain", 11), Pair("grain", 25)));
}

TEST_F(PostingBufferTest, CursorSkipsRocksDbBlocksOfAFlushItsReaderStillHoldsInMemory) {
  PutBlock("grain", {{1, {0}}});
  const Segments segments = {Segment(10, 20, {{"grain", {{11, {1}}}}})};
  PutBlock("grain", {{11, {1}}});  // the flushed copy of the segment, written before it is dropped
  EXPECT_THAT(Read(10, segments, "", ""), ElementsAre(Pair("grain", 1), Pair("grain", 11)));
  EXPECT_THAT(Read(20, {}, "", ""), ElementsAre(Pair("grain", 1), Pair("grain", 11)));
}

TEST_F(PostingBufferTest, CursorReadsPositionsFromRocksDbsOwnFamilyAndFromSegments) {
  PutBlock("grain", {{1, {0, 4}}, {3, {2}}});
  const Segments segments = {Segment(10, 20, {{"grain", {{11, {1, 7, 9}}}}})};
  const std::vector<std::pair<std::string, Posting>> read = ReadPostings(10, segments, "", "");
  ASSERT_EQ(read.size(), 3u);
  EXPECT_THAT(read[0].second.positions, ElementsAre(0, 4));
  EXPECT_THAT(read[1].second.positions, ElementsAre(2));
  EXPECT_THAT(read[2].second.positions, ElementsAre(1, 7, 9));
}

TEST_F(PostingBufferTest, CursorReportsABlockWhosePositionsAreMissing) {
  WriteBatch batch = db_->NewWriteBatch();
  const std::string block = EncodePostingBlock(1, {{1, {0}}});
  absl::StatusOr<PostingBlockParts> parts = SplitPostingBlock(block);
  ASSERT_TRUE(parts.ok());
  batch.Put(ColumnFamily::kPostings, EncodePostingKey(IndexField::kBody, "grain", 1), parts->docs);
  ASSERT_TRUE(db_->Write(batch).ok());
  PostingCursor cursor(*db_, nullptr, 10, {}, "", "");
  cursor.SeekToFirst();
  ASSERT_TRUE(cursor.Valid());
  std::string scratch;
  EXPECT_EQ(cursor.positions(parts->docs.size(), &scratch).status().code(),
            absl::StatusCode::kInternal);
}

TEST_F(PostingBufferTest, MergeMakesOneBlockPerTermInKeyOrder) {
  const Segments segments = {
      Segment(10, 20, {{"grain", {{11, {1}}, {19, {0, 3}}}}, {"oats", {{12, {0}}}}}),
      Segment(20, 30, {{"grain", {{25, {4}}}}}),
      Segment(30, 31, {{"barley", {{30, {2}}}}, {"grain", {{30, {7}}}}})};
  std::vector<std::pair<std::string, std::vector<uint32_t>>> merged;
  absl::Status status =
      MergeSegments(segments, [&](absl::string_view key, absl::string_view value) {
        absl::StatusOr<PostingKey> decoded = DecodePostingKey(key);
        ASSERT_TRUE(decoded.ok());
        absl::StatusOr<std::vector<Posting>> postings =
            DecodePostingBlock(value, decoded->first_doc);
        ASSERT_TRUE(postings.ok()) << postings.status();
        std::vector<uint32_t> docs;
        for (const Posting& posting : *postings) docs.push_back(posting.doc);
        EXPECT_EQ(decoded->first_doc, docs.front());
        merged.emplace_back(decoded->term, docs);
      });
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_THAT(merged, ElementsAre(Pair("barley", ElementsAre(30)),
                                  Pair("grain", ElementsAre(11, 19, 25, 30)),
                                  Pair("oats", ElementsAre(12))));
}

TEST_F(PostingBufferTest, MergeRejectsOverlappingSegments) {
  const Segments segments = {Segment(10, 20, {{"grain", {{11, {1}}}}}),
                             Segment(15, 30, {{"grain", {{25, {4}}}}})};
  absl::Status status = MergeSegments(segments, [](absl::string_view, absl::string_view) {});
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace newsdb::storage
