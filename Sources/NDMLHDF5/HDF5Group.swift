import CHDF5

/// An open HDF5 group: creates, opens and lists its children and carries attributes.
///
/// Names passed to a group's methods are link paths relative to the group (`"a/b"`), or absolute
/// paths from the file's root (`"/a/b"`). A group keeps its file open for as long as it lives.
public final class HDF5Group: HDF5Object {

  // MARK: Groups

  /// Creates a new group, creating any missing intermediate groups of a path such as `"a/b/c"`.
  ///
  /// - Throws: ``HDF5Error`` if a link called `name` already exists or the file is read-only.
  public func createGroup(_ name: String) throws -> HDF5Group {
    let operation = "create group '\(name)'"
    HDF5Library.prepare()
    let location = try checkName(name, operation)
    let groupID = try handle.id(operation)
    let linkList = try makeLinkCreationList(operation)
    defer { H5Pclose(linkList) }
    let childID = try location.check(
      H5Gcreate2(groupID, name, linkList, ndml_H5P_DEFAULT(), ndml_H5P_DEFAULT()), operation)
    return HDF5Group(handle: childHandle(childID, location))
  }

  /// Opens an existing group.
  ///
  /// - Throws: ``HDF5Error`` if there is no group called `name`.
  public func openGroup(_ name: String) throws -> HDF5Group {
    let operation = "open group '\(name)'"
    HDF5Library.prepare()
    let location = try checkName(name, operation)
    let groupID = try handle.id(operation)
    guard contains(name) else {
      throw location.failure(operation, "no group or link called '\(name)' in '\(path)'")
    }
    let childID = try location.check(H5Gopen2(groupID, name, ndml_H5P_DEFAULT()), operation)
    return HDF5Group(handle: childHandle(childID, location))
  }

  /// Whether a link called `name` exists; each component of a path such as `"a/b"` is checked in
  /// turn, so a missing intermediate group gives `false` rather than an error.
  public func contains(_ name: String) -> Bool {
    HDF5Library.prepare()
    guard !name.isEmpty, let groupID = try? handle.id("look up '\(name)'") else { return false }
    let components = name.split(separator: "/", omittingEmptySubsequences: true)
    var prefix = name.hasPrefix("/") ? "/" : ""
    for component in components {
      prefix += (prefix.isEmpty || prefix == "/" ? "" : "/") + component
      guard H5Lexists(groupID, prefix, ndml_H5P_DEFAULT()) > 0 else {
        H5Eclear2(ndml_H5E_DEFAULT())
        return false
      }
    }
    return !components.isEmpty
  }

  /// The names of this group's direct children (groups, datasets and other links), sorted.
  public func childNames() throws -> [String] {
    let operation = "list children"
    HDF5Library.prepare()
    let location = handle.location
    let groupID = try handle.id(operation)
    var info = H5G_info_t()
    try location.check(H5Gget_info(groupID, &info), operation)
    var names: [String] = []
    names.reserveCapacity(Int(info.nlinks))
    for index in 0..<info.nlinks {
      let length = try location.check(
        H5Lget_name_by_idx(
          groupID, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, ndml_H5P_DEFAULT()),
        operation)
      var buffer = [CChar](repeating: 0, count: length + 1)
      try location.check(
        H5Lget_name_by_idx(
          groupID, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer, length + 1,
          ndml_H5P_DEFAULT()),
        operation)
      let bytes = buffer.prefix(length).map { UInt8(bitPattern: $0) }
      names.append(String(decoding: bytes, as: UTF8.self))
    }
    return names.sorted()
  }

  /// Whether `name` exists and is a group.
  public func isGroup(_ name: String) -> Bool {
    guard contains(name), let groupID = try? handle.id("inspect '\(name)'") else { return false }
    let objectID = H5Oopen(groupID, name, ndml_H5P_DEFAULT())
    guard objectID >= 0 else {
      H5Eclear2(ndml_H5E_DEFAULT())
      return false
    }
    defer { H5Oclose(objectID) }
    return H5Iget_type(objectID) == H5I_GROUP
  }

  // MARK: Datasets

