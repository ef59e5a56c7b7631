import ArgumentParser
import Foundation
import Logging
import NDMLLoihi
import NDMLModel

/// `ndml export CONFIG --format lava|lava-netx|nir -o PATH`: writes a network for Intel Lava /
/// Loihi 2, or as a NIR graph (one file per format: ExportLava.swift, ExportNetx.swift,
/// ExportNIR.swift).
struct ExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Export a loihi_cuba network for Intel Lava (Loihi 2) or as a NIR graph.",
    discussion: """
      --format lava writes DIR/network.h5 (the integer network and NDML's own spikes of it) and
      DIR/run_lava.py, which runs it in Lava's bit-accurate simulator (Loihi2SimCfg fixed_pt),
      writes the spikes as an NDML results file and checks them against NDML's; lif_cuba
      populations are quantised first (quantization.txt), and resources.txt estimates the Loihi 2
      cores. See docs/loihi-export.md.

      --format lava-netx -o PATH.net writes a layered network (one spike source → loihi_cuba
      layers) as a lava-dl netx file plus PATH.inputs.h5 and run_netx.py beside it; see
      docs/loihi-netx.md.

      --format nir writes FILE, a NIR graph (HDF5, read by the Python package nir's nir.read):
      Input, CubaLIF, Linear, Delay and Output nodes, with NDML's exact integers as metadata, so
      that 'ndml import-nir FILE' gives the same network back. See docs/loihi-nir.md.
      """)

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case lava
    case lavaNetx = "lava-netx"
    case nir
  }

  @Argument(help: "The experiment config (YAML): loihi_cuba populations, or lif_cuba ones to quantise.")
  var config: String

  @Option(
    help: """
      Export format: lava (an HDF5 bundle plus a Python module that runs it in Lava), lava-netx (a \
      lava-dl netx file PATH.net, with the input spikes and run_netx.py beside it), nir (a NIR graph file).
      """)
  var format: Format = .lava

  @Option(name: .shortAndLong, help: "Output folder (lava; created if missing), or file (lava-netx: PATH.net; nir).")
  var output: String

  @Option(name: .customLong("set"), help: "Override a config value, e.g. --set simulation.duration_ms=2000.")
  var overrides: [String] = []

  @OptionGroup var logging: LoggingOptions

  func run() throws {
    let logger = Console.logger(logging)
    let loaded = try ConfigLoading.load(config, overrides: overrides, logger: logger)
    switch format {
    case .lava: try exportLava(loaded, logger: logger)
    case .lavaNetx: try exportNetx(loaded, to: output, logger: logger)
    case .nir: try exportNIR(loaded.experiment, text: loaded.text, logger: logger)
    }
  }
}
