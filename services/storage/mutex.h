#ifndef NEWSDB_SERVICES_STORAGE_MUTEX_H_
#define NEWSDB_SERVICES_STORAGE_MUTEX_H_

// The storage core's reader-writer mutex: absl::Mutex, except under ThreadSanitizer.
//
// Why: Debian's Abseil is not built with TSan, so TSan cannot see absl::Mutex's lock and unlock
// (they are futex calls inside libabsl, not intercepted pthread calls) and reports every access
// that such a mutex guards as a data race. Under TSan these classes wrap std::shared_mutex
// (pthread_rwlock, which TSan intercepts), with the same names, annotations and semantics for the
// subset the storage uses: exclusive and shared locking with scoped guards.

#include "absl/base/thread_annotations.h"

#if defined(__SANITIZE_THREAD__)
#define NEWSDB_SYNC_STD_MUTEX 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define NEWSDB_SYNC_STD_MUTEX 1
#endif
#endif

#ifdef NEWSDB_SYNC_STD_MUTEX
#include <shared_mutex>
#else
#include "absl/synchronization/mutex.h"
#endif

namespace newsdb::storage::sync {

#ifdef NEWSDB_SYNC_STD_MUTEX

class ABSL_LOCKABLE Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;
  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { mutex_.lock(); }
  void Unlock() ABSL_UNLOCK_FUNCTION() { mutex_.unlock(); }
  void ReaderLock() ABSL_SHARED_LOCK_FUNCTION() { mutex_.lock_shared(); }
  void ReaderUnlock() ABSL_UNLOCK_FUNCTION() { mutex_.unlock_shared(); }

 private:
  std::shared_mutex mutex_;
};

class ABSL_SCOPED_LOCKABLE MutexLock {
 public:
  explicit MutexLock(Mutex* mutex) ABSL_EXCLUSIVE_LOCK_FUNCTION(mutex) : mutex_(mutex) {
    mutex_->Lock();
  }
  ~MutexLock() ABSL_UNLOCK_FUNCTION() { mutex_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mutex_;
};

class ABSL_SCOPED_LOCKABLE ReaderMutexLock {
 public:
  explicit ReaderMutexLock(Mutex* mutex) ABSL_SHARED_LOCK_FUNCTION(mutex) : mutex_(mutex) {
    mutex_->ReaderLock();
  }
  ~ReaderMutexLock() ABSL_UNLOCK_FUNCTION() { mutex_->ReaderUnlock(); }
  ReaderMutexLock(const ReaderMutexLock&) = delete;
  ReaderMutexLock& operator=(const ReaderMutexLock&) = delete;

 private:
  Mutex* const mutex_;
};

#else

using Mutex = absl::Mutex;
using MutexLock = absl::MutexLock;
using ReaderMutexLock = absl::ReaderMutexLock;

#endif

}  // namespace newsdb::storage::sync

#endif  // NEWSDB_SERVICES_STORAGE_MUTEX_H_
