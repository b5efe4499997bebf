#include "services/storage/bm25_scorer.h"

#include <cmath>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace newsdb::storage {
namespace {

DocValues Lengths(article::ArticleId id, uint32_t title, uint32_t body, uint32_t credit) {
  DocValues values;
  values.id = id;
  values.title_length = title;
  values.body_length = body;
  values.credit_length = credit;
  return values;
}

class Bm25ScorerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_.Add(0, Lengths(1, 4, 100, 1), 1);
    store_.Add(1, Lengths(2, 8, 300, 0), 1);
    store_.Add(2, Lengths(3, 6, 200, 2), 1);
    store_.Add(3, Lengths(4, 2, 400, 1), 1);
  }

  DocValueStore store_;
};

TEST_F(Bm25ScorerTest, IdfFallsAsMoreDocumentsHoldTheTerm) {
  EXPECT_DOUBLE_EQ(Bm25Scorer::Idf(100, 1), std::log(1 + 99.5 / 1.5));
  EXPECT_GT(Bm25Scorer::Idf(100, 1), Bm25Scorer::Idf(100, 10));
  EXPECT_GT(Bm25Scorer::Idf(100, 100), 0);  // never negative, unlike classic BM25
}

FieldMatches Field(IndexField field, DocList docs, std::vector<uint32_t> freqs) {
  return {field, std::move(docs), std::move(freqs)};
}

TEST_F(Bm25ScorerTest, ALeafScoresEachFieldWithItsLengthAndWeight) {
  const DocValuesView values = store_.Capture(4, 1);
  LeafMatches leaf;
  leaf.fields = {Field(IndexField::kTitle, {0}, {1}), Field(IndexField::kBody, {0, 2}, {3, 2}),
                 Field(IndexField::kCredit, {2}, {1})};
  leaf.documents = 2;
  const std::vector<LeafMatches> leaves = {leaf};
  const Bm25Scorer scorer({4, values.length_sums()}, values, leaves);
  // Averages: title 20/4 = 5, body 1000/4 = 250, credit 4/4 = 1.
  auto part = [](double tf, double length, double average, double weight) {
    return weight * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * length / average));
  };
  const double idf = std::log(1 + 2.5 / 2.5);
  EXPECT_DOUBLE_EQ(scorer.LeafScore(0, 0), idf * (part(1, 4, 5, 2.5) + part(3, 100, 250, 1)));
  EXPECT_DOUBLE_EQ(scorer.LeafScore(0, 2), idf * (part(2, 200, 250, 1) + part(1, 2, 1, 0.5)));
  EXPECT_EQ(scorer.LeafScore(0, 1), 0);
}

TEST_F(Bm25ScorerTest, ScoringAllAtOnceGivesTheSameBitsAsOneByOne) {
  const DocValuesView values = store_.Capture(4, 1);
  LeafMatches a;
  a.fields = {Field(IndexField::kTitle, {0, 3}, {1, 2}), Field(IndexField::kBody, {1, 3}, {5, 1}),
              Field(IndexField::kCredit, {3}, {1})};
  a.documents = 3;
  LeafMatches b;
  b.fields = {Field(IndexField::kTitle, {1, 2}, {1, 1}), Field(IndexField::kBody, {1}, {2})};
  b.documents = 2;
  const std::vector<LeafMatches> leaves = {a, b};
  const Bm25Scorer scorer({4, values.length_sums()}, values, leaves);
  const DocList docs = {0, 1, 2, 3};
  const std::vector<double> all = scorer.ScoreAll(docs);
  ASSERT_EQ(all.size(), 4u);
  for (size_t i = 0; i < docs.size(); ++i) EXPECT_EQ(all[i], scorer.Score(docs[i])) << i;
  EXPECT_EQ(all[1], scorer.LeafScore(0, 1) + scorer.LeafScore(1, 1));
  EXPECT_EQ(scorer.ScoreAll({2})[0], scorer.LeafScore(1, 2));
  EXPECT_EQ(scorer.ScoreAll({1, 3})[1], all[3]);
  EXPECT_GT(all[1], all[0]);
}

}  // namespace
}  // namespace newsdb::storage
