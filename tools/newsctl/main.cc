// newsctl: a command-line client for newsdb.
//
//   newsctl ingest FILE... [--source NAME] [--time_zone ZONE] [--progress auto|always|never]
//                                                              stream dumps to IngestService
//   newsctl get ID                                             one article with its view history
//   newsctl list [--from DATE] [--to DATE] [--limit N] [--order newest|oldest]
//   newsctl search "QUERY" [--from] [--to] [--credit A,B] [--sort relevance|newest|oldest|views]
//                          [--facets credit,day,month] [--limit N]
//
// Global flags: --ingest=HOST:PORT, --query=HOST:PORT, --json, --timeout, --display_zone.
// Exit codes: 0 success; 1 the server answered with an error; 2 bad usage or unreadable file.

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/status/grpc_status.h"
#include "common/time/timestamp.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "newsdb/v1/ingest_service.grpc.pb.h"
#include "newsdb/v1/query_service.grpc.pb.h"
#include "tools/newsctl/progress.h"

ABSL_FLAG(std::string, ingest, "127.0.0.1:7002", "Address of the ingest service.");
ABSL_FLAG(std::string, query, "127.0.0.1:7003", "Address of the query service.");
ABSL_FLAG(bool, json, false, "Print responses as JSON (proto3 JSON mapping).");
ABSL_FLAG(absl::Duration, timeout, absl::Minutes(10), "Deadline of each call.");
ABSL_FLAG(std::string, display_zone, "UTC",
          "IANA time zone for printed times and for --from/--to dates.");
ABSL_FLAG(std::string, source, "", "ingest: feed name stored with the articles, e.g. kazinform.");
ABSL_FLAG(std::string, time_zone, "",
          "ingest: IANA zone of the dump's header times "
          "(default Asia/Almaty).");
ABSL_FLAG(std::string, progress, "auto",
          "ingest: a progress line on stderr: auto (when stderr is a terminal), always or never.");
ABSL_FLAG(std::string, from, "", "list: first day (YYYY-MM-DD) or instant (RFC 3339), inclusive.");
ABSL_FLAG(std::string, to, "", "list: last day (YYYY-MM-DD, inclusive) or instant (exclusive).");
ABSL_FLAG(int, limit, 20, "list, search: how many articles to print.");
ABSL_FLAG(std::string, order, "newest", "list: newest or oldest first.");
ABSL_FLAG(std::string, credit, "", "search: only these credits (comma-separated, exact).");
ABSL_FLAG(std::string, sort, "relevance", "search: relevance, newest, oldest or views.");
ABSL_FLAG(std::string, facets, "",
          "search: facet counts to print, comma-separated: credit, day, month (days and months "
          "in --display_zone).");

namespace {

using newsdb::v1::Article;

constexpr int kExitServerError = 1;
constexpr int kExitUsage = 2;
constexpr size_t kChunkBytes = 1 << 20;

absl::TimeZone DisplayZone() {
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(absl::GetFlag(FLAGS_display_zone), &zone)) {
    std::cerr << "newsctl: unknown --display_zone " << absl::GetFlag(FLAGS_display_zone)
              << "; using UTC\n";
    return absl::UTCTimeZone();
  }
  return zone;
}

std::string FormatTime(const google::protobuf::Timestamp& timestamp) {
  return absl::FormatTime("%Y-%m-%d %H:%M %Ez", absl::FromUnixSeconds(timestamp.seconds()),
                          DisplayZone());
}

std::string ToJson(const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

int ReportError(absl::string_view what, const grpc::Status& status) {
  std::cerr << "newsctl: " << what << " failed: "
            << absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code())) << ": "
            << status.error_message() << "\n";
  for (const auto& violation :
       newsdb::status::FieldViolationsOf(newsdb::status::FromGrpcStatus(status))) {
    std::cerr << "  field " << violation.field << ": " << violation.description << "\n";
  }
  return kExitServerError;
}

std::unique_ptr<grpc::ClientContext> NewContext() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::GetFlag(FLAGS_timeout)));
  return context;
}

std::shared_ptr<grpc::Channel> Connect(const std::string& address) {
  grpc::ChannelArguments arguments;
  arguments.SetMaxReceiveMessageSize(64 << 20);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), arguments);
}

