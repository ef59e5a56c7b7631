/// A population of independent Poisson spike sources (`poisson`).
///
/// In each step `[t, t + dt)` source `k` emits a Poisson-distributed number of spikes with mean
/// `rate_k(t)·dt` (so rates above `1/dt` are represented faithfully, as NEST's `poisson_generator`
/// does with spike multiplicity); all of them are stamped at `t`. The rate is a step function of
/// time: `schedule` lists (start time, rates) pairs, each in force until the next one starts.
/// Draws come from the counter-based stream keyed by (seed, population, neuron, step).
public struct PoissonSourceParameters: Sendable, Equatable {
  /// One segment of the rate schedule: from `startMs` on, these rates in Hz (one value for all
  /// neurons, or one per neuron).
  public struct Segment: Sendable, Equatable {
    /// Start of the segment in ms.
    public var startMs: Double
    /// One rate in Hz for every neuron, or one per neuron.
    public var ratesHz: [Double]
    /// Creates a segment.
    public init(startMs: Double, ratesHz: [Double]) {
      self.startMs = startMs
      self.ratesHz = ratesHz
    }
  }

  /// The schedule, sorted by start time; the first segment starts at 0 ms.
  public var schedule: [Segment]

  /// Creates a source with a schedule of rate segments.
  public init(schedule: [Segment]) { self.schedule = schedule }

  /// A constant rate for all neurons.
  public init(rateHz: Double) { self.schedule = [Segment(startMs: 0, ratesHz: [rateHz])] }

  /// Every broken rule for a population of `size` neurons.
  public func violations(size: Int) -> [ParameterViolation] {
    var out: [ParameterViolation] = []
    if schedule.isEmpty { out.append(.init(key: "rate_Hz", message: "is missing")) }
    for (i, seg) in schedule.enumerated() {
      let key = schedule.count == 1 ? "rate_Hz" : "schedule[\(i)]"
      if seg.ratesHz.count != 1 && seg.ratesHz.count != size {
        out.append(
          .init(
            key: key,
            message: "has \(seg.ratesHz.count) rates; give one for all or one per neuron (\(size))"))
      }
      if let bad = seg.ratesHz.first(where: { !($0 >= 0) || !$0.isFinite }) {
        out.append(.init(key: key, message: "rates must be finite and ≥ 0 Hz, got \(bad)"))
      }
      if i == 0 && seg.startMs != 0 {
        out.append(.init(key: key, message: "the first segment must start at 0 ms"))
      }
      if i > 0 && !(seg.startMs > schedule[i - 1].startMs) {
        out.append(.init(key: key, message: "start_ms must increase from segment to segment"))
      }
    }
    return out
  }
}
