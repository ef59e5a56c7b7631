import Foundation
import NDMLModel

/// The CPU reference simulator: exact propagators, float64 by default, float32 on request.
public struct CPUBackend: Backend {
  /// Stored in results as the backend's name.
  public let name = "cpu"
  /// Memory this machine offers, in bytes (the estimate is checked against it before building).
  public var availableMemoryBytes: Double
  /// Whether to time the phases of each step (`RunSummary.phaseSeconds`; for benchmarks).
  public var measurePhases = false
  /// The ranks of a distributed run (`mpirun -np K ndml run`; nil: this process runs the whole
  /// network). Every rank runs the same experiment with its own communicator; see
  /// ``RankCommunicator`` and docs/scaling.md.
  public var communicator: (any RankCommunicator)?

  /// Creates the backend; `availableMemoryBytes` defaults to the machine's physical memory.
  public init(availableMemoryBytes: Double = Double(ProcessInfo.processInfo.physicalMemory)) {
    self.availableMemoryBytes = availableMemoryBytes
  }

  /// Estimated peak bytes of a run in this process: synapses while being built and packed, state,
  /// input rings. A rank of a distributed run builds only the synapses onto its own neurons, about
  /// 1/K of them.
  public func estimatedMemoryBytes(_ experiment: Experiment) -> Double {
    let scalar = experiment.simulation.precision == .float64 ? 8.0 : 4.0
    // Building keeps the unpacked rows (target 4 + weight 8 + delay 2 bytes) beside the packed
    // table (target 4 + weight + delay 2) at once.
    let perSynapse = 14 + 6 + scalar
    let neurons = experiment.populations.reduce(0.0) { $0 + Double($1.size) }
    let maxDelaySteps =
      experiment.projections.map {
        $0.delayMs.practicalUpperBound / experiment.simulation.dtMs + 1
      }.max() ?? 1
    let ranks = Double(max(communicator?.rankCount ?? 1, 1))
    return experiment.expectedSynapseCount() * perSynapse / ranks + neurons * scalar * (8 + 2 * maxDelaySteps)
  }

  /// Validates, checks the memory estimate, builds and runs `experiment`, streaming what it
  /// records to `observer`; throws ``EngineError`` or ``ExperimentIssueSummary`` on failure.
  ///
  /// ```swift
  /// let config = try ExperimentConfig.load(contentsOf: URL(fileURLWithPath: "experiments/cuba.yaml"))
  /// let writer = try ResultsWriter(
  ///   destination: URL(fileURLWithPath: "results/cuba.h5"), experiment: config.experiment,
  ///   metadata: RunMetadata(configText: config.text, configPath: "experiments/cuba.yaml", overrides: [], backend: "cpu"),
  ///   gzipLevel: config.gzipLevel)
  /// let summary = try CPUBackend().run(config.experiment, observer: writer)
  /// try writer.finish(summary: summary, wallSeconds: summary.simulationSeconds)
  /// print(summary.spikeCounts)
  /// ```
  public func run(_ experiment: Experiment, observer: any SimulationObserver) throws -> RunSummary {
    try run(experiment, observer: observer, options: RunOptions())
  }

  /// Runs `experiment` like ``run(_:observer:)``, taking checkpoints or continuing from one as
  /// `options` say; throws ``CheckpointError`` when the state does not fit the network.
  @discardableResult
  public func run(_ experiment: Experiment, observer: any SimulationObserver, options: RunOptions) throws
    -> RunSummary
  {
    let problems = experiment.validate().filter { !$0.isWarning }
    guard problems.isEmpty else {
      throw EngineError.invalidExperiment(problems.map { .init(keyPath: $0.keyPath, message: $0.message) })
    }
    let need = estimatedMemoryBytes(experiment)
    guard need < availableMemoryBytes * 0.9 else {
      throw EngineError.insufficientMemory(
        estimatedBytes: need, availableBytes: availableMemoryBytes,
        synapses: experiment.expectedSynapseCount())
    }
    switch experiment.simulation.precision {
    case .float64: return try run(Simulation<Double>(experiment: experiment, observer: observer), options)
    case .float32: return try run(Simulation<Float>(experiment: experiment, observer: observer), options)
    }
  }

  private func run<S>(_ simulation: Simulation<S>, _ options: RunOptions) throws -> RunSummary {
    let clock = ContinuousClock()
    let buildStart = clock.now
    simulation.measurePhases = measurePhases
    simulation.communicator = communicator
    let dt = simulation.experimentDescription.simulation.dtMs
    simulation.checkpointEverySteps = options.checkpointEveryMs.map { max(1, Int(($0 / dt).rounded())) } ?? 0
    simulation.resumeState = options.resumeState
    try simulation.build(threads: simulation.experimentDescription.simulation.threads)
    let runStart = clock.now
    let (totals, events) = try simulation.run()
    let runEnd = clock.now
    let experiment = simulation.experimentDescription
    // On ranks: the totals over all ranks, and each rank's part.
    let ranks = simulation.rankSynapses
    var summary = RunSummary(
      spikeCounts: zip(experiment.populations, totals).map { ($0.name, $0.size, $1) },
      steps: experiment.simulation.stepCount,
      buildSeconds: (runStart - buildStart).seconds,
      simulationSeconds: (runEnd - runStart).seconds,
      synapseCount: ranks.map { $0.counts.reduce(0, +) } ?? simulation.synapseCount,
      synapseBytes: ranks.map { $0.bytes.reduce(0, +) } ?? simulation.synapseBytes,
      synapticEvents: events)
    summary.plasticSynapseCount = ranks?.plasticCount ?? simulation.plasticSynapseCount
    summary.plasticSynapseBytes = ranks?.plasticBytes ?? simulation.plasticSynapseBytes
    summary.rankSynapseCounts = ranks?.counts ?? []
    summary.rankSynapseBytes = ranks?.bytes ?? []
    summary.threads = simulation.threadCount
    summary.threadLimit = simulation.threadLimit
    summary.phaseSeconds = simulation.phaseSeconds
    summary.spikeExchanges = simulation.spikeExchanges
    summary.exchangeIntervalSteps = simulation.exchangeIntervalSteps
    summary.resumedFromStep = options.resumeState == nil ? nil : simulation.startStep
    return summary
  }
}

extension Duration {
  /// The duration in seconds as a Double.
  var seconds: Double {
    let (s, atto) = components
    return Double(s) + Double(atto) * 1e-18
  }
}
