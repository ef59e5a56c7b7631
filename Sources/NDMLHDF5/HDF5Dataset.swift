import CHDF5

/// An open HDF5 dataset: reads its shape and contents and carries attributes.
///
/// A dataset keeps its file open for as long as it lives.
public final class HDF5Dataset: HDF5Object {

  /// The dataset's current dimensions; `[]` for a scalar dataset.
  public func shape() throws -> [Int] {
    let operation = "read dataset shape"
    return try withSpace(operation) { space in
      try HDF5Dataspaces.dimensions(of: space, at: handle.location, operation)
    }
  }

  /// A short description of the stored element type, such as `"float64"`, `"uint8"` or
  /// `"variable-length string"`.
  public func elementTypeDescription() throws -> String {
    try withType("read dataset type") { HDF5Datatypes.describe($0) }
  }

  /// Reads the whole dataset in row-major order.
  ///
  /// - Throws: ``HDF5Error`` if the stored type's class (integer or float), size or signedness
  ///   differs from `T`'s; the message names both types.
  public func read<T: HDF5Scalar>(as: T.Type) throws -> [T] {
    let operation = "read dataset"
    HDF5Library.prepare()
    let location = handle.location
    let datasetID = try handle.id(operation)
    try withType(operation) { type in
      try HDF5Datatypes.checkReadable(type, as: T.self, at: location, operation)
    }
    let count = try withSpace(operation) { space in
      try HDF5Dataspaces.elementCount(of: space, at: location, operation)
    }
    return try HDF5ScalarArrays.read(T.self, count: count, at: location, operation) {
      H5Dread(
        datasetID, T.hdf5Type, ndml_H5S_ALL(), ndml_H5S_ALL(), ndml_H5P_DEFAULT(), $0)
    }
  }

  /// Reads `count` consecutive entries along the first dimension, starting at `from`, with all
  /// of their trailing dimensions, in row-major order.
  ///
  /// - Throws: ``HDF5Error`` for a scalar dataset, a range outside the first dimension, or a
  ///   stored type that differs from `T`'s.
  public func readRows<T: HDF5Scalar>(as: T.Type, from: Int, count: Int) throws -> [T] {
    let operation = "read \(count) rows from row \(from) of dataset"
    HDF5Library.prepare()
    let location = handle.location
    let datasetID = try handle.id(operation)
    try withType(operation) { type in
      try HDF5Datatypes.checkReadable(type, as: T.self, at: location, operation)
    }
    return try withSpace(operation) { fileSpace in
      let dimensions = try HDF5Dataspaces.dimensions(of: fileSpace, at: location, operation)
      guard let rows = dimensions.first else {
        throw location.failure(operation, "a scalar dataset has no rows")
      }
      guard from >= 0, count >= 0, from <= rows - count else {
        throw location.failure(
          operation, "\(count) rows from row \(from) are outside the dataset's \(rows) rows")
      }
      let selected = [count] + dimensions.dropFirst()
      guard count > 0, let elementCount = HDF5Dataspaces.elementCount(of: selected),
        elementCount > 0
      else { return [] }
      let start = [hsize_t(from)] + dimensions.dropFirst().map { _ in hsize_t(0) }
      let block = selected.map { hsize_t($0) }
      try location.check(
        H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, start, nil, block, nil), operation)
      let memorySpace = try HDF5Dataspaces.create(selected, at: location, operation)
      defer { H5Sclose(memorySpace) }
      return try HDF5ScalarArrays.read(T.self, count: elementCount, at: location, operation) {
        H5Dread(datasetID, T.hdf5Type, memorySpace, fileSpace, ndml_H5P_DEFAULT(), $0)
      }
    }
  }

  /// Reads a scalar string dataset (variable- or fixed-length).
  ///
  /// - Throws: ``HDF5Error`` if the dataset is not a single string.
  public func readString() throws -> String {
    let operation = "read string dataset"
    HDF5Library.prepare()
    let location = handle.location
    let datasetID = try handle.id(operation)
    let count = try withSpace(operation) { space in
      try HDF5Dataspaces.elementCount(of: space, at: location, operation)
    }
    return try withType(operation) { type in
      try HDF5Strings.read(storedType: type, elementCount: count, at: location, operation) {
        memoryType, buffer in
        H5Dread(
          datasetID, memoryType, ndml_H5S_ALL(), ndml_H5S_ALL(), ndml_H5P_DEFAULT(), buffer)
      }
    }
  }

  // MARK: Helpers

  /// Calls `body` with the dataset's current dataspace, closed afterwards.
  func withSpace<R>(_ operation: String, _ body: (_ space: hid_t) throws -> R) throws -> R {
    HDF5Library.prepare()
    let space = try handle.location.check(H5Dget_space(try handle.id(operation)), operation)
    defer { H5Sclose(space) }
    return try body(space)
  }

  /// Calls `body` with the dataset's stored datatype, closed afterwards.
  func withType<R>(_ operation: String, _ body: (_ type: hid_t) throws -> R) throws -> R {
    HDF5Library.prepare()
    let type = try handle.location.check(H5Dget_type(try handle.id(operation)), operation)
    defer { H5Tclose(type) }
    return try body(type)
  }
}
