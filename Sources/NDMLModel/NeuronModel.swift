/// The dynamics of a population: one case per model, each carrying its parameter record.
///
/// A closed enum on purpose: adding a case makes the compiler flag every backend `switch` that must
/// learn it (see `docs/architecture.md`).
public enum NeuronModel: Sendable, Equatable {
  /// Current-based LIF (see ``LIFCubaParameters``).
  case lifCuba(LIFCubaParameters)
  /// Conductance-based LIF (see ``LIFCobaParameters``).
  case lifCoba(LIFCobaParameters)
  /// Current-based LIF with spike-triggered threshold adaptation (see ``ALIFParameters``).
  case alif(ALIFParameters)
  /// Adaptive exponential integrate-and-fire (see ``AdExParameters``).
  case adex(AdExParameters)
  /// Loihi 2's fixed-point current-based LIF (see ``LoihiCubaParameters``).
  case loihiCuba(LoihiCubaParameters)
  /// Poisson spike sources (see ``PoissonSourceParameters``).
  case poisson(PoissonSourceParameters)
  /// Given spike times (see ``SpikeSourceParameters``).
  case spikeSource(SpikeSourceParameters)
  /// Place-cell-like Poisson inputs on a circular track (see ``PlaceCellParameters``).
  case placeCells(PlaceCellParameters)
  /// Sparse binary memory items presented as volleys (see ``MemoryPatternParameters``).
  case memoryPatterns(MemoryPatternParameters)

  /// The config name of the model (`model:` key).
  public var configName: String {
    switch self {
    case .lifCuba: "lif_cuba"
    case .lifCoba: "lif_coba"
    case .alif: "alif"
    case .adex: "adex"
    case .loihiCuba: "loihi_cuba"
    case .poisson: "poisson"
    case .spikeSource: "spike_source"
    case .placeCells: "place_cells"
    case .memoryPatterns: "memory_patterns"
    }
  }

  /// Every model name the config accepts.
  public static let configNames = [
    "lif_cuba", "lif_coba", "alif", "adex", "loihi_cuba", "poisson", "spike_source", "place_cells", "memory_patterns",
  ]

  /// Whether the population only emits spikes (it has no membrane and takes no input).
  public var isSource: Bool {
    switch self {
    case .poisson, .spikeSource, .placeCells, .memoryPatterns: true
    case .lifCuba, .lifCoba, .alif, .adex, .loihiCuba: false
    }
  }

  /// The unit of synaptic weights onto this model (`weight_<unit>` in the config), nil for sources.
  public var weightUnit: String? {
    switch self {
    case .lifCuba, .alif: "mV"
    case .lifCoba: "nS"
    case .adex(let p): p.synapseType == .conductance ? "nS" : "pA"
    case .loihiCuba: "int"
    case .poisson, .spikeSource, .placeCells, .memoryPatterns: nil
    }
  }

  /// The state variables a recording may name, with their units.
  public var recordableVariables: [(name: String, unit: String)] {
    switch self {
    case .lifCuba: [("v", "mV"), ("s_e", "mV"), ("s_i", "mV")]
    case .lifCoba: [("v", "mV"), ("g_e", "nS"), ("g_i", "nS")]
    case .alif(let p):
      [("v", "mV"), ("s_e", "mV"), ("s_i", "mV"), ("a", "spikes")] + (p.hasAdaptationCurrent ? [("w", "pA")] : [])
    case .adex(let p) where p.synapseType == .conductance: [("v", "mV"), ("w", "pA"), ("g_e", "nS"), ("g_i", "nS")]
    case .adex: [("v", "mV"), ("w", "pA"), ("s_e", "pA"), ("s_i", "pA")]
    case .loihiCuba: [("u", "int"), ("v", "int")]
    case .poisson, .spikeSource, .placeCells, .memoryPatterns: []
    }
  }

  /// The initial-state keys (`init:`) the model accepts, with their units.
  public var initialStateVariables: [(name: String, unit: String)] { recordableVariables }

  /// The shortest time constant of the model, if it has any (for the dt warning).
  public var shortestTimeConstantMs: Double? {
    switch self {
    case .lifCuba(let p): p.shortestTimeConstantMs
    case .lifCoba(let p): p.shortestTimeConstantMs
    case .alif(let p): p.shortestTimeConstantMs
    case .adex(let p): p.shortestTimeConstantMs
    case .loihiCuba, .poisson, .spikeSource, .placeCells, .memoryPatterns: nil
    }
  }

  /// Every broken rule of the model's parameters for a population of `size`.
  public func violations(size: Int) -> [ParameterViolation] {
    switch self {
    case .lifCuba(let p): p.violations()
    case .lifCoba(let p): p.violations()
    case .alif(let p): p.violations()
    case .adex(let p): p.violations()
    case .loihiCuba(let p): p.violations()
    case .poisson(let p): p.violations(size: size)
    case .spikeSource(let p): p.violations(size: size)
    case .placeCells(let p): p.violations()
    case .memoryPatterns(let p): p.violations()
    }
  }
}
