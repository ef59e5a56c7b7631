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
