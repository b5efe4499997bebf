// newsdb-baseline-sqlite: SQLite FTS5 on the newsdb benchmark corpus and query mix, in process
// (bench/baselines/README.md has the schema, the tuning and why).
//
//   newsdb-baseline-sqlite --corpus DIR --db PATH --vocabulary FILE [--duration 20s]
//                          [--warmup 3s] [--clients 1|2] [--skip_ingest]
//
// 1. Ingest (unless --skip_ingest): parses every dump of DIR with newsdb's FeedParser and inserts
//    every article into `articles` and the external-content FTS5 table `fts`, 1000 articles per
//    transaction; then FTS5 'optimize' and ANALYZE, timed separately. Prints a markdown table.
// 2. Search: the standard mix of newsdb-bench (query_mix.h), each variant once (a check), then the
//    timed run from --clients threads, one connection each. Prints newsdb-bench's table.
// 3. Prints the peak RSS (VmHWM).
//
// Exit codes: 0 success; 1 a search or the ingest failed; 2 bad usage or unreadable input.

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <iostream>
#include <map>
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

ABSL_FLAG(int, batch, 10000, "Articles per ingest transaction.");
ABSL_FLAG(std::string, synchronous, "OFF",
          "PRAGMA synchronous during the bulk load (WAL mode; NORMAL afterwards). OFF, SQLite's "
          "bulk-load advice, syncs nothing until the load ends.");
ABSL_FLAG(int, page_size, 8192, "PRAGMA page_size of the new database, bytes.");
ABSL_FLAG(int, fts5_pgsz, 0,
          "FTS5 'pgsz' (leaf page size of the index), bytes; 0: FTS5's default.");
ABSL_FLAG(int, wal_autocheckpoint, 1000, "PRAGMA wal_autocheckpoint during ingest, pages.");
ABSL_FLAG(bool, deferred_indexes, false,
          "Create the published/credit/views indexes after the articles are loaded (their time "
          "counts as ingest) instead of maintaining them row by row.");
ABSL_FLAG(int, fts5_hashsize_mb, 64,
          "FTS5 'hashsize' (pending index data kept in memory before a segment is written), "
          "MiB; 0: FTS5's default (1 MiB).");
ABSL_FLAG(int, cache_mb, 256, "Page cache of each connection (PRAGMA cache_size), MiB.");
ABSL_FLAG(std::string, sql, "tuned",
          "Statement shapes: `join` (fts JOIN articles everywhere, the planner's choice) or "
          "`tuned` (filters become a set of ids that the FTS5 scan probes; sorts walk the sort "
          "column's index and the credit facet the credit index, keeping the ids in the set of "
          "matches; see README).");
ABSL_FLAG(int, mmap_mb, 0, "PRAGMA mmap_size of each search connection, MiB (0: off).");

namespace {

using newsdb::bench::BenchQuery;
using newsdb::bench::MatchKind;
using newsdb::bench::SearchOutcome;
using newsdb::bench::SortKind;

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

// Title weight of bm25(): newsdb weights the title 2.5, the body 1.0.
constexpr const char* kBm25 = "bm25(fts, 2.5, 1.0)";

class Statement;

// One connection; statements are prepared once per SQL text and reused.
class Connection {
 public:
  Connection(const std::string& path, int flags) {
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      db_ = nullptr;
      throw std::runtime_error(absl::StrCat("open ", path, ": ", message));
    }
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() { Close(); }

  void Close();

  void Exec(const std::string& sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      const std::string text = message != nullptr ? message : sqlite3_errmsg(db_);
      sqlite3_free(message);
      throw std::runtime_error(absl::StrCat(sql, ": ", text));
    }
  }

  // A prepared statement for `sql`, reset and with its bindings cleared.
  Statement& Prepare(const std::string& sql);

  sqlite3* get() const { return db_; }
  std::string Error() const { return sqlite3_errmsg(db_); }

 private:
  sqlite3* db_ = nullptr;
  std::map<std::string, std::unique_ptr<Statement>> statements_;
};

