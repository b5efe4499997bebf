#include "tools/bench/query_mix.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace newsdb::bench {
namespace {

using Clock = std::chrono::steady_clock;

// Sums of every answer, so no engine call can be optimized away.
std::atomic<int64_t> g_answer_bytes{0};

absl::TimeZone AlmatyZone() {
  absl::TimeZone zone;
  if (!absl::LoadTimeZone("Asia/Almaty", &zone)) zone = absl::UTCTimeZone();
  return zone;
}

// The word of 0-based rank `rank` (clamped to the vocabulary).
const std::string& Word(const Vocabulary& vocabulary, size_t rank) {
  return vocabulary.words[std::min(rank, vocabulary.words.size() - 1)];
}

BenchQuery AllOf(std::vector<std::string> words) {
  BenchQuery q;
  q.kind = MatchKind::kAllOf;
  q.newsdb_query = absl::StrJoin(words, " ");
  q.words = std::move(words);
  return q;
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(values.size())));
  return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

struct ClassStats {
  std::vector<double> latencies_ms;
  double total_hits = 0;
  int64_t errors = 0;
  std::string first_error;
};

}  // namespace

bool ReadVocabulary(const std::string& path, Vocabulary& vocabulary, std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = absl::StrCat("cannot read the vocabulary file ", path);
    return false;
  }
  std::string line;
  while (std::getline(in, line)) {
    std::vector<absl::string_view> parts = absl::StrSplit(line, absl::MaxSplits('\t', 1));
    if (parts.size() != 2 || parts[1].empty()) continue;
    std::string text(parts[1]);
    if (parts[0] == "word") {
      vocabulary.words.push_back(std::move(text));
    } else if (parts[0] == "phrase") {
      vocabulary.phrases.push_back(std::move(text));
    } else if (parts[0] == "name") {
      vocabulary.names.push_back(std::move(text));
    } else if (parts[0] == "credit") {
      vocabulary.credits.push_back(std::move(text));
    }
  }
  for (const std::string& name : vocabulary.names) {
    if (name.find_first_of(" -") != std::string::npos) vocabulary.multiword_names.push_back(name);
  }
  if (vocabulary.words.size() >= 20000 && vocabulary.phrases.size() >= 10 &&
      vocabulary.multiword_names.size() >= 10 && !vocabulary.credits.empty()) {
    return true;
  }
  error = absl::StrCat(path,
                       ": need at least 20,000 words, 10 phrases, 10 names of several words and "
                       "a credit (tools/gen_corpus.py --print-vocabulary)");
  return false;
}

bool ParseMixKind(const std::string& text, MixKind& kind) {
  if (text == "standard") {
    kind = MixKind::kStandard;
  } else if (text == "plain") {
    kind = MixKind::kPlain;
  } else {
    return false;
  }
  return true;
}

const char* MixKindName(MixKind kind) { return kind == MixKind::kPlain ? "plain" : "standard"; }

