import ArgumentParser
import Foundation
import Logging
import NDMLConfig
import NDMLLoihi

extension ExportCommand {
  /// `--format lava-netx`: writes the netx file at `path` and, beside it, `<stem>.inputs.h5` (the
  /// input spikes and NDML's prediction) and `run_netx.py`.
  func exportNetx(_ loaded: ExperimentConfig, to path: String, logger: Logger) throws {
    let network = URL(fileURLWithPath: path).standardizedFileURL
    let directory = network.deletingLastPathComponent()
    let inputs = network.deletingPathExtension().appendingPathExtension("inputs.h5")
    let export: NetxExport
    do {
      export = try NetxExport(experiment: loaded.experiment, configText: loaded.text)
    } catch let error as LoihiExportError {
      logger.error("\(config): \(error); nothing was exported")
      throw ExitCode(1)
    }
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      try export.writeNetwork(to: network)
      try export.writeInputs(to: inputs, networkName: network.lastPathComponent)
      let stem = network.deletingPathExtension().lastPathComponent
      try writeResourceReport(loaded.experiment, logger: logger) { directory.appendingPathComponent("\(stem).\($0)") }
      try export.runnerScript(
        networkName: network.lastPathComponent, inputsName: inputs.lastPathComponent, config: config
      ).write(to: directory.appendingPathComponent("run_netx.py"), atomically: true, encoding: .utf8)
    } catch {
      logger.error("writing the netx export to \(network.path) failed: \(error)")
      throw ExitCode(1)
    }
    if !logging.quiet {
      let kinds = export.layers.map { "\($0.name) (\($0.size), \($0.weightRecurrent == nil ? "dense" : "dense_rec"))" }
      Console.out(
        "exported a netx network: input \(export.input.name) (\(export.input.size)) → "
          + kinds.joined(separator: " → ") + ", \(export.steps) steps, to \(network.path); inputs and NDML's "
          + "spikes in \(inputs.lastPathComponent)")
      Console.out("run it in Lava: python \(directory.path)/run_netx.py -o netx_results.h5")
    }
  }
}
