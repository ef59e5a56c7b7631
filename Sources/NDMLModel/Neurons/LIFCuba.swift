/// Current-based leaky integrate-and-fire neuron with exponential synaptic variables (`lif_cuba`).
///
/// ## Equations
/// Subthreshold, with voltage-like synaptic variables `s_e`, `s_i` in mV (Brian2's CUBA example and
/// Brette et al. 2007, benchmark 2) and an injected current `I` in pA:
///
///     τ_m dv/dt   = (E_L − v) + s_e + s_i + R·I,      R = τ_m / C_m
///     τ_e ds_e/dt = −s_e,     τ_i ds_i/dt = −s_i
///
/// A presynaptic spike arriving at time t adds its weight (mV) to `s_e` (excitatory receptor,
/// weight ≥ 0) or `s_i` (inhibitory receptor, weight ≤ 0).
///
/// With `synapse_shape: alpha` (PyNN's `IF_curr_alpha`, NEST's `iaf_psc_alpha`) each receptor
/// instead has an alpha-shaped `s_x`, two linear variables per receptor:
///
///     τ_x ds_x/dt = −s_x + τ_x·y_x,     τ_x dy_x/dt = −y_x
///
/// and a spike of weight `w` adds `w·e/τ_x` to `y_x`, so that `s_x(t) = w·(t/τ_x)·e^(1−t/τ_x)`: it
/// rises from 0 and peaks at `w` one time constant after arrival (NEST's normalisation: there the
/// PSC `I = s/R` peaks at the weight in pA, so NEST's weight is `w·C_m/τ_m`).
///
/// When `v` crosses `v_thresh` upward the neuron spikes, `v` is set to `v_reset` and held there
/// for `tau_ref` (absolute refractory period); the synaptic variables keep evolving during
/// refractoriness.
///
/// ## Numerics
/// The subthreshold system is linear with constant coefficients between input events, so the CPU
/// kernel integrates it exactly with precomputed propagators (Rotter & Diesmann 1999): over a step
/// `h`, `v ← v∞ + (v − v∞)·e^(−h/τ_m) + s_e·P_e + s_i·P_i` with `v∞ = E_L + R·I` and
/// `P_x = τ_x/(τ_x − τ_m)·(e^(−h/τ_x) − e^(−h/τ_m))` (the limit `(h/τ_m)·e^(−h/τ_m)` when
/// `τ_x = τ_m`). A synaptic time constant of 0 makes that receptor a delta synapse (Brunel 2000,
/// NEST's `iaf_psc_delta`): the weight is a jump of `v` at arrival, i.e. `P11 = 0`, `P21 = P22` — the
/// τ_x → 0 limit of the same propagators. With alpha synapses the system stays linear and is
/// integrated exactly as well (as NEST's `iaf_psc_alpha`): `s_x ← s_x·P11x + y_x·h·P11x`,
/// `y_x ← y_x·P11x`, and `v` gains `y_x·P31x` with
/// `P31x = (e^(−h/τ_m)/τ_m)·∫₀ʰ u·e^(u(1/τ_m − 1/τ_x)) du` (the limit `h²·e^(−h/τ_m)/(2τ_m)` when
/// `τ_x = τ_m`); alpha synapses need `τ_x > 0`. The threshold is tested at the end of each step, so
/// a spike is stamped at the first grid time at or after the true crossing; the refractory period is
/// rounded to whole steps.
///
/// ## Parameters
/// | config key        | Swift name                 | default  | meaning |
/// |-------------------|----------------------------|----------|---------|
/// | `tau_m_ms`        | `tauMembraneMs`            | 20 ms    | membrane time constant τ_m (> 0) |
/// | `tau_syn_e_ms`    | `tauSynapticExcitatoryMs`  | 5 ms     | excitatory synaptic time constant τ_e (≥ 0; 0 = delta) |
/// | `tau_syn_i_ms`    | `tauSynapticInhibitoryMs`  | 10 ms    | inhibitory synaptic time constant τ_i (≥ 0; 0 = delta) |
/// | `v_rest_mV`       | `restingPotentialMV`       | −65 mV   | leak reversal E_L |
/// | `v_thresh_mV`     | `thresholdMV`              | −50 mV   | spike threshold |
/// | `v_reset_mV`      | `resetMV`                  | −65 mV   | reset potential (must be < threshold) |
/// | `tau_ref_ms`      | `refractoryMs`             | 2 ms     | absolute refractory period (≥ 0) |
/// | `c_m_pF`          | `capacitancePF`            | 250 pF   | membrane capacitance C_m (only scales currents) |
/// | `i_bias_pA`       | `biasCurrentPA`            | 0 pA     | constant bias current |
/// | `synapse_shape`   | `synapseShape`             | `exponential` | `exponential` or `alpha` (both receptors; alpha needs τ_x > 0) |
///
/// State: `v` (mV, config `init.v_mV`, default `v_rest`), `s_e`, `s_i` (mV, start at 0); with alpha
/// synapses also `y_e`, `y_i` (mV/ms, start at 0, not recordable).
///
/// ## References
/// 1. Rotter S, Diesmann M (1999) Exact digital simulation of time-invariant linear systems with
///    applications to neuronal modeling. Biol Cybern 81:381–402. doi:10.1007/s004220050570
/// 2. Brette R et al. (2007) Simulation of networks of spiking neurons: a review of tools and
///    strategies. J Comput Neurosci 23:349–398. doi:10.1007/s10827-007-0038-6
/// 3. Brunel N (2000) Dynamics of sparsely connected networks of excitatory and inhibitory spiking
///    neurons. J Comput Neurosci 8:183–208. doi:10.1023/A:1008925309027
/// 4. Vogels TP, Abbott LF (2005) Signal propagation and logic gating in networks of
///    integrate-and-fire neurons. J Neurosci 25:10786–10795. doi:10.1523/JNEUROSCI.3508-05.2005
/// 5. NEST's `iaf_psc_alpha` (alpha PSCs, exact integration) and PyNN's `IF_curr_alpha`; Gewaltig
///    M-O, Diesmann M (2007) NEST (NEural Simulation Tool). Scholarpedia 2:1430.
///    doi:10.4249/scholarpedia.1430
public struct LIFCubaParameters: Sendable, Equatable {
  /// Membrane time constant τ_m in ms.
  public var tauMembraneMs = 20.0
  /// Excitatory synaptic time constant τ_e in ms.
  public var tauSynapticExcitatoryMs = 5.0
  /// Inhibitory synaptic time constant τ_i in ms.
  public var tauSynapticInhibitoryMs = 10.0
  /// Leak reversal (resting) potential E_L in mV.
  public var restingPotentialMV = -65.0
  /// Spike threshold in mV.
  public var thresholdMV = -50.0
  /// Reset potential in mV.
  public var resetMV = -65.0
  /// Absolute refractory period in ms.
  public var refractoryMs = 2.0
  /// Membrane capacitance in pF; converts currents to voltage drive (R = τ_m / C_m).
  public var capacitancePF = 250.0
  /// Constant bias current in pA.
  public var biasCurrentPA = 0.0
  /// Time course of both receptors' synaptic variables.
  public var synapseShape = SynapseShape.exponential

