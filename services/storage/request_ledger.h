// The request ledger: which PutArticles requests (by request_id) this shard applied, and what each
// article became, so that a sender that lost a response or crashed can send again and get the
// first answer instead of a second write's (UNCHANGED everywhere). Entries are recorded in the
// same RocksDB write batch as the articles, so a recorded request is exactly an applied one.
//
// Column family `requests`:
//   "i" request_id                  -> fixed64 recorded-at micros, fixed64 fingerprint, outcomes
//   "t" be64(recorded-at) request_id -> ""                     (time order, for pruning)
// where outcomes holds one byte (a v1::PutOutcome) per request article.
#ifndef NEWSDB_SERVICES_STORAGE_REQUEST_LEDGER_H_
#define NEWSDB_SERVICES_STORAGE_REQUEST_LEDGER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "newsdb/v1/storage_service.pb.h"
#include "services/storage/rocks_db.h"

namespace newsdb::storage {

inline constexpr size_t kMaxRequestIdBytes = 128;

class RequestLedger {
 public:
  // `db` must outlive the ledger.
  RequestLedger(RocksDb& db, absl::Duration retention) : db_(db), retention_(retention) {}

  // A stable digest of what a request asks for: ids, publication times and view observations.
  static uint64_t Fingerprint(const google::protobuf::RepeatedPtrField<v1::Article>& articles);

  // The recorded outcomes of `request_id`, one per article of the recorded request; nullopt if
  // it was not recorded (or was pruned). Errors: INVALID_ARGUMENT if it was recorded with another
  // fingerprint or article count; INTERNAL on a read error or a corrupt entry.
  // `fingerprint` is Fingerprint(articles).
  absl::StatusOr<std::optional<std::vector<v1::PutResult>>> Find(
      absl::string_view request_id, uint64_t fingerprint,
      const google::protobuf::RepeatedPtrField<v1::Article>& articles) const;

  // Adds the entry of `request_id` to `batch`.
  void Record(WriteBatch& batch, absl::string_view request_id, absl::Time now, uint64_t fingerprint,
              const std::vector<v1::PutResult>& results) const;

  // Deletes the entries recorded before now - retention. Returns how many. Errors: INTERNAL.
  absl::StatusOr<int64_t> Prune(absl::Time now);

  absl::Duration retention() const { return retention_; }

 private:
  RocksDb& db_;
  absl::Duration retention_;
};

}  // namespace newsdb::storage

#endif  // NEWSDB_SERVICES_STORAGE_REQUEST_LEDGER_H_
