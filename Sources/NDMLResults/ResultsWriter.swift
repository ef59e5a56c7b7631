import Foundation
import NDMLHDF5
import NDMLModel

#if canImport(Glibc)
  import Glibc
#endif

/// What a results file records about its run besides the data (the `/ndml` group).
public struct RunMetadata: Sendable {
  /// The config file's text, exactly as read.
  public var configText: String
  /// The config file's path as given.
  public var configPath: String
  /// `--set` overrides applied on top of the file.
  public var overrides: [String]
  /// Backend name (`cpu`).
  public var backend: String

  /// Creates metadata.
  public init(configText: String, configPath: String, overrides: [String], backend: String) {
    self.configText = configText
    self.configPath = configPath
    self.overrides = overrides
    self.backend = backend
  }
}

/// Streams a run's recorded data into a SONATA-layout HDF5 file (layout: `docs/results-format.md`).
///
/// The file is written under a temporary name beside the destination (`<name>.partial`) with
/// `/ndml.status = "running"`; ``finish(summary:wallSeconds:)`` writes the wall time and `status = "complete"`
/// last, closes the file and renames it over the destination. A run that dies leaves only the
/// `.partial` file, marked `running`; an existing file at the destination is never touched before
/// the final rename.
public final class ResultsWriter: SimulationObserver {
  /// Where the finished file will be.
  public let destination: URL
  /// Where the file is written while the run lasts.
  public let partialURL: URL
  private let file: HDF5File
  private let ndml: HDF5Group
  private var spikeTimes: [String: HDF5ExtendableDataset<Double>] = [:]
  private var spikeIDs: [String: HDF5ExtendableDataset<UInt64>] = [:]
  private var reports: [String: HDF5ExtendableDataset<Float>] = [:]
  private var traceReports: [String: HDF5ExtendableDataset<Float>] = [:]
  private var plateauTimes: [String: HDF5ExtendableDataset<Double>] = [:]
  private var plateauIDs: [String: HDF5ExtendableDataset<UInt64>] = [:]
  /// Per weight recording: (time, weights, histogram) datasets, created with the first chunk.
  private var weightSets:
    [Int: (
      time: HDF5ExtendableDataset<Double>, weights: HDF5ExtendableDataset<Double>,
      histogram: HDF5ExtendableDataset<UInt64>
    )] =
      [:]
  private let gzip: Int?
  private let plan: RecordingPlan
  private let onProgress: (Int, Int) -> Void
  private let stopRequested: () -> Bool
  /// Where each dataset stood at the checkpoint being resumed (nil: a new file).
  private let resumedPositions: [String: DatasetPosition]?
  /// Every extendable dataset's position, by path: where a checkpoint's data ends.
  private var positionReaders: [String: () -> DatasetPosition] = [:]
  /// Called by ``checkpoint(step:state:)`` once the file is flushed, with the engine state and
  /// every dataset's position (``positions``); the caller stores them (`CheckpointFile` of NDMLEngine).
  public var onCheckpoint: ((_ step: Int, _ state: [UInt8], _ positions: [String: DatasetPosition]) throws -> Void)?

  /// Creates the partial file and writes everything known before the run (metadata, layout).
  public convenience init(
    destination: URL, experiment: Experiment, metadata: RunMetadata, gzipLevel: Int,
    onProgress: @escaping (Int, Int) -> Void = { _, _ in }, shouldStop: @escaping () -> Bool = { false }
  ) throws {
    try self.init(
      destination: destination, experiment: experiment, metadata: metadata, gzipLevel: gzipLevel, resumedPositions: nil,
      onProgress: onProgress, shouldStop: shouldStop)
  }

  /// Reopens the partial file of an interrupted run (`<destination>.partial`) and puts every
  /// dataset back to where a checkpoint recorded it (``positions``), so that the resumed run
  /// appends exactly where the checkpoint's state is; the file is marked `running` again.
  public convenience init(
    resuming destination: URL, experiment: Experiment, positions: [String: DatasetPosition], gzipLevel: Int,
    onProgress: @escaping (Int, Int) -> Void = { _, _ in }, shouldStop: @escaping () -> Bool = { false }
  ) throws {
    try self.init(
      destination: destination, experiment: experiment, metadata: nil, gzipLevel: gzipLevel,
      resumedPositions: positions,
      onProgress: onProgress, shouldStop: shouldStop)
  }

