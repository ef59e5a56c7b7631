import ArgumentParser
import Foundation
import Logging
import NDMLHDF5
import NDMLResults

/// Opens a results file for a subcommand: any error is logged with the file's path and ends the
/// command with exit code 1.
enum ResultsFileAccess {
  static func read(_ path: String, logger: Logger, _ body: (ResultsReader) throws -> Void) throws {
    Platform.setFaultMessage(
      "ndml: error: \(path): the file is damaged: the HDF5 library faulted or looped while reading it; it cannot be read\n"
    )
    HDF5Library.variableStringWatchdogSeconds = 5
    defer {
      HDF5Library.variableStringWatchdogSeconds = 0
      Platform.clearFaultMessage()
    }
    do {
      let reader = try ResultsReader(url: URL(fileURLWithPath: path))
      defer { try? reader.close() }
      try body(reader)
    } catch {
      logger.error("\(error)")
      throw ExitCode(1)
    }
  }
}

/// A problem with what a results-file command was asked to do; the message names the file.
struct CommandError: Error, CustomStringConvertible {
  let description: String
  init(_ message: String) { description = message }
}

/// The options of the commands that read a time window of some populations (`analyze`, `plot`).
struct WindowOptions: ParsableArguments {
  @Option(name: .customLong("population"), help: "Population (repeatable; default: all with recorded spikes).")
  var populations: [String] = []

  @Option(help: "Start of the time window in ms (default 0).")
  var startMs: Double?

  @Option(help: "End of the time window in ms (default: the run's duration; plot --kind raster: 1 s after the start).")
  var stopMs: Double?
}
