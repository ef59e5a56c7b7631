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
  }
}
