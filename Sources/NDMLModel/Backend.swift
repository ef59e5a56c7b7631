/// A way to execute an ``Experiment``: the CPU reference simulator, or (later) a hardware exporter.
///
/// Backends that cannot express a feature throw a typed error naming it, never approximate silently.
public protocol Backend: Sendable {
  /// Short name stored in results (`cpu`).
  var name: String { get }
  /// Runs the experiment to the end, streaming recorded data to `observer`.
  func run(_ experiment: Experiment, observer: any SimulationObserver) throws -> RunSummary
}

/// How to run: checkpoints to take, or a checkpoint's state to continue from.
public struct RunOptions: Sendable {
  /// Biological time between checkpoints handed to ``SimulationObserver/checkpoint(step:state:)``
  /// (nil: none).
  public var checkpointEveryMs: Double?
  /// The engine state of a checkpoint to continue from (nil: start at t = 0).
  public var resumeState: [UInt8]?

  /// Creates options.
  public init(checkpointEveryMs: Double? = nil, resumeState: [UInt8]? = nil) {
    self.checkpointEveryMs = checkpointEveryMs
    self.resumeState = resumeState
  }
}

/// Receives what a run records, in order, from the simulation thread.
///
/// Calls come in chunks (not per step) so that writing stays off the hot path.
public protocol SimulationObserver: AnyObject {
  /// Spikes of one recorded population, sorted by time then node id.
  func record(spikes: SpikeChunk) throws
  /// Consecutive samples of one recorded variable.
  func record(samples: StateSampleChunk) throws
  /// Consecutive weight snapshots of one ``WeightRecording``.
  func record(weights: WeightSampleChunk) throws
  /// Plateau potentials of one BTSP projection's target neurons, in time order.
  func record(plateaus: PlateauChunk) throws
  /// Consecutive samples of one trace of one ``TraceRecording`` (`recordingIndex` indexes
  /// ``RecordingPlan/traces``, `variable` is the trace name).
  func record(traces: StateSampleChunk) throws
  /// The memory lifecycle of one projection, once at the end of the run.
  func record(memory: MemoryReport) throws
  /// The current one recorded input injected, once at the end of the run.
  func record(inputCurrent: InputCurrentReport) throws
  /// A checkpoint: `state` is the engine's whole state at the start of step `step`, and every
  /// chunk recorded before that step has already been handed over. The observer makes its own
  /// data durable, then stores `state` with its own positions (see `docs/checkpoint.md`).
  func checkpoint(step: Int, state: [UInt8]) throws
  /// Progress after `completedSteps` of `totalSteps`; called at most a few times per second.
  func progress(completedSteps: Int, totalSteps: Int)
  /// Whether the run should stop now (e.g. on SIGINT); asked every 128 steps. The backend then
  /// hands over everything recorded so far and throws `EngineError.interrupted`.
  func shouldStop() -> Bool
}

extension SimulationObserver {
  /// Ignores plateaus (observers that do not store them).
  public func record(plateaus: PlateauChunk) throws {}
  /// Ignores traces (observers that do not store them).
  public func record(traces: StateSampleChunk) throws {}
  /// Ignores memory reports (observers that do not store them).
  public func record(memory: MemoryReport) throws {}
  /// Ignores input currents (observers that do not store them).
  public func record(inputCurrent: InputCurrentReport) throws {}
  /// Never asks to stop.
  public func shouldStop() -> Bool { false }
  /// Ignores checkpoints (observers that do not store them).
  public func checkpoint(step: Int, state: [UInt8]) throws {}
}

/// The current one input (`record.inputs`) injected into each of its target neurons, as a step
/// function: row k holds the values (pA) in force from `timesMs[k]` until the next row (or the end
/// of the run). Every change is listed (each step of a sine, each noise interval, each segment).
public struct InputCurrentReport: Sendable {
  /// Input name.
  public var input: String
  /// Target population.
  public var population: String
  /// Target neurons (population-local ids), the columns of `valuesPA`.
  public var nodeIDs: [UInt64]
  /// Start time (ms) of each row.
  public var timesMs: [Double]
  /// Row-major `timesMs.count × nodeIDs.count` currents in pA.
  public var valuesPA: [Double]

