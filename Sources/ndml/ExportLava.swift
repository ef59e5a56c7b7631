import ArgumentParser
import Foundation
import Logging
import NDMLConfig
import NDMLLoihi
import NDMLModel

extension ExportCommand {
  /// `--format lava`: quantises lif_cuba populations (with a report), then writes the bundle
  /// `network.h5`, `run_lava.py` and the resource report into the folder `output`.
  func exportLava(_ loaded: ExperimentConfig, logger: Logger) throws {
    let directory = URL(fileURLWithPath: output).standardizedFileURL
    var bundle: LavaBundle
    var report: QuantizationReport?
    var experiment = loaded.experiment
    do {
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
      try writeResourceReport(experiment, logger: logger) { directory.appendingPathComponent($0) }
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

  /// Prints the Loihi 2 resource report of `experiment` (warnings as warnings) and writes it as
  /// `location("resources.txt")` and `location("resources.json")`.
  func writeResourceReport(_ experiment: Experiment, logger: Logger, location: (String) -> URL) throws {
    let resources = LoihiResourceReport(experiment)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try encoder.encode(resources).write(to: location("resources.json"))
    try (resources.text + "\n").write(to: location("resources.txt"), atomically: true, encoding: .utf8)
    if !logging.quiet { Console.out(resources.text) }
    for warning in resources.warnings { logger.warning("\(config): \(warning)") }
  }
}
