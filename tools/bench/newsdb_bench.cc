// newsdb-bench: load generator and stopwatch for the running newsdb services. It talks to them only
// through the generated gRPC stubs, like any client.
//
//   newsdb-bench ingest --ingest=ADDR DIR
//       Streams every dump file of DIR (regular files named *.txt, sorted by name) through
//       IngestService.StreamFeed in 1 MiB chunks, --parallel_files at a time, and prints
//       articles, seconds, articles/s, MB/s and errors.
//   newsdb-bench search --query=ADDR --vocabulary=FILE --clients=N --duration=20s [--warmup=3s]
//       Runs the standard query mix (below) through QueryService.Search from N threads, each with
//       its own channel, for --duration after --warmup, and prints a markdown table per query
//       class: calls, p50 ms, p99 ms, QPS, mean total_hits, errors; then the overall figures.
//   newsdb-bench wait-search --query=ADDR --timeout=60s
//       Sends a search every few milliseconds until one succeeds; prints the elapsed milliseconds
//       on stdout (details on stderr). Exit code 1 if none succeeded before --timeout.
//
// The vocabulary is what `tools/gen_corpus.py --print-vocabulary` prints: `kind<TAB>text` lines,
// each kind in rank order (most frequent first): word, phrase, name, credit. Every query class
// has 20 variants built from fixed ranks, used in turn, so a run is repeatable.
//
// Exit codes: 0 success; 1 calls failed (ingest/search) or no answer in time (wait-search);
// 2 bad usage or unreadable input.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "newsdb/v1/ingest_service.grpc.pb.h"
#include "newsdb/v1/query_service.grpc.pb.h"
#include "tools/bench/query_mix.h"

ABSL_FLAG(std::string, ingest, "127.0.0.1:7002", "ingest: address of the ingest service.");
ABSL_FLAG(std::string, query, "127.0.0.1:7003",
          "search, wait-search: address of the query service.");
ABSL_FLAG(std::string, source, "bench", "ingest: feed name stored with the articles.");
ABSL_FLAG(std::string, time_zone, "Asia/Almaty", "ingest: IANA zone of the dumps' header times.");
ABSL_FLAG(int, parallel_files, 4,
          "ingest: files streamed concurrently (storage analyses concurrent writes in parallel).");
ABSL_FLAG(absl::Duration, file_timeout, absl::Minutes(10), "ingest: deadline of each file's call.");
ABSL_FLAG(std::string, vocabulary, "",
          "search: vocabulary file (output of tools/gen_corpus.py --print-vocabulary).");
ABSL_FLAG(int, clients, 1, "search: concurrent clients (threads, one channel each).");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(20), "search: measured time.");
ABSL_FLAG(absl::Duration, warmup, absl::Seconds(3), "search: unmeasured time before measuring.");
ABSL_FLAG(int, page_size, 0, "search: page_size of every request (0: the mix's, 20 or 10).");
ABSL_FLAG(std::string, mix, "standard",
          "search: `standard` (snippets in every other class) or `plain` (10 hits with titles and "
          "metadata, no snippets; bench/README.md).");
ABSL_FLAG(std::string, classes, "",
          "search: only the classes whose names contain this text (e.g. `rare`), for profiling "
          "one class; empty: all.");
ABSL_FLAG(absl::Duration, call_timeout, absl::Seconds(30), "search: deadline of each call.");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(60), "wait-search: give up after this long.");
ABSL_FLAG(std::string, wait_query, "president", "wait-search: the query text to send.");

namespace {

using Clock = std::chrono::steady_clock;
using newsdb::v1::QueryService;
using newsdb::v1::SearchRequest;
using newsdb::v1::SearchResponse;

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
constexpr size_t kChunkBytes = 1 << 20;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// A channel of its own: a local subchannel pool keeps channels from sharing one connection.
std::shared_ptr<grpc::Channel> Connect(const std::string& address) {
  grpc::ChannelArguments arguments;
  arguments.SetMaxReceiveMessageSize(64 << 20);
  arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), arguments);
}

void SetDeadline(grpc::ClientContext& context, absl::Duration timeout) {
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
}

std::string StatusText(const grpc::Status& status) {
  return absl::StrCat("code ", static_cast<int>(status.error_code()), ": ", status.error_message());
}

// ---------------------------------------------------------------------------------------------
// ingest