std::vector<QueryClass> BuildMix(const Vocabulary& v, absl::Time oldest, absl::Time newest,
                                 MixKind kind, int page_size) {
  const absl::TimeZone zone = AlmatyZone();
  const bool plain = kind == MixKind::kPlain;
  if (page_size <= 0) page_size = plain ? 10 : 20;
  std::vector<QueryClass> mix;
  auto add = [&](std::string name, auto make) {
    QueryClass c{std::move(name), {}};
    for (int i = 0; i < kVariants; ++i) {
      BenchQuery query = make(static_cast<size_t>(i));
      query.page_size = page_size;
      query.basic_view = plain;
      c.variants.push_back(std::move(query));
    }
    mix.push_back(std::move(c));
  };
  add("single common term", [&](size_t i) { return AllOf({Word(v, i)}); });
  add("rare term", [&](size_t i) { return AllOf({Word(v, 19990 + i)}); });
  add("2-term AND", [&](size_t i) { return AllOf({Word(v, 100 + 7 * i), Word(v, 300 + 37 * i)}); });
  add("3-term AND", [&](size_t i) {
    return AllOf({Word(v, 30 + 5 * i), Word(v, 150 + 11 * i), Word(v, 600 + 53 * i)});
  });
  add("phrase", [&](size_t i) {
    BenchQuery q;
    q.kind = MatchKind::kPhrase;
    q.phrase = i % 2 == 0 ? v.phrases[i / 2] : v.multiword_names[i / 2];
    q.newsdb_query = absl::StrCat("\"", q.phrase, "\"");
    return q;
  });
  add("term + one-month range", [&](size_t i) {
    BenchQuery q = AllOf({Word(v, 60 + 3 * i)});
    const absl::Duration span = newest - oldest;
    const absl::Time at = oldest + span * ((static_cast<double>(i) + 0.5) / kVariants);
    const absl::CivilMonth month(absl::ToCivilSecond(at, zone));
    q.published_start = absl::ToUnixSeconds(absl::FromCivil(month, zone));
    q.published_end = absl::ToUnixSeconds(absl::FromCivil(month + 1, zone));
    return q;
  });
  add("term + credit filter", [&](size_t i) {
    BenchQuery q = AllOf({Word(v, 40 + 3 * i)});
    q.credit = v.credits[i % std::min<size_t>(5, v.credits.size())];
    return q;
  });
  add("newest first", [&](size_t i) {
    BenchQuery q = AllOf({Word(v, 20 + i)});
    q.sort = SortKind::kNewest;
    return q;
  });
  add("most viewed", [&](size_t i) {
    BenchQuery q = AllOf({Word(v, 25 + i)});
    q.sort = SortKind::kMostViewed;
    return q;
  });
  add("BM25 OR of 3 terms", [&](size_t i) {
    BenchQuery q;
    q.kind = MatchKind::kAnyOf;
    q.words = {Word(v, 200 + 13 * i), Word(v, 700 + 29 * i), Word(v, 2000 + 97 * i)};
    q.newsdb_query = absl::StrJoin(q.words, " OR ");
    return q;
  });
  add("term + credit facet", [&](size_t i) {
    BenchQuery q = AllOf({Word(v, 80 + i)});
    q.credit_facet = true;
    q.facet_top = 10;
    return q;
  });
  for (size_t c = 0; !plain && c < mix.size(); c += 2) {  // highlight on for every other class
    for (BenchQuery& query : mix[c].variants) query.highlight = true;
  }
  return mix;
}

std::string Describe(const BenchQuery& q) {
  std::string out = absl::StrCat("`", q.newsdb_query, "`");
  if (q.published_start.has_value()) {
    absl::StrAppend(
        &out, ", published in ",
        absl::FormatTime("%Y-%m", absl::FromUnixSeconds(*q.published_start), AlmatyZone()),
        " (Asia/Almaty)");
  }
  if (q.credit.has_value()) absl::StrAppend(&out, ", credit `", *q.credit, "`");
  if (q.sort == SortKind::kNewest) absl::StrAppend(&out, ", sort NEWEST");
  if (q.sort == SortKind::kMostViewed) absl::StrAppend(&out, ", sort MOST_VIEWED");
  if (q.credit_facet) absl::StrAppend(&out, ", facets CREDIT");
  if (q.highlight) absl::StrAppend(&out, ", highlight");
  return out;
}

bool ForEachCorpusArticle(const std::string& dir,
                          const std::function<void(const ingest::ParsedArticle&)>& sink,
                          CorpusStats& stats, std::string& error) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file() && it->path().extension() == ".txt") files.push_back(it->path());
  }
  if (ec) {
    error = absl::StrCat("cannot list ", dir, ": ", ec.message());
    return false;
  }
  if (files.empty()) {
    error = absl::StrCat(dir, " holds no *.txt dump");
    return false;
  }
  std::sort(files.begin(), files.end());
  ingest::FeedParserOptions options;
  options.time_zone = AlmatyZone();
  std::unordered_set<uint64_t> seen;
  std::string content;
  for (const fs::path& path : files) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      error = absl::StrCat("cannot read ", path.string());
      return false;
    }
    content.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    ++stats.files;
    stats.bytes += static_cast<int64_t>(content.size());
    ingest::FeedParser parser(
        options,
        [&](const ingest::ParsedArticle& article) {
          if (!seen.insert(article.id).second) {
            ++stats.duplicates;
            return;
          }
          ++stats.articles;
          stats.oldest = std::min(stats.oldest, article.published);
          stats.newest = std::max(stats.newest, article.published);
          sink(article);
        },
        [&](const ingest::FeedRecordError&) { ++stats.errors; });
    parser.Consume(content);
    parser.Finish();
  }
  return true;
}