  private init(
    destination: URL, experiment: Experiment, metadata: RunMetadata?, gzipLevel: Int,
    resumedPositions: [String: DatasetPosition]?,
    onProgress: @escaping (Int, Int) -> Void, shouldStop: @escaping () -> Bool
  ) throws {
    self.destination = destination
    stopRequested = shouldStop
    self.plan = experiment.recording
    self.onProgress = onProgress
    self.resumedPositions = resumedPositions
    partialURL = destination.appendingPathExtension("partial")
    gzip = gzipLevel > 0 ? gzipLevel : nil
    if resumedPositions != nil {
      guard FileManager.default.fileExists(atPath: partialURL.path) else {
        throw ResultsError.cannotWrite(
          path: partialURL.path, reason: "the partial results file of the checkpointed run is missing")
      }
      do {
        file = try HDF5File.open(at: partialURL, writable: true)
        ndml = try file.root.openGroup("ndml")
      } catch {
        throw ResultsError.cannotWrite(path: partialURL.path, reason: "cannot reopen it to resume: \(error)")
      }
      try ndml.setAttribute("status", RunStatus.running)
      try ndml.setAttribute("failure", "")
    } else {
      (file, ndml) = try Self.createFile(destination: destination, partialURL: partialURL)
      try writeMetadata(experiment, metadata!)
    }
    let spikes = try group("spikes", in: file.root)
    for name in experiment.recording.spikePopulations {
      let group = try self.group(name, in: spikes)
      if resumedPositions == nil {
        try group.setEnumAttribute("sorting", cases: SpikeSorting.cases, value: SpikeSorting.byTime)
      }
      // Spikes are never compressed: the libsonata wheel (PyPI, 0.2.2) has no deflate filter and
      // refuses gzip datasets, and SONATA tools must read them. Reports honour output.gzip.
      // Uncompressed chunks are stored whole: 8192 rows (64 KiB) keep a short run's file small
      // (65 536-row chunks made a 100 ms, 40-neuron run 1 MB).
      spikeTimes[name] = try extendable(
        "timestamps", in: group, path: "spikes/\(name)/timestamps", of: Double.self, chunkRows: 8192, gzip: nil,
        units: "ms")
      spikeIDs[name] = try extendable(
        "node_ids", in: group, path: "spikes/\(name)/node_ids", of: UInt64.self, chunkRows: 8192, gzip: nil)
    }
    for proj in experiment.projections {
      guard let schedule = proj.plasticity?.plateaus else { continue }
      let group = try self.group("plateaus/\(proj.name)", in: file.root)
      if resumedPositions == nil {
        try group.setAttribute("target", proj.target)
        try group.setAttribute("duration_ms", schedule.durationMs)
      }
      plateauTimes[proj.name] = try extendable(
        "timestamps", in: group, path: "plateaus/\(proj.name)/timestamps", of: Double.self, chunkRows: 4096, gzip: nil,
        units: "ms")
      plateauIDs[proj.name] = try extendable(
        "node_ids", in: group, path: "plateaus/\(proj.name)/node_ids", of: UInt64.self, chunkRows: 4096, gzip: nil)
    }
    for rec in experiment.recording.state {
      let model = experiment.population(named: rec.population)!.model
      for v in rec.variables {
        reports["\(rec.population)/\(v)"] = try createReport(
          at: "report/\(rec.population)/\(v)", neurons: rec.neurons, intervalMs: rec.intervalMs,
          unit: model.recordableVariables.first { $0.name == v }!.unit, experiment: experiment,
          finalSample: rec.finalSample)
      }
    }
    for (i, rec) in experiment.recording.traces.enumerated() {
      let proj = experiment.projections.first { $0.name == rec.projection }!
      let known = proj.plasticity!.traces
      for trace in rec.traces {
        let path = "traces/\(rec.projection)/\(trace)"
        traceReports["\(i)/\(trace)"] = try createReport(
          at: path, neurons: rec.neurons, intervalMs: rec.intervalMs, unit: "1", experiment: experiment)
        guard resumedPositions == nil else { continue }
        let info = known.first { $0.name == trace }!
        let group = try file.root.openGroup(path)
        try group.setAttribute("population", info.side == .source ? proj.source : proj.target)
        try group.setAttribute("description", info.meaning)
      }
    }
    if resumedPositions != nil {
      // Weight groups are created with their first snapshot; one created after the checkpoint
      // is reopened empty.
      for (index, rec) in plan.weights.enumerated() where file.root.contains("weights/\(rec.projection)") {
        try openWeightSets(index, group: file.root.openGroup("weights/\(rec.projection)"))
      }
    }
    try file.flush()
  }

