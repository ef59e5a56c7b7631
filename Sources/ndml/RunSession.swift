import ArgumentParser
import Foundation
import Logging
import NDMLEngine
import NDMLModel
import NDMLResults

/// Where and how a run writes its checkpoints: the file, and the header fields fixed for the run
/// (step, time and dataset rows are filled in at each checkpoint).
struct Checkpointing {
  let url: URL
  var header: CheckpointHeader

  /// The command that continues the run from this checkpoint.
  var resumeCommand: String {
    let launcher = header.ranks.map { "mpirun -np \($0) " } ?? ""
    return launcher + "ndml resume \(url.path)"
  }
}

/// Runs a loaded experiment into a results writer and handles the outcome the same way for
/// `ndml run` and `ndml resume`: summary on success, `interrupted` or `failed` status otherwise,
/// checkpoints written as the run goes and removed once it completes.
struct RunSession {
  let experiment: Experiment
  let backend: CPUBackend
  let writer: ResultsWriter
  let progress: ProgressDisplay
  let logger: Logger
  let quiet: Bool
  let checkpoints: Checkpointing?

  /// Runs to the end; returns the summary (also printed unless quiet).
  @discardableResult
  func execute(resumeState: [UInt8]?) throws -> RunSummary {
    if let checkpoints {
      let logger = logger
      let dt = experiment.simulation.dtMs
      writer.onCheckpoint = { step, state, positions in
        var header = checkpoints.header
        header.step = step
        header.timeMs = Double(step) * dt
        header.resultsRows = positions.mapValues(\.rows)
        header.threads = experiment.simulation.threads
        try CheckpointFile.write(
          header: header, state: state, tails: positions.mapValues(\.tail), to: checkpoints.url)
        logger.debug(
          "checkpoint at t = \(header.timeMs) ms: \(checkpoints.url.path) (\(formatBytes(Double(state.count))))")
      }
    }
    logger.debug("writing to \(writer.partialURL.path) until the run completes")
    Platform.installStopHandlers()
    let start = ContinuousClock.now
    let summary: RunSummary
    let options = RunOptions(checkpointEveryMs: checkpoints?.header.checkpointEveryMs, resumeState: resumeState)
    do {
      summary = try backend.run(experiment, observer: writer, options: options)
      if let reason = summary.threadLimit {
        logger.warning("ran on \(summary.threads) thread(s) instead of \(experiment.simulation.threads): \(reason)")
      }
      progress.finish()
      try writer.finish(summary: summary, wallSeconds: (ContinuousClock.now - start).secondsValue)
    } catch EngineError.interrupted(let timeMs) {
      progress.finish()
      writer.abandon(reason: "interrupted by signal \(Platform.stopSignal) at t = \(timeMs) ms", interrupted: true)
      logger.error("interrupted at t = \(timeMs) ms by signal \(Platform.stopSignal)")
      logger.error("the results up to there (status 'interrupted') are in \(writer.partialURL.path)")
      if let checkpoints { logger.error("continue with: \(checkpoints.resumeCommand)") }
      throw ExitCode(128 + Platform.stopSignal)
    } catch {
      progress.finish()
      writer.abandon(reason: "\(error)")
      logger.error("\(error)")
      logger.error("the partial results (status 'failed') are in \(writer.partialURL.path)")
      throw ExitCode(1)
    }
    if let checkpoints { try? FileManager.default.removeItem(at: checkpoints.url) }
    if !quiet {
      RunSummaryPrinter.print(summary, experiment: experiment, wallSeconds: (ContinuousClock.now - start).secondsValue)
      Console.out("results: \(writer.destination.path)")
    }
    return summary
  }
}
