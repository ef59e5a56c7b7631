import ArgumentParser
import Foundation
import Logging
import NDMLLoihi
import NDMLModel

extension ExportCommand {
  /// Writes the NIR graph of `experiment` to `output`.
  func exportNIR(_ experiment: Experiment, text: String, logger: Logger) throws {
    let url = URL(fileURLWithPath: output).standardizedFileURL
    let export: NIRExport
    do {
      export = try NIRExport(experiment: experiment, configText: text, overrides: overrides)
    } catch let error as LoihiExportError {
      logger.error("\(config): \(error); nothing was exported")
      throw ExitCode(1)
    }
    do {
      try FileManager.default.createDirectory(
        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try export.write(to: url)
      let stem = url.deletingPathExtension().lastPathComponent
      try writeResourceReport(experiment, logger: logger) {
        url.deletingLastPathComponent().appendingPathComponent("\(stem).\($0)")
      }
    } catch {
      logger.error("writing the NIR graph to \(url.path) failed: \(error)")
      throw ExitCode(1)
    }
    if !logging.quiet {
      let count = { (type: String) in export.graph.nodes.filter { $0.type == type }.count }
      Console.out(
        "exported \(count("CubaLIF")) CubaLIF, \(count("Input")) Input, \(count("Linear")) Linear, "
          + "\(count("Delay")) Delay and \(count("Output")) Output nodes (\(export.graph.edges.count) edges) to "
          + "\(url.path)")
    }
  }
}
