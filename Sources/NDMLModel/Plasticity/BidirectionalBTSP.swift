import Foundation

/// Bidirectional behavioral-timescale synaptic plasticity of Milstein et al. (2021), the
/// weight-dependent model "WD_D" (`btsp_milstein`).
///
/// ## Equations
/// * Eligibility trace of presynaptic neuron j: `τ_ET dET_j/dt = −ET_j + ρ_j(t)/r_ET`, with ρ_j the
///   spike train (each spike adds `1/(τ_ET·r_ET)`), so an input firing steadily at r has
///   `ET = r/r_ET` and ET is the input's rate low-pass filtered with τ_ET, in units of `r_ET`.
/// * Instructive signal of postsynaptic neuron i: `τ_IS dIS_i/dt = −IS_i + P_i(t)`, P_i = 1 during a
///   plateau of i (``PlateauSchedule``), divided by `1 − e^(−D/τ_IS)` so that one plateau of
///   duration D peaks at 1.
/// * Overlap `x = min(ET_j·IS_i, 1)`; rate functions `q(x) = [σ(x) − σ(0)]/[σ(1) − σ(0)]` with
///   `σ(x) = 1/(1 + e^(−β(x − θ)))`, `β = 2/half_width`, one (θ, half width) for potentiation (q₊)
///   and one for depression (q₋); q(0) = 0, q(1) = 1.
/// * Normalised weight `w = (W − W_min)/(W_max − W_min)`:
///   `dw/dt = k₊·q₊(x)·(1 − w) − k₋·q₋(x)·w` — a two-state scheme whose fixed point is
///   `k₊q₊/(k₊q₊ + k₋q₋)`; weak synapses potentiate, strong ones depress (the sign depends on the
///   current weight, not on postsynaptic spikes).
///
/// ## Numerics and the choices made where the paper's code differs
/// * The rates are evaluated on a clock of `update_interval_ms` (default 10 ms, the authors'
///   down-sampled grid), each tick covering the interval centred on it (midpoint rule). Only
///   target neurons in a plateau or whose instructive signal exceeds 10⁻⁶ are visited, so the rule
///   costs nothing outside the few seconds around a plateau.
/// * `integration: episode` (default) is the authors' discretisation, the one the parameters were
///   fitted with (neurosutras/BTSP `optimize_biBTSP_synthetic_WD_D.py`: Δw integrated over each
///   induction interval with w frozen at its start, applied once, clipped to [0, 1]): an episode
///   runs from a plateau onset until the target's instructive signal has decayed below the
///   cut-off (about 6 s after a 300 ms plateau) or the next plateau of that target starts; then
///   `w ← w + k₊(1 − w)∫q₊ dt − k₋w∫q₋ dt`. Weights therefore change at the episode's end.
///   `integration: continuous` instead solves the ODE exactly over every tick (x held), so weights
///   move during the episode and saturate sooner: with the fitted rates one induction gives about
///   30 % less potentiation than the authors' update.
/// * The authors normalise ET by its maximum over all inputs and the whole protocol (not causal);
///   NDML uses a fixed scale `r_ET`. The default 20.3 Hz is that maximum for the authors' track:
///   40 Hz Gaussian fields of s.d. 15 cm traversed at 25 cm/s, filtered with τ_ET = 1664 ms, peak
///   at 0.507·40 Hz. Set `eligibility_rate_Hz` for other input statistics.
/// * ET is driven by the presynaptic spikes arriving at the synapse (after the projection's delay).
/// * W_min defaults to 0 (the authors' dynamics floor; their −0.2 bound applies to target ramps
///   only).
///
/// ## Parameters (config keys under `plasticity:`)
/// `parameter_set:` `synthetic` (default; the population fit to synthetic place-field targets,
/// `config/optimize_biBTSP_synthetic_WD_D_config.yaml` x0) or `experimental` (the fit to the
/// recorded cells, `config/optimize_biBTSP_WD_D_cli_config.yaml` x0); keys override.
/// | key | Swift name | synthetic | meaning |
/// |-----|------------|-----------|---------|
/// | `tau_eligibility_ms` | `tauEligibilityMs` | 1664.103 | τ_ET |
/// | `tau_instructive_ms` | `tauInstructiveMs` | 437.0065 | τ_IS |
/// | `k_plus_per_s` | `kPlusPerS` | 1.109682 | k₊ |
/// | `k_minus_per_s` | `kMinusPerS` | 0.4249387 | k₋ |
/// | `theta_plus`, `half_width_plus` | `thetaPlus`, `halfWidthPlus` | 0.4150117, 0.4541096 | q₊ |
/// | `theta_minus`, `half_width_minus` | `thetaMinus`, `halfWidthMinus` | 0.02618154, 0.09977173 | q₋ |
/// | `eligibility_rate_Hz` | `eligibilityRateHz` | 20.3 | r_ET |
/// | `w_min_<unit>`, `w_max_<unit>` | `weightMin`, `weightMax` | 0, required | W range (the paper: W_max = 4.68 × baseline) |
/// | `update_interval_ms` | `updateIntervalMs` | 10 | weight clock |
/// | `integration` | `integration` | `episode` | `episode` or `continuous` (above) |
/// | `plateaus` | `plateaus` | none | ``PlateauSchedule`` (`duration_ms`, `neurons` + `times_ms`, `rate_Hz`) |
///
/// ## References
/// 1. Milstein AD, Li Y, Bittner KC, Grienberger C, Soltesz I, Magee JC, Romani S (2021)
///    Bidirectional synaptic plasticity rapidly modifies hippocampal representations. eLife
///    10:e73046. doi:10.7554/eLife.73046. Code: github.com/neurosutras/BTSP (commit 90bfae6).
/// 2. Bittner KC, Milstein AD, Grienberger C, Romani S, Magee JC (2017) Behavioral time scale
///    synaptic plasticity underlies CA1 place fields. Science 357:1033–1036.
///    doi:10.1126/science.aan3846
public struct BidirectionalBTSPParameters: Sendable, Equatable {
  /// Eligibility-trace time constant τ_ET in ms.
  public var tauEligibilityMs = 1664.103
  /// Instructive-signal time constant τ_IS in ms.
  public var tauInstructiveMs = 437.0065
  /// Potentiation rate k₊ in 1/s.
  public var kPlusPerS = 1.109682
  /// Depression rate k₋ in 1/s.
  public var kMinusPerS = 0.4249387
  /// Threshold θ₊ of q₊.
  public var thetaPlus = 0.4150117
  /// Half width of q₊ (β₊ = 2/half width).
  public var halfWidthPlus = 0.4541096
  /// Threshold θ₋ of q₋.
  public var thetaMinus = 0.02618154
  /// Half width of q₋.
  public var halfWidthMinus = 0.09977173
  /// Presynaptic rate at which ET = 1, in Hz.
  public var eligibilityRateHz = 20.3
  /// Lower weight bound W_min.
  public var weightMin = 0.0
  /// Upper weight bound W_max.
  public var weightMax: Double
  /// Weight-update clock in ms.
  public var updateIntervalMs = 10.0
  /// The target neurons' plateaus.
  public var plateaus = PlateauSchedule()
  /// How the weight ODE is discretised.
  public var integration = Integration.episode

