/// Dendritic plateau potentials of a BTSP projection's target neurons (`plateaus:` under
/// `plasticity:`): scheduled (neuron, time) pairs, a Poisson process per neuron (`rate_Hz`), and/or
/// one Bernoulli draw per neuron every `period_ms` (`probability`: Wu & Maass's "plateau with
/// probability f_q per memory item", with items presented every period).
///
/// A plateau of neuron i starting at t lasts `durationMs`. A stochastic plateau cannot start while
/// one is in progress (draws during a plateau are ignored) and only in [start_ms, stop_ms);
/// scheduled plateaus always start, extending a plateau in progress. Draws are keyed by (neuron,
/// step), so they do not depend on anything else in the run. Plateaus are recorded under
/// `/plateaus/<projection>` in the results file.
public struct PlateauSchedule: Sendable, Equatable {
  /// Plateau duration in ms (Bittner et al. 2017: about 300 ms).
  public var durationMs = 300.0
  /// Scheduled plateaus: target neuron and start time in ms.
  public var scheduled: [(neuron: Int, timeMs: Double)] = []
  /// Rate of stochastic plateaus per neuron in Hz (Milstein et al. 2021's network model: 0.0075
  /// basal, 0.035 at reward); 0 for none.
  public var rateHz = 0.0

  /// Probability of a plateau per neuron at each period start (0 for none).
  public var probability = 0.0
  /// Period of the Bernoulli draws in ms (required when `probability` > 0).
  public var periodMs = 0.0
  /// Stochastic plateaus start at or after this time (ms); periods are counted from it.
  public var startMs = 0.0
  /// Stochastic plateaus start before this time (ms); nil for the end of the run.
  public var stopMs: Double?

  /// Creates a schedule.
  public init(durationMs: Double = 300, scheduled: [(neuron: Int, timeMs: Double)] = [], rateHz: Double = 0) {
    self.durationMs = durationMs
    self.scheduled = scheduled
    self.rateHz = rateHz
  }

  /// Equal when every field is (scheduled plateaus in the same order).
  public static func == (a: PlateauSchedule, b: PlateauSchedule) -> Bool {
    a.durationMs == b.durationMs && a.rateHz == b.rateHz && a.scheduled.count == b.scheduled.count
      && zip(a.scheduled, b.scheduled).allSatisfy { $0.neuron == $1.neuron && $0.timeMs == $1.timeMs }
      && a.probability == b.probability && a.periodMs == b.periodMs && a.startMs == b.startMs && a.stopMs == b.stopMs
  }

  /// Every broken rule, keys relative to `plasticity.plateaus`, for a target of `targetSize` neurons.
  public func violations(targetSize: Int) -> [ParameterViolation] {
    var out = requirePositive([("duration_ms", durationMs)])
    if !(rateHz >= 0) || !rateHz.isFinite {
      out.append(.init(key: "rate_Hz", message: "must be ≥ 0 and finite, got \(rateHz)"))
    }
    if let bad = scheduled.first(where: { !(0..<targetSize).contains($0.neuron) }) {
      out.append(
        .init(key: "neurons", message: "neuron \(bad.neuron) is outside the target population (0..<\(targetSize))"))
    }
    if !(probability >= 0 && probability <= 1) {
      out.append(.init(key: "probability", message: "must be in [0, 1], got \(probability)"))
    }
    if probability > 0 && !(periodMs > 0 && periodMs.isFinite) {
      out.append(.init(key: "period_ms", message: "must be a positive time when probability is given, got \(periodMs)"))
    }
    if !(startMs >= 0) || !startMs.isFinite {
      out.append(.init(key: "start_ms", message: "must be finite and ≥ 0, got \(startMs)"))
    }
    if let stop = stopMs, !(stop > startMs) {
      out.append(.init(key: "stop_ms", message: "(\(stop)) must be after start_ms (\(startMs))"))
    }
    if let bad = scheduled.first(where: { !($0.timeMs >= 0) || !$0.timeMs.isFinite }) {
      out.append(.init(key: "times_ms", message: "plateau times must be finite and ≥ 0, got \(bad.timeMs)"))
    }
    return out
  }
}
