#include "services/storage/article_store.h"

#include <map>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/status/grpc_status.h"
#include "common/status/status_macros.h"
#include "common/time/timestamp.h"

namespace newsdb::storage {
namespace {

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

std::vector<status::FieldViolation> Validate(const v1::Article& article, int index) {
  std::vector<status::FieldViolation> violations;
  auto add = [&](absl::string_view field, std::string description) {
    violations.push_back({absl::StrCat("articles[", index, "].", field), std::move(description)});
  };
  if (!article::ParseArticleId(article.id()).ok()) {
    add("id", "must be 16 lowercase hex digits");
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

}  // namespace

// One stored article as a Put sees it.
struct ArticleStore::StoredState {
  ArticleKey key;
  v1::Article content;
  std::map<int64_t, int64_t> views;  // captured micros -> views
};

absl::StatusOr<std::unique_ptr<ArticleStore>> ArticleStore::Open(const std::string& data_dir,
                                                                 const RocksDbOptions& options) {
  NEWSDB_ASSIGN_OR_RETURN(std::unique_ptr<RocksDb> db,
                          RocksDb::Open(absl::StrCat(data_dir, "/rocksdb"), options));
  return std::unique_ptr<ArticleStore>(new ArticleStore(std::move(db)));
}

absl::StatusOr<std::optional<ArticleStore::StoredState>> ArticleStore::Load(
    article::ArticleId id, const Snapshot* snapshot) const {
  NEWSDB_ASSIGN_OR_RETURN(std::optional<std::string> key_bytes,
                          db_->Get(ColumnFamily::kArticleIds, EncodeArticleIdKey(id), snapshot));
  if (!key_bytes.has_value()) return std::nullopt;
  StoredState state;
  NEWSDB_ASSIGN_OR_RETURN(state.key, DecodeArticleKey(*key_bytes));
  NEWSDB_ASSIGN_OR_RETURN(std::optional<std::string> value,
                          db_->Get(ColumnFamily::kArticles, *key_bytes, snapshot));
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
  if (articles.size() > kMaxArticlesPerPut) {
    return status::InvalidFieldError("articles",
                                     absl::StrCat("at most ", kMaxArticlesPerPut, " per call"));
  }
  std::vector<status::FieldViolation> violations;
  for (int i = 0; i < articles.size(); ++i) {
    std::vector<status::FieldViolation> found = Validate(articles[i], i);
    violations.insert(violations.end(), found.begin(), found.end());
  }
  if (!violations.empty()) return status::InvalidFieldsError(violations);

  absl::MutexLock lock(&mutex_);
  // The batch's view of each touched article, so that an id repeated within one request builds on
  // its earlier occurrence rather than on the database.
  absl::flat_hash_map<article::ArticleId, std::optional<StoredState>> touched;
  WriteBatch batch = db_->NewWriteBatch();
  std::vector<v1::PutResult> results;
  results.reserve(articles.size());

  for (const v1::Article& article : articles) {
    const article::ArticleId id = *article::ParseArticleId(article.id());
    auto [entry, inserted] = touched.try_emplace(id);
    if (inserted) {
      NEWSDB_ASSIGN_OR_RETURN(entry->second, Load(id, nullptr));
    }
    std::optional<StoredState>& state = entry->second;
    const ArticleKey key{article.published_at().seconds(), id};
    v1::PutResult& result = results.emplace_back();
    result.set_id(article.id());

    bool changed = false;
    if (!state.has_value()) {
      state.emplace();
      state->key = key;
      state->content = ContentOf(article);
      result.set_outcome(v1::PUT_OUTCOME_CREATED);
      batch.Put(ColumnFamily::kArticles, EncodeArticleKey(key), state->content.SerializeAsString());
      batch.Put(ColumnFamily::kArticleIds, EncodeArticleIdKey(id), EncodeArticleKey(key));
    } else if (!SameContent(state->content, article)) {
      changed = true;
      if (state->key.published_seconds != key.published_seconds) {
        batch.Delete(ColumnFamily::kArticles, EncodeArticleKey(state->key));
        batch.Put(ColumnFamily::kArticleIds, EncodeArticleIdKey(id), EncodeArticleKey(key));
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
  }
  if (batch.count() > 0) NEWSDB_RETURN_IF_ERROR(db_->Write(batch));
  return results;
}

absl::Status ArticleStore::FillViews(article::ArticleId id, const Snapshot* snapshot,
                                     v1::Article* article) const {
  std::unique_ptr<Iterator> views = db_->NewIterator(
      ColumnFamily::kViewHistory, EncodeArticleIdKey(id), ViewPrefixEnd(id), snapshot);
  for (views->SeekToFirst(); views->Valid(); views->Next()) {
    NEWSDB_ASSIGN_OR_RETURN(ViewKey view_key, DecodeViewKey(views->key()));
    NEWSDB_ASSIGN_OR_RETURN(int64_t count, DecodeViewCount(views->value()));
    v1::ViewObservation* observation = article->add_view_history();
    *observation->mutable_captured_at() =
        time::ToTimestamp(absl::FromUnixMicros(view_key.captured_micros));
    observation->set_views(count);
    article->set_views(count);  // observations come in capture order: the last one wins
  }
  return views->status();
}

absl::StatusOr<v1::Article> ArticleStore::Get(absl::string_view id_text) const {
  absl::StatusOr<article::ArticleId> id =
      article::ParseArticleId(std::string_view(id_text.data(), id_text.size()));
  if (!id.ok()) return status::InvalidFieldError("id", "must be 16 lowercase hex digits");
  std::shared_ptr<const Snapshot> snapshot = db_->GetSnapshot();
  NEWSDB_ASSIGN_OR_RETURN(
      std::optional<std::string> key_bytes,
      db_->Get(ColumnFamily::kArticleIds, EncodeArticleIdKey(*id), snapshot.get()));
  if (!key_bytes.has_value()) {
    return absl::NotFoundError(absl::StrCat("no article with id ", id_text));
  }
  NEWSDB_ASSIGN_OR_RETURN(std::optional<std::string> value,
                          db_->Get(ColumnFamily::kArticles, *key_bytes, snapshot.get()));
  v1::Article article;
  if (!value.has_value() || !article.ParseFromString(*value)) {
    return absl::InternalError(absl::StrCat("article ", id_text, " is indexed but unreadable"));
  }
  NEWSDB_RETURN_IF_ERROR(FillViews(*id, snapshot.get(), &article));
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

  int64_t passed = 0;
  for (; it->Valid(); options.newest_first ? it->Prev() : it->Next()) {
    NEWSDB_ASSIGN_OR_RETURN(ArticleKey key, DecodeArticleKey(it->key()));
    v1::Article article;
    if (!article.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::InternalError("unreadable article value");
    }
    if (options.omit_paragraphs) article.clear_paragraphs();
    NEWSDB_RETURN_IF_ERROR(FillViews(key.id, snapshot.get(), &article));
    if (!sink(std::move(article))) return absl::OkStatus();
    if (options.limit > 0 && ++passed >= options.limit) return absl::OkStatus();
  }
  return it->status();
}

}  // namespace newsdb::storage
