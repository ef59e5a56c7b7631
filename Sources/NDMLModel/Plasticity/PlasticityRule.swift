/// The plasticity rule of a projection: one case per rule, each carrying its parameter record.
///
/// A closed enum like ``NeuronModel``: a new rule makes the compiler flag every switch over rules.
public enum PlasticityRule: Sendable, Equatable {
  /// Pair-based STDP (see ``PairSTDPParameters``).
  case pairSTDP(PairSTDPParameters)

  /// The config name of the rule (`plasticity.rule`).
  public var configName: String {
    switch self {
    case .pairSTDP: "pair_stdp"
    }
  }

  /// Every rule name the config accepts.
  public static let configNames = ["pair_stdp"]

  /// The weight bounds the rule keeps weights in.
  public var weightBounds: ClosedRange<Double> {
    switch self {
    case .pairSTDP(let p): p.weightMin...max(p.weightMin, p.weightMax)
    }
  }

  /// Every broken rule of the parameters (keys relative to `plasticity`).
  public func violations(unit: String) -> [ParameterViolation] {
    switch self {
    case .pairSTDP(let p): p.violations(unit: unit)
    }
  }
}
