/// How the synapses of a projection are chosen.
public enum Connectivity: Sendable, Equatable {
  /// Every source to every target.
  case allToAll
  /// Source i to target i (populations of equal size).
  case oneToOne
  /// Each (source, target) pair independently with probability `p`.
  case fixedProbability(Double)
  /// Each target receives exactly `k` distinct sources, drawn uniformly.
  case fixedInDegree(Int)
  /// An explicit list of synapses, read from a file (see ``ExplicitSynapse``).
  case explicit([ExplicitSynapse])

  /// The config name of the rule.
  public var configName: String {
    switch self {
    case .allToAll: "all_to_all"
    case .oneToOne: "one_to_one"
    case .fixedProbability: "fixed_probability"
    case .fixedInDegree: "fixed_in_degree"
    case .explicit: "from_file"
    }
  }
}

/// New weights from a time on (`projections.<p>.weight_changes`): what a PyNN script's
/// `Projection.set(weight=...)` between two `run()` calls becomes.
public struct WeightChange: Sendable, Equatable {
  /// When the new weights take effect (ms; rounded to the step grid).
  public var atMs: Double
  /// One weight for every synapse, or one per synapse of the explicit list (list order), in the
  /// projection's weight unit.
  public var weights: [Double]

  /// Creates a change.
  public init(atMs: Double, weights: [Double]) {
    self.atMs = atMs
    self.weights = weights
  }
}

/// One synapse of an explicit connection list; weight and delay fall back to the projection's.
public struct ExplicitSynapse: Sendable, Equatable {
  /// Source neuron index.
  public var source: Int
  /// Target neuron index.
  public var target: Int
  /// Weight in the target model's weight unit, or nil for the projection's weight.
  public var weight: Double?
  /// Delay in ms, or nil for the projection's delay.
  public var delayMs: Double?

  /// Creates one explicit synapse.
  public init(source: Int, target: Int, weight: Double? = nil, delayMs: Double? = nil) {
    self.source = source
    self.target = target
    self.weight = weight
    self.delayMs = delayMs
  }
}

/// The receptor (synaptic variable) a projection drives on its targets.
public enum Receptor: String, Sendable, Equatable, CaseIterable {
  /// Excitatory: `s_e` / `g_e`.
  case excitatory
  /// Inhibitory: `s_i` / `g_i`.
  case inhibitory
}

/// A set of synapses from one population to another.
public struct Projection: Sendable, Equatable {
  /// Unique name.
  public var name: String
  /// Source population name.
  public var source: String
  /// Target population name.
  public var target: String
  /// Which pairs are connected.
  public var connectivity: Connectivity
  /// Synaptic weight in the target model's unit (mV for `lif_cuba`, nS for `lif_coba`).
  public var weight: ValueDistribution
  /// Transmission delay in ms, rounded to whole steps, at least one step.
  public var delayMs: ValueDistribution
  /// The receptor the projection drives.
  public var receptor: Receptor
  /// Whether a neuron may connect to itself when source and target are the same population.
  public var allowAutapses: Bool
  /// The plasticity rule, or nil for static synapses.
  public var plasticity: PlasticityRule?
  /// Consolidation of the plastic weights by a Benna–Fusi chain of hidden variables, if any
  /// (`consolidation:`).
  public var consolidation: BennaFusiParameters?
  /// Short-term plasticity (Tsodyks–Markram) of the delivered weights, if any (`short_term:`).
  public var shortTerm: TsodyksMarkramParameters?
  /// How a projection onto a `loihi_cuba` population quantises and scales its integer weights
  /// (config `loihi:`; Lava's defaults when absent). Ignored for other targets.
  public var loihi = LoihiSynapseSettings()
  /// Weight changes during the run (`weight_changes:`), in time order.
  public var weightChanges: [WeightChange] = []

  /// Creates a projection.
  public init(
    name: String, source: String, target: String, connectivity: Connectivity,
    weight: ValueDistribution, delayMs: ValueDistribution, receptor: Receptor,
    allowAutapses: Bool = false, plasticity: PlasticityRule? = nil
  ) {
    self.plasticity = plasticity
    self.name = name
    self.source = source
    self.target = target
    self.connectivity = connectivity
    self.weight = weight
    self.delayMs = delayMs
    self.receptor = receptor
    self.allowAutapses = allowAutapses
  }
}
