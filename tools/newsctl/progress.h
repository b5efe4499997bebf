#ifndef NEWSDB_TOOLS_NEWSCTL_PROGRESS_H_
#define NEWSDB_TOOLS_NEWSCTL_PROGRESS_H_

// The progress line `newsctl ingest` draws on a terminal while a dump streams in:
//
//   big.txt [=========>           ]  45%  412.3/912.0 MiB  171,204 stored  6,950 art/s  ETA 1m12s
//
// It redraws in place (carriage return, erase to end of line) on a stream that is a terminal,
// and is erased before the summary line is printed. Figures come from the server's
// IngestProgress events: bytes the server has read, articles storage has acknowledged.

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace newsdb::newsctl {

// What one progress line shows.
struct ProgressSample {
  absl::Duration elapsed;              // since the upload started
  int64_t bytes_read = 0;              // by the server
  std::optional<int64_t> total_bytes;  // the file's size; unset for a pipe
  int64_t articles_stored = 0;
  int64_t errors = 0;
};

// One line of fewer than `width` columns (at least the figures, whatever the width): a label, a bar
// when the total is known, percentage, bytes, stored articles, articles per second (once a second
// has passed), feed errors when there are any, and the time left (from the byte rate).
std::string FormatProgressLine(absl::string_view label, const ProgressSample& sample, int width);

// "1m12s", "45s", "2h03m".
std::string FormatEta(absl::Duration left);

// Draws FormatProgressLine on `out` (a terminal), at most every 100 ms.
class ProgressLine {
 public:
  ProgressLine(std::FILE* out, std::string label, std::optional<int64_t> total_bytes,
               absl::Time start);

  // Redraws with the newest figures unless the last draw was under 100 ms ago.
  void Update(int64_t bytes_read, int64_t articles_stored, int64_t errors, absl::Time now);

  // Erases the line (before the summary is printed).
  void Clear();

 private:
  std::FILE* out_;
  std::string label_;
  std::optional<int64_t> total_bytes_;
  absl::Time start_;
  absl::Time last_draw_ = absl::InfinitePast();
  bool drawn_ = false;
};

// The width of the terminal behind `fd`, or 80.
int TerminalWidth(int fd);

}  // namespace newsdb::newsctl

#endif  // NEWSDB_TOOLS_NEWSCTL_PROGRESS_H_
