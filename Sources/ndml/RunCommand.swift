import ArgumentParser
import Foundation
import Logging
import NDMLConfig
import NDMLEngine
import NDMLModel
import NDMLResults

/// `ndml run CONFIG`: simulates an experiment and writes its results file.
struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run", abstract: "Run an experiment config and write an HDF5 results file.")

  @Argument(help: "The experiment config (YAML).")
  var config: String

  @Option(name: .shortAndLong, help: "Results file (default: output.path of the config, else results/<config>.h5).")
  var output: String?

  @Option(name: .customLong("set"), help: "Override a config value, e.g. --set simulation.duration_ms=2000.")
  var overrides: [String] = []

  @Option(help: "Threads (overrides simulation.threads; results are identical for any count).")
  var threads: Int?

  @Option(
    help: ArgumentHelp(
      "Sweeps: points run at once, each in its own process (default: cores / threads per point).", valueName: "N"))
  var jobs: Int?

  @Option(
    help: ArgumentHelp(
      "Sweeps: run only this point (its name in the sweep's index); -o defaults to the sweep's directory.",
      valueName: "NAME"))
  var point: String?

  @Option(
    help: ArgumentHelp(
      "Write a checkpoint every T ms of biological time (continue an interrupted run with ndml resume).",
      valueName: "T"))
  var checkpointEveryMs: Double?

  @Option(help: "Checkpoint file (default: the results file's path + .ckpt).")
  var checkpoint: String?

  @OptionGroup var limits: RunLimits

  @OptionGroup var logging: LoggingOptions

  func validate() throws {
    if let t = checkpointEveryMs, !(t > 0 && t.isFinite) {
      throw ValidationError("--checkpoint-every-ms must be a positive number of ms (got \(t)).")
    }
    if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1 (got \(jobs)).") }
    if checkpoint != nil && checkpointEveryMs == nil {
      throw ValidationError("--checkpoint needs --checkpoint-every-ms (how often to write it).")
    }
  }

  func run() throws {
    if let world = try MPIWorld.startIfLaunched() {  // under mpirun: docs/scaling.md
      defer { world.finish() }
      return try runDistributed(world)
    }
    var logger = Console.logger(logging)
    logger[metadataKey: "config"] = "\(config)"
    let threadOverride = threads.map { ["simulation.threads=\($0)"] } ?? []
    var loaded = try ConfigLoading.load(config, overrides: overrides + threadOverride, logger: logger)
    let backend = limits.backend
    let stem = URL(fileURLWithPath: config).deletingPathExtension().lastPathComponent
    var overrides = overrides
    var defaultOutput = loaded.outputPath ?? "results/\(stem).h5"
    if let sweep = loaded.sweep {
      let directory = URL(fileURLWithPath: sweep.directory ?? "results/\(stem)").standardizedFileURL
      guard let name = point else {
        return try runSweep(loaded, sweep, directory: directory, backend: backend, logger: logger)
      }
      guard let chosen = sweep.point(named: name) else {
        logger.error(
          "\(config): the sweep has no point '\(name)'; its points: \(sweep.points.prefix(10).map(\.name).joined(separator: ", "))\(sweep.points.count > 10 ? ", …" : "")"
        )
        throw ExitCode(2)
      }
      overrides += chosen.overrides
      loaded = try ConfigLoading.load(config, overrides: overrides + threadOverride, logger: logger)
      defaultOutput = directory.appendingPathComponent("\(name).h5").path
    } else if point != nil {
      logger.error("\(config): --point needs a config with a `sweep:` section")
      throw ExitCode(2)
    }
    let experiment = loaded.experiment
    try Self.checkMemory(experiment, config: config, backend: backend, logger: logger)
    let destination = URL(fileURLWithPath: output ?? defaultOutput).standardizedFileURL
    let progress = ProgressDisplay(enabled: !logging.quiet, durationMs: experiment.simulation.durationMs)
    guard
      let writer = newResultsWriter(
        loaded, overrides: overrides, destination: destination, backend: backend, progress: progress, logger: logger)
    else { throw ExitCode(1) }
    try RunSession(
      experiment: experiment, backend: backend, writer: writer, progress: progress, logger: logger,
      quiet: logging.quiet,
      checkpoints: checkpointing(loaded, overrides: overrides, destination: destination, ranks: nil)
    ).execute(resumeState: nil)
  }

  /// The results file of a new run (its `.partial` file until it completes), with the disk
  /// reserve and a warning when the disk looks too small; nil after logging why it cannot be made.
  func newResultsWriter(
    _ loaded: ExperimentConfig, overrides: [String], destination: URL, backend: CPUBackend,
    progress: ProgressDisplay, logger: Logger
  ) -> ResultsWriter? {
    do {
      let writer = try ResultsWriter(
        destination: destination, experiment: loaded.experiment,
        metadata: RunMetadata(configText: loaded.text, configPath: config, overrides: overrides, backend: backend.name),
        gzipLevel: loaded.gzipLevel, onProgress: progress.update, shouldStop: { Platform.stopSignal != 0 })
      writer.diskReserveBytes = limits.diskReserveMb << 20
      limits.warnAboutDisk(loaded.experiment, destination: destination, logger: logger)
      return writer
    } catch {
      logger.error("\(error)")
      return nil
    }
  }

  /// Where and how the run writes checkpoints (nil without `--checkpoint-every-ms`); `ranks`: the
  /// MPI rank count of a run on more than one rank.
  func checkpointing(_ loaded: ExperimentConfig, overrides: [String], destination: URL, ranks: Int?) -> Checkpointing? {
    guard let every = checkpointEveryMs else { return nil }
    return Checkpointing(
      url: URL(fileURLWithPath: checkpoint ?? destination.path + ".ckpt"),
      header: CheckpointHeader(
        ndmlVersion: NDMLVersion.current, build: CheckpointFile.buildID,
        configPath: URL(fileURLWithPath: config).standardizedFileURL.path,
        configHash: CheckpointFile.configHash(text: loaded.text, overrides: overrides), overrides: overrides,
        resultsPath: destination.path, step: 0, timeMs: 0, checkpointEveryMs: every,
        threads: loaded.experiment.simulation.threads, resultsRows: [:], ranks: ranks))
  }

  /// Runs every point of the config's sweep over MPI ranks (``SweepRunner/runOnRanks(_:)``).
  func runSweep(_ loaded: ExperimentConfig, _ sweep: SweepSpec, on world: MPIWorld, logger: Logger) throws {
    var logger = logger
    if world.rank != 0 { logger.logLevel = .error }
    let stem = URL(fileURLWithPath: config).deletingPathExtension().lastPathComponent
    let directory = URL(fileURLWithPath: output ?? sweep.directory ?? "results/\(stem)").standardizedFileURL
    let runner = SweepRunner(
      configPath: config, config: loaded, sweep: sweep, overrides: overrides, directory: directory, jobs: 1,
      workerArguments: [], backend: limits.backend, logger: logger, quiet: logging.quiet)
    do {
      try runner.runOnRanks(world)
    } catch let code as ExitCode {
      throw code
    } catch {
      logger.error("\(error)")
      throw ExitCode(1)
    }
  }

  /// Runs every point of the config's sweep in worker processes (``SweepRunner``).
  private func runSweep(
    _ loaded: ExperimentConfig, _ sweep: SweepSpec, directory: URL, backend: CPUBackend, logger: Logger
  ) throws {
    if checkpointEveryMs != nil {
      logger.error("--checkpoint-every-ms applies to one run: give it with --point, not to a whole sweep")
      throw ExitCode(2)
    }
    let perPointThreads = max(1, loaded.experiment.simulation.threads)
    var workerArguments = threads.map { ["--threads", "\($0)"] } ?? []
    if let m = limits.maxMemory { workerArguments += ["--max-memory", m] }
    workerArguments += ["--disk-reserve-mb", "\(limits.diskReserveMb)"]
    if logging.verbose { workerArguments.append("--verbose") }
    let runner = SweepRunner(
      configPath: config, config: loaded, sweep: sweep, overrides: overrides,
      directory: output.map { URL(fileURLWithPath: $0).standardizedFileURL } ?? directory,
      jobs: jobs ?? max(1, ProcessInfo.processInfo.activeProcessorCount / perPointThreads),
      workerArguments: workerArguments, backend: backend, logger: logger, quiet: logging.quiet)
    do {
      try runner.run()
    } catch let code as ExitCode {
      throw code
    } catch {
      logger.error("\(error)")
      throw ExitCode(1)
    }
  }

  /// Refuses a network whose memory estimate exceeds the machine's, before anything is allocated.
  static func checkMemory(_ experiment: Experiment, config: String, backend: CPUBackend, logger: Logger) throws {
    let need = backend.estimatedMemoryBytes(experiment)
    logger.debug("estimated memory \(formatBytes(need)) of \(formatBytes(backend.availableMemoryBytes))")
    if need >= backend.availableMemoryBytes * 0.9 {
      logger.error(
        "\(config): populations: \(EngineError.insufficientMemory(estimatedBytes: need, availableBytes: backend.availableMemoryBytes, synapses: experiment.expectedSynapseCount()))"
      )
      throw ExitCode(1)
    }
  }
}

