import ArgumentParser
import Foundation
import Logging
import NDMLConfig
import NDMLEngine
import NDMLModel
import NDMLResults

#if canImport(Glibc)
  import Glibc
#endif

/// Runs the points of a sweep (`sweep:` in a config) as worker processes — `ndml run CONFIG
/// --point NAME` — at most `jobs` at a time, keeping `<directory>/index.json` current. Points
/// already complete with an unchanged config are not rerun, so an interrupted or extended sweep
/// continues where it stopped (`docs/sweeps.md`).
struct SweepRunner {
  let configPath: String
  let config: ExperimentConfig
  let sweep: SweepSpec
  /// The run's own `--set` overrides (applied to every point, before the point's).
  let overrides: [String]
  let directory: URL
  let jobs: Int
  /// Extra arguments for every worker (`--threads`, limits).
  let workerArguments: [String]
  let backend: CPUBackend
  let logger: Logger
  let quiet: Bool

  /// The point's config: the run's overrides, then the point's.
  func pointConfig(_ point: SweepPoint) throws -> ExperimentConfig {
    try ExperimentConfig.load(contentsOf: URL(fileURLWithPath: configPath), overrides: overrides + point.overrides)
  }

  /// Every point's config; a point that does not load (a key that does not exist, a bad value)
  /// stops the sweep before anything runs (exit 2), each problem logged with the point's name.
  func loadPoints() throws -> [ExperimentConfig] {
    var configs: [ExperimentConfig] = []
    var problems: [String] = []
    for point in sweep.points {
      do {
        configs.append(try pointConfig(point))
      } catch let errors as ConfigErrors {
        problems += errors.errors.map { "sweep point \(point.name): \($0)" }
      }
    }
    guard problems.isEmpty else {
      for p in problems.prefix(20) { logger.error("\(p)") }
      if problems.count > 20 { logger.error("… and \(problems.count - 20) more") }
      logger.error("\(configPath): the sweep's points do not load; nothing was run")
      throw ExitCode(2)
    }
    return configs
  }

  func run() throws {
    let configs = try loadPoints()
    try createDirectory("logs")
    let lock = try SweepLock(directory: directory)
    defer { lock.release() }
    try Self.absorbRankFiles(in: directory)  // left by a sweep over MPI ranks that was killed
    let indexURL = directory.appendingPathComponent(SweepIndex.fileName)
    var index = try freshIndex(configs: configs, previous: indexURL)
    try index.write(to: indexURL)
    let pending = index.points.indices.filter { index.points[$0].status != "complete" }
    let reused = index.points.count - pending.count
    var jobs = min(jobs, max(1, pending.count))
    // Points too big on their own are refused by their worker at once; the rest share the memory.
    let limit = backend.availableMemoryBytes * 0.9
    let perPoint = configs.map { backend.estimatedMemoryBytes($0.experiment) }.filter { $0 < limit }.max() ?? 0
    if perPoint > 0, Double(jobs) * perPoint >= limit {
      let fit = max(1, Int(limit / perPoint))
      if fit < jobs {
        logger.warning(
          "\(jobs) jobs would need \(formatBytes(Double(jobs) * perPoint)) (\(formatBytes(perPoint)) each); running \(fit) at a time"
        )
        jobs = fit
      }
    }
    if !quiet {
      Console.out(
        "sweep: \(index.points.count) points in \(directory.path) (\(reused) already complete, \(pending.count) to run, \(jobs) at a time)"
      )
      fflush(nil)  // all streams: progress reaches a log file or pipe at once
    }
    Platform.installStopHandlers()
    var queue = pending[...]
    var running: [(process: Process, point: Int, start: ContinuousClock.Instant)] = []
    var finished = 0
    while !queue.isEmpty || !running.isEmpty {
      while running.count < jobs, let i = queue.first, Platform.stopSignal == 0 {
        queue.removeFirst()
        do {
          running.append((try launch(index.points[i]), i, .now))
          index.points[i].status = "running"
        } catch {
          index.points[i].status = "failed"
          index.points[i].message = "could not start the worker: \(error)"
          logger.error("sweep point \(index.points[i].name): could not start the worker: \(error)")
        }
        try index.write(to: indexURL)
      }
      if Platform.stopSignal != 0 {
        queue.removeAll()
        for r in running where r.process.isRunning { r.process.terminate() }
      }
      usleep(20_000)
      var stillRunning: [(process: Process, point: Int, start: ContinuousClock.Instant)] = []
      for r in running {
        if r.process.isRunning {
          stillRunning.append(r)
          continue
        }
        finished += 1
        let seconds = (ContinuousClock.now - r.start).secondsValue
        record(r.process, seconds: seconds, into: &index.points[r.point])
        try index.write(to: indexURL)
        let p = index.points[r.point]
        if !quiet {
          Console.out(
            String(
              format: "[%d/%d] %@ %@ in %.1f s%@", finished, pending.count, p.name, p.status, seconds,
              p.status == "complete" ? "" : " (log: \(directory.appendingPathComponent(p.log).path))"))
          fflush(nil)  // all streams: progress reaches a log file or pipe at once
        }
      }
      running = stillRunning
    }
    let failed = index.points.filter { $0.status == "failed" }
    if Platform.stopSignal != 0 {
      logger.error(
        "sweep interrupted by signal \(Platform.stopSignal): \(index.points.filter { $0.status == "complete" }.count) of \(index.points.count) points complete; run the same command again to continue"
      )
      throw ExitCode(128 + Platform.stopSignal)
    }
    for p in failed {
      logger.error(
        "sweep point \(p.name) failed (exit \(p.exitCode ?? -1)): \(p.message ?? "see its log") — \(directory.appendingPathComponent(p.log).path)"
      )
    }
    if !quiet {
      Console.out("index: \(indexURL.path) (summarise with: ndml analyze \(indexURL.path))")
    }
    if !failed.isEmpty {
      logger.error(
        "\(failed.count) of \(index.points.count) points failed; fix and run the same command again to rerun them")
      throw ExitCode(1)
    }
  }