  /// Writes a new fixed-size dataset holding `values` in row-major order.
  ///
  /// - Parameters:
  ///   - name: The dataset's name or path; missing intermediate groups are created.
  ///   - values: The elements, row-major.
  ///   - shape: The dataset's dimensions; `[values.count]` when `nil`, a scalar when `[]`.
  ///     Their product must equal `values.count`.
  ///   - gzipLevel: When given (0 to 9), the dataset is chunked (about 1 MiB per chunk) and
  ///     compressed with shuffle and deflate. Ignored for empty and scalar datasets, which
  ///     cannot be chunked.
  /// - Returns: The open dataset.
  /// - Throws: ``HDF5Error`` if the shape does not match, the name exists, or HDF5 fails.
  @discardableResult
  public func writeDataset<T: HDF5Scalar>(
    _ name: String, _ values: [T], shape: [Int]? = nil, gzipLevel: Int? = nil
  ) throws -> HDF5Dataset {
    let operation = "write dataset '\(name)'"
    HDF5Library.prepare()
    let location = try checkName(name, operation)
    try HDF5Datatypes.checkLayout(T.self, at: location, operation)
    try HDF5Chunking.validate(gzipLevel: gzipLevel, at: location, operation)
    let dimensions = shape ?? [values.count]
    guard let elementCount = HDF5Dataspaces.elementCount(of: dimensions),
      elementCount == values.count
    else {
      throw location.failure(
        operation, "shape \(dimensions) does not hold \(values.count) values")
    }
    let groupID = try handle.id(operation)
    let space = try HDF5Dataspaces.create(dimensions, at: location, operation)
    defer { H5Sclose(space) }
    let linkList = try makeLinkCreationList(operation)
    defer { H5Pclose(linkList) }
    var creationList = ndml_H5P_DEFAULT()
    if let gzipLevel, !dimensions.isEmpty, elementCount > 0 {
      let chunk = HDF5Chunking.fixedChunkDimensions(
        dimensions, elementBytes: MemoryLayout<T>.size)
      creationList = try HDF5Chunking.makeCreationList(
        chunk: chunk, gzipLevel: gzipLevel, at: location, operation)
    }
    defer {
      if creationList != ndml_H5P_DEFAULT() { H5Pclose(creationList) }
    }
    let datasetID = try location.check(
      H5Dcreate2(
        groupID, name, T.hdf5Type, space, linkList, creationList, ndml_H5P_DEFAULT()),
      operation)
    let dataset = HDF5Dataset(handle: childHandle(datasetID, location))
    if !values.isEmpty {
      try unlinkOnFailure(name, groupID) {
        try values.withUnsafeBytes { bytes -> Void in
          try location.check(
            H5Dwrite(
              datasetID, T.hdf5Type, ndml_H5S_ALL(), ndml_H5S_ALL(), ndml_H5P_DEFAULT(),
              bytes.baseAddress),
            operation)
        }
      }
    }
    return dataset
  }

  /// Writes a new scalar dataset holding one variable-length UTF-8 string.
  ///
  /// - Throws: ``HDF5Error`` if the name exists, the string contains NUL, or HDF5 fails.
  @discardableResult
  public func writeStringDataset(_ name: String, _ value: String) throws -> HDF5Dataset {
    let operation = "write string dataset '\(name)'"
    HDF5Library.prepare()
    let location = try checkName(name, operation)
    try HDF5Strings.checkStorable(value, at: location, operation)
    let groupID = try handle.id(operation)
    let type = try HDF5Strings.makeVariableUTF8Type(at: location, operation)
    defer { H5Tclose(type) }
    let space = try HDF5Dataspaces.create([], at: location, operation)
    defer { H5Sclose(space) }
    let linkList = try makeLinkCreationList(operation)
    defer { H5Pclose(linkList) }
    let datasetID = try location.check(
      H5Dcreate2(groupID, name, type, space, linkList, ndml_H5P_DEFAULT(), ndml_H5P_DEFAULT()),
      operation)
    let dataset = HDF5Dataset(handle: childHandle(datasetID, location))
    try unlinkOnFailure(name, groupID) {
      try HDF5Strings.write(value, at: location, operation) { memoryType, buffer in
        H5Dwrite(
          datasetID, memoryType, ndml_H5S_ALL(), ndml_H5S_ALL(), ndml_H5P_DEFAULT(), buffer)
      }
    }
    return dataset
  }

  /// Opens an existing dataset.
  ///
  /// - Throws: ``HDF5Error`` if there is no dataset called `name`.
  public func openDataset(_ name: String) throws -> HDF5Dataset {
    let operation = "open dataset '\(name)'"
    HDF5Library.prepare()
    let location = try checkName(name, operation)
    let groupID = try handle.id(operation)
    guard contains(name) else {
      throw location.failure(operation, "no dataset or link called '\(name)' in '\(path)'")
    }
    let datasetID = try location.check(
      H5Dopen2(groupID, name, ndml_H5P_DEFAULT()), operation)
    return HDF5Dataset(handle: childHandle(datasetID, location))
  }