  /// The defaults of the table above.
  public init() {}

  /// Membrane resistance in MΩ (τ_m / C_m; ms/pF = GΩ, hence the factor 1000).
  public var resistanceMOhm: Double { 1000 * tauMembraneMs / capacitancePF }

  /// Every broken rule (all-or-nothing validation: nothing is applied by this check).
  public func violations() -> [ParameterViolation] {
    var out = requirePositive([("tau_m_ms", tauMembraneMs), ("c_m_pF", capacitancePF)])
    for (key, tau) in [("tau_syn_e_ms", tauSynapticExcitatoryMs), ("tau_syn_i_ms", tauSynapticInhibitoryMs)]
    where !(tau >= 0) || !tau.isFinite {
      out.append(.init(key: key, message: "must be ≥ 0 ms (0 = delta synapse), got \(tau)"))
    }
    if synapseShape == .alpha {
      for (key, tau) in [("tau_syn_e_ms", tauSynapticExcitatoryMs), ("tau_syn_i_ms", tauSynapticInhibitoryMs)]
      where tau == 0 {
        out.append(
          .init(
            key: key,
            message: "must be > 0 ms with synapse_shape: alpha (0 = delta synapse exists only for exponential)"))
      }
    }
    out += requireFinite([
      ("v_rest_mV", restingPotentialMV), ("v_thresh_mV", thresholdMV), ("v_reset_mV", resetMV),
      ("i_bias_pA", biasCurrentPA),
    ])
    out += spikeResetViolations(thresholdMV: thresholdMV, resetMV: resetMV, refractoryMs: refractoryMs)
    return out
  }

  /// The smallest time constant, for the "dt larger than a time constant" warning.
  public var shortestTimeConstantMs: Double? {
    [tauMembraneMs, tauSynapticExcitatoryMs, tauSynapticInhibitoryMs].filter { $0 > 0 }.min()
  }
}
