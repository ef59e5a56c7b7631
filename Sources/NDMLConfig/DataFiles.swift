import Foundation
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

/// A problem in a data file named by a config.
struct DataFileError: Error, CustomStringConvertible {
  let url: URL
  let line: Int?
  let message: String
  var description: String { "\(url.path)\(line.map { ":\($0)" } ?? ""): \(message)" }
}
