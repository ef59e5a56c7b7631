import Foundation
import NDMLModel

/// Reads a ``ConfigNode`` tree against the schema, collecting every problem (not only the first)
/// and remembering the line of every key path for later messages.
final class ConfigReader {
  private(set) var errors: [ConfigError] = []
  private(set) var lines: [String: Int] = [:]

  /// Records a problem at `node`'s line.
  func fail(_ path: String, _ message: String, at node: ConfigNode?) {
    errors.append(ConfigError(line: node?.line ?? line(of: path), keyPath: path, message: message))
  }

  /// The line of `path` or of its closest ancestor that has one.
  func line(of path: String) -> Int? {
    var p = Substring(path)
    while !p.isEmpty {
      if let l = lines[String(p)] { return l }
      guard let cut = p.lastIndex(where: { $0 == "." || $0 == "[" }) else { break }
      p = p[..<cut]
    }
    return nil
  }

  /// Opens `node` as a mapping with exactly the `allowed` keys; reports unknown keys (with a
  /// suggestion), duplicate keys and missing `required` ones.
  func fields(_ node: ConfigNode, path: String, allowed: [String], required: [String] = []) -> Fields? {
    if let l = node.line { lines[path] = l }
    guard case .mapping(let pairs) = node.kind else {
      fail(path, "must be a mapping of keys (\(allowed.joined(separator: ", "))), got \(node.summary)", at: node)
      return nil
    }
    var values: [String: ConfigNode] = [:]
    for (key, value) in pairs {
      let keyPath = path.isEmpty ? key : "\(path).\(key)"
      if let l = value.line { lines[keyPath] = l }
      if values[key] != nil {
        fail(keyPath, "is given twice", at: value)
      } else if !allowed.contains(key) {
        let hint = closestMatch(to: key, in: allowed).map { "did you mean '\($0)'? " } ?? ""
        fail(keyPath, "unknown key; \(hint)allowed here: \(allowed.joined(separator: ", "))", at: value)
      }
      values[key] = value
    }
    for key in required {
      if let value = values[key], case .null = value.kind {
        fail(path.isEmpty ? key : "\(path).\(key)", "is required but has no value", at: value)
      } else if values[key] == nil {
        fail(path.isEmpty ? key : "\(path).\(key)", "is required", at: node)
      }
    }
    return Fields(path: path, node: node, values: values, reader: self)
  }
}

/// A mapping that passed the key check; typed accessors report wrong types with the key's line.
struct Fields {
  let path: String
  let node: ConfigNode
  let values: [String: ConfigNode]
  let reader: ConfigReader

  func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

  /// The raw node of `key`, if present and not null.
  func node(_ key: String) -> ConfigNode? {
    guard let n = values[key] else { return nil }
    if case .null = n.kind { return nil }
    return n
  }

  /// A number; quantities carry their unit in the key, so `"20 ms"` is an error naming the key.
  func double(_ key: String) -> Double? {
    guard let n = node(key) else { return nil }
    return reader.number(n, path: keyPath(key))
  }

  /// A whole number.
  func int(_ key: String) -> Int? {
    guard let n = node(key) else { return nil }
    guard case .scalar(let s, false) = n.kind, let v = Int(s.replacingOccurrences(of: "_", with: "")) else {
      reader.fail(keyPath(key), "must be a whole number, got \(n.summary)", at: n)
      return nil
    }
    return v
  }

  /// A string.
  func string(_ key: String) -> String? {
    guard let n = node(key) else { return nil }
    guard case .scalar(let s, _) = n.kind else {
      reader.fail(keyPath(key), "must be a text value, got \(n.summary)", at: n)
      return nil
    }
    return s
  }

  /// A boolean.
  func bool(_ key: String) -> Bool? {
    guard let n = node(key) else { return nil }
    guard case .scalar(let s, false) = n.kind, let b = ["true": true, "false": false][s.lowercased()] else {
      reader.fail(keyPath(key), "must be true or false, got \(n.summary)", at: n)
      return nil
    }
    return b
  }

  /// One of `choices`.
  func choice(_ key: String, _ choices: [String]) -> String? {
    guard let s = string(key) else { return nil }
    guard choices.contains(s) else {
      let hint = closestMatch(to: s, in: choices).map { "did you mean '\($0)'? " } ?? ""
      reader.fail(
        keyPath(key), "'\(s)' is not valid; \(hint)choose one of \(choices.joined(separator: ", "))", at: node(key))
      return nil
    }
    return s
  }

  /// One case of a string-valued enum, by its raw value.
  func option<Choice: CaseIterable & RawRepresentable>(_ key: String, of: Choice.Type) -> Choice?
  where Choice.RawValue == String {
    choice(key, Choice.allCases.map(\.rawValue)).flatMap(Choice.init(rawValue:))
  }