/// Prints the end-of-run summary: spikes and rates per population, timing, synapses.
enum RunSummaryPrinter {
  static func print(_ s: RunSummary, experiment: Experiment, wallSeconds: Double) {
    let seconds = experiment.simulation.durationMs / 1000
    if let step = s.resumedFromStep {
      Console.out(
        "resumed at t = \(Double(step) * experiment.simulation.dtMs) ms (spike counts cover the whole run, times this part)"
      )
    }
    Console.out("population        neurons      spikes   rate (Hz)")
    for (name, size, spikes) in s.spikeCounts {
      let rate = Double(spikes) / Double(size) / seconds
      Console.out(
        name.padding(toLength: 16, withPad: " ", startingAt: 0) + String(format: "%9d %11d %11.3f", size, spikes, rate))
    }
    Console.out(
      String(
        format: "simulated %.1f ms in %.3f s (loop %.3f s on %d thread%@, build %.3f s): real-time factor %.3g",
        experiment.simulation.durationMs, wallSeconds, s.simulationSeconds, s.threads, s.threads == 1 ? "" : "s",
        s.buildSeconds, s.simulationSeconds / seconds))
    Console.out(
      String(
        format: "%d synapses (%.1f B each), %.3g synaptic events (%.3g events/s)", s.synapseCount,
        s.synapseCount > 0 ? Double(s.synapseBytes) / Double(s.synapseCount) : 0, Double(s.synapticEvents),
        Double(s.synapticEvents) / max(s.simulationSeconds, 1e-9)))
    if !s.rankSynapseCounts.isEmpty {
      Console.out(
        "synapses per MPI rank (those onto its own neurons): "
          + zip(s.rankSynapseCounts, s.rankSynapseBytes).enumerated().map { rank, held in
            String(format: "rank %d %d (%.1f MiB)", rank, held.0, Double(held.1) / 1_048_576)
          }.joined(separator: ", "))
    }
    if s.plasticSynapseCount > 0 {
      Console.out(
        String(
          format: "%d plastic synapses (%.1f B each, plus per-neuron row offsets and traces)", s.plasticSynapseCount,
          Double(s.plasticSynapseBytes) / Double(s.plasticSynapseCount)))
    }
  }
}

extension Duration {
  /// The duration in seconds.
  var secondsValue: Double {
    let (s, atto) = components
    return Double(s) + Double(atto) * 1e-18
  }
}
