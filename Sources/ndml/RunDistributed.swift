import ArgumentParser
import Foundation
import Logging
import NDMLEngine
import NDMLModel
import NDMLResults

extension RunCommand {
  /// `ndml run` as one rank of `mpirun -np K` (docs/scaling.md): every rank loads the config;
  /// rank `r` builds from the seed only the synapses onto its slice of every population and steps
  /// that slice; spikes are exchanged once per interval the shortest delay allows. Rank 0 records everything into the one results
  /// file (it holds every spike after the exchange) and the checkpoints (with every rank's state)
  /// and prints the summary, with every rank's synapses; the other ranks write nothing.
  func runDistributed(_ world: MPIWorld) throws {
    var logger = Console.logger(logging)
    logger[metadataKey: "config"] = "\(config)"
    logger[metadataKey: "rank"] = "\(world.rank) of \(world.rankCount)"
    var loaded = try ConfigLoading.load(
      config, overrides: overrides + (threads.map { ["simulation.threads=\($0)"] } ?? []), logger: logger)
    var overrides = overrides
    if let sweep = loaded.sweep {
      // A whole sweep: its points dealt out over the ranks. One point: distributed like any run.
      guard let name = point else {
        if checkpointEveryMs != nil {
          if world.rank == 0 {
            logger.error("--checkpoint-every-ms applies to one run: give it with --point, not to a whole sweep")
          }
          throw ExitCode(2)
        }
        return try runSweep(loaded, sweep, on: world, logger: logger)
      }
      guard let chosen = sweep.point(named: name) else {
        if world.rank == 0 { logger.error("\(config): the sweep has no point '\(name)'") }
        throw ExitCode(2)
      }
      overrides += chosen.overrides
      loaded = try ConfigLoading.load(
        config, overrides: overrides + (threads.map { ["simulation.threads=\($0)"] } ?? []), logger: logger)
    }
    let experiment = loaded.experiment
    var backend = limits.backend
    backend.communicator = world
    try Self.checkMemory(experiment, config: config, backend: backend, logger: logger)
    let stem = URL(fileURLWithPath: config).deletingPathExtension().lastPathComponent
    let destination = URL(fileURLWithPath: output ?? loaded.outputPath ?? "results/\(stem).h5").standardizedFileURL
    let quiet = logging.quiet || world.rank != 0
    let progress = ProgressDisplay(enabled: !quiet, durationMs: experiment.simulation.durationMs)
    // Rank 0 alone writes; a failure to open the file stops every rank before the run (RankSession).
    let writer =
      world.rank == 0
      ? newResultsWriter(
        loaded, overrides: overrides, destination: destination, backend: backend, progress: progress, logger: logger)
      : nil
    try RankSession(
      world: world, experiment: experiment, backend: backend, writer: writer, progress: progress, logger: logger,
      quiet: quiet,
      checkpoints: checkpointing(
        loaded, overrides: overrides, destination: destination, ranks: world.rankCount > 1 ? world.rankCount : nil)
    ).execute(resumeState: nil)
  }
}

/// One rank's part of a run on MPI ranks, for `ndml run` and `ndml resume`: rank 0 runs the
/// network into the results file (``RunSession``), the others run it into nothing.
struct RankSession {
  let world: MPIWorld
  let experiment: Experiment
  /// With the world as its communicator.
  let backend: CPUBackend
  /// Rank 0's results file (nil on the other ranks, or when rank 0 could not open it).
  let writer: ResultsWriter?
  let progress: ProgressDisplay
  let logger: Logger
  let quiet: Bool
  /// The checkpoint file and header (on every rank: each takes part in gathering the states at
  /// the header's interval; rank 0 writes them).
  let checkpoints: Checkpointing?

  func execute(resumeState: [UInt8]?) throws {
    if let rank = try world.firstRankNotReady(world.rank != 0 || writer != nil) {
      if rank != world.rank { logger.error("rank \(rank) could not start the run (its own message says why)") }
      throw ExitCode(1)
    }
    if let writer {
      let session = RunSession(
        experiment: experiment, backend: backend, writer: writer, progress: progress, logger: logger, quiet: quiet,
        checkpoints: checkpoints)
      let summary = try session.execute(resumeState: resumeState)
      if !quiet {
        let exchange = summary.phaseSeconds["rank_exchange"] ?? 0
        let interval = summary.exchangeIntervalSteps
        Console.out(
          "ran on \(world.rankCount) MPI rank\(world.rankCount == 1 ? "" : "s") × \(summary.threads) thread\(summary.threads == 1 ? "" : "s"): "
            + String(
              format:
                "rank 0 spent %.3f s of its %.3f s loop in %d spike exchanges (at most %d step%@ apart; waiting for the other ranks included)",
              exchange, summary.simulationSeconds, summary.spikeExchanges, interval, interval == 1 ? "" : "s"))
      }
      return
    }
    Platform.installStopHandlers()
    do {
      try backend.run(
        experiment, observer: DiscardingObserver(),
        options: RunOptions(checkpointEveryMs: checkpoints?.header.checkpointEveryMs, resumeState: resumeState))
    } catch EngineError.interrupted(let timeMs) {
      logger.error("interrupted at t = \(timeMs) ms")
      throw ExitCode(128 + (Platform.stopSignal != 0 ? Platform.stopSignal : SIGINT))
    } catch {
      logger.error("\(error)")
      throw ExitCode(1)
    }
  }
}

/// What ranks other than 0 record to: nothing (rank 0 holds every spike after the exchange and
/// samples only the neurons it steps).
final class DiscardingObserver: SimulationObserver {
  func record(spikes: SpikeChunk) throws {}
  func record(samples: StateSampleChunk) throws {}
  func record(weights: WeightSampleChunk) throws {}
  func progress(completedSteps: Int, totalSteps: Int) {}
  func shouldStop() -> Bool { Platform.stopSignal != 0 }
}