  /// Creates a report.
  public init(input: String, population: String, nodeIDs: [UInt64], timesMs: [Double], valuesPA: [Double]) {
    self.input = input
    self.population = population
    self.nodeIDs = nodeIDs
    self.timesMs = timesMs
    self.valuesPA = valuesPA
  }
}

/// A batch of plateau starts of one projection's target neurons.
public struct PlateauChunk: Sendable {
  /// Projection name.
  public var projection: String
  /// Plateau start times in ms.
  public var timesMs: [Double]
  /// Target-population-local neuron indices.
  public var nodeIDs: [UInt64]

  /// Creates a chunk.
  public init(projection: String, timesMs: [Double], nodeIDs: [UInt64]) {
    self.projection = projection
    self.timesMs = timesMs
    self.nodeIDs = nodeIDs
  }
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

/// A batch of weight snapshots of one ``WeightRecording``: `rowCount` rows (times), each with the
/// recorded synapses' weights and a histogram of all the projection's weights.
public struct WeightSampleChunk: Sendable {
  /// Which synapses and bins the rows refer to (fixed for the run).
  public struct Layout: Sendable, Equatable {
    /// Source neuron of each recorded synapse.
    public var sourceIDs: [UInt64]
    /// Target neuron of each recorded synapse.
    public var targetIDs: [UInt64]
    /// Histogram bin edges (bins + 1 values, in the weight unit).
    public var binEdges: [Double]
    /// The weight unit.
    public var unit: String

    /// Creates a layout.
    public init(sourceIDs: [UInt64], targetIDs: [UInt64], binEdges: [Double], unit: String) {
      self.sourceIDs = sourceIDs
      self.targetIDs = targetIDs
      self.binEdges = binEdges
      self.unit = unit
    }
  }

  /// Index into ``RecordingPlan/weights``.
  public var recordingIndex: Int
  /// The synapses and bins (same in every chunk of a recording).
  public var layout: Layout
  /// Snapshot times in ms.
  public var timesMs: [Double]
  /// Row-major weights: rows × recorded synapses.
  public var weights: [Double]
  /// Row-major counts: rows × bins (weights outside the edges count in the first or last bin).
  public var histograms: [UInt64]

  /// Creates a chunk.
  public init(recordingIndex: Int, layout: Layout, timesMs: [Double], weights: [Double], histograms: [UInt64]) {
    self.recordingIndex = recordingIndex
    self.layout = layout
    self.timesMs = timesMs
    self.weights = weights
    self.histograms = histograms
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
  /// Number of synapses built (on MPI ranks: by all ranks together).
  public var synapseCount: Int
  /// Bytes held by synapse storage (targets, weights, per-synapse delays; on MPI ranks: the sum of
  /// ``rankSynapseBytes``).
  public var synapseBytes: Int
  /// Per MPI rank of a distributed run, in rank order: the synapses it holds — those onto the
  /// neurons it steps — and their bytes (empty for one process). They sum to ``synapseCount``
  /// and ``synapseBytes``.
  public var rankSynapseCounts: [Int] = []
  /// See ``rankSynapseCounts``.
  public var rankSynapseBytes: [Int] = []
  /// Synaptic events delivered (one per spike per outgoing synapse).
  public var synapticEvents: Int
  /// Number of synapses of plastic projections (included in `synapseCount`).
  public var plasticSynapseCount = 0
  /// Bytes of the plastic projections' per-synapse arrays (target, weight, the rules' transposed
  /// index); per-neuron storage (row offsets, traces) is not counted.
  public var plasticSynapseBytes = 0
  /// Threads the run used (fewer than requested when a plasticity rule runs on one thread only).
  public var threads = 1
  /// Why fewer threads than requested were used, if they were.
  public var threadLimit: String?
  /// The step the run continued from when it resumed a checkpoint (nil: it started at 0).
  public var resumedFromStep: Int?
  /// Thread 0's seconds per phase of the step loop (`neurons`, `barrier_wait`, `delivery`, and
  /// `recording`: the leader's bookkeeping of the step's spikes, not part of `delivery`), when the
  /// backend was asked to measure them; empty otherwise.
  public var phaseSeconds: [String: Double] = [:]
  /// Spike exchanges between MPI ranks (0 for one process), and the most steps between two of
  /// them (the interval the shortest delay allows, docs/scaling.md).
  public var spikeExchanges = 0
  public var exchangeIntervalSteps = 1

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