  /// How the weight ODE is discretised (see the type's documentation).
  public enum Integration: String, Sendable, CaseIterable {
    /// Δw integrated over a plateau episode with w frozen at its start, applied at its end.
    case episode
    /// The ODE solved exactly on every tick.
    case continuous
  }

  /// Creates the `synthetic` parameters with the given upper bound.
  public init(weightMax: Double) { self.weightMax = weightMax }

  /// Fitted parameter sets of Milstein et al. (2021).
  public enum ParameterSet: String, Sendable, CaseIterable {
    /// Population fit to synthetic place-field targets (the authors' network model uses it).
    case synthetic
    /// Population fit to the recorded CA1 cells.
    case experimental

    /// Sets the fitted values (time constants, rates, rate functions); keeps bounds, scale, clock
    /// and plateaus.
    public func apply(to p: inout BidirectionalBTSPParameters) {
      switch self {
      case .synthetic:
        (p.tauEligibilityMs, p.tauInstructiveMs, p.kPlusPerS, p.kMinusPerS) = (1664.103, 437.0065, 1.109682, 0.4249387)
        (p.thetaPlus, p.halfWidthPlus, p.thetaMinus, p.halfWidthMinus) = (0.4150117, 0.4541096, 0.02618154, 0.09977173)
      case .experimental:
        (p.tauEligibilityMs, p.tauInstructiveMs, p.kPlusPerS, p.kMinusPerS) = (872.04, 662.37, 1.489965, 0.07940945)
        (p.thetaPlus, p.halfWidthPlus, p.thetaMinus, p.halfWidthMinus) = (0.09526639, 0.06251058, 3.607e-3, 8.037e-5)
      }
    }
  }

  /// q₊(x) for x in [0, 1].
  public func potentiationRate(_ x: Double) -> Double { Self.q(x, theta: thetaPlus, halfWidth: halfWidthPlus) }
  /// q₋(x) for x in [0, 1].
  public func depressionRate(_ x: Double) -> Double { Self.q(x, theta: thetaMinus, halfWidth: halfWidthMinus) }

  /// The normalised sigmoid q with q(0) = 0 and q(1) = 1.
  static func q(_ x: Double, theta: Double, halfWidth: Double) -> Double {
    let beta = 2 / halfWidth
    func sigma(_ y: Double) -> Double { 1 / (1 + exp(-beta * (y - theta))) }
    let low = sigma(0)
    return (sigma(x) - low) / (sigma(1) - low)
  }

  /// Every broken rule, keys relative to `plasticity`, for a target of `targetSize` neurons.
  public func violations(unit: String, targetSize: Int) -> [ParameterViolation] {
    var out = requirePositive([
      ("tau_eligibility_ms", tauEligibilityMs), ("tau_instructive_ms", tauInstructiveMs),
      ("half_width_plus", halfWidthPlus), ("half_width_minus", halfWidthMinus),
      ("eligibility_rate_Hz", eligibilityRateHz), ("update_interval_ms", updateIntervalMs),
    ])
    out += requireNonNegative([("k_plus_per_s", kPlusPerS), ("k_minus_per_s", kMinusPerS)])
    out += requireFinite([
      ("theta_plus", thetaPlus), ("theta_minus", thetaMinus), ("w_min_\(unit)", weightMin),
      ("w_max_\(unit)", weightMax),
    ])
    out += weightBoundViolations(weightMin, weightMax, unit: unit)
    out += plateaus.violations(targetSize: targetSize).map { .init(key: "plateaus." + $0.key, message: $0.message) }
    return out
  }
}
