import Foundation

/// Errors of the CPU backend; each names what failed and how to fix it.
public enum EngineError: Error, CustomStringConvertible, Equatable {
  /// The config failed validation (the issues list every problem).
  case invalidExperiment([ExperimentIssueSummary])
  /// The network would not fit in memory; checked before anything large is allocated.
  case insufficientMemory(estimatedBytes: Double, availableBytes: Double, synapses: Double)
  /// A state variable became NaN or infinite, or ran away (|v| ≥ 10⁶ mV), in the step ending at
  /// `timeMs`; the run stopped there.
  case numericalFault(population: String, variable: String, neuron: Int, value: Double, timeMs: Double)
  /// The run was asked to stop (SIGINT/SIGTERM) at `timeMs`; data up to there was handed over.
  case interrupted(timeMs: Double)

  /// The message as printed.
  public var description: String {
    switch self {
    case .invalidExperiment(let issues):
      return "invalid experiment:\n" + issues.map { "  \($0.keyPath): \($0.message)" }.joined(separator: "\n")
    case .insufficientMemory(let need, let have, let synapses):
      return String(
        format:
          "the network needs an estimated %.3g GiB (%.3g synapses) but only 90 %% of %.3g GiB (--max-memory, else the machine's memory) may be used; "
          + "reduce population sizes or connection probabilities, or use precision: float32",
        need / 1_073_741_824, synapses, have / 1_073_741_824)
    case .numericalFault(let pop, let variable, let neuron, let value, let t):
      let what = value.isFinite ? "ran away to \(value)" : "became non-finite (\(value))"
      let t = String(format: "%.10g", t)
      return "population \(pop): \(variable) of neuron \(neuron) \(what) in the step ending at t = \(t) ms; check "
        + "weights, currents and time constants (the run was stopped there; the data recorded before is kept)"
    case .interrupted(let t):
      return "interrupted at t = \(t) ms; the data recorded up to there is kept"
    }
  }
}

/// A validation issue carried by ``EngineError`` (key path and message).
public struct ExperimentIssueSummary: Equatable, Sendable {
  /// Dotted config key path.
  public var keyPath: String
  /// What is wrong.
  public var message: String
}
