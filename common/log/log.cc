#include "common/log/log.h"

#include <unistd.h>

#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace newsdb::log {
namespace {

char SeverityLetter(Severity severity) {
  switch (severity) {
    case Severity::kInfo:
      return 'I';
    case Severity::kWarning:
      return 'W';
    case Severity::kError:
      return 'E';
    case Severity::kFatal:
      return 'F';
  }
  return '?';
}

absl::string_view BaseName(absl::string_view path) {
  size_t slash = path.rfind('/');
  return slash == absl::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

LogMessage::LogMessage(Severity severity, const char* file, int line) : severity_(severity) {
  stream_ << absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ ", absl::Now(), absl::UTCTimeZone())
          << SeverityLetter(severity) << ' ' << BaseName(file) << ':' << line << "] ";
}

LogMessage::~LogMessage() {
  stream_ << '\n';
  const std::string text = stream_.str();
  // One write keeps lines from different threads whole; a short write to stderr is not retried.
  [[maybe_unused]] ssize_t written = ::write(STDERR_FILENO, text.data(), text.size());
  if (severity_ == Severity::kFatal) std::abort();
}

}  // namespace newsdb::log
