/// Binary-synapse BTSP of Wu & Maass (2025) (`btsp_binary`): one-shot, plateau-gated, stochastic
/// plasticity of synapses that are either off (`w_min`) or on (`w_max`).
///
/// ## The rule
/// Plateaus of the target neurons come from ``PlateauSchedule`` (for the paper's discrete model:
/// `probability` per neuron every `period_ms`, one memory item presented per period), independent
/// of postsynaptic spikes. A synapse j → i is *eligible* for a plateau of i starting at t_p when a
/// spike of j arrives (emission + delay) within [t_p − window_before, t_p + window_after] — in the
/// paper, "input j is active during item μ" (x_j^μ = 1). Each eligible synapse changes once per
/// plateau:
///
/// * `update: set_reset` (default; the rule of the authors' feed-forward script, which produced the
///   published recall curves): each plateau draws one fair coin for its neuron; heads sets every
///   eligible synapse on, tails sets every one off. Each synapse ends on with probability ½,
///   whatever it was — the paper's "flip with probability ½", with the coin shared within the
///   neuron and plateau. Use `probability` = f_q.
/// * `update: flip`: every eligible synapse flips (on ↔ off), deterministically — the parity form of
///   the authors' theory and feedback model; there the plateau probability is f_q/2, so use
///   `probability` = f_q/2.
///
/// * `update: increment`: as `set_reset`, but heads adds `increment` to every eligible synapse and
///   tails subtracts it (clipped to [`w_min`, `w_max`]): BTSP as the ±Δ write of a continuous
///   synapse — what a consolidation chain (`consolidation:`, Benna & Fusi 2016) takes as its
///   input, where a set/reset would overwrite the chain's memory. An NDML choice, not the paper's.
///
/// A per-synapse coin is not offered: with the authors' recall threshold it does not recall (the
/// trace of a plateau neuron sums to Bin(K, ½), below threshold once a third of the cue is masked;
/// docs/plasticity-literature.md §1).
///
/// ## Timing and choices where the paper is silent
/// Windows are inclusive, at the resolution of one step, and use the last arrival of each source
/// before the plateau start (enough when items are further apart than the window). Arrivals up
/// to the end of the step in which the plateau starts count at its start; later arrivals within
/// `window_after` are applied when they arrive, once per synapse and plateau. A new plateau of a
/// neuron closes the previous one's window.
///
/// ## Parameters (config keys under `plasticity:`)
/// | key | Swift name | default | meaning |
/// |-----|------------|---------|---------|
/// | `w_min_<unit>`, `w_max_<unit>` | `weightMin`, `weightMax` | 0, required | off and on weights |
/// | `window_before_ms`, `window_after_ms` | `windowBeforeMs`, `windowAfterMs` | 0, 1 | eligibility window around the plateau start |
/// | `update` | `update` | `set_reset` | `set_reset`, `flip` or `increment` |
/// | `increment_<unit>` | `increment` | none (required by `increment`) | the step Δ of `update: increment` |
/// | `plateaus` | `plateaus` | none | ``PlateauSchedule`` |
///
/// ## References
/// 1. Wu Y, Maass W (2025) A simple model for Behavioral Time Scale Synaptic Plasticity (BTSP)
///    provides content addressable memory with binary synapses and one-shot learning. Nat Commun
///    16:342. doi:10.1038/s41467-024-55563-6. Code: github.com/yjwu17/simpleBTSP (commit dad8846).
public struct BinaryBTSPParameters: Sendable, Equatable {
  /// How an eligible synapse changes at a plateau.
  public enum Update: String, Sendable, CaseIterable {
    /// One coin per neuron and plateau: all eligible synapses on, or all off.
    case setReset = "set_reset"
    /// Every eligible synapse flips.
    case flip
    /// One coin per neuron and plateau: all eligible synapses +Δ, or all −Δ.
    case increment
  }

  /// The off weight.
  public var weightMin = 0.0
  /// The on weight.
  public var weightMax: Double
  /// Eligibility window before the plateau start, in ms.
  public var windowBeforeMs = 0.0
  /// Eligibility window after the plateau start, in ms.
  public var windowAfterMs = 1.0
  /// The update rule.
  public var update = Update.setReset
  /// The step of `update: increment`.
  public var increment: Double?
  /// The target neurons' plateaus.
  public var plateaus = PlateauSchedule(durationMs: 1)

  /// Creates parameters with the defaults above.
  public init(weightMax: Double) { self.weightMax = weightMax }

  /// Every broken rule, keys relative to `plasticity`, for a target of `targetSize` neurons.
  public func violations(unit: String, targetSize: Int) -> [ParameterViolation] {
    var out = requireFinite([("w_min_\(unit)", weightMin), ("w_max_\(unit)", weightMax)])
    out += requireNonNegative([("window_before_ms", windowBeforeMs), ("window_after_ms", windowAfterMs)])
    out += weightBoundViolations(weightMin, weightMax, unit: unit)
    switch (update, increment) {
    case (.increment, nil):
      out.append(.init(key: "increment_\(unit)", message: "is required by update: increment (the step Δ)"))
    case (.increment, let d?) where !(d > 0 && d.isFinite):
      out.append(.init(key: "increment_\(unit)", message: "must be a positive number, got \(d)"))
    case (.setReset, _?), (.flip, _?):
      out.append(.init(key: "increment_\(unit)", message: "applies to update: increment only"))
    default: break
    }
    out += plateaus.violations(targetSize: targetSize).map { .init(key: "plateaus." + $0.key, message: $0.message) }
    return out
  }
}
