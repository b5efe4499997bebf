#include "common/article/article_id.h"

#include <array>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace newsdb::article {
namespace {

absl::Time AlmatyTime(int year, int month, int day, int hour, int minute, int second = 0) {
  absl::TimeZone almaty;
  EXPECT_TRUE(absl::LoadTimeZone("Asia/Almaty", &almaty));
  return absl::FromCivil(absl::CivilSecond(year, month, day, hour, minute, second), almaty);
}

// The vectors of docs/article-id.md, also checked there against a Python reference. Changing any
// of them changes every stored id: that needs a data migration, not a test update.
TEST(ArticleIdTest, MatchesDocumentedTestVectors) {
  struct Vector {
    absl::Time published;
    std::string title;
    std::string id;
  };
  const Vector vectors[] = {
      {AlmatyTime(2023, 11, 22, 17, 31), "Majilis ratifies 4th protocol changing CSTO Charter",
       "cb50a0564ecf6899"},
      {absl::UnixEpoch(), "", "7bd3144f29c0cc9e"},
      {absl::FromUnixSeconds(-30), "Before the epoch", "fd1118d43d75fa7b"},
      {absl::FromUnixSeconds(1700471700), "Қазақстан  Президенті\u00a0ТОҚАЕВ", "4f0c5865da2d09c1"},
      {absl::FromUnixSeconds(1700471759), "Straße in ALMATY", "ee311ac44947809b"},
  };
  for (const Vector& v : vectors) {
    EXPECT_EQ(FormatArticleId(ComputeArticleId(v.published, v.title)), v.id) << v.title;
  }
}

TEST(ArticleIdTest, SecondsWithinTheMinuteDoNotChangeTheId) {
  const std::string title = "Astana hosts regional water forum";
  const ArticleId id = ComputeArticleId(AlmatyTime(2023, 11, 20, 9, 15, 0), title);
  EXPECT_EQ(ComputeArticleId(AlmatyTime(2023, 11, 20, 9, 15, 59), title), id);
  EXPECT_EQ(ComputeArticleId(AlmatyTime(2023, 11, 20, 9, 15, 30) + absl::Milliseconds(999), title),
            id);
  EXPECT_NE(ComputeArticleId(AlmatyTime(2023, 11, 20, 9, 16, 0), title), id);
  EXPECT_NE(ComputeArticleId(AlmatyTime(2023, 11, 20, 9, 14, 59), title), id);
}

TEST(ArticleIdTest, UsesTheUtcMinuteWhateverTheZoneOfTheInput) {
  absl::TimeZone tehran;
  ASSERT_TRUE(absl::LoadTimeZone("Asia/Tehran", &tehran));
  // 17:31 in Almaty (UTC+6) is 11:31 UTC is 15:01 in Tehran (UTC+3:30).
  const absl::Time from_tehran = absl::FromCivil(absl::CivilSecond(2023, 11, 22, 15, 1, 0), tehran);
  EXPECT_EQ(ComputeArticleId(from_tehran, "Same story"),
            ComputeArticleId(AlmatyTime(2023, 11, 22, 17, 31), "Same story"));
}

TEST(ArticleIdTest, TitleCaseAndWhitespaceDoNotChangeTheId) {
  const absl::Time t = AlmatyTime(2023, 11, 9, 21, 9);
  const ArticleId id = ComputeArticleId(t, "Kazakh, Russian Presidents sign documents");
  EXPECT_EQ(ComputeArticleId(t, "KAZAKH, RUSSIAN PRESIDENTS SIGN DOCUMENTS"), id);
  EXPECT_EQ(ComputeArticleId(t, "  kazakh,  russian\tpresidents\u00a0sign documents \r"), id);
  EXPECT_EQ(ComputeArticleId(t, "Kazakh,\u2009Russian\u3000Presidents sign documents"), id);
  EXPECT_NE(ComputeArticleId(t, "Kazakh, Russian Presidents sign document"), id);
  EXPECT_NE(ComputeArticleId(t, "Kazakh,Russian Presidents sign documents"), id);
}

TEST(ArticleIdTest, NormalizeTitleTrimsCollapsesAndFolds) {
  EXPECT_EQ(NormalizeTitle("  Tokayev\u00a0receives  KAZAKH   delegation "),
            "tokayev receives kazakh delegation");
  EXPECT_EQ(NormalizeTitle("ШЫМКЕНТ\u202fжәне\u2003Түркістан"), "шымкент және түркістан");
  EXPECT_EQ(NormalizeTitle("\u200bZero width stays"), "\u200bzero width stays");
  EXPECT_EQ(NormalizeTitle(" \t\u00a0 "), "");
  EXPECT_EQ(NormalizeTitle("bad \xFF byte"), "bad \uFFFD byte");
}

TEST(ArticleIdTest, UnixMinuteRoundsDown) {
  EXPECT_EQ(UnixMinute(absl::UnixEpoch()), 0);
  EXPECT_EQ(UnixMinute(absl::FromUnixSeconds(59)), 0);
  EXPECT_EQ(UnixMinute(absl::FromUnixSeconds(60)), 1);
  EXPECT_EQ(UnixMinute(absl::FromUnixSeconds(-1)), -1);
  EXPECT_EQ(UnixMinute(absl::FromUnixSeconds(-60)), -1);
  EXPECT_EQ(UnixMinute(absl::FromUnixSeconds(-61)), -2);
  EXPECT_EQ(UnixMinute(absl::UnixEpoch() - absl::Milliseconds(1)), -1);
  EXPECT_EQ(UnixMinute(absl::FromUnixSeconds(1700656260)), 28344271);
  // Infinite times saturate instead of overflowing.
  EXPECT_GT(UnixMinute(absl::InfiniteFuture()), 0);
  EXPECT_LT(UnixMinute(absl::InfinitePast()), 0);
}

TEST(ArticleIdTest, FormatAndParseRoundTrip) {
  for (const ArticleId id : {ArticleId{0}, ArticleId{0x1f}, ArticleId{0x0123456789abcdef},
                             ~ArticleId{0}, ComputeArticleId(absl::UnixEpoch(), "x")}) {
    const std::string text = FormatArticleId(id);
    EXPECT_EQ(text.size(), 16u);
    const absl::StatusOr<ArticleId> parsed = ParseArticleId(text);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, id);
  }
  EXPECT_EQ(FormatArticleId(0x1f), "000000000000001f");
  EXPECT_EQ(FormatArticleId(~ArticleId{0}), "ffffffffffffffff");
}

