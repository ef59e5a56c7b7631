/// Pair-based spike-timing-dependent plasticity with pre- and postsynaptic traces (`pair_stdp`).
///
/// ## Equations
/// Each presynaptic neuron j of the projection has a trace x_j, each postsynaptic neuron i a trace
/// y_i; between events they decay, `x_j(t) = x_j(t₀)·e^(−(t−t₀)/τ₊)`, `y_i(t) = y_i(t₀)·e^(−(t−t₀)/τ₋)`.
///
/// * A presynaptic spike **arriving** at the synapse at t (emission + delay): the synapse first
///   transmits with its current weight, then is depressed, `w ← w − A₋·(w_max − w_min)·f₋(w)·y_i(t)`,
///   then `x_j ← x_j + 1` (all-to-all pairing) or `x_j ← 1` (nearest-neighbour pairing).
/// * A postsynaptic spike at t: every incoming synapse is potentiated,
///   `w ← w + A₊·(w_max − w_min)·f₊(w)·x_j(t)`, then `y_i ← y_i + 1` (all-to-all) or `y_i ← 1`.
/// * Weight dependence (Gütig et al. 2003) with `w̃ = (w − w_min)/(w_max − w_min)`:
///   `f₊(w) = (1 − w̃)^μ₊`, `f₋(w) = w̃^μ₋`, normally with one exponent μ = μ₊ = μ₋: μ = 0 is
///   additive STDP with hard bounds (Song, Miller & Abbott 2000), μ = 1 multiplicative, values in
///   between Gütig's nonlinear rule. μ₊ = 0, μ₋ = 1 is the mixed rule of van Rossum, Bi & Turrigiano
///   (2000): weight-independent potentiation, depression proportional to w. After every update w
///   is clipped to [w_min, w_max].
///
/// So a single pair with Δt = t_post − t_arrival changes w by `A₊·(w_max − w_min)·e^(−Δt/τ₊)` for
/// Δt ≥ 0 and by `−A₋·(w_max − w_min)·e^(Δt/τ₋)` for Δt < 0 (additive, away from the bounds).
///
/// ## Timing and delays
/// Spike times are grid times (neuron spikes are stamped at the end of their step). The
/// presynaptic event happens when the spike **arrives** (emission time + the projection's delay;
/// axonal delay), the postsynaptic event at the soma's spike time (no back-propagation delay).
/// With `dendritic_delay_fraction` f > 0 (PyNN's `STDPMechanism` parameter, NEST's dendritic delay)
/// a fraction f of the delay d lies in the dendrite: the synapse sees the presynaptic spike at
/// t_pre + (1 − f)·d and the postsynaptic one at t_post + f·d. The engine keeps processing arrivals
/// at t_pre + d and shifts the postsynaptic events by 2·f·d (rounded to whole steps), which gives
/// every pair the same Δt; postsynaptic spikes in the last 2·f·d of a run are not paired.
/// Events at the same grid time: presynaptic arrivals are processed before postsynaptic spikes, so
/// Δt = 0 counts as potentiation. A plastic projection needs one delay for all its synapses.
///
/// ## Parameters (config keys under `plasticity:` of a projection)
/// | key             | Swift name       | default | meaning |
/// |-----------------|------------------|---------|---------|
/// | `rule`          | —                | —       | `pair_stdp` |
/// | `tau_plus_ms`   | `tauPlusMs`      | 20 ms   | presynaptic trace time constant τ₊ (> 0) |
/// | `tau_minus_ms`  | `tauMinusMs`     | 20 ms   | postsynaptic trace time constant τ₋ (> 0) |
/// | `a_plus`        | `aPlus`          | 0.01    | potentiation amplitude, fraction of w_max − w_min (≥ 0) |
/// | `a_minus`       | `aMinus`         | 0.0105  | depression amplitude, fraction of w_max − w_min (≥ 0) |
/// | `w_min_<unit>`  | `weightMin`      | 0       | lower weight bound (unit of the projection's weights) |
/// | `w_max_<unit>`  | `weightMax`      | —       | upper weight bound (> w_min), required |
/// | `mu`            | `mu`             | 0       | weight-dependence exponent μ ∈ [0, 1] of both sides |
/// | `mu_plus`, `mu_minus` | `muPlus`, `muMinus` | `mu` | separate exponents μ₊, μ₋ ∈ [0, 1] |
/// | `pairing`       | `pairing`        | all_to_all | `all_to_all` or `nearest` |
/// | `dendritic_delay_fraction` | `dendriticDelayFraction` | 0 | part f ∈ [0, 1] of the delay that is dendritic |
///
/// State: one trace per presynaptic and per postsynaptic neuron of the projection (event-driven:
/// value and time of last update), the weight per synapse.
///
/// ## References
/// 1. Song S, Miller KD, Abbott LF (2000) Competitive Hebbian learning through spike-timing-dependent
///    synaptic plasticity. Nat Neurosci 3:919–926. doi:10.1038/78829
/// 2. Gütig R, Aharonov R, Rotter S, Sompolinsky H (2003) Learning input correlations through
///    nonlinear temporally asymmetric Hebbian plasticity. J Neurosci 23:3697–3714.
///    doi:10.1523/JNEUROSCI.23-09-03697.2003
/// 3. van Rossum MCW, Bi GQ, Turrigiano GG (2000) Stable Hebbian learning from spike timing-dependent
///    plasticity. J Neurosci 20:8812–8821. doi:10.1523/JNEUROSCI.20-23-08812.2000
/// 4. Morrison A, Diesmann M, Gerstner W (2008) Phenomenological models of synaptic plasticity based
///    on spike timing. Biol Cybern 98:459–478. doi:10.1007/s00422-008-0233-1 (pairing schemes)
public struct PairSTDPParameters: Sendable, Equatable {
  /// How spikes are paired.
  public enum Pairing: String, Sendable, Equatable, CaseIterable {
    /// Every pre spike pairs with every post spike (traces add up).
    case allToAll = "all_to_all"
    /// Each spike pairs only with the nearest preceding spike of the other side (traces reset to 1).
    case nearest
  }

