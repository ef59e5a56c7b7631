import CHDF5

/// A chunked dataset that grows along its first dimension as rows are appended.
///
/// One-dimensional when ``rowLength`` is 0 (each value is a row), otherwise two-dimensional
/// with ``rowLength`` columns. Create one with
/// ``HDF5Group/createExtendableDataset(_:of:rowLength:chunkRows:gzipLevel:)``.
public final class HDF5ExtendableDataset<T: HDF5Scalar> {
  /// The underlying dataset, for setting attributes (such as units) or reading back.
  public let dataset: HDF5Dataset
  /// Columns per row; 0 for a one-dimensional dataset.
  public let rowLength: Int
  /// The number of rows in one chunk, as chosen at creation.
  public let chunkRows: Int
  /// The number of rows written so far.
  public private(set) var rowCount: Int = 0

  /// Wraps a freshly created, empty extendable dataset.
  init(dataset: HDF5Dataset, rowLength: Int, chunkRows: Int) {
    self.dataset = dataset
    self.rowLength = rowLength
    self.chunkRows = chunkRows
  }

  /// The rows after the last whole chunk (row-major values): the only chunk later appends
  /// rewrite. A checkpoint keeps them, because a run killed while HDF5 rewrites that chunk can
  /// leave it damaged on disk; whole chunks before it are never written again.
  public private(set) var tail: [T] = []

  /// Reopens an extendable dataset written earlier and puts it back to `rows` rows whose last
  /// `tail.count / max(rowLength, 1)` rows are `tail` (as ``tail`` held them): the rows before
  /// the tail's chunk are kept, the chunk the tail lives in (possibly damaged by a kill) and
  /// everything after it is dropped, and the tail is written again. Appending then continues from
  /// `rows` (resuming a run from a checkpoint).
  ///
  /// - Throws: ``HDF5Error`` if the dataset is not one- or two-dimensional, has fewer rows than
  ///   kept, stores another type, the tail does not fit, or HDF5 fails.
  public init(reopening dataset: HDF5Dataset, of: T.Type, rows: Int, tail: [T]) throws {
    let operation = "reopen extendable dataset"
    let location = dataset.handle.location
    HDF5Library.prepare()
    try dataset.withType(operation) { try HDF5Datatypes.checkReadable($0, as: T.self, at: location, operation) }
    let shape = try dataset.shape()
    guard shape.count == 1 || shape.count == 2 else {
      throw location.failure(operation, "it has \(shape.count) dimensions, not 1 or 2")
    }
    let width = shape.count == 2 ? shape[1] : 1
    let datasetID = try dataset.handle.id(operation)
    let plist = try location.check(H5Dget_create_plist(datasetID), operation)
    defer { H5Pclose(plist) }
    var chunk = [hsize_t](repeating: 0, count: shape.count)
    guard H5Pget_chunk(plist, Int32(shape.count), &chunk) == Int32(shape.count), chunk[0] > 0 else {
      throw location.failure(operation, "it is not chunked")
    }
    let kept = rows - tail.count / width
    guard tail.count % width == 0, kept >= 0, kept % Int(chunk[0]) == 0, tail.count / width < Int(chunk[0]) else {
      throw location.failure(operation, "the saved \(tail.count) values do not end \(rows) rows")
    }
    guard kept <= shape[0] else {
      throw location.failure(operation, "it has \(shape[0]) rows, fewer than the \(kept) expected")
    }
    let trailing = shape.dropFirst().map { hsize_t($0) }
    try location.check(H5Dset_extent(datasetID, [hsize_t(kept)] + trailing), operation)
    self.dataset = dataset
    rowLength = shape.count == 2 ? shape[1] : 0
    chunkRows = Int(chunk[0])
    rowCount = kept
    try append(tail)
  }

  /// Appends values at the end, row-major.
  ///
  /// - Throws: ``HDF5Error`` if the dataset is two-dimensional and `values.count` is not a
  ///   multiple of ``rowLength``, or if HDF5 fails (the dataset then keeps its previous rows).
  public func append(_ values: [T]) throws {
    try values.withUnsafeBufferPointer { try append($0) }
  }

  /// Appends values at the end, row-major, without copying them first.
  ///
  /// - Throws: ``HDF5Error`` if the dataset is two-dimensional and `values.count` is not a
  ///   multiple of ``rowLength``, or if HDF5 fails (the dataset then keeps its previous rows).
  public func append(_ values: UnsafeBufferPointer<T>) throws {
    let operation = "append to dataset"
    HDF5Library.prepare()
    let location = dataset.handle.location
    let datasetID = try dataset.handle.id(operation)
    let width = max(rowLength, 1)
    guard values.count % width == 0 else {
      throw location.failure(
        operation, "\(values.count) values do not fill whole rows of \(rowLength)")
    }
    guard let base = values.baseAddress, !values.isEmpty else { return }
    let newRows = values.count / width
    let trailing: [hsize_t] = rowLength > 0 ? [hsize_t(rowLength)] : []
    let oldExtent = [hsize_t(rowCount)] + trailing
    let newExtent = [hsize_t(rowCount + newRows)] + trailing
    try location.check(H5Dset_extent(datasetID, newExtent), operation)
    do {
      let fileSpace = try location.check(H5Dget_space(datasetID), operation)
      defer { H5Sclose(fileSpace) }
      let start = [hsize_t(rowCount)] + trailing.map { _ in hsize_t(0) }
      let block = [hsize_t(newRows)] + trailing
      try location.check(
        H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, start, nil, block, nil), operation)
      let memorySpace = try location.check(
        H5Screate_simple(Int32(block.count), block, nil), operation)
      defer { H5Sclose(memorySpace) }
      try location.check(
        H5Dwrite(datasetID, T.hdf5Type, memorySpace, fileSpace, ndml_H5P_DEFAULT(), base),
        operation)
    } catch {
      H5Dset_extent(datasetID, oldExtent)
      H5Eclear2(ndml_H5E_DEFAULT())
      throw error
    }
    rowCount += newRows
    tail.append(contentsOf: values)
    let tailValues = (rowCount % chunkRows) * width
    if tail.count > tailValues { tail.removeFirst(tail.count - tailValues) }
  }
}
