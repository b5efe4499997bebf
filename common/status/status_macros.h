#ifndef NEWSDB_COMMON_STATUS_STATUS_MACROS_H_
#define NEWSDB_COMMON_STATUS_STATUS_MACROS_H_

// Early-return helpers for absl::Status and absl::StatusOr. This Abseil release has no
// ABSL_RETURN_IF_ERROR; switch to the absl versions when the pinned Abseil gains them.

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define NEWSDB_STATUS_CONCAT_INNER(a, b) a##b
#define NEWSDB_STATUS_CONCAT(a, b) NEWSDB_STATUS_CONCAT_INNER(a, b)

// Returns the status from the enclosing function if `expr` is not OK.
#define NEWSDB_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    ::absl::Status newsdb_status_ = (expr);          \
    if (!newsdb_status_.ok()) return newsdb_status_; \
  } while (false)

// `lhs` = the value of the StatusOr `rexpr`, or returns its status from the enclosing function.
#define NEWSDB_ASSIGN_OR_RETURN(lhs, rexpr) \
  NEWSDB_ASSIGN_OR_RETURN_IMPL(NEWSDB_STATUS_CONCAT(newsdb_statusor_, __LINE__), lhs, rexpr)

// `statusor` is a name and `lhs` may be a declaration: neither can take parentheses.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define NEWSDB_ASSIGN_OR_RETURN_IMPL(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                 \
  if (!statusor.ok()) return statusor.status();            \
  lhs = *std::move(statusor)
// NOLINTEND(bugprone-macro-parentheses)

#endif  // NEWSDB_COMMON_STATUS_STATUS_MACROS_H_
