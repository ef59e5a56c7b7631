import CHDF5

/// Datatype checks and descriptions shared by datasets and attributes.
enum HDF5Datatypes {
  /// A short name for an HDF5 datatype, such as "float64", "uint8", "enum" or "string".
  static func describe(_ type: hid_t) -> String {
    let bits = H5Tget_size(type) * 8
    switch H5Tget_class(type) {
    case H5T_INTEGER:
      return (H5Tget_sign(type) == H5T_SGN_NONE ? "uint" : "int") + "\(bits)"
    case H5T_FLOAT:
      return "float\(bits)"
    case H5T_STRING:
      return H5Tis_variable_str(type) > 0
        ? "variable-length string" : "fixed-length string (\(bits / 8) bytes)"
    case H5T_ENUM:
      return "enum"
    case H5T_COMPOUND:
      return "compound"
    case H5T_ARRAY:
      return "array"
    case H5T_VLEN:
      return "variable-length sequence"
    case H5T_BITFIELD:
      return "bitfield"
    case H5T_OPAQUE:
      return "opaque"
    case H5T_REFERENCE:
      return "reference"
    case H5T_TIME:
      return "time"
    default:
      return "unknown type"
    }
  }

  /// A description of a Swift scalar type with its HDF5 equivalent, such as "Float (float32)".
  static func describe<T: HDF5Scalar>(_: T.Type) -> String {
    "\(T.self) (\(describe(T.hdf5Type)))"
  }

  /// Throws unless `T`'s declared HDF5 type has the same size as `T` in memory.
  static func checkLayout<T: HDF5Scalar>(
    _: T.Type, at location: HDF5Location, _ operation: String
  ) throws {
    guard H5Tget_size(T.hdf5Type) == MemoryLayout<T>.size else {
      throw location.failure(
        operation,
        "\(T.self) declares HDF5 type \(describe(T.hdf5Type)) whose size differs from "
          + "its memory size of \(MemoryLayout<T>.size) bytes")
    }
  }

  /// Throws unless data stored as `storedType` can be read as `T`.
  ///
  /// The class (integer, float), size and signedness must match; byte order may differ, since
  /// HDF5 converts it.
  static func checkReadable<T: HDF5Scalar>(
    _ storedType: hid_t, as _: T.Type, at location: HDF5Location, _ operation: String
  ) throws {
    try checkLayout(T.self, at: location, operation)
    let memoryType = T.hdf5Type
    let storedClass = H5Tget_class(storedType)
    let sameClass = storedClass == H5Tget_class(memoryType)
    let sameSize = H5Tget_size(storedType) == H5Tget_size(memoryType)
    let sameSign =
      storedClass != H5T_INTEGER || H5Tget_sign(storedType) == H5Tget_sign(memoryType)
    guard sameClass, sameSize, sameSign else {
      throw location.failure(
        operation,
        "stored type \(describe(storedType)) cannot be read as \(describe(T.self))")
    }
  }
}
