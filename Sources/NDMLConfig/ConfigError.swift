import Yams

/// A config problem: where (file, line, dotted key path), what is wrong, and how to fix it.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
  /// The config file's path as given, nil until the loader attaches it.
  public var file: String?
  /// 1-based line, nil for `--set` values or problems of the whole file.
  public var line: Int?
  /// Dotted key path, e.g. `populations.exc.params.tau_m_ms`.
  public var keyPath: String
  /// What is wrong and how to fix it.
  public var message: String
  /// Warnings do not stop a run.
  public var isWarning: Bool

  /// Creates an error.
  public init(file: String? = nil, line: Int?, keyPath: String, message: String, isWarning: Bool = false) {
    self.file = file
    self.line = line
    self.keyPath = keyPath
    self.message = message
    self.isWarning = isWarning
  }

  init(yaml error: YamlError) {
    switch error {
    case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _):
      let ctx = context.map { "\($0.text) " } ?? ""
      self.init(line: mark.line, keyPath: "", message: "YAML syntax error: \(ctx)\(problem) (column \(mark.column))")
    default:
      self.init(line: nil, keyPath: "", message: "YAML error: \(error)")
    }
  }

  /// `file:line: key: message`, without the warning/error kind (loggers add their own).
  public var locatedMessage: String {
    let location = [file, line.map(String.init)].compactMap { $0 }.joined(separator: ":")
    return (location.isEmpty ? "" : location + ": ") + (keyPath.isEmpty ? "" : "\(keyPath): ") + message
  }

  /// The message as printed.
  public var description: String { (isWarning ? "warning: " : "") + locatedMessage }
}

/// Several config problems found in one pass (validation reports all of them, not just the first).
public struct ConfigErrors: Error, CustomStringConvertible, Sendable {
  /// The errors, in file order.
  public var errors: [ConfigError]

  /// Creates the list.
  public init(_ errors: [ConfigError]) { self.errors = errors }

  /// The message as printed.
  public var description: String {
    errors.map(\.description).joined(separator: "\n")
      + "\n\(errors.count) error\(errors.count == 1 ? "" : "s") in the config; see docs/config-reference.md"
  }
}

/// The closest of `candidates` to `word` by edit distance, if it is close enough to be a likely typo.
func closestMatch(to word: String, in candidates: [String]) -> String? {
  let lower = word.lowercased()
  let scored = candidates.map { ($0, editDistance(lower, $0.lowercased())) }
  guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
  // A missing or wrong unit suffix (`tau_m` for `tau_m_ms`) is a prefix match.
  if let prefix = candidates.first(where: { $0.lowercased().hasPrefix(lower + "_") }) { return prefix }
  if let stem = candidates.first(where: { stemOf($0) == stemOf(word) }) { return stem }
  return best.1 <= max(2, word.count / 3) ? best.0 : nil
}

/// The key without a trailing unit suffix (`tau_m_ms` → `tau_m`).
private func stemOf(_ key: String) -> String {
  let units = ["ms", "s", "mv", "v", "hz", "pa", "na", "ns", "pf", "nf", "mohm"]
  let parts = key.lowercased().split(separator: "_")
  guard parts.count > 1, let last = parts.last, units.contains(String(last)) else { return key.lowercased() }
  return parts.dropLast().joined(separator: "_")
}

/// Levenshtein distance.
func editDistance(_ a: String, _ b: String) -> Int {
  let a = Array(a)
  let b = Array(b)
  if a.isEmpty { return b.count }
  var previous = Array(0...b.count)
  for i in 1...a.count {
    var current = [i] + Array(repeating: 0, count: b.count)
    for j in 1...max(b.count, 1) where j <= b.count {
      current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.count]
}