class Statement {
 public:
  Statement(Connection& connection, const std::string& sql) : connection_(connection), sql_(sql) {
    if (sqlite3_prepare_v3(connection.get(), sql.c_str(), static_cast<int>(sql.size()),
                           SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) != SQLITE_OK) {
      throw std::runtime_error(absl::StrCat("prepare ", sql, ": ", connection.Error()));
    }
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt_); }

  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  void Bind(int index, int64_t value) { Check(sqlite3_bind_int64(stmt_, index, value)); }
  void Bind(int index, const std::string& value) {
    Check(sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()),
                            SQLITE_STATIC));
  }
  // True while there is a row; throws on an error.
  bool Step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw std::runtime_error(absl::StrCat(sql_, ": ", connection_.Error()));
  }
  int64_t Int(int column) const { return sqlite3_column_int64(stmt_, column); }
  double Double(int column) const { return sqlite3_column_double(stmt_, column); }
  std::string Text(int column) const {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return text == nullptr
               ? std::string()
               : std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
  }

 private:
  void Check(int rc) {
    if (rc != SQLITE_OK) throw std::runtime_error(absl::StrCat("bind: ", connection_.Error()));
  }

  Connection& connection_;
  std::string sql_;
  sqlite3_stmt* stmt_ = nullptr;
};

Statement& Connection::Prepare(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    it = statements_.emplace(sql, std::make_unique<Statement>(*this, sql)).first;
  }
  it->second->Reset();
  return *it->second;
}

void Connection::Close() {
  statements_.clear();
  if (db_ != nullptr) {
    sqlite3_close(db_);
    db_ = nullptr;
  }
}

void SetPragmas(Connection& connection) {
  connection.Exec(absl::StrCat("PRAGMA cache_size = -", absl::GetFlag(FLAGS_cache_mb) * 1024));
  connection.Exec("PRAGMA temp_store = MEMORY");
}

// ---------------------------------------------------------------------------------------------
// ingest

int64_t SqliteBytes(const std::string& path) {
  return newsdb::bench::DiskBytes(path) + newsdb::bench::DiskBytes(path + "-wal") +
         newsdb::bench::DiskBytes(path + "-shm");
}

void CreateIndexes(Connection& db) {
  db.Exec("CREATE INDEX articles_published ON articles (published)");
  db.Exec("CREATE INDEX articles_credit ON articles (credit)");
  db.Exec("CREATE INDEX articles_views ON articles (views)");
}

// The bulk-load settings and the schema of a new database (bench/baselines/README.md).
void CreateDatabase(Connection& db) {
  db.Exec(absl::StrCat("PRAGMA page_size = ", absl::GetFlag(FLAGS_page_size)));
  db.Exec("PRAGMA journal_mode = WAL");
  db.Exec(absl::StrCat("PRAGMA synchronous = ", absl::GetFlag(FLAGS_synchronous)));
  db.Exec(absl::StrCat("PRAGMA wal_autocheckpoint = ", absl::GetFlag(FLAGS_wal_autocheckpoint)));
  // Debian builds SQLite with SECURE_DELETE on: every freed page (FTS5 segment merges free many)
  // would be overwritten with zeros. Nothing here needs that.
  db.Exec("PRAGMA secure_delete = OFF");
  SetPragmas(db);
  db.Exec(
      "CREATE TABLE articles (id INTEGER PRIMARY KEY, published INTEGER NOT NULL, "
      "views INTEGER NOT NULL, credit TEXT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL)");
  if (!absl::GetFlag(FLAGS_deferred_indexes)) CreateIndexes(db);
  // External content: FTS5 keeps only the index; snippet() and highlight() read the text from
  // `articles`, so the text is stored once.
  db.Exec(
      "CREATE VIRTUAL TABLE fts USING fts5(title, body, content='articles', content_rowid='id', "
      "tokenize='porter unicode61')");
  const int hashsize_mb = absl::GetFlag(FLAGS_fts5_hashsize_mb);
  if (hashsize_mb > 0) {
    db.Exec(
        absl::StrCat("INSERT INTO fts (fts, rank) VALUES ('hashsize', ", hashsize_mb << 20, ")"));
  }
  if (const int pgsz = absl::GetFlag(FLAGS_fts5_pgsz); pgsz > 0) {
    db.Exec(absl::StrCat("INSERT INTO fts (fts, rank) VALUES ('pgsz', ", pgsz, ")"));
  }
}

