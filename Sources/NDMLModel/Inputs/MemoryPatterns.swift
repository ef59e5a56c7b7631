import Foundation

/// Sparse binary memory items presented as synchronous volleys (`memory_patterns`), for
/// content-addressable-memory experiments (Wu & Maass 2025).
///
/// Item μ (0 ≤ μ < `patterns`) is a random binary vector over the population: each neuron is in
/// it independently with probability `density` (f_p), drawn from the stream
/// `patterns/<population>` keyed by μ, so items do not depend on anything else in the run.
///
/// * Storage: item μ is presented at `t = start + μ·period`: each of its neurons fires once.
/// * Recall (when `recall_patterns` K > 0): test item k (0 ≤ k < K) is item ⌊k·M/K⌋ (spread over
///   all ages); it is presented whole at `t_k = recall_start + 2k·recall_period` and as a cue at
///   `t_k + recall_period`: the item without exactly ⌊count·mask_fraction⌋ of its neurons, chosen at
///   random (stream `pattern-masks/<population>`). Defaults: recall starts one period after the
///   last item, with the storage period.
public struct MemoryPatternParameters: Sendable, Equatable {
  /// Number of items stored, M.
  public var patterns = 0
  /// Probability that a neuron is in an item, f_p.
  public var density = 0.005
  /// Time between stored items in ms.
  public var periodMs = 10.0
  /// Time of the first item in ms.
  public var startMs = 0.0
  /// Number of test items, K.
  public var recallPatterns = 0
  /// Fraction of an item's neurons left out of its cue.
  public var maskFraction = 0.33
  /// Time of the first test presentation in ms; nil for one period after the last item.
  public var recallStartMs: Double?
  /// Time between test presentations in ms; nil for `periodMs`.
  public var recallPeriodMs: Double?

  /// Creates an empty schedule.
  public init() {}

  /// Time of the first test presentation.
  public var effectiveRecallStartMs: Double { recallStartMs ?? startMs + Double(patterns) * periodMs }
  /// Time between test presentations.
  public var effectiveRecallPeriodMs: Double { recallPeriodMs ?? periodMs }
  /// Item index of test item `k`.
  public func testedPattern(_ k: Int) -> Int { recallPatterns == 0 ? 0 : k * patterns / recallPatterns }
  /// Time of the whole presentation of test item `k`; its cue follows one recall period later.
  public func recallTimeMs(_ k: Int) -> Double { effectiveRecallStartMs + Double(2 * k) * effectiveRecallPeriodMs }

  /// Every broken rule.
  public func violations() -> [ParameterViolation] {
    var out = requirePositive([("period_ms", periodMs)])
    if patterns < 0 { out.append(.init(key: "patterns", message: "must be ≥ 0, got \(patterns)")) }
    if !(density > 0 && density <= 1) {
      out.append(.init(key: "density", message: "must be in (0, 1], got \(density)"))
    }
    if recallPatterns < 0 || recallPatterns > max(patterns, 0) {
      out.append(
        .init(key: "recall_patterns", message: "must be between 0 and patterns (\(patterns)), got \(recallPatterns)"))
    }
    if !(maskFraction >= 0 && maskFraction <= 1) {
      out.append(.init(key: "mask_fraction", message: "must be in [0, 1], got \(maskFraction)"))
    }
    out += requireFinite([("start_ms", startMs)])
    if startMs < 0 { out.append(.init(key: "start_ms", message: "must be ≥ 0, got \(startMs)")) }
    if let p = recallPeriodMs { out += requirePositive([("recall_period_ms", p)]) }
    if let s = recallStartMs, !(s >= 0) || !s.isFinite {
      out.append(.init(key: "recall_start_ms", message: "must be finite and ≥ 0, got \(s)"))
    }
    return out
  }
}
