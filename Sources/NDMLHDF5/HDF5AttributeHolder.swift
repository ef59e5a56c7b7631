/// An HDF5 object that carries attributes: ``HDF5Group`` and ``HDF5Dataset``.
///
/// Every `set…` method replaces an existing attribute of the same name (the old one is deleted
/// and a new one created, so its type and shape may change).
public protocol HDF5AttributeHolder {
  /// Writes a scalar variable-length UTF-8 string attribute (h5py reads it as `str`).
  ///
  /// - Throws: ``HDF5Error`` if the value contains a NUL character or HDF5 fails.
  func setAttribute(_ name: String, _ value: String) throws

  /// Writes a scalar numeric attribute.
  func setAttribute<T: HDF5Scalar>(_ name: String, _ value: T) throws

  /// Writes a one-dimensional numeric attribute (an empty array gives a zero-length one).
  func setAttribute<T: HDF5Scalar>(_ name: String, _ values: [T]) throws

  /// Writes a scalar attribute of an HDF5 enum type (`H5Tenum_create` over native `uint8`).
  ///
  /// - Parameters:
  ///   - name: The attribute name.
  ///   - cases: The enum's members; names and values must be unique.
  ///   - value: The stored value; it must be one of `cases`' values.
  /// - Throws: ``HDF5Error`` if the cases are empty or not unique, `value` is not among them, or
  ///   HDF5 fails.
  func setEnumAttribute(_ name: String, cases: [(name: String, value: UInt8)], value: UInt8)
    throws

  /// Whether an attribute called `name` exists (`false` once the file is closed).
  func hasAttribute(_ name: String) -> Bool

  /// Reads a string attribute, variable- or fixed-length.
  ///
  /// - Throws: ``HDF5Error`` if the attribute is missing or is not a single string.
  func stringAttribute(_ name: String) throws -> String

  /// Reads a numeric attribute holding exactly one value of type `T`.
  ///
  /// - Throws: ``HDF5Error`` if the attribute is missing, holds several values, or its stored
  ///   type's class, size or signedness differs from `T`'s.
  func scalarAttribute<T: HDF5Scalar>(_ name: String, as: T.Type) throws -> T

  /// Reads all values of a numeric attribute of type `T`, in row-major order.
  ///
  /// - Throws: ``HDF5Error`` if the attribute is missing or its stored type differs from `T`'s.
  func arrayAttribute<T: HDF5Scalar>(_ name: String, as: T.Type) throws -> [T]

  /// Reads a scalar one-byte enum attribute: the name of its case and its value.
  ///
  /// - Throws: ``HDF5Error`` if the attribute is missing or not a one-byte enum.
  func enumAttribute(_ name: String) throws -> (name: String, value: UInt8)
}
