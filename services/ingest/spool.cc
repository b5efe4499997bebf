#include "services/ingest/spool.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/log/log.h"
#include "common/status/status_macros.h"
#include "common/time/timestamp.h"
#include "google/protobuf/util/json_util.h"

namespace newsdb::ingest {
namespace {

constexpr char kIncoming[] = "incoming";
constexpr char kWork[] = "work";
constexpr char kDone[] = "done";
constexpr char kFailed[] = "failed";
constexpr char kSidecarSuffix[] = ".options";
constexpr char kReportSuffix[] = ".report.json";
constexpr char kIdSeparator = '~';

bool IsSourceName(absl::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

// Names in incoming/ that are not (yet) dumps: partial writes, hidden files, sidecars.
bool IsIgnored(const std::string& name) {
  return name.empty() || name[0] == '.' || absl::EndsWith(name, ".tmp") ||
         absl::EndsWith(name, kSidecarSuffix);
}

std::string Errno(absl::string_view what, const std::string& path) {
  return absl::StrCat(what, " ", path, ": ", std::strerror(errno));
}

// fsync of a directory makes the renames in it durable.
void SyncDir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

absl::Status WriteFileDurably(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return absl::InternalError(Errno("cannot create", tmp));
  size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      return absl::InternalError(Errno("cannot write", tmp));
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) return absl::InternalError(Errno("cannot sync", tmp));
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return absl::InternalError(Errno("cannot rename into", path));
  }
  return absl::OkStatus();
}

bool Exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

std::string RandomId() {
  absl::BitGen random;
  return absl::StrCat(absl::Hex(absl::Uniform<uint64_t>(random), absl::kZeroPad16));
}

bool IsTransient(absl::StatusCode code) {
  return code == absl::StatusCode::kUnavailable || code == absl::StatusCode::kDeadlineExceeded ||
         code == absl::StatusCode::kAborted || code == absl::StatusCode::kResourceExhausted ||
         code == absl::StatusCode::kCancelled;
}

}  // namespace

v1::FeedOptions OptionsFromName(const std::string& name, const v1::FeedOptions& defaults) {
  v1::FeedOptions options = defaults;
  const size_t dashes = name.find("--");
  if (dashes != std::string::npos && IsSourceName(name.substr(0, dashes))) {
    options.set_source(name.substr(0, dashes));
  }
  return options;
}

absl::StatusOr<v1::FeedOptions> ParseSidecar(const std::string& text,
                                             const v1::FeedOptions& defaults) {
  v1::FeedOptions options = defaults;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    const size_t equals = line.find('=');
    if (equals == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "sidecar line ", line_number, ": expected `key = value`, got \"", line, "\""));
    }
    const absl::string_view key = absl::StripAsciiWhitespace(line.substr(0, equals));
    const std::string value(absl::StripAsciiWhitespace(line.substr(equals + 1)));
    if (key == "source") {
      options.set_source(value);
    } else if (key == "time_zone") {
      options.set_time_zone(value);
    } else if (key == "captured_at") {
      absl::Time time;
      std::string error;
      if (!absl::ParseTime(absl::RFC3339_full, value, &time, &error)) {
        return absl::InvalidArgumentError(absl::StrCat("sidecar line ", line_number,
                                                       ": captured_at is not RFC 3339 (", error,
                                                       "): \"", value, "\""));
      }
      *options.mutable_captured_at() = time::ToTimestamp(time);
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("sidecar line ", line_number, ": unknown key \"", key,
                       "\" (the keys are source, time_zone and captured_at)"));
    }
  }
  return options;
}

absl::StatusOr<std::unique_ptr<Spool>> Spool::Start(SpoolOptions options,
                                                    BatchPublisher& publisher) {
  if (options.parallel < 1) return absl::InvalidArgumentError("--spool_parallel must be >= 1");
  std::unique_ptr<Spool> spool(new Spool(std::move(options), publisher));
  NEWSDB_RETURN_IF_ERROR(spool->Init());
  return spool;
}

std::string Spool::Path(const std::string& folder, const std::string& name) const {
  return absl::StrCat(options_.dir, "/", folder, name.empty() ? "" : "/", name);
}

