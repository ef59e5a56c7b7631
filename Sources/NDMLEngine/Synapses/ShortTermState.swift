import Foundation
import NDMLModel

/// The Tsodyks–Markram state of one projection (definition: `NDMLModel/Synapses/TsodyksMarkram.swift`):
/// per source neuron u, x and the stamp of its last spike. Every thread of this process keeps its
/// own copy and updates it with every spike of the step (each thread sees them all, in neuron
/// order), so the copies stay identical and no thread writes another's memory. Other MPI ranks'
/// threads have no copy here.
final class ShortTermState {
  let view: ShortTermView
  /// Copies for the parts `ownParts` (this process's threads, out of every rank's).
  init(parameters p: TsodyksMarkramParameters, sources: Int, ownParts: Range<Int>, dtMs: Double) {
    view = ShortTermView(parameters: p, sources: sources, ownParts: ownParts, dtMs: dtMs)
  }

  deinit { view.deallocate() }

  /// Appends the state (the first copy; all are equal).
  func save(to archive: inout StateArchiveWriter) {
    archive.section("short_term", shape: [view.sources])
    archive.write(view.u, count: view.sources)
    archive.write(view.x, count: view.sources)
    archive.write(view.last, count: view.sources)
  }

  /// Restores what ``save(to:)`` wrote into every thread's copy.
  func restore(from archive: inout StateArchiveReader) throws {
    try archive.section("short_term", shape: [view.sources])
    try archive.read(into: view.u, count: view.sources)
    try archive.read(into: view.x, count: view.sources)
    try archive.read(into: view.last, count: view.sources)
    for copy in 1..<max(view.parts, 1) {
      let base = copy * view.sources
      (view.u + base).update(from: view.u, count: view.sources)
      (view.x + base).update(from: view.x, count: view.sources)
      (view.last + base).update(from: view.last, count: view.sources)
    }
  }
}

/// Raw storage of a ``ShortTermState`` for the step loop.
struct ShortTermView {
  let parameters: TsodyksMarkramParameters
  let sources: Int
  /// Copies kept: one per part from ``firstPart``.
  let parts: Int
  let firstPart: Int
  let dtMs: Double
  let u: UnsafeMutablePointer<Double>
  let x: UnsafeMutablePointer<Double>
  /// Stamp of the last spike, −1 before the first.
  let last: UnsafeMutablePointer<Int>

  init(parameters p: TsodyksMarkramParameters, sources: Int, ownParts: Range<Int>, dtMs: Double) {
    parameters = p
    self.sources = sources
    parts = ownParts.count
    firstPart = ownParts.lowerBound
    self.dtMs = dtMs
    let n = max(1, sources * parts)
    u = .allocate(capacity: n)
    u.initialize(repeating: p.initialU ?? p.utilization, count: n)
    x = .allocate(capacity: n)
    x.initialize(repeating: p.initialX, count: n)
    last = .allocate(capacity: n)
    last.initialize(repeating: -1, count: n)
  }

  func deallocate() {
    u.deallocate()
    x.deallocate()
    last.deallocate()
  }

  /// Advances source `j`'s state (thread `part`'s copy; `part` one of this process's) to its spike
  /// stamped `stamp` and returns the factor u·x the spike delivers.
  @inline(__always)
  func factor(source j: Int, stamp: Int, part: Int) -> Double {
    let i = (part &- firstPart) &* sources &+ j
    if last[i] >= 0 {
      (u[i], x[i]) = parameters.next(u: u[i], x: x[i], elapsedMs: Double(stamp - last[i]) * dtMs)
    }
    last[i] = stamp
    return u[i] * x[i]
  }
}
