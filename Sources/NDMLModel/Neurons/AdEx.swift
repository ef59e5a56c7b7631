/// Adaptive exponential integrate-and-fire neuron (`adex`) with current-based exponential synapses
/// or, with `synapse_type: conductance`, conductance-based exponential or alpha synapses.
///
/// ## Equations
/// Brette & Gerstner 2005, with synaptic currents `s_e`, `s_i` in pA and an injected current `I`:
///
///     C dV/dt     = −g_L (V − E_L) + g_L Δ_T exp((V − V_T)/Δ_T) − w + I + s_e + s_i
///     τ_w dw/dt   = a (V − E_L) − w
///     τ_e ds_e/dt = −s_e,     τ_i ds_i/dt = −s_i
///
/// A presynaptic spike adds its weight in pA to `s_e` (excitatory receptor, weight ≥ 0) or `s_i`
/// (inhibitory, weight ≤ 0). When `V > V_peak` the neuron spikes: `V ← V_r`, `w ← w + b`, and `V`
/// is held at `V_r` for `tau_ref` (0 by default) while `w` and the synaptic currents evolve.
///
/// ## Conductance-based synapses (`synapse_type: conductance`)
/// NEST's `aeif_cond_exp` / `aeif_cond_alpha`, PyNN's `EIF_cond_exp_isfa_ista` /
/// `EIF_cond_alpha_isfa_ista`: the synaptic currents become `g_e (E_e − V) + g_i (E_i − V)`,
///
///     C dV/dt = −g_L (V − E_L) + g_L Δ_T exp((V − V_T)/Δ_T) − w + I + g_e (E_e − V) + g_i (E_i − V)
///     τ_w dw/dt = a (V − E_L) − w
///
/// with conductances `g_e`, `g_i` in nS. A spike adds its weight in nS (≥ 0 on both receptors; the
/// receptor picks the reversal potential). The conductance's time course is `synapse_shape`:
/// `exponential` (a jump of the weight, then `g·e^(−t/τ)`) or `alpha` (`w·(t/τ)·e^(1−t/τ)`, peak
/// `w` at `t = τ`, integrated as `dg/dt = −g/τ + y`, `dy/dt = −y/τ`, a spike adding `w·e/τ` to `y`).
/// As in NEST the synaptic term is evaluated at `min(V, V_peak)` like the rest of the right-hand
/// side.
///
/// ## Numerics
/// The exponential term makes the membrane equation nonlinear, so there is no exact propagator.
/// The CPU kernel advances (V, w) with the classical fourth-order Runge–Kutta method (RK4; Brian2's
/// `rk4`), the synaptic currents exactly (`s ← s·e^(−h/τ)`; the stages use their exact values at
/// `t`, `t + h/2`, `t + h`). Two guards keep the crossing step finite in both precisions: the
/// right-hand side is evaluated at `min(V, V_peak)` (a stage that overshoots the peak neither grows
/// the exponential further nor feeds a huge `V` into `dw/dt`), and the exponent argument is capped
/// at 50 (e^50 ≈ 5·10^21; it binds only when `(V_peak − V_T)/Δ_T > 50`, e.g. for tiny `Δ_T`). Away
/// from the peak the scheme is plain RK4 (local error O(h⁵)); the step in which the trajectory
/// passes `V_peak` ends above it, and the spike is stamped at the end of that step, so each reset
/// comes up to one step late. Measured at `dt = 0.1 ms` on Naud et al. 2008's eight cells: the
/// same pattern classes as at `dt = 0.01 ms` (in both precisions); the tonic cell's intervals are
/// ≈ 0.1 ms longer than at 0.01 ms (its 60th spike 6 ms later); spikes fall in the very steps of
/// Brian2's `rk4` with the same clamps (`Tests/python/test_neuron_models.py`).
///
/// The conductance variant uses the same RK4 step for (V, w) with the conductances taken exactly
/// at the stage times `t`, `t + h/2`, `t + h` (both shapes have closed-form propagators:
/// `g(t + s) = g·e^(−s/τ)`, resp. `(g + y·s)·e^(−s/τ)`), so the scheme is RK4 of the full
/// non-autonomous system, not a frozen-conductance splitting: fourth order between input spikes,
/// which arrive on the grid. The crossing step differs from the current-based model: it is redone
/// in 10 RK4 substeps, and the reset (`V ← V_r`, `w ← w + b`) happens at the end of the first
/// substep that ends above `V_peak`, the rest of the step integrated from there (`V` held at `V_r`
/// when `tau_ref > 0`), as NEST resets inside its step; the spike is still stamped at the end of
/// the step. (Resetting at the end of the step makes each reset on average half a step late, an
/// error that builds up over a spike train.) Measured against NEST 3's adaptive RKF45
/// (`aeif_cond_exp`, `aeif_cond_alpha`; `experiments/adex_conductance.yaml`,
/// `Tests/python/test_adex_conductance.py`): subthreshold `V` to 4·10⁻⁶ mV at `dt = 0.1 ms` (the
/// float32 of the samples), 4·10⁻⁴ mV at 1 ms and 3·10⁻⁵ mV at 0.5 ms (alpha conductances); spike
/// counts equal and spike times within two steps of NEST's at the same resolution.
///
/// ## Parameters
/// | config key      | Swift name                   | default   | meaning |
/// |-----------------|------------------------------|-----------|---------|
/// | `c_m_pF`        | `capacitancePF`              | 281 pF    | membrane capacitance C (> 0) |
/// | `g_leak_nS`     | `leakConductanceNS`          | 30 nS     | leak conductance g_L (> 0) |
/// | `v_rest_mV`     | `restingPotentialMV`         | −70.6 mV  | leak reversal E_L |
/// | `v_t_mV`        | `exponentialThresholdMV`     | −50.4 mV  | V_T, where the exponential takes over (< V_peak) |
/// | `delta_t_mV`    | `slopeFactorMV`              | 2 mV      | Δ_T, sharpness of spike initiation (> 0) |
/// | `v_peak_mV`     | `peakMV`                     | 0 mV      | V_peak: spike detection |
/// | `v_reset_mV`    | `resetMV`                    | −70.6 mV  | V_r (< V_peak) |
/// | `a_nS`          | `subthresholdAdaptationNS`   | 4 nS      | a: subthreshold adaptation (any sign) |
/// | `tau_w_ms`      | `tauAdaptationMs`            | 144 ms    | τ_w (> 0) |
/// | `b_pA`          | `spikeAdaptationPA`          | 80.5 pA   | b: jump of `w` per spike |
/// | `tau_ref_ms`    | `refractoryMs`               | 0 ms      | absolute refractory period (≥ 0) |
/// | `tau_syn_e_ms`  | `tauSynapticExcitatoryMs`    | 5 ms      | excitatory synaptic current decay (> 0) |
/// | `tau_syn_i_ms`  | `tauSynapticInhibitoryMs`    | 10 ms     | inhibitory synaptic current decay (> 0) |
/// | `i_bias_pA`     | `biasCurrentPA`              | 0 pA      | constant bias current |
/// | `synapse_type`  | `synapseType`                | `current` | `current` or `conductance` |
/// | `synapse_shape` | `synapseShape`               | `exponential` | `exponential`, or `alpha` (conductance only) |
/// | `e_rev_e_mV`    | `excitatoryReversalMV`       | 0 mV      | E_e (conductance only) |
/// | `e_rev_i_mV`    | `inhibitoryReversalMV`       | −80 mV    | E_i (conductance only) |
///
/// With conductances, `tau_syn_e_ms`, `tau_syn_i_ms` are the conductances' time constants.
///
/// Defaults: Brette & Gerstner 2005's regular-spiking cell (C, g_L, E_L, V_T, Δ_T, a, τ_w, b,
/// V_r = E_L); V_peak = 0 mV as in Naud et al. 2008 and NEST's `aeif` models. Naud et al.'s eight
/// firing patterns: `experiments/adex_firing_patterns.yaml`.
///
/// State: `v` (mV, `init.v_mV`, default `v_rest`), `w` (pA, `init.w_pA`, 0), `s_e`, `s_i` (pA,
/// `init.s_e_pA`, `init.s_i_pA`, 0); with conductances `g_e`, `g_i` (nS, `init.g_e_nS`,
/// `init.g_i_nS`, 0) instead of `s_e`, `s_i`.
///
/// ## References
/// 1. Brette R, Gerstner W (2005) Adaptive exponential integrate-and-fire model as an effective
///    description of neuronal activity. J Neurophysiol 94:3637–3642. doi:10.1152/jn.00686.2005
/// 2. Naud R, Marcille N, Clopath C, Gerstner W (2008) Firing patterns in the adaptive exponential
///    integrate-and-fire model. Biol Cybern 99:335–347. doi:10.1007/s00422-008-0264-7
/// 3. NEST models `aeif_cond_exp` and `aeif_cond_alpha` (NEST 3 documentation).
public struct AdExParameters: Sendable, Equatable {
  /// Membrane capacitance C in pF.
  public var capacitancePF = 281.0
  /// Leak conductance g_L in nS.
  public var leakConductanceNS = 30.0
  /// Leak reversal potential E_L in mV.
  public var restingPotentialMV = -70.6
  /// V_T in mV: where the exponential term takes over.
  public var exponentialThresholdMV = -50.4
  /// Δ_T in mV: slope factor of the exponential term.
  public var slopeFactorMV = 2.0
  /// V_peak in mV: a spike is detected when V exceeds it.
  public var peakMV = 0.0
  /// V_r in mV: the reset potential.
  public var resetMV = -70.6
  /// a in nS: subthreshold adaptation.
  public var subthresholdAdaptationNS = 4.0
  /// τ_w in ms: adaptation time constant.
  public var tauAdaptationMs = 144.0
  /// b in pA: spike-triggered jump of w.
  public var spikeAdaptationPA = 80.5
  /// Absolute refractory period in ms.
  public var refractoryMs = 0.0
  /// Excitatory synaptic current time constant in ms.
  public var tauSynapticExcitatoryMs = 5.0
  /// Inhibitory synaptic current time constant in ms.
  public var tauSynapticInhibitoryMs = 10.0
  /// Constant bias current in pA.
  public var biasCurrentPA = 0.0
  /// Whether synaptic input is a current (pA) or a conductance (nS).
  public var synapseType = AdExSynapseType.current
  /// Time course of the synaptic variable (`alpha` needs conductance synapses).
  public var synapseShape = SynapseShape.exponential
  /// E_e in mV: excitatory reversal potential (conductance synapses).
  public var excitatoryReversalMV = 0.0
  /// E_i in mV: inhibitory reversal potential (conductance synapses).
  public var inhibitoryReversalMV = -80.0

