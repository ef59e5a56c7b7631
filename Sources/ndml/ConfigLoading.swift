import ArgumentParser
import Foundation
import Logging
import NDMLConfig

/// Loads a config for a subcommand, logging warnings and every error with file:line:key.
enum ConfigLoading {
  static func load(_ path: String, overrides: [String], logger: Logger) throws -> ExperimentConfig {
    do {
      let config = try ExperimentConfig.load(contentsOf: URL(fileURLWithPath: path), overrides: overrides)
      for warning in config.warnings { logger.warning("\(warning.locatedMessage)") }
      return config
    } catch let errors as ConfigErrors {
      for e in errors.errors { logger.error("\(e)") }
      logger.error("\(errors.errors.count) problem\(errors.errors.count == 1 ? "" : "s") in \(path); nothing was run")
      throw ExitCode(2)
    }
  }
}
