import ArgumentParser
import Foundation
import Logging
import NDMLConfig
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

      A run on MPI ranks (mpirun -np K ndml run --checkpoint-every-ms T) resumes on as many ranks
      and threads per rank: mpirun -np K ndml resume CHECKPOINT (every rank reads the checkpoint;
      rank 0 writes the results file). Other counts are refused, naming both.
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
    let world = try MPIWorld.startIfLaunched()
    defer { world?.finish() }
    var logger = Console.logger(logging)
    logger[metadataKey: "checkpoint"] = "\(checkpoint)"
    if let world { logger[metadataKey: "rank"] = "\(world.rank) of \(world.rankCount)" }
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
      try checkRanks(header, world: world)
    } catch {
      logger.error("\(error)")
      throw ExitCode(1)
    }
    // Ranks resume on the threads that wrote the checkpoint (checked above); one process on any.
    let resumeThreads = (header.ranks ?? 1) > 1 ? threads ?? header.threads : threads
    let loaded = try ConfigLoading.load(
      header.configPath, overrides: header.overrides + (resumeThreads.map { ["simulation.threads=\($0)"] } ?? []),
      logger: logger)
    guard CheckpointFile.configHash(text: loaded.text, overrides: header.overrides) == header.configHash else {
      logger.error(
        "\(CheckpointError.incompatible(path: checkpoint, reason: "its config \(header.configPath) changed since the checkpoint was written; restore it, or rerun from the start"))"
      )
      throw ExitCode(1)
    }
    let experiment = loaded.experiment
    var backend = limits.backend
    backend.communicator = world
    try RunCommand.checkMemory(experiment, config: header.configPath, backend: backend, logger: logger)
    let quiet = logging.quiet || (world?.rank ?? 0) != 0
    let progress = ProgressDisplay(enabled: !quiet, durationMs: experiment.simulation.durationMs)
    var checkpoints = Checkpointing(url: url, header: header)
    checkpoints.header.checkpointEveryMs = checkpointEveryMs ?? header.checkpointEveryMs
    if let world {
      // Rank 0 alone opens the results file (HDF5's lock keeps it to one process); every rank has
      // read the checkpoint and takes its own part of the state.
      let writer = world.rank == 0 ? openWriter(header, tails, experiment, loaded, progress, logger) : nil
      if !quiet, writer != nil {
        Console.out(
          "resuming \(header.configPath) on \(world.rankCount) MPI ranks at t = \(header.timeMs) ms into \(writer!.partialURL.path)"
        )
      }
      return try RankSession(
        world: world, experiment: experiment, backend: backend, writer: writer, progress: progress, logger: logger,
        quiet: quiet, checkpoints: checkpoints
      ).execute(resumeState: state)
    }
    guard let writer = openWriter(header, tails, experiment, loaded, progress, logger) else { throw ExitCode(1) }
    if !logging.quiet {
      Console.out("resuming \(header.configPath) at t = \(header.timeMs) ms into \(writer.partialURL.path)")
    }
    try RunSession(
      experiment: experiment, backend: backend, writer: writer, progress: progress, logger: logger,
      quiet: logging.quiet, checkpoints: checkpoints
    ).execute(resumeState: state)
  }

  /// Refuses a checkpoint written by another number of MPI ranks (one process counts as one), or
  /// on ranks with other threads per rank (the neurons' partition depends on both).
  private func checkRanks(_ header: CheckpointHeader, world: MPIWorld?) throws {
    let written = header.ranks ?? 1
    let running = world?.rankCount ?? 1
    func describe(_ ranks: Int) -> String { ranks == 1 ? "one process" : "\(ranks) MPI ranks" }
    guard written == running else {
      let fix =
        written == 1
        ? "resume it without mpirun: ndml resume \(checkpoint)"
        : "resume it with mpirun -np \(written) ndml resume \(checkpoint)"
      throw CheckpointError.incompatible(
        path: checkpoint,
        reason: "it was written by \(describe(written))\(written > 1 ? " × \(header.threads) thread(s)" : ""), "
          + "this is \(describe(running)); each rank's state covers its own neurons: \(fix)")
    }
    if written > 1, let threads, threads != header.threads {
      throw CheckpointError.incompatible(
        path: checkpoint,
        reason: "it was written by \(written) MPI ranks × \(header.threads) thread(s), --threads asks for \(threads); "
          + "each rank's state covers its own neurons, split over its threads: drop --threads or give "
          + "--threads \(header.threads)")
    }
  }

  /// The results file of the checkpointed run, cut back to the checkpoint (nil after logging why not).
  private func openWriter(
    _ header: CheckpointHeader, _ tails: [String: [UInt8]], _ experiment: Experiment, _ loaded: ExperimentConfig,
    _ progress: ProgressDisplay, _ logger: Logger
  ) -> ResultsWriter? {
    let destination = URL(fileURLWithPath: header.resultsPath)
    do {
      let writer = try ResultsWriter(
        resuming: destination, experiment: experiment,
        positions: header.resultsRows.reduce(into: [:]) {
          $0[$1.key] = DatasetPosition(rows: $1.value, tail: tails[$1.key] ?? [])
        },
        gzipLevel: loaded.gzipLevel,
        onProgress: progress.update, shouldStop: { Platform.stopSignal != 0 })
      writer.diskReserveBytes = limits.diskReserveMb << 20
      limits.warnAboutDisk(experiment, destination: destination, logger: logger)
      return writer
    } catch {
      logger.error("\(error)")
      return nil
    }
  }
}
