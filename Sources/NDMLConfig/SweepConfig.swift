import Foundation

/// One axis of a grid sweep: a label per value, and for each label the value of every config key
/// the axis sets (an axis may move several keys together, e.g. Brunel's g sets the weights of two
/// inhibitory projections).
public struct SweepAxis: Sendable, Equatable {
  /// The axis name (`sweep.grid.<name>`), used in point names and analysis tables.
  public var name: String
  /// One label per value, as written (YAML text).
  public var labels: [String]
  /// Key path (`--set` syntax) and its value (YAML flow text) for each label.
  public var settings: [Setting]

  /// A key path and one value per axis label.
  public struct Setting: Sendable, Equatable {
    /// Dotted key path, e.g. `projections.ie.weight_mV`.
    public var keyPath: String
    /// One YAML flow value per label.
    public var values: [String]
  }

  /// The short name used in point names: the last component of a dotted name.
  public var shortName: String { String(name.split(separator: ".").last ?? Substring(name)) }
}

/// One point of a sweep: its name (also its results file's stem), its parameters and the
/// `--set` overrides that make it.
public struct SweepPoint: Sendable, Equatable {
  /// Unique within the sweep; letters, digits and `._+-`.
  public var name: String
  /// Axis (or key path, for listed points) and value label, in axis order.
  public var parameters: [Parameter]
  /// `key.path=value` overrides applied on top of the config (and of the run's own `--set`).
  public var overrides: [String]

  /// One named parameter value of a point.
  public struct Parameter: Sendable, Equatable {
    /// Axis name, or key path for listed points.
    public var name: String
    /// The value as written (YAML flow text).
    public var value: String
  }
}

/// The `sweep:` section of a config: a grid over config keys or a list of points, run by
/// `ndml run` as one results file per point plus an index (`docs/sweeps.md`).
///
/// ```yaml
/// sweep:
///   directory: results/brunel_phase        # default: results/<config stem>
///   grid:                                  # every combination; the first axis varies slowest
///     g:
///       values: [3, 5]
///       set: {projections.ie.weight_mV: [-0.3, -0.5], projections.ii.weight_mV: [-0.3, -0.5]}
///     simulation.seed: [1, 2]              # shorthand: the axis sets the key it is named after
///   points:                                # named points, run after the grid's (optional)
///     - {name: fig8a, set: {projections.ie.weight_mV: -0.3}}
/// ```
public struct SweepSpec: Sendable, Equatable {
  /// `sweep.directory`, if given.
  public var directory: String?
  /// The grid's axes (empty for a list of points).
  public var axes: [SweepAxis]
  /// Every point, in run order.
  public var points: [SweepPoint]

  /// Characters allowed in point names (they become file names).
  static let nameCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-")

  /// The point called `name`.
  public func point(named name: String) -> SweepPoint? { points.first { $0.name == name } }

  /// Reads `sweep:`; problems go to `reader`.
  static func read(_ node: ConfigNode, reader: ConfigReader) -> SweepSpec? {
    guard let f = reader.fields(node, path: "sweep", allowed: ["directory", "grid", "points"]) else { return nil }
    let directory = f.string("directory")
    let gridNode = f.node("grid")
    let listNode = f.node("points")
    var spec = SweepSpec(directory: directory, axes: [], points: [])
    guard gridNode != nil || listNode != nil else {
      reader.fail(
        "sweep", "needs `grid:` (axes whose combinations are run) or `points:` (a list of named points)", at: node)
      return nil
    }
    if let grid = gridNode {
      guard let axes = readGrid(grid, reader: reader) else { return nil }
      spec.axes = axes
      spec.points = gridPoints(axes)
    }
    if let list = listNode {
      guard let points = readPoints(list, reader: reader) else { return nil }
      spec.points += points
    }
    var seen: [String: Int] = [:]
    for (i, p) in spec.points.enumerated() {
      if let j = seen[p.name] {
        reader.fail(
          "sweep",
          "points \(j + 1) and \(i + 1) would both be named '\(p.name)' (and write the same file); "
            + "give the axes distinct values or name the points", at: node)
        return nil
      }
      seen[p.name] = i
    }
    return spec
  }

