/// Numeric precision of the CPU backend's state variables and weights.
public enum Precision: String, Sendable, Codable, CaseIterable {
  /// IEEE double precision: the reference.
  case float64
  /// IEEE single precision: the fast path (half the memory, twice the SIMD width).
  case float32
}

/// Global settings of one simulation run: clock, duration, seed and precision.
public struct SimulationSettings: Sendable, Equatable {
  /// Integration step in ms (the fixed clock of the clock-driven scheme).
  public var dtMs: Double
  /// Biological time to simulate, in ms.
  public var durationMs: Double
  /// Seed of every random stream (connectivity, initial state, Poisson input).
  public var seed: UInt64
  /// Precision of state variables and weights.
  public var precision: Precision
  /// Recorded data is handed to the results file at least this often (biological ms), so a run
  /// that is killed keeps everything up to its last flush (`output.flush_interval_ms`).
  public var flushIntervalMs = 1000.0
  /// Threads of the CPU backend (`simulation.threads`); results do not depend on it.
  public var threads = 1

  /// Creates settings; `validate()` checks them.
  public init(dtMs: Double = 0.1, durationMs: Double, seed: UInt64 = 1, precision: Precision = .float64) {
    self.dtMs = dtMs
    self.durationMs = durationMs
    self.seed = seed
    self.precision = precision
  }

  /// The largest thread count accepted.
  public static var maximumThreads: Int { 256 }

  /// The most steps a run may have (2⁴⁰: 3.5 years of biological time at dt = 0.1 ms).
  public static var maximumSteps: Int { 1 << 40 }

  /// Number of whole steps in the run (`durationMs / dtMs`, rounded to the nearest step; at most
  /// ``maximumSteps``, which ``violations()`` reports).
  public var stepCount: Int { steps(forMs: durationMs) }

  /// Converts a time in ms to the nearest whole number of steps (clamped to ±``maximumSteps``;
  /// NaN gives 0 — both are reported by the validation of the value itself).
  public func steps(forMs ms: Double) -> Int {
    let steps = (ms / dtMs).rounded()
    guard !steps.isNaN else { return 0 }
    return Int(max(min(steps, Double(Self.maximumSteps)), -Double(Self.maximumSteps)))
  }

  /// Every violated rule, as (key, message) pairs; empty when valid.
  public func violations() -> [ParameterViolation] {
    var out: [ParameterViolation] = []
    if !(dtMs > 0) || !dtMs.isFinite {
      out.append(.init(key: "dt_ms", message: "must be a positive number of ms, got \(dtMs)"))
    }
    if !(flushIntervalMs >= dtMs) || !flushIntervalMs.isFinite {
      out.append(
        .init(key: "flush_interval_ms", message: "must be at least one step (dt_ms = \(dtMs)), got \(flushIntervalMs)"))
    }
    if !(1...Self.maximumThreads).contains(threads) {
      out.append(.init(key: "threads", message: "must be 1 to \(Self.maximumThreads), got \(threads)"))
    }
    if !(durationMs > 0) || !durationMs.isFinite {
      out.append(.init(key: "duration_ms", message: "must be a positive number of ms, got \(durationMs)"))
    } else if dtMs > 0, durationMs < dtMs {
      out.append(.init(key: "duration_ms", message: "is shorter than one step (dt_ms = \(dtMs))"))
    } else if dtMs > 0, !(durationMs / dtMs <= Double(Self.maximumSteps)) {
      out.append(
        .init(
          key: "duration_ms",
          message:
            "is \(durationMs / dtMs) steps of dt_ms = \(dtMs); at most \(Self.maximumSteps) steps are supported (shorten the run or enlarge dt_ms)"
        ))
    }
    return out
  }
}

/// One broken rule of a parameter record: the config key and what is wrong with its value.
public struct ParameterViolation: Sendable, Equatable, CustomStringConvertible {
  /// The config key (relative to the record), e.g. `tau_m_ms`.
  public var key: String
  /// The rule that was broken, with the offending value.
  public var message: String
  /// Warnings do not stop a run; errors do.
  public var isWarning: Bool

  /// Creates a violation (an error unless `isWarning`).
  public init(key: String, message: String, isWarning: Bool = false) {
    self.key = key
    self.message = message
    self.isWarning = isWarning
  }

  /// The message as printed.
  public var description: String { "\(key) \(message)" }
}

/// Collects violations of the rule "strictly positive and finite" for named quantities.
func requirePositive(_ pairs: [(String, Double)]) -> [ParameterViolation] {
  pairs.compactMap { key, value in
    value > 0 && value.isFinite
      ? nil : ParameterViolation(key: key, message: "must be positive and finite, got \(value)")
  }
}

/// Violations of the threshold/reset/refractory rules every LIF model shares.
func spikeResetViolations(thresholdMV: Double, resetMV: Double, refractoryMs: Double) -> [ParameterViolation] {
  var out: [ParameterViolation] = []
  if !(refractoryMs >= 0) || !refractoryMs.isFinite {
    out.append(.init(key: "tau_ref_ms", message: "must be ≥ 0 ms, got \(refractoryMs)"))
  }
  if resetMV >= thresholdMV {
    out.append(.init(key: "v_reset_mV", message: "(\(resetMV) mV) must be below v_thresh_mV (\(thresholdMV) mV)"))
  }
  return out
}

/// Collects violations of the rule "finite" for named quantities.
func requireFinite(_ pairs: [(String, Double)]) -> [ParameterViolation] {
  pairs.compactMap { key, value in
    value.isFinite ? nil : ParameterViolation(key: key, message: "must be a finite number, got \(value)")
  }
}
