import Foundation

/// Errors of the CPU backend; each names what failed and how to fix it.
public enum EngineError: Error, CustomStringConvertible, Equatable {
  /// The config failed validation (the issues list every problem).
  case invalidExperiment([ExperimentIssueSummary])
  /// The network would not fit in memory; checked before anything large is allocated.
  case insufficientMemory(estimatedBytes: Double, availableBytes: Double, synapses: Double)
  /// A state variable became NaN or infinite during the run.
  case nonFiniteState(population: String, variable: String, neuron: Int, timeMs: Double)
  /// The run was asked to stop (SIGINT/SIGTERM) at `timeMs`; data up to there was handed over.
  case interrupted(timeMs: Double)

  /// The message as printed.
  public var description: String {
    switch self {
    case .invalidExperiment(let issues):
      return "invalid experiment:\n" + issues.map { "  \($0.keyPath): \($0.message)" }.joined(separator: "\n")
    case .insufficientMemory(let need, let have, let synapses):
      return String(
        format: "the network needs an estimated %.1f GiB (%.3g synapses) but this machine has %.1f GiB; "
          + "reduce population sizes or connection probabilities, or use precision: float32",
        need / 1_073_741_824, synapses, have / 1_073_741_824)
    case .nonFiniteState(let pop, let variable, let neuron, let t):
      return "\(pop): \(variable) of neuron \(neuron) became non-finite at t = \(t) ms; check weights, "
        + "currents and time constants (the run was stopped, data up to here is kept)"
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
