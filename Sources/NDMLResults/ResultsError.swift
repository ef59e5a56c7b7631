/// Errors writing or reading a results file; each names the file and what to do.
public enum ResultsError: Error, CustomStringConvertible {
  /// The output location cannot be written.
  case cannotWrite(path: String, reason: String)
  /// The file is not an NDML results file or lacks an expected part.
  case malformed(path: String, reason: String)
  /// Writing recorded data failed (disk full, file-size limit, I/O error); the run stops.
  case writeFailed(path: String, reason: String)
  /// The disk holding the results is (almost) full; the run stopped before it filled up.
  case diskFull(path: String, freeBytes: Int, neededBytes: Int)
  /// A population or variable asked for is not in the file.
  case notFound(path: String, what: String, available: [String])

  /// The message as printed.
  public var description: String {
    switch self {
    case .cannotWrite(let path, let reason):
      "cannot write results to \(path): \(reason); choose another path with -o or output.path"
    case .writeFailed(let path, let reason):
      "writing results to \(path) failed: \(reason); free space or raise the limit, then rerun (or resume from "
        + "a checkpoint). The data flushed before the failure may not be readable"
    case .diskFull(let path, let free, let needed):
      "the disk holding \(path) is almost full (\(free / 1_048_576) MiB free, at least \(needed / 1_048_576) MiB "
        + "kept in reserve): the run stopped before filling it; the data up to here is in the file. Free space, "
        + "then rerun (or resume from a checkpoint)"
    case .malformed(let path, let reason):
      "\(path) is not a readable NDML results file: \(reason)"
    case .notFound(let path, let what, let available):
      "\(path) has no \(what); available: \(available.isEmpty ? "none" : available.joined(separator: ", "))"
    }
  }
}
