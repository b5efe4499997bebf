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
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
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
ABSL_FLAG(int, page_size, 20, "search: page_size of every request.");
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
constexpr int kVariants = 20;

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

struct Vocabulary {
  std::vector<std::string> words;
  std::vector<std::string> phrases;
  std::vector<std::string> names;
  std::vector<std::string> multiword_names;  // the names of two or more words, in rank order
  std::vector<std::string> credits;
};

bool ReadVocabulary(const std::string& path, Vocabulary& vocabulary) {
  std::ifstream in(path);
  if (!in) return false;
  std::string line;
  while (std::getline(in, line)) {
    std::vector<absl::string_view> parts = absl::StrSplit(line, absl::MaxSplits('\t', 1));
    if (parts.size() != 2 || parts[1].empty()) continue;
    std::string text(parts[1]);
    if (parts[0] == "word") vocabulary.words.push_back(std::move(text));
    if (parts[0] == "phrase") vocabulary.phrases.push_back(std::move(text));
    if (parts[0] == "name") vocabulary.names.push_back(std::move(text));
    if (parts[0] == "credit") vocabulary.credits.push_back(std::move(text));
  }
  for (const std::string& name : vocabulary.names) {
    if (name.find_first_of(" -") != std::string::npos) vocabulary.multiword_names.push_back(name);
  }
  return vocabulary.words.size() >= 20000 && vocabulary.phrases.size() >= 10 &&
         vocabulary.multiword_names.size() >= 10 && !vocabulary.credits.empty();
}

// The word of 0-based rank `rank` (clamped to the vocabulary).
const std::string& Word(const Vocabulary& vocabulary, size_t rank) {
  return vocabulary.words[std::min(rank, vocabulary.words.size() - 1)];
}

struct QueryClass {
  std::string name;
  std::vector<SearchRequest> variants;
};

void SetMonth(SearchRequest& request, absl::Time month_start, absl::Time month_end) {
  auto* published = request.mutable_filter()->mutable_published();
  published->mutable_start()->set_seconds(absl::ToUnixSeconds(month_start));
  published->mutable_end()->set_seconds(absl::ToUnixSeconds(month_end));
}

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

// The standard mix. Months for the range class are spread over the stored publication range.
std::vector<QueryClass> BuildMix(const Vocabulary& v, absl::Time oldest, absl::Time newest) {
  absl::TimeZone zone;
  if (!absl::LoadTimeZone("Asia/Almaty", &zone)) zone = absl::UTCTimeZone();
  const int page_size = absl::GetFlag(FLAGS_page_size);
  std::vector<QueryClass> mix;
  auto add = [&](std::string name, auto make) {
    QueryClass c{std::move(name), {}};
    for (int i = 0; i < kVariants; ++i) {
      SearchRequest request;
      request.set_page_size(page_size);
      make(static_cast<size_t>(i), request);
      c.variants.push_back(std::move(request));
    }
    mix.push_back(std::move(c));
  };
  add("single common term", [&](size_t i, SearchRequest& r) { r.set_query(Word(v, i)); });
  add("rare term", [&](size_t i, SearchRequest& r) { r.set_query(Word(v, 19990 + i)); });
  add("2-term AND", [&](size_t i, SearchRequest& r) {
    r.set_query(absl::StrCat(Word(v, 100 + 7 * i), " ", Word(v, 300 + 37 * i)));
  });
  add("3-term AND", [&](size_t i, SearchRequest& r) {
    r.set_query(
        absl::StrCat(Word(v, 30 + 5 * i), " ", Word(v, 150 + 11 * i), " ", Word(v, 600 + 53 * i)));
  });
  add("phrase", [&](size_t i, SearchRequest& r) {
    const std::string& text = i % 2 == 0 ? v.phrases[i / 2] : v.multiword_names[i / 2];
    r.set_query(absl::StrCat("\"", text, "\""));
  });
  add("term + one-month range", [&](size_t i, SearchRequest& r) {
    r.set_query(Word(v, 60 + 3 * i));
    const absl::Duration span = newest - oldest;
    const absl::Time at = oldest + span * ((static_cast<double>(i) + 0.5) / kVariants);
    const absl::CivilMonth month(absl::ToCivilSecond(at, zone));
    SetMonth(r, absl::FromCivil(month, zone), absl::FromCivil(month + 1, zone));
  });
  add("term + credit filter", [&](size_t i, SearchRequest& r) {
    r.set_query(Word(v, 40 + 3 * i));
    r.mutable_filter()->add_credits(v.credits[i % std::min<size_t>(5, v.credits.size())]);
  });
  add("newest first", [&](size_t i, SearchRequest& r) {
    r.set_query(Word(v, 20 + i));
    r.set_sort(newsdb::v1::SEARCH_SORT_NEWEST);
  });
  add("most viewed", [&](size_t i, SearchRequest& r) {
    r.set_query(Word(v, 25 + i));
    r.set_sort(newsdb::v1::SEARCH_SORT_MOST_VIEWED);
  });
  add("BM25 OR of 3 terms", [&](size_t i, SearchRequest& r) {
    r.set_query(absl::StrCat(Word(v, 200 + 13 * i), " OR ", Word(v, 700 + 29 * i), " OR ",
                             Word(v, 2000 + 97 * i)));
  });
  add("term + credit facet", [&](size_t i, SearchRequest& r) {
    r.set_query(Word(v, 80 + i));
    auto* facet = r.add_facets();
    facet->set_kind(newsdb::v1::FACET_KIND_CREDIT);
    facet->set_top(10);
  });
  for (size_t c = 0; c < mix.size(); c += 2) {  // highlight on for every other class
    for (SearchRequest& request : mix[c].variants) request.mutable_highlight()->set_enabled(true);
  }
  return mix;
}

