#include "services/storage/request_ledger.h"

#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/status/field_errors.h"
#include "common/status/status_macros.h"
#include "common/text/fnv.h"

namespace newsdb::storage {
namespace {

constexpr char kIdPrefix = 'i';
constexpr char kTimePrefix = 't';

void AppendFixed64(std::string& out, uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
}

uint64_t ReadFixed64(absl::string_view in) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | static_cast<unsigned char>(in[i]);
  return value;
}

std::string IdKey(absl::string_view request_id) {
  std::string key(1, kIdPrefix);
  key.append(request_id.data(), request_id.size());
  return key;
}

std::string TimeKey(uint64_t micros, absl::string_view request_id) {
  std::string key(1, kTimePrefix);
  AppendFixed64(key, micros);
  key.append(request_id.data(), request_id.size());
  return key;
}

// Times before 1970 never occur here (the ledger records the shard's clock); clamp to keep the
// time-ordered keys unsigned.
uint64_t MicrosOf(absl::Time time) {
  const int64_t micros = absl::ToUnixMicros(time);
  return micros < 0 ? 0 : static_cast<uint64_t>(micros);
}

}  // namespace

uint64_t RequestLedger::Fingerprint(
    const google::protobuf::RepeatedPtrField<v1::Article>& articles) {
  uint64_t hash = text::FnvAppendBigEndian(text::kFnvOffsetBasis, articles.size());
  for (const v1::Article& article : articles) {
    hash = text::FnvAppend(hash, article.id());
    hash = text::FnvAppendBigEndian(hash, static_cast<uint64_t>(article.published_at().seconds()));
    hash = text::FnvAppendBigEndian(hash, article.view_history_size());
    for (const v1::ViewObservation& observation : article.view_history()) {
      hash = text::FnvAppendBigEndian(hash,
                                      static_cast<uint64_t>(observation.captured_at().seconds()));
      hash = text::FnvAppendBigEndian(hash, static_cast<uint64_t>(observation.views()));
    }
  }
  return hash;
}

absl::StatusOr<std::optional<std::vector<v1::PutResult>>> RequestLedger::Find(
    absl::string_view request_id, uint64_t fingerprint,
    const google::protobuf::RepeatedPtrField<v1::Article>& articles) const {
  NEWSDB_ASSIGN_OR_RETURN(std::optional<std::string> entry,
                          db_.Get(ColumnFamily::kRequests, IdKey(request_id)));
  if (!entry.has_value()) return std::nullopt;
  if (entry->size() < 16) {
    return absl::InternalError(
        absl::StrCat("corrupt request ledger entry for request_id \"", request_id, "\""));
  }
  const absl::string_view outcomes = absl::string_view(*entry).substr(16);
  if (ReadFixed64(absl::string_view(*entry).substr(8)) != fingerprint ||
      outcomes.size() != static_cast<size_t>(articles.size())) {
    return status::InvalidFieldError(
        "request_id", absl::StrCat("\"", request_id,
                                   "\" was already used for a different set of articles; a "
                                   "request_id names one write"));
  }
  std::vector<v1::PutResult> results(articles.size());
  for (int i = 0; i < articles.size(); ++i) {
    results[i].set_id(articles[i].id());
    const auto outcome = static_cast<unsigned char>(outcomes[i]);
    if (!v1::PutOutcome_IsValid(outcome) || outcome == v1::PUT_OUTCOME_UNSPECIFIED) {
      return absl::InternalError(
          absl::StrCat("corrupt request ledger entry for request_id \"", request_id, "\""));
    }
    results[i].set_outcome(static_cast<v1::PutOutcome>(outcome));
  }
  return results;
}

void RequestLedger::Record(WriteBatch& batch, absl::string_view request_id, absl::Time now,
                           uint64_t fingerprint, const std::vector<v1::PutResult>& results) const {
  const uint64_t micros = MicrosOf(now);
  std::string value;
  value.reserve(16 + results.size());
  AppendFixed64(value, micros);
  AppendFixed64(value, fingerprint);
  for (const v1::PutResult& result : results) value.push_back(static_cast<char>(result.outcome()));
  batch.Put(ColumnFamily::kRequests, IdKey(request_id), value);
  batch.Put(ColumnFamily::kRequests, TimeKey(micros, request_id), "");
}

absl::StatusOr<int64_t> RequestLedger::Prune(absl::Time now) {
  const uint64_t cutoff = MicrosOf(now - retention_);
  std::string upper(1, kTimePrefix);
  AppendFixed64(upper, cutoff);
  std::unique_ptr<Iterator> it =
      db_.NewIterator(ColumnFamily::kRequests, std::string(1, kTimePrefix), upper);
  WriteBatch batch = db_.NewWriteBatch();
  int64_t pruned = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const absl::string_view key = it->key();
    if (key.size() < 9) continue;
    const absl::string_view request_id = key.substr(9);
    // The id key may have been re-recorded later (a re-used id after pruning): only delete it if
    // it still holds this time.
    NEWSDB_ASSIGN_OR_RETURN(std::optional<std::string> entry,
                            db_.Get(ColumnFamily::kRequests, IdKey(request_id)));
    if (entry.has_value() && entry->size() >= 8 &&
        ReadFixed64(*entry) == ReadFixed64(key.substr(1))) {
      batch.Delete(ColumnFamily::kRequests, IdKey(request_id));
    }
    batch.Delete(ColumnFamily::kRequests, key);
    ++pruned;
  }
  NEWSDB_RETURN_IF_ERROR(it->status());
  if (pruned > 0) NEWSDB_RETURN_IF_ERROR(db_.Write(batch));
  return pruned;
}

}  // namespace newsdb::storage
