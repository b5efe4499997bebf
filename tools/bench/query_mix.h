// The standard benchmark query mix and what runs it, shared by newsdb-bench (through gRPC) and
// the in-process baselines (bench/baselines/README.md), so every engine answers the same requests
// and reports the same table:
//
//   - the standard query mix (`BuildMix`), built from the vocabulary file of
//     `tools/gen_corpus.py --print-vocabulary` and the corpus time range, as engine-neutral
//     `BenchQuery` values (each also carries the query string newsdb is sent);
//   - reading a corpus directory with newsdb's own FeedParser, so every engine indexes exactly
//     the articles newsdb ingests;
//   - the load loop and its markdown table (round-robin order, warm-up, percentiles, columns);
//   - small helpers: peak RSS, directory sizes, number formatting.
#ifndef NEWSDB_TOOLS_BENCH_QUERY_MIX_H_
#define NEWSDB_TOOLS_BENCH_QUERY_MIX_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "services/ingest/feed_parser.h"

namespace newsdb::bench {

// ---------------------------------------------------------------------------------------------
// The query mix

// What `tools/gen_corpus.py --print-vocabulary` prints, each kind in rank order.
struct Vocabulary {
  std::vector<std::string> words;
  std::vector<std::string> phrases;
  std::vector<std::string> names;
  std::vector<std::string> multiword_names;  // the names of two or more words, in rank order
  std::vector<std::string> credits;
};

// Reads the vocabulary file; false (with a message in `error`) if it is unreadable or too small
// for the mix (the same minimum as newsdb-bench).
bool ReadVocabulary(const std::string& path, Vocabulary& vocabulary, std::string& error);

enum class MatchKind {
  kAllOf,   // every word of `words` (newsdb: `a b c`)
  kAnyOf,   // any word of `words`, ranked by BM25 (newsdb: `a OR b OR c`)
  kPhrase,  // `phrase` as a phrase (newsdb: `"a b"`); hyphens split words in every engine
};

enum class SortKind { kRelevance, kNewest, kMostViewed };

// One request of the mix, as each engine must answer it: the first page of `page_size` hits
// (each with its title, credit, publication time and views), the exact total number of matches,
// the credit facet if asked, and title + body snippets if asked.
struct BenchQuery {
  MatchKind kind = MatchKind::kAllOf;
  std::vector<std::string> words;  // kAllOf, kAnyOf: raw vocabulary words (not analysed)
  std::string phrase;              // kPhrase: raw text, e.g. "Kassym-Jomart Tokayev"
  // Publication time filter [start, end), Unix seconds.
  std::optional<int64_t> published_start;
  std::optional<int64_t> published_end;
  std::optional<std::string> credit;  // exact credit filter
  SortKind sort = SortKind::kRelevance;
  bool credit_facet = false;  // top `facet_top` credits by count over all matches
  int facet_top = 10;
  bool highlight = false;
  bool basic_view = false;  // hits without their paragraphs (newsdb: view BASIC)
  int page_size = 20;
  std::string newsdb_query;  // the query string newsdb-bench sends for this request
};

struct QueryClass {
  std::string name;
  std::vector<BenchQuery> variants;
};

inline constexpr int kVariants = 20;

// kStandard: the standard mix, 20 hits a page, every other class with title and body snippets.
// kPlain: the same classes and requests as a result list asks them: 10 hits a page with titles
// and metadata (no paragraphs, no snippets), still with the exact total and the credit facet.
enum class MixKind { kStandard, kPlain };
// Parses "standard" or "plain".
bool ParseMixKind(const std::string& text, MixKind& kind);
const char* MixKindName(MixKind kind);

// The mix of newsdb-bench: 11 classes of kVariants variants. `oldest` and `newest` are the
// publication times of the oldest and newest article of the corpus (newsdb-bench asks
// ListArticles for them); months of the range class are calendar months in Asia/Almaty.
// `page_size` 0: the kind's (20 standard, 10 plain).
std::vector<QueryClass> BuildMix(const Vocabulary& vocabulary, absl::Time oldest, absl::Time newest,
                                 MixKind kind = MixKind::kStandard, int page_size = 0);

// One line describing a request, like newsdb-bench's Describe().
std::string Describe(const BenchQuery& query);

// ---------------------------------------------------------------------------------------------
// The corpus

struct CorpusStats {
  int64_t files = 0;
  int64_t bytes = 0;       // input bytes of all dumps
  int64_t articles = 0;    // articles delivered to the sink
  int64_t errors = 0;      // record errors reported by the parser
  int64_t duplicates = 0;  // articles with an id seen before (newsdb stores each id once)
  absl::Time oldest = absl::InfiniteFuture();
  absl::Time newest = absl::InfinitePast();
};

// Parses every regular `*.txt` file of `dir`, sorted by name, with FeedParser (header times in
// Asia/Almaty, as newsdb-bench ingests them) and calls `sink` for each article whose id was not
// seen before, in dump order. False (message in `error`) if the directory or a file is
// unreadable or holds no dump.
bool ForEachCorpusArticle(const std::string& dir,
                          const std::function<void(const ingest::ParsedArticle&)>& sink,
                          CorpusStats& stats, std::string& error);

// ---------------------------------------------------------------------------------------------
// The load loop

// The answer of one engine call: enough to check it and to keep the work from being optimized
// away.
struct SearchOutcome {
  int64_t total_hits = 0;
  int64_t hits = 0;           // hits on the page
  int64_t snippet_bytes = 0;  // bytes of the answer (titles, credits, snippets, ...)
  int64_t facet_values = 0;   // facet buckets returned
  std::string first_hit;      // the first hit, for --show_hits: published, views, credit, title,
                              // score and snippets
};

// Per-thread search state (an SQLite connection, a Xapian::Database). Search() throws
// std::exception on an engine error; it is counted as an error of the class.
class Searcher {
 public:
  virtual ~Searcher() = default;
  virtual SearchOutcome Search(const BenchQuery& query) = 0;
};

struct LoadOptions {
  int clients = 1;
  absl::Duration warmup = absl::Seconds(3);
  absl::Duration duration = absl::Seconds(20);
  std::string target;  // printed in the "Results:" line, e.g. "SQLite FTS5 3.40.1, in process"
};

// Runs the mix from `options.clients` threads, each with its own Searcher from `make` (created on
// that thread), exactly like newsdb-bench search: each client walks the classes round-robin
// starting at its own offset and the variants in turn; calls that start before the warm-up ends
// or end after the measured period are not counted. Prints the query mix and the result table
// (class, calls, p50 ms, p99 ms, QPS, mean total_hits, errors, then **overall**) to stdout.
// Returns 0 if every call succeeded, 1 otherwise.
int RunLoad(const std::vector<QueryClass>& mix, const LoadOptions& options,
            const std::function<std::unique_ptr<Searcher>()>& make);

// Runs every variant once on one Searcher and prints, per class, the mean total_hits over the
// kVariants variants (each variant weighted once) and the first variant's total: a check that
// the engine answers every request before the timed run. With `show_hits`, also prints the first
// hit of each class's first variant. With a `dump_path`, also writes one line per variant to that
// file: class, variant number, Describe(), total_hits (tab-separated), for comparing engines.
// Returns 0 or 1 like RunLoad.
int RunCheck(const std::vector<QueryClass>& mix, Searcher& searcher, bool show_hits,
             const std::string& dump_path);

// ---------------------------------------------------------------------------------------------
// Helpers

// VmHWM of this process in KiB (0 if unknown).
int64_t PeakRssKb();
// Total bytes of the regular files under `path` (a file or a directory); 0 if it does not exist.
int64_t DiskBytes(const std::string& path);
// Wall-clock seconds on the steady clock since construction, for timing phases.
class Stopwatch {
 public:
  Stopwatch();
  double Seconds() const;

 private:
  int64_t start_ns_;
};
// "123.4" MiB of `bytes`.
std::string MiB(int64_t bytes);

}  // namespace newsdb::bench

#endif  // NEWSDB_TOOLS_BENCH_QUERY_MIX_H_
