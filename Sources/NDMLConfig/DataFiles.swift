import Foundation
import NDMLHDF5
import NDMLModel

/// Reads the data files a config may name (spike times, connection lists): small CSV files with a
/// header line, paths relative to the config file's folder.
enum DataFiles {
  /// Resolves `path` against the config's folder (absolute paths are kept).
  static func resolve(_ path: String, relativeTo configURL: URL?) -> URL {
    if path.hasPrefix("/") { return URL(fileURLWithPath: path) }
    let base = configURL?.deletingLastPathComponent() ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    // Experiments live in experiments/, data in datasets/: a path that does not exist beside the
    // config is tried from the current directory as well.
    let besideConfig = base.appendingPathComponent(path)
    if FileManager.default.fileExists(atPath: besideConfig.path) { return besideConfig }
    return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(path)
  }

  /// Rows of numbers from a CSV file with a header line, checking the column names.
  static func readCSV(_ url: URL, columns: [String], optional: [String] = []) throws -> [[Double?]] {
    guard let text = try? String(contentsOf: url, encoding: .utf8) else {
      throw DataFileError(url: url, line: nil, message: "cannot be read (missing or not UTF-8 text)")
    }
    var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
    while lines.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { lines.removeLast() }
    guard let header = lines.first else { throw DataFileError(url: url, line: 1, message: "is empty") }
    let names = header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    let allowed = columns + optional
    guard Array(names.prefix(columns.count)) == columns, names.allSatisfy(allowed.contains) else {
      throw DataFileError(
        url: url, line: 1,
        message: "header must be '\(columns.joined(separator: ","))'"
          + (optional.isEmpty ? "" : " optionally followed by \(optional.joined(separator: ","))")
          + ", got '\(header)'")
    }
    var rows: [[Double?]] = []
    for (i, line) in lines.enumerated().dropFirst() {
      if line.trimmingCharacters(in: .whitespaces).isEmpty || line.hasPrefix("#") { continue }
      let cells = line.split(separator: ",", omittingEmptySubsequences: false).map {
        $0.trimmingCharacters(in: .whitespaces)
      }
      guard cells.count == names.count else {
        throw DataFileError(url: url, line: i + 1, message: "has \(cells.count) fields, expected \(names.count)")
      }
      var row: [Double?] = Array(repeating: nil, count: allowed.count)
      for (name, cell) in zip(names, cells) {
        guard let v = Double(cell), v.isFinite else {
          throw DataFileError(url: url, line: i + 1, message: "field '\(name)' is not a finite number: '\(cell)'")
        }
        row[allowed.firstIndex(of: name)!] = v
      }
      rows.append(row)
    }
    return rows
  }
}

extension DataFiles {
  /// Opens a data file as HDF5; a file that is not one is a ``DataFileError`` naming it.
  static func openHDF5(_ url: URL) throws -> HDF5File {
    do {
      return try HDF5File.open(at: url)
    } catch {
      throw DataFileError(url: url, line: nil, message: "is not a readable HDF5 file (\(error))")
    }
  }

  /// Whether a path names an HDF5 spike file rather than a CSV file.
  static func isHDF5(_ path: String) -> Bool {
    ["h5", "hdf5", "sonata"].contains(URL(fileURLWithPath: path).pathExtension.lowercased())
  }

  /// The spikes of one population of an HDF5 file in NDML's or SONATA's spike layout
  /// (`/spikes/<population>/{timestamps, node_ids}`, timestamps in ms or, with `units = "s"`, in
  /// seconds). `population` may be omitted when the file holds exactly one.
  static func readSpikeHDF5(_ url: URL, population: String?) throws -> (
    population: String, timesMs: [Double], nodeIDs: [UInt64]
  ) {
    let file = try openHDF5(url)
    defer { try? file.close() }
    guard file.root.contains("spikes") else {
      throw DataFileError(url: url, line: nil, message: "has no /spikes group (NDML/SONATA spike layout)")
    }
    let available = try file.root.openGroup("spikes").childNames()
    let name: String
    if let population {
      guard available.contains(population) else {
        throw DataFileError(
          url: url, line: nil,
          message: "has no /spikes/\(population); it holds \(available.joined(separator: ", "))")
      }
      name = population
    } else {
      guard available.count == 1 else {
        throw DataFileError(
          url: url, line: nil,
          message: "holds \(available.count) spike populations (\(available.joined(separator: ", "))); "
            + "choose one with params.population")
      }
      name = available[0]
    }
    let group = try file.root.openGroup("spikes/\(name)")
    guard group.contains("timestamps"), group.contains("node_ids") else {
      throw DataFileError(url: url, line: nil, message: "/spikes/\(name) needs datasets timestamps and node_ids")
    }
    let stamps = try group.openDataset("timestamps")
    let units = stamps.hasAttribute("units") ? try stamps.stringAttribute("units") : "ms"
    let scale = units == "s" ? 1000.0 : 1.0
    // Other tools store float32 times or signed ids: read what is there.
    let raw: [Double]
    if let doubles = try? stamps.read(as: Double.self) {
      raw = doubles
    } else {
      raw = try stamps.read(as: Float.self).map(Double.init)
    }
    let times = raw.map { $0 * scale }
    let idSet = try group.openDataset("node_ids")
    let ids: [UInt64]
    if let unsigned = try? idSet.read(as: UInt64.self) {
      ids = unsigned
    } else {
      let signed: [Int64]
      if let wide = try? idSet.read(as: Int64.self) {
        signed = wide
      } else {
        signed = try idSet.read(as: Int32.self).map(Int64.init)
      }
      if let bad = signed.first(where: { $0 < 0 }) {
        throw DataFileError(url: url, line: nil, message: "/spikes/\(name): node id \(bad) is negative")
      }
      ids = signed.map { UInt64($0) }
    }
    guard times.count == ids.count else {
      throw DataFileError(
        url: url, line: nil, message: "/spikes/\(name): \(times.count) timestamps but \(ids.count) node_ids")
    }
    if let bad = times.first(where: { !$0.isFinite }) {
      throw DataFileError(url: url, line: nil, message: "/spikes/\(name): a timestamp is not finite (\(bad))")
    }
    return (name, times, ids)
  }
}

