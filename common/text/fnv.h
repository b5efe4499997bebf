// FNV-1a 64: a byte hash that is the same in every process and on every run (unlike absl::Hash),
// for values that are persisted or compared across processes: article ids, request fingerprints.
#ifndef NEWSDB_COMMON_TEXT_FNV_H_
#define NEWSDB_COMMON_TEXT_FNV_H_

#include <cstdint>
#include <string_view>

namespace newsdb::text {

inline constexpr uint64_t kFnvOffsetBasis = 0xcbf29ce484222325ULL;
inline constexpr uint64_t kFnvPrime = 0x100000001b3ULL;

inline uint64_t FnvAppend(uint64_t hash, unsigned char byte) { return (hash ^ byte) * kFnvPrime; }

inline uint64_t FnvAppend(uint64_t hash, std::string_view bytes) {
  for (const char c : bytes) hash = FnvAppend(hash, static_cast<unsigned char>(c));
  return hash;
}

// Appends the 8 bytes of `value`, most significant first.
inline uint64_t FnvAppendBigEndian(uint64_t hash, uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    hash = FnvAppend(hash, static_cast<unsigned char>(value >> shift));
  }
  return hash;
}

}  // namespace newsdb::text

#endif  // NEWSDB_COMMON_TEXT_FNV_H_
