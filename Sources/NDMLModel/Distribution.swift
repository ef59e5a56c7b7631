/// A value given in a config as a constant, as a random draw (weights, delays, initial state) or,
/// for initial state only, as a list of one value per neuron.
///
/// Draws come from NDML's counter-based generator keyed by (seed, purpose, index), so a value does
/// not depend on the order in which values are generated.
public enum ValueDistribution: Sendable, Equatable {
  /// Always the same value.
  case constant(Double)
  /// Uniform on [low, high).
  case uniform(low: Double, high: Double)
  /// Normal with the given mean and standard deviation. With `clipAtZero`, draws whose sign differs
  /// from the mean's are clipped to zero, so the sign is kept (used for weights).
  case normal(mean: Double, standardDeviation: Double, clipAtZero: Bool)
  /// One given value per element, by index (initial values: one per neuron of the population).
  case perNeuron([Double])

  /// The mean of the distribution (before clipping).
  public var mean: Double {
    switch self {
    case .constant(let v): v
    case .uniform(let lo, let hi): (lo + hi) / 2
    case .normal(let m, _, _): m
    case .perNeuron(let values): values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }
  }

  /// Lowest value a draw can take (`-infinity` for an unclipped normal).
  public var lowerBound: Double {
    switch self {
    case .constant(let v): v
    case .uniform(let lo, _): lo
    case .normal(let m, _, let clip): clip && m >= 0 ? 0 : -.infinity
    case .perNeuron(let values): values.min() ?? 0
    }
  }

  /// Highest value a draw can take (`+infinity` for an unclipped normal).
  public var upperBound: Double {
    switch self {
    case .constant(let v): v
    case .uniform(_, let hi): hi
    case .normal(let m, _, let clip): clip && m < 0 ? 0 : .infinity
    case .perNeuron(let values): values.max() ?? 0
    }
  }

  /// An upper bound that draws exceed with negligible probability: the upper bound, or mean + 6 sd
  /// for an unclipped normal (used for delay-buffer sizing and limits).
  public var practicalUpperBound: Double {
    if case .normal(let m, let sd, _) = self, upperBound.isInfinite { return m + 6 * sd }
    return upperBound
  }

  /// Whether every draw equals the same value.
  public var isConstant: Bool {
    if case .constant = self { return true }
    if case .normal(_, let sd, _) = self { return sd == 0 }
    if case .uniform(let lo, let hi) = self { return lo == hi }
    if case .perNeuron(let values) = self { return values.allSatisfy { $0 == values.first } }
    return false
  }

  /// Violations of the distribution's own rules (finite values, low ≤ high, sd ≥ 0).
  public func violations(key: String) -> [ParameterViolation] {
    switch self {
    case .constant(let v):
      return requireFinite([(key, v)])
    case .uniform(let lo, let hi):
      var out = requireFinite([(key + ".uniform[0]", lo), (key + ".uniform[1]", hi)])
      if lo > hi { out.append(.init(key: key, message: "uniform bounds are reversed: [\(lo), \(hi)]")) }
      return out
    case .normal(let m, let sd, _):
      var out = requireFinite([(key + ".mean", m), (key + ".std", sd)])
      if sd < 0 { out.append(.init(key: key + ".std", message: "must be ≥ 0, got \(sd)")) }
      return out
    case .perNeuron(let values):
      return requireFinite(values.enumerated().map { ("\(key)[\($0.offset)]", $0.element) })
    }
  }
}
