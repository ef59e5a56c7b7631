/// A population that emits given spike times (`spike_source`).
///
/// Each time is rounded to the nearest step; a spike at time `t` is stamped `t` on the grid and
/// arrives at its targets after the projection's delay.
public struct SpikeSourceParameters: Sendable, Equatable {
  /// Spike times in ms, one list per neuron (neuron index = position).
  public var spikeTimesMs: [[Double]]

  /// Creates a source from per-neuron spike times.
  public init(spikeTimesMs: [[Double]]) { self.spikeTimesMs = spikeTimesMs }

  /// Every broken rule for a population of `size` neurons and a run of `durationMs`.
  public func violations(size: Int) -> [ParameterViolation] {
    var out: [ParameterViolation] = []
    if spikeTimesMs.count != size {
      out.append(
        .init(
          key: "spike_times_ms",
          message: "has \(spikeTimesMs.count) lists but the population has \(size) neurons"))
    }
    for (i, times) in spikeTimesMs.enumerated() {
      if let bad = times.first(where: { !($0 >= 0) || !$0.isFinite }) {
        out.append(
          .init(key: "spike_times_ms[\(i)]", message: "times must be finite and ≥ 0 ms, got \(bad)"))
      }
    }
    return out
  }
}
