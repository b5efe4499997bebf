// newsdb-baseline-xapian: Xapian on the newsdb benchmark corpus and query mix, in process
// (bench/baselines/README.md has the document layout, the tuning and why).
//
//   newsdb-baseline-xapian --corpus DIR --db PATH --vocabulary FILE [--duration 20s]
//                          [--warmup 3s] [--clients 1|2] [--skip_ingest]
//
// 1. Ingest (unless --skip_ingest): parses every dump of DIR with newsdb's FeedParser and adds
//    every article to a glass WritableDatabase (TermGenerator, English Snowball stemmer,
//    positions), committing every 1000 articles; then compacts the database, timed separately.
//    Prints a markdown table.
// 2. Search: the standard mix of newsdb-bench (query_mix.h), each variant once (a check), then the
//    timed run from --clients threads, one Xapian::Database each. Prints newsdb-bench's table.
// 3. Prints the peak RSS (VmHWM).
//
// Exit codes: 0 success; 1 a search or the ingest failed; 2 bad usage or unreadable input.

#include <xapian.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "bench/baselines/baseline_run.h"
#include "tools/bench/query_mix.h"

ABSL_FLAG(int, batch, 1000, "Articles per commit.");
ABSL_FLAG(bool, compact, true, "Compact the database after the ingest (timed separately).");
ABSL_FLAG(unsigned, snippet_flags, Xapian::MSet::SNIPPET_EXHAUSTIVE,
          "MSet::snippet flags of the body snippet (1: SNIPPET_BACKGROUND_MODEL, 2: "
          "SNIPPET_EXHAUSTIVE; Xapian's default is 3).");
ABSL_FLAG(int, title_wdf, 3,
          "wdf_inc of the unprefixed title terms (body: 1); newsdb weights the title 2.5.");

namespace {

using newsdb::bench::BenchQuery;
using newsdb::bench::MatchKind;
using newsdb::bench::SearchOutcome;
using newsdb::bench::SortKind;

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

// Value slots.
constexpr Xapian::valueno kSlotPublished = 0;  // sortable_serialise(Unix seconds)
constexpr Xapian::valueno kSlotViews = 1;      // sortable_serialise(views)
constexpr Xapian::valueno kSlotCredit = 2;     // the credit, as is (absent: no credit)
// Term prefixes.
constexpr const char* kTitlePrefix = "S";    // title words (also indexed without prefix)
constexpr const char* kCreditPrefix = "XC";  // boolean term: the whole credit
// Document data: title, credit, body (paragraphs joined by '\n'), separated by this byte.
constexpr char kDataSeparator = '\x1f';
// Positions left between paragraphs (and between title and body), as newsdb does, so that a
// phrase never spans two paragraphs.
constexpr Xapian::termpos kParagraphGap = 8;

Xapian::Stem Stemmer() { return Xapian::Stem("en"); }

// ---------------------------------------------------------------------------------------------
// ingest

int Ingest(const std::string& corpus, const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  std::filesystem::remove_all(path + ".compact", ec);
  // DB_NO_SYNC: commits are still atomic (a crashed process leaves the last commit), but not
  // fsync'ed: the durability of SQLite's WAL with synchronous=NORMAL and of newsdb's default
  // (--sync_writes=false).
  Xapian::WritableDatabase db(path, Xapian::DB_CREATE_OR_OVERWRITE | Xapian::DB_NO_SYNC);
  Xapian::TermGenerator generator;
  generator.set_stemmer(Stemmer());
  // Stemmed terms only, with positions, and no unstemmed copies: what newsdb indexes. The "Z"
  // prefix of stemmed terms is what MSet::snippet() looks for to mark stemmed words.
  generator.set_stemming_strategy(Xapian::TermGenerator::STEM_ALL_Z);
  const Xapian::termcount title_wdf =
      static_cast<Xapian::termcount>(std::max(1, absl::GetFlag(FLAGS_title_wdf)));

  const int batch = std::max(1, absl::GetFlag(FLAGS_batch));
  newsdb::bench::CorpusStats stats;
  std::string error;
  int64_t in_batch = 0;
  std::string data;
  const newsdb::bench::Stopwatch stopwatch;
  const bool ok = newsdb::bench::ForEachCorpusArticle(
      corpus,
      [&](const newsdb::ingest::ParsedArticle& article) {
        Xapian::Document doc;
        generator.set_document(doc);
        generator.index_text(article.title, 1, kTitlePrefix);
        generator.increase_termpos(kParagraphGap);
        generator.index_text(article.title, title_wdf);
        for (const std::string& paragraph : article.paragraphs) {
          generator.increase_termpos(kParagraphGap);
          generator.index_text(paragraph);
        }
        doc.add_value(kSlotPublished, Xapian::sortable_serialise(static_cast<double>(
                                          absl::ToUnixSeconds(article.published))));
        doc.add_value(kSlotViews, Xapian::sortable_serialise(static_cast<double>(article.views)));
        if (!article.credit.empty()) {
          doc.add_value(kSlotCredit, article.credit);
          doc.add_boolean_term(absl::StrCat(kCreditPrefix, article.credit));
        }
        data.clear();
        absl::StrAppend(&data, article.title, std::string(1, kDataSeparator), article.credit,
                        std::string(1, kDataSeparator));
        for (size_t i = 0; i < article.paragraphs.size(); ++i) {
          if (i > 0) data += '\n';
          data += article.paragraphs[i];
        }
        doc.set_data(data);
        db.add_document(doc);
        if (++in_batch == batch) {
          db.commit();
          in_batch = 0;
        }
      },
      stats, error);
  if (!ok) {
    std::cerr << "newsdb-baseline-xapian: " << error << "\n";
    return kExitUsage;
  }
  db.commit();
  db.close();
  const double ingest_seconds = stopwatch.Seconds();
  const int64_t size_after_ingest = newsdb::bench::DiskBytes(path);

  double optimize_seconds = 0;
  int64_t size_after_optimize = size_after_ingest;
  if (absl::GetFlag(FLAGS_compact)) {
    const newsdb::bench::Stopwatch optimize_watch;
    {
      Xapian::Database source(path);
      source.compact(path + ".compact");
    }
    std::filesystem::remove_all(path);
    std::filesystem::rename(path + ".compact", path);
    optimize_seconds = optimize_watch.Seconds();
    size_after_optimize = newsdb::bench::DiskBytes(path);
  }

  const double mb = static_cast<double>(stats.bytes) / 1e6;
  std::cout << "| files | MB | articles | parse errors | duplicate ids | seconds | articles/s | "
               "MB/s | size after ingest MiB | compact s | size after compact MiB |\n"
            << "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
            << absl::StrFormat(
                   "| %d | %.1f | %d | %d | %d | %.1f | %.0f | %.2f | %s | %.1f | %s |\n",
                   stats.files, mb, stats.articles, stats.errors, stats.duplicates, ingest_seconds,
                   static_cast<double>(stats.articles) / ingest_seconds, mb / ingest_seconds,
                   newsdb::bench::MiB(size_after_ingest), optimize_seconds,
                   newsdb::bench::MiB(size_after_optimize))
            << "\n";
  std::cout << absl::StrFormat("Peak RSS after ingest: %s MiB.\n\n",
                               newsdb::bench::MiB(newsdb::bench::PeakRssKb() * 1024));
  std::cout.flush();
  return 0;
}

// ---------------------------------------------------------------------------------------------
// search

class XapianSearcher : public newsdb::bench::Searcher {
 public:
  explicit XapianSearcher(const std::string& path) : db_(path), enquire_(db_) {
    parser_.set_stemmer(Stemmer());
    parser_.set_stemming_strategy(Xapian::QueryParser::STEM_ALL_Z);
    parser_.set_default_op(Xapian::Query::OP_AND);
  }

