/// What a run records.
public struct RecordingPlan: Sendable, Equatable {
  /// Populations whose spikes are recorded.
  public var spikePopulations: [String]
  /// State-variable recordings.
  public var state: [StateRecording]
  /// Weight snapshots of projections.
  public var weights: [WeightRecording]
  /// Plasticity traces of projections.
  public var traces: [TraceRecording]
  /// Injected-current inputs (`inputs:` names) whose currents are written to `/inputs/<name>`.
  public var inputs: [String]

  /// Creates a recording plan.
  public init(
    spikePopulations: [String] = [], state: [StateRecording] = [], weights: [WeightRecording] = [],
    traces: [TraceRecording] = [], inputs: [String] = []
  ) {
    self.spikePopulations = spikePopulations
    self.state = state
    self.weights = weights
    self.traces = traces
    self.inputs = inputs
  }
}

/// Samples of a plastic projection's per-neuron traces (``PlasticityRule/traces``), taken like
/// state variables: at `t = 0, interval, …` before the step that starts then. Each trace belongs
/// to the projection's source or target neurons; `neurons` indexes that population.
public struct TraceRecording: Sendable, Equatable {
  /// Projection name.
  public var projection: String
  /// Trace names.
  public var traces: [String]
  /// Neuron indices (distinct), in the order the report's columns take.
  public var neurons: [Int]
  /// Sampling interval in ms (a whole number of steps).
  public var intervalMs: Double

  /// Creates a trace recording.
  public init(projection: String, traces: [String], neurons: [Int], intervalMs: Double) {
    self.projection = projection
    self.traces = traces
    self.neurons = neurons
    self.intervalMs = intervalMs
  }
}

/// Snapshots of a projection's weights: at `t = 0, interval, 2·interval, …` (before the step that
/// starts then) and once more at the end of the run.
public struct WeightRecording: Sendable, Equatable {
  /// Projection name.
  public var projection: String
  /// Snapshot interval in ms (a whole number of steps).
  public var intervalMs: Double
  /// How many synapses to record (a fixed random sample), or nil for all.
  public var sampleSize: Int?
  /// Number of histogram bins over the weight bounds (all synapses are histogrammed).
  public var histogramBins: Int

  /// Creates a weight recording.
  public init(projection: String, intervalMs: Double, sampleSize: Int? = nil, histogramBins: Int = 50) {
    self.projection = projection
    self.intervalMs = intervalMs
    self.sampleSize = sampleSize
    self.histogramBins = histogramBins
  }
}

/// Samples of state variables of chosen neurons at a fixed interval.
///
/// Samples are taken at `t = 0, interval, 2·interval, …` before the step that starts at `t`,
/// including synaptic input arriving at `t`.
public struct StateRecording: Sendable, Equatable {
  /// Population.
  public var population: String
  /// Variable names (see ``NeuronModel/recordableVariables``).
  public var variables: [String]
  /// Neuron indices (distinct), in the order the report's columns take.
  public var neurons: [Int]
  /// Sampling interval in ms (a whole number of steps).
  public var intervalMs: Double
  /// One more sample at the end of the run, t = duration (PyNN's convention: duration/interval
  /// + 1 samples, from the initial value to the final state); the duration must then be a whole
  /// number of intervals.
  public var finalSample: Bool

  /// Creates a state recording.
  public init(population: String, variables: [String], neurons: [Int], intervalMs: Double, finalSample: Bool = false) {
    self.population = population
    self.variables = variables
    self.neurons = neurons
    self.intervalMs = intervalMs
    self.finalSample = finalSample
  }

}
