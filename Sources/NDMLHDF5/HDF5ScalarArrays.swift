/// Filling Swift arrays of ``HDF5Scalar`` values from HDF5 read calls.
enum HDF5ScalarArrays {
  /// Returns `count` values of `T` that `read` writes into the raw buffer it is given.
  ///
  /// `read` must write exactly `count` elements of `T.hdf5Type`; it is not called when `count`
  /// is zero.
  static func read<T: HDF5Scalar>(
    _: T.Type, count: Int, at location: HDF5Location, _ operation: String,
    using read: (_ buffer: UnsafeMutableRawPointer) -> Int32
  ) throws -> [T] {
    guard count > 0 else { return [] }
    return try [T](unsafeUninitializedCapacity: count) { buffer, initializedCount in
      guard let base = buffer.baseAddress else { return }
      try location.check(read(UnsafeMutableRawPointer(base)), operation)
      initializedCount = count
    }
  }
}
