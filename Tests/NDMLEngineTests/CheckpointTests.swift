import Foundation
import NDMLModel
import XCTest

@testable import NDMLEngine

/// A run resumed from any of its checkpoints, on any thread count, records exactly what the
/// uninterrupted run records; a damaged or foreign checkpoint is refused.
final class CheckpointTests: XCTestCase {
  private func run(_ experiment: Experiment, options: RunOptions, into observer: MemoryObserver = MemoryObserver())
    throws -> MemoryObserver
  {
    try CPUBackend().run(experiment, observer: observer, options: options)
    return observer
  }

  /// Checks every checkpoint of a run of `experiment` on `threads` threads: resumed on each count
  /// of `resumeThreads`, the output equals the uninterrupted run's.
  private func checkResumes(
    _ experiment: (Int) -> Experiment, everyMs: Double, threads: Int, resumeThreads: [Int], expected: Int
  ) throws {
    let (reference, _) = try simulate(experiment(1))
    let checkpointed = try run(experiment(threads), options: RunOptions(checkpointEveryMs: everyMs))
    checkpointed.assertSameOutput(as: reference, "checkpointing changed the run")
    XCTAssertEqual(checkpointed.checkpoints.count, expected)
    for (k, checkpoint) in checkpointed.checkpoints.enumerated() {
      let t = resumeThreads[k % resumeThreads.count]
      let resumed = try run(
        experiment(t), options: RunOptions(resumeState: checkpoint.state), into: checkpoint.recorded.copy())
      resumed.assertSameOutput(as: reference, "resumed at step \(checkpoint.step) on \(t) threads")
    }
  }

  func testResumingTheMixedNetworkOnAnyThreadCountGivesTheUninterruptedOutput() throws {
    for precision in Precision.allCases {
      // 70 ms is not a multiple of the sample or snapshot intervals, nor of 128 steps.
      try checkResumes(
        { mixedNetwork(threads: $0, precision: precision) }, everyMs: 70, threads: 2, resumeThreads: [3, 1, 4, 2],
        expected: 4)
    }
  }

  /// `alif` (with its adaptation variables and current) and `adex` (current-based, and with
  /// exponential and alpha conductances) resume exactly, in both precisions, on any thread count.
  func testResumingAdaptiveNeuronsGivesTheUninterruptedOutput() throws {
    var conductanceExp = AdExParameters()
    conductanceExp.synapseType = .conductance
    var conductanceAlpha = conductanceExp
    conductanceAlpha.synapseShape = .alpha
    conductanceAlpha.tauSynapticExcitatoryMs = 2
    var alif = ALIFParameters()
    alif.thresholdIncrementMV = 0.5
    alif.currentIncrementPA = 30
    alif.biasCurrentPA = 190
    for precision in Precision.allCases {
      func experiment(_ threads: Int) -> Experiment {
        var simulation = SimulationSettings(durationMs: 300, seed: 3, precision: precision)
        simulation.threads = threads
        return Experiment(
          simulation: simulation,
          populations: [
            Population(name: "x", size: 50, model: .poisson(.init(rateHz: 40))),
            Population(name: "l", size: 70, model: .alif(alif), initialState: ["v": .uniform(low: -65, high: -52)]),
            Population(
              name: "a", size: 45, model: .adex(AdExParameters()), initialState: ["v": .uniform(low: -70, high: -55)]),
            Population(name: "ce", size: 20, model: .adex(conductanceExp)),
            Population(name: "ca", size: 21, model: .adex(conductanceAlpha)),
          ],
          projections: [
            Projection(
              name: "xl", source: "x", target: "l", connectivity: .fixedProbability(0.2), weight: .constant(2),
              delayMs: .constant(1), receptor: .excitatory),
            Projection(
              name: "xa", source: "x", target: "a", connectivity: .fixedProbability(0.2), weight: .constant(150),
              delayMs: .constant(1), receptor: .excitatory),
            Projection(
              name: "al", source: "a", target: "l", connectivity: .fixedProbability(0.1), weight: .constant(-1),
              delayMs: .constant(2), receptor: .inhibitory),
            Projection(
              name: "xce", source: "x", target: "ce", connectivity: .fixedProbability(0.2), weight: .constant(6),
              delayMs: .constant(1), receptor: .excitatory),
            Projection(
              name: "xca", source: "x", target: "ca", connectivity: .fixedProbability(0.2), weight: .constant(6),
              delayMs: .constant(1), receptor: .excitatory),
            Projection(
              name: "lca", source: "l", target: "ca", connectivity: .fixedProbability(0.2), weight: .constant(4),
              delayMs: .constant(1), receptor: .inhibitory),
          ],
          currentInjections: [
            .init(name: "c", population: "a", neurons: nil, schedule: [.init(startMs: 0, amplitudePA: 600)]),
            .init(name: "d", population: "ce", neurons: nil, schedule: [.init(startMs: 0, amplitudePA: 500)]),
            .init(name: "e", population: "ca", neurons: nil, schedule: [.init(startMs: 0, amplitudePA: 500)]),
          ],
          recording: RecordingPlan(
            spikePopulations: ["l", "a", "ce", "ca"],
            state: [
              .init(population: "l", variables: ["v", "a", "w"], neurons: [0, 69], intervalMs: 1),
              .init(population: "a", variables: ["v", "w", "s_e"], neurons: [1, 44], intervalMs: 1),
              .init(population: "ca", variables: ["v", "w", "g_e", "g_i"], neurons: [0, 20], intervalMs: 1),
            ]))
      }
      let (reference, _) = try simulate(experiment(1))
      XCTAssertGreaterThan(reference.spikes["l"]?.timesMs.count ?? 0, 10)
      XCTAssertGreaterThan(reference.spikes["a"]?.timesMs.count ?? 0, 10)
      XCTAssertGreaterThan(reference.spikes["ce"]?.timesMs.count ?? 0, 10)
      XCTAssertGreaterThan(reference.spikes["ca"]?.timesMs.count ?? 0, 10)
      try checkResumes(experiment, everyMs: 70, threads: 2, resumeThreads: [3, 1, 4, 2], expected: 4)
    }
  }

