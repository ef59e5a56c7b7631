import Foundation
import NDMLModel

/// A parsed and validated experiment config (`experiments/*.yaml`; schema in
/// `docs/config-reference.md`).
public struct ExperimentConfig: Sendable {
  /// The experiment described.
  public var experiment: Experiment
  /// `output.path`, if the config gives one.
  public var outputPath: String?
  /// gzip level for recorded datasets (`output.gzip`, 0 = off).
  public var gzipLevel: Int
  /// The config file's text, exactly as read.
  public var text: String
  /// The `--set` overrides applied, as given.
  public var overrides: [String]
  /// Non-fatal findings (e.g. dt larger than a time constant).
  public var warnings: [ConfigError]
  /// The `sweep:` section, if the config is a parameter sweep.
  public var sweep: SweepSpec?
  /// A hash (FNV-1a, 64 bit, hex) of everything that determines the results: the config tree
  /// after `--set` overrides, without `sweep`, `output` and `simulation.threads`. Equal
  /// fingerprints mean the same simulation; a sweep reruns a finished point only when it changes.
  public var fingerprint = ""

  /// Top-level keys.
  static let sections = [
    "simulation", "timescales", "populations", "projections", "inputs", "record", "output", "memory",
    "sweep",
  ]

  /// Loads `url`, applies `--set` overrides (`key.path=value`), reads and validates everything.
  ///
  /// Throws ``ConfigErrors`` listing every problem with file, line and key path.
  ///
  /// ```swift
  /// let config = try ExperimentConfig.load(
  ///   contentsOf: URL(fileURLWithPath: "experiments/memory_lifecycle.yaml"),
  ///   overrides: ["simulation.duration_ms=600000", "populations.ca1_chain.size=100"])
  /// for warning in config.warnings { print(warning) }
  /// let experiment = config.experiment  // validated; run it with NDMLEngine's CPUBackend
  /// ```
  public static func load(contentsOf url: URL, overrides: [String] = []) throws -> ExperimentConfig {
    let file = url.path
    guard FileManager.default.fileExists(atPath: file) else {
      throw ConfigErrors([ConfigError(file: file, line: nil, keyPath: "", message: "config file not found")])
    }
    guard let text = try? String(contentsOf: url, encoding: .utf8) else {
      throw ConfigErrors([ConfigError(file: file, line: nil, keyPath: "", message: "cannot be read as UTF-8 text")])
    }
    do {
      return try parse(text: text, fileURL: url, overrides: overrides)
    } catch var errors as ConfigErrors {
      for i in errors.errors.indices { errors.errors[i].file = file }
      throw errors
    }
  }

  /// Parses config text (the file URL resolves relative data paths and names the file in errors).
  public static func parse(text: String, fileURL: URL? = nil, overrides: [String] = []) throws -> ExperimentConfig {
    var root: ConfigNode
    do {
      root = try ConfigNode.parse(yaml: text)
    } catch let e as ConfigError {
      throw ConfigErrors([e])
    }
    for override in overrides {
      guard let eq = override.firstIndex(of: "="), eq != override.startIndex else {
        throw ConfigErrors([
          ConfigError(
            line: nil, keyPath: override,
            message: "--set expects key.path=value, e.g. --set simulation.duration_ms=2000")
        ])
      }
      let path = override[..<eq].split(separator: ".").map(String.init)
      do {
        var value = try ConfigNode.parse(yaml: String(override[override.index(after: eq)...]))
        value.line = nil
        root = try root.setting(path, to: value)
      } catch var e as ConfigError {
        e.keyPath = "--set \(override)"
        throw ConfigErrors([e])
      }
    }
    let reader = ConfigReader()
    let loader = SchemaReader(reader: reader, configURL: fileURL)
    let config = loader.read(root, text: text, overrides: overrides)
    guard reader.errors.isEmpty, var config else { throw ConfigErrors(reader.errors) }
    config.fingerprint = root.fingerprint(excluding: [["sweep"], ["output"], ["simulation", "threads"]])
    var errors: [ConfigError] = []
    for issue in config.experiment.validate() {
      let e = ConfigError(
        file: fileURL?.path, line: reader.line(of: issue.keyPath), keyPath: issue.keyPath,
        message: issue.message, isWarning: issue.isWarning)
      if issue.isWarning { config.warnings.append(e) } else { errors.append(e) }
    }
    guard errors.isEmpty else { throw ConfigErrors(errors) }
    return config
  }
}
