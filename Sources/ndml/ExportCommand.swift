import ArgumentParser
import Foundation
import NDMLLoihi
import NDMLModel

/// `ndml export CONFIG --format lava -o DIR`: writes a network for Intel Lava / Loihi 2.
struct ExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Export a loihi_cuba network for Intel Lava (Loihi 2).",
    discussion: """
      --format lava writes DIR/network.h5 (the integer network and NDML's own spikes of it) and
      DIR/run_lava.py, which runs it in Lava's bit-accurate simulator (Loihi2SimCfg fixed_pt),
      writes the spikes as an NDML results file and checks them against NDML's. See
      docs/loihi-export.md. --format lava-netx -o PATH.net writes a layered network (one spike
      source → loihi_cuba layers) as a lava-dl netx file plus PATH.inputs.h5 and run_netx.py beside
      it; see docs/loihi-netx.md.
      """)

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case lava
    case lavaNetx = "lava-netx"
  }

  @Argument(help: "The experiment config (YAML) of a loihi_cuba network.")
  var config: String

  @Option(
    help: """
      Export format: lava (an HDF5 bundle plus a Python module that runs it in Lava), lava-netx (a \
      lava-dl netx file PATH.net, with the input spikes and run_netx.py beside it).
      """)
  var format: Format = .lava

  @Option(name: .shortAndLong, help: "Output folder (created if missing); for lava-netx the .net file.")
  var output: String

  @Option(name: .customLong("set"), help: "Override a config value, e.g. --set simulation.duration_ms=2000.")
  var overrides: [String] = []

  @OptionGroup var logging: LoggingOptions

  func run() throws {
    let logger = Console.logger(logging)
    let loaded = try ConfigLoading.load(config, overrides: overrides, logger: logger)
    if format == .lavaNetx { return try exportNetx(loaded, to: output, logger: logger) }
    let directory = URL(fileURLWithPath: output).standardizedFileURL
    let bundle: LavaBundle
    do {
      bundle = try LavaBundle(experiment: loaded.experiment, configText: loaded.text)
    } catch let error as LoihiExportError {
      logger.error("\(config): \(error); nothing was exported")
      throw ExitCode(1)
    }
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      try bundle.write(to: directory.appendingPathComponent("network.h5"))
      try bundle.runnerScript(bundleName: "network.h5", config: config).write(
        to: directory.appendingPathComponent("run_lava.py"), atomically: true, encoding: .utf8)
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
}
