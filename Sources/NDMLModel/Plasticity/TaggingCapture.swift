import Foundation

/// Synaptic tagging and capture (`stc`): calcium-driven early phase, tag, protein synthesis and
/// late phase of Luboeinski & Tetzlaff (2021), built on Clopath et al. (2008), Li et al. (2016)
/// and the calcium rule of Graupner & Brunel (2012).
///
/// ## Equations
/// Per synapse (source j → target i): calcium c, early weight h (mV), late weight z
/// (dimensionless); per target neuron: protein p.
///
/// * Calcium: `dc/dt = −c/τ_c + c_pre·Σ δ(t − t_arr − D) + c_post·Σ δ(t − t_post)`, where t_arr is a
///   presynaptic spike's arrival at the synapse (emission + the projection's delay) and t_post a
///   spike of the target.
/// * Early phase: `τ_h dh/dt = 0.1(h₀ − h) + γ_p(h_max − h)Θ[c − θ_p] − γ_d·h·Θ[c − θ_d] + ξ`,
///   with white noise ξ of intensity `√τ_h·σ_pl·√(Θ[c − θ_p] + Θ[c − θ_d])` (the authors' code:
///   the variance doubles above θ_p; no noise below θ_d).
/// * Tag: `+1` when `h − h₀ ≥ θ_tag`, `−1` when `h₀ − h ≥ θ_tag`, else 0.
/// * Protein: `τ_p dp/dt = −p + α·Θ[Σ_k |h_k − h₀| − θ_pro]` with Θ(0) = 1 (as the authors' code
///   compares, ≥), the sum over the target's synapses **of this projection** (NDML's choice: each
///   `stc` projection keeps its own protein per target neuron; put synapse groups that share
///   proteins into one projection).
/// * Late phase: `τ_z dz/dt = p·f_int·[(1 − z)·Θ(tag = +1) − (z + 0.5)·Θ(tag = −1)]`.
/// * Expressed weight (written into the synapse table, mV onto `lif_cuba`/`alif`):
///   `w = h + h₀·z`.
///
/// ## Numerics (NDML's choices)
/// * **Early phase, exact and event-driven.** Between calcium jumps c is one decaying exponential,
///   so it stays above θ for `τ_c·ln(c/θ)`; in each of the three phases (c ≥ θ_p, θ_d ≤ c < θ_p,
///   c < θ_d) h relaxes exponentially to a fixed point, which is solved exactly. A synapse is
///   advanced only when an event touches it (its delayed presynaptic calcium jump, a spike of its
///   target) and at every tick of the slow clock. The calcium delay D is continuous (not rounded to
///   the step). The table weight is rewritten at every touch, so transmission sees h changing
///   during stimulation (with at most one inter-spike interval of lag).
/// * **Slow part on the process's clock** (`clock`, default `calcium` = 500 ms): at each tick every
///   synapse is advanced to the tick time, p and z are advanced exactly over the elapsed interval
///   with the protein drive and the tags of the tick before held (Lie splitting, first order in
///   the clock period): `p ← αD + (p − αD)e^(−Δ/τ_p)`, and with `P = ∫p dt` over the interval
///   `z ← 1 − (1 − z)·e^(−f_int·P/τ_z)` (tag +1) or `z ← −0.5 + (z + 0.5)·e^(−f_int·P/τ_z)`
///   (tag −1). Then the new tags and drives are computed and `w` is written. The 500 ms default
///   keeps the splitting error of order Δ/τ_p ≈ 1.4·10⁻⁴ while costing one pass over the synapses
///   per 2500 steps of 0.2 ms.
/// * **Plasticity noise off by default** (`sigma_mV: 0`; the authors' value is 2.90436 mV). With
///   σ_pl > 0 each noisy phase adds the exact Ornstein–Uhlenbeck increment
///   `√(B·(1 − e^(−2kΔ))/(2k))·N(0, 1)`, `B = 2σ²/τ_h` above θ_p and `σ²/τ_h` between θ_d and θ_p;
///   the normals come from a counter-based stream keyed by (seed, projection), the synapse and
///   the synapse's count of noisy advances, so runs stay reproducible and independent of the
///   thread count. The `early` trace between a synapse's events shows the noise-free course.
/// * Initial state: h = the initial weight, z = 0, p = 0, c = 0.
///
/// ## Parameters (config keys under `plasticity:` of a projection; defaults = the authors' code)
/// | key              | Swift name        | default     | meaning |
/// |------------------|-------------------|-------------|---------|
/// | `rule`           | —                 | —           | `stc` |
/// | `tau_c_ms`       | `tauCalciumMs`    | 48.8 ms     | calcium time constant τ_c (> 0) |
/// | `c_pre`          | `calciumPre`      | 1.0         | calcium jump per presynaptic spike (≥ 0) |
/// | `c_post`         | `calciumPost`     | 0.2758      | calcium jump per postsynaptic spike (≥ 0) |
/// | `calcium_delay_ms` | `calciumDelayMs` | 18.8 ms    | delay D of the presynaptic calcium jump after arrival (≥ 0) |
/// | `tau_h_s`        | `tauEarlyS`       | 688.4 s     | early-phase time constant τ_h (> 0) |
/// | `h0_mV`          | `h0`              | 4.20075 mV  | resting early weight h₀ (> 0) |
/// | `h_max_mV`       | `hMax`            | 10 mV       | potentiation target of h (> h₀) |
/// | `gamma_p`        | `gammaP`          | 1645.6      | potentiation rate γ_p (≥ 0) |
/// | `gamma_d`        | `gammaD`          | 313.1       | depression rate γ_d (≥ 0) |
/// | `theta_p`        | `thetaP`          | 3.0         | potentiation threshold θ_p (> θ_d) |
/// | `theta_d`        | `thetaD`          | 1.2         | depression threshold θ_d (> 0) |
/// | `theta_tag_mV`   | `thetaTag`        | 0.840149 mV | tagging threshold θ_tag = 0.2 h₀ (> 0) |
/// | `theta_pro_mV`   | `thetaPro`        | 2.10037 mV  | protein-synthesis threshold θ_pro = 0.5 h₀ (≥ 0) |
/// | `sigma_mV`       | `sigma`           | 0 mV        | plasticity noise σ_pl (≥ 0; the authors use 2.90436) |
/// | `tau_p_s`        | `tauProteinS`     | 3600 s      | protein time constant τ_p (> 0) |
/// | `alpha`          | `alpha`           | 10          | protein synthesis amplitude α = p_max (≥ 0; 0 blocks synthesis) |
/// | `tau_z_s`        | `tauLateS`        | 3600 s      | late-phase time constant τ_z (> 0) |
/// | `f_int`          | `fInt`            | 0.1         | protein-to-late-phase factor f_int (≥ 0) |
/// | `clock` / `clock_ms` | `clock`       | `calcium`   | the slow clock (a timescale or a period; a whole multiple of `dt_ms`) |
///
/// α = 10 with f_int = 0.1 are the Arbor mechanisms' values (maximal late-phase rate 1/τ_z); the
/// C++ code's α = 1 without f_int is equivalent. c_pre/c_post are the single-synapse values (the
/// authors' network uses 0.6 / 0.16548). The target must be `lif_cuba` or `alif` (weights in mV)
/// through an excitatory receptor.
///
/// ## References
/// 1. Luboeinski J, Tetzlaff C (2021) Memory consolidation and improvement by synaptic tagging and
///    capture in recurrent neural networks. Commun Biol 4:275. doi:10.1038/s42003-021-01778-y
///    (code: github.com/jlubo/memory-consolidation-stc, jlubo/arbor_network_consolidation)
/// 2. Clopath C, Ziegler L, Vasilaki E, Büsing L, Gerstner W (2008) Tag-trigger-consolidation: a
///    model of early and late long-term-potentiation and depression. PLoS Comput Biol 4:e1000248.
/// 3. Li Y, Kulvicius T, Tetzlaff C (2016) Induction and consolidation of calcium-based homo- and
///    heterosynaptic potentiation and depression. PLoS One 11:e0161679.
/// 4. Graupner M, Brunel N (2012) Calcium-based plasticity model explains sensitivity of synaptic
///    changes to spike pattern, rate, and dendritic location. PNAS 109:3991–3996.
/// 5. Frey U, Morris RGM (1997) Synaptic tagging and long-term potentiation. Nature 385:533–536.
public struct TaggingCaptureParameters: Sendable, Equatable {
  /// Calcium time constant τ_c in ms.
  public var tauCalciumMs = 48.8
  /// Calcium jump per presynaptic spike.
  public var calciumPre = 1.0
  /// Calcium jump per postsynaptic spike.
  public var calciumPost = 0.2758
  /// Delay D of the presynaptic calcium jump after the spike's arrival, in ms.
  public var calciumDelayMs = 18.8
  /// Early-phase time constant τ_h in s.
  public var tauEarlyS = 688.4
  /// Resting early weight h₀ in mV.
  public var h0 = 4.20075
  /// Potentiation target of the early weight in mV.
  public var hMax = 10.0
  /// Potentiation rate γ_p.
  public var gammaP = 1645.6
  /// Depression rate γ_d.
  public var gammaD = 313.1
  /// Potentiation threshold θ_p of calcium.
  public var thetaP = 3.0
  /// Depression threshold θ_d of calcium.
  public var thetaD = 1.2
  /// Tagging threshold θ_tag in mV.
  public var thetaTag = 0.840149
  /// Protein-synthesis threshold θ_pro in mV.
  public var thetaPro = 2.10037
  /// Plasticity noise σ_pl in mV (0: deterministic).
  public var sigma = 0.0
  /// Protein time constant τ_p in s.
  public var tauProteinS = 3600.0
  /// Protein synthesis amplitude α.
  public var alpha = 10.0
  /// Late-phase time constant τ_z in s.
  public var tauLateS = 3600.0
  /// Protein-to-late-phase factor f_int.
  public var fInt = 0.1
  /// The slow clock of tags, protein and late phase.
  public var clock = SlowClock.named("calcium")