  /// Creates the partial file beside `destination` (its folder created if needed).
  private static func createFile(destination: URL, partialURL: URL) throws -> (HDF5File, HDF5Group) {
    let folder = destination.deletingLastPathComponent()
    do {
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    } catch {
      throw ResultsError.cannotWrite(path: destination.path, reason: "cannot create folder \(folder.path)")
    }
    guard FileManager.default.isWritableFile(atPath: folder.path) else {
      throw ResultsError.cannotWrite(path: destination.path, reason: "folder \(folder.path) is not writable")
    }
    let file: HDF5File
    do {
      file = try HDF5File.create(at: partialURL)
    } catch {
      throw ResultsError.cannotWrite(path: partialURL.path, reason: "\(error)")
    }
    return (file, try file.root.createGroup("ndml"))
  }

  /// Group `path` under `parent`: created in a new file, opened when resuming.
  private func group(_ path: String, in parent: HDF5Group) throws -> HDF5Group {
    resumedPositions == nil ? try parent.createGroup(path) : try parent.openGroup(path)
  }

  /// Dataset `name` of `group` (at `path` from the root): created empty in a new file, reopened
  /// and cut back to the checkpoint's rows when resuming; registered for ``rowsWritten``.
  private func extendable<T: HDF5Scalar>(
    _ name: String, in group: HDF5Group, path: String, of type: T.Type, rowLength: Int = 0, chunkRows: Int,
    gzip: Int?, units: String? = nil
  ) throws -> HDF5ExtendableDataset<T> {
    let dataset: HDF5ExtendableDataset<T>
    if let resumedPositions {
      let position = resumedPositions[path] ?? DatasetPosition(rows: 0, tail: [])
      let tail = position.tail.withUnsafeBytes { Array($0.bindMemory(to: T.self)) }
      dataset = try HDF5ExtendableDataset(reopening: group.openDataset(name), of: type, rows: position.rows, tail: tail)
    } else {
      dataset = try group.createExtendableDataset(
        name, of: type, rowLength: rowLength, chunkRows: chunkRows, gzipLevel: gzip)
      if let units { try dataset.dataset.setAttribute("units", units) }
    }
    positionReaders[path] = { [unowned dataset] in
      DatasetPosition(rows: dataset.rowCount, tail: dataset.tail.withUnsafeBytes { Array($0) })
    }
    return dataset
  }

  /// Every extendable dataset's rows so far and its last partial chunk, by path (what a
  /// checkpoint records).
  public var positions: [String: DatasetPosition] { positionReaders.mapValues { $0() } }

  /// Creates a SONATA report group (`data` + `mapping/`) sampled every `intervalMs` from t = 0.
  private func createReport(
    at path: String, neurons: [Int], intervalMs: Double, unit: String, experiment: Experiment,
    finalSample: Bool = false
  ) throws -> HDF5ExtendableDataset<Float> {
    let dt = experiment.simulation.dtMs
    let intervalSteps = max(1, Int((intervalMs / dt).rounded()))
    let samples = (experiment.simulation.stepCount + intervalSteps - 1) / intervalSteps + (finalSample ? 1 : 0)
    let interval = Double(intervalSteps) * dt
    let group = try self.group(path, in: file.root)
    let rows = max(1, 262_144 / max(1, 4 * neurons.count))
    let data = try extendable(
      "data", in: group, path: "\(path)/data", of: Float.self, rowLength: neurons.count, chunkRows: rows, gzip: gzip,
      units: unit)
    guard resumedPositions == nil else { return data }
    try Self.writeMapping(
      into: group.createGroup("mapping"), nodeIDs: neurons.map(UInt64.init),
      time: [0, Double(samples) * interval, interval])
    return data
  }

  /// Writes SONATA's `mapping/` group of a report (one element per point neuron).
  static func writeMapping(into mapping: HDF5Group, nodeIDs: [UInt64], time: [Double]) throws {
    try mapping.writeDataset("node_ids", nodeIDs)
    try mapping.writeDataset("index_pointers", (0...nodeIDs.count).map(UInt64.init))
    try mapping.writeDataset("element_ids", [UInt32](repeating: 0, count: nodeIDs.count))
    try mapping.writeDataset("time", time).setAttribute("units", "ms")
  }

