import Foundation
import NDMLEngine
import NDMLModel
import XCTest

/// Any number of ranks gives the output of one process: spikes, state and trace samples, weight
/// snapshots. The ranks here are threads of this
/// process talking through ``InProcessRanks`` (no MPI: the real launcher is tested in
/// Tests/python/test_mpi.py), so the exchange's buffer handling also runs under the sanitizers.
final class RankDeterminismTests: XCTestCase {
  func testEveryRankCountGivesIdenticalOutput() throws {
    var experiment = mixedNetwork(threads: 1, precision: .float64)
    // Traces of neurons on every rank: y read where the neuron is stepped, x on rank 0.
    experiment.recording.traces[0].neurons = [1, 230, 460]
    try checkRankCounts(experiment, exchangeIntervalSteps: 1)  // per-synapse delays
  }

  /// With uniform delays only, the ranks run several steps between exchanges (the shortest delay
  /// between ranks: `xe` 0.8 ms from sources gives 8 steps, `ee` 0.5 ms from neurons 5 + 1), cut
  /// short before the serial work of the state samples every 10 and 25 steps.
  func testExchangesOncePerMinimumDelay() throws {
    var experiment = mixedNetwork(threads: 1, precision: .float64)
    for (i, delay) in [(1, 1.2), (3, 0.8), (4, 0.7)] { experiment.projections[i].delayMs = .constant(delay) }
    experiment.recording.state[0].intervalMs = 2.5
    try checkRankCounts(experiment, exchangeIntervalSteps: 6)
  }

  private func checkRankCounts(_ experiment: Experiment, exchangeIntervalSteps: Int) throws {
    var experiment = experiment
    let (reference, summary) = try simulate(experiment)
    XCTAssertGreaterThan(reference.spikes["e"]!.timesMs.count, 500, "the network must be active")
    for (ranks, threads) in [(2, 1), (3, 1), (2, 2)] {
      experiment.simulation.threads = threads
      let runs = try runOnRanks(experiment, ranks: ranks)
      let (rank0, s) = runs[0]
      XCTAssertEqual(s.exchangeIntervalSteps, exchangeIntervalSteps, "\(ranks) ranks")
      XCTAssertGreaterThanOrEqual(s.spikeExchanges, s.steps / exchangeIntervalSteps, "\(ranks) ranks")
      XCTAssertEqual(s.synapticEvents, summary.synapticEvents, "\(ranks) ranks")
      // Each rank built only the synapses onto its own neurons; together, all of them.
      XCTAssertEqual(s.synapseCount, summary.synapseCount, "\(ranks) ranks")
      XCTAssertEqual(s.rankSynapseCounts.count, ranks)
      XCTAssertEqual(s.rankSynapseCounts.reduce(0, +), summary.synapseCount, "\(ranks) ranks")
      XCTAssertEqual(s.rankSynapseBytes.reduce(0, +), s.synapseBytes, "\(ranks) ranks")
      XCTAssertTrue(summary.rankSynapseCounts.isEmpty, "one process: no per-rank figures")
      for (rank, run) in runs.enumerated() {
        XCTAssertEqual(run.1.rankSynapseCounts, s.rankSynapseCounts, "rank \(rank) reports the same figures")
        XCTAssertLessThan(s.rankSynapseCounts[rank], summary.synapseCount * 3 / (2 * ranks), "rank \(rank) of \(ranks)")
      }
      XCTAssertEqual(s.spikeCounts.map(\.spikes), summary.spikeCounts.map(\.spikes), "\(ranks) ranks")
      for (population, recorded) in reference.spikes {
        XCTAssertEqual(rank0.spikes[population]!.timesMs, recorded.timesMs, "\(population), \(ranks) ranks")
        XCTAssertEqual(rank0.spikes[population]!.nodeIDs, recorded.nodeIDs, "\(population), \(ranks) ranks")
      }
      XCTAssertEqual(rank0.samples, reference.samples, "\(ranks) ranks × \(threads) threads")
      // Weight snapshots gathered from the ranks that hold the synapses: the same sample and values.
      XCTAssertEqual(rank0.weights.keys.sorted(), reference.weights.keys.sorted())
      for (i, recorded) in reference.weights {
        XCTAssertEqual(rank0.weights[i]!.layout, recorded.layout, "weight recording \(i), \(ranks) ranks")
        XCTAssertEqual(rank0.weights[i]!.times, recorded.times, "weight recording \(i), \(ranks) ranks")
        XCTAssertEqual(rank0.weights[i]!.values, recorded.values, "weight recording \(i), \(ranks) ranks")
      }
      for (rank, run) in runs.enumerated().dropFirst() {
        XCTAssertTrue(run.0.spikes.isEmpty, "rank \(rank) records nothing")
      }
    }
  }

