import Foundation
import NDMLAnalysis
import NDMLHDF5

/// Reads an NDML results file (for `ndml inspect`, `ndml report` and tests).
///
/// ```swift
/// let r = try ResultsReader(url: URL(fileURLWithPath: "results/memory_lifecycle.h5"))
/// let spikes = try r.spikes(of: "ca1_chain")          // times (ms) and node ids
/// for projection in try r.memoryProjections() {
///   let summary = MemorySummary(try r.memory(of: projection))
///   print(projection, summary.meanSNR, summary.lifetimeS ?? .infinity)
/// }
/// try r.close()
/// ```
public final class ResultsReader {
  /// The file's location.
  public let url: URL
  private let file: HDF5File

  /// Opens a results file; a missing, truncated or foreign file is a clear error.
  public init(url: URL) throws {
    self.url = url
    do {
      file = try HDF5File.open(at: url)
    } catch {
      throw ResultsError.malformed(path: url.path, reason: "\(error)")
    }
    guard file.root.contains("ndml") else {
      throw ResultsError.malformed(path: url.path, reason: "it has no /ndml group (not written by NDML)")
    }
  }

  /// A `/ndml` string attribute (e.g. `status`, `version`, `precision`).
  public func metadata(_ name: String) throws -> String {
    try file.root.openGroup("ndml").stringAttribute(name)
  }

  /// A `/ndml` numeric attribute (e.g. `dt_ms`, `wall_time_s`), nil if absent.
  public func numericMetadata(_ name: String) throws -> Double? {
    let g = try file.root.openGroup("ndml")
    guard g.hasAttribute(name) else { return nil }
    if let d = try? g.scalarAttribute(name, as: Double.self) { return d }
    return Double(try g.scalarAttribute(name, as: Int64.self))
  }

  /// The config text the run used.
  public func configText() throws -> String {
    try file.root.openGroup("ndml").openDataset("config").readString()
  }

  /// Population names and sizes, in file order.
  public func populations() throws -> [(name: String, size: Int, model: String)] {
    let g = try file.root.openGroup("ndml/populations")
    return try g.childNames().map { name in
      let p = try g.openGroup(name)
      return (name, Int(try p.scalarAttribute("size", as: Int64.self)), try p.stringAttribute("model"))
    }
  }

  /// Populations with recorded spikes.
  public func spikePopulations() throws -> [String] {
    file.root.contains("spikes") ? try file.root.openGroup("spikes").childNames() : []
  }

  /// All spikes of a population: times in ms and node ids.
  public func spikes(of population: String) throws -> (timesMs: [Double], nodeIDs: [UInt64]) {
    guard file.root.contains("spikes/\(population)") else {
      throw ResultsError.notFound(path: url.path, what: "spikes of '\(population)'", available: try spikePopulations())
    }
    let g = try file.root.openGroup("spikes/\(population)")
    return (
      try g.openDataset("timestamps").read(as: Double.self), try g.openDataset("node_ids").read(as: UInt64.self)
    )
  }

  /// Recorded variables as `population/variable`.
  public func reports() throws -> [String] {
    guard file.root.contains("report") else { return [] }
    let r = try file.root.openGroup("report")
    return try r.childNames().flatMap { pop in try r.openGroup(pop).childNames().map { "\(pop)/\($0)" } }
  }

  /// One recorded variable: samples (rows = times, columns = neurons), units, node ids, time axis.
  public func report(population: String, variable: String) throws -> Report {
    let path = "report/\(population)/\(variable)"
    guard file.root.contains(path) else {
      throw ResultsError.notFound(path: url.path, what: "report \(population)/\(variable)", available: try reports())
    }
    let g = try file.root.openGroup(path)
    let data = try g.openDataset("data")
    let mapping = try g.openGroup("mapping")
    return Report(
      values: try data.read(as: Float.self), shape: try data.shape(), units: try data.stringAttribute("units"),
      nodeIDs: try mapping.openDataset("node_ids").read(as: UInt64.self),
      time: try mapping.openDataset("time").read(as: Double.self))
  }

  /// Projections with weight snapshots (`/weights/<projection>`).
  public func weightProjections() throws -> [String] {
    file.root.contains("weights") ? try file.root.openGroup("weights").childNames() : []
  }

  /// The weight snapshots of a projection: times (ms), row-major weights (snapshots × recorded
  /// synapses), the number of recorded synapses, and the unit.
  public func weights(of projection: String) throws -> (
    timesMs: [Double], values: [Double], synapses: Int, units: String
  ) {
    guard file.root.contains("weights/\(projection)") else {
      throw ResultsError.notFound(
        path: url.path, what: "weights of '\(projection)'", available: try weightProjections())
    }
    let g = try file.root.openGroup("weights/\(projection)")
    let data = try g.openDataset("weights")
    return (
      try g.openDataset("time").read(as: Double.self), try data.read(as: Double.self),
      try g.openDataset("source_ids").shape().first ?? 0, try data.stringAttribute("units")
    )
  }