  private func writeMetadata(_ experiment: Experiment, _ metadata: RunMetadata) throws {
    let s = experiment.simulation
    try ndml.setAttribute("status", RunStatus.running)
    try ndml.setAttribute("version", NDMLVersion.current)
    try ndml.setAttribute("backend", metadata.backend)
    try ndml.setAttribute("seed", Int64(bitPattern: s.seed))
    try ndml.setAttribute("precision", s.precision.rawValue)
    try ndml.setAttribute("dt_ms", s.dtMs)
    try ndml.setAttribute("duration_ms", s.durationMs)
    try ndml.setAttribute("config_path", metadata.configPath)
    try ndml.setAttribute("overrides", metadata.overrides.joined(separator: "\n"))
    try ndml.writeStringDataset("config", metadata.configText)
    let populations = try ndml.createGroup("populations")
    for pop in experiment.populations {
      let g = try populations.createGroup(pop.name)
      try g.setAttribute("size", Int64(pop.size))
      try g.setAttribute("model", pop.model.configName)
    }
  }

  /// Bytes to keep free on the results file's disk: a write that would leave less stops the run
  /// with ``ResultsError/diskFull(path:freeBytes:neededBytes:)`` while the file is still
  /// consistent (HDF5 cannot recover a file whose write failed half-way). Default 64 MiB.
  public var diskReserveBytes = 64 << 20

  /// Runs a write: refuses it when the disk would keep less than ``diskReserveBytes`` free, and
  /// turns an HDF5 write failure into ``ResultsError/writeFailed(path:reason:)`` with the
  /// system's reason.
  private func writing(_ bytes: Int, _ body: () throws -> Void) throws {
    var stats = statvfs()
    if statvfs(partialURL.deletingLastPathComponent().path, &stats) == 0 {
      let free = Int(stats.f_bavail) * Int(stats.f_frsize)
      let needed = diskReserveBytes + 2 * bytes
      if free < needed { throw ResultsError.diskFull(path: partialURL.path, freeBytes: free, neededBytes: needed) }
    }
    do { try body() } catch let error as HDF5Error {
      throw ResultsError.writeFailed(path: partialURL.path, reason: Self.systemReason(of: "\(error)"))
    }
  }

  /// The operating system's words in an HDF5 error stack (`error message = '…'`, `errno = N`), or
  /// the whole message.
  static func systemReason(of message: String) -> String {
    guard let start = message.range(of: "error message = '")?.upperBound,
      let end = message[start...].firstIndex(of: "'")
    else { return message }
    let errno = message.range(of: "errno = ").map { message[$0.upperBound...].prefix { $0.isNumber } }
    return String(message[start..<end]) + (errno.map { " (errno \($0))" } ?? "")
  }

  /// Appends spikes to `/spikes/<population>`.
  public func record(spikes chunk: SpikeChunk) throws {
    try writing(16 * chunk.timesMs.count) {
      try spikeTimes[chunk.population]!.append(chunk.timesMs)
      try spikeIDs[chunk.population]!.append(chunk.nodeIDs)
      try file.flush()
    }
  }

  /// Appends plateaus to `/plateaus/<projection>`.
  public func record(plateaus chunk: PlateauChunk) throws {
    try writing(16 * chunk.timesMs.count) {
      try plateauTimes[chunk.projection]!.append(chunk.timesMs)
      try plateauIDs[chunk.projection]!.append(chunk.nodeIDs)
    }
  }

  /// Appends trace samples to `/traces/<projection>/<trace>/data`.
  public func record(traces chunk: StateSampleChunk) throws {
    try writing(4 * chunk.values.count) {
      try traceReports["\(chunk.recordingIndex)/\(chunk.variable)"]!.append(chunk.values)
    }
  }

  /// Appends samples to `/report/<population>/<variable>/data`.
  public func record(samples chunk: StateSampleChunk) throws {
    let population = plan.state[chunk.recordingIndex].population
    try writing(4 * chunk.values.count) { try reports["\(population)/\(chunk.variable)"]!.append(chunk.values) }
  }

