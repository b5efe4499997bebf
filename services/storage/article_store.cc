#include "services/storage/article_store.h"

#include <algorithm>
#include <map>
#include <string>
#include <thread>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "common/article/request_fields.h"
#include "common/log/log.h"
#include "common/status/field_errors.h"
#include "common/status/status_macros.h"
#include "common/time/timestamp.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"

namespace newsdb::storage {
namespace {

// Parses an `articles` value. Without paragraphs their bytes are skipped unparsed, so a page of
// BASIC hits or a titles-only scan copies no article bodies. False if the value is malformed.
bool ParseStoredArticle(absl::string_view value, bool with_paragraphs, v1::Article* article) {
  if (with_paragraphs) return article->ParseFromArray(value.data(), static_cast<int>(value.size()));
  using google::protobuf::internal::WireFormatLite;
  google::protobuf::io::CodedInputStream input(reinterpret_cast<const uint8_t*>(value.data()),
                                               static_cast<int>(value.size()));
  std::string kept;
  while (true) {
    const int start = input.CurrentPosition();
    const uint32_t tag = input.ReadTag();
    if (tag == 0) break;  // the end, or a malformed tag (checked below)
    if (!WireFormatLite::SkipField(&input, tag)) return false;
    if (WireFormatLite::GetTagFieldNumber(tag) == v1::Article::kParagraphsFieldNumber) continue;
    kept.append(value.data() + start, static_cast<size_t>(input.CurrentPosition() - start));
  }
  return static_cast<size_t>(input.CurrentPosition()) == value.size() &&
         article->ParseFromString(kept);
}

constexpr size_t kMaxTitleBytes = 4096;
constexpr size_t kMaxArticleBytes = 16 << 20;

// What an article's stored value holds: everything but the view observations, which live in
// their own column family.
v1::Article ContentOf(const v1::Article& article) {
  v1::Article content = article;
  content.clear_views();
  content.clear_view_history();
  return content;
}

bool SameContent(const v1::Article& a, const v1::Article& b) {
  return a.published_at().seconds() == b.published_at().seconds() &&
         a.published_at().nanos() == b.published_at().nanos() && a.title() == b.title() &&
         a.credit() == b.credit() && a.source() == b.source() &&
         std::equal(a.paragraphs().begin(), a.paragraphs().end(), b.paragraphs().begin(),
                    b.paragraphs().end());
}

std::vector<status::FieldViolation> Validate(const v1::Article& article, int index,
                                             const article::ShardPlacement& shard) {
  std::vector<status::FieldViolation> violations;
  auto add = [&](absl::string_view field, std::string description) {
    violations.push_back({absl::StrCat("articles[", index, "].", field), std::move(description)});
  };
  if (std::optional<article::ArticleId> id = article::CheckArticleId(
          article.id(), absl::StrCat("articles[", index, "].id"), violations);
      id.has_value() && article::ShardOf(*id, shard.count) != shard.index) {
    add("id",
        absl::StrCat("belongs to shard ", article::ShardOf(*id, shard.count), "/", shard.count,
                     ", not to this shard ", article::FormatShardPlacement(shard)));
  }
  if (!article.has_published_at()) {
    add("published_at", "is required");
  } else if (absl::StatusOr<absl::Time> published = time::FromTimestamp(article.published_at());
             !published.ok()) {
    add("published_at", std::string(published.status().message()));
  }
  if (article.title().empty()) add("title", "is required");
  if (article.title().size() > kMaxTitleBytes) {
    add("title", absl::StrCat("must be at most ", kMaxTitleBytes, " bytes"));
  }
  if (article.ByteSizeLong() > kMaxArticleBytes) {
    add("paragraphs", absl::StrCat("the article must be at most ", kMaxArticleBytes, " bytes"));
  }
  if (article.view_history().empty()) add("view_history", "needs at least one observation");
  for (int i = 0; i < article.view_history_size(); ++i) {
    const v1::ViewObservation& observation = article.view_history(i);
    if (!observation.has_captured_at() || !time::FromTimestamp(observation.captured_at()).ok()) {
      add(absl::StrCat("view_history[", i, "].captured_at"), "must be a valid timestamp");
    }
    if (observation.views() < 0) {
      add(absl::StrCat("view_history[", i, "].views"), "must not be negative");
    }
  }
  return violations;
}

int64_t ToMicros(const google::protobuf::Timestamp& timestamp) {
  return timestamp.seconds() * 1'000'000 + timestamp.nanos() / 1000;
}

std::string ViewPrefixEnd(article::ArticleId id) {
  // The id's observations are the keys with the 8-byte prefix `id`; the next id bounds them. The
  // largest id has no next id, and an empty bound means "to the end".
  return id == ~uint64_t{0} ? std::string() : EncodeArticleIdKey(id + 1);
}

// A stored `article_ids` value that does not decode is corruption, not a caller's mistake.
absl::StatusOr<std::pair<ArticleKey, uint32_t>> ReadIdValue(absl::string_view value) {
  absl::StatusOr<std::pair<ArticleKey, uint32_t>> decoded = DecodeIdValue(value);
  if (!decoded.ok()) return absl::InternalError(decoded.status().message());
  return decoded;
}

}  // namespace

// One stored article as a Put sees it.
struct ArticleStore::StoredState {
  ArticleKey key;
  uint32_t doc = 0;  // number in the search index
  v1::Article content;
  std::map<int64_t, int64_t> views;  // captured micros -> views
};

absl::StatusOr<std::unique_ptr<ArticleStore>> ArticleStore::Open(const std::string& data_dir,
                                                                 const RocksDbOptions& options,
                                                                 const IndexOptions& index_options,
                                                                 absl::Duration request_retention,
                                                                 article::ShardPlacement shard) {
  NEWSDB_ASSIGN_OR_RETURN(std::unique_ptr<RocksDb> db,
                          RocksDb::Open(absl::StrCat(data_dir, "/rocksdb"), options));
  NEWSDB_ASSIGN_OR_RETURN(std::unique_ptr<SearchIndex> index,
                          SearchIndex::Load(*db, index_options));
  NEWSDB_RETURN_IF_ERROR(CheckShard(*db, *index, shard));
  std::unique_ptr<ArticleStore> store(
      new ArticleStore(std::move(db), std::move(index), request_retention, shard));
  NEWSDB_RETURN_IF_ERROR(store->RebuildBuffer());
  NEWSDB_ASSIGN_OR_RETURN(const int64_t pruned, store->ledger_.Prune(absl::Now()));
  LOG_IF(INFO, pruned > 0) << "Pruned " << pruned << " expired request ledger entries";
  return store;
}

namespace {
// The postings family keeps the shard's metadata under keys that start with a zero byte (no
// posting key does); this one holds the shard placement, "I/N".
const absl::string_view kShardKey("\0shard", 6);
}  // namespace

absl::Status ArticleStore::CheckShard(RocksDb& db, const SearchIndex& index,
                                      const article::ShardPlacement& shard) {
  NEWSDB_ASSIGN_OR_RETURN(std::optional<std::string> recorded,
                          db.Get(ColumnFamily::kPostings, kShardKey));
  std::string recorded_text;
  if (recorded.has_value()) {
    recorded_text = *recorded;
  } else if (index.documents() > 0) {
    recorded_text = "0/1";  // written before shards were recorded: the only layout there was
  }
  if (!recorded_text.empty()) {
    absl::StatusOr<article::ShardPlacement> was = article::ParseShardPlacement(recorded_text);
    if (!was.ok())
      return absl::InternalError(absl::StrCat("recorded shard: ", was.status().message()));
    if (*was != shard) {
      return absl::FailedPreconditionError(absl::StrCat(
          "this data directory holds shard ", recorded_text, ", not ",
          article::FormatShardPlacement(shard), "; start it with --shard=", recorded_text,
          " (changing the shard count is a re-ingest, see docs/sharding.md)"));
    }
    if (recorded.has_value()) return absl::OkStatus();
  }
  WriteBatch batch = db.NewWriteBatch();
  batch.Put(ColumnFamily::kPostings, kShardKey, article::FormatShardPlacement(shard));
  return db.Write(batch);
}

ArticleStore::~ArticleStore() {
  if (!index_->options().flush_on_close) return;
  sync::MutexLock lock(&mutex_);
  absl::Status flushed = index_->Flush();
  LOG_IF(ERROR, !flushed.ok()) << "Could not merge the index write buffer on close (the next "
                                  "start re-indexes those documents): "
                               << flushed;
}

absl::Status ArticleStore::RebuildBuffer() {
  const uint32_t from = index_->indexed_through();
  const uint32_t end = static_cast<uint32_t>(index_->documents());
  if (from == end) return absl::OkStatus();
  const absl::Time started = absl::Now();
  sync::MutexLock lock(&mutex_);
  // Chunks of documents are read and analysed on a few threads, then buffered in order.
  constexpr uint32_t kChunk = 2048;
  const uint32_t chunks = (end - from + kChunk - 1) / kChunk;
  std::vector<absl::StatusOr<NewPostings>> built(chunks);
  auto build = [&](uint32_t chunk) -> absl::StatusOr<NewPostings> {
    const uint32_t first = from + chunk * kChunk;
    const uint32_t last = std::min(end, first + kChunk);
    std::vector<v1::Article> contents;
    contents.reserve(last - first);
    std::vector<std::pair<article::ArticleId, const v1::Article*>> documents;
    for (uint32_t doc = first; doc < last; ++doc) {
      const article::ArticleId id = index_->IdOf(doc);
      NEWSDB_ASSIGN_OR_RETURN(std::optional<StoredState> state, Load(id, nullptr));
      if (!state.has_value() || state->doc != doc) {
        return absl::InternalError(absl::StrCat("document ", doc, " (article ",
                                                article::FormatArticleId(id),
                                                ") is in the index but not in the store"));
      }
      contents.push_back(std::move(state->content));
    }
    for (uint32_t doc = first; doc < last; ++doc) {
      documents.emplace_back(index_->IdOf(doc), &contents[doc - first]);
    }
    return BuildNewPostings(documents);
  };
  const uint32_t workers =
      std::max(1u, std::min({std::thread::hardware_concurrency(), 4u, chunks}));
  std::vector<std::thread> threads;
  for (uint32_t w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      for (uint32_t chunk = w; chunk < chunks; chunk += workers) built[chunk] = build(chunk);
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (uint32_t chunk = 0; chunk < chunks; ++chunk) {
    if (!built[chunk].ok()) return built[chunk].status();
    NEWSDB_RETURN_IF_ERROR(index_->Rebuffer(from + chunk * kChunk, *std::move(built[chunk])));
  }
  NEWSDB_RETURN_IF_ERROR(index_->Flush());
  LOG(INFO) << "Re-indexed " << end - from << " documents left in the index write buffer by an "
            << "unclean stop, in " << absl::ToDoubleMilliseconds(absl::Now() - started) << " ms";
  return absl::OkStatus();
}

absl::StatusOr<std::optional<ArticleStore::StoredState>> ArticleStore::Load(
    article::ArticleId id, const Snapshot* snapshot) const {
  NEWSDB_ASSIGN_OR_RETURN(std::optional<std::string> id_value,
                          db_->Get(ColumnFamily::kArticleIds, EncodeArticleIdKey(id), snapshot));
  if (!id_value.has_value()) return std::nullopt;
  StoredState state;
  NEWSDB_ASSIGN_OR_RETURN(auto key_and_doc, ReadIdValue(*id_value));
  state.key = key_and_doc.first;
  state.doc = key_and_doc.second;
  NEWSDB_ASSIGN_OR_RETURN(std::optional<std::string> value,
                          db_->Get(ColumnFamily::kArticles, EncodeArticleKey(state.key), snapshot));
  if (!value.has_value() || !state.content.ParseFromString(*value)) {
    return absl::InternalError(
        absl::StrCat("article ", article::FormatArticleId(id), " is indexed but unreadable"));
  }
  std::unique_ptr<Iterator> views = db_->NewIterator(
      ColumnFamily::kViewHistory, EncodeArticleIdKey(id), ViewPrefixEnd(id), snapshot);
  for (views->SeekToFirst(); views->Valid(); views->Next()) {
    NEWSDB_ASSIGN_OR_RETURN(ViewKey view_key, DecodeViewKey(views->key()));
    NEWSDB_ASSIGN_OR_RETURN(int64_t count, DecodeViewCount(views->value()));
    state.views[view_key.captured_micros] = count;
  }
  NEWSDB_RETURN_IF_ERROR(views->status());
  return state;
}

absl::StatusOr<std::vector<v1::PutResult>> ArticleStore::Put(
    const google::protobuf::RepeatedPtrField<v1::Article>& articles) {
  NEWSDB_ASSIGN_OR_RETURN(PutReply reply, Put(articles, ""));
  return std::move(reply.results);
}

absl::StatusOr<ArticleStore::PutReply> ArticleStore::Put(
    const google::protobuf::RepeatedPtrField<v1::Article>& articles, absl::string_view request_id) {
  if (request_id.size() > kMaxRequestIdBytes) {
    return status::InvalidFieldError("request_id",
                                     absl::StrCat("at most ", kMaxRequestIdBytes, " bytes"));
  }
  if (articles.size() > kMaxArticlesPerPut) {
    return status::InvalidFieldError("articles",
                                     absl::StrCat("at most ", kMaxArticlesPerPut, " per call"));
  }
  std::vector<status::FieldViolation> violations;
  for (int i = 0; i < articles.size(); ++i) {
    std::vector<status::FieldViolation> found = Validate(articles[i], i, shard_);
    violations.insert(violations.end(), found.begin(), found.end());
  }
  if (!violations.empty()) return status::InvalidFieldsError(violations);
  const uint64_t fingerprint = request_id.empty() ? 0 : RequestLedger::Fingerprint(articles);
  if (!request_id.empty()) {
    // A resend of an applied request is answered from the ledger without preparing anything.
    NEWSDB_ASSIGN_OR_RETURN(std::optional<std::vector<v1::PutResult>> recorded,
                            ledger_.Find(request_id, fingerprint, articles));
    if (recorded.has_value()) return PutReply{*std::move(recorded), true};
  }
  if (index_->BufferOverloaded()) {
    // Merges of the index write buffer have been failing (see the log): try once more, and refuse
    // the write rather than let the buffer grow without bound. Ingest retries UNAVAILABLE.
    absl::Status flushed = index_->FlushIfFull();
    if (!flushed.ok() || index_->BufferOverloaded()) {
      return absl::UnavailableError(
          absl::StrCat("storage cannot merge its search index write buffer (",
                       flushed.ok() ? "still full" : flushed.message(), "); retry later"));
    }
  }

  // Text analysis is the costliest part of indexing: new articles are analysed, and their postings
  // built, before the write lock, so concurrent writes do it in parallel. They are numbered in
  // creation order: an id's first occurrence creates it, and its last occurrence holds the text it
  // ends with. (An id that turns out to exist after all is handled under the lock.)
  std::vector<article::ArticleId> new_ids;
  absl::flat_hash_map<article::ArticleId, int> last_occurrence;
  for (int i = 0; i < articles.size(); ++i) {
    const article::ArticleId id = *article::ParseArticleId(articles[i].id());
    if (auto seen = last_occurrence.find(id); seen != last_occurrence.end()) {
      seen->second = i;
      continue;
    }
    NEWSDB_ASSIGN_OR_RETURN(std::optional<std::string> known,
                            db_->Get(ColumnFamily::kArticleIds, EncodeArticleIdKey(id)));
    if (known.has_value()) continue;
    last_occurrence[id] = i;
    new_ids.push_back(id);
  }
  std::vector<std::pair<article::ArticleId, const v1::Article*>> documents;
  documents.reserve(new_ids.size());
  for (article::ArticleId id : new_ids) documents.emplace_back(id, &articles[last_occurrence[id]]);
  NewPostings prepared = BuildNewPostings(documents);

  NEWSDB_ASSIGN_OR_RETURN(PutReply reply, WriteLocked(articles, prepared, request_id, fingerprint));
  // The write is durable and searchable already; merging the index buffer runs outside the write
  // mutex, so the next writes go on meanwhile. A failed merge keeps the buffer and is retried.
  if (index_->BufferFull()) {
    absl::Status flushed = index_->FlushIfFull();
    LOG_IF(ERROR, !flushed.ok()) << "Could not merge the index write buffer: " << flushed;
  }
  return reply;
}

// A write's articles as it builds them: an id repeated within one request builds on its earlier
// occurrence rather than on the database.
struct ArticleStore::StagedWrite {
  absl::flat_hash_map<article::ArticleId, std::optional<StoredState>> touched;
  // Text of each touched article before this write (nullopt for new ones), and touch order.
  absl::flat_hash_map<article::ArticleId, std::optional<v1::Article>> before;
  std::vector<article::ArticleId> order;
  uint32_t next_doc = 0;  // the number the next new article gets
};

absl::StatusOr<v1::PutResult> ArticleStore::Stage(const v1::Article& article, StagedWrite& staged,
                                                  WriteBatch& batch) const {
  const article::ArticleId id = *article::ParseArticleId(article.id());
  auto [entry, inserted] = staged.touched.try_emplace(id);
  if (inserted) {
    NEWSDB_ASSIGN_OR_RETURN(entry->second, Load(id, nullptr));
    staged.before[id] = entry->second.has_value()
                            ? std::optional<v1::Article>(entry->second->content)
                            : std::nullopt;
    staged.order.push_back(id);
  }
  std::optional<StoredState>& state = entry->second;
  const ArticleKey key{article.published_at().seconds(), id};
  v1::PutResult result;
  result.set_id(article.id());

  bool changed = false;
  if (!state.has_value()) {
    state.emplace();
    state->key = key;
    state->doc = staged.next_doc++;
    state->content = ContentOf(article);
    result.set_outcome(v1::PUT_OUTCOME_CREATED);
    batch.Put(ColumnFamily::kArticles, EncodeArticleKey(key), state->content.SerializeAsString());
    batch.Put(ColumnFamily::kArticleIds, EncodeArticleIdKey(id), EncodeIdValue(key, state->doc));
  } else if (!SameContent(state->content, article)) {
    changed = true;
    if (state->key.published_seconds != key.published_seconds) {
      batch.Delete(ColumnFamily::kArticles, EncodeArticleKey(state->key));
      batch.Put(ColumnFamily::kArticleIds, EncodeArticleIdKey(id), EncodeIdValue(key, state->doc));
      state->key = key;
    }
    state->content = ContentOf(article);
    batch.Put(ColumnFamily::kArticles, EncodeArticleKey(key), state->content.SerializeAsString());
  }
  for (const v1::ViewObservation& observation : article.view_history()) {
    const int64_t captured = ToMicros(observation.captured_at());
    auto [view, added] = state->views.try_emplace(captured, observation.views());
    if (!added && view->second == observation.views()) continue;
    view->second = observation.views();
    changed = true;
    batch.Put(ColumnFamily::kViewHistory, EncodeViewKey({id, captured}),
              EncodeViewCount(observation.views()));
  }
  if (result.outcome() != v1::PUT_OUTCOME_CREATED) {
    result.set_outcome(changed ? v1::PUT_OUTCOME_UPDATED : v1::PUT_OUTCOME_UNCHANGED);
  }
  return result;
}

std::vector<SearchIndex::Change> ArticleStore::IndexChanges(
    const StagedWrite& staged, std::vector<article::ArticleId>* created) {
  std::vector<SearchIndex::Change> changes;
  for (article::ArticleId id : staged.order) {
    const StoredState& state = *staged.touched.at(id);
    const std::optional<v1::Article>& old = staged.before.at(id);
    const int64_t views = state.views.empty() ? 0 : state.views.rbegin()->second;
    changes.push_back(
        SearchIndex::Change{state.doc, old.has_value() ? &*old : nullptr, &state.content, views});
    if (!old.has_value()) created->push_back(id);
  }
  return changes;
}

absl::StatusOr<ArticleStore::PutReply> ArticleStore::WriteLocked(
    const google::protobuf::RepeatedPtrField<v1::Article>& articles, NewPostings& prepared,
    absl::string_view request_id, uint64_t fingerprint) {
  sync::MutexLock lock(&mutex_);
  if (!request_id.empty()) {
    // Two concurrent sends of one request: the second waited for the lock and is answered here.
    NEWSDB_ASSIGN_OR_RETURN(std::optional<std::vector<v1::PutResult>> recorded,
                            ledger_.Find(request_id, fingerprint, articles));
    if (recorded.has_value()) return PutReply{*std::move(recorded), true};
  }
  StagedWrite staged;
  staged.next_doc = index_->next_doc();
  WriteBatch batch = db_->NewWriteBatch();
  std::vector<v1::PutResult> results;
  results.reserve(articles.size());
  for (const v1::Article& article : articles) {
    NEWSDB_ASSIGN_OR_RETURN(v1::PutResult result, Stage(article, staged, batch));
    results.push_back(std::move(result));
  }
  const bool changes_articles = batch.count() > 0;
  if (!request_id.empty()) {
    const absl::Time now = absl::Now();
    ledger_.Record(batch, request_id, now, fingerprint, results);
    if (++recorded_since_prune_ >= kRequestsPerPrune) {
      recorded_since_prune_ = 0;
      absl::StatusOr<int64_t> pruned = ledger_.Prune(now);
      LOG_IF(ERROR, !pruned.ok()) << "Could not prune the request ledger: " << pruned.status();
    }
  }
  if (!changes_articles) {
    if (batch.count() > 0) NEWSDB_RETURN_IF_ERROR(db_->Write(batch));
    return PutReply{std::move(results), false};
  }

  // The index changes go into the same batch: an article and its edited postings land together.
  std::vector<article::ArticleId> created;
  const std::vector<SearchIndex::Change> changes = IndexChanges(staged, &created);
  // The postings built before the lock are right unless another write created one of these ids
  // in between (then the index analyses the new articles itself).
  const bool use_prepared = created == prepared.ids;
  NEWSDB_ASSIGN_OR_RETURN(SearchIndex::PendingUpdate update,
                          index_->Prepare(changes, batch, use_prepared ? &prepared : nullptr));
  NEWSDB_RETURN_IF_ERROR(db_->Write(batch));
  index_->Commit(std::move(update));
  return PutReply{std::move(results), false};
}

absl::Status ArticleStore::FillViews(Iterator& views, article::ArticleId id,
                                     v1::Article* article) const {
  // One iterator serves many articles (a page of hits or a scan): a Seek per article is far
  // cheaper than a new iterator per article.
  const std::string prefix = EncodeArticleIdKey(id);
  for (views.Seek(prefix); views.Valid() && absl::StartsWith(views.key(), prefix); views.Next()) {
    NEWSDB_ASSIGN_OR_RETURN(ViewKey view_key, DecodeViewKey(views.key()));
    NEWSDB_ASSIGN_OR_RETURN(int64_t count, DecodeViewCount(views.value()));
    v1::ViewObservation* observation = article->add_view_history();
    *observation->mutable_captured_at() =
        time::ToTimestamp(absl::FromUnixMicros(view_key.captured_micros));
    observation->set_views(count);
    article->set_views(count);  // observations come in capture order: the last one wins
  }
  return views.status();
}

std::unique_ptr<Iterator> ArticleStore::NewViewIterator(const Snapshot* snapshot) const {
  return db_->NewIterator(ColumnFamily::kViewHistory, "", "", snapshot);
}

absl::StatusOr<v1::Article> ArticleStore::Get(absl::string_view id_text) const {
  std::vector<status::FieldViolation> violations;
  const std::optional<article::ArticleId> id =
      article::CheckArticleId(std::string_view(id_text.data(), id_text.size()), "id", violations);
  if (!id) return status::InvalidFieldsError(violations);
  std::shared_ptr<const Snapshot> snapshot = db_->GetSnapshot();
  NEWSDB_ASSIGN_OR_RETURN(
      std::optional<std::string> id_value,
      db_->Get(ColumnFamily::kArticleIds, EncodeArticleIdKey(*id), snapshot.get()));
  if (!id_value.has_value()) {
    return absl::NotFoundError(absl::StrCat("no article with id ", id_text));
  }
  NEWSDB_ASSIGN_OR_RETURN(auto key_and_doc, ReadIdValue(*id_value));
  NEWSDB_ASSIGN_OR_RETURN(
      std::optional<std::string> value,
      db_->Get(ColumnFamily::kArticles, EncodeArticleKey(key_and_doc.first), snapshot.get()));
  v1::Article article;
  if (!value.has_value() || !article.ParseFromString(*value)) {
    return absl::InternalError(absl::StrCat("article ", id_text, " is indexed but unreadable"));
  }
  NEWSDB_RETURN_IF_ERROR(FillViews(*NewViewIterator(snapshot.get()), *id, &article));
  return article;
}

absl::Status ArticleStore::Scan(const ScanOptions& options,
                                absl::FunctionRef<bool(v1::Article)> sink) const {
  if (options.start && options.end && *options.end < *options.start) {
    return status::InvalidFieldError("published.end", "must not be before published.start");
  }
  // Keys hold whole seconds: t >= start means seconds >= ceil(start); t < end means
  // seconds < ceil(end).
  auto ceil_seconds = [](absl::Time t) {
    int64_t seconds = absl::ToUnixSeconds(t);
    return absl::FromUnixSeconds(seconds) < t ? seconds + 1 : seconds;
  };
  std::string lower = options.start ? ArticleKeyLowerBound(ceil_seconds(*options.start)) : "";
  std::string upper = options.end ? ArticleKeyLowerBound(ceil_seconds(*options.end)) : "";
  std::shared_ptr<const Snapshot> snapshot = db_->GetSnapshot();
  std::unique_ptr<Iterator> it =
      db_->NewIterator(ColumnFamily::kArticles, lower, upper, snapshot.get());

  if (options.resume_after.has_value()) {
    const std::string resume = EncodeArticleKey(*options.resume_after);
    if (options.newest_first) {
      it->SeekForPrev(resume);
      if (it->Valid() && it->key() == resume) it->Prev();
    } else {
      it->Seek(resume);
      if (it->Valid() && it->key() == resume) it->Next();
    }
  } else if (options.newest_first) {
    it->SeekToLast();
  } else {
    it->SeekToFirst();
  }

  std::unique_ptr<Iterator> views = NewViewIterator(snapshot.get());
  int64_t passed = 0;
  for (; it->Valid(); options.newest_first ? it->Prev() : it->Next()) {
    NEWSDB_ASSIGN_OR_RETURN(ArticleKey key, DecodeArticleKey(it->key()));
    v1::Article article;
    if (!ParseStoredArticle(it->value(), !options.omit_paragraphs, &article)) {
      return absl::InternalError("unreadable article value");
    }
    NEWSDB_RETURN_IF_ERROR(FillViews(*views, key.id, &article));
    if (!sink(std::move(article))) return absl::OkStatus();
    if (options.limit > 0 && ++passed >= options.limit) return absl::OkStatus();
  }
  return it->status();
}

absl::StatusOr<v1::SearchShardResponse> ArticleStore::Search(
    const v1::SearchShardRequest& request, absl::FunctionRef<bool()> cancelled) const {
  NEWSDB_ASSIGN_OR_RETURN(IndexSearchResult found, index_->Search(request, cancelled));
  v1::SearchShardResponse response;
  response.set_total_hits(found.total_hits);
  response.set_more_hits(found.more_hits);
  for (v1::FacetResult& facet : found.facets) *response.add_facets() = std::move(facet);
  *response.mutable_snapshot() = found.snapshot;

  const v1::HighlightOptions& highlight = request.highlight();
  text::HighlightSpec spec;
  if (!highlight.pre_tag().empty()) spec.pre_tag = highlight.pre_tag();
  if (!highlight.post_tag().empty()) spec.post_tag = highlight.post_tag();
  if (highlight.snippet_chars() > 0) spec.snippet_chars = std::min(highlight.snippet_chars(), 1000);
  // One for all hits: words recurring across them are analysed once.
  std::optional<text::Highlighter> highlighter;
  if (highlight.enabled()) highlighter.emplace(found.highlight_terms, spec);

  std::shared_ptr<const Snapshot> snapshot = db_->GetSnapshot();
  std::unique_ptr<Iterator> views = NewViewIterator(snapshot.get());
  for (const IndexHit& hit : found.hits) {
    NEWSDB_ASSIGN_OR_RETURN(
        std::optional<std::string> value,
        db_->Get(ColumnFamily::kArticles, EncodeArticleKey({hit.published_seconds, hit.id}),
                 snapshot.get()));
    v1::SearchHit* out = response.add_hits();
    v1::Article* article = out->mutable_article();
    // Highlights need the paragraphs even when the article goes out without them.
    const bool with_paragraphs = !request.omit_paragraphs() || highlight.enabled();
    if (!value.has_value() || !ParseStoredArticle(*value, with_paragraphs, article)) {
      return absl::InternalError(absl::StrCat("indexed article ", article::FormatArticleId(hit.id),
                                              " is missing or unreadable"));
    }
    NEWSDB_RETURN_IF_ERROR(FillViews(*views, hit.id, article));
    out->set_score(hit.score);
    if (highlight.enabled()) {
      v1::Snippets* snippets = out->mutable_snippets();
      snippets->set_title(highlighter->Title(article->title()));
      std::vector<std::string> paragraphs(article->paragraphs().begin(),
                                          article->paragraphs().end());
      for (std::string& fragment : highlighter->Body(paragraphs)) {
        snippets->add_body(std::move(fragment));
      }
    }
    if (request.omit_paragraphs()) article->clear_paragraphs();
    v1::SearchPosition* position = response.add_positions();
    position->set_score(hit.score);
    position->set_published_seconds(hit.published_seconds);
    position->set_views(hit.views);
    position->set_id(article::FormatArticleId(hit.id));
  }
  return response;
}

}  // namespace newsdb::storage
