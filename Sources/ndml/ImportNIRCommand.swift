import ArgumentParser
import Foundation
import Logging
import NDMLConfig
import NDMLLoihi
import NDMLModel

/// `ndml import-nir FILE -o CONFIG.yaml`: turns a NIR graph into a config of `loihi_cuba`
/// populations (`docs/loihi-nir.md`).
struct ImportNIRCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import-nir",
    abstract: "Import a NIR graph as a config of loihi_cuba populations.",
    discussion: """
      Reads Input, CubaLIF, Linear/Affine, Delay and Output nodes (any other node is an error that
      names it). A file written by 'ndml export --format nir' is read from its exact integers and
      gives the exported network back, spike sources and initial state included; any other file
      is quantised from its continuous parameters (the notes say what was rounded), and each
      Input becomes a Poisson source of --input-rate-hz, since NIR holds no spike data. The
      synapses go to CONFIG_synapses/<projection>.csv beside the config. The written config is
      loaded back and checked against the graph. See docs/loihi-nir.md.
      """)

  @Argument(help: "The NIR graph file (HDF5, as nir.write writes it).")
  var file: String

  @Option(name: .shortAndLong, help: "The config to write (YAML).")
  var output: String

  @Option(help: "Step in ms, when the file does not state one.")
  var dtMs = 1.0

  @Option(help: "Run length in ms, when the file does not state one.")
  var durationMs = 1000.0

  @Option(help: "Rate of the Poisson source that stands in for each Input node of a file NDML did not write.")
  var inputRateHz = 10.0

  @OptionGroup var logging: LoggingOptions

  func validate() throws {
    guard dtMs > 0, durationMs >= dtMs, inputRateHz >= 0 else {
      throw ValidationError("--dt-ms must be positive, --duration-ms at least --dt-ms, --input-rate-hz ≥ 0.")
    }
  }

  func run() throws {
    let logger = Console.logger(logging)
    let source = URL(fileURLWithPath: file).standardizedFileURL
    let imported: NIRImport
    do {
      let graph = try NIRGraph.read(from: source)
      imported = try NIRImport(graph: graph, dtMs: dtMs, durationMs: durationMs)
    } catch {
      logger.error("\(file): \(error); nothing was imported")
      throw ExitCode(1)
    }
    for note in imported.notes { logger.warning("\(file): approximated: \(note)") }
    let url = URL(fileURLWithPath: output).standardizedFileURL
    let folderName = url.deletingPathExtension().lastPathComponent + "_synapses"
    let folder = url.deletingLastPathComponent().appendingPathComponent(folderName)
    do {
      let original = try imported.ndmlConfig.map { config -> ConfigNode in
        var root = try ConfigNode.parse(yaml: config.text)
        for override in config.overrides {
          guard let eq = override.firstIndex(of: "=") else { continue }
          var value = try ConfigNode.parse(yaml: String(override[override.index(after: eq)...]))
          value.line = nil
          root = try root.setting(override[..<eq].split(separator: ".").map(String.init), to: value)
        }
        return root
      }
      let text = configText(imported, original: original, synapseFolder: folderName)
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      for projection in imported.projections {
        var csv = "source,target,weight,delay_ms\n"
        for s in projection.synapses {
          csv += "\(s.pre),\(s.post),\(s.weight),\(Double(s.delaySteps) * imported.dtMs)\n"
        }
        try csv.write(to: folder.appendingPathComponent("\(projection.name).csv"), atomically: true, encoding: .utf8)
      }
      try text.write(to: url, atomically: true, encoding: .utf8)
    } catch {
      logger.error("writing the imported config to \(url.path) failed: \(error)")
      throw ExitCode(1)
    }
    // The config, read back the way 'ndml run' reads it, must be the graph's network.
    let experiment: Experiment
    do {
      experiment = try ExperimentConfig.load(contentsOf: url).experiment
    } catch let errors as ConfigErrors {
      for e in errors.errors { logger.error("\(e)") }
      logger.error("the imported config \(url.path) does not load")
      throw ExitCode(1)
    }
    let mismatches = imported.mismatches(in: experiment)
    for m in mismatches { logger.error("\(url.path): differs from \(file): \(m)") }
    guard mismatches.isEmpty else { throw ExitCode(1) }
    if !logging.quiet {
      let neurons = imported.populations.filter { if case .neurons = $0 { true } else { false } }
      let synapses = imported.projections.reduce(0) { $0 + $1.synapses.count }
      Console.out(
        "imported \(neurons.count) loihi_cuba populations, \(imported.populations.count - neurons.count) spike "
          + "sources, \(imported.projections.count) projections (\(synapses) synapses) "
          + (imported.notes.isEmpty ? "with exact parameters" : "with \(imported.notes.count) approximations")
          + " to \(url.path) (synapses in \(folder.path)/)")
    }
  }

  /// The YAML of the imported network; `original` is the exported config (overrides applied), when
  /// NDML wrote the file.
  private func configText(_ net: NIRImport, original: ConfigNode?, synapseFolder: String) -> String {
    var lines = ["# Imported from \(file) by 'ndml import-nir' (NDML \(NDMLVersion.current))."]
    if original != nil {
      lines.append("# Written by NDML: spike sources, 'init' and 'record' are those of the exported config.")
    }
    if net.isFromMetadata {
      lines.append("# Parameters and synapses: NDML's exact integers (metadata), checked against the graph.")
    } else {
      lines.append(
        "# Parameters and synapses quantised from NIR's continuous values (docs/loihi-nir.md)"
          + (net.notes.isEmpty ? ", exactly." : "; approximated:"))
      lines += net.notes.map { "#   \($0)" }
    }
    lines.append("simulation: {dt_ms: \(net.dtMs), duration_ms: \(Double(net.steps) * net.dtMs), seed: \(net.seed)}")
    lines.append("")
    lines.append("populations:")
    let originalPopulations = original?.value(at: ["populations"])
    for population in net.populations {
      let key = yamlKey(population.name)
      switch population {
      case .source(let s):
        if let node = originalPopulations?.value(at: [s.name]) {
          lines.append("  \(key): \(node.flowYAML)  # the exported config's source")
        } else {
          lines.append(
            "  # NIR holds no spike data: Input '\(s.name)' stands in as a Poisson source of \(inputRateHz) Hz.")
          lines.append("  \(key): {size: \(s.size), model: poisson, params: {rate_Hz: \(inputRateHz)}}")
        }
      case .neurons(let n):
        let q = n.parameters
        lines.append("  \(key):")
        lines.append("    size: \(n.size)")
        lines.append("    model: loihi_cuba")
        lines.append(
          "    params: {du: \(q.du), dv: \(q.dv), vth: \(q.vth), bias_mant: \(q.biasMant), bias_exp: \(q.biasExp)}")
        if let initial = originalPopulations?.value(at: [n.name, "init"]) {
          let checked = n.initialU != nil && n.initialV != nil ? " (checked against the graph's u and v)" : ""
          lines.append("    init: \(initial.flowYAML)  # the exported config's\(checked)")
        }
      }
    }
    let sources = Set(net.populations.compactMap { if case .source(let s) = $0 { s.name } else { nil } })
    if !net.projections.isEmpty {
      lines.append("")
      lines.append("projections:")
    }
    for p in net.projections {
      let s = p.settings
      lines.append("  \(yamlKey(p.name)):")
      lines.append("    source: \(yamlKey(p.source))")
      lines.append("    target: \(yamlKey(p.target))")
      lines.append("    connectivity: {from_file: \(yamlKey("\(synapseFolder)/\(p.name).csv"))}")
      // The file's delay_ms column sets every delay; the projection's own delay is checked too.
      let shortest = p.synapses.map(\.delaySteps).min() ?? (sources.contains(p.source) ? 2 : 1)
      lines.append("    delay_ms: \(Double(shortest) * net.dtMs)")
      if p.source == p.target && p.synapses.contains(where: { $0.pre == $0.post }) {
        lines.append("    allow_autapses: true")
      }
      lines.append(
        "    loihi: {weight_exp: \(s.weightExp), num_weight_bits: \(s.numWeightBits), sign_mode: \(s.signMode.rawValue)}"
      )
    }
    lines.append("")
    if let record = original?.value(at: ["record"]) {
      lines.append("record: \(record.flowYAML)")
    } else if !net.recorded.isEmpty {
      lines.append("record: {spikes: [\(net.recorded.map(yamlKey).joined(separator: ", "))]}")
    }
    return lines.joined(separator: "\n") + "\n"
  }
}