absl::Status Spool::Init() {
  for (const char* folder : {kIncoming, kWork, kDone, kFailed}) {
    std::error_code error;
    std::filesystem::create_directories(Path(folder, ""), error);
    if (error) {
      return absl::InternalError(
          absl::StrCat("cannot create ", Path(folder, ""), ": ", error.message()));
    }
  }
  inotify_fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (inotify_fd_ < 0) return absl::InternalError(Errno("cannot watch", Path(kIncoming, "")));
  if (::inotify_add_watch(inotify_fd_, Path(kIncoming, "").c_str(), IN_MOVED_TO) < 0) {
    return absl::InternalError(Errno("cannot watch", Path(kIncoming, "")));
  }
  // Files claimed before a stop or a crash come first, in name order.
  std::vector<std::string> claimed;
  std::vector<std::string> sidecars;
  for (const auto& entry : std::filesystem::directory_iterator(Path(kWork, ""))) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || absl::EndsWith(name, ".tmp")) continue;
    (absl::EndsWith(name, kSidecarSuffix) ? sidecars : claimed).push_back(name);
  }
  // A sidecar whose dump left work/ was copied beside it by Finish, which stopped before removing
  // it.
  for (const std::string& sidecar : sidecars) {
    const std::string dump = sidecar.substr(0, sidecar.size() - std::strlen(kSidecarSuffix));
    if (!Exists(Path(kWork, dump))) ::unlink(Path(kWork, sidecar).c_str());
  }
  std::sort(claimed.begin(), claimed.end());
  for (const std::string& name : claimed) {
    LOG(INFO) << "Spool: resuming " << name;
    Enqueue(Item{.work_name = name,
                 .attempts = 0,
                 .not_before = absl::InfinitePast(),
                 .sidecar = std::nullopt});
  }
  // Watch before scanning, so that a file renamed in meanwhile is seen by one or the other.
  ScanIncoming();
  watcher_ = std::thread([this] { Watch(); });
  for (int i = 0; i < options_.parallel; ++i) workers_.emplace_back([this] { Work(); });
  LOG(INFO) << "Spool: watching " << Path(kIncoming, "") << " with " << options_.parallel
            << " file(s) in flight at most";
  return absl::OkStatus();
}

Spool::~Spool() {
  Stop();
  if (inotify_fd_ >= 0) ::close(inotify_fd_);
}

void Spool::Stop() {
  {
    absl::MutexLock lock(&mutex_);
    stopping_ = true;
  }
  if (watcher_.joinable()) watcher_.join();
  for (std::thread& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
}

int64_t Spool::finished() const {
  absl::MutexLock lock(&mutex_);
  return finished_;
}

void Spool::ScanIncoming() {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(Path(kIncoming, ""), error)) {
    if (entry.is_regular_file()) names.push_back(entry.path().filename().string());
  }
  if (error) LOG(ERROR) << "Spool: cannot list " << Path(kIncoming, "") << ": " << error.message();
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) Claim(name);
}

void Spool::Claim(const std::string& name) {
  if (IsIgnored(name)) return;
  const std::string work_name = absl::StrCat(RandomId(), std::string(1, kIdSeparator), name);
  // The dump moves first: where it is, is its state. Its sidecar follows (a crash in between
  // leaves the sidecar in incoming/, where Process looks for it too).
  if (::rename(Path(kIncoming, name).c_str(), Path(kWork, work_name).c_str()) != 0) {
    if (errno != ENOENT) LOG(ERROR) << "Spool: " << Errno("cannot claim", Path(kIncoming, name));
    return;
  }
  ClaimSidecar(name, work_name);
  SyncDir(Path(kWork, ""));
  LOG(INFO) << "Spool: claimed " << name << " as " << work_name;
  Enqueue(Item{.work_name = work_name,
               .attempts = 0,
               .not_before = absl::InfinitePast(),
               .sidecar = std::nullopt});
}

void Spool::ClaimSidecar(const std::string& name, const std::string& work_name) {
  const std::string sidecar = Path(kIncoming, name + kSidecarSuffix);
  if (Exists(sidecar) &&
      ::rename(sidecar.c_str(), Path(kWork, work_name + kSidecarSuffix).c_str()) != 0) {
    LOG(ERROR) << "Spool: " << Errno("cannot claim", sidecar);
  }
}

void Spool::Enqueue(Item item) {
  absl::MutexLock lock(&mutex_);
  queue_.push_back(std::move(item));
}