  SearchOutcome Search(const BenchQuery& query) override {
    try {
      return SearchOrThrow(query);
    } catch (const Xapian::Error& e) {  // not a std::exception
      throw std::runtime_error(e.get_description());
    }
  }

 private:
  SearchOutcome SearchOrThrow(const BenchQuery& query) {
    // The query text in Xapian's own syntax; the QueryParser analyses it like the TermGenerator.
    std::string text;
    switch (query.kind) {
      case MatchKind::kAllOf:
        text = absl::StrJoin(query.words, " ");
        break;
      case MatchKind::kAnyOf:
        text = absl::StrJoin(query.words, " OR ");
        break;
      case MatchKind::kPhrase:
        text = absl::StrCat("\"", query.phrase, "\"");
        break;
    }
    Xapian::Query q = parser_.parse_query(text, Xapian::QueryParser::FLAG_DEFAULT);
    if (query.published_start.has_value()) {
      // OP_VALUE_RANGE is inclusive; the filter is [start, end) in whole seconds.
      q = Xapian::Query(
          Xapian::Query::OP_FILTER, q,
          Xapian::Query(Xapian::Query::OP_VALUE_RANGE, kSlotPublished,
                        Xapian::sortable_serialise(static_cast<double>(*query.published_start)),
                        Xapian::sortable_serialise(static_cast<double>(*query.published_end - 1))));
    }
    if (query.credit.has_value()) {
      q = Xapian::Query(Xapian::Query::OP_FILTER, q,
                        Xapian::Query(absl::StrCat(kCreditPrefix, *query.credit)));
    }
    enquire_.set_query(q);
    switch (query.sort) {
      case SortKind::kRelevance:
        enquire_.set_sort_by_relevance();
        break;
      case SortKind::kNewest:
        enquire_.set_sort_by_value(kSlotPublished, true);
        break;
      case SortKind::kMostViewed:
        enquire_.set_sort_by_value(kSlotViews, true);
        break;
    }
    enquire_.clear_matchspies();
    std::unique_ptr<Xapian::ValueCountMatchSpy> spy;
    if (query.credit_facet) {
      spy = std::make_unique<Xapian::ValueCountMatchSpy>(kSlotCredit);
      enquire_.add_matchspy(spy.get());
    }
    // check_at_least = every document: the match visits all matches, so the count is exact and the
    // match spy sees every match.
    const Xapian::MSet mset =
        enquire_.get_mset(0, static_cast<Xapian::doccount>(query.page_size), db_.get_doccount());
    if (mset.get_matches_lower_bound() != mset.get_matches_upper_bound()) {
      throw std::runtime_error(absl::StrCat("inexact count for ", text));
    }
    SearchOutcome outcome;
    outcome.total_hits = mset.get_matches_estimated();
    outcome.hits = mset.size();
    if (spy != nullptr) {
      const Xapian::doccount top = static_cast<Xapian::doccount>(query.facet_top);
      for (auto it = spy->top_values_begin(top); it != spy->top_values_end(top); ++it) {
        outcome.facet_values += static_cast<int64_t>((*it).empty() ? 0 : 1);
        outcome.snippet_bytes += it.get_termfreq() & 1;
      }
      enquire_.clear_matchspies();
    }
    // The hits: what newsdb returns (view BASIC), and the snippets if asked.
    for (auto it = mset.begin(); it != mset.end(); ++it) {
      const Xapian::Document doc = it.get_document();
      const std::string data = doc.get_data();
      const size_t title_end = data.find(kDataSeparator);
      const size_t credit_end = data.find(kDataSeparator, title_end + 1);
      if (title_end == std::string::npos || credit_end == std::string::npos) {
        throw std::runtime_error("bad document data");
      }
      const double published = Xapian::sortable_unserialise(doc.get_value(kSlotPublished));
      const double views = Xapian::sortable_unserialise(doc.get_value(kSlotViews));
      outcome.snippet_bytes += static_cast<int64_t>(credit_end) +
                               static_cast<int64_t>(published + views + it.get_weight()) % 2;
      std::string title_snippet;
      std::string body_snippet;
      const std::string title = data.substr(0, title_end);
      if (query.highlight) {
        const std::string body = data.substr(credit_end + 1);
        title_snippet = mset.snippet(
            title, title.size() + 1, stemmer_,
            Xapian::MSet::SNIPPET_EXHAUSTIVE | Xapian::MSet::SNIPPET_EMPTY_WITHOUT_MATCH, "<em>",
            "</em>", "…");
        body_snippet = mset.snippet(body, 320, stemmer_, absl::GetFlag(FLAGS_snippet_flags), "<em>",
                                    "</em>", "…");
        outcome.snippet_bytes += static_cast<int64_t>(title_snippet.size() + body_snippet.size());
      }
      if (it == mset.begin()) {
        outcome.first_hit = absl::StrCat(
            absl::FormatTime("%Y-%m-%d %H:%M UTC",
                             absl::FromUnixSeconds(static_cast<int64_t>(published)),
                             absl::UTCTimeZone()),
            ", views ", static_cast<int64_t>(views), ", credit `",
            data.substr(title_end + 1, credit_end - title_end - 1), "`, score ",
            absl::StrFormat("%.3f", it.get_weight()), ": ", title,
            query.highlight ? absl::StrCat(" | title: ", title_snippet, " | body: ", body_snippet)
                            : "");
      }
    }
    return outcome;
  }

