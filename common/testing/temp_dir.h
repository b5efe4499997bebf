#ifndef NEWSDB_COMMON_TESTING_TEMP_DIR_H_
#define NEWSDB_COMMON_TESTING_TEMP_DIR_H_

// A fresh directory under $TMPDIR (or /tmp), removed with its contents on destruction.
// Test-only. Each test gets its own, so tests can run in parallel.

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

namespace newsdb::testing {

class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr ? base : "/tmp") + "/newsdb-test-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace newsdb::testing

#endif  // NEWSDB_COMMON_TESTING_TEMP_DIR_H_
