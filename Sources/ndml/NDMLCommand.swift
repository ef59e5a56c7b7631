import ArgumentParser
import NDMLModel

/// The `ndml` command line: run experiments, validate configs, inspect results, benchmark.
@main
struct NDMLCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ndml",
    abstract: "NDML: a clock-driven spiking-network simulator (CPU reference backend).",
    version: NDMLVersion.current,
    subcommands: [
      RunCommand.self, ResumeCommand.self, ValidateCommand.self, InspectCommand.self, ReportCommand.self,
      AnalyzeCommand.self,
      PlotCommand.self,
      BenchCommand.self,
      ExportCommand.self, ImportNIRCommand.self,
    ])
}

/// Options every subcommand shares.
struct LoggingOptions: ParsableArguments {
  @Flag(name: [.short, .long], help: "Print only warnings and errors (no progress, no summary).")
  var quiet = false

  @Flag(name: [.short, .long], help: "Print debug details (build times, memory estimate, flushes).")
  var verbose = false

  func validate() throws {
    if quiet && verbose { throw ValidationError("--quiet and --verbose exclude each other; choose one.") }
  }
}
