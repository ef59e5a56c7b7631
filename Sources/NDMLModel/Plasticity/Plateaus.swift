/// Dendritic plateau potentials of a BTSP projection's target neurons: scheduled (neuron, time)
/// pairs and/or a Poisson process per neuron (`plateaus:` under `plasticity:`).
///
/// A plateau of neuron i starting at t lasts `durationMs`; it drives the rule's instructive
/// signal over [t, t + duration). A stochastic plateau cannot start while one is in progress
/// (draws during a plateau are ignored); scheduled plateaus always start, extending a plateau in
/// progress. Plateaus are recorded under `/plateaus/<projection>` in the results file.
public struct PlateauSchedule: Sendable, Equatable {
  /// Plateau duration in ms (Bittner et al. 2017: about 300 ms).
  public var durationMs = 300.0
  /// Scheduled plateaus: target neuron and start time in ms.
  public var scheduled: [(neuron: Int, timeMs: Double)] = []
  /// Rate of stochastic plateaus per neuron in Hz (Milstein et al. 2021's network model: 0.0075
  /// basal, 0.035 at reward); 0 for none.
  public var rateHz = 0.0

  /// Creates a schedule.
  public init(durationMs: Double = 300, scheduled: [(neuron: Int, timeMs: Double)] = [], rateHz: Double = 0) {
    self.durationMs = durationMs
    self.scheduled = scheduled
    self.rateHz = rateHz
  }

  public static func == (a: PlateauSchedule, b: PlateauSchedule) -> Bool {
    a.durationMs == b.durationMs && a.rateHz == b.rateHz && a.scheduled.count == b.scheduled.count
      && zip(a.scheduled, b.scheduled).allSatisfy { $0.neuron == $1.neuron && $0.timeMs == $1.timeMs }
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
    if let bad = scheduled.first(where: { !($0.timeMs >= 0) || !$0.timeMs.isFinite }) {
      out.append(.init(key: "times_ms", message: "plateau times must be finite and ≥ 0, got \(bad.timeMs)"))
    }
    return out
  }
}
