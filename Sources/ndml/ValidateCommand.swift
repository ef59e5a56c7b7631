import ArgumentParser
import NDMLEngine

/// `ndml validate CONFIG`: checks a config (schema, units, references, memory) without running it.
struct ValidateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "validate", abstract: "Check an experiment config without running it.")

  @Argument(help: "The experiment config (YAML).")
  var config: String

  @Option(name: .customLong("set"), help: "Override a config value, e.g. --set simulation.duration_ms=2000.")
  var overrides: [String] = []

  @OptionGroup var logging: LoggingOptions

  func run() throws {
    let logger = Console.logger(logging)
    let loaded = try ConfigLoading.load(config, overrides: overrides, logger: logger)
    let backend = CPUBackend()
    let e = loaded.experiment
    let bytes = backend.estimatedMemoryBytes(e)
    let neurons = e.populations.reduce(0) { $0 + $1.size }
    Console.out(
      "\(config): valid — \(e.populations.count) populations, \(neurons) neurons, "
        + "\(e.projections.count) projections, ~\(Int(e.expectedSynapseCount())) synapses, "
        + "\(e.simulation.stepCount) steps; estimated memory \(formatBytes(bytes))")
    try RunCommand.checkMemory(e, config: config, backend: backend, logger: logger)
    if let sweep = loaded.sweep {
      for point in sweep.points {
        _ = try ConfigLoading.load(config, overrides: overrides + point.overrides, logger: logger)
      }
      Console.out("sweep: \(sweep.points.count) points, each valid (docs/sweeps.md)")
    }
  }
}

/// Human-readable byte count.
func formatBytes(_ b: Double) -> String {
  let units = ["B", "KiB", "MiB", "GiB", "TiB"]
  var v = b
  var i = 0
  while v >= 1024 && i < units.count - 1 {
    v /= 1024
    i += 1
  }
  return String(format: i == 0 ? "%.0f" : "%.1f", v) + " " + units[i]
}