/// `name` as a YAML scalar: plain when it is a simple name, double-quoted otherwise.
private func yamlKey(_ name: String) -> String {
  let plain = name.unicodeScalars.allSatisfy {
    CharacterSet.alphanumerics.contains($0) || "_-./".unicodeScalars.contains($0)
  }
  guard !plain || name.isEmpty || name.first == "-" else { return name }
  return quoted(name)
}

private func quoted(_ text: String) -> String {
  var out = "\""
  for c in text.unicodeScalars {
    switch c {
    case "\"": out += "\\\""
    case "\\": out += "\\\\"
    case "\n": out += "\\n"
    default: out.unicodeScalars.append(c)
    }
  }
  return out + "\""
}

extension ConfigNode {
  /// The value at a path of mapping keys, if there is one.
  fileprivate func value(at path: [String]) -> ConfigNode? {
    guard let key = path.first else { return self }
    guard case .mapping(let pairs) = kind, let child = pairs.first(where: { $0.key == key })?.value else { return nil }
    return child.value(at: Array(path.dropFirst()))
  }

  /// The node as one line of flow-style YAML that parses back to the same node.
  fileprivate var flowYAML: String {
    switch kind {
    case .null: return "null"
    case .scalar(let s, let isQuoted):
      let special = s.isEmpty || s.contains { ",[]{}#&*!|>'\"%@`".contains($0) } || s.contains(": ")
      return isQuoted || special ? quoted(s) : s
    case .sequence(let items): return "[" + items.map(\.flowYAML).joined(separator: ", ") + "]"
    case .mapping(let pairs):
      return "{" + pairs.map { "\(yamlKey($0.key)): \($0.value.flowYAML)" }.joined(separator: ", ") + "}"
    }
  }
}
