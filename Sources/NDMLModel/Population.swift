/// New parameter values from a time on (`populations.<p>.changes`): what a PyNN script's
/// `Population.set(...)` between two `run()` calls becomes. The neurons keep their state; the
/// injected current is carried over (a neuron's drive is recomputed with the new resting
/// potential and resistance or leak).
public struct ParameterChange: Sendable, Equatable {
  /// When the new values take effect (ms; rounded to the step grid).
  public var atMs: Double
  /// Every neuron's model from then on.
  public var neuronModels: [NeuronModel]
  /// The config keys the change sets (for messages).
  public var keys: [String]

  /// Creates a change.
  public init(atMs: Double, neuronModels: [NeuronModel], keys: [String]) {
    self.atMs = atMs
    self.neuronModels = neuronModels
    self.keys = keys
  }
}

/// A named group of neurons (or spike sources) sharing one model and parameter set.
public struct Population: Sendable, Equatable {
  /// Unique name (used in results paths such as `/spikes/<name>`).
  public var name: String
  /// Number of neurons.
  public var size: Int
  /// The dynamics and their parameters.
  public var model: NeuronModel
  /// Initial values of state variables by name (e.g. `v`), drawn per neuron; unnamed variables start
  /// at the model's default (v at rest, synaptic variables at 0).
  public var initialState: [String: ValueDistribution]
  /// Homeostatic scaling of the excitatory synapses onto the population, if any (`homeostasis:`).
  public var homeostasis: HomeostaticScalingParameters?
  /// Per-neuron models when parameters differ between neurons (`params` keys given as lists, for
  /// `lif_cuba` and `lif_coba`): element i is neuron i's model; `model` then holds neuron 0's.
  public var neuronModels: [NeuronModel]?
  /// The config keys given per neuron (for messages).
  public var perNeuronParameterKeys: [String] = []
  /// Parameter changes during the run (`changes:`, `lif_cuba` and `lif_coba`), in time order.
  public var parameterChanges: [ParameterChange] = []

  /// Creates a population.
  public init(
    name: String, size: Int, model: NeuronModel, initialState: [String: ValueDistribution] = [:]
  ) {
    self.name = name
    self.size = size
    self.model = model
    self.initialState = initialState
  }
}
