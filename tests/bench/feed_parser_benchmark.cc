// Throughput of the feed parser (budget: >= 500 MB/s per core, DESIGN.md; bytes_per_second is
// per CPU second, so other load on the machine does not count against it) and of its building
// blocks, on a synthetic dump of about 50 MB that is generated in memory: real-looking articles
// of ~2.4 KB (title, credit for 80%, 3-12 paragraphs, some bullets, ~3% of words
// non-ASCII: typographic quotes and Cyrillic names).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "common/article/article_id.h"
#include "common/text/utf8.h"
#include "services/ingest/feed_parser.h"

namespace newsdb::ingest {
namespace {

constexpr size_t kDumpBytes = 50u << 20;

class Random {
 public:
  uint32_t Next() {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>(state_ >> 33);
  }
  uint32_t Below(uint32_t n) { return Next() % n; }

 private:
  uint64_t state_ = 20231123;
};

constexpr std::string_view kWords[] = {
    "the",     "of",        "and",         "Kazakhstan", "President",     "said",
    "to",      "in",        "cooperation", "government", "ministry",      "region",
    "Astana",  "Almaty",    "development", "agreement",  "project",       "a",
    "on",      "for",       "with",        "national",   "international", "economic",
    "energy",  "transport", "investment",  "was",        "will",          "has",
    "meeting", "program",   "countries",   "trade",      "water",         "summit",
    "by",      "at",        "new",         "percent",    "million",       "tenge",
    "2023",    "CSTO",      "SCO",
};
// About 3% of words are not ASCII, as in the real dumps (one non-ASCII character per 200-1500
// bytes): typographic quotes and dashes, and names in Kazakh or Russian spelling.
constexpr std::string_view kOtherWords[] = {"“quoted”",  "region’s", "—",    "Тоқаев",
                                            "Қазақстан", "Алматы",   "өңір", "Астана"};

std::string GenerateDump() {
  Random random;
  std::string dump = " date 2023-11-24 ";
  dump.reserve(kDumpBytes + 8192);
  absl::CivilMinute minute(2023, 11, 24, 18, 0);
  int64_t views = 1000;
  auto append_words = [&](int count) {
    for (int i = 0; i < count; ++i) {
      if (i > 0) dump.push_back(' ');
      if (random.Below(100) < 3) {
        dump.append(kOtherWords[random.Below(std::size(kOtherWords))]);
      } else {
        dump.append(kWords[random.Below(std::size(kWords))]);
      }
    }
  };
  while (dump.size() < kDumpBytes) {
    const absl::CivilDay day(minute);
    char header[64];
    const int length = std::snprintf(header, sizeof(header), "%02d.%02d.%04d, %02d:%02d %lld\n",
                                     day.day(), day.month(), static_cast<int>(day.year()),
                                     minute.hour(), minute.minute(), static_cast<long long>(views));
    dump.append(header, static_cast<size_t>(length));
    append_words(6 + static_cast<int>(random.Below(8)));
    dump.push_back('\n');
    if (random.Below(10) < 8) dump.append("Images | Akorda\n");
    const int paragraphs = 3 + static_cast<int>(random.Below(10));
    for (int p = 0; p < paragraphs; ++p) {
      if (random.Below(10) == 0) dump.append("- ");
      append_words(8 + static_cast<int>(random.Below(60)));
      dump.append(".\n");
    }
    minute -= 7 + static_cast<int>(random.Below(120));
    views += random.Below(500);
  }
  return dump;
}

const std::string& Dump() {
  static const std::string* const dump = new std::string(GenerateDump());
  return *dump;
}

void ParseInChunks(benchmark::State& state, size_t chunk_bytes) {
  const std::string& dump = Dump();
  FeedParserOptions options;
  options.time_zone = DefaultFeedTimeZone();
  int64_t articles = 0;
  int64_t errors = 0;
  for (auto _ : state) {
    FeedParser parser(
        options, [&articles](ParsedArticle article) { articles += !article.title.empty(); },
        [&errors](FeedRecordError) { ++errors; });
    for (size_t pos = 0; pos < dump.size(); pos += chunk_bytes) {
      parser.Consume(std::string_view(dump).substr(pos, chunk_bytes));
    }
    parser.Finish();
    benchmark::DoNotOptimize(articles);
  }
  if (errors != 0) state.SkipWithError("the synthetic dump produced record errors");
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(dump.size()));
  state.counters["articles"] = static_cast<double>(articles) / state.iterations();
  state.counters["dump_MB"] = static_cast<double>(dump.size()) / 1e6;
}

void BM_FeedParserOneChunk(benchmark::State& state) { ParseInChunks(state, Dump().size()); }
BENCHMARK(BM_FeedParserOneChunk)->Unit(benchmark::kMillisecond);

void BM_FeedParserChunks(benchmark::State& state) {
  ParseInChunks(state, static_cast<size_t>(state.range(0)));
}
BENCHMARK(BM_FeedParserChunks)->Arg(4096)->Arg(64 << 10)->Unit(benchmark::kMillisecond);

void BM_ParseFeedCollectingEverything(benchmark::State& state) {
  const std::string& dump = Dump();
  FeedParserOptions options;
  for (auto _ : state) {
    ParsedFeed feed = ParseFeed(dump, options);
    benchmark::DoNotOptimize(feed.articles.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(dump.size()));
}
BENCHMARK(BM_ParseFeedCollectingEverything)->Unit(benchmark::kMillisecond);

void BM_IsValidUtf8(benchmark::State& state) {
  const std::string& dump = Dump();
  for (auto _ : state) benchmark::DoNotOptimize(text::IsValidUtf8(dump));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(dump.size()));
}
BENCHMARK(BM_IsValidUtf8)->Unit(benchmark::kMillisecond);

void BM_ComputeArticleId(benchmark::State& state) {
  const absl::Time published = absl::FromUnixSeconds(1700656260);
  const std::string title = "Kazakhstan and Uzbekistan agree on joint program to save water";
  for (auto _ : state) benchmark::DoNotOptimize(article::ComputeArticleId(published, title));
}
BENCHMARK(BM_ComputeArticleId);

void BM_FoldCaseCyrillic(benchmark::State& state) {
  const std::string title = "ҚАЗАҚСТАН ПРЕЗИДЕНТІ ҚАСЫМ-ЖОМАРТ ТОҚАЕВ АЛМАТЫҒА КЕЛДІ";
  for (auto _ : state) benchmark::DoNotOptimize(text::FoldCase(title));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(title.size()));
}
BENCHMARK(BM_FoldCaseCyrillic);

// Optionally also a real dump: NEWSDB_BENCH_DUMP=/path/to/dump.txt (read whole into memory).
void BM_FeedParserFileFromEnvironment(benchmark::State& state, std::string content) {
  FeedParserOptions options;
  int64_t articles = 0;
  for (auto _ : state) {
    FeedParser parser(
        options, [&articles](ParsedArticle) { ++articles; }, [](FeedRecordError) {});
    parser.Consume(content);
    parser.Finish();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(content.size()));
  state.counters["articles"] = static_cast<double>(articles) / state.iterations();
}

}  // namespace
}  // namespace newsdb::ingest

int main(int argc, char** argv) {
  if (const char* path = std::getenv("NEWSDB_BENCH_DUMP"); path != nullptr) {
    std::ifstream in(path, std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!content.empty()) {
      benchmark::RegisterBenchmark("BM_FeedParserFileFromEnvironment",
                                   newsdb::ingest::BM_FeedParserFileFromEnvironment,
                                   std::move(content))
          ->Unit(benchmark::kMillisecond);
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
