import Foundation
import NDMLModel

/// What a checkpoint records besides the engine's state: enough to check that a resume continues
/// the same run (config, build, format) and to put its results file back where it was.
public struct CheckpointHeader: Codable, Sendable, Equatable {
  /// NDML release that wrote it.
  public var ndmlVersion: String
  /// Identity of the executable that wrote it (``CheckpointFile/buildID``).
  public var build: String
  /// The config file's path as given to `ndml run`.
  public var configPath: String
  /// ``CheckpointFile/configHash(text:overrides:)`` of the config text and overrides.
  public var configHash: String
  /// `--set` overrides of the run (thread overrides excluded: resuming may change them).
  public var overrides: [String]
  /// The results file the run writes (its `.partial` file holds the data so far).
  public var resultsPath: String
  /// The first step not yet simulated, and its time.
  public var step: Int
  /// `step × dt` in ms.
  public var timeMs: Double
  /// Checkpoint interval of the run, in ms.
  public var checkpointEveryMs: Double
  /// Threads the run used when the checkpoint was written (per rank; informative for one process,
  /// which may resume on any count; a run on ranks resumes on the same count).
  public var threads: Int
  /// MPI ranks of the run that wrote it (`mpirun -np K`); nil for one process. Its state then
  /// holds each rank's part, and only the same rank and thread counts can resume it.
  public var ranks: Int?
  /// Rows of every extendable dataset of the results file at the checkpoint, by path.
  public var resultsRows: [String: Int]

  /// Creates a header.
  public init(
    ndmlVersion: String, build: String, configPath: String, configHash: String, overrides: [String],
    resultsPath: String, step: Int, timeMs: Double, checkpointEveryMs: Double, threads: Int,
    resultsRows: [String: Int], ranks: Int? = nil
  ) {
    self.ndmlVersion = ndmlVersion
    self.build = build
    self.configPath = configPath
    self.configHash = configHash
    self.overrides = overrides
    self.resultsPath = resultsPath
    self.step = step
    self.timeMs = timeMs
    self.checkpointEveryMs = checkpointEveryMs
    self.threads = threads
    self.resultsRows = resultsRows
    self.ranks = ranks
  }
}

/// Problems with a checkpoint; each names the file and what to do.
public enum CheckpointError: Error, CustomStringConvertible, Equatable {
  /// The file is not a complete, intact checkpoint (truncated, damaged, not a checkpoint).
  case damaged(path: String, reason: String)
  /// The checkpoint is intact but cannot continue this run (format, build or config differ).
  case incompatible(path: String, reason: String)
  /// The saved state does not fit the network being restored.
  case stateMismatch(String)
  /// Writing the checkpoint failed.
  case cannotWrite(path: String, reason: String)

  /// The message as printed.
  public var description: String {
    switch self {
    case .damaged(let path, let reason):
      "\(path): not a usable checkpoint: \(reason); resume from an earlier checkpoint or rerun from the start"
    case .incompatible(let path, let reason): "\(path): cannot resume: \(reason)"
    case .stateMismatch(let detail): "the checkpoint does not fit the network: \(detail)"
    case .cannotWrite(let path, let reason): "\(path): cannot write the checkpoint: \(reason)"
    }
  }
}

/// The checkpoint file: `NDMLCKPT`, format version (UInt32), header length (UInt64), the header
/// as JSON, state length (UInt64), the engine state, tails length (UInt64), the results tails
/// (per dataset: path length, path, byte count, bytes; all lengths UInt64), and a checksum (UInt64)
/// of everything before it (``checksum(_:)``); integers little-endian. Written to a temporary file, synced and renamed
/// over the previous checkpoint, so a kill at any moment leaves either the old or the new one.
/// Layout and guarantees: `docs/checkpoint.md`.
public enum CheckpointFile {
  /// The format this build reads and writes.
  public static let formatVersion: UInt32 = 1
  private static let magic = Array("NDMLCKPT".utf8)

  /// Writes a checkpoint atomically (temporary file, fsync, rename, fsync of the folder).
  public static func write(header: CheckpointHeader, state: [UInt8], tails: [String: [UInt8]], to url: URL) throws {
    let json: Data
    do { json = try JSONEncoder().encode(header) } catch {
      throw CheckpointError.cannotWrite(path: url.path, reason: "\(error)")
    }
    var bytes = magic
    appendInteger(formatVersion, to: &bytes)
    appendInteger(UInt64(json.count), to: &bytes)
    bytes += json
    appendInteger(UInt64(state.count), to: &bytes)
    bytes += state
    var tailBytes: [UInt8] = []
    for (path, tail) in tails.sorted(by: { $0.key < $1.key }) {
      appendInteger(UInt64(path.utf8.count), to: &tailBytes)
      tailBytes += Array(path.utf8)
      appendInteger(UInt64(tail.count), to: &tailBytes)
      tailBytes += tail
    }
    appendInteger(UInt64(tailBytes.count), to: &bytes)
    bytes += tailBytes
    appendInteger(checksum(bytes), to: &bytes)
    let temporary = url.appendingPathExtension("tmp")
    let fd = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { throw CheckpointError.cannotWrite(path: url.path, reason: String(cString: strerror(errno))) }
    var failure: String?
    bytes.withUnsafeBytes { raw in
      var offset = 0
      while offset < raw.count {
        let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
        if n < 0 {
          if errno == EINTR { continue }
          failure = String(cString: strerror(errno))
          return
        }
        offset += n
      }
    }
    if failure == nil && fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
    close(fd)
    if let failure {
      unlink(temporary.path)
      throw CheckpointError.cannotWrite(path: url.path, reason: failure)
    }
    guard rename(temporary.path, url.path) == 0 else {
      let reason = String(cString: strerror(errno))
      unlink(temporary.path)
      throw CheckpointError.cannotWrite(path: url.path, reason: reason)
    }
    let folder = open(url.deletingLastPathComponent().path, O_RDONLY)
    if folder >= 0 {
      fsync(folder)
      close(folder)
    }
  }

