#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Operating-system queries of the CLI, kept in one file.
enum Platform {
  /// Peak resident set size of this process in bytes (`getrusage`: kB on Linux, bytes on macOS).
  static func peakResidentBytes() -> Int {
    var usage = rusage()
    #if os(Linux)
      getrusage(RUSAGE_SELF.rawValue, &usage)
      return Int(usage.ru_maxrss) * 1024
    #else
      getrusage(RUSAGE_SELF, &usage)
      return Int(usage.ru_maxrss)
    #endif
  }

  /// The signal that asked the run to stop (SIGINT or SIGTERM), or 0.
  static var stopSignal: Int32 { receivedStopSignal }

  /// Makes SIGINT and SIGTERM set a flag the simulation loop polls (every 128 steps) instead of
  /// killing the process, so that a run stops cleanly: recorded data flushed, the file marked
  /// `interrupted`. A second signal of the same kind kills as usual.
  static func installStopHandlers() {
    for sig in [SIGINT, SIGTERM] {
      signal(sig) { received in
        receivedStopSignal = received
        signal(received, SIG_DFL)
      }
    }
  }
}

extension Platform {
  /// Until ``clearFaultMessage()``, a segmentation fault, bus error or alarm (the watchdog of
  /// `HDF5Library.variableStringWatchdogSeconds`) prints `message` and exits with status 1
  /// instead of crashing with a backtrace or hanging. For reading damaged files: HDF5 1.10
  /// trusts some on-disk offsets (a corrupted global-heap reference of a variable-length string
  /// makes `H5HG_read` copy out of bounds), so a damaged file can fault inside the library, where
  /// no error can be caught; the process cannot go on after that, but it can say what happened.
  static func setFaultMessage(_ message: String) {
    clearFaultMessage()
    let bytes = Array(message.utf8)
    let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: bytes.count)
    buffer.initialize(from: bytes, count: bytes.count)
    faultMessageLength = bytes.count
    faultMessage = buffer
    for sig in [SIGSEGV, SIGBUS, SIGALRM] {
      signal(sig) { _ in
        if let message = faultMessage { _ = write(2, message, faultMessageLength) }
        _exit(1)
      }
    }
  }

  /// Restores the default handling of faults (see ``setFaultMessage(_:)``).
  static func clearFaultMessage() {
    for sig in [SIGSEGV, SIGBUS, SIGALRM] { signal(sig, SIG_DFL) }
    faultMessage?.deallocate()
    faultMessage = nil
  }
}

/// Written by the signal handler only (a plain word store, async-signal-safe).
nonisolated(unsafe) private var receivedStopSignal: Int32 = 0
/// The message the fault handler writes (set before the handler is installed).
nonisolated(unsafe) private var faultMessage: UnsafeMutablePointer<UInt8>?
nonisolated(unsafe) private var faultMessageLength = 0