  /// Appends snapshots to `/weights/<projection>` (creating it with the first chunk).
  public func record(weights chunk: WeightSampleChunk) throws {
    if weightSets[chunk.recordingIndex] == nil {
      let name = plan.weights[chunk.recordingIndex].projection
      let group = try file.root.createGroup("weights/\(name)")
      let layout = chunk.layout
      try group.writeDataset("source_ids", layout.sourceIDs)
      try group.writeDataset("target_ids", layout.targetIDs)
      try group.writeDataset("bin_edges", layout.binEdges).setAttribute("units", layout.unit)
      let path = "weights/\(name)"
      let time = try extendable(
        "time", in: group, path: "\(path)/time", of: Double.self, chunkRows: 1024, gzip: nil, units: "ms")
      let weights = try extendable(
        "weights", in: group, path: "\(path)/weights", of: Double.self, rowLength: max(layout.sourceIDs.count, 1),
        chunkRows: max(1, 131_072 / max(layout.sourceIDs.count, 1)), gzip: gzip, units: layout.unit)
      let histogram = try extendable(
        "histogram", in: group, path: "\(path)/histogram", of: UInt64.self, rowLength: layout.binEdges.count - 1,
        chunkRows: 256, gzip: gzip)
      weightSets[chunk.recordingIndex] = (time, weights, histogram)
    }
    let sets = weightSets[chunk.recordingIndex]!
    try writing(8 * (chunk.timesMs.count + chunk.weights.count + chunk.histograms.count)) {
      try sets.time.append(chunk.timesMs)
      if !chunk.layout.sourceIDs.isEmpty { try sets.weights.append(chunk.weights) }
      try sets.histogram.append(chunk.histograms)
    }
  }

  /// Writes `/memory/<projection>` (layout: `docs/results-format.md`).
  public func record(inputCurrent r: InputCurrentReport) throws {
    try writing(8 * (r.valuesPA.count + r.timesMs.count) + 8 * r.nodeIDs.count) {
      let g = try file.root.createGroup("inputs/\(r.input)")
      try g.setAttribute("population", r.population)
      try g.writeDataset("time", r.timesMs).setAttribute("units", "ms")
      try g.writeDataset("node_ids", r.nodeIDs)
      try g.writeDataset("data", r.valuesPA, shape: [r.timesMs.count, r.nodeIDs.count]).setAttribute("units", "pA")
    }
  }

  public func record(memory r: MemoryReport) throws {
    let k = r.items.count
    let bytes =
      8 * (r.snr.reduce(0) { $0 + $1.count } + 8 * r.recallTimesMs.count + r.patterns.reduce(k) { $0 + $1.count })
    try writing(bytes) {
      let g = try file.root.createGroup("memory/\(r.projection)")
      try g.setAttribute("snr_threshold", r.snrThreshold)
      try g.setAttribute("snr_forgotten", r.snrForgotten)
      try g.setAttribute("storage_window_ms", r.storageWindowMs)
      try g.setAttribute("target_size", Int64(r.targetSize))
      try g.writeDataset("traces/item", r.items.map(Int64.init))
      try g.writeDataset("traces/stored_ms", r.storedMs).setAttribute("units", "ms")
      try g.writeDataset("traces/synapses", r.synapseCounts.map(Int64.init))
      try g.writeDataset("traces/potentiated", r.potentiatedCounts.map(Int64.init))
      var offsets: [Int64] = [0]
      for p in r.patterns { offsets.append(offsets.last! + Int64(p.count)) }
      try g.writeDataset("traces/pattern_offsets", offsets)
      try g.writeDataset("traces/pattern_neurons", r.patterns.flatMap { $0.map(UInt64.init) })
      try g.writeDataset("snr/time", r.snrTimesMs).setAttribute("units", "ms")
      for (name, row) in zip(r.variables, r.snr) {
        try g.writeDataset("snr/\(name)", row, shape: [r.snrTimesMs.count, k])
      }
      try g.writeDataset("transitions/time", r.transitionTimesMs).setAttribute("units", "ms")
      try g.writeDataset("transitions/trace", r.transitionTraces.map(Int64.init))
      try g.writeStringDataset("transitions/state", r.transitionStates.map(\.rawValue))
      try g.writeDataset("recall/time", r.recallTimesMs).setAttribute("units", "ms")
      try g.writeDataset("recall/trace", r.recallTraces.map(Int64.init))
      try g.writeDataset("recall/round", r.recallRounds.map(Int64.init))
      try g.writeDataset(
        "recall/age", zip(r.recallTimesMs, r.recallTraces).map { $0 - r.storedMs[$1] }
      ).setAttribute("units", "ms")
      try g.writeDataset("recall/cue_size", r.recallCueSizes.map(Int64.init))
      try g.writeDataset("recall/evoked", r.recallEvoked.map(Int64.init))
      try g.writeDataset("recall/completion", r.recallCompletion)
      try g.writeDataset("recall/spurious", r.recallSpurious)
      try g.writeDataset("recall/score", zip(r.recallCompletion, r.recallSpurious).map { $0 - $1 })
      try file.flush()
    }
  }

