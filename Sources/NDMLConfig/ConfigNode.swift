import Yams

/// A YAML value with the line it came from: the config layer's own small tree, so that `--set`
/// overrides can be applied before the schema is read and every error can name its line.
public struct ConfigNode: Sendable {
  /// The value.
  public enum Kind: Sendable {
    /// A plain scalar, as written (numbers are parsed on demand, so errors can quote the text).
    case scalar(String, quoted: Bool)
    /// An ordered mapping (keys in file order; duplicate keys are rejected when reading).
    case mapping([(key: String, value: ConfigNode)])
    /// A sequence.
    case sequence([ConfigNode])
    /// YAML null (`~`, `null` or nothing).
    case null
  }

  /// The value.
  public var kind: Kind
  /// 1-based line in the config file, nil for values set with `--set`.
  public var line: Int?

  /// Creates a node.
  public init(_ kind: Kind, line: Int?) {
    self.kind = kind
    self.line = line
  }

  /// Converts a composed Yams node.
  init(yams node: Node) throws {
    let line = node.mark?.line
    switch node {
    case .scalar(let s):
      let isNull = s.style == .plain && ["", "~", "null", "Null", "NULL"].contains(s.string)
      self.init(isNull ? .null : .scalar(s.string, quoted: s.style != .plain), line: line)
    case .mapping(let m):
      var pairs: [(key: String, value: ConfigNode)] = []
      for (k, v) in m {
        guard case .scalar(let ks) = k else {
          throw ConfigError(line: k.mark?.line, keyPath: "", message: "mapping keys must be plain names")
        }
        pairs.append((ks.string, try ConfigNode(yams: v)))
      }
      self.init(.mapping(pairs), line: line)
    case .sequence(let s):
      self.init(.sequence(try s.map { try ConfigNode(yams: $0) }), line: line)
    case .alias:
      throw ConfigError(line: line, keyPath: "", message: "YAML aliases are not supported in configs")
    }
  }

  /// Parses YAML text into a node tree; syntax errors carry the line.
  ///
  /// Anchors are refused before composing: configs do not support aliases, and composing expands
  /// them, so a few lines of nested aliases (a "billion laughs" document) would take all memory.
  public static func parse(yaml: String) throws -> ConfigNode {
    if let line = firstAnchorLine(yaml) {
      throw ConfigError(
        line: line, keyPath: "",
        message: "YAML anchors and aliases (&name, *name) are not supported in configs; write the values out")
    }
    do {
      guard let node = try Yams.compose(yaml: yaml) else { return ConfigNode(.null, line: 1) }
      return try ConfigNode(yams: node)
    } catch let error as YamlError {
      throw ConfigError(yaml: error)
    }
  }

  /// The line of the first YAML anchor (`&name` after a space, `[`, `{`, `,`, `:` or `-`, outside
  /// comments and quotes), if any.
  static func firstAnchorLine(_ yaml: String) -> Int? {
    for (index, line) in yaml.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      var quote: Character?
      var previous: Character = " "
      for c in line {
        if let q = quote {
          if c == q { quote = nil }
        } else if c == "\"" || c == "'" {
          quote = c
        } else if c == "#" && (previous == " " || previous == "\t") {
          break
        } else if c == "&" && " \t[{,:-".contains(previous) {
          return index + 1
        }
        previous = c
      }
    }
    return nil
  }

  /// Returns a copy with the value at dotted `keyPath` replaced (intermediate mappings created).
  ///
  /// Used by `--set simulation.duration_ms=2000`; the value is parsed as YAML (`[1, 2]`, `{a: 1}`).
  public func setting(_ keyPath: [String], to value: ConfigNode) throws -> ConfigNode {
    guard let first = keyPath.first else { return value }
    var pairs: [(key: String, value: ConfigNode)]
    switch kind {
    case .mapping(let p): pairs = p
    case .null: pairs = []
    default:
      throw ConfigError(
        line: line, keyPath: first,
        message: "cannot set a key below a value that is not a mapping")
    }
    let rest = Array(keyPath.dropFirst())
    if let i = pairs.firstIndex(where: { $0.key == first }) {
      pairs[i].value = try pairs[i].value.setting(rest, to: value)
    } else {
      pairs.append((first, try ConfigNode(.null, line: nil).setting(rest, to: value)))
    }
    return ConfigNode(.mapping(pairs), line: line)
  }
}
