/// The plasticity rule of a projection: one case per rule, each carrying its parameter record.
///
/// A closed enum like ``NeuronModel``: a new rule makes the compiler flag every switch over rules.
public enum PlasticityRule: Sendable, Equatable {
  /// Pair-based STDP (see ``PairSTDPParameters``).
  case pairSTDP(PairSTDPParameters)
  /// Triplet STDP (see ``TripletSTDPParameters``).
  case tripletSTDP(TripletSTDPParameters)
  /// Bidirectional BTSP of Milstein et al. 2021 (see ``BidirectionalBTSPParameters``).
  case bidirectionalBTSP(BidirectionalBTSPParameters)
  /// Binary-synapse BTSP of Wu & Maass 2025 (see ``BinaryBTSPParameters``).
  case binaryBTSP(BinaryBTSPParameters)
  /// Synaptic tagging and capture of Luboeinski & Tetzlaff 2021 (see ``TaggingCaptureParameters``).
  case taggingCapture(TaggingCaptureParameters)

  /// The config name of the rule (`plasticity.rule`).
  public var configName: String {
    switch self {
    case .pairSTDP: "pair_stdp"
    case .tripletSTDP: "triplet_stdp"
    case .bidirectionalBTSP: "btsp_milstein"
    case .binaryBTSP: "btsp_binary"
    case .taggingCapture: "stc"
    }
  }

  /// Every rule name the config accepts.
  public static let configNames = ["pair_stdp", "triplet_stdp", "btsp_milstein", "btsp_binary", "stc"]

  /// Which neurons a trace belongs to.
  public enum TraceSide: Sendable {
    /// The projection's source (presynaptic) neurons.
    case source
    /// The projection's target (postsynaptic) neurons.
    case target
  }

  /// The recordable per-neuron traces of the rule, in the kernel's order.
  public var traces: [(name: String, side: TraceSide, meaning: String)] {
    switch self {
    case .pairSTDP:
      [("x", .source, "presynaptic trace (τ₊)"), ("y", .target, "postsynaptic trace (τ₋)")]
    case .tripletSTDP:
      [
        ("r1", .source, "fast presynaptic trace (τ₊)"), ("r2", .source, "slow presynaptic trace (τ_x)"),
        ("o1", .target, "fast postsynaptic trace (τ₋)"), ("o2", .target, "slow postsynaptic trace (τ_y)"),
      ]
    case .bidirectionalBTSP:
      [
        ("eligibility", .source, "eligibility trace ET (1 = rate eligibility_rate_Hz)"),
        ("instructive", .target, "instructive signal IS (1 = peak after one plateau)"),
      ]
    case .binaryBTSP:
      [("plateau", .target, "1 during a plateau, else 0")]
    case .taggingCapture:
      [
        ("protein", .target, "protein amount p (α at saturation)"),
        ("early", .target, "mean early weight h of the projection's synapses onto the neuron (mV)"),
        ("late", .target, "mean late weight z of the projection's synapses onto the neuron"),
        ("tagged", .target, "fraction of the projection's synapses onto the neuron with a tag (±)"),
      ]
    }
  }

  /// The plateaus of a BTSP rule, nil for spike-timing rules.
  public var plateaus: PlateauSchedule? {
    switch self {
    case .pairSTDP, .tripletSTDP, .taggingCapture: nil
    case .bidirectionalBTSP(let p): p.plateaus
    case .binaryBTSP(let p): p.plateaus
    }
  }

  /// The weight bounds the rule keeps weights in.
  public var weightBounds: ClosedRange<Double> {
    switch self {
    case .pairSTDP(let p): p.weightMin...max(p.weightMin, p.weightMax)
    case .tripletSTDP(let p): p.weightMin...max(p.weightMin, p.weightMax)
    case .bidirectionalBTSP(let p): p.weightMin...max(p.weightMin, p.weightMax)
    case .binaryBTSP(let p): p.weightMin...max(p.weightMin, p.weightMax)
    case .taggingCapture(let p): p.weightRange
    }
  }

  /// Every broken rule of the parameters (keys relative to `plasticity`) for a target population
  /// of `targetSize` neurons.
  public func violations(unit: String, targetSize: Int) -> [ParameterViolation] {
    switch self {
    case .pairSTDP(let p): p.violations(unit: unit)
    case .tripletSTDP(let p): p.violations(unit: unit)
    case .bidirectionalBTSP(let p): p.violations(unit: unit, targetSize: targetSize)
    case .binaryBTSP(let p): p.violations(unit: unit, targetSize: targetSize)
    case .taggingCapture(let p): p.violations()
    }
  }
}

/// Violations for amplitudes that must be ≥ 0 and finite.
func requireNonNegative(_ pairs: [(String, Double)]) -> [ParameterViolation] {
  pairs.compactMap { key, value in
    value >= 0 && value.isFinite ? nil : ParameterViolation(key: key, message: "must be ≥ 0 and finite, got \(value)")
  }
}

/// Violations of the hard weight bounds every plastic rule shares (excitatory, w_min < w_max).
func weightBoundViolations(_ weightMin: Double, _ weightMax: Double, unit: String) -> [ParameterViolation] {
  var out: [ParameterViolation] = []
  if !(weightMin < weightMax) {
    out.append(.init(key: "w_min_\(unit)", message: "(\(weightMin)) must be below w_max_\(unit) (\(weightMax))"))
  }
  if weightMin < 0 {
    out.append(.init(key: "w_min_\(unit)", message: "must be ≥ 0: plastic weights are excitatory, got \(weightMin)"))
  }
  return out
}
