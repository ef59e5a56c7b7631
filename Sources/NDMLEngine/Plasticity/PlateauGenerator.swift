import Foundation
import NDMLModel

/// Starts the plateaus of a BTSP projection's target neurons step by step (semantics:
/// ``PlateauSchedule``) and keeps them for the results file.
final class PlateauGenerator {
  private let scheduled: [(step: Int, neuron: Int)]
  private var nextScheduled = 0
  private let poissonProbability: Double
  private let bernoulliProbability: Double
  private let periodSteps: Int
  private let startStep: Int
  private let stopStep: Int
  private let stream: RandomStream
  /// Plateau length in steps.
  let durationSteps: Int
  /// Step at which each target's current plateau ends (exclusive).
  private(set) var plateauEnd: [Int]
  private var started: [(step: Int, neuron: Int)] = []

  init(schedule: PlateauSchedule, targetSize: Int, dtMs: Double, seed: UInt64, projection: String) {
    func steps(_ ms: Double) -> Int { Int((ms / dtMs).rounded()) }
    scheduled = schedule.scheduled.map { (steps($0.timeMs), $0.neuron) }.sorted { $0 < $1 }
    poissonProbability = schedule.rateHz * dtMs / 1000
    bernoulliProbability = schedule.probability
    periodSteps = max(1, steps(schedule.periodMs))
    startStep = steps(schedule.startMs)
    stopStep = schedule.stopMs.map(steps) ?? Int.max
    durationSteps = max(1, steps(schedule.durationMs))
    stream = RandomStream(seed: seed, purpose: "btsp-plateaus/\(projection)")
    plateauEnd = Array(repeating: Int.min, count: targetSize)
  }

  /// Whether target `i` is in a plateau during step `n`.
  @inline(__always)
  func isInPlateau(_ i: Int, atStep n: Int) -> Bool { n < plateauEnd[i] }

  /// Plateaus starting at step `n`, in ascending neuron order; `start` is called for each.
  func starts(atStep n: Int, _ start: (Int) -> Void) {
    var fresh: [Int] = []
    while nextScheduled < scheduled.count && scheduled[nextScheduled].step <= n {
      let (s, i) = scheduled[nextScheduled]
      nextScheduled += 1
      if s == n { fresh.append(i) }  // a time before the first step is ignored
    }
    if n >= startStep && n < stopStep {
      let drawsBernoulli = bernoulliProbability > 0 && (n - startStep) % periodSteps == 0
      if poissonProbability > 0 || drawsBernoulli {
        for i in plateauEnd.indices where n >= plateauEnd[i] {
          let (u1, u2) = stream.uniformPair(UInt64(i), UInt64(n))
          if (poissonProbability > 0 && u1 <= poissonProbability) || (drawsBernoulli && u2 <= bernoulliProbability) {
            fresh.append(i)
          }
        }
      }
    }
    guard !fresh.isEmpty else { return }
    fresh.sort()
    var previous = -1
    for i in fresh where i != previous {
      previous = i
      plateauEnd[i] = n + durationSteps
      started.append((n, i))
      start(i)
    }
  }

  /// Appends the generator's progress (plateau ends, position in the schedule, untaken starts).
  func save(to archive: inout StateArchiveWriter) {
    archive.write(nextScheduled)
    archive.write(plateauEnd)
    archive.write(started.map(\.step))
    archive.write(started.map(\.neuron))
  }

  /// Restores what ``save(to:)`` wrote.
  func restore(from archive: inout StateArchiveReader) throws {
    nextScheduled = try archive.readInt()
    plateauEnd = try archive.readArray(count: plateauEnd.count)
    let steps: [Int] = try archive.readArray()
    let neurons: [Int] = try archive.readArray(count: steps.count)
    started = Array(zip(steps, neurons))
  }

  /// Plateau starts since the last call, in time order.
  func take() -> [(step: Int, neuron: Int)] {
    defer { started.removeAll(keepingCapacity: true) }
    return started
  }
}
