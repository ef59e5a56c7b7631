import CHDF5

/// Chunk shapes and the property lists for chunked, optionally gzip-compressed datasets.
enum HDF5Chunking {
  /// The smallest chunk, in bytes, an extendable dataset gets when the caller asks for fewer rows.
  static let minimumExtendableChunkBytes = 64 * 1024
  /// The chunk size, in bytes, aimed at when compressing a fixed-size dataset.
  static let fixedChunkTargetBytes = 1024 * 1024
  /// HDF5's hard limit on the size of one chunk (4 GiB minus one byte).
  static let maximumChunkBytes = Int(UInt32.max)
  /// HDF5's default chunk cache size per dataset.
  static let defaultChunkCacheBytes = 1024 * 1024

  /// Throws unless `level` is absent or a valid gzip level (0 to 9) and gzip is available.
  static func validate(gzipLevel level: Int?, at location: HDF5Location, _ operation: String)
    throws
  {
    guard let level else { return }
    guard (0...9).contains(level) else {
      throw location.failure(operation, "gzip level \(level) is outside 0...9")
    }
    guard HDF5Library.isDeflateAvailable else {
      throw location.failure(operation, "this HDF5 library has no deflate (gzip) filter")
    }
  }

  /// Rows per chunk of an extendable dataset whose rows are `rowBytes` bytes long: at least
  /// `requested` (and at least 1), raised to the fewest rows that make a 64 KiB chunk, and never
  /// beyond HDF5's chunk size limit.
  static func extendableChunkRows(requested: Int, rowBytes: Int) -> Int {
    let rowsFor64KiB = (minimumExtendableChunkBytes + rowBytes - 1) / rowBytes
    let rows = max(requested, 1, rowsFor64KiB)
    return min(rows, max(1, maximumChunkBytes / rowBytes))
  }

  /// Chunk dimensions of a fixed-size dataset of `dimensions` (none of them zero): whole in
  /// every dimension but the first, which is cut so a chunk holds about 1 MiB.
  static func fixedChunkDimensions(_ dimensions: [Int], elementBytes: Int) -> [Int] {
    let rowBytes = dimensions.dropFirst().reduce(elementBytes, *)
    let rows = max(1, min(dimensions[0], fixedChunkTargetBytes / rowBytes))
    return [rows] + dimensions.dropFirst()
  }

  /// Creates a dataset-creation property list with chunk shape `chunk`.
  ///
  /// When `gzipLevel` is given, the shuffle filter is added, followed by deflate. The caller
  /// closes the returned identifier.
  static func makeCreationList(
    chunk: [Int], gzipLevel: Int?, at location: HDF5Location, _ operation: String
  ) throws -> hid_t {
    let list = try location.check(H5Pcreate(ndml_H5P_DATASET_CREATE()), operation)
    do {
      let chunkDimensions = chunk.map { hsize_t($0) }
      try location.check(H5Pset_chunk(list, Int32(chunk.count), chunkDimensions), operation)
      if let gzipLevel {
        try location.check(H5Pset_shuffle(list), operation)
        try location.check(H5Pset_deflate(list, UInt32(gzipLevel)), operation)
      }
    } catch {
      H5Pclose(list)
      throw error
    }
    return list
  }

  /// Creates a dataset-access property list whose chunk cache holds two chunks of `chunkBytes`.
  ///
  /// With two chunks cached, appends that fill a chunk piecemeal do not recompress it each
  /// time. The cache is never smaller than HDF5's default. The caller closes the list.
  static func makeAccessList(
    chunkBytes: Int, at location: HDF5Location, _ operation: String
  ) throws -> hid_t {
    let list = try location.check(H5Pcreate(ndml_H5P_DATASET_ACCESS()), operation)
    let (doubled, overflow) = chunkBytes.multipliedReportingOverflow(by: 2)
    let cacheBytes = max(defaultChunkCacheBytes, overflow ? Int.max : doubled)
    guard H5Pset_chunk_cache(list, 521, cacheBytes, 0.75) >= 0 else {
      let failure = location.stackFailure(operation)
      H5Pclose(list)
      throw failure
    }
    return list
  }
}
