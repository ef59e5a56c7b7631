import Foundation

/// The named clocks of slow processes (`timescales:` in the config).
///
/// NDML separates a slow variable's *time constant* (a parameter of its process) from its *update
/// clock* (how often the engine advances it): a slow process is advanced every `clock` of
/// biological time, with the decay between updates solved exactly, so hours of biological time do
/// not pay the fast step for slow variables. The five named clocks descend from the five
/// timescales of NDML's original design (fast synaptic ~5 ms, calcium ~500 ms, protein synthesis
/// ~60 s, homeostatic scaling ~1 h, systems consolidation ~24 h); a process names one
/// (`clock: homeostatic`) or gives its own period (`clock_ms: 1000`).
///
/// Every clock a process uses must be a whole multiple of `dt_ms`, and the named clocks must keep
/// their order (each at least as long as the one before).
///
/// | config key | default | meaning |
/// |---|---|---|
/// | `synaptic_ms` | 5 ms | fast synaptic processes |
/// | `calcium_ms` | 500 ms | calcium-dependent plasticity |
/// | `protein_synthesis_ms` | 60 000 ms (1 min) | tagging, protein synthesis and capture |
/// | `homeostatic_ms` | 3 600 000 ms (1 h) | homeostatic synaptic scaling |
/// | `systems_ms` | 86 400 000 ms (24 h) | systems-level consolidation |
///
/// Each key may also be given in seconds (`homeostatic_s: 3600`).
public struct Timescales: Sendable, Equatable {
  /// The clock names, fastest first.
  public static let names = ["synaptic", "calcium", "protein_synthesis", "homeostatic", "systems"]
  /// The default period of each clock, in ms, in the order of ``names``.
  public static let defaultPeriodsMs: [Double] = [5, 500, 60_000, 3_600_000, 86_400_000]

  /// The period of every named clock in ms.
  public private(set) var periodsMs: [String: Double]
  /// The clocks the config set explicitly (for messages).
  public private(set) var explicitNames: Set<String> = []

  /// The defaults of the table above.
  public init() {
    periodsMs = Dictionary(uniqueKeysWithValues: zip(Self.names, Self.defaultPeriodsMs))
  }

  /// Sets clock `name` (one of ``names``) to `periodMs`.
  public mutating func set(_ name: String, periodMs: Double) {
    precondition(Self.names.contains(name), "unknown timescale \(name)")
    periodsMs[name] = periodMs
    explicitNames.insert(name)
  }

  /// The period of clock `name` in ms, nil for an unknown name.
  public func periodMs(_ name: String) -> Double? { periodsMs[name] }

  /// Every broken rule (keys relative to `timescales`): periods positive and finite, in order.
  public func violations() -> [ParameterViolation] {
    var out: [ParameterViolation] = []
    for name in Self.names {
      let p = periodsMs[name]!
      if !(p > 0) || !p.isFinite {
        out.append(.init(key: name + "_ms", message: "must be a positive number of ms, got \(p)"))
      }
    }
    for (slower, faster) in zip(Self.names.dropFirst(), Self.names) {
      let (ps, pf) = (periodsMs[slower]!, periodsMs[faster]!)
      if ps < pf {
        out.append(
          .init(
            key: slower + "_ms",
            message:
              "(\(ps) ms\(explicitNames.contains(slower) ? "" : ", the default")) is shorter than \(faster)_ms (\(pf) ms"
              + "\(explicitNames.contains(faster) ? "" : ", the default")): timescales are listed fastest first; "
              + "keep their order or use clock_ms on the process"))
      }
    }
    return out
  }
}

/// The update clock of a slow process: a named timescale or an explicit period.
public enum SlowClock: Sendable, Equatable {
  /// A clock of ``Timescales`` (`clock: homeostatic`).
  case named(String)
  /// An explicit period in ms (`clock_ms: 1000`).
  case periodMs(Double)

  /// The period in ms under `timescales`, nil for an unknown name.
  public func periodMs(in timescales: Timescales) -> Double? {
    switch self {
    case .named(let name): timescales.periodMs(name)
    case .periodMs(let p): p
    }
  }

  /// The config text of the clock (`clock: homeostatic` or `clock_ms: 1000`).
  public var configText: String {
    switch self {
    case .named(let name): "clock: \(name)"
    case .periodMs(let p): "clock_ms: \(p)"
    }
  }

  /// Problems of this clock for a run with step `dtMs` (keys relative to the process): an unknown
  /// name, a period that is not positive, or one that is not a whole multiple of dt.
  public func violations(timescales: Timescales, dtMs: Double) -> [ParameterViolation] {
    guard let period = periodMs(in: timescales) else {
      return [
        .init(
          key: "clock",
          message: "is not a timescale; use one of \(Timescales.names.joined(separator: ", ")) or clock_ms")
      ]
    }
    let key: String
    switch self {
    case .named(let name): key = "clock (timescales.\(name)_ms)"
    case .periodMs: key = "clock_ms"
    }
    guard period > 0 && period.isFinite else {
      return [.init(key: key, message: "must be a positive number of ms, got \(period)")]
    }
    let steps = period / dtMs
    if dtMs > 0 && (steps < 1 - 1e-9 || abs(steps - steps.rounded()) > 1e-6 * max(1, steps)) {
      return [
        .init(
          key: key,
          message:
            "(\(period) ms) is not a whole multiple of simulation.dt_ms (\(dtMs) ms); slow clocks tick on the step grid — "
            + "choose \(Self.text(max(1, steps.rounded(.down)) * dtMs)) or \(Self.text(steps.rounded(.up) * dtMs)) ms")
      ]
    }
    return []
  }

  /// A period in ms without the noise of binary fractions (`0.30000000000000004` → `0.3`).
  private static func text(_ ms: Double) -> String { String(format: "%.10g", ms) }

  /// The period in whole steps of `dtMs` (call after ``violations(timescales:dtMs:)`` is empty).
  public func steps(timescales: Timescales, dtMs: Double) -> Int {
    max(1, Int((periodMs(in: timescales)! / dtMs).rounded()))
  }
}