int Ingest(const std::string& corpus, const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::error_code ec;
    std::filesystem::remove(path + suffix, ec);
  }
  Connection db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX);
  CreateDatabase(db);
  const int batch = std::max(1, absl::GetFlag(FLAGS_batch));
  newsdb::bench::CorpusStats stats;
  std::string error;
  int64_t in_batch = 0;
  int64_t next_id = 1;
  std::string body;
  const newsdb::bench::Stopwatch stopwatch;
  db.Exec("BEGIN");
  const bool ok = newsdb::bench::ForEachCorpusArticle(
      corpus,
      [&](const newsdb::ingest::ParsedArticle& article) {
        body = absl::StrJoin(article.paragraphs, "\n");
        const int64_t id = next_id++;
        Statement& insert = db.Prepare(
            "INSERT INTO articles (id, published, views, credit, title, body) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
        insert.Bind(1, id);
        insert.Bind(2, absl::ToUnixSeconds(article.published));
        insert.Bind(3, article.views);
        insert.Bind(4, article.credit);
        insert.Bind(5, article.title);
        insert.Bind(6, body);
        insert.Step();
        Statement& index = db.Prepare("INSERT INTO fts (rowid, title, body) VALUES (?1, ?2, ?3)");
        index.Bind(1, id);
        index.Bind(2, article.title);
        index.Bind(3, body);
        index.Step();
        if (++in_batch == batch) {
          db.Exec("COMMIT");
          db.Exec("BEGIN");
          in_batch = 0;
        }
      },
      stats, error);
  if (!ok) {
    std::cerr << "newsdb-baseline-sqlite: " << error << "\n";
    return kExitUsage;
  }
  db.Exec("COMMIT");
  if (absl::GetFlag(FLAGS_deferred_indexes)) CreateIndexes(db);
  db.Exec("PRAGMA synchronous = NORMAL");
  db.Exec("PRAGMA wal_checkpoint(FULL)");  // the load is durable before it counts as done
  const double ingest_seconds = stopwatch.Seconds();
  const int64_t size_after_ingest = SqliteBytes(path);

  const newsdb::bench::Stopwatch optimize_watch;
  db.Exec("INSERT INTO fts (fts) VALUES ('optimize')");
  db.Exec("ANALYZE");
  db.Exec("PRAGMA optimize");
  db.Exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.Close();
  const double optimize_seconds = optimize_watch.Seconds();
  const int64_t size_after_optimize = SqliteBytes(path);

  const double mb = static_cast<double>(stats.bytes) / 1e6;
  std::cout << "| files | MB | articles | parse errors | duplicate ids | seconds | articles/s | "
               "MB/s | size after ingest MiB | optimize s | size after optimize MiB |\n"
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

// An FTS5 string: "..." with " doubled. Inside a string FTS5 runs the tokenizer, so a string of
// several words ("Kassym-Jomart Tokayev") is a phrase, and no word is read as an operator.
std::string Fts5String(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    out += c;
    if (c == '"') out += '"';
  }
  out += '"';
  return out;
}

std::string MatchExpression(const BenchQuery& query) {
  std::vector<std::string> parts;
  switch (query.kind) {
    case MatchKind::kAllOf:
    case MatchKind::kAnyOf:
      for (const std::string& word : query.words) parts.push_back(Fts5String(word));
      return absl::StrJoin(parts, query.kind == MatchKind::kAllOf ? " " : " OR ");
    case MatchKind::kPhrase:
      return Fts5String(query.phrase);
  }
  return "";
}

class SqliteSearcher : public newsdb::bench::Searcher {
 public:
  explicit SqliteSearcher(const std::string& path)
      : db_(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX) {
    SetPragmas(db_);
    const int mmap_mb = absl::GetFlag(FLAGS_mmap_mb);
    if (mmap_mb > 0) {
      db_.Exec(absl::StrCat("PRAGMA mmap_size = ", int64_t{mmap_mb} << 20));
    }
  }

  SearchOutcome Search(const BenchQuery& query) override {
    const std::string match = MatchExpression(query);
    SearchOutcome outcome;
    CountHits(query, match, outcome);
    Statement& page = db_.Prepare(absl::StrCat(PageSql(query), " LIMIT ", query.page_size));
    Bind(page, query, match);
    ids_.clear();
    scores_.clear();
    while (page.Step()) {
      ids_.push_back(page.Int(0));
      scores_.push_back(page.Double(1));
    }
    outcome.hits = static_cast<int64_t>(ids_.size());
    ReadHits(query, match, outcome);
    return outcome;
  }