  /// The histogram of all synapses of a projection per snapshot: bin edges and row-major counts
  /// (snapshots × bins); empty when the file has none.
  public func weightHistogram(of projection: String) throws -> (edges: [Double], counts: [UInt64]) {
    let path = "weights/\(projection)"
    guard file.root.contains("\(path)/histogram"), file.root.contains("\(path)/bin_edges") else { return ([], []) }
    let g = try file.root.openGroup(path)
    return (try g.openDataset("bin_edges").read(as: Double.self), try g.openDataset("histogram").read(as: UInt64.self))
  }

  /// Projections with a memory lifecycle (`/memory/<projection>`).
  public func memoryProjections() throws -> [String] {
    file.root.contains("memory") ? try file.root.openGroup("memory").childNames() : []
  }

  /// The memory lifecycle of `projection` (`/memory/<projection>`).
  public func memory(of projection: String) throws -> MemorySeries {
    guard file.root.contains("memory/\(projection)") else {
      throw ResultsError.notFound(
        path: url.path, what: "memory lifecycle of '\(projection)'", available: try memoryProjections())
    }
    let g = try file.root.openGroup("memory/\(projection)")
    func doubles(_ name: String) throws -> [Double] { try g.openDataset(name).read(as: Double.self) }
    func ints(_ name: String) throws -> [Int] { try g.openDataset(name).read(as: Int64.self).map { Int($0) } }
    var series = MemorySeries(
      projection: projection, storedMs: try doubles("traces/stored_ms"), snrTimesMs: try doubles("snr/time"),
      weightSNR: try doubles("snr/weight"), snrForgotten: try g.scalarAttribute("snr_forgotten", as: Double.self),
      recallAgeMs: try doubles("recall/age"), recallCompletion: try doubles("recall/completion"),
      recallSpurious: try doubles("recall/spurious"), recallScore: try doubles("recall/score"),
      transitionTraces: try ints("transitions/trace"),
      transitionStates: try g.openDataset("transitions/state").readStrings())
    series.recallTimeMs = try doubles("recall/time")
    series.recallRounds = try ints("recall/round")
    return series
  }

  /// Number of plateaus per BTSP projection (`/plateaus/<projection>`).
  public func plateauCounts() throws -> [(projection: String, count: Int)] {
    guard file.root.contains("plateaus") else { return [] }
    let g = try file.root.openGroup("plateaus")
    return try g.childNames().map { ($0, try g.openGroup($0).openDataset("timestamps").shape().first ?? 0) }
  }

  /// A summary of every group and dataset, for `ndml inspect`.
  public func outline() throws -> [String] {
    var lines: [String] = []
    func walk(_ group: HDF5Group, depth: Int) throws {
      for name in try group.childNames() {
        let indent = String(repeating: "  ", count: depth)
        if group.isGroup(name) {
          lines.append("\(indent)\(name)/")
          try walk(group.openGroup(name), depth: depth + 1)
        } else {
          let d = try group.openDataset(name)
          let shape = try d.shape().map(String.init).joined(separator: " × ")
          let units = d.hasAttribute("units") ? " [\(try d.stringAttribute("units"))]" : ""
          lines.append(
            "\(indent)\(name)  \(try d.elementTypeDescription()) (\(shape.isEmpty ? "scalar" : shape))\(units)")
        }
      }
    }
    try walk(file.root, depth: 0)
    return lines
  }

  /// Closes the file.
  public func close() throws { try file.close() }
}

/// One recorded variable read back from a results file.
public struct Report: Sendable {
  /// Row-major samples: `shape[0]` times × `shape[1]` neurons.
  public var values: [Float]
  /// (times, neurons).
  public var shape: [Int]
  /// Units of the values.
  public var units: String
  /// Neuron indices of the columns.
  public var nodeIDs: [UInt64]
  /// [start, stop, step] in ms.
  public var time: [Double]
}

/// Writes one recorded variable as a standalone SONATA report file (`/report/<population>/data`
/// and `mapping/`), the layout libsonata's `ElementReportReader` reads.
public enum SonataReportExporter {
  /// Copies `population/variable` of `results` to a new file at `destination`.
  public static func export(from results: ResultsReader, population: String, variable: String, to destination: URL)
    throws
  {
    let report = try results.report(population: population, variable: variable)
    try writeAtomically(to: destination) { out in
      let group = try out.root.createGroup("report/\(population)")
      try group.writeDataset("data", report.values, shape: report.shape).setAttribute("units", report.units)
      try ResultsWriter.writeMapping(into: group.createGroup("mapping"), nodeIDs: report.nodeIDs, time: report.time)
    }
  }
}

/// Writes a new HDF5 file under `<destination>.partial`, then renames it over `destination`, so
/// that a file at `destination` is either the old one or the complete new one.
public func writeAtomically(to destination: URL, _ body: (HDF5File) throws -> Void) throws {
  let partial = destination.appendingPathExtension("partial")
  let out = try HDF5File.create(at: partial)
  do {
    try body(out)
    try out.close()
  } catch {
    try? out.close()
    try? FileManager.default.removeItem(at: partial)
    throw error
  }
  try Platform.atomicReplace(destination, with: partial)
}
