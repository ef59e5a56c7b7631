/// A way to execute an ``Experiment``: the CPU reference simulator, or (later) a hardware exporter.
///
/// Backends that cannot express a feature throw a typed error naming it, never approximate silently.
public protocol Backend: Sendable {
  /// Short name stored in results (`cpu`).
  var name: String { get }
  /// Runs the experiment to the end, streaming recorded data to `observer`.
  func run(_ experiment: Experiment, observer: any SimulationObserver) throws -> RunSummary
}

/// Receives what a run records, in order, from the simulation thread.
///
/// Calls come in chunks (not per step) so that writing stays off the hot path.
public protocol SimulationObserver: AnyObject {
  /// Spikes of one recorded population, sorted by time then node id.
  func record(spikes: SpikeChunk) throws
  /// Consecutive samples of one recorded variable.
  func record(samples: StateSampleChunk) throws
  /// Progress after `completedSteps` of `totalSteps`; called at most a few times per second.
  func progress(completedSteps: Int, totalSteps: Int)
}

/// A batch of spikes of one population.
public struct SpikeChunk: Sendable {
  /// Population name.
  public var population: String
  /// Spike times in ms.
  public var timesMs: [Double]
  /// Population-local neuron indices.
  public var nodeIDs: [UInt64]

  /// Creates a chunk.
  public init(population: String, timesMs: [Double], nodeIDs: [UInt64]) {
    self.population = population
    self.timesMs = timesMs
    self.nodeIDs = nodeIDs
  }
}

/// A batch of samples of one variable of one ``StateRecording``: `rowCount` rows (times) of
/// `neurons.count` values each, row-major.
public struct StateSampleChunk: Sendable {
  /// Index into ``RecordingPlan/state``.
  public var recordingIndex: Int
  /// Variable name.
  public var variable: String
  /// Row-major samples.
  public var values: [Float]
  /// Number of rows (sample times).
  public var rowCount: Int

  /// Creates a chunk.
  public init(recordingIndex: Int, variable: String, values: [Float], rowCount: Int) {
    self.recordingIndex = recordingIndex
    self.variable = variable
    self.values = values
    self.rowCount = rowCount
  }
}

/// What a finished run reports.
public struct RunSummary: Sendable {
  /// Spikes per population (all populations, recorded or not), in config order.
  public var spikeCounts: [(population: String, size: Int, spikes: Int)]
  /// Number of steps simulated.
  public var steps: Int
  /// Wall time of network construction in seconds.
  public var buildSeconds: Double
  /// Wall time of the simulation loop in seconds (construction excluded).
  public var simulationSeconds: Double
  /// Number of synapses built.
  public var synapseCount: Int
  /// Bytes held by synapse storage (targets, weights, per-synapse delays).
  public var synapseBytes: Int
  /// Synaptic events delivered (one per spike per outgoing synapse).
  public var synapticEvents: Int

  /// Creates a summary.
  public init(
    spikeCounts: [(population: String, size: Int, spikes: Int)], steps: Int, buildSeconds: Double,
    simulationSeconds: Double, synapseCount: Int, synapseBytes: Int, synapticEvents: Int
  ) {
    self.spikeCounts = spikeCounts
    self.steps = steps
    self.buildSeconds = buildSeconds
    self.simulationSeconds = simulationSeconds
    self.synapseCount = synapseCount
    self.synapseBytes = synapseBytes
    self.synapticEvents = synapticEvents
  }
}
