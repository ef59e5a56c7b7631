import ArgumentParser
import Foundation
import Logging
import NDMLConfig
import NDMLEngine
import NDMLResults

/// A sweep spread over MPI ranks: `mpirun -np K ndml run SWEEP_CONFIG` (docs/sweeps.md, "On a
/// cluster"). Rank 0 prepares the index as `ndml run` does; the points still to run are dealt out
/// round-robin, each rank running its points one after the other in its own process (on
/// `simulation.threads` threads), so a job scheduler can run a large sweep on many nodes. Each
/// rank records its points' statuses in `ranks/rank-<r>.json` as it goes; at the end rank 0
/// merges them into `index.json`. A job killed midway leaves those files: the next run of the
/// sweep (with any number of ranks, or none) merges them first, so completed points are kept.
extension SweepRunner {
  /// Directory of the per-rank status files.
  static let rankDirectory = "ranks"

  func runOnRanks(_ world: MPIWorld) throws {
    let configs = try loadPoints()
    let indexURL = directory.appendingPathComponent(SweepIndex.fileName)
    var lock: SweepLock?
    defer { lock?.release() }
    var prepared = true
    if world.rank == 0 {
      do {
        try createDirectory(Self.rankDirectory)
        lock = try SweepLock(directory: directory)
        try Self.absorbRankFiles(in: directory)
        try freshIndex(configs: configs, previous: indexURL).write(to: indexURL)
      } catch {
        logger.error("\(error)")
        prepared = false
      }
    }
    if try world.firstRankNotReady(prepared) != nil { throw ExitCode(1) }
    let index = try SweepIndex.read(indexURL)
    let pending = index.points.indices.filter { index.points[$0].status != "complete" }
    let mine = pending.enumerated().filter { $0.offset % world.rankCount == world.rank }.map(\.element)
    if world.rank == 0 && !quiet {
      Console.out(
        "sweep: \(index.points.count) points in \(directory.path) (\(index.points.count - pending.count) already complete, \(pending.count) to run on \(world.rankCount) MPI ranks)"
      )
      fflush(nil)
    }
    let statusURL = directory.appendingPathComponent(Self.rankDirectory).appendingPathComponent(
      "rank-\(world.rank).json")
    var updates: [SweepIndex.Point] = []
    let configByName = Dictionary(zip(sweep.points.map(\.name), configs), uniquingKeysWith: { a, _ in a })
    Platform.installStopHandlers()
    for (k, i) in mine.enumerated() where Platform.stopSignal == 0 {
      var point = index.points[i]
      point.status = "running"
      point.log = "(stderr of MPI rank \(world.rank))"
      updates.append(point)
      try writeUpdates(updates, to: statusURL)
      let start = ContinuousClock.now
      (point.status, point.exitCode, point.message) = runInProcess(point, config: configByName[point.name]!)
      point.wallSeconds = ((ContinuousClock.now - start).secondsValue * 1000).rounded() / 1000
      updates[updates.count - 1] = point
      try writeUpdates(updates, to: statusURL)
      if !quiet {
        Console.out(
          String(
            format: "[rank %d: %d/%d] %@ %@ in %.1f s", world.rank, k + 1, mine.count, point.name, point.status,
            point.wallSeconds ?? 0))
        fflush(nil)
      }
    }
    // Also the barrier before rank 0 merges every rank's file.
    let failed = updates.filter { $0.status == "failed" }.count
    let totals = try world.sum([failed, Platform.stopSignal != 0 ? 1 : 0])
    if world.rank == 0 {
      try Self.absorbRankFiles(in: directory)
      if !quiet { Console.out("index: \(indexURL.path) (summarise with: ndml analyze \(indexURL.path))") }
    }
    if totals[1] > 0 {
      if world.rank == 0 {
        logger.error("sweep interrupted by a signal; run the same command again to continue")
      }
      throw ExitCode(128 + (Platform.stopSignal != 0 ? Platform.stopSignal : SIGINT))
    }
    if totals[0] > 0 {
      if world.rank == 0 {
        logger.error(
          "\(totals[0]) point(s) failed (their ranks' messages say why); run the same command again to rerun them")
      }
      throw ExitCode(1)
    }
  }

  /// Runs one point in this process into its results file: (status, exit code, message).
  private func runInProcess(_ point: SweepIndex.Point, config: ExperimentConfig) -> (String, Int32, String?) {
    var logger = logger
    logger[metadataKey: "point"] = "\(point.name)"
    let experiment = config.experiment
    let need = backend.estimatedMemoryBytes(experiment)
    if need >= backend.availableMemoryBytes * 0.9 {
      let message =
        "\(EngineError.insufficientMemory(estimatedBytes: need, availableBytes: backend.availableMemoryBytes, synapses: experiment.expectedSynapseCount()))"
      logger.error("\(message)")
      return ("failed", 1, message)
    }
    do {
      let writer = try ResultsWriter(
        destination: directory.appendingPathComponent(point.file), experiment: experiment,
        metadata: RunMetadata(
          configText: config.text, configPath: configPath, overrides: point.overrides, backend: backend.name),
        gzipLevel: config.gzipLevel, onProgress: { _, _ in }, shouldStop: { Platform.stopSignal != 0 })
      let session = RunSession(
        experiment: experiment, backend: backend, writer: writer,
        progress: ProgressDisplay(enabled: false, durationMs: experiment.simulation.durationMs), logger: logger,
        quiet: true, checkpoints: nil)
      try session.execute(resumeState: nil)
      return ("complete", 0, nil)
    } catch let code as ExitCode {
      return code.rawValue >= 128
        ? ("interrupted", code.rawValue, "stopped by a signal") : ("failed", code.rawValue, "see the rank's stderr")
    } catch {
      logger.error("\(error)")
      return ("failed", 1, "\(error)")
    }
  }

  private func writeUpdates(_ updates: [SweepIndex.Point], to url: URL) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    try encoder.encode(updates).write(to: url, options: .atomic)
  }

  /// Merges the per-rank status files of `directory` into its index and removes them; a point
  /// a rank left `running` (the job was killed) becomes `interrupted`.
  static func absorbRankFiles(in directory: URL) throws {
    let ranks = directory.appendingPathComponent(rankDirectory)
    let indexURL = directory.appendingPathComponent(SweepIndex.fileName)
    let files = ((try? FileManager.default.contentsOfDirectory(at: ranks, includingPropertiesForKeys: nil)) ?? [])
      .filter { $0.pathExtension == "json" }.sorted { $0.path < $1.path }
    guard !files.isEmpty, FileManager.default.fileExists(atPath: indexURL.path) else { return }
    var index = try SweepIndex.read(indexURL)
    for file in files {
      guard let data = try? Data(contentsOf: file),
        let updates = try? JSONDecoder().decode([SweepIndex.Point].self, from: data)
      else { continue }  // a file cut short by a crash: its points run again
      for var update in updates {
        guard let i = index.points.firstIndex(where: { $0.name == update.name }) else { continue }
        if update.status == "running" { update.status = "interrupted" }
        index.points[i] = update
      }
    }
    try index.write(to: indexURL)
    for file in files { try? FileManager.default.removeItem(at: file) }
  }
}
