#ifndef NEWSDB_COMMON_ARTICLE_REQUEST_FIELDS_H_
#define NEWSDB_COMMON_ARTICLE_REQUEST_FIELDS_H_

// Checks of request fields that several services take: a time range of publication and an
// article id. Each adds field violations (common/status) named after the field as the caller
// names it ("published", "filter.published", "resume_after.id"), so every service words the same
// mistake the same way.

#include <optional>
#include <string_view>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/article/article_id.h"
#include "common/status/field_errors.h"
#include "newsdb/v1/article.pb.h"

namespace newsdb::article {

// A TimeRange's bounds: start inclusive, end exclusive; an unset (or invalid) side is infinite.
struct TimeBounds {
  absl::Time start = absl::InfinitePast();
  absl::Time end = absl::InfiniteFuture();
};

// Checks `range`, the request field `field`: each set bound is a valid Timestamp
// ("<field>.start" / "<field>.end" otherwise), and the end is not before the start
// ("<field>.end: must not be before <field>.start").
TimeBounds CheckTimeRange(const v1::TimeRange& range, absl::string_view field,
                          std::vector<status::FieldViolation>& violations);

// Parses the article id in the request field `field`; adds "<field>: must be 16 lowercase hex
// digits" and returns nullopt if it is not one.
std::optional<ArticleId> CheckArticleId(std::string_view text, absl::string_view field,
                                        std::vector<status::FieldViolation>& violations);

}  // namespace newsdb::article

#endif  // NEWSDB_COMMON_ARTICLE_REQUEST_FIELDS_H_