struct IngestTotals {
  int64_t files = 0;
  int64_t bytes = 0;
  int64_t parsed = 0;
  int64_t created = 0;
  int64_t updated = 0;
  int64_t unchanged = 0;
  int64_t feed_errors = 0;
  int64_t failed_calls = 0;
};

// Streams one file; returns false (with a message on stderr) if the call failed.
bool StreamFile(newsdb::v1::IngestService::Stub& stub, const std::filesystem::path& path,
                IngestTotals& totals) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "newsdb-bench: cannot read " << path << "\n";
    return false;
  }
  grpc::ClientContext context;
  SetDeadline(context, absl::GetFlag(FLAGS_file_timeout));
  newsdb::v1::IngestFeedResponse response;
  auto writer = stub.StreamFeed(&context, &response);
  newsdb::v1::FeedChunk chunk;
  chunk.mutable_options()->set_source(absl::GetFlag(FLAGS_source));
  chunk.mutable_options()->set_time_zone(absl::GetFlag(FLAGS_time_zone));
  std::string buffer(kChunkBytes, '\0');
  int64_t bytes = 0;
  bool first = true;
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const std::streamsize got = in.gcount();
    if (got <= 0 && !first) break;
    const size_t n = static_cast<size_t>(std::max<std::streamsize>(got, 0));
    chunk.set_content(buffer.data(), n);
    bytes += static_cast<int64_t>(n);
    if (!writer->Write(chunk)) break;  // the server ended the call; Finish() says why
    chunk.clear_options();
    first = false;
  }
  writer->WritesDone();
  const grpc::Status status = writer->Finish();
  totals.files++;
  totals.bytes += bytes;
  if (!status.ok()) {
    std::cerr << "newsdb-bench: ingest of " << path.string() << " failed: " << StatusText(status)
              << "\n";
    totals.failed_calls++;
    return false;
  }
  totals.parsed += response.articles_parsed();
  totals.created += response.articles_created();
  totals.updated += response.articles_updated();
  totals.unchanged += response.articles_unchanged();
  totals.feed_errors += response.errors_size();
  for (int i = 0; i < std::min(response.errors_size(), 3); ++i) {
    std::cerr << "newsdb-bench: " << path.filename().string() << " line "
              << response.errors(i).line() << ": " << response.errors(i).message() << "\n";
  }
  return true;
}

