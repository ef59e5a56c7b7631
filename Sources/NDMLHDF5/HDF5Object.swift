import CHDF5

/// An open HDF5 object that carries attributes: the common part of ``HDF5Group`` and
/// ``HDF5Dataset`` (its path, its owned handle, and the ``HDF5AttributeHolder`` methods).
///
/// An object keeps its file open for as long as it lives.
public class HDF5Object: HDF5AttributeHolder {
  /// The object's absolute path inside the file, such as `"/"` or `"/spikes/times"`.
  public let path: String
  /// The owned object identifier.
  let handle: HDF5ObjectHandle
  /// This object's attributes.
  var attributes: HDF5Attributes { HDF5Attributes(owner: handle) }

  /// Wraps an owned object handle.
  init(handle: HDF5ObjectHandle) {
    self.handle = handle
    self.path = handle.path
  }

  /// Writes a scalar variable-length UTF-8 string attribute on this object.
  public func setAttribute(_ name: String, _ value: String) throws {
    try attributes.set(name, value)
  }

  /// Writes a scalar numeric attribute on this object.
  public func setAttribute<T: HDF5Scalar>(_ name: String, _ value: T) throws {
    try attributes.set(name, value)
  }

  /// Writes a one-dimensional numeric attribute on this object.
  public func setAttribute<T: HDF5Scalar>(_ name: String, _ values: [T]) throws {
    try attributes.set(name, values)
  }

  /// Writes a scalar `uint8` enum attribute on this object.
  public func setEnumAttribute(
    _ name: String, cases: [(name: String, value: UInt8)], value: UInt8
  ) throws {
    try attributes.setEnum(name, cases: cases, value: value)
  }

  /// Whether this object has an attribute called `name`.
  public func hasAttribute(_ name: String) -> Bool {
    attributes.contains(name)
  }

  /// Reads a string attribute of this object.
  public func stringAttribute(_ name: String) throws -> String {
    try attributes.string(name)
  }

  /// Reads a single-valued numeric attribute of this object.
  public func scalarAttribute<T: HDF5Scalar>(_ name: String, as type: T.Type) throws -> T {
    try attributes.scalar(name, as: type)
  }

  /// Reads all values of a numeric attribute of this object.
  public func arrayAttribute<T: HDF5Scalar>(_ name: String, as type: T.Type) throws -> [T] {
    try attributes.array(name, as: type)
  }

  /// Reads a one-byte enum attribute of this object.
  public func enumAttribute(_ name: String) throws -> (name: String, value: UInt8) {
    try attributes.enumValue(name)
  }
}