  /// Reopens the datasets of weight recording `index` (resuming).
  private func openWeightSets(_ index: Int, group: HDF5Group) throws {
    let path = "weights/\(plan.weights[index].projection)"
    weightSets[index] = (
      try extendable("time", in: group, path: "\(path)/time", of: Double.self, chunkRows: 0, gzip: nil),
      try extendable("weights", in: group, path: "\(path)/weights", of: Double.self, chunkRows: 0, gzip: nil),
      try extendable("histogram", in: group, path: "\(path)/histogram", of: UInt64.self, chunkRows: 0, gzip: nil)
    )
  }

  /// Makes everything recorded so far durable (HDF5 flush), then hands the engine's state and the
  /// rows of every dataset to ``onCheckpoint``.
  public func checkpoint(step: Int, state: [UInt8]) throws {
    try writing(state.count) { try file.flush() }
    try onCheckpoint?(step, state, positions)
  }

  /// Whether the caller asked the run to stop (the `shouldStop` closure given at creation).
  public func shouldStop() -> Bool { stopRequested() }

  /// Forwards progress to the callback given at creation.
  public func progress(completedSteps: Int, totalSteps: Int) {
    onProgress(completedSteps, totalSteps)
  }

  /// Writes the run's wall time and `status = "complete"` last, closes, and moves the file into
  /// place (replacing any file there in one atomic rename).
  public func finish(summary: RunSummary, wallSeconds: Double) throws {
    try ndml.setAttribute("wall_time_s", wallSeconds)
    try ndml.setAttribute("simulation_time_s", summary.simulationSeconds)
    try ndml.setAttribute("synapse_count", Int64(summary.synapseCount))
    if !summary.rankSynapseCounts.isEmpty {
      try ndml.setAttribute("rank_synapse_counts", summary.rankSynapseCounts.map(Int64.init))
      try ndml.setAttribute("rank_synapse_bytes", summary.rankSynapseBytes.map(Int64.init))
    }
    try ndml.setAttribute("threads", Int64(summary.threads))
    try ndml.setAttribute("status", RunStatus.complete)
    try file.close()
    try Platform.atomicReplace(destination, with: partialURL)
  }

  /// Marks the partial file `failed` (or `interrupted`) with the reason and closes it (the data
  /// written so far stays readable); the destination is not touched.
  public func abandon(reason: String, interrupted: Bool = false) {
    try? ndml.setAttribute("status", interrupted ? RunStatus.interrupted : RunStatus.failed)
    try? ndml.setAttribute("failure", reason)
    try? file.close()
  }
}

/// Where a dataset of a results file stands: its rows, and the values of its rows after the last
/// whole chunk (native byte order), which a resume writes again (see
/// `HDF5ExtendableDataset.tail`).
public struct DatasetPosition: Sendable, Equatable {
  /// Rows written.
  public var rows: Int
  /// The bytes of the rows after the last whole chunk.
  public var tail: [UInt8]

  /// Creates a position.
  public init(rows: Int, tail: [UInt8]) {
    self.rows = rows
    self.tail = tail
  }
}

/// Values of `/ndml.status`.
public enum RunStatus {
  /// Written first; a file that still says this was not finished.
  public static let running = "running"
  /// Written last, after all data.
  public static let complete = "complete"
  /// The run stopped on an error (`/ndml.failure` says which).
  public static let failed = "failed"
  /// The run was stopped by a signal (`/ndml.failure` says when); the data up to there is complete.
  public static let interrupted = "interrupted"
}

/// SONATA's `sorting` enum of a spike population.
enum SpikeSorting {
  static let cases: [(name: String, value: UInt8)] = [("none", 0), ("by_id", 1), ("by_time", 2)]
  static let byTime: UInt8 = 2
}