TEST(ArticleIdTest, ParseRejectsAnythingButSixteenLowercaseHexDigits) {
  for (const std::string& text : std::vector<std::string>{
           "", "0", "000000000000001", "00000000000000001", "000000000000001F", "0x0000000000001f",
           " 000000000000001f", "000000000000001f ", "00000000000000g1", "+00000000000001f",
           "-00000000000001f", std::string("000000000000001\0", 16)}) {
    const absl::StatusOr<ArticleId> parsed = ParseArticleId(text);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << text;
  }
}

TEST(ArticleIdTest, LowBitsSpreadEvenlyOverShards) {
  // Shards route by id % N; ids of consecutive minutes and near-identical titles must not clump.
  constexpr int kShards = 8;
  constexpr int kArticles = 8000;
  std::array<int, kShards> per_shard{};
  std::set<ArticleId> ids;
  for (int i = 0; i < kArticles; ++i) {
    const ArticleId id = ComputeArticleId(absl::FromUnixSeconds(1700000000 + 60 * (i / 4)),
                                          "Daily briefing " + std::to_string(i % 4));
    ++per_shard[id % kShards];
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kArticles));
  for (const int count : per_shard) {
    EXPECT_GT(count, kArticles / kShards * 8 / 10);
    EXPECT_LT(count, kArticles / kShards * 12 / 10);
  }
}

}  // namespace
}  // namespace newsdb::article