int RunIngest(const std::vector<std::string>& args) {
  if (args.size() != 1) {
    std::cerr << "newsdb-bench: ingest needs exactly one DIR\n";
    return kExitUsage;
  }
  std::vector<std::filesystem::path> files;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(args[0], error)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && !name.starts_with(".") && name.ends_with(".txt")) {
      files.push_back(entry.path());
    }
  }
  if (error || files.empty()) {
    std::cerr << "newsdb-bench: no *.txt dump files in " << args[0]
              << (error ? absl::StrCat(" (", error.message(), ")") : "") << "\n";
    return kExitUsage;
  }
  std::sort(files.begin(), files.end());
  const int parallel = std::max(1, absl::GetFlag(FLAGS_parallel_files));

  std::atomic<size_t> next{0};
  absl::Mutex mu;
  IngestTotals totals;
  const Clock::time_point start = Clock::now();
  std::vector<std::thread> threads;
  threads.reserve(static_cast<size_t>(parallel));
  for (int t = 0; t < parallel; ++t) {
    threads.emplace_back([&] {
      auto stub = newsdb::v1::IngestService::NewStub(Connect(absl::GetFlag(FLAGS_ingest)));
      for (size_t i = next++; i < files.size(); i = next++) {
        IngestTotals mine;
        StreamFile(*stub, files[i], mine);
        absl::MutexLock lock(&mu);
        totals.files += mine.files;
        totals.bytes += mine.bytes;
        totals.parsed += mine.parsed;
        totals.created += mine.created;
        totals.updated += mine.updated;
        totals.unchanged += mine.unchanged;
        totals.feed_errors += mine.feed_errors;
        totals.failed_calls += mine.failed_calls;
        if (totals.files % 50 == 0) {
          std::cerr << absl::StrFormat("newsdb-bench: %d/%d files, %d articles, %.0f s\n",
                                       totals.files, files.size(), totals.parsed,
                                       SecondsSince(start));
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const double seconds = SecondsSince(start);
  const double mb = static_cast<double>(totals.bytes) / 1e6;
  std::cout << "| files | MB | articles | created | updated | unchanged | feed errors | "
               "failed calls | seconds | articles/s | MB/s |\n"
            << "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
            << absl::StrFormat("| %d | %.1f | %d | %d | %d | %d | %d | %d | %.1f | %.0f | %.2f |\n",
                               totals.files, mb, totals.parsed, totals.created, totals.updated,
                               totals.unchanged, totals.feed_errors, totals.failed_calls, seconds,
                               static_cast<double>(totals.parsed) / seconds, mb / seconds);
  return totals.failed_calls == 0 ? 0 : kExitFailed;
}

// ---------------------------------------------------------------------------------------------
// search

// The request newsdb is sent for one query of the standard mix.
SearchRequest ToSearchRequest(const newsdb::bench::BenchQuery& query) {
  SearchRequest request;
  request.set_query(query.newsdb_query);
  request.set_page_size(query.page_size);
  if (query.published_start.has_value()) {
    auto* published = request.mutable_filter()->mutable_published();
    published->mutable_start()->set_seconds(*query.published_start);
    published->mutable_end()->set_seconds(query.published_end.value_or(*query.published_start));
  }
  if (query.credit.has_value()) request.mutable_filter()->add_credits(*query.credit);
  if (query.sort == newsdb::bench::SortKind::kNewest) {
    request.set_sort(newsdb::v1::SEARCH_SORT_NEWEST);
  } else if (query.sort == newsdb::bench::SortKind::kMostViewed) {
    request.set_sort(newsdb::v1::SEARCH_SORT_MOST_VIEWED);
  }
  if (query.credit_facet) {
    auto* facet = request.add_facets();
    facet->set_kind(newsdb::v1::FACET_KIND_CREDIT);
    facet->set_top(query.facet_top);
  }
  if (query.highlight) request.mutable_highlight()->set_enabled(true);
  if (query.basic_view) request.set_view(newsdb::v1::ARTICLE_VIEW_BASIC);
  return request;
}

// One client of the load loop: its own channel to QueryService. A failed call throws, which the
// loop counts as an error of the class.
class GrpcSearcher : public newsdb::bench::Searcher {
 public:
  explicit GrpcSearcher(const std::string& address)
      : stub_(QueryService::NewStub(Connect(address))) {}

  newsdb::bench::SearchOutcome Search(const newsdb::bench::BenchQuery& query) override {
    grpc::ClientContext context;
    SetDeadline(context, absl::GetFlag(FLAGS_call_timeout));
    SearchResponse response;
    const grpc::Status status = stub_->Search(&context, ToSearchRequest(query), &response);
    if (!status.ok()) throw std::runtime_error(StatusText(status));
    newsdb::bench::SearchOutcome outcome;
    outcome.total_hits = response.total_hits();
    outcome.hits = response.hits_size();
    outcome.snippet_bytes = static_cast<int64_t>(response.ByteSizeLong());
    return outcome;
  }

 private:
  std::unique_ptr<QueryService::Stub> stub_;
};

// The publication time of the newest or oldest article, via ListArticles.
bool CorpusEdge(QueryService::Stub& stub, newsdb::v1::PublicationOrder order, absl::Time& out) {
  grpc::ClientContext context;
  SetDeadline(context, absl::Seconds(30));
  newsdb::v1::ListArticlesRequest request;
  request.set_page_size(1);
  request.set_order(order);
  request.set_view(newsdb::v1::ARTICLE_VIEW_BASIC);
  newsdb::v1::ListArticlesResponse response;
  const grpc::Status status = stub.ListArticles(&context, request, &response);
  if (!status.ok() || response.articles_size() == 0) {
    std::cerr << "newsdb-bench: ListArticles: "
              << (status.ok() ? "no articles" : StatusText(status)) << "\n";
    return false;
  }
  out = absl::FromUnixSeconds(response.articles(0).published_at().seconds());
  return true;
}

// The standard mix (tools/bench/query_mix.h, the one the baselines run too), with months of the
// range class spread over the stored publication range.
int RunSearch() {
  newsdb::bench::Vocabulary vocabulary;
  std::string error;
  const std::string path = absl::GetFlag(FLAGS_vocabulary);
  if (path.empty())
    error = "search needs --vocabulary=FILE (tools/gen_corpus.py --print-vocabulary)";
  if (!path.empty() && !newsdb::bench::ReadVocabulary(path, vocabulary, error)) {
    error = absl::StrCat("--vocabulary: ", error);
  }
  newsdb::bench::MixKind kind;
  if (!newsdb::bench::ParseMixKind(absl::GetFlag(FLAGS_mix), kind)) {
    error = "--mix must be standard or plain";
  }
  if (!error.empty()) {
    std::cerr << "newsdb-bench: " << error << "\n";
    return kExitUsage;
  }
  const std::string address = absl::GetFlag(FLAGS_query);
  absl::Time oldest;
  absl::Time newest;
  {
    auto stub = QueryService::NewStub(Connect(address));
    if (!CorpusEdge(*stub, newsdb::v1::PUBLICATION_ORDER_OLDEST_FIRST, oldest) ||
        !CorpusEdge(*stub, newsdb::v1::PUBLICATION_ORDER_NEWEST_FIRST, newest)) {
      return kExitFailed;
    }
  }
  std::vector<newsdb::bench::QueryClass> mix =
      newsdb::bench::BuildMix(vocabulary, oldest, newest, kind, absl::GetFlag(FLAGS_page_size));
  const std::string classes = absl::GetFlag(FLAGS_classes);
  mix.erase(std::remove_if(mix.begin(), mix.end(),
                           [&](const newsdb::bench::QueryClass& c) {
                             return !absl::StrContains(c.name, classes);
                           }),
            mix.end());
  if (mix.empty()) {
    std::cerr << "newsdb-bench: no class of the mix contains \"" << classes << "\"\n";
    return kExitUsage;
  }
  newsdb::bench::LoadOptions options;
  options.clients = std::max(1, absl::GetFlag(FLAGS_clients));
  options.warmup = absl::GetFlag(FLAGS_warmup);
  options.duration = absl::GetFlag(FLAGS_duration);
  options.target = absl::StrCat(newsdb::bench::MixKindName(kind), " mix, against ", address);
  const int failed =
      newsdb::bench::RunLoad(mix, options, [&] { return std::make_unique<GrpcSearcher>(address); });
  return failed == 0 ? 0 : kExitFailed;
}

// ---------------------------------------------------------------------------------------------
// wait-search

int RunWaitSearch() {
  const Clock::time_point start = Clock::now();
  const Clock::time_point give_up = start + absl::ToChronoNanoseconds(absl::GetFlag(FLAGS_timeout));
  auto stub = QueryService::NewStub(Connect(absl::GetFlag(FLAGS_query)));
  SearchRequest request;
  request.set_query(absl::GetFlag(FLAGS_wait_query));
  request.set_page_size(1);
  int attempts = 0;
  grpc::Status status;
  while (Clock::now() < give_up) {
    grpc::ClientContext context;
    const auto remaining = give_up - Clock::now();
    context.set_deadline(std::chrono::system_clock::now() +
                         std::min<Clock::duration>(remaining, std::chrono::seconds(5)));
    SearchResponse response;
    const Clock::time_point before = Clock::now();
    status = stub->Search(&context, request, &response);
    ++attempts;
    if (status.ok()) {
      const double elapsed = SecondsSince(start) * 1000;
      const double call = std::chrono::duration<double, std::milli>(Clock::now() - before).count();
      std::cout << absl::StrFormat("%.0f\n", elapsed);
      std::cerr << absl::StrFormat(
          "newsdb-bench: search answered after %.0f ms (%d attempts; the answering call took "
          "%.1f ms; total_hits %d)\n",
          elapsed, attempts, call, response.total_hits());
      return 0;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::cerr << "newsdb-bench: no search succeeded within "
            << absl::FormatDuration(absl::GetFlag(FLAGS_timeout)) << " (" << attempts
            << " attempts; last: " << StatusText(status) << ")\n";
  return kExitFailed;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Benchmarks the running newsdb services.\n"
      "  newsdb-bench ingest --ingest=HOST:PORT DIR\n"
      "  newsdb-bench search --query=HOST:PORT --vocabulary=FILE --clients=N --duration=20s\n"
      "  newsdb-bench wait-search --query=HOST:PORT --timeout=60s");
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() < 2) {
    std::cerr << absl::ProgramUsageMessage() << "\n";
    return kExitUsage;
  }
  const std::string command = positional[1];
  std::vector<std::string> args(positional.begin() + 2, positional.end());
  if (command == "ingest") return RunIngest(args);
  if (!args.empty()) {
    std::cerr << "newsdb-bench: unexpected argument " << args[0] << "\n";
    return kExitUsage;
  }
  if (command == "search") return RunSearch();
  if (command == "wait-search") return RunWaitSearch();
  std::cerr << "newsdb-bench: unknown command " << command << "\n"
            << absl::ProgramUsageMessage() << "\n";
  return kExitUsage;
}
