import Foundation
import Logging

/// Sets up swift-log once: messages go to stderr as `ndml: level: message [context]`.
enum Console {
  /// Configures the global logging system and returns the CLI's logger.
  static func logger(_ options: LoggingOptions) -> Logger {
    LoggingBootstrap.once
    var logger = Logger(label: "ndml")
    logger.logLevel = options.quiet ? .warning : options.verbose ? .debug : .info
    return logger
  }

  /// Whether stderr is an interactive terminal (progress bar vs plain lines).
  static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }

  /// Writes a line to stdout (results, summaries: what scripts parse).
  static func out(_ line: String) { print(line) }
}

private enum LoggingBootstrap {
  static let once: Void = LoggingSystem.bootstrap { label in StderrLogHandler(label: label) }
}

/// A log handler that writes one line per message to stderr, with its metadata as context.
struct StderrLogHandler: LogHandler {
  let label: String
  var logLevel: Logger.Level = .info
  var metadata: Logger.Metadata = [:]

  subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  func log(event: LogEvent) {
    let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
    let context =
      merged.isEmpty
      ? "" : " [" + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") + "]"
    let prefix = event.level >= .warning ? "\(event.level == .warning ? "warning" : "error"): " : ""
    FileHandle.standardError.write(Data("ndml: \(prefix)\(event.message)\(context)\n".utf8))
  }
}
