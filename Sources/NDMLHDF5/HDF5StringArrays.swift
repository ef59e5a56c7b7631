import CHDF5

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension HDF5Group {
  /// Writes a new dataset of variable-length UTF-8 strings (h5py reads it as an array of
  /// `bytes` objects), such as the `(edges, 2)` edge list of a NIR graph.
  ///
  /// - Parameters:
  ///   - name: The dataset's name or path; missing intermediate groups are created.
  ///   - values: The strings, row-major.
  ///   - shape: The dataset's dimensions; `[values.count]` when `nil`. Their product must equal
  ///     `values.count`.
  /// - Throws: ``HDF5Error`` if the shape does not match, a string contains NUL, the name exists,
  ///   or HDF5 fails.
  @discardableResult
  public func writeStringDataset(_ name: String, _ values: [String], shape: [Int]? = nil) throws
    -> HDF5Dataset
  {
    let operation = "write string dataset '\(name)'"
    HDF5Library.prepare()
    guard !name.isEmpty else { throw handle.location.failure(operation, "the name is empty") }
    let location = handle.location.child(name)
    for value in values { try HDF5Strings.checkStorable(value, at: location, operation) }
    let dimensions = shape ?? [values.count]
    guard let count = HDF5Dataspaces.elementCount(of: dimensions), count == values.count else {
      throw location.failure(operation, "shape \(dimensions) does not hold \(values.count) strings")
    }
    let groupID = try handle.id(operation)
    let type = try HDF5Strings.makeVariableUTF8Type(at: location, operation)
    defer { H5Tclose(type) }
    let space = try HDF5Dataspaces.create(dimensions, at: location, operation)
    defer { H5Sclose(space) }
    let datasetID = try location.check(
      H5Dcreate2(groupID, name, type, space, ndml_H5P_DEFAULT(), ndml_H5P_DEFAULT(), ndml_H5P_DEFAULT()),
      operation)
    let dataset = HDF5Dataset(
      handle: HDF5ObjectHandle(file: handle.file, path: location.objectPath ?? path, objectID: datasetID))
    guard !values.isEmpty else { return dataset }
    let copies = values.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    var pointers: [UnsafePointer<CChar>?] = copies.map { UnsafePointer($0) }
    let status = pointers.withUnsafeMutableBytes { buffer in
      H5Dwrite(datasetID, type, ndml_H5S_ALL(), ndml_H5S_ALL(), ndml_H5P_DEFAULT(), buffer.baseAddress)
    }
    do {
      try location.check(status, operation)
    } catch {
      H5Ldelete(groupID, name, ndml_H5P_DEFAULT())
      H5Eclear2(ndml_H5E_DEFAULT())
      throw error
    }
    return dataset
  }
}

extension HDF5Dataset {
  /// Reads every string of a string dataset (variable- or fixed-length, any shape), row-major.
  ///
  /// - Throws: ``HDF5Error`` if the dataset does not hold strings.
  public func readStrings() throws -> [String] {
    let operation = "read string dataset"
    HDF5Library.prepare()
    let location = handle.location
    let datasetID = try handle.id(operation)
    let count = try withSpace(operation) { space in
      try HDF5Dataspaces.elementCount(of: space, at: location, operation)
    }
    return try withType(operation) { storedType in
      try HDF5Strings.readAll(storedType: storedType, elementCount: count, at: location, operation) {
        memoryType, buffer in
        H5Dread(datasetID, memoryType, ndml_H5S_ALL(), ndml_H5S_ALL(), ndml_H5P_DEFAULT(), buffer)
      }
    }
  }

  /// Reads a numeric dataset of any integer or float type as `Double`s, row-major.
  ///
  /// - Throws: ``HDF5Error`` if the dataset is not numeric.
  public func readNumbers() throws -> [Double] {
    switch try elementTypeDescription() {
    case "float64": return try read(as: Double.self)
    case "float32": return try read(as: Float.self).map(Double.init)
    case "int64": return try read(as: Int64.self).map(Double.init)
    case "int32": return try read(as: Int32.self).map(Double.init)
    case "int16": return try read(as: Int16.self).map(Double.init)
    case "int8": return try read(as: Int8.self).map(Double.init)
    case "uint64": return try read(as: UInt64.self).map(Double.init)
    case "uint32": return try read(as: UInt32.self).map(Double.init)
    case "uint16": return try read(as: UInt16.self).map(Double.init)
    case "uint8": return try read(as: UInt8.self).map(Double.init)
    case let other:
      throw handle.location.failure("read numbers", "stored type \(other) is not a number")
    }
  }

  /// Reads a numeric dataset of any integer type as `Int`s, row-major (exact up to 2⁶³).
  ///
  /// - Throws: ``HDF5Error`` if the dataset does not hold integers.
  public func readIntegers() throws -> [Int] {
    switch try elementTypeDescription() {
    case "int64": return try read(as: Int64.self).map { Int($0) }
    case "int32": return try read(as: Int32.self).map { Int($0) }
    case "int16": return try read(as: Int16.self).map { Int($0) }
    case "int8": return try read(as: Int8.self).map { Int($0) }
    case "uint32": return try read(as: UInt32.self).map { Int($0) }
    case "uint16": return try read(as: UInt16.self).map { Int($0) }
    case "uint8": return try read(as: UInt8.self).map { Int($0) }
    case let other:
      throw handle.location.failure("read integers", "stored type \(other) is not a signed integer type")
    }
  }
}
