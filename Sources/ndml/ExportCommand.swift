import ArgumentParser
import Foundation
import Logging
import NDMLLoihi
import NDMLModel

/// `ndml export CONFIG --format lava -o DIR`: writes a network for Intel Lava / Loihi 2;
/// `--format nir -o FILE` writes it as a NIR graph.
struct ExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Export a loihi_cuba network for Intel Lava (Loihi 2) or as a NIR graph.",
    discussion: """
      --format lava writes DIR/network.h5 (the integer network and NDML's own spikes of it) and
      DIR/run_lava.py, which runs it in Lava's bit-accurate simulator (Loihi2SimCfg fixed_pt),
      writes the spikes as an NDML results file and checks them against NDML's. See
      docs/loihi-export.md.

      --format nir writes FILE, a NIR graph (HDF5, read by the Python package nir's nir.read):
      Input, CubaLIF, Linear, Delay and Output nodes, with NDML's exact integers as metadata, so
      that 'ndml import-nir FILE' gives the same network back. See docs/loihi-nir.md.
      """)

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case lava
    case nir
  }

  @Argument(help: "The experiment config (YAML): loihi_cuba populations, or lif_cuba ones to quantise.")
  var config: String

  @Option(
    help:
      "Export format: lava (an HDF5 bundle plus a Python module that runs it in Lava) or nir (a NIR graph file).")
  var format: Format = .lava

  @Option(name: .shortAndLong, help: "Output folder (lava; created if missing) or file (nir).")
  var output: String

  @Option(name: .customLong("set"), help: "Override a config value, e.g. --set simulation.duration_ms=2000.")
  var overrides: [String] = []

  @OptionGroup var logging: LoggingOptions

  func run() throws {
    let logger = Console.logger(logging)
    let loaded = try ConfigLoading.load(config, overrides: overrides, logger: logger)
    if format == .nir { return try exportNIR(loaded.experiment, text: loaded.text, logger: logger) }
    let directory = URL(fileURLWithPath: output).standardizedFileURL
    var bundle: LavaBundle
    var report: QuantizationReport?
    do {
      var experiment = loaded.experiment
      if experiment.populations.contains(where: { if case .lifCuba = $0.model { true } else { false } }) {
        let quantizer = LoihiQuantizer()
        var (quantized, quantization) = try quantizer.quantize(experiment)
        try quantizer.compare(float: experiment, quantized: quantized, report: &quantization)
        experiment = quantized
        report = quantization
        if !logging.quiet { Console.out(quantization.text) }
      }
      bundle = try LavaBundle(experiment: experiment, configText: loaded.text)
      if let report {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        bundle.quantizationReport = String(decoding: try encoder.encode(report), as: UTF8.self)
      }
    } catch let error as LoihiExportError {
      logger.error("\(config): \(error); nothing was exported")
      throw ExitCode(1)
    }
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      try bundle.write(to: directory.appendingPathComponent("network.h5"))
      try bundle.runnerScript(bundleName: "network.h5", config: config).write(
        to: directory.appendingPathComponent("run_lava.py"), atomically: true, encoding: .utf8)
      let resources = LoihiResourceReport(bundle)
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      try encoder.encode(resources).write(to: directory.appendingPathComponent("resources.json"))
      try (resources.text + "\n").write(
        to: directory.appendingPathComponent("resources.txt"), atomically: true, encoding: .utf8)
      if !logging.quiet { Console.out(resources.text) }
      for warning in resources.warnings { logger.warning("\(config): \(warning)") }
      if let report, let json = bundle.quantizationReport {
        try json.write(to: directory.appendingPathComponent("quantization.json"), atomically: true, encoding: .utf8)
        try (report.text + "\n").write(
          to: directory.appendingPathComponent("quantization.txt"), atomically: true, encoding: .utf8)
      }
    } catch {
      logger.error("writing the export to \(directory.path) failed: \(error)")
      throw ExitCode(1)
    }
    let neurons = bundle.populations.reduce(0) { $0 + $1.size }
    let synapses = bundle.projections.reduce(0) { $0 + $1.pre.count }
    if !logging.quiet {
      Console.out(
        "exported \(bundle.populations.count) LIF populations (\(neurons) neurons), \(bundle.inputs.count) spike "
          + "sources, \(bundle.projections.count) projections (\(synapses) synapses), \(bundle.steps) steps to "
          + "\(directory.path)/{network.h5, run_lava.py}")
      Console.out("run it in Lava: python \(directory.path)/run_lava.py -o lava_results.h5")
    }
  }

  /// Writes the NIR graph of `experiment` to `output`.
  private func exportNIR(_ experiment: Experiment, text: String, logger: Logger) throws {
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
