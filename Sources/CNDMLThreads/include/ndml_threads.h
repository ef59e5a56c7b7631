// A reusable spin-then-yield barrier for the engine's persistent worker threads (C11 atomics:
// Swift's Synchronization module needs macOS 15, and the engine also builds on macOS 13).
//
// Sense by generation: the last thread to arrive resets the count and bumps the generation; the
// others wait until it changes (sequentially consistent atomics), so everything written before
// the barrier by any thread is visible after it to all. Waiting spins with a pause hint, then
// sleeps on a futex (Linux; elsewhere it yields the core): a pure spin collapses when another
// process holds the other core, because the waiting thread burns the time slice the late thread
// needs. The spin budget adapts: it halves after every wait that ended asleep (down to
// NDML_BARRIER_MIN_SPINS) and doubles after every wait the spin covered (up to
// NDML_BARRIER_SPINS, far longer than a balanced step's wait). On a quiet machine every wait ends
// spinning and the budget stays at its maximum; when another process holds a core the waits end
// asleep, and the waiting thread soon gives up its core after a short spin instead of ~1 ms.
#ifndef NDML_THREADS_H
#define NDML_THREADS_H


#include <sched.h>
#include <stdatomic.h>
#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#define NDML_BARRIER_SPINS 20000
#define NDML_BARRIER_MIN_SPINS 64

typedef struct {
  _Atomic int count;
  _Atomic int generation;
  _Atomic int sleepers;
  int parties;
  _Atomic int flag;
  _Atomic int spin_limit;  // adaptive; relaxed (a stale value only changes how long one wait spins)
} ndml_barrier;

static inline void ndml_barrier_init(ndml_barrier *b, int parties) {
  atomic_init(&b->count, 0);
  atomic_init(&b->generation, 0);
  atomic_init(&b->sleepers, 0);
  atomic_init(&b->flag, 0);
  atomic_init(&b->spin_limit, NDML_BARRIER_SPINS);
  b->parties = parties;
}

/// Sleeps while `*word == value` (returns at once if it already differs).
static inline void ndml_futex_wait(_Atomic int *word, int value) {
#if defined(__linux__)
  syscall(SYS_futex, (int *)word, FUTEX_WAIT_PRIVATE, value, NULL, NULL, 0);
#else
  (void)word;
  (void)value;
  sched_yield();
#endif
}

/// Wakes every thread sleeping on `word`.
static inline void ndml_futex_wake_all(_Atomic int *word) {
#if defined(__linux__)
  syscall(SYS_futex, (int *)word, FUTEX_WAKE_PRIVATE, 1 << 30, NULL, NULL, 0);
#else
  (void)word;
#endif
}

static inline void ndml_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

/// Asks the CPU to fetch the cache line holding `address` into all cache levels, for reading,
/// without waiting for it (a hint: no fault for any address).
static inline void ndml_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }

static inline void ndml_barrier_wait(ndml_barrier *b) {
  int generation = atomic_load(&b->generation);
  if (atomic_fetch_add(&b->count, 1) == b->parties - 1) {
    atomic_store(&b->count, 0);
    atomic_fetch_add(&b->generation, 1);
    if (atomic_load(&b->sleepers) > 0) ndml_futex_wake_all(&b->generation);
    return;
  }
  int limit = atomic_load_explicit(&b->spin_limit, memory_order_relaxed);
  for (int spins = 0; spins < limit; spins++) {
    if (atomic_load_explicit(&b->generation, memory_order_acquire) != generation) {
      if (limit < NDML_BARRIER_SPINS) {
        int grown = 2 * limit;
        atomic_store_explicit(&b->spin_limit, grown < NDML_BARRIER_SPINS ? grown : NDML_BARRIER_SPINS,
                              memory_order_relaxed);
      }
      return;
    }
    ndml_cpu_relax();
  }
  if (limit > NDML_BARRIER_MIN_SPINS) {
    int halved = limit / 2;
    atomic_store_explicit(&b->spin_limit, halved > NDML_BARRIER_MIN_SPINS ? halved : NDML_BARRIER_MIN_SPINS,
                          memory_order_relaxed);
  }
  // Either the last thread sees this sleeper, or this thread sees the new generation (both
  // sequentially consistent), so no wake-up is lost; the futex re-checks the word atomically.
  atomic_fetch_add(&b->sleepers, 1);
  while (atomic_load(&b->generation) == generation) ndml_futex_wait(&b->generation, generation);
  atomic_fetch_sub(&b->sleepers, 1);
}

/// A flag shared by the threads (e.g. "stop after this barrier"), read and written with
/// sequentially consistent order; meant to be set before a barrier and read after it.
static inline void ndml_barrier_set_flag(ndml_barrier *b, int value) {
  atomic_store(&b->flag, value);
}

static inline int ndml_barrier_flag(ndml_barrier *b) { return atomic_load(&b->flag); }

/// A word one thread writes and others may read at any time (a fault's step): relaxed atomics,
/// so a concurrent read sees the old or the new value, never a torn one, and is no data race.
static inline void ndml_store_word(long *word, long value) {
  __atomic_store_n(word, value, __ATOMIC_RELAXED);
}

static inline long ndml_load_word(const long *word) { return __atomic_load_n(word, __ATOMIC_RELAXED); }

#endif
