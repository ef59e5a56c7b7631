import Foundation
import NDMLConfig

/// The index of a sweep (`<directory>/index.json`): every point's parameters, results file and
/// status. Written after every change of a point's status (atomically: a crash leaves the
/// previous version), read back to resume a sweep and by `ndml analyze`.
struct SweepIndex: Codable {
  /// Format marker and version.
  var format = "ndml-sweep-index"
  var version = 1
  /// The config (as given on the command line) and its `--set` overrides for every point.
  var config: String
  var overrides: [String]
  /// NDML version that last wrote the index.
  var ndmlVersion: String
  /// Axis names and value labels, in grid order (empty for a list of points).
  var axes: [Axis]
  /// The points, in run order.
  var points: [Point]

  struct Axis: Codable {
    var name: String
    var values: [String]
  }

  /// Status of one point: `pending` (not run yet), `running`, `complete`, `failed` or
  /// `interrupted` (stopped by a signal; rerun on resume).
  struct Point: Codable {
    var name: String
    /// Axis (or key path) → value label.
    var parameters: [String: String]
    /// The `--set` overrides that make the point.
    var overrides: [String]
    /// Results file, relative to the index's directory.
    var file: String
    /// Run log (the worker's stdout and stderr), relative to the index's directory.
    var log: String
    var status: String
    /// ``ExperimentConfig/fingerprint`` of the point's config when it ran.
    var fingerprint: String
    var exitCode: Int32?
    var wallSeconds: Double?
    /// The worker's last error line, for failed points.
    var message: String?
  }

  enum CodingKeys: String, CodingKey {
    case format, version, config, overrides, ndmlVersion = "ndml_version", axes, points
  }

  static let fileName = "index.json"

  /// Reads an index; throws ``CommandError`` naming the file for anything unreadable.
  static func read(_ url: URL) throws -> SweepIndex {
    let data: Data
    do {
      data = try Data(contentsOf: url)
    } catch {
      throw CommandError("\(url.path): cannot be read (\(error.localizedDescription))")
    }
    do {
      let index = try JSONDecoder().decode(SweepIndex.self, from: data)
      guard index.format == "ndml-sweep-index" else {
        throw CommandError("\(url.path): not an NDML sweep index (format '\(index.format)')")
      }
      return index
    } catch let error as CommandError {
      throw error
    } catch {
      throw CommandError(
        "\(url.path): not a valid sweep index (\(error)); delete it to start the sweep afresh (results files are kept)")
    }
  }

  /// Writes the index atomically.
  func write(to url: URL) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    try encoder.encode(self).write(to: url, options: .atomic)
  }
}

extension SweepIndex.Point {
  enum CodingKeys: String, CodingKey {
    case name, parameters, overrides, file, log, status, fingerprint, message
    case exitCode = "exit_code", wallSeconds = "wall_seconds"
  }
}
