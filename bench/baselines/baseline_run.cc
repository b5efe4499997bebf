#include "bench/baselines/baseline_run.h"

#include <algorithm>
#include <iostream>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

ABSL_FLAG(std::string, corpus, "", "Directory of *.txt feed dumps (tools/gen_corpus.py --out).");
ABSL_FLAG(std::string, db, "", "Database to create (or to reuse with --skip_ingest).");
ABSL_FLAG(std::string, vocabulary, "", "Output of tools/gen_corpus.py --print-vocabulary.");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(20), "Measured search time.");
ABSL_FLAG(absl::Duration, warmup, absl::Seconds(3), "Unmeasured search time before measuring.");
ABSL_FLAG(int, clients, 1, "Search threads, each with its own connection to the database.");
ABSL_FLAG(std::string, mix, "standard",
          "Query mix: `standard` or `plain` (tools/bench/query_mix.h, as newsdb-bench --mix).");
ABSL_FLAG(bool, skip_ingest, false, "Search the existing --db; do not ingest.");
ABSL_FLAG(bool, show_hits, false, "Print the first hit of each class's first variant.");
ABSL_FLAG(std::string, dump_hits, "",
          "Write each variant's total_hits to this file (class, variant, query, total_hits; "
          "tab-separated).");

namespace newsdb::bench {

int RunBaseline(const BaselineEngine& engine) {
  const std::string corpus = absl::GetFlag(FLAGS_corpus);
  const std::string path = absl::GetFlag(FLAGS_db);
  const bool skip_ingest = absl::GetFlag(FLAGS_skip_ingest);
  if (path.empty() || absl::GetFlag(FLAGS_vocabulary).empty() || (corpus.empty() && !skip_ingest)) {
    std::cerr << absl::ProgramUsageMessage() << "\n";
    return kBaselineExitUsage;
  }
  Vocabulary vocabulary;
  std::string error;
  if (!ReadVocabulary(absl::GetFlag(FLAGS_vocabulary), vocabulary, error)) {
    std::cerr << engine.program << ": " << error << "\n";
    return kBaselineExitUsage;
  }
  MixKind kind;
  if (!ParseMixKind(absl::GetFlag(FLAGS_mix), kind)) {
    std::cerr << engine.program << ": --mix must be standard or plain\n";
    return kBaselineExitUsage;
  }
  std::cout << engine.title << "\n\n";
  if (!skip_ingest) {
    std::cout << "## Ingest\n\n";
    const int rc = engine.ingest(corpus, path);
    if (rc != 0) return rc;
  }
  absl::Time oldest;
  absl::Time newest;
  if (!engine.corpus_edges(path, oldest, newest)) {
    std::cerr << engine.program << ": " << path << " holds no articles\n";
    return kBaselineExitFailed;
  }
  const std::vector<QueryClass> mix = BuildMix(vocabulary, oldest, newest, kind);
  const int clients = std::max(1, absl::GetFlag(FLAGS_clients));
  std::cout << "## Search, " << clients << (clients == 1 ? " client" : " clients") << "\n\n";
  int rc = 0;
  {
    std::unique_ptr<Searcher> searcher = engine.new_searcher(path);
    rc = RunCheck(mix, *searcher, absl::GetFlag(FLAGS_show_hits), absl::GetFlag(FLAGS_dump_hits));
  }
  LoadOptions options;
  options.clients = clients;
  options.warmup = absl::GetFlag(FLAGS_warmup);
  options.duration = absl::GetFlag(FLAGS_duration);
  options.target = absl::StrCat(MixKindName(kind), " mix, ", engine.target);
  rc = std::max(rc, RunLoad(mix, options, [&] { return engine.new_searcher(path); }));
  std::cout << absl::StrFormat("\nPeak RSS (VmHWM) of the process: %s MiB.\n",
                               MiB(PeakRssKb() * 1024));
  return rc;
}

}  // namespace newsdb::bench
