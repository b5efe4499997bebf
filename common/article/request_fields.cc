#include "common/article/request_fields.h"

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "common/time/timestamp.h"

namespace newsdb::article {

TimeBounds CheckTimeRange(const v1::TimeRange& range, absl::string_view field,
                          std::vector<status::FieldViolation>& violations) {
  TimeBounds bounds;
  bool valid = true;
  auto bound = [&](const google::protobuf::Timestamp& timestamp, absl::string_view side,
                   absl::Time& out) {
    absl::StatusOr<absl::Time> time = time::FromTimestamp(timestamp);
    if (time.ok()) {
      out = *time;
    } else {
      valid = false;
      violations.push_back({absl::StrCat(field, ".", side), std::string(time.status().message())});
    }
  };
  if (range.has_start()) bound(range.start(), "start", bounds.start);
  if (range.has_end()) bound(range.end(), "end", bounds.end);
  if (valid && bounds.end < bounds.start) {
    violations.push_back(
        {absl::StrCat(field, ".end"), absl::StrCat("must not be before ", field, ".start")});
  }
  return bounds;
}

std::optional<ArticleId> CheckArticleId(std::string_view text, absl::string_view field,
                                        std::vector<status::FieldViolation>& violations) {
  absl::StatusOr<ArticleId> id = ParseArticleId(text);
  if (id.ok()) return *id;
  violations.push_back({std::string(field), "must be 16 lowercase hex digits"});
  return std::nullopt;
}

}  // namespace newsdb::article