  /// A checkpoint taken on ranks holds every rank's state (rank 0 gets it); resumed on the same
  /// rank and thread counts from any of its checkpoints, the output is the uninterrupted one
  /// process's. Other counts, and a one-process checkpoint, are refused.
  func testResumingOnRanksGivesTheUninterruptedOutput() throws {
    var experiment = mixedNetwork(threads: 1, precision: .float64)
    experiment.recording.traces[0].neurons = [1, 230, 460]
    let (reference, _) = try simulate(experiment)
    for (ranks, threads) in [(2, 1), (3, 1), (2, 2)] {
      experiment.simulation.threads = threads
      // 70 ms is not a multiple of the sample or snapshot intervals, nor of 128 steps.
      let runs = try runOnRanks(experiment, ranks: ranks, options: RunOptions(checkpointEveryMs: 70))
      let checkpoints = runs[0].0.checkpoints
      XCTAssertEqual(checkpoints.count, 4, "\(ranks) ranks × \(threads)")
      for (rank, run) in runs.enumerated().dropFirst() {
        XCTAssertTrue(run.0.checkpoints.isEmpty, "rank \(rank) hands its state to rank 0")
      }
      // Every checkpoint on 2 ranks, one on the other counts (the sanitizer builds run this too).
      for checkpoint in ranks == 2 && threads == 1 ? checkpoints : [checkpoints[1]] {
        let resumed = try runOnRanks(
          experiment, ranks: ranks, options: RunOptions(resumeState: checkpoint.state),
          firstObserver: checkpoint.recorded.copy())
        resumed[0].0.assertSameOutput(
          as: reference, "\(ranks) ranks × \(threads) threads resumed at step \(checkpoint.step)")
      }
    }
    let state = try runOnRanks(experiment, ranks: 2, options: RunOptions(checkpointEveryMs: 70))[0].0.checkpoints[0]
      .state
    let oneProcess = MemoryObserver()
    try CPUBackend().run(experiment, observer: oneProcess, options: RunOptions(checkpointEveryMs: 70))
    for (ranks, resumeState) in [(3, state), (2, oneProcess.checkpoints[0].state)] {
      XCTAssertThrowsError(try runOnRanks(experiment, ranks: ranks, options: RunOptions(resumeState: resumeState))) {
        guard case CheckpointError.stateMismatch(let detail) = $0 else { return XCTFail("\($0)") }
        XCTAssertTrue(detail.contains("it was not written by \(ranks) MPI ranks ×"), detail)
      }
    }
  }

  /// Runs `experiment` on `ranks` in-process ranks at once; returns each rank's output.
  private func runOnRanks(
    _ experiment: Experiment, ranks: Int, options: RunOptions = RunOptions(),
    firstObserver: MemoryObserver? = nil
  ) throws -> [(MemoryObserver, RunSummary)] {
    // Each rank's observer, touched only by its thread.
    nonisolated(unsafe) let observers = (0..<ranks).map {
      $0 == 0 ? firstObserver ?? MemoryObserver() : MemoryObserver()
    }
    let world = InProcessRanks(count: ranks)
    let results = ResultsBox(count: ranks)
    let done = DispatchSemaphore(value: 0)
    for rank in 0..<ranks {
      let thread = Thread {
        var backend = CPUBackend()
        backend.communicator = world.communicator(rank: rank)
        let observer = observers[rank]
        results.set(rank, Result { (observer, try backend.run(experiment, observer: observer, options: options)) })
        done.signal()
      }
      thread.stackSize = 8 << 20
      thread.start()
    }
    for _ in 0..<ranks { done.wait() }
    return try results.values.map { try $0!.get() }
  }
}