void PrintArticleLine(const Article& article) {
  std::cout << article.id() << "  " << FormatTime(article.published_at()) << "  "
            << absl::StrCat(article.views()) << " views  "
            << (article.credit().empty() ? "-" : article.credit()) << "\n    " << article.title()
            << "\n";
}

// Whether `newsctl ingest` draws a progress line; nullopt for a bad --progress.
std::optional<bool> ShowProgress() {
  const std::string mode = absl::GetFlag(FLAGS_progress);
  if (mode == "always") return true;
  if (mode == "never") return false;
  if (mode != "auto") return std::nullopt;
  const char* term = std::getenv("TERM");
  return isatty(STDERR_FILENO) == 1 && !(term != nullptr && std::string(term) == "dumb");
}

// The first chunk carries the options; the file follows in kChunkBytes pieces. Calls `write` for
// each until it returns false (the server ended the call; Finish() says why).
template <typename Write>
void SendFile(std::ifstream& in, Write write) {
  newsdb::v1::FeedChunk chunk;
  chunk.mutable_options()->set_source(absl::GetFlag(FLAGS_source));
  chunk.mutable_options()->set_time_zone(absl::GetFlag(FLAGS_time_zone));
  // The summary line needs only the counts; --json prints the whole response.
  chunk.mutable_options()->set_omit_article_ids(!absl::GetFlag(FLAGS_json));
  std::string buffer(kChunkBytes, '\0');
  bool first = true;
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const std::streamsize got = in.gcount();
    if (got <= 0 && !first) break;
    chunk.set_content(buffer.data(), static_cast<size_t>(std::max<std::streamsize>(got, 0)));
    if (!write(chunk)) break;
    chunk.clear_options();
    first = false;
  }
}

// Streams `in` with StreamFeed.
grpc::Status StreamQuietly(newsdb::v1::IngestService::Stub& stub, std::ifstream& in,
                           newsdb::v1::IngestFeedResponse* response) {
  auto context = NewContext();
  auto writer = stub.StreamFeed(context.get(), response);
  SendFile(in, [&](const newsdb::v1::FeedChunk& chunk) { return writer->Write(chunk); });
  writer->WritesDone();
  return writer->Finish();
}

// Streams `in` with StreamFeedWithProgress, drawing the server's progress on stderr.
grpc::Status StreamWithProgress(newsdb::v1::IngestService::Stub& stub, std::ifstream& in,
                                const std::string& file, newsdb::v1::IngestFeedResponse* response) {
  std::error_code error;
  std::optional<int64_t> total;
  if (std::filesystem::is_regular_file(file, error)) {
    const auto size = std::filesystem::file_size(file, error);
    if (!error) total = static_cast<int64_t>(size);
  }
  auto context = NewContext();
  auto stream = stub.StreamFeedWithProgress(context.get());
  std::thread sender([&] {
    SendFile(in, [&](const newsdb::v1::FeedChunk& chunk) { return stream->Write(chunk); });
    stream->WritesDone();
  });
  newsdb::newsctl::ProgressLine line(stderr, std::filesystem::path(file).filename().string(), total,
                                     absl::Now());
  newsdb::v1::IngestFeedEvent event;
  bool have_result = false;
  while (stream->Read(&event)) {
    if (event.has_progress()) {
      const newsdb::v1::IngestProgress& progress = event.progress();
      line.Update(progress.bytes_read(), progress.articles_stored(), progress.errors(),
                  absl::Now());
    } else if (event.has_result()) {
      *response = std::move(*event.mutable_result());
      have_result = true;
    }
  }
  sender.join();
  line.Clear();
  grpc::Status status = stream->Finish();
  if (status.ok() && !have_result) {
    return grpc::Status(grpc::StatusCode::INTERNAL, "the server ended the stream without a result");
  }
  return status;
}