namespace {

struct LoadWindow {
  Clock::time_point measure_from;  // calls that start earlier are warm-up
  Clock::time_point stop;          // no call starts after, and one that ends after is not counted
};

// One client: walks the classes round-robin, starting at class `offset`, until the window ends.
void RunClient(const std::vector<QueryClass>& mix, size_t offset, const LoadWindow& window,
               Searcher& searcher, std::vector<ClassStats>& stats) {
  const size_t nclasses = mix.size();
  int64_t sink = 0;
  for (size_t n = offset;; ++n) {
    const size_t c = n % nclasses;
    const BenchQuery& query = mix[c].variants[(n / nclasses) % mix[c].variants.size()];
    const Clock::time_point before = Clock::now();
    if (before >= window.stop) break;
    SearchOutcome outcome;
    std::string failure;
    try {
      outcome = searcher.Search(query);
    } catch (const std::exception& e) {
      failure = e.what();
      if (failure.empty()) failure = "unknown error";
    }
    const Clock::time_point after = Clock::now();
    sink += outcome.snippet_bytes + outcome.hits;
    if (before < window.measure_from || after > window.stop) continue;  // warm-up or cut
    ClassStats& s = stats[c];
    if (!failure.empty()) {
      if (s.errors++ == 0) s.first_error = failure;
      continue;
    }
    s.latencies_ms.push_back(std::chrono::duration<double, std::milli>(after - before).count());
    s.total_hits += static_cast<double>(outcome.total_hits);
  }
  g_answer_bytes += sink;
}

// Prints the mix and one row per class and overall; 0 if every call succeeded and some ran.
int PrintLoadReport(const std::vector<QueryClass>& mix, const LoadOptions& options, int clients,
                    const std::vector<std::vector<ClassStats>>& per_client) {
  const double seconds = absl::ToDoubleSeconds(options.duration);
  std::cout << "Query mix (" << kVariants << " variants per class, used in turn; first shown):\n\n"
            << "| class | first variant |\n|---|---|\n";
  for (const QueryClass& c : mix) {
    std::cout << "| " << c.name << " | " << Describe(c.variants[0]) << " |\n";
  }
  std::cout << absl::StrFormat(
      "\nResults: %d client(s), %s measured after %s warm-up, page_size %d, %s:\n\n", clients,
      absl::FormatDuration(options.duration), absl::FormatDuration(options.warmup),
      mix.empty() || mix[0].variants.empty() ? 20 : mix[0].variants[0].page_size, options.target);
  std::cout << "| class | calls | p50 ms | p99 ms | QPS | mean total_hits | errors |\n"
            << "|---|---:|---:|---:|---:|---:|---:|\n";
  std::vector<double> all;
  int64_t all_errors = 0;
  for (size_t c = 0; c < mix.size(); ++c) {
    ClassStats merged;
    for (const auto& stats : per_client) {
      const ClassStats& s = stats[c];
      merged.latencies_ms.insert(merged.latencies_ms.end(), s.latencies_ms.begin(),
                                 s.latencies_ms.end());
      merged.total_hits += s.total_hits;
      merged.errors += s.errors;
      if (merged.first_error.empty()) merged.first_error = s.first_error;
    }
    const double calls = static_cast<double>(merged.latencies_ms.size());
    std::cout << absl::StrFormat("| %s | %d | %.2f | %.2f | %.1f | %.0f | %d |\n", mix[c].name,
                                 merged.latencies_ms.size(), Percentile(merged.latencies_ms, 0.5),
                                 Percentile(merged.latencies_ms, 0.99), calls / seconds,
                                 calls > 0 ? merged.total_hits / calls : 0.0, merged.errors);
    if (merged.errors > 0) {
      std::cerr << "bench: " << mix[c].name << ": " << merged.errors
                << " failed calls, first: " << merged.first_error << "\n";
    }
    all.insert(all.end(), merged.latencies_ms.begin(), merged.latencies_ms.end());
    all_errors += merged.errors;
  }
  std::cout << absl::StrFormat("| **overall** | %d | %.2f | %.2f | %.1f | | %d |\n", all.size(),
                               Percentile(all, 0.5), Percentile(all, 0.99),
                               static_cast<double>(all.size()) / seconds, all_errors);
  std::cout.flush();
  return all_errors == 0 && !all.empty() ? 0 : 1;
}

}  // namespace

