import CHDF5

extension HDF5Group {
  /// Writes a new one-dimensional dataset of fixed-length ASCII strings (numpy's `S<length>`,
  /// NUL-padded), as h5py writes `create_dataset(name, (n,), "S10", ...)`.
  ///
  /// - Throws: ``HDF5Error`` if a string is longer than `length` bytes or not ASCII, the name
  ///   exists, or HDF5 fails.
  @discardableResult
  public func writeFixedStringDataset(_ name: String, _ values: [String], length: Int) throws -> HDF5Dataset {
    let operation = "write fixed-length string dataset '\(name)'"
    HDF5Library.prepare()
    let location = handle.location.child(name)
    guard length > 0, values.allSatisfy({ $0.utf8.count <= length && $0.allSatisfy(\.isASCII) }) else {
      throw location.failure(operation, "every string must be ASCII of at most \(length) bytes")
    }
    let type = try location.check(H5Tcopy(ndml_H5T_C_S1()), operation)
    defer { H5Tclose(type) }
    try location.check(H5Tset_size(type, length), operation)
    try location.check(H5Tset_strpad(type, H5T_STR_NULLPAD), operation)
    var bytes = [UInt8](repeating: 0, count: length * values.count)
    for (i, value) in values.enumerated() {
      for (j, byte) in value.utf8.enumerated() { bytes[i * length + j] = byte }
    }
    return try writeRaw(name, type: type, dimensions: [values.count], bytes: bytes, location, operation)
  }

  /// Writes a new scalar boolean dataset the way h5py stores `numpy.bool_`: an enum over `int8`
  /// with cases `FALSE = 0` and `TRUE = 1`.
  ///
  /// - Throws: ``HDF5Error`` if the name exists or HDF5 fails.
  @discardableResult
  public func writeBooleanDataset(_ name: String, _ value: Bool) throws -> HDF5Dataset {
    let operation = "write boolean dataset '\(name)'"
    HDF5Library.prepare()
    let location = handle.location.child(name)
    let type = try location.check(H5Tenum_create(ndml_H5T_NATIVE_INT8()), operation)
    defer { H5Tclose(type) }
    for (caseName, caseValue) in [("FALSE", Int8(0)), ("TRUE", Int8(1))] {
      var raw = caseValue
      try location.check(H5Tenum_insert(type, caseName, &raw), operation)
    }
    return try writeRaw(name, type: type, dimensions: [], bytes: [value ? 1 : 0], location, operation)
  }

  /// Creates dataset `name` (in this group; intermediate groups must exist) of `type` and
  /// `dimensions` and writes `bytes`, which hold the elements in that type's memory layout.
  private func writeRaw(
    _ name: String, type: hid_t, dimensions: [Int], bytes: [UInt8], _ location: HDF5Location,
    _ operation: String
  ) throws -> HDF5Dataset {
    let groupID = try handle.id(operation)
    let space = try HDF5Dataspaces.create(dimensions, at: location, operation)
    defer { H5Sclose(space) }
    let datasetID = try location.check(
      H5Dcreate2(groupID, name, type, space, ndml_H5P_DEFAULT(), ndml_H5P_DEFAULT(), ndml_H5P_DEFAULT()),
      operation)
    let dataset = HDF5Dataset(
      handle: HDF5ObjectHandle(file: handle.file, path: location.objectPath ?? path, objectID: datasetID))
    if !bytes.isEmpty {
      try bytes.withUnsafeBytes { buffer -> Void in
        try location.check(
          H5Dwrite(datasetID, type, ndml_H5S_ALL(), ndml_H5S_ALL(), ndml_H5P_DEFAULT(), buffer.baseAddress),
          operation)
      }
    }
    return dataset
  }
}
