import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The few operating-system calls NDML needs beyond Foundation, kept in one file.
enum Platform {
  /// Atomically replaces `destination` with `source` (POSIX `rename`, same file system).
  static func atomicReplace(_ destination: URL, with source: URL) throws {
    if rename(source.path, destination.path) != 0 {
      let reason = String(cString: strerror(errno))
      throw ResultsError.cannotWrite(path: destination.path, reason: "rename failed: \(reason)")
    }
  }
}