 private:
  // ?1 is the match expression, ?2... the filters on `articles`.
  static bool HasFilters(const BenchQuery& query) {
    return query.published_start.has_value() || query.credit.has_value();
  }
  // The SQL of the filters with their columns qualified by `qualifier`, "" if there is none.
  static std::string Filters(const BenchQuery& query, const std::string& qualifier) {
    std::vector<std::string> parts;
    int next = 2;
    if (query.published_start.has_value()) {
      parts.push_back(absl::StrCat(qualifier, "published >= ?", next, " AND ", qualifier,
                                   "published < ?", next + 1));
      next += 2;
    }
    if (query.credit.has_value()) parts.push_back(absl::StrCat(qualifier, "credit = ?", next));
    return absl::StrJoin(parts, " AND ");
  }
  // " AND <filters>" or "".
  static std::string AndFilters(const BenchQuery& query, const std::string& qualifier) {
    return HasFilters(query) ? absl::StrCat(" AND ", Filters(query, qualifier)) : "";
  }
  static void Bind(Statement& s, const BenchQuery& query, const std::string& match) {
    s.Bind(1, match);
    int next = 2;
    if (query.published_start.has_value()) {
      s.Bind(next++, *query.published_start);
      s.Bind(next++, *query.published_end);
    }
    if (query.credit.has_value()) s.Bind(next, *query.credit);
  }
  static constexpr const char* kJoin = "fts JOIN articles a ON a.id = fts.rowid WHERE fts MATCH ?1";
  static constexpr const char* kMatchingIds = "SELECT rowid FROM fts WHERE fts MATCH ?1";
  // Tuned filters: the ids that pass them, found with the B-tree indexes, become a set that the
  // scan of the FTS5 matches probes. The unary + keeps the planner from turning the set into one
  // FTS5 lookup per id (which re-reads the doclists for every id).
  static std::string InFiltered(const BenchQuery& query) {
    return absl::StrCat("fts MATCH ?1 AND +rowid IN (SELECT id FROM articles WHERE ",
                        Filters(query, ""), ")");
  }

  // Total hits. With the credit facet, one GROUP BY over the matches gives both the facet and the
  // total (the sum of all groups, including articles without a credit).
  void CountHits(const BenchQuery& query, const std::string& match, SearchOutcome& outcome) {
    if (query.credit_facet) {
      Statement& facet = db_.Prepare(
          tuned_ ? absl::StrCat("SELECT credit, count(*) FROM articles INDEXED BY articles_credit "
                                "WHERE id IN (",
                                kMatchingIds, ")", AndFilters(query, ""), " GROUP BY credit")
                 : absl::StrCat("SELECT a.credit, count(*) FROM ", kJoin, AndFilters(query, "a."),
                                " GROUP BY a.credit"));
      Bind(facet, query, match);
      std::vector<std::pair<int64_t, std::string>> counts;
      while (facet.Step()) {
        const int64_t n = facet.Int(1);
        outcome.total_hits += n;
        std::string credit = facet.Text(0);
        if (!credit.empty()) counts.emplace_back(-n, std::move(credit));
      }
      const size_t top = std::min(counts.size(), static_cast<size_t>(query.facet_top));
      std::partial_sort(counts.begin(), counts.begin() + static_cast<ptrdiff_t>(top), counts.end());
      outcome.facet_values = static_cast<int64_t>(top);
      return;
    }
    Statement& count = db_.Prepare(
        !HasFilters(query) ? std::string("SELECT count(*) FROM fts WHERE fts MATCH ?1")
        : tuned_           ? absl::StrCat("SELECT count(*) FROM fts WHERE ", InFiltered(query))
                           : absl::StrCat("SELECT count(*) FROM ", kJoin, AndFilters(query, "a.")));
    Bind(count, query, match);
    if (count.Step()) outcome.total_hits = count.Int(0);
  }

  // The page: ids (and the score for relevance) only, so the sorter holds small rows.
  std::string PageSql(const BenchQuery& query) const {
    if (query.sort == SortKind::kRelevance) {
      return !HasFilters(query)
                 ? absl::StrCat("SELECT rowid, ", kBm25,
                                " AS score FROM fts WHERE fts MATCH ?1 ORDER BY score")
             : tuned_ ? absl::StrCat("SELECT rowid, ", kBm25, " AS score FROM fts WHERE ",
                                     InFiltered(query), " ORDER BY score")
                      : absl::StrCat("SELECT fts.rowid, ", kBm25, " AS score FROM ", kJoin,
                                     AndFilters(query, "a."), " ORDER BY score");
    }
    const bool newest = query.sort == SortKind::kNewest;
    // Tuned: walk the index of the sort column from its end and keep the ids that match (a set
    // built once from the FTS5 doclist); stops after page_size of them. Ties: newest id.
    return tuned_ ? absl::StrCat("SELECT id, NULL FROM articles INDEXED BY ",
                                 newest ? "articles_published" : "articles_views", " WHERE id IN (",
                                 kMatchingIds, ")", AndFilters(query, ""), " ORDER BY ",
                                 newest ? "published" : "views", " DESC")
                  : absl::StrCat("SELECT fts.rowid, NULL FROM ", kJoin, AndFilters(query, "a."),
                                 " ORDER BY ",
                                 newest ? "a.published DESC, a.id DESC"
                                        : "a.views DESC, a.published DESC, a.id DESC");
  }

