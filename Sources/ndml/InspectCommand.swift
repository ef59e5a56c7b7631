import ArgumentParser
import Foundation
import NDMLResults

/// `ndml inspect FILE`: the groups and datasets of a results file and a short summary.
struct InspectCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "inspect", abstract: "Print a results file's layout and a summary of its contents.")

  @Argument(help: "An NDML results file (.h5).")
  var file: String

  @OptionGroup var logging: LoggingOptions

  func run() throws {
    let logger = Console.logger(logging)
    try ResultsFileAccess.read(file, logger: logger) { r in
      let status = try r.metadata("status")
      let duration = try r.numericMetadata("duration_ms") ?? 0
      Console.out(
        "\(file): NDML \(try r.metadata("version")), status \(status), precision \(try r.metadata("precision")), "
          + "dt \(try r.numericMetadata("dt_ms") ?? 0) ms, duration \(duration) ms, seed \(Int(try r.numericMetadata("seed") ?? 0))"
      )
      if status != "complete" {
        logger.warning("\(file) is not complete (status '\(status)'): the run did not finish; data may end early")
      }
      for line in try r.outline() { Console.out("  " + line) }
      let sizes = Dictionary(try r.populations().map { ($0.name, $0.size) }, uniquingKeysWith: { a, _ in a })
      for pop in try r.spikePopulations() {
        let spikes = try r.spikes(of: pop)
        let rate = Double(spikes.timesMs.count) / Double(sizes[pop] ?? 1) / max(duration / 1000, 1e-12)
        Console.out("  spikes of \(pop): \(spikes.timesMs.count), mean rate " + String(format: "%.3f Hz", rate))
      }
    }
  }
}
