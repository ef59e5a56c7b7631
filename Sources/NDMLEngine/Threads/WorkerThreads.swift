import CNDMLThreads
import Foundation

/// A barrier for a fixed number of threads (spin, then yield; see `ndml_threads.h`), with one
/// shared flag that is set before a barrier and read after it.
final class SpinBarrier: @unchecked Sendable {
  private let state: UnsafeMutablePointer<ndml_barrier>
  /// Number of threads that meet at the barrier.
  let parties: Int

  init(parties: Int) {
    self.parties = parties
    // Alone in its own 128-byte block: the waiting threads poll it, so nothing else may share
    // its cache lines (or the adjacent-line prefetcher's pair of them).
    state = UnsafeMutableRawPointer.allocate(byteCount: 128, alignment: 128).bindMemory(
      to: ndml_barrier.self, capacity: 1)
    ndml_barrier_init(state, Int32(parties))
  }

  deinit { state.deallocate() }

  /// Waits until all `parties` threads have called `wait()`; a no-op for one thread.
  @inline(__always)
  func wait() {
    if parties > 1 { ndml_barrier_wait(state) }
  }

  /// The shared flag (e.g. "stop"): set it before a barrier, read it after.
  var flag: Bool {
    get { ndml_barrier_flag(state) != 0 }
    set { ndml_barrier_set_flag(state, newValue ? 1 : 0) }
  }
}

/// Runs `body(k)` for k = 0..<threads at once: k = 0 on the calling thread, the others on
/// persistent threads started for the call; returns when all have returned. The bodies meet at a
/// ``SpinBarrier`` as often as they need to (once or twice per step), which costs far less than
/// dispatching a task per step (see docs/performance.md).
func runOnThreads(_ threads: Int, _ body: @escaping @Sendable (Int) -> Void) {
  guard threads > 1 else {
    body(0)
    return
  }
  let done = DispatchSemaphore(value: 0)
  for k in 1..<threads {
    let thread = Thread {
      body(k)
      done.signal()
    }
    thread.stackSize = 8 << 20
    thread.name = "ndml-worker-\(k)"
    thread.start()
  }
  body(0)
  for _ in 1..<threads { done.wait() }
}

/// Splits `count` neurons, in blocks of ``blockCount`` (whole cache lines of state), into
/// `parts` contiguous ranges of whole blocks, as equal as blocks allow; ranges end at the last
/// SIMD chunk that holds a neuron (not at the padded block), so a small population costs one
/// chunk, not a block. Neuron `i` belongs to the part whose range holds it.
func chunkPartition(count: Int, parts: Int) -> [Range<Int>] {
  let blocks = paddedCount(count) / blockCount
  let end = (count + laneCount - 1) / laneCount * laneCount
  return (0..<parts).map { k in
    min(blocks * k / parts * blockCount, end)..<min(blocks * (k + 1) / parts * blockCount, end)
  }
}