int Ingest(const std::vector<std::string>& files) {
  if (files.empty()) {
    std::cerr << "newsctl: ingest needs at least one FILE\n";
    return kExitUsage;
  }
  const std::optional<bool> show_progress = ShowProgress();
  if (!show_progress.has_value()) {
    std::cerr << "newsctl: --progress must be auto, always or never\n";
    return kExitUsage;
  }
  auto stub = newsdb::v1::IngestService::NewStub(Connect(absl::GetFlag(FLAGS_ingest)));
  int exit_code = 0;
  for (const std::string& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      std::cerr << "newsctl: cannot read " << file << "\n";
      return kExitUsage;
    }
    newsdb::v1::IngestFeedResponse response;
    grpc::Status status = *show_progress ? StreamWithProgress(*stub, in, file, &response)
                                         : StreamQuietly(*stub, in, &response);
    if (!status.ok()) {
      exit_code = ReportError(absl::StrCat("ingest of ", file), status);
      continue;
    }
    if (absl::GetFlag(FLAGS_json)) {
      std::cout << ToJson(response);
      continue;
    }
    std::cout << file << ": parsed " << response.articles_parsed() << ", created "
              << response.articles_created() << ", updated " << response.articles_updated()
              << ", unchanged " << response.articles_unchanged() << ", errors "
              << response.errors_size() + response.errors_omitted() << "\n";
    for (const auto& error : response.errors()) {
      std::cout << "  line " << error.line() << ": " << error.message() << "\n    "
                << error.excerpt() << "\n";
    }
    if (response.errors_omitted() > 0) {
      std::cout << "  ... and " << response.errors_omitted() << " more errors (not listed)\n";
    }
  }
  return exit_code;
}

int Get(const std::vector<std::string>& args) {
  if (args.size() != 1) {
    std::cerr << "newsctl: get needs exactly one ID\n";
    return kExitUsage;
  }
  auto stub = newsdb::v1::QueryService::NewStub(Connect(absl::GetFlag(FLAGS_query)));
  auto context = NewContext();
  newsdb::v1::GetArticleRequest request;
  request.set_id(args[0]);
  Article article;
  grpc::Status status = stub->GetArticle(context.get(), request, &article);
  if (!status.ok()) return ReportError("get", status);
  if (absl::GetFlag(FLAGS_json)) {
    std::cout << ToJson(article);
    return 0;
  }
  std::cout << article.title() << "\n"
            << "id:         " << article.id() << "\n"
            << "published:  " << FormatTime(article.published_at()) << "\n"
            << "credit:     " << (article.credit().empty() ? "-" : article.credit()) << "\n"
            << "source:     " << article.source() << "\n"
            << "views:      " << article.views() << "\n";
  for (const auto& observation : article.view_history()) {
    std::cout << "  captured " << FormatTime(observation.captured_at()) << ": "
              << observation.views() << " views\n";
  }
  std::cout << "\n";
  for (const std::string& paragraph : article.paragraphs()) std::cout << paragraph << "\n\n";
  return 0;
}

// Reads YYYY-MM-DD (start of that day in the display zone, or of the next day if `next_day`) or an
// RFC 3339 instant.
bool ParseBound(const std::string& text, bool next_day, google::protobuf::Timestamp* out) {
  absl::CivilDay day;
  if (absl::ParseCivilTime(text, &day)) {
    if (next_day) day += 1;
    *out = newsdb::time::ToTimestamp(absl::FromCivil(day, DisplayZone()));
    return true;
  }
  absl::Time instant;
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, text, &instant, &error)) {
    *out = newsdb::time::ToTimestamp(instant);
    return true;
  }
  return false;
}

bool ParsePublished(newsdb::v1::TimeRange* range);

// --limit, or nullopt (with a message) if it is not positive.
std::optional<int> PositiveLimit() {
  const int limit = absl::GetFlag(FLAGS_limit);
  if (limit > 0) return limit;
  std::cerr << "newsctl: --limit must be positive\n";
  return std::nullopt;
}

