#include "services/storage/bm25_scorer.h"

#include <algorithm>
#include <cmath>
#include <random>
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
  const Bm25Scorer scorer({4, values.length_sums(), {}}, values, leaves);
  // Averages: title 20/4 = 5, body 1000/4 = 250, credit 4/4 = 1.
  auto part = [](double tf, double length, double average, double weight) {
    return weight * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * length / average));
  };
  const double idf = std::log(1 + 2.5 / 2.5);
  EXPECT_DOUBLE_EQ(scorer.LeafScore(0, 0), idf * (part(1, 4, 5, 2.5) + part(3, 100, 250, 1)));
  EXPECT_DOUBLE_EQ(scorer.LeafScore(0, 2), idf * (part(2, 200, 250, 1) + part(1, 2, 1, 0.5)));
  EXPECT_EQ(scorer.LeafScore(0, 1), 0);
}

TEST_F(Bm25ScorerTest, StatisticsOfAllShardsReplaceTheLocalOnes) {
  // A shard of a larger collection scores with the collection's documents, lengths and
  // frequencies (summed over the shards), taken by the leaf's ordinal in the tree.
  const DocValuesView values = store_.Capture(4, 1);
  LeafMatches leaf;
  leaf.fields = {Field(IndexField::kBody, {0, 2}, {3, 2})};
  leaf.documents = 2;
  leaf.ordinal = 1;
  const std::vector<LeafMatches> leaves = {leaf};
  const Bm25Scorer global({40, {200, 5000, 40}, {7, 30}}, values, leaves);
  auto part = [](double tf, double length, double average) {
    return tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * length / average));
  };
  // Body average 5000/40 = 125; idf from 30 of 40 documents (ordinal 1), not 2 of 4.
  EXPECT_DOUBLE_EQ(global.LeafScore(0, 0), Bm25Scorer::Idf(40, 30) * part(3, 100, 125));
  const Bm25Scorer local({4, values.length_sums(), {}}, values, leaves);
  EXPECT_DOUBLE_EQ(local.LeafScore(0, 0), Bm25Scorer::Idf(4, 2) * part(3, 100, 250));
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
  const Bm25Scorer scorer({4, values.length_sums(), {}}, values, leaves);
  const DocList docs = {0, 1, 2, 3};
  const std::vector<double> all = scorer.ScoreAll(docs);
  ASSERT_EQ(all.size(), 4u);
  for (size_t i = 0; i < docs.size(); ++i) EXPECT_EQ(all[i], scorer.Score(docs[i])) << i;
  EXPECT_EQ(all[1], scorer.LeafScore(0, 1) + scorer.LeafScore(1, 1));
  EXPECT_EQ(scorer.ScoreAll({2})[0], scorer.LeafScore(1, 2));
  EXPECT_EQ(scorer.ScoreAll({1, 3})[1], all[3]);
  EXPECT_GT(all[1], all[0]);
}

// A random leaf over documents [0, documents): each field holds a document with probability
// `density`, with a frequency in 1..max_tf.
LeafMatches RandomLeaf(std::mt19937& random, uint32_t documents, double density, uint32_t max_tf) {
  LeafMatches leaf;
  std::bernoulli_distribution holds(density);
  std::uniform_int_distribution<uint32_t> tf(1, max_tf);
  std::vector<bool> any(documents, false);
  for (IndexField field : {IndexField::kTitle, IndexField::kBody, IndexField::kCredit}) {
    FieldMatches matches{field, {}, {}};
    for (uint32_t doc = 0; doc < documents; ++doc) {
      if (!holds(random)) continue;
      matches.docs.push_back(doc);
      matches.freqs.push_back(tf(random));
      any[doc] = true;
    }
    if (!matches.docs.empty()) leaf.fields.push_back(std::move(matches));
  }
  for (bool hit : any) leaf.documents += hit ? 1 : 0;
  return leaf;
}

TEST(Bm25ListBoundTest, NoDocumentScoresAboveTheBoundsOfTheListsHoldingIt) {
  std::mt19937 random(11);
  constexpr uint32_t kDocuments = 5 * kWindowDocs + 17;
  DocValueStore store;
  std::uniform_int_distribution<uint32_t> length(0, 600);
  for (uint32_t doc = 0; doc < kDocuments; ++doc) {
    store.Add(doc, Lengths(doc + 1, length(random) % 20, length(random), length(random) % 4), 1);
  }
  const DocValuesView values = store.Capture(kDocuments, 1);
  // A common, a rare and a repeated word: their bounds differ.
  const std::vector<LeafMatches> leaves = {RandomLeaf(random, kDocuments, 0.5, 9),
                                           RandomLeaf(random, kDocuments, 0.02, 3),
                                           RandomLeaf(random, kDocuments, 0.2, 30)};
  const Bm25Scorer scorer({kDocuments, values.length_sums(), {}}, values, leaves);
  const std::vector<Bm25Scorer::ListBound> bounds = scorer.ListBounds();
  ASSERT_EQ(bounds.size(), 9u);  // three fields of three leaves
  for (size_t j = 1; j < bounds.size(); ++j) EXPECT_GE(bounds[j - 1].bound, bounds[j].bound);
  // The rare word's lists come first: its idf outweighs the others' frequencies.
  EXPECT_EQ(bounds[0].leaf, 1u);
  DocList docs(kDocuments);
  for (uint32_t doc = 0; doc < kDocuments; ++doc) docs[doc] = doc;
  const std::vector<double> scores = scorer.ScoreAll(docs);
  double highest = 0;
  for (uint32_t doc = 0; doc < kDocuments; ++doc) {
    double sum = 0;
    for (const Bm25Scorer::ListBound& bound : bounds) {
      const DocList& list = scorer.list(bound).docs;
      if (std::binary_search(list.begin(), list.end(), doc)) sum += bound.bound;
    }
    ASSERT_LE(scores[doc], sum) << doc;
    if (sum > 0) highest = std::max(highest, scores[doc] / sum);
  }
  // Tight enough that some document comes close to its bound.
  EXPECT_GT(highest, 0.5);
}

TEST(Bm25ScorerSliceTest, ScoringASliceGivesTheBitsOfScoringAll) {
  std::mt19937 random(5);
  constexpr uint32_t kDocuments = 30000;
  DocValueStore store;
  for (uint32_t doc = 0; doc < kDocuments; ++doc) {
    store.Add(doc, Lengths(doc + 1, 1 + doc % 13, 40 + doc % 300, doc % 3), 1);
  }
  const DocValuesView values = store.Capture(kDocuments, 1);
  // Lists long enough that the norms come from tables.
  const std::vector<LeafMatches> leaves = {RandomLeaf(random, kDocuments, 0.6, 5),
                                           RandomLeaf(random, kDocuments, 0.1, 2)};
  const Bm25Scorer scorer({kDocuments, values.length_sums(), {}}, values, leaves);
  DocList docs;
  for (uint32_t doc = 0; doc < kDocuments; doc += 3) docs.push_back(doc);
  const std::vector<double> all = scorer.ScoreAll(docs);
  std::vector<double> slice(50);
  scorer.ScoreInto(docs.data() + 100, slice.size(), slice.data());
  for (size_t i = 0; i < slice.size(); ++i) {
    EXPECT_EQ(slice[i], all[100 + i]) << i;
    EXPECT_EQ(slice[i], scorer.Score(docs[100 + i])) << i;
  }
}

}  // namespace
}  // namespace newsdb::storage