std::string Describe(const SearchRequest& r) {
  std::string out = absl::StrCat("`", r.query(), "`");
  if (r.filter().has_published()) {
    absl::TimeZone zone;
    if (!absl::LoadTimeZone("Asia/Almaty", &zone)) zone = absl::UTCTimeZone();
    const absl::Time start = absl::FromUnixSeconds(r.filter().published().start().seconds());
    absl::StrAppend(&out, ", published in ", absl::FormatTime("%Y-%m", start, zone),
                    " (Asia/Almaty)");
  }
  for (const std::string& credit : r.filter().credits()) {
    absl::StrAppend(&out, ", credit `", credit, "`");
  }
  if (r.sort() == newsdb::v1::SEARCH_SORT_NEWEST) absl::StrAppend(&out, ", sort NEWEST");
  if (r.sort() == newsdb::v1::SEARCH_SORT_MOST_VIEWED) absl::StrAppend(&out, ", sort MOST_VIEWED");
  if (r.facets_size() > 0) absl::StrAppend(&out, ", facets CREDIT");
  if (r.highlight().enabled()) absl::StrAppend(&out, ", highlight");
  return out;
}

struct ClassStats {
  std::vector<double> latencies_ms;
  double total_hits = 0;
  int64_t errors = 0;
  std::string first_error;
};

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(values.size())));
  return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

int RunSearch() {
  Vocabulary vocabulary;
  const std::string path = absl::GetFlag(FLAGS_vocabulary);
  if (path.empty() || !ReadVocabulary(path, vocabulary)) {
    std::cerr << "newsdb-bench: search needs --vocabulary=FILE with at least 20,000 words, 10 "
                 "phrases, 10 names of several words and a credit (tools/gen_corpus.py "
                 "--print-vocabulary)\n";
    return kExitUsage;
  }
  const int clients = std::max(1, absl::GetFlag(FLAGS_clients));
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
  const std::vector<QueryClass> mix = BuildMix(vocabulary, oldest, newest);
  const size_t nclasses = mix.size();

  const absl::Duration warmup = absl::GetFlag(FLAGS_warmup);
  const absl::Duration duration = absl::GetFlag(FLAGS_duration);
  const absl::Duration call_timeout = absl::GetFlag(FLAGS_call_timeout);
  const Clock::time_point start = Clock::now();
  const Clock::time_point measure_from = start + absl::ToChronoNanoseconds(warmup);
  const Clock::time_point stop = measure_from + absl::ToChronoNanoseconds(duration);

  std::vector<std::vector<ClassStats>> per_client(clients, std::vector<ClassStats>(nclasses));
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&, t] {
      auto stub = QueryService::NewStub(Connect(address));
      std::vector<ClassStats>& stats = per_client[static_cast<size_t>(t)];
      // Each client walks the classes round-robin, starting at its own offset.
      for (size_t n = static_cast<size_t>(t);; ++n) {
        const size_t c = n % nclasses;
        const SearchRequest& request = mix[c].variants[(n / nclasses) % mix[c].variants.size()];
        grpc::ClientContext context;
        SetDeadline(context, call_timeout);
        SearchResponse response;
        const Clock::time_point before = Clock::now();
        if (before >= stop) break;
        const grpc::Status status = stub->Search(&context, request, &response);
        const Clock::time_point after = Clock::now();
        if (before < measure_from || after > stop) continue;  // warm-up or cut by the end
        ClassStats& s = stats[c];
        if (!status.ok()) {
          if (s.errors++ == 0) s.first_error = StatusText(status);
          continue;
        }
        s.latencies_ms.push_back(std::chrono::duration<double, std::milli>(after - before).count());
        s.total_hits += static_cast<double>(response.total_hits());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const double seconds = absl::ToDoubleSeconds(duration);

  std::cout << "Query mix (" << kVariants << " variants per class, used in turn; first shown):\n\n"
            << "| class | first variant |\n|---|---|\n";
  for (const QueryClass& c : mix) {
    std::cout << "| " << c.name << " | " << Describe(c.variants[0]) << " |\n";
  }
  std::cout << absl::StrFormat(
      "\nResults: %d client(s), %s measured after %s warm-up, page_size %d, against %s:\n\n",
      clients, absl::FormatDuration(duration), absl::FormatDuration(warmup),
      absl::GetFlag(FLAGS_page_size), address);
  std::cout << "| class | calls | p50 ms | p99 ms | QPS | mean total_hits | errors |\n"
            << "|---|---:|---:|---:|---:|---:|---:|\n";
  std::vector<double> all;
  int64_t all_errors = 0;
  for (size_t c = 0; c < nclasses; ++c) {
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
      std::cerr << "newsdb-bench: " << mix[c].name << ": " << merged.errors
                << " failed calls, first: " << merged.first_error << "\n";
    }
    all.insert(all.end(), merged.latencies_ms.begin(), merged.latencies_ms.end());
    all_errors += merged.errors;
  }
  std::cout << absl::StrFormat("| **overall** | %d | %.2f | %.2f | %.1f | | %d |\n", all.size(),
                               Percentile(all, 0.5), Percentile(all, 0.99),
                               static_cast<double>(all.size()) / seconds, all_errors);
  return all_errors == 0 && !all.empty() ? 0 : kExitFailed;
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
