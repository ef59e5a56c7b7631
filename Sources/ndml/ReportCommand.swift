import ArgumentParser
import Foundation
import NDMLResults

/// `ndml report FILE --population P --variable V -o OUT`: one recorded variable as a standalone
/// SONATA report file (what libsonata's `ElementReportReader` reads).
struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report", abstract: "Write one recorded variable as a standalone SONATA report file.")

  @Argument(help: "An NDML results file (.h5).")
  var file: String

  @Option(help: "Population whose variable to export.")
  var population: String

  @Option(help: "Variable to export (e.g. v).")
  var variable: String

  @Option(name: .shortAndLong, help: "The SONATA report file to write.")
  var output: String

  @OptionGroup var logging: LoggingOptions

  func run() throws {
    let logger = Console.logger(logging)
    try ResultsFileAccess.read(file, logger: logger) { r in
      try SonataReportExporter.export(
        from: r, population: population, variable: variable, to: URL(fileURLWithPath: output))
      if !logging.quiet { Console.out("report \(population)/\(variable): \(output)") }
    }
  }
}