  func testResumingBTSPGivesTheUninterruptedOutput() throws {
    var milstein = BidirectionalBTSPParameters(weightMax: 2)
    milstein.plateaus = PlateauSchedule(durationMs: 30, scheduled: [(3, 40), (7, 95)], rateHz: 2)
    var binary = BinaryBTSPParameters(weightMax: 2)
    binary.plateaus = PlateauSchedule(durationMs: 1, scheduled: [(1, 60), (5, 130)], rateHz: 5)
    for (name, rule) in [("milstein", PlasticityRule.bidirectionalBTSP(milstein)), ("binary", .binaryBTSP(binary))] {
      func experiment(_ threads: Int) -> Experiment {
        var e = mixedNetwork(threads: threads, precision: .float64)
        e.projections[3].plasticity = rule
        e.projections[3].weight = .uniform(low: 0.5, high: 2)
        e.recording.weights = [.init(projection: "xe", intervalMs: 25)]
        e.recording.traces = []
        return e
      }
      let (reference, _) = try simulate(experiment(1))
      XCTAssertFalse(reference.plateaus["xe"]?.timesMs.isEmpty ?? true, "\(name): plateaus must happen")
      try checkResumes(experiment, everyMs: 100, threads: 1, resumeThreads: [1], expected: 2)
    }
  }

  func testStateOfAnotherNetworkIsRefused() throws {
    let source = try run(
      mixedNetwork(threads: 1, precision: .float64), options: RunOptions(checkpointEveryMs: 100))
    var other = mixedNetwork(threads: 1, precision: .float64)
    other.projections[1].connectivity = .fixedProbability(0.11)
    XCTAssertThrowsError(
      try run(other, options: RunOptions(resumeState: source.checkpoints[0].state))
    ) { error in
      guard case CheckpointError.stateMismatch(let detail) = error else { return XCTFail("\(error)") }
      XCTAssertTrue(detail.contains("simulation"), detail)
    }
    XCTAssertThrowsError(
      try run(
        mixedNetwork(threads: 1, precision: .float32), options: RunOptions(resumeState: source.checkpoints[0].state)))
  }

  func testCheckpointFileRoundTripsAndRefusesDamage() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ndml-ckpt-\(UUID())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let url = folder.appendingPathComponent("run.ckpt")
    let header = CheckpointHeader(
      ndmlVersion: NDMLVersion.current, build: CheckpointFile.buildID, configPath: "/x.yaml",
      configHash: CheckpointFile.configHash(text: "a: 1", overrides: []), overrides: [], resultsPath: "/r.h5",
      step: 10, timeMs: 1, checkpointEveryMs: 1, threads: 2, resultsRows: ["spikes/e/timestamps": 3])
    let state = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 7) }
    let tails = ["spikes/e/timestamps": [UInt8](repeating: 7, count: 24), "report/e/v/data": []]
    try CheckpointFile.write(header: header, state: state, tails: tails, to: url)
    let read = try CheckpointFile.read(url)
    XCTAssertEqual(read.header, header)
    XCTAssertEqual(read.state, state)
    XCTAssertEqual(read.tails, tails)
    XCTAssertFalse(FileManager.default.fileExists(atPath: url.path + ".tmp"))

    let bytes = try Data(contentsOf: url)
    func assertRefused(_ damaged: Data, _ what: String) throws {
      try damaged.write(to: url)
      XCTAssertThrowsError(try CheckpointFile.read(url), what) { error in
        guard let e = error as? CheckpointError else { return XCTFail("\(what): \(error)") }
        XCTAssertTrue(e.description.contains(url.path), "\(what): \(e)")
      }
    }
    for cut in [0, 5, 20, bytes.count / 2, bytes.count - 1] {
      try assertRefused(bytes.prefix(cut), "truncated to \(cut) bytes")
    }
    for position in [3, 9, 40, bytes.count - 600, bytes.count - 3] {
      var flipped = bytes
      flipped[position] ^= 0x10
      try assertRefused(flipped, "bit flipped at \(position)")
    }
    try assertRefused(bytes + [0], "one byte appended")
    XCTAssertNotEqual(
      CheckpointFile.configHash(text: "a: 1", overrides: []), CheckpointFile.configHash(text: "a: 2", overrides: []))
    XCTAssertNotEqual(
      CheckpointFile.configHash(text: "a: 1", overrides: []),
      CheckpointFile.configHash(text: "a: 1", overrides: ["simulation.seed=2"]))
  }
}
