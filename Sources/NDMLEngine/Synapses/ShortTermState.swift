import Foundation
import NDMLModel

/// The Tsodyks–Markram state of one projection (definition: `NDMLModel/Synapses/TsodyksMarkram.swift`):
/// per source neuron u, x and the stamp of its last spike. Every thread keeps its own copy and
/// updates it with every spike of the step (each thread sees them all, in neuron order), so the
/// copies stay identical and no thread writes another's memory.
final class ShortTermState {
  let view: ShortTermView
  /// The first part this process steps (on MPI ranks the other ranks' copies are not updated here).
  private let ownPart: Int

  init(parameters p: TsodyksMarkramParameters, sources: Int, parts: Int, ownPart: Int, dtMs: Double) {
    view = ShortTermView(parameters: p, sources: sources, parts: parts, dtMs: dtMs)
    self.ownPart = ownPart
  }

  deinit { view.deallocate() }

  /// Appends the state (this process's first part's copy; all its parts' are equal).
  func save(to archive: inout StateArchiveWriter) {
    let base = ownPart * view.sources
    archive.section("short_term", shape: [view.sources])
    archive.write(view.u + base, count: view.sources)
    archive.write(view.x + base, count: view.sources)
    archive.write(view.last + base, count: view.sources)
  }

  /// Restores what ``save(to:)`` wrote into every thread's copy.
  func restore(from archive: inout StateArchiveReader) throws {
    try archive.section("short_term", shape: [view.sources])
    try archive.read(into: view.u, count: view.sources)
    try archive.read(into: view.x, count: view.sources)
    try archive.read(into: view.last, count: view.sources)
    for part in 1..<max(view.parts, 1) {
      let base = part * view.sources
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
  let parts: Int
  let dtMs: Double
  let u: UnsafeMutablePointer<Double>
  let x: UnsafeMutablePointer<Double>
  /// Stamp of the last spike, −1 before the first.
  let last: UnsafeMutablePointer<Int>

  init(parameters p: TsodyksMarkramParameters, sources: Int, parts: Int, dtMs: Double) {
    parameters = p
    self.sources = sources
    self.parts = parts
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

  /// Advances source `j`'s state (thread `part`'s copy) to its spike stamped `stamp` and returns
  /// the factor u·x the spike delivers.
  @inline(__always)
  func factor(source j: Int, stamp: Int, part: Int) -> Double {
    let i = part * sources + j
    if last[i] >= 0 {
      (u[i], x[i]) = parameters.next(u: u[i], x: x[i], elapsedMs: Double(stamp - last[i]) * dtMs)
    }
    last[i] = stamp
    return u[i] * x[i]
  }
}