  /// A list of whole numbers.
  func ints(_ key: String) -> [Int]? {
    guard let n = node(key) else { return nil }
    guard case .sequence(let items) = n.kind else {
      reader.fail(keyPath(key), "must be a list of whole numbers, got \(n.summary)", at: n)
      return nil
    }
    var out: [Int] = []
    for (i, item) in items.enumerated() {
      guard case .scalar(let s, false) = item.kind, let v = Int(s) else {
        reader.fail("\(keyPath(key))[\(i)]", "must be a whole number, got \(item.summary)", at: item)
        return nil
      }
      out.append(v)
    }
    return out
  }

  /// A list of numbers.
  func doubles(_ key: String) -> [Double]? {
    guard let n = node(key) else { return nil }
    guard case .sequence(let items) = n.kind else {
      reader.fail(keyPath(key), "must be a list of numbers, got \(n.summary)", at: n)
      return nil
    }
    var out: [Double] = []
    for (i, item) in items.enumerated() {
      guard let v = reader.number(item, path: "\(keyPath(key))[\(i)]") else { return nil }
      out.append(v)
    }
    return out
  }

  /// A list of strings.
  func strings(_ key: String) -> [String]? {
    guard let n = node(key) else { return nil }
    guard case .sequence(let items) = n.kind else {
      reader.fail(keyPath(key), "must be a list of names, got \(n.summary)", at: n)
      return nil
    }
    return items.compactMap {
      if case .scalar(let s, _) = $0.kind { return s }
      reader.fail(keyPath(key), "must be a list of names, got \($0.summary)", at: $0)
      return nil
    }
  }

  /// A constant or a distribution: `1.5`, `{uniform: [lo, hi]}`, `{normal: {mean: m, std: s}}`.
  func distribution(_ key: String, clipAtZero: Bool = false) -> ValueDistribution? {
    guard let n = node(key) else { return nil }
    return reader.distribution(n, path: keyPath(key), clipAtZero: clipAtZero)
  }

  /// A nested mapping.
  func sub(_ key: String, allowed: [String], required: [String] = []) -> Fields? {
    guard let n = node(key) else { return nil }
    return reader.fields(n, path: keyPath(key), allowed: allowed, required: required)
  }
}

extension ConfigReader {
  /// Reads a number, explaining that units belong in the key name.
  func number(_ n: ConfigNode, path: String) -> Double? {
    if case .scalar(let s, false) = n.kind {
      let text = s.replacingOccurrences(of: "_", with: "")
      if let v = Double(text), v.isFinite { return v }
      if [".nan", ".NaN", ".NAN", "nan", "NaN"].contains(s) {
        fail(path, "is NaN; give a finite number", at: n)
        return nil
      }
      if [".inf", "-.inf", "+.inf", ".Inf", "-.Inf", "inf", "-inf"].contains(s) {
        fail(path, "is infinite; give a finite number", at: n)
        return nil
      }
    }
    let unitHint =
      path.split(separator: "_").count > 1
      ? " (the unit is part of the key name, e.g. tau_m_ms: 20)" : ""
    fail(path, "must be a number, got \(n.summary)\(unitHint)", at: n)
    return nil
  }

  /// Reads a constant or a distribution.
  func distribution(_ n: ConfigNode, path: String, clipAtZero: Bool) -> ValueDistribution? {
    if case .scalar = n.kind { return number(n, path: path).map { .constant($0) } }
    guard let f = fields(n, path: path, allowed: ["uniform", "normal"]) else { return nil }
    if f.values.count != 1 {
      fail(path, "give exactly one of uniform: [low, high] or normal: {mean: m, std: s}", at: n)
      return nil
    }
    if let u = f.node("uniform") {
      guard case .sequence(let items) = u.kind, items.count == 2 else {
        fail(path + ".uniform", "must be a list [low, high], got \(u.summary)", at: u)
        return nil
      }
      guard let lo = number(items[0], path: path + ".uniform[0]"),
        let hi = number(items[1], path: path + ".uniform[1]")
      else { return nil }
      return .uniform(low: lo, high: hi)
    }
    guard let g = f.sub("normal", allowed: ["mean", "std"], required: ["mean", "std"]),
      let m = g.double("mean"), let s = g.double("std")
    else { return nil }
    return .normal(mean: m, standardDeviation: s, clipAtZero: clipAtZero)
  }
}

extension ConfigNode {
  /// A short description for messages: the scalar text, or the kind of value.
  var summary: String {
    switch kind {
    case .scalar(let s, _): "'\(s)'"
    case .mapping: "a mapping"
    case .sequence: "a list"
    case .null: "nothing"
    }
  }
}