  // The hits of ids_: what newsdb returns (view BASIC: title, credit, time, views, score), and
  // the snippets if asked. bm25() is negative in FTS5 (smaller is better): the score is its
  // negation.
  void ReadHits(const BenchQuery& query, const std::string& match, SearchOutcome& outcome) {
    for (size_t i = 0; i < ids_.size(); ++i) {
      Statement& row =
          db_.Prepare("SELECT title, credit, published, views FROM articles WHERE id = ?1");
      row.Bind(1, ids_[i]);
      if (!row.Step()) throw std::runtime_error(absl::StrCat("article ", ids_[i], " vanished"));
      const std::string title = row.Text(0);
      const std::string credit = row.Text(1);
      const int64_t published = row.Int(2);
      const int64_t views = row.Int(3);
      double score = -scores_[i];
      outcome.snippet_bytes +=
          static_cast<int64_t>(title.size() + credit.size()) + ((published + views) & 1);
      std::string title_snippet;
      std::string body_snippet;
      if (query.highlight) {
        Statement& snippet =
            db_.Prepare(absl::StrCat("SELECT highlight(fts, 0, '<em>', '</em>'), "
                                     "snippet(fts, 1, '<em>', '</em>', '…', 32), ",
                                     kBm25, " FROM fts WHERE fts MATCH ?1 AND rowid = ?2"));
        snippet.Bind(1, match);
        snippet.Bind(2, ids_[i]);
        if (snippet.Step()) {
          title_snippet = snippet.Text(0);
          body_snippet = snippet.Text(1);
          score = -snippet.Double(2);
          outcome.snippet_bytes += static_cast<int64_t>(title_snippet.size() + body_snippet.size());
        }
      }
      if (i != 0) continue;
      outcome.first_hit = absl::StrCat(
          absl::FormatTime("%Y-%m-%d %H:%M UTC", absl::FromUnixSeconds(published),
                           absl::UTCTimeZone()),
          ", views ", views, ", credit `", credit, "`, score ", absl::StrFormat("%.3f", score),
          ": ", title,
          query.highlight ? absl::StrCat(" | title: ", title_snippet, " | body: ", body_snippet)
                          : "");
    }
  }

  Connection db_;
  const bool tuned_ = absl::GetFlag(FLAGS_sql) == "tuned";
  std::vector<int64_t> ids_;
  std::vector<double> scores_;
};

// The publication range of the stored articles (what newsdb-bench asks ListArticles for).
bool CorpusEdges(const std::string& path, absl::Time& oldest, absl::Time& newest) {
  Connection db(path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX);
  Statement& s = db.Prepare("SELECT min(published), max(published), count(*) FROM articles");
  if (!s.Step() || s.Int(2) == 0) return false;
  oldest = absl::FromUnixSeconds(s.Int(0));
  newest = absl::FromUnixSeconds(s.Int(1));
  return true;
}

int Run() {
  newsdb::bench::BaselineEngine engine;
  engine.program = "newsdb-baseline-sqlite";
  engine.title = absl::StrCat("SQLite ", sqlite3_libversion(), " FTS5, in process");
  engine.target =
      absl::StrCat("SQLite ", sqlite3_libversion(), " FTS5 in process, one connection per client");
  engine.ingest = Ingest;
  engine.corpus_edges = CorpusEdges;
  engine.new_searcher = [](const std::string& db) -> std::unique_ptr<newsdb::bench::Searcher> {
    return std::make_unique<SqliteSearcher>(db);
  };
  return newsdb::bench::RunBaseline(engine);
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "SQLite FTS5 baseline of the newsdb benchmark.\n"
      "  newsdb-baseline-sqlite --corpus DIR --db PATH --vocabulary FILE [--duration 20s] "
      "[--clients 1|2] [--skip_ingest]");
  const std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() > 1) {
    std::cerr << "newsdb-baseline-sqlite: unexpected argument " << positional[1] << "\n";
    return kExitUsage;
  }
  // No global allocation statistics: they take a process-wide mutex on every allocation, which
  // serialises the connections of concurrent clients (SQLite's advice for threaded use).
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  try {
    return Run();
  } catch (const std::exception& e) {
    std::cerr << "newsdb-baseline-sqlite: " << e.what() << "\n";
    return kExitFailed;
  }
}