  Xapian::Database db_;
  Xapian::Enquire enquire_;
  Xapian::QueryParser parser_;
  Xapian::Stem stemmer_ = Stemmer();
};

// The publication range of the stored articles (what newsdb-bench asks ListArticles for).
bool CorpusEdges(const std::string& path, absl::Time& oldest, absl::Time& newest) {
  Xapian::Database db(path);
  if (db.get_doccount() == 0) return false;
  oldest = absl::FromUnixSeconds(
      static_cast<int64_t>(Xapian::sortable_unserialise(db.get_value_lower_bound(kSlotPublished))));
  newest = absl::FromUnixSeconds(
      static_cast<int64_t>(Xapian::sortable_unserialise(db.get_value_upper_bound(kSlotPublished))));
  return true;
}

int Run() {
  newsdb::bench::BaselineEngine engine;
  engine.program = "newsdb-baseline-xapian";
  engine.title = absl::StrCat("Xapian ", Xapian::version_string(), ", in process");
  engine.target =
      absl::StrCat("Xapian ", Xapian::version_string(), " in process, one Database per client");
  engine.ingest = Ingest;
  engine.corpus_edges = CorpusEdges;
  engine.new_searcher = [](const std::string& db) -> std::unique_ptr<newsdb::bench::Searcher> {
    return std::make_unique<XapianSearcher>(db);
  };
  return newsdb::bench::RunBaseline(engine);
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Xapian baseline of the newsdb benchmark.\n"
      "  newsdb-baseline-xapian --corpus DIR --db PATH --vocabulary FILE [--duration 20s] "
      "[--clients 1|2] [--skip_ingest]");
  const std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() > 1) {
    std::cerr << "newsdb-baseline-xapian: unexpected argument " << positional[1] << "\n";
    return kExitUsage;
  }
  try {
    return Run();
  } catch (const Xapian::Error& e) {
    std::cerr << "newsdb-baseline-xapian: " << e.get_description() << "\n";
    return kExitFailed;
  } catch (const std::exception& e) {
    std::cerr << "newsdb-baseline-xapian: " << e.what() << "\n";
    return kExitFailed;
  }
}
