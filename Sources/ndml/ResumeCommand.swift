import ArgumentParser
import Foundation
import NDMLEngine
import NDMLModel
import NDMLResults

/// `ndml resume CHECKPOINT`: continues a run from its last checkpoint into the same results file.
struct ResumeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "resume",
    abstract: "Continue an interrupted run from its checkpoint (written by ndml run --checkpoint-every-ms).",
    discussion: """
      The run continues from the checkpoint's time into the same results file (its .partial file
      is cut back to the checkpoint), and its results are bit-identical to an uninterrupted run,
      whatever the thread count of either. The config file must be unchanged and the ndml build the
      same as when the checkpoint was written; otherwise the resume is refused.
      """)

  @Argument(help: "The checkpoint file (default name: <results>.h5.ckpt).")
  var checkpoint: String

  @Option(help: "Threads (results are identical for any count).")
  var threads: Int?

  @Option(
    help: ArgumentHelp("Checkpoint interval in ms from here on (default: the run's).", valueName: "T"))
  var checkpointEveryMs: Double?

  @OptionGroup var limits: RunLimits

  @OptionGroup var logging: LoggingOptions

  func validate() throws {
    if let t = checkpointEveryMs, !(t > 0 && t.isFinite) {
      throw ValidationError("--checkpoint-every-ms must be a positive number of ms (got \(t)).")
    }
  }

  func run() throws {
    var logger = Console.logger(logging)
    logger[metadataKey: "checkpoint"] = "\(checkpoint)"
    if MPIWorld.isLaunched {  // every rank would run the whole network into the same file
      logger.error(
        "ndml resume does not run under mpirun: a checkpoint holds one process's whole state; run it without mpirun")
      throw ExitCode(1)
    }
    let url = URL(fileURLWithPath: checkpoint)
    let header: CheckpointHeader
    let state: [UInt8]
    let tails: [String: [UInt8]]
    do {
      (header, state, tails) = try CheckpointFile.read(url)
      guard header.build == CheckpointFile.buildID else {
        throw CheckpointError.incompatible(
          path: checkpoint,
          reason: "it was written by ndml build \(header.build) (NDML \(header.ndmlVersion)), this is build "
            + "\(CheckpointFile.buildID); results are bit-identical only with the same build: resume with that "
            + "ndml, or rerun from the start")
      }
      guard FileManager.default.fileExists(atPath: header.configPath) else {
        throw CheckpointError.incompatible(
          path: checkpoint, reason: "its config \(header.configPath) no longer exists; put it back unchanged")
      }
    } catch {
      logger.error("\(error)")
      throw ExitCode(1)
    }
    let loaded = try ConfigLoading.load(
      header.configPath, overrides: header.overrides + (threads.map { ["simulation.threads=\($0)"] } ?? []),
      logger: logger)
    guard CheckpointFile.configHash(text: loaded.text, overrides: header.overrides) == header.configHash else {
      logger.error(
        "\(CheckpointError.incompatible(path: checkpoint, reason: "its config \(header.configPath) changed since the checkpoint was written; restore it, or rerun from the start"))"
      )
      throw ExitCode(1)
    }
    let experiment = loaded.experiment
    let backend = limits.backend
    try RunCommand.checkMemory(experiment, config: header.configPath, backend: backend, logger: logger)
    let destination = URL(fileURLWithPath: header.resultsPath)
    let progress = ProgressDisplay(enabled: !logging.quiet, durationMs: experiment.simulation.durationMs)
    let writer: ResultsWriter
    do {
      writer = try ResultsWriter(
        resuming: destination, experiment: experiment,
        positions: header.resultsRows.reduce(into: [:]) {
          $0[$1.key] = DatasetPosition(rows: $1.value, tail: tails[$1.key] ?? [])
        },
        gzipLevel: loaded.gzipLevel,
        onProgress: progress.update, shouldStop: { Platform.stopSignal != 0 })
    } catch {
      logger.error("\(error)")
      throw ExitCode(1)
    }
    writer.diskReserveBytes = limits.diskReserveMb << 20
    limits.warnAboutDisk(experiment, destination: destination, logger: logger)
    if !logging.quiet {
      Console.out("resuming \(header.configPath) at t = \(header.timeMs) ms into \(writer.partialURL.path)")
    }
    var checkpoints = Checkpointing(url: url, header: header)
    checkpoints.header.checkpointEveryMs = checkpointEveryMs ?? header.checkpointEveryMs
    try RunSession(
      experiment: experiment, backend: backend, writer: writer, progress: progress, logger: logger,
      quiet: logging.quiet, checkpoints: checkpoints
    ).execute(resumeState: state)
  }
}