  /// Creates `subdirectory` of the sweep's directory (and the directory).
  func createDirectory(_ subdirectory: String) throws {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), !isDirectory.boolValue {
      throw CommandError(
        "\(directory.path): is a file, not a directory: a sweep writes a directory of results files; "
          + "choose another path with -o or sweep.directory")
    }
    do {
      try FileManager.default.createDirectory(
        at: directory.appendingPathComponent(subdirectory), withIntermediateDirectories: true)
    } catch {
      throw CommandError(
        "\(directory.path): cannot be created as the sweep's directory (\(error.localizedDescription)); "
          + "choose another with -o or sweep.directory")
    }
  }

  /// The index for this run: the spec's points, each `complete` if an earlier run of the same
  /// point (same fingerprint, file present) completed, else `pending`.
  func freshIndex(configs: [ExperimentConfig], previous url: URL) throws -> SweepIndex {
    let old = FileManager.default.fileExists(atPath: url.path) ? try SweepIndex.read(url) : nil
    let oldPoints = Dictionary((old?.points ?? []).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    var points: [SweepIndex.Point] = []
    for (point, config) in zip(sweep.points, configs) {
      var entry = SweepIndex.Point(
        name: point.name,
        parameters: Dictionary(point.parameters.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }),
        overrides: overrides + point.overrides, file: "\(point.name).h5", log: "logs/\(point.name).log",
        status: "pending", fingerprint: config.fingerprint)
      if let before = oldPoints[point.name], before.status == "complete" {
        let present = FileManager.default.fileExists(atPath: directory.appendingPathComponent(before.file).path)
        if before.fingerprint == config.fingerprint && present {
          entry = before
        } else {
          logger.info(
            "sweep point \(point.name): \(present ? "its config changed since it ran" : "its results file is missing"); running it again"
          )
        }
      }
      points.append(entry)
    }
    let dropped = Set(oldPoints.keys).subtracting(sweep.points.map(\.name))
    if !dropped.isEmpty {
      logger.warning(
        "the sweep no longer has \(dropped.count) point(s) of the previous index (\(dropped.sorted().prefix(5).joined(separator: ", "))\(dropped.count > 5 ? ", …" : "")); their files are left in place"
      )
    }
    return SweepIndex(
      config: configPath, overrides: overrides, ndmlVersion: NDMLVersion.current,
      axes: sweep.axes.map { .init(name: $0.name, values: $0.labels) }, points: points)
  }

  /// Starts `ndml run CONFIG --point NAME -o FILE`, its output going to the point's log.
  private func launch(_ point: SweepIndex.Point) throws -> Process {
    let process = Process()
    process.executableURL = Self.executable
    process.arguments =
      ["run", configPath, "--point", point.name, "-o", directory.appendingPathComponent(point.file).path]
      + overrides.flatMap { ["--set", $0] } + workerArguments
    let logURL = directory.appendingPathComponent(point.log)
    FileManager.default.createFile(atPath: logURL.path, contents: nil)
    let log = try FileHandle(forWritingTo: logURL)
    process.standardOutput = log
    process.standardError = log
    process.standardInput = FileHandle.nullDevice
    try process.run()
    try? log.close()
    return process
  }

  /// Sets a finished point's status from its worker's exit and log.
  private func record(_ process: Process, seconds: Double, into point: inout SweepIndex.Point) {
    point.exitCode = process.terminationStatus
    point.wallSeconds = (seconds * 1000).rounded() / 1000
    let log = (try? String(contentsOf: directory.appendingPathComponent(point.log), encoding: .utf8)) ?? ""
    let errorLine = log.split(separator: "\n").last { $0.contains("error") }.map(String.init)
    if process.terminationReason == .exit && process.terminationStatus == 0 {
      point.status = "complete"
      point.message = nil
    } else if Platform.stopSignal != 0 || process.terminationReason == .uncaughtSignal
      || (128..<160).contains(process.terminationStatus)
    {
      point.status = "interrupted"
      point.message = errorLine ?? "stopped by a signal"
    } else {
      point.status = "failed"
      point.message = errorLine ?? "exit status \(process.terminationStatus)"
    }
  }

  /// This program (workers run the same binary).
  static var executable: URL {
    let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    if FileManager.default.isExecutableFile(atPath: me.path) { return me }
    return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
  }
}

/// An exclusive lock on a sweep directory (`flock` on `.lock`), so that two `ndml run`s of the
/// same sweep cannot both launch its points.
struct SweepLock {
  private let fd: Int32

  init(directory: URL) throws {
    let path = directory.appendingPathComponent(".lock").path
    fd = open(path, O_CREAT | O_RDWR, 0o644)
    guard fd >= 0 else { throw CommandError("\(path): cannot create the sweep's lock file (errno \(errno))") }
    guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
      close(fd)
      throw CommandError(
        "\(directory.path): another ndml run is working on this sweep; wait for it to finish (or stop it) first")
    }
  }

  func release() {
    flock(fd, LOCK_UN)
    close(fd)
  }
}
