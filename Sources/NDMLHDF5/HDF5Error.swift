/// An error reported by HDF5 or by the NDMLHDF5 wrapper around it.
///
/// Every failure names what was being done, in which file and on which object, and carries the
/// text of HDF5's own error stack when HDF5 produced one (HDF5's automatic printing of that stack
/// to standard error is turned off by this module).
public struct HDF5Error: Error, CustomStringConvertible, Sendable {
  /// The operation that failed, such as "open file" or "read dataset".
  public let operation: String
  /// The file system path of the HDF5 file involved.
  public let filePath: String
  /// The path of the group, dataset or attribute inside the file, when one was involved.
  public let objectPath: String?
  /// What went wrong: HDF5's error stack (outermost to innermost) or the wrapper's own reason.
  public let message: String

  /// Creates an error from its parts.
  ///
  /// - Parameters:
  ///   - operation: The operation that failed.
  ///   - filePath: The file system path of the HDF5 file.
  ///   - objectPath: The path inside the file, if any.
  ///   - message: The reason for the failure.
  public init(operation: String, filePath: String, objectPath: String?, message: String) {
    self.operation = operation
    self.filePath = filePath
    self.objectPath = objectPath
    self.message = message
  }

  /// A one-line summary: operation, file, object and reason.
  public var description: String {
    let object = objectPath.map { ", object '\($0)'" } ?? ""
    return "HDF5 error: cannot \(operation) [file '\(filePath)'\(object)]: \(message)"
  }
}
