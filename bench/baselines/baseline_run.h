// What both in-process baselines do, given their engine: the shared flags (--corpus, --db,
// --vocabulary, --duration, --warmup, --clients, --skip_ingest, --show_hits, --dump_hits), then
// ingest the corpus, build the standard mix over the stored time range, check every variant once
// and run the load loop (tools/bench/query_mix.h), printing one markdown report.
#ifndef NEWSDB_BENCH_BASELINES_BASELINE_RUN_H_
#define NEWSDB_BENCH_BASELINES_BASELINE_RUN_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "tools/bench/query_mix.h"

namespace newsdb::bench {

inline constexpr int kBaselineExitFailed = 1;
inline constexpr int kBaselineExitUsage = 2;

struct BaselineEngine {
  std::string program;  // for messages, e.g. "newsdb-baseline-sqlite"
  std::string title;    // the report's first line, e.g. "SQLite 3.40.1 FTS5, in process"
  std::string target;   // the load loop's "Results:" line names it
  // Ingests the corpus directory into the database at `db`, printing its section; 0 on success.
  std::function<int(const std::string& corpus, const std::string& db)> ingest;
  // The publication times of the oldest and newest stored article; false if there is none.
  std::function<bool(const std::string& db, absl::Time& oldest, absl::Time& newest)> corpus_edges;
  // A searcher of `db` for one client thread (created on that thread).
  std::function<std::unique_ptr<Searcher>(const std::string& db)> new_searcher;
};

// Runs the baseline with the shared flags. Returns 0, kBaselineExitFailed (a failed ingest or
// search call) or kBaselineExitUsage (missing flags, unreadable vocabulary).
int RunBaseline(const BaselineEngine& engine);

}  // namespace newsdb::bench

#endif  // NEWSDB_BENCH_BASELINES_BASELINE_RUN_H_