/// Each rank's result, written by its thread.
private final class ResultsBox: @unchecked Sendable {
  private let lock = NSLock()
  private(set) var values: [Result<(MemoryObserver, RunSummary), any Error>?]

  init(count: Int) { values = Array(repeating: nil, count: count) }

  func set(_ rank: Int, _ result: Result<(MemoryObserver, RunSummary), any Error>) {
    lock.lock()
    values[rank] = result
    lock.unlock()
  }
}

/// `count` ranks inside one process: every collective is an exchange of arrays through shared
/// slots between two barriers.
final class InProcessRanks: @unchecked Sendable {
  let count: Int
  private let condition = NSCondition()
  private var arrived = 0
  private var generation = 0
  private var slots: [[Int32]]

  init(count: Int) {
    self.count = count
    slots = Array(repeating: [], count: count)
  }

  func communicator(rank: Int) -> any RankCommunicator { InProcessRank(rank: rank, world: self) }

  /// Every rank's `values`, in rank order.
  func allGather(rank: Int, _ values: [Int32]) -> [[Int32]] {
    condition.lock()
    slots[rank] = values
    condition.unlock()
    barrier()
    // Copies of the contents, taken under the lock: the slots are only ever touched under it
    // (the reference counts of shared array buffers are invisible to ThreadSanitizer).
    condition.lock()
    let all = slots.map { $0.withUnsafeBufferPointer { Array($0) } }
    condition.unlock()
    barrier()
    return all
  }

  private func barrier() {
    condition.lock()
    defer { condition.unlock() }
    let current = generation
    arrived += 1
    if arrived == count {
      arrived = 0
      generation += 1
      condition.broadcast()
    } else {
      while generation == current { condition.wait() }
    }
  }
}

/// One rank of ``InProcessRanks``.
private final class InProcessRank: RankCommunicator, @unchecked Sendable {
  let rank: Int
  let world: InProcessRanks
  var rankCount: Int { world.count }

  init(rank: Int, world: InProcessRanks) {
    self.rank = rank
    self.world = world
  }

  func allGather(_ send: UnsafePointer<Int32>, count: Int, into receive: UnsafeMutablePointer<Int32>) throws {
    var k = 0
    for values in world.allGather(rank: rank, Array(UnsafeBufferPointer(start: send, count: count))) {
      for v in values {
        receive[k] = v
        k += 1
      }
    }
  }

  func allGather(
    _ send: UnsafePointer<Int32>, count: Int, into receive: UnsafeMutablePointer<Int32>,
    counts: UnsafePointer<Int32>, displacements: UnsafePointer<Int32>
  ) throws {
    let all = world.allGather(rank: rank, Array(UnsafeBufferPointer(start: send, count: count)))
    for (q, values) in all.enumerated() {
      precondition(values.count == Int(counts[q]), "rank \(q) sent \(values.count) words, \(counts[q]) announced")
      for (i, v) in values.enumerated() { receive[Int(displacements[q]) + i] = v }
    }
  }

  func sum(_ values: [Int]) throws -> [Int] {
    // Each value as two 32-bit halves.
    let words = values.flatMap { [Int32(truncatingIfNeeded: $0 >> 32), Int32(truncatingIfNeeded: $0)] }
    var sums = [Int](repeating: 0, count: values.count)
    for contribution in world.allGather(rank: rank, words) {
      for i in values.indices {
        sums[i] += Int(contribution[2 * i]) << 32 | Int(UInt32(bitPattern: contribution[2 * i + 1]))
      }
    }
    return sums
  }
}
