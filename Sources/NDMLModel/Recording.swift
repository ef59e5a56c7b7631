/// What a run records.
public struct RecordingPlan: Sendable, Equatable {
  /// Populations whose spikes are recorded.
  public var spikePopulations: [String]
  /// State-variable recordings.
  public var state: [StateRecording]

  /// Creates a recording plan.
  public init(spikePopulations: [String] = [], state: [StateRecording] = []) {
    self.spikePopulations = spikePopulations
    self.state = state
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

  /// Creates a state recording.
  public init(population: String, variables: [String], neurons: [Int], intervalMs: Double) {
    self.population = population
    self.variables = variables
    self.neurons = neurons
    self.intervalMs = intervalMs
  }
}
