import Foundation

/// Homeostatic synaptic scaling toward a target rate (van Rossum, Bi & Turrigiano 2000), the
/// `homeostasis:` block of a population.
///
/// ## Equations
/// Each neuron i of the population keeps an activity sensor ā_i (Hz), a leaky spike count:
///
///     τ_ā dā_i/dt = −ā_i + τ_ā Σ_k δ(t − t_i^k)        (ā jumps by 1/τ_ā at each spike)
///
/// and every excitatory synapse onto it is scaled multiplicatively:
///
///     dw_ij/dt = β · w_ij · (ν_target − ā_i)
///
/// β is dimensionless (its unit is 1/(Hz·s)). Scaling multiplies all of a neuron's incoming
/// weights by the same factor, so their ratios are preserved (Turrigiano et al. 1998's
/// multiplicative scaling); near the set point the rate relaxes to ν_target with a time constant
/// of about 1/(β·ν_target·γ), γ = d ln ν / d ln w of the neuron.
///
/// ## Numerics (multi-rate)
/// The sensor is event-driven and exact; its integral over time is accumulated exactly as well.
/// The weights are updated on the process's slow clock Δ (`clock`, default the `homeostatic`
/// timescale): at each tick every scaled weight is multiplied by
/// `exp(β · (ν_target·Δ − ∫ā dt))`, the exact solution for the sensor's actual course over the
/// tick with the weights held fixed within it (Lie splitting of the fast network and the slow
/// scaling). A coarse clock therefore loses nothing in the sensor, only the within-tick feedback
/// of the scaled weights on the rate; `clock_ms` equal to `dt_ms` gives the fine-step reference.
/// Weights of plastic projections stay within their rule's bounds.
///
/// ## Parameters (keys under `populations.<name>.homeostasis`)
/// | key | Swift name | default | meaning |
/// |---|---|---|---|
/// | `target_rate_Hz` | `targetRateHz` | required | set point ν_target (> 0) |
/// | `beta` | `beta` | required | scaling rate β (> 0, 1/(Hz·s)) |
/// | `tau_sensor_ms` | `tauSensorMs` | required | sensor time constant τ_ā (> 0) |
/// | `clock` / `clock_ms` | `clock` | `homeostatic` | update clock (see ``Timescales``) |
/// | `projections` | `projections` | all excitatory | the projections onto the population to scale |
/// | `initial_rate_Hz` | `initialRateHz` | `target_rate_Hz` | the sensor's starting value |
///
/// ## References
/// 1. van Rossum MCW, Bi GQ, Turrigiano GG (2000) Stable Hebbian learning from spike
///    timing-dependent plasticity. J Neurosci 20:8812–8821. doi:10.1523/JNEUROSCI.20-23-08812.2000
/// 2. Turrigiano GG, Leslie KR, Desai NS, Rutherford LC, Nelson SB (1998) Activity-dependent
///    scaling of quantal amplitude in neocortical neurons. Nature 391:892–896. doi:10.1038/36103
/// 3. Zenke F, Hennequin G, Gerstner W (2013) Synaptic plasticity in neural networks needs
///    homeostasis with a fast rate detector. PLoS Comput Biol 9:e1003330 (why `tau_sensor_ms` and the
///    clock may need to be far faster than the experimental hours when fast Hebbian plasticity is
///    on). doi:10.1371/journal.pcbi.1003330
public struct HomeostaticScalingParameters: Sendable, Equatable {
  /// The set point ν_target in Hz.
  public var targetRateHz: Double
  /// The scaling rate β (dimensionless: 1/(Hz·s)).
  public var beta: Double
  /// The sensor time constant τ_ā in ms.
  public var tauSensorMs: Double
  /// The update clock.
  public var clock = SlowClock.named("homeostatic")
  /// Names of the projections to scale; empty for every excitatory projection onto the population.
  public var projections: [String] = []
  /// The sensor's initial value in Hz; nil for the target rate.
  public var initialRateHz: Double?

  /// Creates parameters (the clock defaults to the `homeostatic` timescale).
  public init(targetRateHz: Double, beta: Double, tauSensorMs: Double) {
    self.targetRateHz = targetRateHz
    self.beta = beta
    self.tauSensorMs = tauSensorMs
  }

  /// Every broken rule of the numbers (keys relative to `homeostasis`); the clock and the projections
  /// are checked by the experiment, which knows dt and the network.
  public func violations() -> [ParameterViolation] {
    var out = requirePositive([("target_rate_Hz", targetRateHz), ("beta", beta), ("tau_sensor_ms", tauSensorMs)])
    if let r = initialRateHz, !(r >= 0) || !r.isFinite {
      out.append(.init(key: "initial_rate_Hz", message: "must be ≥ 0 and finite, got \(r)"))
    }
    return out
  }

  /// Whether the scaling applies to `projection` (one onto the population): a listed one, or every
  /// excitatory one when none are listed.
  public func scales(_ projection: Projection) -> Bool {
    projections.isEmpty ? projection.receptor == .excitatory : projections.contains(projection.name)
  }

  /// The largest factor by which one tick of `periodMs` can change a weight when the neuron is
  /// silent: `exp(β·ν_target·Δ)`.
  public func largestTickFactor(periodMs: Double) -> Double { exp(beta * targetRateHz * periodMs / 1000) }
}