  /// Presynaptic trace time constant τ₊ in ms.
  public var tauPlusMs = 20.0
  /// Postsynaptic trace time constant τ₋ in ms.
  public var tauMinusMs = 20.0
  /// Potentiation amplitude as a fraction of w_max − w_min.
  public var aPlus = 0.01
  /// Depression amplitude as a fraction of w_max − w_min.
  public var aMinus = 0.0105
  /// Lower weight bound (in the projection's weight unit).
  public var weightMin = 0.0
  /// Upper weight bound (in the projection's weight unit).
  public var weightMax: Double
  /// Weight-dependence exponent of potentiation μ₊ (0 additive, 1 multiplicative).
  public var muPlus = 0.0
  /// Weight-dependence exponent of depression μ₋.
  public var muMinus = 0.0
  /// One exponent for both sides (reads μ₊).
  public var mu: Double {
    get { muPlus }
    set { (muPlus, muMinus) = (newValue, newValue) }
  }
  /// Pairing scheme.
  public var pairing = Pairing.allToAll
  /// Part of the projection's delay that lies in the dendrite (0 = all axonal, 1 = all dendritic):
  /// the pairing sees presynaptic spikes at `t_pre + (1 − f)·d` and postsynaptic ones at `t_post + f·d`.
  public var dendriticDelayFraction = 0.0

  /// Creates parameters with the defaults above and the given upper bound.
  public init(weightMax: Double) { self.weightMax = weightMax }

  /// Every broken rule, keys relative to `plasticity` (`unit` is the weight unit, e.g. `mV`).
  public func violations(unit: String) -> [ParameterViolation] {
    var out = requirePositive([("tau_plus_ms", tauPlusMs), ("tau_minus_ms", tauMinusMs)])
    out += requireFinite([("w_min_\(unit)", weightMin), ("w_max_\(unit)", weightMax)])
    out += requireNonNegative([("a_plus", aPlus), ("a_minus", aMinus)])
    for (key, value) in [("mu_plus", muPlus), ("mu_minus", muMinus)] where !(value >= 0 && value <= 1) {
      out.append(.init(key: key, message: "must be in [0, 1], got \(value)"))
    }
    if !(dendriticDelayFraction >= 0 && dendriticDelayFraction <= 1) {
      out.append(.init(key: "dendritic_delay_fraction", message: "must be in [0, 1], got \(dendriticDelayFraction)"))
    }
    out += weightBoundViolations(weightMin, weightMax, unit: unit)
    return out
  }
}
