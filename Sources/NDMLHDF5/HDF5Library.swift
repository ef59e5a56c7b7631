import CHDF5

/// Library-wide preparation done before every HDF5 call sequence.
public enum HDF5Library {
  /// Makes sure HDF5 is initialised and does not print its error stack to standard error.
  ///
  /// Debian's serial HDF5 is built thread-safe, and a thread-safe HDF5 keeps the automatic error
  /// handler per thread, so this is called at the start of every public operation rather than
  /// once per process. The call is cheap.
  static func prepare() {
    _ = noCleanupAtExit
    H5Eset_auto2(ndml_H5E_DEFAULT(), nil, nil)
  }

  /// HDF5's exit handler closes whatever is still open; after a failed write (a full disk) it
  /// crashed inside the library. NDML closes its files itself (finished or abandoned), so the
  /// handler is switched off before the library initialises.
  private static let noCleanupAtExit: Void = { H5dont_atexit() }()

  /// Seconds after which reading one variable-length string raises SIGALRM (0: never). HDF5 1.10
  /// can loop forever on a damaged global heap while reading one; a program that reads untrusted
  /// files sets this and handles SIGALRM (the `ndml` commands report the file as damaged).
  nonisolated(unsafe) public static var variableStringWatchdogSeconds: UInt32 = 0

  /// Whether the deflate (gzip) filter is available for both encoding and decoding.
  static var isDeflateAvailable: Bool {
    H5Zfilter_avail(ndml_H5Z_FILTER_DEFLATE()) > 0
  }
}
