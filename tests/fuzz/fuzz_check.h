// The fuzz targets' assertion: reports the failed condition and aborts, which libFuzzer (and the
// corpus replay driver) turn into a failing input. It stays on in release builds, unlike assert.
#ifndef NEWSDB_TESTS_FUZZ_FUZZ_CHECK_H_
#define NEWSDB_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define NEWSDB_FUZZ_CHECK(condition)                                                     \
  do {                                                                                   \
    if (!(condition)) {                                                                  \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (false)

#endif  // NEWSDB_TESTS_FUZZ_FUZZ_CHECK_H_