  /// The defaults above.
  public init() {}

  /// The (lowest, highest) expressed weight `h + h₀·z` can reach: h ∈ [0, h_max], z ∈ [−0.5, 1].
  public var weightRange: ClosedRange<Double> {
    let hi = max(hMax, h0) + h0
    return min(0, -0.5 * h0)...max(hi, 0)
  }

  /// Every broken rule, keys relative to `plasticity` (clock and target checked by the experiment).
  public func violations() -> [ParameterViolation] {
    var out = requirePositive([
      ("tau_c_ms", tauCalciumMs), ("tau_h_s", tauEarlyS), ("tau_p_s", tauProteinS), ("tau_z_s", tauLateS),
      ("h0_mV", h0), ("theta_d", thetaD), ("theta_tag_mV", thetaTag),
    ])
    out += requireNonNegative([
      ("c_pre", calciumPre), ("c_post", calciumPost), ("calcium_delay_ms", calciumDelayMs), ("gamma_p", gammaP),
      ("gamma_d", gammaD), ("theta_pro_mV", thetaPro), ("alpha", alpha), ("f_int", fInt), ("sigma_mV", sigma),
    ])
    out += requireFinite([("h_max_mV", hMax), ("theta_p", thetaP)])
    if !(thetaP > thetaD) {
      out.append(
        .init(key: "theta_p", message: "(\(thetaP)) must be above theta_d (\(thetaD)): potentiation needs more calcium")
      )
    }
    if !(hMax > h0) {
      out.append(.init(key: "h_max_mV", message: "(\(hMax)) must be above h0_mV (\(h0))"))
    }
    return out
  }
}
