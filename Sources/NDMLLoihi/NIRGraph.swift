import Foundation
import NDMLHDF5

/// A flat NIR graph as `nir.write` stores it (NIR 1.0.8): the file's layout, without the node
/// semantics (those are in ``NIRExport`` and ``NIRImport``).
///
/// Layout: a string dataset `version`; a group `node` with `type = "NIRGraph"`, a group `nodes`
/// holding one group per node (a string dataset `type`, one dataset per field, an optional
/// `metadata` group), an `(E, 2)` string dataset `edges` and an optional `metadata` group.
/// `nir.read` passes every dataset of a node group to the node's constructor, so a node group
/// must hold exactly its fields; anything else goes into `metadata`, which every node accepts.
public struct NIRGraph: Sendable {
  /// A stored value: a numeric array (with its shape; `[]` for a scalar) or a string.
  public enum Value: Sendable, Equatable {
    /// Floating-point values, row-major.
    case numbers([Double], shape: [Int])
    /// Integer values, row-major.
    case integers([Int], shape: [Int])
    /// A string.
    case string(String)

    /// A one-dimensional float array.
    public static func vector(_ values: [Double]) -> Value { .numbers(values, shape: [values.count]) }
    /// A one-dimensional integer array.
    public static func vector(_ values: [Int]) -> Value { .integers(values, shape: [values.count]) }
    /// An integer scalar.
    public static func integer(_ value: Int) -> Value { .integers([value], shape: []) }
    /// A float scalar.
    public static func number(_ value: Double) -> Value { .numbers([value], shape: []) }

    /// The values as floats (integers converted), or nil for a string.
    public var doubles: [Double]? {
      switch self {
      case .numbers(let v, _): v
      case .integers(let v, _): v.map(Double.init)
      case .string: nil
      }
    }

    /// The values as integers, or nil for a string or a float that is not a whole number.
    public var ints: [Int]? {
      switch self {
      case .integers(let v, _): return v
      case .numbers(let v, _):
        guard v.allSatisfy({ $0.isFinite && $0 == $0.rounded() && abs($0) < 9e15 }) else { return nil }
        return v.map { Int($0) }
      case .string: return nil
      }
    }

    /// The dimensions (`[]` for a scalar or a string).
    public var shape: [Int] {
      switch self {
      case .numbers(_, let s), .integers(_, let s): s
      case .string: []
      }
    }

    /// The string, or nil for numbers.
    public var text: String? {
      if case .string(let s) = self { return s }
      return nil
    }
  }

  /// One node.
  public struct Node: Sendable {
    /// The node's name (its key in the graph).
    public var name: String
    /// The NIR type name (`CubaLIF`, `Linear`, …).
    public var type: String
    /// The node's fields, by name.
    public var fields: [String: Value]
    /// The node's metadata, by name (nested groups are not kept).
    public var metadata: [String: Value]

    /// Creates a node.
    public init(name: String, type: String, fields: [String: Value], metadata: [String: Value] = [:]) {
      self.name = name
      self.type = type
      self.fields = fields
      self.metadata = metadata
    }
  }

  /// The nodes, in the order they were added (in a file read back: sorted by name).
  public var nodes: [Node] = []
  /// Directed edges (source node, target node).
  public var edges: [(from: String, to: String)] = []
  /// The graph's own metadata.
  public var metadata: [String: Value] = [:]
  /// The NIR version the file states (`nir.version`); written as 1.0.8.
  public var version = "1.0.8"

  /// An empty graph.
  public init() {}

  /// The node called `name`, if any.
  public func node(named name: String) -> Node? { nodes.first { $0.name == name } }

  /// Writes the graph as `nir.write` would, replacing a file at `url`.
  public func write(to url: URL) throws {
    let file = try HDF5File.create(at: url)
    let root = file.root
    try root.writeStringDataset("version", version)
    let graph = try root.createGroup("node")
    try graph.writeStringDataset("type", "NIRGraph")
    let nodeGroup = try graph.createGroup("nodes")
    for node in nodes {
      let g = try nodeGroup.createGroup(node.name)
      try g.writeStringDataset("type", node.type)
      for (key, value) in node.fields.sorted(by: { $0.key < $1.key }) { try Self.write(value, key, in: g) }
      try Self.writeMetadata(node.metadata, in: g)
    }
    try graph.writeStringDataset("edges", edges.flatMap { [$0.from, $0.to] }, shape: [edges.count, 2])
    try Self.writeMetadata(metadata, in: graph)
    try file.close()
  }