void Spool::Watch() {
  alignas(struct inotify_event) char buffer[64 * 1024];
  while (true) {
    {
      absl::MutexLock lock(&mutex_);
      if (stopping_) return;
    }
    struct pollfd poll_fd = {inotify_fd_, POLLIN, 0};
    if (::poll(&poll_fd, 1, 200) <= 0) continue;
    const ssize_t length = ::read(inotify_fd_, buffer, sizeof(buffer));
    if (length <= 0) continue;
    bool overflow = false;
    for (ssize_t offset = 0; offset < length;) {
      const auto* event = reinterpret_cast<const struct inotify_event*>(buffer + offset);
      offset += static_cast<ssize_t>(sizeof(struct inotify_event) + event->len);
      if ((event->mask & IN_Q_OVERFLOW) != 0) overflow = true;
      if ((event->mask & IN_MOVED_TO) != 0 && event->len > 0) Claim(event->name);
    }
    if (overflow) ScanIncoming();  // events were lost: look at everything
  }
}

void Spool::Work() {
  while (true) {
    Item item;
    {
      absl::MutexLock lock(&mutex_);
      // The first item whose retry time has come.
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
        if (stopping_) return true;
        const absl::Time now = absl::Now();
        return std::any_of(queue_.begin(), queue_.end(),
                           [now](const Item& i) { return i.not_before <= now; });
      };
      while (!mutex_.AwaitWithTimeout(absl::Condition(&ready), absl::Milliseconds(200))) {
      }
      if (stopping_) return;
      const absl::Time now = absl::Now();
      auto it = std::find_if(queue_.begin(), queue_.end(),
                             [now](const Item& i) { return i.not_before <= now; });
      item = std::move(*it);
      queue_.erase(it);
    }
    ++item.attempts;
    std::string reason;
    const Outcome outcome = Process(item, reason);
    if (outcome == Outcome::kRetry) {
      const absl::Duration delay = std::min(
          options_.max_retry_delay, options_.retry_delay * (1 << std::min(item.attempts - 1, 10)));
      LOG(WARNING) << "Spool: " << item.work_name << " will be retried in " << delay << ": "
                   << reason;
      item.not_before = absl::Now() + delay;
      Enqueue(std::move(item));
    } else if (outcome == Outcome::kDone || outcome == Outcome::kFailed) {
      absl::MutexLock lock(&mutex_);
      ++finished_;
    }
  }
}

Spool::Outcome Spool::Process(Item& item, std::string& reason) {
  const std::string& work_name = item.work_name;
  const size_t separator = work_name.find(kIdSeparator);
  const std::string name =
      separator == std::string::npos ? work_name : work_name.substr(separator + 1);
  const std::string id = separator == std::string::npos ? "" : work_name.substr(0, separator);

  // Options: the sidecar, else the name, else the defaults; checked like a call's.
  v1::FeedOptions wire = OptionsFromName(name, options_.defaults);
  const std::string sidecar_path = Path(kWork, work_name + kSidecarSuffix);
  if (!Exists(sidecar_path)) ClaimSidecar(name, work_name);  // after a crash inside Claim
  item.sidecar.reset();
  if (Exists(sidecar_path)) {
    std::ifstream in(sidecar_path);
    std::stringstream text;
    text << in.rdbuf();
    item.sidecar = text.str();
    absl::StatusOr<v1::FeedOptions> parsed = ParseSidecar(*item.sidecar, wire);
    if (!parsed.ok()) {
      reason = std::string(parsed.status().message());
      absl::Status moved = Finish(item, kFailed, reason, wire, nullptr);
      LOG_IF(ERROR, !moved.ok()) << "Spool: " << moved;
      return moved.ok() ? Outcome::kFailed : Outcome::kRetry;
    }
    wire = *std::move(parsed);
  }
  absl::StatusOr<IngestOptions> options = MakeIngestOptions(wire, "options.");
  if (!options.ok()) {
    reason = absl::StrCat("bad options: ", options.status().message());
    absl::Status moved = Finish(item, kFailed, reason, wire, nullptr);
    return moved.ok() ? Outcome::kFailed : Outcome::kRetry;
  }
  options->retry_budget = options_.retry_budget;
  options->request_id_prefix = absl::StrCat("spool/", id.empty() ? work_name : id);

  std::ifstream in(Path(kWork, work_name), std::ios::binary);
  if (!in) {
    reason = Errno("cannot read", Path(kWork, work_name));
    absl::Status moved = Finish(item, kFailed, reason, wire, nullptr);
    return moved.ok() ? Outcome::kFailed : Outcome::kRetry;
  }
  FeedIngestion ingestion(*options, publisher_, absl::Now());
  std::string chunk(static_cast<size_t>(options_.chunk_bytes), '\0');
  absl::Status status;
  while (status.ok() && in) {
    {
      absl::MutexLock lock(&mutex_);
      if (stopping_) return Outcome::kStopped;
    }
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    const auto got = static_cast<size_t>(in.gcount());
    if (got > 0) status = ingestion.Consume(absl::string_view(chunk.data(), got));
  }
  if (status.ok() && in.bad()) status = absl::InternalError(Errno("cannot read", work_name));
  absl::StatusOr<v1::IngestFeedResponse> response =
      status.ok() ? ingestion.Finish() : absl::StatusOr<v1::IngestFeedResponse>(status);
  if (!response.ok()) {
    reason = std::string(response.status().message());
    if (IsTransient(response.status().code())) return Outcome::kRetry;
    absl::Status moved = Finish(item, kFailed, reason, wire, nullptr);
    return moved.ok() ? Outcome::kFailed : Outcome::kRetry;
  }
  if (response->articles_parsed() == 0 && response->errors_size() > 0) {
    const v1::FeedError& first = response->errors(0);
    reason = absl::StrCat("no article in the file (",
                          response->errors_size() + response->errors_omitted(),
                          " errors; the first at line ", first.line(), ": ", first.message(), ")");
    absl::Status moved = Finish(item, kFailed, reason, wire, &*response);
    return moved.ok() ? Outcome::kFailed : Outcome::kRetry;
  }
  absl::Status moved = Finish(item, kDone, "", wire, &*response);
  if (!moved.ok()) {
    reason = std::string(moved.message());
    return Outcome::kRetry;
  }
  LOG(INFO) << "Spool: " << name << " done: parsed " << response->articles_parsed() << ", created "
            << response->articles_created() << ", updated " << response->articles_updated()
            << ", unchanged " << response->articles_unchanged() << ", errors "
            << response->errors_size() + response->errors_omitted();
  return Outcome::kDone;
}

