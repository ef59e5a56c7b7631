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

/// Written by the signal handler only (a plain word store, async-signal-safe).
nonisolated(unsafe) private var receivedStopSignal: Int32 = 0