  /// Reads a file written by `nir.write` (or ``write(to:)``); a node of any type is read with all
  /// its datasets as fields.
  public static func read(from url: URL) throws -> NIRGraph {
    let file = try HDF5File.open(at: url)
    defer { try? file.close() }
    let root = file.root
    var graph = NIRGraph()
    if root.contains("version") { graph.version = (try? root.openDataset("version").readString()) ?? "" }
    guard root.isGroup("node") else { throw NIRFileError.malformed("has no group 'node' (not a NIR file)") }
    let top = try root.openGroup("node")
    let type = top.contains("type") ? try top.openDataset("type").readString() : ""
    guard type == "NIRGraph" else {
      throw NIRFileError.malformed("its top node has type '\(type)', expected NIRGraph")
    }
    guard top.isGroup("nodes"), top.contains("edges") else {
      throw NIRFileError.malformed("the graph needs 'nodes' and 'edges'")
    }
    let nodeGroup = try top.openGroup("nodes")
    for name in try nodeGroup.childNames() {
      guard nodeGroup.isGroup(name) else { continue }
      let g = try nodeGroup.openGroup(name)
      guard g.contains("type") else { throw NIRFileError.malformed("node '\(name)' has no type") }
      var node = Node(name: name, type: try g.openDataset("type").readString(), fields: [:])
      for key in try g.childNames() where key != "type" {
        if key == "metadata", g.isGroup(key) {
          node.metadata = try readMetadata(try g.openGroup(key))
        } else if !g.isGroup(key), let value = try? readValue(try g.openDataset(key)) {
          // A field NDML cannot read (an enum, a compound) is left out; the importer names what
          // it misses.
          node.fields[key] = value
        }
      }
      graph.nodes.append(node)
    }
    let edgeSet = try top.openDataset("edges")
    let names = try edgeSet.shape().reduce(1, *) == 0 ? [] : try edgeSet.readStrings()
    guard names.count % 2 == 0 else { throw NIRFileError.malformed("'edges' is not a list of pairs") }
    graph.edges = stride(from: 0, to: names.count, by: 2).map { (names[$0], names[$0 + 1]) }
    if top.isGroup("metadata") { graph.metadata = try readMetadata(try top.openGroup("metadata")) }
    return graph
  }

  private static func write(_ value: Value, _ name: String, in group: HDF5Group) throws {
    switch value {
    case .numbers(let v, let shape): try group.writeDataset(name, v, shape: shape)
    case .integers(let v, let shape): try group.writeDataset(name, v.map(Int64.init), shape: shape)
    case .string(let s): try group.writeStringDataset(name, s)
    }
  }

  private static func writeMetadata(_ metadata: [String: Value], in group: HDF5Group) throws {
    guard !metadata.isEmpty else { return }
    let g = try group.createGroup("metadata")
    for (key, value) in metadata.sorted(by: { $0.key < $1.key }) { try write(value, key, in: g) }
  }

  private static func readMetadata(_ group: HDF5Group) throws -> [String: Value] {
    var out: [String: Value] = [:]
    for key in try group.childNames() where !group.isGroup(key) {
      if let value = try? readValue(try group.openDataset(key)) { out[key] = value }
    }
    return out
  }

  private static func readValue(_ dataset: HDF5Dataset) throws -> Value {
    let type = try dataset.elementTypeDescription()
    if type.hasSuffix("string") || type.hasPrefix("fixed-length string") {
      let strings = try dataset.readStrings()
      return .string(strings.joined(separator: "\n"))
    }
    let shape = try dataset.shape()
    if type.hasPrefix("int") || (type.hasPrefix("uint") && type != "uint64") {
      return .integers(try dataset.readIntegers(), shape: shape)
    }
    return .numbers(try dataset.readNumbers(), shape: shape)
  }
}

/// A NIR file that cannot be read.
public enum NIRFileError: Error, CustomStringConvertible {
  /// The file's layout is not a NIR graph.
  case malformed(String)

  public var description: String {
    switch self {
    case .malformed(let why): "not a readable NIR graph: \(why)"
    }
  }
}
