import CHDF5

/// A fixed-width numeric type that maps one-to-one onto an HDF5 native datatype.
///
/// Values are copied to and from HDF5 as raw memory, so a conforming type must be a trivial
/// value type whose size equals the size of ``hdf5Type`` (checked before every read and write).
public protocol HDF5Scalar {
  /// The HDF5 native datatype identifier describing this type in memory.
  static var hdf5Type: hid_t { get }
}

extension Double: HDF5Scalar {
  /// `H5T_NATIVE_DOUBLE` (stored as IEEE float64).
  public static var hdf5Type: hid_t { ndml_H5T_NATIVE_DOUBLE() }
}

extension Float: HDF5Scalar {
  /// `H5T_NATIVE_FLOAT` (stored as IEEE float32).
  public static var hdf5Type: hid_t { ndml_H5T_NATIVE_FLOAT() }
}

extension UInt64: HDF5Scalar {
  /// `H5T_NATIVE_UINT64`.
  public static var hdf5Type: hid_t { ndml_H5T_NATIVE_UINT64() }
}

extension Int64: HDF5Scalar {
  /// `H5T_NATIVE_INT64`.
  public static var hdf5Type: hid_t { ndml_H5T_NATIVE_INT64() }
}

extension UInt32: HDF5Scalar {
  /// `H5T_NATIVE_UINT32`.
  public static var hdf5Type: hid_t { ndml_H5T_NATIVE_UINT32() }
}

extension Int32: HDF5Scalar {
  /// `H5T_NATIVE_INT32`.
  public static var hdf5Type: hid_t { ndml_H5T_NATIVE_INT32() }
}

extension UInt16: HDF5Scalar {
  /// `H5T_NATIVE_UINT16`.
  public static var hdf5Type: hid_t { ndml_H5T_NATIVE_UINT16() }
}

extension Int16: HDF5Scalar {
  /// `H5T_NATIVE_INT16`.
  public static var hdf5Type: hid_t { ndml_H5T_NATIVE_INT16() }
}

extension UInt8: HDF5Scalar {
  /// `H5T_NATIVE_UINT8`.
  public static var hdf5Type: hid_t { ndml_H5T_NATIVE_UINT8() }
}

extension Int8: HDF5Scalar {
  /// `H5T_NATIVE_INT8`.
  public static var hdf5Type: hid_t { ndml_H5T_NATIVE_INT8() }
}