  /// Creates an empty dataset that grows along its first dimension by appending rows.
  ///
  /// - Parameters:
  ///   - name: The dataset's name or path; missing intermediate groups are created.
  ///   - of: The element type.
  ///   - rowLength: 0 for a one-dimensional dataset of unlimited length; k > 0 for a
  ///     two-dimensional dataset of unlimited rows by k columns.
  ///   - chunkRows: Rows per chunk; values below 1 count as 1, and the chunk is enlarged to the
  ///     fewest rows that make 64 KiB when the requested chunk would be smaller.
  ///   - gzipLevel: When given (0 to 9), chunks are compressed with shuffle and deflate.
  /// - Returns: The dataset, with shape `(0,)` or `(0, k)` until rows are appended.
  /// - Throws: ``HDF5Error`` for a negative row length, an invalid gzip level, an existing name,
  ///   or an HDF5 failure.
  public func createExtendableDataset<T: HDF5Scalar>(
    _ name: String, of: T.Type, rowLength: Int = 0, chunkRows: Int, gzipLevel: Int?
  ) throws -> HDF5ExtendableDataset<T> {
    let operation = "create extendable dataset '\(name)'"
    HDF5Library.prepare()
    let location = try checkName(name, operation)
    try HDF5Datatypes.checkLayout(T.self, at: location, operation)
    try HDF5Chunking.validate(gzipLevel: gzipLevel, at: location, operation)
    guard rowLength >= 0 else {
      throw location.failure(operation, "row length \(rowLength) is negative")
    }
    let (rowBytes, overflow) = max(rowLength, 1).multipliedReportingOverflow(
      by: MemoryLayout<T>.size)
    guard !overflow, rowBytes <= HDF5Chunking.maximumChunkBytes else {
      throw location.failure(operation, "a row of \(rowLength) values exceeds one HDF5 chunk")
    }
    let rows = HDF5Chunking.extendableChunkRows(requested: chunkRows, rowBytes: rowBytes)
    let trailing = rowLength > 0 ? [rowLength] : []
    let groupID = try handle.id(operation)
    let space = try HDF5Dataspaces.create(
      [0] + trailing, maximumDimensions: [ndml_H5S_UNLIMITED()] + trailing.map { hsize_t($0) },
      at: location, operation)
    defer { H5Sclose(space) }
    let linkList = try makeLinkCreationList(operation)
    defer { H5Pclose(linkList) }
    let creationList = try HDF5Chunking.makeCreationList(
      chunk: [rows] + trailing, gzipLevel: gzipLevel, at: location, operation)
    defer { H5Pclose(creationList) }
    let accessList = try HDF5Chunking.makeAccessList(
      chunkBytes: rows * rowBytes, at: location, operation)
    defer { H5Pclose(accessList) }
    let datasetID = try location.check(
      H5Dcreate2(groupID, name, T.hdf5Type, space, linkList, creationList, accessList),
      operation)
    let dataset = HDF5Dataset(handle: childHandle(datasetID, location))
    return HDF5ExtendableDataset(dataset: dataset, rowLength: rowLength, chunkRows: rows)
  }

  // MARK: Helpers

  /// The location of child `name`, or an error if the name is empty.
  private func checkName(_ name: String, _ operation: String) throws -> HDF5Location {
    guard !name.isEmpty else {
      throw handle.location.failure(operation, "the name is empty")
    }
    return handle.location.child(name)
  }

  /// Runs `body`; if it throws, removes the link `name` just created in group `groupID` so that
  /// no half-written dataset is left behind, then rethrows.
  private func unlinkOnFailure(_ name: String, _ groupID: hid_t, _ body: () throws -> Void)
    throws
  {
    do {
      try body()
    } catch {
      H5Ldelete(groupID, name, ndml_H5P_DEFAULT())
      H5Eclear2(ndml_H5E_DEFAULT())
      throw error
    }
  }

  /// An owned handle for a child object just opened or created at `location`.
  private func childHandle(_ objectID: hid_t, _ location: HDF5Location) -> HDF5ObjectHandle {
    HDF5ObjectHandle(
      file: handle.file, path: location.objectPath ?? path, objectID: objectID)
  }

  /// A link-creation property list that creates missing intermediate groups.
  ///
  /// The caller closes it.
  private func makeLinkCreationList(_ operation: String) throws -> hid_t {
    let location = handle.location
    let list = try location.check(H5Pcreate(ndml_H5P_LINK_CREATE()), operation)
    guard H5Pset_create_intermediate_group(list, 1) >= 0 else {
      let failure = location.stackFailure(operation)
      H5Pclose(list)
      throw failure
    }
    return list
  }
}
