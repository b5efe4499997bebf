#include "tools/newsctl/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace newsdb::newsctl {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;
constexpr absl::Duration kRedrawInterval = absl::Milliseconds(100);

// 1234567 -> "1,234,567".
std::string Grouped(int64_t value) {
  std::string digits = absl::StrCat(value < 0 ? -value : value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return value < 0 ? absl::StrCat("-", out) : out;
}

}  // namespace

std::string FormatEta(absl::Duration left) {
  const int64_t seconds =
      std::max<int64_t>(0, absl::ToInt64Seconds(absl::Ceil(left, absl::Seconds(1))));
  if (seconds < 60) return absl::StrCat(seconds, "s");
  if (seconds < 3600) return absl::StrFormat("%dm%02ds", seconds / 60, seconds % 60);
  return absl::StrFormat("%dh%02dm", seconds / 3600, seconds % 3600 / 60);
}

std::string FormatProgressLine(absl::string_view label, const ProgressSample& sample, int width) {
  const double seconds = absl::ToDoubleSeconds(sample.elapsed);
  std::string figures;
  std::optional<double> fraction;
  if (sample.total_bytes.has_value() && *sample.total_bytes > 0) {
    fraction = std::clamp(
        static_cast<double>(sample.bytes_read) / static_cast<double>(*sample.total_bytes), 0.0,
        1.0);
    absl::StrAppendFormat(&figures, "%3d%%  %.1f/%.1f MiB", static_cast<int>(*fraction * 100),
                          static_cast<double>(sample.bytes_read) / kMiB,
                          static_cast<double>(*sample.total_bytes) / kMiB);
  } else {
    absl::StrAppendFormat(&figures, "%.1f MiB", static_cast<double>(sample.bytes_read) / kMiB);
  }
  absl::StrAppend(&figures, "  ", Grouped(sample.articles_stored), " stored");
  if (seconds >= 1.0) {
    absl::StrAppend(&figures, "  ",
                    Grouped(static_cast<int64_t>(
                        std::llround(static_cast<double>(sample.articles_stored) / seconds))),
                    " art/s");
  }
  if (sample.errors > 0) absl::StrAppend(&figures, "  ", Grouped(sample.errors), " errors");
  if (fraction.has_value() && seconds >= 1.0 && sample.bytes_read > 0) {
    const double rate = static_cast<double>(sample.bytes_read) / seconds;
    const double left = static_cast<double>(*sample.total_bytes - sample.bytes_read) / rate;
    absl::StrAppend(&figures, "  ETA ", FormatEta(absl::Seconds(std::max(0.0, left))));
  }

  // Label, then the bar in whatever room is left (at least 10 columns of bar, or none). The line
  // keeps the terminal's last column free, so that no terminal wraps it.
  std::string name(label);
  const int room = width - 1 - static_cast<int>(figures.size());
  const int bar_inner = room - static_cast<int>(name.size()) - 4;  // "name [" bar "] "
  std::string line;
  if (fraction.has_value() && bar_inner >= 10) {
    const int inner = std::min(bar_inner, 40);
    const int filled = static_cast<int>(*fraction * inner);
    std::string bar(static_cast<size_t>(inner), ' ');
    for (int i = 0; i < filled; ++i) bar[static_cast<size_t>(i)] = '=';
    if (filled < inner) bar[static_cast<size_t>(filled)] = '>';
    line = absl::StrCat(name, " [", bar, "] ", figures);
  } else if (room >= static_cast<int>(name.size()) + 1) {
    line = absl::StrCat(name, " ", figures);
  } else {
    line = figures;
  }
  return line;
}

ProgressLine::ProgressLine(std::FILE* out, std::string label, std::optional<int64_t> total_bytes,
                           absl::Time start)
    : out_(out), label_(std::move(label)), total_bytes_(total_bytes), start_(start) {}

void ProgressLine::Update(int64_t bytes_read, int64_t articles_stored, int64_t errors,
                          absl::Time now) {
  if (now - last_draw_ < kRedrawInterval) return;
  last_draw_ = now;
  ProgressSample sample{.elapsed = now - start_,
                        .bytes_read = bytes_read,
                        .total_bytes = total_bytes_,
                        .articles_stored = articles_stored,
                        .errors = errors};
  const std::string line = FormatProgressLine(label_, sample, TerminalWidth(fileno(out_)));
  std::fprintf(out_, "\r%s\x1b[K", line.c_str());
  std::fflush(out_);
  drawn_ = true;
}

void ProgressLine::Clear() {
  if (!drawn_) return;
  std::fputs("\r\x1b[K", out_);
  std::fflush(out_);
  drawn_ = false;
}

int TerminalWidth(int fd) {
  winsize size{};
  if (ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 80;
}

}  // namespace newsdb::newsctl