int List() {
  newsdb::v1::ListArticlesRequest request;
  if (!ParsePublished(request.mutable_published())) return kExitUsage;
  const std::string order = absl::GetFlag(FLAGS_order);
  if (order == "oldest") {
    request.set_order(newsdb::v1::PUBLICATION_ORDER_OLDEST_FIRST);
  } else if (order == "newest") {
    request.set_order(newsdb::v1::PUBLICATION_ORDER_NEWEST_FIRST);
  } else {
    std::cerr << "newsctl: --order must be newest or oldest\n";
    return kExitUsage;
  }
  const std::optional<int> positive_limit = PositiveLimit();
  if (!positive_limit.has_value()) return kExitUsage;
  const int limit = *positive_limit;
  request.set_view(newsdb::v1::ARTICLE_VIEW_BASIC);
  auto stub = newsdb::v1::QueryService::NewStub(Connect(absl::GetFlag(FLAGS_query)));
  newsdb::v1::ListArticlesResponse all;
  while (all.articles_size() < limit) {
    request.set_page_size(std::min(limit - all.articles_size(), 1000));
    auto context = NewContext();
    newsdb::v1::ListArticlesResponse page;
    grpc::Status status = stub->ListArticles(context.get(), request, &page);
    if (!status.ok()) return ReportError("list", status);
    for (Article& article : *page.mutable_articles()) *all.add_articles() = std::move(article);
    all.set_next_page_token(page.next_page_token());
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  if (absl::GetFlag(FLAGS_json)) {
    std::cout << ToJson(all);
    return 0;
  }
  for (const Article& article : all.articles()) PrintArticleLine(article);
  std::cout << all.articles_size() << " article(s)"
            << (all.next_page_token().empty() ? "" : "; more with a higher --limit") << "\n";
  return 0;
}

bool ParsePublished(newsdb::v1::TimeRange* range) {
  const std::string from = absl::GetFlag(FLAGS_from);
  const std::string to = absl::GetFlag(FLAGS_to);
  if (!from.empty() && !ParseBound(from, false, range->mutable_start())) {
    std::cerr << "newsctl: --from must be YYYY-MM-DD or RFC 3339, got " << from << "\n";
    return false;
  }
  if (!to.empty() && !ParseBound(to, true, range->mutable_end())) {
    std::cerr << "newsctl: --to must be YYYY-MM-DD or RFC 3339, got " << to << "\n";
    return false;
  }
  return true;
}

// --sort and --facets into the request; false (after saying why) if either is not understood.
bool ParseSortAndFacets(newsdb::v1::SearchRequest& request) {
  const std::string sort = absl::GetFlag(FLAGS_sort);
  if (sort == "relevance") {
    request.set_sort(newsdb::v1::SEARCH_SORT_RELEVANCE);
  } else if (sort == "newest") {
    request.set_sort(newsdb::v1::SEARCH_SORT_NEWEST);
  } else if (sort == "oldest") {
    request.set_sort(newsdb::v1::SEARCH_SORT_OLDEST);
  } else if (sort == "views") {
    request.set_sort(newsdb::v1::SEARCH_SORT_MOST_VIEWED);
  } else {
    std::cerr << "newsctl: --sort must be relevance, newest, oldest or views\n";
    return false;
  }
  for (absl::string_view facet :
       absl::StrSplit(absl::GetFlag(FLAGS_facets), ',', absl::SkipEmpty())) {
    newsdb::v1::FacetRequest* wanted = request.add_facets();
    wanted->set_time_zone(absl::GetFlag(FLAGS_display_zone));
    if (facet == "credit") {
      wanted->set_kind(newsdb::v1::FACET_KIND_CREDIT);
    } else if (facet == "day") {
      wanted->set_kind(newsdb::v1::FACET_KIND_DAY);
    } else if (facet == "month") {
      wanted->set_kind(newsdb::v1::FACET_KIND_MONTH);
    } else {
      std::cerr << "newsctl: --facets takes credit, day and month\n";
      return false;
    }
  }
  return true;
}

void PrintSearchResults(const newsdb::v1::SearchResponse& all) {
  for (const auto& hit : all.hits()) {
    const Article& article = hit.article();
    std::cout << FormatTime(article.published_at()) << "  "
              << (article.credit().empty() ? "-" : article.credit()) << "  "
              << absl::StrFormat("%.2f", hit.score()) << "  " << article.id() << "\n  "
              << (hit.snippets().title().empty() ? article.title() : hit.snippets().title())
              << "\n";
    for (const std::string& fragment : hit.snippets().body()) {
      std::cout << "    " << fragment << "\n";
    }
  }
  std::cout << all.hits_size() << " of " << all.total_hits() << " matching article(s)\n";
  for (const auto& facet : all.facets()) {
    std::cout << "\n" << newsdb::v1::FacetKind_Name(facet.kind()).substr(11) << ":\n";
    for (const auto& bucket : facet.buckets()) {
      std::cout << "  " << bucket.value() << "  " << bucket.count();
      if (bucket.total_articles() > 0) std::cout << " of " << bucket.total_articles();
      std::cout << "\n";
    }
  }
}

int Search(const std::vector<std::string>& args) {
  if (args.size() != 1) {
    std::cerr << "newsctl: search needs exactly one QUERY argument (quote it)\n";
    return kExitUsage;
  }
  newsdb::v1::SearchRequest request;
  request.set_query(args[0]);
  if (!ParsePublished(request.mutable_filter()->mutable_published())) return kExitUsage;
  for (absl::string_view credit :
       absl::StrSplit(absl::GetFlag(FLAGS_credit), ',', absl::SkipEmpty())) {
    request.mutable_filter()->add_credits(std::string(credit));
  }
  if (!ParseSortAndFacets(request)) return kExitUsage;
  const std::optional<int> positive_limit = PositiveLimit();
  if (!positive_limit.has_value()) return kExitUsage;
  const int limit = *positive_limit;
  request.mutable_highlight()->set_enabled(true);
  // Bold on a terminal; markdown-style ** in a pipe or file; the API's <em> in JSON.
  const bool terminal = ::isatty(STDOUT_FILENO) != 0;
  const char* pre = absl::GetFlag(FLAGS_json) ? "<em>" : terminal ? "\x1b[1m" : "**";
  const char* post = absl::GetFlag(FLAGS_json) ? "</em>" : terminal ? "\x1b[0m" : "**";
  request.mutable_highlight()->set_pre_tag(pre);
  request.mutable_highlight()->set_post_tag(post);
  auto stub = newsdb::v1::QueryService::NewStub(Connect(absl::GetFlag(FLAGS_query)));
  newsdb::v1::SearchResponse all;
  while (all.hits_size() < limit) {
    request.set_page_size(std::min(limit - all.hits_size(), 100));
    auto context = NewContext();
    newsdb::v1::SearchResponse page;
    grpc::Status status = stub->Search(context.get(), request, &page);
    if (!status.ok()) return ReportError("search", status);
    if (all.hits_size() == 0) {
      all.set_total_hits(page.total_hits());
      *all.mutable_facets() = page.facets();
    }
    for (auto& hit : *page.mutable_hits()) *all.add_hits() = std::move(hit);
    all.set_next_page_token(page.next_page_token());
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  if (absl::GetFlag(FLAGS_json)) {
    std::cout << ToJson(all);
  } else {
    PrintSearchResults(all);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "newsctl COMMAND [ARGS] [--flags]\n"
      "  ingest FILE... [--source NAME] [--time_zone ZONE] [--progress auto|always|never]\n"
      "  get ID\n"
      "  list [--from DATE] [--to DATE] [--limit N] [--order newest|oldest]\n"
      "  search \"QUERY\" [--from DATE] [--to DATE] [--credit A,B] "
      "[--sort relevance|newest|oldest|views] [--facets credit,day,month] [--limit N]\n"
      "Global: --ingest=HOST:PORT --query=HOST:PORT --json --timeout=DURATION");
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() < 2) {
    std::cerr << absl::ProgramUsageMessage() << "\n";
    return kExitUsage;
  }
  const std::string command = positional[1];
  std::vector<std::string> args(positional.begin() + 2, positional.end());
  if (command == "ingest") return Ingest(args);
  if (command == "get") return Get(args);
  if (command == "search") return Search(args);
  if (command == "list") {
    if (!args.empty()) {
      std::cerr << "newsctl: list takes no positional arguments\n";
      return kExitUsage;
    }
    return List();
  }
  std::cerr << "newsctl: unknown command " << command << "\n"
            << absl::ProgramUsageMessage() << "\n";
  return kExitUsage;
}
