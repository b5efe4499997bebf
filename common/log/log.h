#ifndef NEWSDB_COMMON_LOG_LOG_H_
#define NEWSDB_COMMON_LOG_LOG_H_

// Minimal leveled logging to stderr, one line per message:
//   2026-11-28T07:01:40.123456Z I storage_service.cc:42] message
// This Abseil release has no absl::log; this keeps the same call shape (LOG(INFO) << ...), so a
// later switch is mechanical. Thread-safe: each message is written with one write(2) call.

#include <sstream>
#include <string_view>

namespace newsdb::log {

enum class Severity { kInfo, kWarning, kError, kFatal };

// Collects one message and writes it when destroyed. kFatal aborts after writing.
class LogMessage {
 public:
  LogMessage(Severity severity, const char* file, int line);
  LogMessage(const LogMessage&) = delete;
  LogMessage& operator=(const LogMessage&) = delete;
  ~LogMessage();

  std::ostream& stream() { return stream_; }

 private:
  Severity severity_;
  std::ostringstream stream_;
};

// Swallows a stream expression in LOG_IF when the condition is false.
struct Voidify {
  void operator&(std::ostream&) {}
};

}  // namespace newsdb::log

#define NEWSDB_LOG_SEVERITY_INFO ::newsdb::log::Severity::kInfo
#define NEWSDB_LOG_SEVERITY_WARNING ::newsdb::log::Severity::kWarning
#define NEWSDB_LOG_SEVERITY_ERROR ::newsdb::log::Severity::kError
#define NEWSDB_LOG_SEVERITY_FATAL ::newsdb::log::Severity::kFatal

#define LOG(severity) \
  ::newsdb::log::LogMessage(NEWSDB_LOG_SEVERITY_##severity, __FILE__, __LINE__).stream()
// The stream that follows must bind to LOG's: no parentheses around the expansion.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define LOG_IF(severity, condition) \
  !(condition) ? (void)0 : ::newsdb::log::Voidify() & LOG(severity)
// NOLINTEND(bugprone-macro-parentheses)

// Aborts with a message when an invariant does not hold. For impossible states only; failures that
// input or the disk can cause return absl::Status instead.
#define NEWSDB_CHECK(condition) LOG_IF(FATAL, !(condition)) << "Check failed: " #condition " "

#endif  // NEWSDB_COMMON_LOG_LOG_H_
