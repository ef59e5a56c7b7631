/// Errors writing or reading a results file; each names the file and what to do.
public enum ResultsError: Error, CustomStringConvertible {
  /// The output location cannot be written.
  case cannotWrite(path: String, reason: String)
  /// The file is not an NDML results file or lacks an expected part.
  case malformed(path: String, reason: String)
  /// A population or variable asked for is not in the file.
  case notFound(path: String, what: String, available: [String])

  /// The message as printed.
  public var description: String {
    switch self {
    case .cannotWrite(let path, let reason):
      "cannot write results to \(path): \(reason); choose another path with -o or output.path"
    case .malformed(let path, let reason):
      "\(path) is not a readable NDML results file: \(reason)"
    case .notFound(let path, let what, let available):
      "\(path) has no \(what); available: \(available.isEmpty ? "none" : available.joined(separator: ", "))"
    }
  }
}
