/// Triplet spike-timing-dependent plasticity of Pfister & Gerstner (2006) (`triplet_stdp`).
///
/// ## Equations
/// Each presynaptic neuron j has two traces, r₁ (τ₊) and r₂ (τ_x); each postsynaptic neuron i two,
/// o₁ (τ₋) and o₂ (τ_y). Between events every trace decays exponentially with its own time
/// constant. With `S` the reference weight (`w_ref`, by default `w_max − w_min`):
///
/// * A presynaptic spike **arriving** at the synapse at t (emission + delay): the synapse first
///   transmits, then is depressed, `w ← w − S·o₁_i(t)·[A₂⁻ + A₃⁻·r₂_j(t − ε)]`; then r₁_j and r₂_j
///   are incremented by 1 (all-to-all) or set to 1 (nearest spike).
/// * A postsynaptic spike at t: every incoming synapse is potentiated,
///   `w ← w + S·r₁_j(t)·[A₂⁺ + A₃⁺·o₂_i(t − ε)]`; then o₁_i and o₂_i are incremented or set to 1.
/// * `t − ε` means the slow trace is read before the spike's own increment. After every update w
///   is clipped to [w_min, w_max] (hard bounds; Pfister & Gerstner's fits have no bounds, so keep
///   the bounds wide for a protocol that reproduces their figures).
///
/// The pair terms (A₂) make it pair STDP; the triplet terms (A₃) make potentiation grow with the
/// postsynaptic rate, which turns post-before-pre depression into potentiation at high pairing
/// frequencies (Sjöström, Turrigiano & Nelson 2001). The "minimal" models of the paper set the
/// terms its fits found unnecessary to zero (visual cortex: A₂⁺ = A₃⁻ = 0; hippocampus: A₃⁻ = 0).
///
/// Amplitudes are fractions of the reference weight S. By default S = `w_max − w_min`, as for
/// `pair_stdp`; Pfister & Gerstner's weights are normalised to the initial weight, so set `w_ref`
/// to the initial weight to use their amplitudes as fitted (with bounds wide enough not to clip).
///
/// ## Timing and delays
/// As for `pair_stdp`: the presynaptic event is the spike's arrival (emission + the projection's
/// one delay), the postsynaptic event the soma's spike time; arrivals are processed before
/// postsynaptic spikes at the same grid time.
///
/// ## Parameters (config keys under `plasticity:`)
/// `parameter_set:` loads one of the paper's fitted rows (``ParameterSet``: amplitudes, τ_x, τ_y and
/// the pairing scheme they were fitted with); keys given next to it override single values.
/// | key             | Swift name    | default | meaning |
/// |-----------------|---------------|---------|---------|
/// | `tau_plus_ms`   | `tauPlusMs`   | 16.8 ms | fast presynaptic trace r₁ |
/// | `tau_minus_ms`  | `tauMinusMs`  | 33.7 ms | fast postsynaptic trace o₁ |
/// | `tau_x_ms`      | `tauXMs`      | 101 ms  | slow presynaptic trace r₂ |
/// | `tau_y_ms`      | `tauYMs`      | 125 ms  | slow postsynaptic trace o₂ |
/// | `a2_plus`, `a3_plus`, `a2_minus`, `a3_minus` | `a2Plus` … | visual cortex all-to-all full row | amplitudes (≥ 0) |
/// | `w_min_<unit>`, `w_max_<unit>` | `weightMin`, `weightMax` | 0, required | hard bounds |
/// | `w_ref_<unit>`  | `weightReference` | w_max − w_min | the weight amplitudes are fractions of (> 0) |
/// | `pairing`       | `pairing`     | `all_to_all` | `all_to_all` or `nearest` |
///
/// ## References
/// 1. Pfister J-P, Gerstner W (2006) Triplets of spikes in a model of spike timing-dependent
///    plasticity. J Neurosci 26:9673–9682. doi:10.1523/JNEUROSCI.1425-06.2006 (Tables 3 and 4)
/// 2. Sjöström PJ, Turrigiano GG, Nelson SB (2001) Rate, timing, and cooperativity jointly
///    determine cortical synaptic plasticity. Neuron 32:1149–1164. doi:10.1016/S0896-6273(01)00542-6
public struct TripletSTDPParameters: Sendable, Equatable {
  /// Fast presynaptic trace time constant τ₊ in ms.
  public var tauPlusMs = 16.8
  /// Fast postsynaptic trace time constant τ₋ in ms.
  public var tauMinusMs = 33.7
  /// Slow presynaptic trace time constant τ_x in ms.
  public var tauXMs = 101.0
  /// Slow postsynaptic trace time constant τ_y in ms.
  public var tauYMs = 125.0
  /// Pair potentiation amplitude A₂⁺.
  public var a2Plus = 5e-10
  /// Triplet potentiation amplitude A₃⁺.
  public var a3Plus = 6.2e-3
  /// Pair depression amplitude A₂⁻.
  public var a2Minus = 7e-3
  /// Triplet depression amplitude A₃⁻.
  public var a3Minus = 2.3e-4
  /// Lower weight bound (in the projection's weight unit).
  public var weightMin = 0.0
  /// Upper weight bound (in the projection's weight unit).
  public var weightMax: Double
  /// The weight the amplitudes are fractions of; nil means `weightMax − weightMin`.
  public var weightReference: Double?
  /// Pairing scheme (shared with pair STDP).
  public var pairing = PairSTDPParameters.Pairing.allToAll