  private static func readGrid(_ node: ConfigNode, reader: ConfigReader) -> [SweepAxis]? {
    guard case .mapping(let pairs) = node.kind, !pairs.isEmpty else {
      reader.fail(
        "sweep.grid", "must map axis names to values, e.g. `simulation.seed: [1, 2, 3]`, got \(node.summary)",
        at: node)
      return nil
    }
    var axes: [SweepAxis] = []
    for (name, value) in pairs {
      let path = "sweep.grid.\(name)"
      switch value.kind {
      case .sequence(let items):
        guard !items.isEmpty else {
          reader.fail(path, "is an empty list: an axis needs at least one value", at: value)
          return nil
        }
        let texts = items.map(\.flowText)
        axes.append(SweepAxis(name: name, labels: texts, settings: [.init(keyPath: name, values: texts)]))
      case .mapping:
        guard let f = reader.fields(value, path: path, allowed: ["values", "set"], required: ["values", "set"]),
          let valuesNode = f.node("values"), let setNode = f.node("set")
        else { return nil }
        guard case .sequence(let items) = valuesNode.kind, !items.isEmpty else {
          reader.fail("\(path).values", "must be a non-empty list of the axis's values", at: valuesNode)
          return nil
        }
        guard case .mapping(let sets) = setNode.kind, !sets.isEmpty else {
          reader.fail(
            "\(path).set",
            "must map config key paths to one value per axis value, e.g. "
              + "`projections.ie.weight_mV: [-0.3, -0.5]`", at: setNode)
          return nil
        }
        var settings: [SweepAxis.Setting] = []
        for (key, list) in sets {
          guard case .sequence(let v) = list.kind, v.count == items.count else {
            reader.fail(
              "\(path).set.\(key)",
              "must be a list of \(items.count) values, one per value of the axis, got "
                + list.summary, at: list)
            return nil
          }
          settings.append(.init(keyPath: key, values: v.map(\.flowText)))
        }
        axes.append(SweepAxis(name: name, labels: items.map(\.flowText), settings: settings))
      default:
        reader.fail(
          path,
          "must be a list of values (`\(name): [1, 2]`) or a mapping with `values:` and `set:`, got "
            + value.summary, at: value)
        return nil
      }
    }
    var keys: [String: String] = [:]
    for axis in axes {
      for s in axis.settings {
        if let other = keys[s.keyPath] {
          reader.fail(
            "sweep.grid.\(axis.name)",
            "sets \(s.keyPath), which axis '\(other)' sets too; each key belongs to one axis",
            at: node)
          return nil
        }
        keys[s.keyPath] = axis.name
      }
    }
    return axes
  }

  /// Every combination of the axes' values, the first axis varying slowest.
  private static func gridPoints(_ axes: [SweepAxis]) -> [SweepPoint] {
    var points = [SweepPoint(name: "", parameters: [], overrides: [])]
    for axis in axes {
      points = points.flatMap { base in
        axis.labels.indices.map { i in
          var p = base
          let label = axis.labels[i]
          let part = axis.shortName + sanitized(label)
          p.name = p.name.isEmpty ? part : "\(p.name)_\(part)"
          p.parameters.append(.init(name: axis.name, value: label))
          p.overrides += axis.settings.map { "\($0.keyPath)=\($0.values[i])" }
          return p
        }
      }
    }
    return points
  }

  private static func readPoints(_ node: ConfigNode, reader: ConfigReader) -> [SweepPoint]? {
    guard case .sequence(let items) = node.kind, !items.isEmpty else {
      reader.fail(
        "sweep.points", "must be a non-empty list of `{name: ..., set: {key.path: value, ...}}`, got \(node.summary)",
        at: node)
      return nil
    }
    var points: [SweepPoint] = []
    for (i, item) in items.enumerated() {
      let path = "sweep.points[\(i)]"
      guard let f = reader.fields(item, path: path, allowed: ["name", "set"], required: ["name", "set"]),
        let name = f.string("name"), let setNode = f.node("set")
      else { return nil }
      guard !name.isEmpty, name.allSatisfy({ nameCharacters.contains($0) }), !name.hasPrefix(".") else {
        reader.fail("\(path).name", "'\(name)' is not a usable file name: use letters, digits and . _ + -", at: item)
        return nil
      }
      guard case .mapping(let sets) = setNode.kind, !sets.isEmpty else {
        reader.fail("\(path).set", "must map config key paths to values, got \(setNode.summary)", at: setNode)
        return nil
      }
      points.append(
        SweepPoint(
          name: name, parameters: sets.map { .init(name: $0.key, value: $0.value.flowText) },
          overrides: sets.map { "\($0.key)=\($0.value.flowText)" }))
    }
    return points
  }

  /// A value label as a file-name part: characters outside `nameCharacters` become `-`.
  static func sanitized(_ label: String) -> String {
    String(label.map { nameCharacters.contains($0) ? $0 : "-" })
  }
}

extension ConfigNode {
  /// The value as one line of YAML flow text, parseable by `--set` (quoted scalars stay quoted).
  public var flowText: String {
    switch kind {
    case .scalar(let s, let quoted):
      guard quoted else { return s }
      let escaped = s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
      return "\"\(escaped)\""
    case .mapping(let pairs): return "{" + pairs.map { "\($0.key): \($0.value.flowText)" }.joined(separator: ", ") + "}"
    case .sequence(let items): return "[" + items.map(\.flowText).joined(separator: ", ") + "]"
    case .null: return "null"
    }
  }
}

extension ConfigNode {
  /// FNV-1a (64 bit, hex) of the tree's canonical text without the given key paths: mapping
  /// order is kept (it is meaningful: projections deliver in config order), lines are not part of it.
  func fingerprint(excluding: [[String]]) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in canonicalText(excluding: excluding).utf8 {
      hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    }
    return String(hash, radix: 16)
  }

  private func canonicalText(excluding: [[String]]) -> String {
    switch kind {
    case .mapping(let pairs):
      let kept = pairs.filter { pair in !excluding.contains { $0.count == 1 && $0[0] == pair.key } }
      return "{"
        + kept.map { pair in
          let below = excluding.filter { $0.count > 1 && $0[0] == pair.key }.map { Array($0.dropFirst()) }
          return "\(pair.key.debugDescription):\(pair.value.canonicalText(excluding: below))"
        }.joined(separator: ",") + "}"
    case .sequence(let items): return "[" + items.map { $0.canonicalText(excluding: []) }.joined(separator: ",") + "]"
    case .scalar(let s, let quoted): return quoted ? s.debugDescription : s
    case .null: return "~"
    }
  }
}