int RunLoad(const std::vector<QueryClass>& mix, const LoadOptions& options,
            const std::function<std::unique_ptr<Searcher>()>& make) {
  const int clients = std::max(1, options.clients);
  const Clock::time_point measure_from = Clock::now() + absl::ToChronoNanoseconds(options.warmup);
  const LoadWindow window{measure_from, measure_from + absl::ToChronoNanoseconds(options.duration)};

  std::vector<std::vector<ClassStats>> per_client(clients, std::vector<ClassStats>(mix.size()));
  std::vector<std::string> setup_errors(clients);
  std::vector<std::thread> threads;
  threads.reserve(static_cast<size_t>(clients));
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&, t] {
      std::unique_ptr<Searcher> searcher;
      try {
        searcher = make();
      } catch (const std::exception& e) {
        setup_errors[static_cast<size_t>(t)] = e.what();
        return;
      }
      RunClient(mix, static_cast<size_t>(t), window, *searcher, per_client[static_cast<size_t>(t)]);
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::string& e : setup_errors) {
    if (!e.empty()) {
      std::cerr << "bench: a client could not start: " << e << "\n";
      return 1;
    }
  }
  return PrintLoadReport(mix, options, clients, per_client);
}

int RunCheck(const std::vector<QueryClass>& mix, Searcher& searcher, bool show_hits,
             const std::string& dump_path) {
  std::vector<std::string> examples;
  std::ofstream dump;
  if (!dump_path.empty()) {
    dump.open(dump_path);
    if (!dump) {
      std::cerr << "bench: cannot write " << dump_path << "\n";
      return 1;
    }
  }
  std::cout << "Every variant once (mean total_hits over the " << kVariants
            << " variants, each counted once):\n\n"
            << "| class | first variant | its total_hits | mean total_hits | ms for all "
               "variants |\n|---|---|---:|---:|---:|\n";
  int failed = 0;
  for (const QueryClass& c : mix) {
    double sum = 0;
    int64_t first = -1;
    const Stopwatch stopwatch;
    for (size_t v = 0; v < c.variants.size(); ++v) {
      const BenchQuery& query = c.variants[v];
      try {
        const SearchOutcome outcome = searcher.Search(query);
        if (dump.is_open()) {
          dump << c.name << '\t' << v << '\t' << Describe(query) << '\t' << outcome.total_hits
               << '\n';
        }
        sum += static_cast<double>(outcome.total_hits);
        if (first < 0) {
          first = outcome.total_hits;
          examples.push_back(
              absl::StrCat("- ", c.name, " (", Describe(query),
                           "): ", outcome.first_hit.empty() ? "no hit" : outcome.first_hit));
        }
        if (outcome.hits > query.page_size || outcome.hits > outcome.total_hits ||
            (outcome.total_hits > 0 && outcome.hits == 0) ||
            (query.credit_facet && outcome.total_hits > 0 && outcome.facet_values == 0)) {
          std::cerr << "bench: " << c.name << ": " << Describe(query) << ": inconsistent answer ("
                    << outcome.hits << " hits, total " << outcome.total_hits << ", "
                    << outcome.facet_values << " facet values)\n";
          ++failed;
        }
      } catch (const std::exception& e) {
        std::cerr << "bench: " << c.name << ": " << Describe(query) << ": " << e.what() << "\n";
        ++failed;
      }
    }
    std::cout << absl::StrFormat(
        "| %s | %s | %d | %.0f | %.1f |\n", c.name, Describe(c.variants[0]), first,
        sum / static_cast<double>(c.variants.size()), stopwatch.Seconds() * 1000);
  }
  std::cout << "\n";
  if (show_hits) {
    std::cout << "First hit of each first variant:\n\n" << absl::StrJoin(examples, "\n") << "\n\n";
  }
  std::cout.flush();
  return failed == 0 ? 0 : 1;
}

int64_t PeakRssKb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) {
      std::istringstream fields(line.substr(6));
      int64_t kb = 0;
      fields >> kb;
      return kb;
    }
  }
  return 0;
}

int64_t DiskBytes(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) return static_cast<int64_t>(fs::file_size(path, ec));
  if (!fs::is_directory(path, ec)) return 0;
  int64_t total = 0;
  for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec)) total += static_cast<int64_t>(it->file_size(ec));
  }
  return total;
}

Stopwatch::Stopwatch()
    : start_ns_(
          std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
              .count()) {}

double Stopwatch::Seconds() const {
  const int64_t now =
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
  return static_cast<double>(now - start_ns_) / 1e9;
}

std::string MiB(int64_t bytes) {
  return absl::StrFormat("%.1f", static_cast<double>(bytes) / (1024.0 * 1024.0));
}

}  // namespace newsdb::bench