  /// Brette & Gerstner 2005's defaults (the table above).
  public init() {}

  /// The cap on the exponent argument `(V − V_T)/Δ_T` (see Numerics).
  public static let exponentCap = 50.0

  /// Every broken rule (all-or-nothing validation: nothing is applied by this check).
  public func violations() -> [ParameterViolation] {
    var out = requirePositive([
      ("c_m_pF", capacitancePF), ("g_leak_nS", leakConductanceNS), ("tau_w_ms", tauAdaptationMs),
      ("tau_syn_e_ms", tauSynapticExcitatoryMs), ("tau_syn_i_ms", tauSynapticInhibitoryMs),
    ])
    if !(slopeFactorMV > 0) || !slopeFactorMV.isFinite {
      out.append(
        .init(
          key: "delta_t_mV",
          message:
            "must be > 0 mV (the sharpness of spike initiation; a LIF is the limit Δ_T → 0), got \(slopeFactorMV)"
        ))
    }
    out += requireFinite([
      ("v_rest_mV", restingPotentialMV), ("v_t_mV", exponentialThresholdMV), ("v_peak_mV", peakMV),
      ("v_reset_mV", resetMV), ("a_nS", subthresholdAdaptationNS), ("b_pA", spikeAdaptationPA),
      ("i_bias_pA", biasCurrentPA), ("e_rev_e_mV", excitatoryReversalMV), ("e_rev_i_mV", inhibitoryReversalMV),
    ])
    if synapseType == .current && synapseShape == .alpha {
      out.append(
        .init(
          key: "synapse_shape",
          message:
            "alpha needs synapse_type: conductance (the current-based adex has exponential synaptic currents)"))
    }
    if !(refractoryMs >= 0) || !refractoryMs.isFinite {
      out.append(.init(key: "tau_ref_ms", message: "must be ≥ 0 ms, got \(refractoryMs)"))
    }
    if resetMV >= peakMV {
      out.append(.init(key: "v_reset_mV", message: "(\(resetMV) mV) must be below v_peak_mV (\(peakMV) mV)"))
    }
    if exponentialThresholdMV >= peakMV {
      out.append(
        .init(
          key: "v_t_mV",
          message: "(\(exponentialThresholdMV) mV) must be below v_peak_mV (\(peakMV) mV): the upswing starts at V_T"))
    }
    return out
  }

  /// The smallest time constant, for the "dt larger than a time constant" warning.
  public var shortestTimeConstantMs: Double? {
    [capacitancePF / leakConductanceNS, tauAdaptationMs, tauSynapticExcitatoryMs, tauSynapticInhibitoryMs].filter {
      $0 > 0
    }.min()
  }
}

/// How a spike acts on an `adex` neuron (`synapse_type:` in its `params`).
public enum AdExSynapseType: String, Sendable, Equatable, CaseIterable {
  /// A jump of the synaptic current `s_e`/`s_i` in pA (the default).
  case current
  /// A conductance in nS with reversal potentials E_e, E_i (NEST's `aeif_cond_exp`/`aeif_cond_alpha`).
  case conductance
}