extension DataFiles {
  /// An explicit connection list from an HDF5 file: 1-D datasets `source` and `target` (integers)
  /// and optionally `weight` and `delay_ms` (numbers), all of one length, in the group `group`
  /// (the root when nil). Large lists load far faster than from CSV (the PyNN backend writes these).
  static func readConnectionsHDF5(_ url: URL, group path: String?) throws -> [ExplicitSynapse] {
    let file = try openHDF5(url)
    defer { try? file.close() }
    let name = path.map { "/" + $0.trimmingCharacters(in: CharacterSet(charactersIn: "/")) } ?? "/"
    if let path, !file.root.contains(path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))) {
      throw DataFileError(url: url, line: nil, message: "has no group \(name)")
    }
    let group = path == nil ? file.root : try file.root.openGroup(name.dropFirst().description)
    for required in ["source", "target"] where !group.contains(required) {
      throw DataFileError(
        url: url, line: nil,
        message: "\(name) needs 1-D datasets source and target (optionally weight and delay_ms); \(required) is missing"
      )
    }
    func column(_ key: String) throws -> [Double]? {
      guard group.contains(key) else { return nil }
      let set = try group.openDataset(key)
      guard try set.shape().count == 1 else {
        throw DataFileError(url: url, line: nil, message: "\(name)/\(key) must be 1-D")
      }
      do {
        return try set.readNumbers()
      } catch {
        throw DataFileError(url: url, line: nil, message: "\(name)/\(key): \(error)")
      }
    }
    let sources = try column("source")!
    let targets = try column("target")!
    let weights = try column("weight")
    let delays = try column("delay_ms")
    for (key, values) in [("target", targets), ("weight", weights), ("delay_ms", delays)] {
      if let values, values.count != sources.count {
        throw DataFileError(
          url: url, line: nil, message: "\(name)/\(key) has \(values.count) entries, source has \(sources.count)")
      }
    }
    for (key, values) in [("source", sources), ("target", targets)] {
      if let bad = values.firstIndex(where: { !($0 >= 0) || $0 != $0.rounded() || $0 >= 4_294_967_296 }) {
        throw DataFileError(
          url: url, line: nil, message: "\(name)/\(key)[\(bad)] = \(values[bad]) is not a neuron index")
      }
    }
    for (key, values) in [("weight", weights), ("delay_ms", delays)] {
      if let values, let bad = values.firstIndex(where: { !$0.isFinite }) {
        throw DataFileError(url: url, line: nil, message: "\(name)/\(key)[\(bad)] is not finite")
      }
    }
    return sources.indices.map { i in
      ExplicitSynapse(source: Int(sources[i]), target: Int(targets[i]), weight: weights?[i], delayMs: delays?[i])
    }
  }
}

extension DataFiles {
  /// A 1-D numeric dataset of an HDF5 file, every value finite.
  static func readNumbersHDF5(_ url: URL, dataset path: String) throws -> [Double] {
    let file = try openHDF5(url)
    defer { try? file.close() }
    let name = path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
    guard file.root.contains(name) else { throw DataFileError(url: url, line: nil, message: "has no dataset /\(name)") }
    let set = try file.root.openDataset(name)
    guard try set.shape().count == 1 else { throw DataFileError(url: url, line: nil, message: "/\(name) must be 1-D") }
    let values: [Double]
    do {
      values = try set.readNumbers()
    } catch {
      throw DataFileError(url: url, line: nil, message: "/\(name): \(error)")
    }
    if let bad = values.firstIndex(where: { !$0.isFinite }) {
      throw DataFileError(url: url, line: nil, message: "/\(name)[\(bad)] is not finite")
    }
    return values
  }
}

/// A problem in a data file named by a config.
struct DataFileError: Error, CustomStringConvertible {
  let url: URL
  let line: Int?
  let message: String
  var description: String { "\(url.path)\(line.map { ":\($0)" } ?? ""): \(message)" }
}