  /// Reads and verifies a checkpoint (magic, format version, lengths, checksum, header).
  public static func read(_ url: URL) throws -> (header: CheckpointHeader, state: [UInt8], tails: [String: [UInt8]]) {
    let path = url.path
    guard let data = FileManager.default.contents(atPath: path) else {
      throw CheckpointError.damaged(path: path, reason: "the file cannot be read (missing or no permission)")
    }
    let bytes = [UInt8](data)
    let fixed = magic.count + 4 + 8
    guard bytes.count >= fixed, Array(bytes[0..<magic.count]) == magic else {
      throw CheckpointError.damaged(path: path, reason: "it does not start with the checkpoint signature")
    }
    let version: UInt32 = loadInteger(bytes, at: magic.count)
    guard version == formatVersion else {
      throw CheckpointError.incompatible(
        path: path, reason: "it has format version \(version), this NDML reads version \(formatVersion)")
    }
    let headerLength = Int(clamping: loadInteger(bytes, at: magic.count + 4) as UInt64)
    guard headerLength <= bytes.count - fixed - 16 else {
      throw CheckpointError.damaged(path: path, reason: "it is truncated (\(bytes.count) bytes)")
    }
    let truncated = CheckpointError.damaged(path: path, reason: "it is truncated (\(bytes.count) bytes)")
    let stateStart = fixed + headerLength + 8
    let stateLength = Int(clamping: loadInteger(bytes, at: fixed + headerLength) as UInt64)
    guard stateLength <= bytes.count - stateStart - 16 else { throw truncated }
    let tailsStart = stateStart + stateLength + 8
    let tailsLength = Int(clamping: loadInteger(bytes, at: tailsStart - 8) as UInt64)
    guard tailsLength <= bytes.count - tailsStart - 8 else { throw truncated }
    let end = tailsStart + tailsLength
    guard end + 8 == bytes.count else {
      throw CheckpointError.damaged(path: path, reason: "it has \(bytes.count - end - 8) unexpected bytes at the end")
    }
    let stored: UInt64 = loadInteger(bytes, at: end)
    guard stored == checksum(bytes[0..<end]) else {
      throw CheckpointError.damaged(path: path, reason: "its checksum does not match (the file is corrupted)")
    }
    let header: CheckpointHeader
    do {
      header = try JSONDecoder().decode(CheckpointHeader.self, from: Data(bytes[fixed..<(fixed + headerLength)]))
    } catch {
      throw CheckpointError.damaged(path: path, reason: "its header cannot be decoded (\(error))")
    }
    var tails: [String: [UInt8]] = [:]
    var position = tailsStart
    func field() throws -> [UInt8] {
      guard position + 8 <= end else { throw truncated }
      let length = Int(clamping: loadInteger(bytes, at: position) as UInt64)
      guard length <= end - position - 8 else { throw truncated }
      defer { position += 8 + length }
      return Array(bytes[(position + 8)..<(position + 8 + length)])
    }
    while position < end {
      let name = String(decoding: try field(), as: UTF8.self)
      tails[name] = try field()
    }
    return (header, Array(bytes[stateStart..<(tailsStart - 8)]), tails)
  }

  /// A 64-bit checksum for detecting damage (not tampering): FNV-1a over little-endian 64-bit
  /// words (the tail zero-padded), then the length. Any change of one word changes it.
  public static func checksum<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    let prime: UInt64 = 0x100_0000_01B3
    let count = bytes.count
    let words = Array(bytes).withUnsafeBytes { raw -> UInt64 in
      var h = h
      var i = 0
      while i + 8 <= count {
        h = (h ^ UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))) &* prime
        i += 8
      }
      if i < count {
        var tail: UInt64 = 0
        for k in i..<count { tail |= UInt64(raw[k]) << (8 * UInt64(k - i)) }
        h = (h ^ tail) &* prime
      }
      return h
    }
    h = (words ^ UInt64(count)) &* prime
    return h
  }

  /// The hash that ties a checkpoint to its config: the text and the overrides.
  public static func configHash(text: String, overrides: [String]) -> String {
    String(checksum(Array((text + "\u{0}" + overrides.joined(separator: "\u{0}")).utf8)), radix: 16)
  }

  /// The identity of the running executable: the checksum of its file, computed once. A
  /// checkpoint is resumed only by the build that wrote it, the only one whose arithmetic is
  /// guaranteed identical.
  public static let buildID: String = {
    let path = Bundle.main.executablePath ?? CommandLine.arguments[0]
    guard
      let data = FileManager.default.contents(atPath: "/proc/self/exe") ?? FileManager.default.contents(atPath: path)
    else { return "unknown" }
    return NDMLVersion.current + "-" + String(checksum([UInt8](data)), radix: 16)
  }()

  private static func appendInteger<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
    withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
  }

  private static func loadInteger<T: FixedWidthInteger>(_ bytes: [UInt8], at offset: Int) -> T {
    T(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) })
  }
}
