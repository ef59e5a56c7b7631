import CHDF5

/// Where an operation happens (file and object), used to build ``HDF5Error`` values.
struct HDF5Location: Sendable {
  /// The file system path of the file.
  let filePath: String
  /// The path inside the file, if the operation concerns an object.
  let objectPath: String?

  /// An error with the wrapper's own reason.
  func failure(_ operation: String, _ message: String) -> HDF5Error {
    HDF5Error(
      operation: operation, filePath: filePath, objectPath: objectPath, message: message)
  }

  /// An error carrying HDF5's error stack, or `fallback` when the stack is empty.
  func stackFailure(_ operation: String, fallback: String = "HDF5 call failed") -> HDF5Error {
    failure(operation, HDF5ErrorStack.takeMessage() ?? fallback)
  }

  /// Returns `result` if it is non-negative; otherwise throws the error on HDF5's stack.
  @discardableResult
  func check<R: BinaryInteger>(_ result: R, _ operation: String) throws -> R {
    guard result >= 0 else { throw stackFailure(operation) }
    return result
  }

  /// The location of `name` relative to this location's object (absolute names stay absolute).
  func child(_ name: String) -> HDF5Location {
    HDF5Location(filePath: filePath, objectPath: HDF5Location.join(objectPath ?? "/", name))
  }

  /// Joins a group path and a relative or absolute link name.
  static func join(_ parent: String, _ name: String) -> String {
    if name.hasPrefix("/") { return name }
    return parent.hasSuffix("/") ? parent + name : parent + "/" + name
  }
}
