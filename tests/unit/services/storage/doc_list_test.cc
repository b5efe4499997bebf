#include "services/storage/doc_list.h"

#include <algorithm>
#include <random>

#include "gtest/gtest.h"

namespace newsdb::storage {
namespace {

TEST(GallopToTest, FindsWhatLowerBoundFindsFromEveryStart) {
  std::mt19937 random(9);
  DocList list;
  for (uint32_t doc = 0; doc < 3000; ++doc) {
    if (random() % 3 == 0) list.push_back(doc);
  }
  for (size_t from = 0; from <= list.size(); from += 7) {
    for (uint32_t doc = 0; doc < 3002; doc += 5) {
      const size_t expected = static_cast<size_t>(
          std::lower_bound(list.begin() + static_cast<ptrdiff_t>(from), list.end(), doc) -
          list.begin());
      ASSERT_EQ(GallopTo(list.data(), list.size(), from, doc), expected) << from << " " << doc;
    }
  }
}

TEST(GallopToTest, EmptyAndOneElementLists) {
  const DocList one = {5};
  EXPECT_EQ(GallopTo(nullptr, 0, 0, 3), 0u);
  EXPECT_EQ(GallopTo(one.data(), 1, 0, 5), 0u);
  EXPECT_EQ(GallopTo(one.data(), 1, 0, 6), 1u);
  EXPECT_EQ(GallopTo(one.data(), 1, 1, 1), 1u);  // never moves back
}

}  // namespace
}  // namespace newsdb::storage
