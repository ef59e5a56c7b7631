import Foundation

/// Short-term plasticity of Tsodyks & Markram (`short_term: {model: tsodyks_markram, …}` on a
/// projection): each spike of a source neuron delivers `w·u·x` instead of `w`, where x is the
/// fraction of resources available and u their utilisation.
///
/// ## Equations (the event-driven form of NEST's `tsodyks2_synapse` and PyNN's
/// `TsodyksMarkramSynapse`)
/// For spike n + 1 of a source, Δ after spike n:
///
///     x ← 1 + (x − u·x − 1)·e^(−Δ/τ_rec)        (recovery of what spike n used)
///     u ← U + u·(1 − U)·e^(−Δ/τ_facil)           (facilitation; u = U when τ_facil = 0)
///     delivered weight = w·u·x
///
/// starting from `u0` and `x0` (defaults U and 1) before the first spike, which delivers
/// `w·u0·x0`. Depression alone: τ_facil = 0; facilitation: large τ_facil and small U. The state
/// depends only on the source's spike times, so with one parameter set per projection it is kept
/// per source neuron, not per synapse: no extra bytes per synapse.
///
/// ## Parameters (keys under `short_term:`)
/// | key | Swift name | default | meaning |
/// |---|---|---|---|
/// | `model` | — | required | `tsodyks_markram` |
/// | `U` | `utilization` | 0.5 | U, the increment of u per spike, in (0, 1] |
/// | `tau_rec_ms` | `tauRecoveryMs` | 800 | recovery time constant of x |
/// | `tau_facil_ms` | `tauFacilitationMs` | 0 | decay of u back to U (0: no facilitation) |
/// | `u0`, `x0` | `initialU`, `initialX` | U, 1 | state before the first spike |
///
/// ## References
/// 1. Tsodyks MV, Markram H (1997) The neural code between neocortical pyramidal neurons depends
///    on neurotransmitter release probability. PNAS 94:719–723.
/// 2. Markram H, Wang Y, Tsodyks M (1998) Differential signaling via the same axon of neocortical
///    pyramidal neurons. PNAS 95:5323–5328.
/// 3. Fuhrmann G, Segev I, Markram H, Tsodyks M (2002) Coding of temporal information by
///    activity-dependent synapses. J Neurophysiol 87:140–148 (the update above, as NEST's
///    `tsodyks2_synapse` implements it).
public struct TsodyksMarkramParameters: Sendable, Equatable {
  /// U.
  public var utilization = 0.5
  /// τ_rec in ms.
  public var tauRecoveryMs = 800.0
  /// τ_facil in ms (0: none).
  public var tauFacilitationMs = 0.0
  /// u before the first spike; nil for U.
  public var initialU: Double?
  /// x before the first spike.
  public var initialX = 1.0

  /// Creates parameters with the defaults above.
  public init() {}

  /// The state `(u, x)` at a spike that follows one at state `(u, x)` by `elapsedMs`; the spike
  /// delivers `w·u·x` of the returned state.
  @inline(__always)
  public func next(u: Double, x: Double, elapsedMs: Double) -> (u: Double, x: Double) {
    let xDecay = exp(-elapsedMs / tauRecoveryMs)
    let uDecay = tauFacilitationMs > 0 ? exp(-elapsedMs / tauFacilitationMs) : 0
    return (utilization + u * (1 - utilization) * uDecay, 1 + (x - u * x - 1) * xDecay)
  }

  /// Every broken rule (keys relative to `short_term`).
  public func violations() -> [ParameterViolation] {
    var out: [ParameterViolation] = []
    if !(utilization > 0 && utilization <= 1) {
      out.append(.init(key: "U", message: "must be in (0, 1], got \(utilization)"))
    }
    out += requirePositive([("tau_rec_ms", tauRecoveryMs)])
    out += requireNonNegative([("tau_facil_ms", tauFacilitationMs)])
    if let u = initialU, !(u >= 0 && u <= 1) { out.append(.init(key: "u0", message: "must be in [0, 1], got \(u)")) }
    if !(initialX >= 0 && initialX <= 1) {
      out.append(.init(key: "x0", message: "must be in [0, 1], got \(initialX)"))
    }
    return out
  }
}
