/// Adaptive leaky integrate-and-fire neuron with a spike-triggered threshold (`alif`).
///
/// ## Equations
/// The membrane and synapses of `lif_cuba` (voltage-like synaptic variables `s_e`, `s_i` in mV,
/// injected current `I` in pA), plus an adaptation variable `a` (Bellec et al. 2018, 2020) and an
/// optional spike-triggered adaptation current `w` (pA):
///
///     τ_m dv/dt   = (E_L − v) + s_e + s_i + R·(I − w),     R = τ_m / C_m
///     τ_e ds_e/dt = −s_e,     τ_i ds_i/dt = −s_i
///     τ_a da/dt   = −a,       τ_w dw/dt   = −w
///     threshold     A = v_thresh + β·a
///
/// The neuron spikes when `v > A`; then `v ← v_reset` (held for `tau_ref`, as in `lif_cuba`),
/// `a ← a + 1` and `w ← w + b`. Normalisation: the e-prop form of Bellec et al. 2020,
/// `a^{t+1} = ρ·a^t + z^t` with `ρ = e^(−δt/τ_a)`: every spike adds 1 to `a`, so `a` is a spike
/// count filtered with τ_a (unit `spikes`) and `β` is the threshold increase per spike in mV. The
/// 2018 LSNN paper writes `a^{t+1} = ρ·a^t + (1 − ρ)·z^t`; its `β` equals this one times
/// `τ_a/δt` (approximately). With constant drive at rate ν the time average of `a` is exactly
/// `ν·τ_a`. Unlike the e-prop network, the reset is to `v_reset` (not by subtracting `A`), so with
/// `β = 0` and `b = 0` the model is `lif_cuba` exactly. `b = 0` (the default) switches the current
/// off: `w` is then neither recordable nor initialisable.
///
/// ## Numerics
/// Every variable is linear between spikes, so the CPU kernel integrates exactly (Rotter &
/// Diesmann 1999), with `lif_cuba`'s propagators plus `a ← a·e^(−h/τ_a)`, `w ← w·e^(−h/τ_w)` and
/// the response of `v` to `w` (a voltage-like input `−R·w` decaying with τ_w). Within step `n` the
/// threshold is tested at `t_{n+1}` with `a` already decayed to `t_{n+1}` (before this step's
/// jump), then `a` and `w` jump.
///
/// ## Parameters
/// | config key        | Swift name                 | default  | meaning |
/// |-------------------|----------------------------|----------|---------|
/// | `tau_m_ms`        | `tauMembraneMs`            | 20 ms    | membrane time constant τ_m (> 0) |
/// | `tau_syn_e_ms`    | `tauSynapticExcitatoryMs`  | 5 ms     | excitatory synaptic time constant (≥ 0; 0 = delta) |
/// | `tau_syn_i_ms`    | `tauSynapticInhibitoryMs`  | 10 ms    | inhibitory synaptic time constant (≥ 0; 0 = delta) |
/// | `v_rest_mV`       | `restingPotentialMV`       | −65 mV   | leak reversal E_L |
/// | `v_thresh_mV`     | `thresholdMV`              | −50 mV   | baseline threshold v_thresh |
/// | `v_reset_mV`      | `resetMV`                  | −65 mV   | reset potential (< v_thresh) |
/// | `tau_ref_ms`      | `refractoryMs`             | 2 ms     | absolute refractory period (≥ 0) |
/// | `c_m_pF`          | `capacitancePF`            | 250 pF   | membrane capacitance C_m (> 0) |
/// | `i_bias_pA`       | `biasCurrentPA`            | 0 pA     | constant bias current |
/// | `beta_mV`         | `thresholdIncrementMV`     | 1 mV     | β: threshold increase per unit of `a` (≥ 0) |
/// | `tau_a_ms`        | `tauAdaptationMs`          | 200 ms   | τ_a: decay of `a` (> 0) |
/// | `b_pA`            | `currentIncrementPA`       | 0 pA     | b: jump of the adaptation current per spike (0 = off) |
/// | `tau_w_ms`        | `tauCurrentMs`             | 100 ms   | τ_w: decay of the adaptation current (> 0) |
///
/// State: `v` (mV, `init.v_mV`, default `v_rest`), `s_e`, `s_i` (mV, 0), `a` (spikes,
/// `init.a_spikes`, 0), `w` (pA, `init.w_pA`, 0; only when `b ≠ 0`).
///
/// ## References
/// 1. Bellec G, Salaj D, Subramoney A, Legenstein R, Maass W (2018) Long short-term memory and
///    learning-to-learn in networks of spiking neurons. NeurIPS 31. arXiv:1803.09574
/// 2. Bellec G et al. (2020) A solution to the learning dilemma for recurrent networks of spiking
///    neurons. Nat Commun 11:3625. doi:10.1038/s41467-020-17236-y
/// 3. Rotter S, Diesmann M (1999) Biol Cybern 81:381–402. doi:10.1007/s004220050570
public struct ALIFParameters: Sendable, Equatable {
  /// Membrane time constant τ_m in ms.
  public var tauMembraneMs = 20.0
  /// Excitatory synaptic time constant in ms (0 = delta synapse).
  public var tauSynapticExcitatoryMs = 5.0
  /// Inhibitory synaptic time constant in ms (0 = delta synapse).
  public var tauSynapticInhibitoryMs = 10.0
  /// Leak reversal (resting) potential E_L in mV.
  public var restingPotentialMV = -65.0
  /// Baseline spike threshold in mV.
  public var thresholdMV = -50.0
  /// Reset potential in mV.
  public var resetMV = -65.0
  /// Absolute refractory period in ms.
  public var refractoryMs = 2.0
  /// Membrane capacitance in pF.
  public var capacitancePF = 250.0
  /// Constant bias current in pA.
  public var biasCurrentPA = 0.0
  /// β: threshold increase per unit of the adaptation variable `a`, in mV.
  public var thresholdIncrementMV = 1.0
  /// τ_a: decay time constant of `a` in ms.
  public var tauAdaptationMs = 200.0
  /// b: jump of the adaptation current per spike in pA (0 = no adaptation current).
  public var currentIncrementPA = 0.0
  /// τ_w: decay time constant of the adaptation current in ms.
  public var tauCurrentMs = 100.0

