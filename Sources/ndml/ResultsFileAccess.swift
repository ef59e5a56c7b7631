import ArgumentParser
import Foundation
import Logging
import NDMLResults

/// Opens a results file for a subcommand: any error is logged with the file's path and ends the
/// command with exit code 1.
enum ResultsFileAccess {
  static func read(_ path: String, logger: Logger, _ body: (ResultsReader) throws -> Void) throws {
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