absl::Status Spool::Finish(const Item& item, const std::string& folder, const std::string& reason,
                           const v1::FeedOptions& options, const v1::IngestFeedResponse* response) {
  const std::string& work_name = item.work_name;
  const size_t separator = work_name.find(kIdSeparator);
  const std::string name =
      separator == std::string::npos ? work_name : work_name.substr(separator + 1);
  const std::string id = separator == std::string::npos ? "" : work_name.substr(0, separator);
  // The final name is NAME unless an earlier file of that name is there; then ID~NAME. The
  // choice is the same when Finish runs again after a crash between its two steps.
  const std::string final_name = Exists(Path(folder, name)) ? work_name : name;

  v1::SpoolReport report;
  *report.mutable_options() = options;
  report.set_file(name);
  report.set_spool_id(id);
  report.set_status(folder);
  report.set_reason(reason);
  if (response != nullptr) *report.mutable_response() = *response;
  report.set_attempts(item.attempts);
  *report.mutable_finished_at() = time::ToTimestamp(absl::Now());
  std::string json;
  google::protobuf::util::JsonPrintOptions print;
  print.add_whitespace = true;
  print.preserve_proto_field_names = true;
  if (!google::protobuf::util::MessageToJsonString(report, &json, print).ok()) {
    return absl::InternalError(absl::StrCat("cannot format the report of ", name));
  }
  // 1. The report, and a copy of the sidecar (each atomically: a reader never sees half of
  // one); 2. the file, in one rename; 3. the claimed sidecar is removed. A crash before 2 leaves
  // the file in work/: it is ingested again (storage answers its batches from the request ledger)
  // and 1 is redone. A crash before 3 leaves a sidecar without a dump, removed at the next start.
  NEWSDB_RETURN_IF_ERROR(WriteFileDurably(Path(folder, final_name + kReportSuffix), json));
  if (item.sidecar.has_value()) {
    NEWSDB_RETURN_IF_ERROR(
        WriteFileDurably(Path(folder, final_name + kSidecarSuffix), *item.sidecar));
  }
  if (::rename(Path(kWork, work_name).c_str(), Path(folder, final_name).c_str()) != 0) {
    return absl::InternalError(Errno("cannot move", Path(kWork, work_name)));
  }
  ::unlink(Path(kWork, work_name + kSidecarSuffix).c_str());
  SyncDir(Path(folder, ""));
  SyncDir(Path(kWork, ""));
  if (folder == kFailed) LOG(WARNING) << "Spool: " << name << " failed: " << reason;
  return absl::OkStatus();
}

}  // namespace newsdb::ingest
