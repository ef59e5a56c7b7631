import Foundation
import NDMLHDF5
import NDMLModel

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

  /// Creates the partial file and writes everything known before the run (metadata, layout).
  public init(
    destination: URL, experiment: Experiment, metadata: RunMetadata, gzipLevel: Int,
    onProgress: @escaping (Int, Int) -> Void = { _, _ in }, shouldStop: @escaping () -> Bool = { false }
  ) throws {
    self.destination = destination
    stopRequested = shouldStop
    self.plan = experiment.recording
    self.onProgress = onProgress
    partialURL = destination.appendingPathExtension("partial")
    gzip = gzipLevel > 0 ? gzipLevel : nil
    let folder = destination.deletingLastPathComponent()
    do {
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    } catch {
      throw ResultsError.cannotWrite(path: destination.path, reason: "cannot create folder \(folder.path)")
    }
    guard FileManager.default.isWritableFile(atPath: folder.path) else {
      throw ResultsError.cannotWrite(path: destination.path, reason: "folder \(folder.path) is not writable")
    }
    do {
      file = try HDF5File.create(at: partialURL)
    } catch {
      throw ResultsError.cannotWrite(path: partialURL.path, reason: "\(error)")
    }
    ndml = try file.root.createGroup("ndml")
    try writeMetadata(experiment, metadata)
    let spikes = try file.root.createGroup("spikes")
    for name in experiment.recording.spikePopulations {
      let group = try spikes.createGroup(name)
      try group.setEnumAttribute("sorting", cases: SpikeSorting.cases, value: SpikeSorting.byTime)
      // Spikes are never compressed: the libsonata wheel (PyPI, 0.2.2) has no deflate filter and
      // refuses gzip datasets, and SONATA tools must read them. Reports honour output.gzip.
      // Uncompressed chunks are stored whole: 8192 rows (64 KiB) keep a short run's file small
      // (65 536-row chunks made a 100 ms, 40-neuron run 1 MB).
      let times = try group.createExtendableDataset("timestamps", of: Double.self, chunkRows: 8192, gzipLevel: nil)
      try times.dataset.setAttribute("units", "ms")
      spikeTimes[name] = times
      spikeIDs[name] = try group.createExtendableDataset(
        "node_ids", of: UInt64.self, chunkRows: 8192, gzipLevel: nil)
    }
    for proj in experiment.projections {
      guard let schedule = proj.plasticity?.plateaus else { continue }
      let group = try file.root.createGroup("plateaus/\(proj.name)")
      try group.setAttribute("target", proj.target)
      try group.setAttribute("duration_ms", schedule.durationMs)
      let times = try group.createExtendableDataset("timestamps", of: Double.self, chunkRows: 4096, gzipLevel: nil)
      try times.dataset.setAttribute("units", "ms")
      plateauTimes[proj.name] = times
      plateauIDs[proj.name] = try group.createExtendableDataset(
        "node_ids", of: UInt64.self, chunkRows: 4096, gzipLevel: nil)
    }
    for rec in experiment.recording.state {
      let model = experiment.population(named: rec.population)!.model
      for v in rec.variables {
        reports["\(rec.population)/\(v)"] = try createReport(
          at: "report/\(rec.population)/\(v)", neurons: rec.neurons, intervalMs: rec.intervalMs,
          unit: model.recordableVariables.first { $0.name == v }!.unit, experiment: experiment)
      }
    }
    for (i, rec) in experiment.recording.traces.enumerated() {
      let proj = experiment.projections.first { $0.name == rec.projection }!
      let known = proj.plasticity!.traces
      for trace in rec.traces {
        let path = "traces/\(rec.projection)/\(trace)"
        traceReports["\(i)/\(trace)"] = try createReport(
          at: path, neurons: rec.neurons, intervalMs: rec.intervalMs, unit: "1", experiment: experiment)
        let info = known.first { $0.name == trace }!
        let group = try file.root.openGroup(path)
        try group.setAttribute("population", info.side == .source ? proj.source : proj.target)
        try group.setAttribute("description", info.meaning)
      }
    }
    try file.flush()
  }

  /// Creates a SONATA report group (`data` + `mapping/`) sampled every `intervalMs` from t = 0.
  private func createReport(
    at path: String, neurons: [Int], intervalMs: Double, unit: String, experiment: Experiment
  ) throws -> HDF5ExtendableDataset<Float> {
    let dt = experiment.simulation.dtMs
    let intervalSteps = max(1, Int((intervalMs / dt).rounded()))
    let samples = (experiment.simulation.stepCount + intervalSteps - 1) / intervalSteps
    let interval = Double(intervalSteps) * dt
    let group = try file.root.createGroup(path)
    let rows = max(1, 262_144 / max(1, 4 * neurons.count))
    let data = try group.createExtendableDataset(
      "data", of: Float.self, rowLength: neurons.count, chunkRows: rows, gzipLevel: gzip)
    try data.dataset.setAttribute("units", unit)
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

  /// Appends spikes to `/spikes/<population>`.
  public func record(spikes chunk: SpikeChunk) throws {
    try spikeTimes[chunk.population]!.append(chunk.timesMs)
    try spikeIDs[chunk.population]!.append(chunk.nodeIDs)
    try file.flush()
  }

  /// Appends plateaus to `/plateaus/<projection>`.
  public func record(plateaus chunk: PlateauChunk) throws {
    try plateauTimes[chunk.projection]!.append(chunk.timesMs)
    try plateauIDs[chunk.projection]!.append(chunk.nodeIDs)
  }

  /// Appends trace samples to `/traces/<projection>/<trace>/data`.
  public func record(traces chunk: StateSampleChunk) throws {
    try traceReports["\(chunk.recordingIndex)/\(chunk.variable)"]!.append(chunk.values)
  }

  /// Appends samples to `/report/<population>/<variable>/data`.
  public func record(samples chunk: StateSampleChunk) throws {
    let population = plan.state[chunk.recordingIndex].population
    try reports["\(population)/\(chunk.variable)"]!.append(chunk.values)
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
      let time = try group.createExtendableDataset("time", of: Double.self, chunkRows: 1024, gzipLevel: nil)
      try time.dataset.setAttribute("units", "ms")
      let weights = try group.createExtendableDataset(
        "weights", of: Double.self, rowLength: max(layout.sourceIDs.count, 1),
        chunkRows: max(1, 131_072 / max(layout.sourceIDs.count, 1)), gzipLevel: gzip)
      try weights.dataset.setAttribute("units", layout.unit)
      let histogram = try group.createExtendableDataset(
        "histogram", of: UInt64.self, rowLength: layout.binEdges.count - 1, chunkRows: 256, gzipLevel: gzip)
      weightSets[chunk.recordingIndex] = (time, weights, histogram)
    }
    let sets = weightSets[chunk.recordingIndex]!
    try sets.time.append(chunk.timesMs)
    if !chunk.layout.sourceIDs.isEmpty { try sets.weights.append(chunk.weights) }
    try sets.histogram.append(chunk.histograms)
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