  /// The defaults of the table above.
  public init() {}

  /// Membrane resistance in MΩ (τ_m / C_m).
  public var resistanceMOhm: Double { 1000 * tauMembraneMs / capacitancePF }

  /// Whether the spike-triggered adaptation current is on (`b ≠ 0`).
  public var hasAdaptationCurrent: Bool { currentIncrementPA != 0 }

  /// Every broken rule (all-or-nothing validation: nothing is applied by this check).
  public func violations() -> [ParameterViolation] {
    var out = requirePositive([
      ("tau_m_ms", tauMembraneMs), ("c_m_pF", capacitancePF), ("tau_a_ms", tauAdaptationMs),
      ("tau_w_ms", tauCurrentMs),
    ])
    for (key, tau) in [("tau_syn_e_ms", tauSynapticExcitatoryMs), ("tau_syn_i_ms", tauSynapticInhibitoryMs)]
    where !(tau >= 0) || !tau.isFinite {
      out.append(.init(key: key, message: "must be ≥ 0 ms (0 = delta synapse), got \(tau)"))
    }
    out += requireFinite([
      ("v_rest_mV", restingPotentialMV), ("v_thresh_mV", thresholdMV), ("v_reset_mV", resetMV),
      ("i_bias_pA", biasCurrentPA), ("b_pA", currentIncrementPA),
    ])
    if !(thresholdIncrementMV >= 0) || !thresholdIncrementMV.isFinite {
      out.append(
        .init(
          key: "beta_mV",
          message:
            "must be ≥ 0 mV (the threshold rises with each spike; 0 = no adaptation), got \(thresholdIncrementMV)"
        ))
    }
    out += spikeResetViolations(thresholdMV: thresholdMV, resetMV: resetMV, refractoryMs: refractoryMs)
    return out
  }

  /// The smallest time constant, for the "dt larger than a time constant" warning.
  public var shortestTimeConstantMs: Double? {
    [tauMembraneMs, tauSynapticExcitatoryMs, tauSynapticInhibitoryMs, tauAdaptationMs].filter { $0 > 0 }.min()
  }
}
