#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/newsctl/progress.h"

namespace newsdb::newsctl {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr int64_t kMiB = 1 << 20;

TEST(FormatEtaTest, SecondsMinutesHours) {
  EXPECT_EQ(FormatEta(absl::Seconds(0)), "0s");
  EXPECT_EQ(FormatEta(absl::Milliseconds(44200)), "45s");
  EXPECT_EQ(FormatEta(absl::Seconds(72)), "1m12s");
  EXPECT_EQ(FormatEta(absl::Seconds(2 * 3600 + 3 * 60 + 59)), "2h03m");
  EXPECT_EQ(FormatEta(absl::Seconds(-5)), "0s");
}

TEST(FormatProgressLineTest, KnownSizeShowsBarPercentRateAndEta) {
  // 25% of 100 MiB in 10 s: 30 s left at the same byte rate.
  const ProgressSample sample{.elapsed = absl::Seconds(10),
                              .bytes_read = 25 * kMiB,
                              .total_bytes = 100 * kMiB,
                              .articles_stored = 69500,
                              .errors = 0};
  const std::string line = FormatProgressLine("big.txt", sample, 100);
  // The bar takes the room the figures leave (31 columns inside, a quarter of them filled), and
  // the terminal's last column stays free.
  EXPECT_EQ(line, absl::StrCat("big.txt [=======>", std::string(23, ' '),
                               "]  25%  25.0/100.0 MiB  69,500 stored  6,950 art/s  ETA 30s"));
  EXPECT_EQ(line.size(), 99u);
  // On a wide terminal the bar stops at 40 columns.
  EXPECT_THAT(FormatProgressLine("big.txt", sample, 200),
              StartsWith(absl::StrCat("big.txt [==========>", std::string(29, ' '), "]  25%")));
}

TEST(FormatProgressLineTest, FitsNarrowTerminalsByDroppingTheBarThenTheLabel) {
  const ProgressSample sample{.elapsed = absl::Seconds(2),
                              .bytes_read = 50 * kMiB,
                              .total_bytes = 100 * kMiB,
                              .articles_stored = 1000,
                              .errors = 3};
  const std::string wide = FormatProgressLine("feed.txt", sample, 200);
  EXPECT_THAT(wide, HasSubstr("] "));
  EXPECT_THAT(wide, HasSubstr("3 errors"));
  const std::string narrow = FormatProgressLine("feed.txt", sample, 74);
  EXPECT_THAT(narrow, StartsWith("feed.txt  50%"));
  EXPECT_LT(narrow.size(), 74u);
  const std::string tiny = FormatProgressLine("a-very-long-file-name.txt", sample, 40);
  EXPECT_THAT(tiny, StartsWith(" 50%  50.0/100.0 MiB"));
}

TEST(FormatProgressLineTest, UnknownSizeOrFirstSecondLeavesOutWhatCannotBeKnown) {
  const ProgressSample pipe{.elapsed = absl::Seconds(4),
                            .bytes_read = 3 * kMiB,
                            .total_bytes = std::nullopt,
                            .articles_stored = 4000,
                            .errors = 0};
  EXPECT_EQ(FormatProgressLine("-", pipe, 100), "- 3.0 MiB  4,000 stored  1,000 art/s");
  const ProgressSample early{.elapsed = absl::Milliseconds(300),
                             .bytes_read = kMiB,
                             .total_bytes = 10 * kMiB,
                             .articles_stored = 0,
                             .errors = 0};
  const std::string line = FormatProgressLine("f", early, 100);
  EXPECT_THAT(line, HasSubstr(" 10%  1.0/10.0 MiB  0 stored"));
  EXPECT_THAT(line, Not(HasSubstr("art/s")));
  EXPECT_THAT(line, Not(HasSubstr("ETA")));
}

TEST(ProgressLineTest, RedrawsInPlaceAtMostEveryHundredMillisecondsAndErases) {
  char* data = nullptr;
  size_t size = 0;
  std::FILE* out = open_memstream(&data, &size);
  ASSERT_NE(out, nullptr);
  const absl::Time start = absl::FromUnixSeconds(1000);
  ProgressLine line(out, "f.txt", 10 * kMiB, start);
  line.Update(kMiB, 10, 0, start + absl::Milliseconds(10));
  line.Update(2 * kMiB, 20, 0, start + absl::Milliseconds(50));  // too soon: not drawn
  line.Update(3 * kMiB, 30, 0, start + absl::Milliseconds(200));
  line.Clear();
  std::fclose(out);
  const std::string written(data, size);
  std::free(data);
  EXPECT_THAT(written, StartsWith("\rf.txt ["));
  EXPECT_THAT(written, HasSubstr(" 10%  1.0/10.0 MiB  10 stored\x1b[K\rf.txt ["));
  EXPECT_THAT(written, Not(HasSubstr(" 20 stored")));
  EXPECT_THAT(written, HasSubstr(" 30%  3.0/10.0 MiB  30 stored\x1b[K"));
  EXPECT_THAT(written, testing::EndsWith("\r\x1b[K"));
}

}  // namespace
}  // namespace newsdb::newsctl
