/// Conductance-based leaky integrate-and-fire neuron with exponential conductances (`lif_coba`).
///
/// ## Equations
/// As in the Vogels–Abbott network of Brette et al. 2007 (benchmark 1, "COBA"):
///
///     C_m dv/dt   = g_L (E_L − v) + g_e (E_e − v) + g_i (E_i − v) + I
///     τ_e dg_e/dt = −g_e,     τ_i dg_i/dt = −g_i
///
/// Conductances in nS, currents in pA. A presynaptic spike adds its weight (nS, ≥ 0) to `g_e` or
/// `g_i` by receptor.
///
/// With `synapse_shape: alpha` (PyNN's `IF_cond_alpha`, NEST's `iaf_cond_alpha`) each conductance
/// is alpha-shaped, two linear variables per receptor:
///
///     τ_x dg_x/dt = −g_x + τ_x·y_x,     τ_x dy_x/dt = −y_x
///
/// and a spike of weight `w` adds `w·e/τ_x` to `y_x`, so that `g_x(t) = w·(t/τ_x)·e^(1−t/τ_x)`,
/// peak `w` one time constant after arrival (NEST's normalisation).
///
/// Threshold, reset and absolute refractoriness as in `lif_cuba`: `v` is held at `v_reset` for
/// `tau_ref`, conductances keep decaying.
///
/// ## Numerics
/// The conductances decay exactly (`g ← g·e^(−h/τ)`). The membrane equation is bilinear in `v` and
/// `g`, so it has no closed-form propagator; the kernel uses exponential Euler, which freezes the
/// conductances over a step and integrates the then-linear equation exactly:
/// `v ← v∞ + (v − v∞)·e^(−h·g_tot/C_m)` with `g_tot = g_L + g_e + g_i` and
/// `v∞ = (g_L E_L + g_e E_e + g_i E_i + I)/g_tot`. Alpha conductances are linear and propagated
/// exactly (`g_x ← (g_x + h·y_x)·e^(−h/τ_x)`, `y_x ← y_x·e^(−h/τ_x)`); `v` uses the same exponential
/// Euler with `g` at the step's start (NEST's `iaf_cond_alpha` integrates all of it with an
/// adaptive Runge–Kutta–Fehlberg 4(5) instead). The exponential Euler error is first order in
/// `h`, like the forward Euler Brian2 picks for these equations by default, but it is
/// unconditionally stable and exact for constant conductances. On the COBA benchmark the two give the same rates within seed-to-seed
/// scatter (Brian2 over 5 seeds: 19.57 Hz Euler, 19.51 Hz exponential Euler).
///
/// ## Parameters
/// | config key         | Swift name                 | default | meaning |
/// |--------------------|----------------------------|---------|---------|
/// | `c_m_pF`           | `capacitancePF`            | 200 pF  | membrane capacitance (> 0) |
/// | `g_leak_nS`        | `leakConductanceNS`        | 10 nS   | leak conductance g_L (> 0); τ_m = C_m/g_L |
/// | `v_rest_mV`        | `restingPotentialMV`       | −60 mV  | leak reversal E_L |
/// | `e_rev_e_mV`       | `excitatoryReversalMV`     | 0 mV    | excitatory reversal E_e |
/// | `e_rev_i_mV`       | `inhibitoryReversalMV`     | −80 mV  | inhibitory reversal E_i |
/// | `tau_syn_e_ms`     | `tauSynapticExcitatoryMs`  | 5 ms    | excitatory conductance decay (> 0) |
/// | `tau_syn_i_ms`     | `tauSynapticInhibitoryMs`  | 10 ms   | inhibitory conductance decay (> 0) |
/// | `v_thresh_mV`      | `thresholdMV`              | −50 mV  | spike threshold |
/// | `v_reset_mV`       | `resetMV`                  | −60 mV  | reset potential (< threshold) |
/// | `tau_ref_ms`       | `refractoryMs`             | 5 ms    | absolute refractory period (≥ 0) |
/// | `i_bias_pA`        | `biasCurrentPA`            | 0 pA    | constant bias current |
/// | `synapse_shape`    | `synapseShape`             | `exponential` | `exponential` or `alpha` (both conductances) |
///
/// State: `v` (mV, `init.v_mV`, default `v_rest`), `g_e`, `g_i` (nS, `init.g_e_nS`, `init.g_i_nS`,
/// default 0); with alpha synapses also `y_e`, `y_i` (nS/ms, start at 0, not recordable).
///
/// ## References
/// 1. Vogels TP, Abbott LF (2005) J Neurosci 25:10786–10795. doi:10.1523/JNEUROSCI.3508-05.2005
/// 2. Brette R et al. (2007) J Comput Neurosci 23:349–398. doi:10.1007/s10827-007-0038-6
/// 3. NEST's `iaf_cond_alpha` and PyNN's `IF_cond_alpha` (alpha conductances).
public struct LIFCobaParameters: Sendable, Equatable {
  /// Membrane capacitance in pF.
  public var capacitancePF = 200.0
  /// Leak conductance in nS.
  public var leakConductanceNS = 10.0
  /// Leak reversal potential in mV.
  public var restingPotentialMV = -60.0
  /// Excitatory reversal potential in mV.
  public var excitatoryReversalMV = 0.0
  /// Inhibitory reversal potential in mV.
  public var inhibitoryReversalMV = -80.0
  /// Excitatory conductance time constant in ms.
  public var tauSynapticExcitatoryMs = 5.0
  /// Inhibitory conductance time constant in ms.
  public var tauSynapticInhibitoryMs = 10.0
  /// Spike threshold in mV.
  public var thresholdMV = -50.0
  /// Reset potential in mV.
  public var resetMV = -60.0
  /// Absolute refractory period in ms.
  public var refractoryMs = 5.0
  /// Constant bias current in pA.
  public var biasCurrentPA = 0.0
  /// Time course of both conductances.
  public var synapseShape = SynapseShape.exponential

  /// The defaults of the table above.
  public init() {}

  /// Membrane time constant C_m / g_L in ms (pF/nS = ms).
  public var tauMembraneMs: Double { capacitancePF / leakConductanceNS }

  /// Every broken rule (all-or-nothing validation: nothing is applied by this check).
  public func violations() -> [ParameterViolation] {
    var out = requirePositive([
      ("c_m_pF", capacitancePF), ("g_leak_nS", leakConductanceNS),
      ("tau_syn_e_ms", tauSynapticExcitatoryMs), ("tau_syn_i_ms", tauSynapticInhibitoryMs),
    ])
    out += requireFinite([
      ("v_rest_mV", restingPotentialMV), ("e_rev_e_mV", excitatoryReversalMV),
      ("e_rev_i_mV", inhibitoryReversalMV), ("v_thresh_mV", thresholdMV), ("v_reset_mV", resetMV),
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
