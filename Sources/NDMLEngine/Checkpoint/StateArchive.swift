/// The engine's state as a flat byte sequence, written and read back in the same order by each
/// component (``Checkpointable``). Values are stored in the machine's byte order; a checkpoint is
/// for resuming on the same build, which ``CheckpointFile`` enforces.
///
/// Every component starts with a named section whose name and shape (sizes) are checked when
/// read, so that restoring into a different network fails with a message naming the component
/// instead of reading garbage.
struct StateArchiveWriter {
  private(set) var bytes: [UInt8] = []

  /// Starts the section of one component, recording `shape` (sizes that must match on restore).
  mutating func section(_ name: String, shape: [Int] = []) {
    write(Array(name.utf8))
    write(shape)
  }

  mutating func write(_ value: Int) { append(value) }
  mutating func write(_ value: Double) { append(value) }
  mutating func write(_ value: Bool) { append(UInt8(value ? 1 : 0)) }

  /// Writes `count` values from `pointer`, preceded by the count.
  mutating func write<T: BitwiseCopyable>(_ pointer: UnsafePointer<T>, count: Int) {
    append(count)
    bytes.append(contentsOf: UnsafeRawBufferPointer(start: pointer, count: count * MemoryLayout<T>.stride))
  }

  mutating func write<T: BitwiseCopyable>(_ pointer: UnsafeMutablePointer<T>, count: Int) {
    write(UnsafePointer(pointer), count: count)
  }

  /// Writes an array, preceded by its count.
  mutating func write<T: BitwiseCopyable>(_ values: [T]) {
    values.withUnsafeBufferPointer { write($0.baseAddress ?? UnsafePointer(bitPattern: 8)!, count: $0.count) }
  }

  private mutating func append<T: BitwiseCopyable>(_ value: T) {
    withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) }
  }
}

/// Reads what a ``StateArchiveWriter`` wrote, checking every section name, shape and count.
struct StateArchiveReader {
  private let bytes: [UInt8]
  private var position = 0
  /// The section being read (for error messages).
  private(set) var currentSection = "(start)"

  init(_ bytes: [UInt8]) { self.bytes = bytes }

  /// Whether everything has been read.
  var isAtEnd: Bool { position == bytes.count }

  /// Enters the section `name`, checking that it was written with the same `shape`.
  mutating func section(_ name: String, shape: [Int] = []) throws {
    let found = String(decoding: try readArray() as [UInt8], as: UTF8.self)
    guard found == name else {
      throw CheckpointError.stateMismatch("expected the state of \(name), found \(found)")
    }
    currentSection = name
    let stored: [Int] = try readArray()
    guard stored == shape else {
      throw CheckpointError.stateMismatch("\(name) was saved with sizes \(stored), the network has \(shape)")
    }
  }

  mutating func readInt() throws -> Int { try take(Int.self) }
  mutating func readDouble() throws -> Double { try take(Double.self) }
  mutating func readBool() throws -> Bool { try take(UInt8.self) != 0 }

  /// Reads exactly `count` values into `pointer` (the stored count must be `count`).
  mutating func read<T: BitwiseCopyable>(into pointer: UnsafeMutablePointer<T>, count: Int) throws {
    let stored = try readInt()
    guard stored == count else {
      throw CheckpointError.stateMismatch("\(currentSection): \(stored) values saved, \(count) expected")
    }
    let length = count * MemoryLayout<T>.stride
    try ensure(length)
    bytes.withUnsafeBytes { raw in
      UnsafeMutableRawPointer(pointer).copyMemory(from: raw.baseAddress! + position, byteCount: length)
    }
    position += length
  }

  /// Reads an array written with its count.
  mutating func readArray<T: BitwiseCopyable>() throws -> [T] {
    let count = try readInt()
    guard count >= 0, count <= (bytes.count - position) / max(MemoryLayout<T>.stride, 1) else {
      throw CheckpointError.stateMismatch("\(currentSection): a count of \(count) runs past the end of the state")
    }
    // An empty array without `unsafeUninitializedCapacity`: with capacity 0 it stores the count
    // into the shared empty-array singleton, a write ThreadSanitizer reports as a race with any
    // other thread's use of an empty array (in-process ranks restore at the same time).
    if count == 0 { return [] }
    position -= MemoryLayout<Int>.size  // `read(into:count:)` reads the count again
    return try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
      try read(into: buffer.baseAddress ?? UnsafeMutablePointer(bitPattern: 8)!, count: count)
      initialized = count
    }
  }

  /// Reads an array that must have `count` elements.
  mutating func readArray<T: BitwiseCopyable>(count: Int) throws -> [T] {
    let values: [T] = try readArray()
    guard values.count == count else {
      throw CheckpointError.stateMismatch("\(currentSection): \(values.count) values saved, \(count) expected")
    }
    return values
  }

  private mutating func take<T: BitwiseCopyable>(_ type: T.Type) throws -> T {
    try ensure(MemoryLayout<T>.size)
    let value = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: position, as: T.self) }
    position += MemoryLayout<T>.size
    return value
  }

  private func ensure(_ length: Int) throws {
    guard length >= 0, position + length <= bytes.count else {
      throw CheckpointError.stateMismatch("\(currentSection): the state ends early")
    }
  }
}

/// A part of the engine whose state a checkpoint saves and restores. State is saved in a form
/// that does not depend on the thread count (per-thread copies and splits are merged), so a run
/// may resume on a different number of threads and still give bit-identical results.
protocol Checkpointable: AnyObject {
  /// Appends the state at the start of step `step` (every earlier step done, none of `step`).
  func saveState(to archive: inout StateArchiveWriter, step: Int)
  /// Restores what ``saveState(to:step:)`` wrote at the same `step`; called after the run's
  /// threads are prepared.
  func restoreState(from archive: inout StateArchiveReader, step: Int) throws
}