  /// The weight the amplitudes are fractions of (S in the equations).
  public var amplitudeScale: Double { weightReference ?? (weightMax - weightMin) }

  /// Creates parameters with the defaults above (the visual-cortex all-to-all full row).
  public init(weightMax: Double) { self.weightMax = weightMax }

  /// Creates parameters from one of the paper's fitted rows.
  public init(_ set: ParameterSet, weightMax: Double) {
    self.weightMax = weightMax
    set.apply(to: &self)
  }

  /// The fitted rows of Pfister & Gerstner (2006), Table 3 (visual cortex, fitted to Sjöström et
  /// al. 2001) and Table 4 (hippocampal cultures, Wang et al. 2005); τ₊ = 16.8 ms and τ₋ = 33.7 ms
  /// in every row. Provenance of each row: docs/plasticity-literature.md §3 (the paper itself could
  /// not be read here; the visual-cortex rows agree with a source checked against it, the
  /// hippocampal full rows with several independent implementations). Two rows whose amplitudes
  /// no source here confirmed — visual-cortex nearest-spike full, hippocampal all-to-all minimal —
  /// are left out rather than guessed; give their values as keys.
  public enum ParameterSet: String, Sendable, CaseIterable {
    /// Visual cortex, all-to-all pairing, full model.
    case visualCortexAllToAll = "visual_cortex_all_to_all"
    /// Visual cortex, all-to-all pairing, minimal model (A₂⁺ = A₃⁻ = 0).
    case visualCortexAllToAllMinimal = "visual_cortex_all_to_all_minimal"
    /// Visual cortex, nearest-spike pairing, minimal model.
    case visualCortexNearestMinimal = "visual_cortex_nearest_minimal"
    /// Hippocampal cultures, all-to-all pairing, full model.
    case hippocampalAllToAll = "hippocampal_all_to_all"
    /// Hippocampal cultures, nearest-spike pairing, full model.
    case hippocampalNearest = "hippocampal_nearest"

    /// (A₂⁺, A₃⁺, A₂⁻, A₃⁻, τ_x, τ_y, pairing); τ_x of minimal rows is unused (A₃⁻ = 0) and kept at 101 ms.
    var row: (Double, Double, Double, Double, Double, Double, PairSTDPParameters.Pairing) {
      switch self {
      case .visualCortexAllToAll: (5e-10, 6.2e-3, 7e-3, 2.3e-4, 101, 125, .allToAll)
      case .visualCortexAllToAllMinimal: (0, 6.5e-3, 7.1e-3, 0, 101, 114, .allToAll)
      case .visualCortexNearestMinimal: (0, 5e-2, 8e-3, 0, 101, 40, .nearest)
      case .hippocampalAllToAll: (6.1e-3, 6.7e-3, 1.6e-3, 1.4e-3, 946, 27, .allToAll)
      case .hippocampalNearest: (4.6e-3, 9.1e-3, 3e-3, 7.5e-9, 575, 47, .nearest)
      }
    }

    /// Sets amplitudes, τ_x, τ_y and pairing; keeps τ₊, τ₋ and the bounds.
    public func apply(to p: inout TripletSTDPParameters) {
      let (a2p, a3p, a2m, a3m, tx, ty, pairing) = row
      p.tauPlusMs = 16.8
      p.tauMinusMs = 33.7
      (p.a2Plus, p.a3Plus, p.a2Minus, p.a3Minus, p.tauXMs, p.tauYMs, p.pairing) = (a2p, a3p, a2m, a3m, tx, ty, pairing)
    }
  }

  /// Every broken rule, keys relative to `plasticity` (`unit` is the weight unit, e.g. `mV`).
  public func violations(unit: String) -> [ParameterViolation] {
    var out = requirePositive([
      ("tau_plus_ms", tauPlusMs), ("tau_minus_ms", tauMinusMs), ("tau_x_ms", tauXMs), ("tau_y_ms", tauYMs),
    ])
    out += requireFinite([("w_min_\(unit)", weightMin), ("w_max_\(unit)", weightMax)])
    out += requireNonNegative([("a2_plus", a2Plus), ("a3_plus", a3Plus), ("a2_minus", a2Minus), ("a3_minus", a3Minus)])
    out += weightBoundViolations(weightMin, weightMax, unit: unit)
    if let reference = weightReference { out += requirePositive([("w_ref_\(unit)", reference)]) }
    return out
  }
}
