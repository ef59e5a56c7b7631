import CHDF5
import XCTest

@testable import NDMLHDF5

/// gzip compression really is applied to datasets that ask for it.
final class HDF5CompressionTests: HDF5TestCase {
  /// The filters in a dataset's creation property list, in pipeline order.
  private func filters(of dataset: HDF5Dataset) throws -> [H5Z_filter_t] {
    let creationList = H5Dget_create_plist(try dataset.handle.id("test"))
    XCTAssertGreaterThanOrEqual(creationList, 0)
    defer { H5Pclose(creationList) }
    return (0..<H5Pget_nfilters(creationList)).map { index in
      var flags: UInt32 = 0
      var valueCount = 0
      var name = [CChar](repeating: 0, count: 64)
      var config: UInt32 = 0
      return H5Pget_filter2(
        creationList, UInt32(index), &flags, &valueCount, nil, name.count, &name, &config)
    }
  }

  func testFixedDatasetWithGzipIsShuffledAndDeflated() throws {
    let url = fileURL("gzip.h5")
    let values = (0..<50_000).map { Double($0 % 10) }
    let file = try HDF5File.create(at: url)
    let compressed = try file.root.writeDataset("compressed", values, gzipLevel: 6)
    let plain = try file.root.writeDataset("plain", values)
    XCTAssertEqual(
      try filters(of: compressed), [ndml_H5Z_FILTER_SHUFFLE(), ndml_H5Z_FILTER_DEFLATE()])
    XCTAssertEqual(try filters(of: plain), [])
    let storedBytes = H5Dget_storage_size(try compressed.handle.id("test"))
    XCTAssertLessThan(storedBytes, UInt64(values.count * 8 / 10))
    try file.close()
    XCTAssertEqual(
      try HDF5File.open(at: url).root.openDataset("compressed").read(as: Double.self),
      values)
  }

  func testMultiDimensionalGzipDataset() throws {
    let file = try HDF5File.create(at: fileURL("gzip.h5"))
    let values = (0..<(300 * 1000)).map { Float($0 % 17) }
    let matrix = try file.root.writeDataset("m", values, shape: [300, 1000], gzipLevel: 1)
    XCTAssertEqual(try filters(of: matrix).last, ndml_H5Z_FILTER_DEFLATE())
    XCTAssertEqual(try matrix.read(as: Float.self), values)
    XCTAssertEqual(
      try matrix.readRows(as: Float.self, from: 299, count: 1), Array(values[299_000...]))
  }

  func testExtendableDatasetWithGzipIsDeflated() throws {
    let file = try HDF5File.create(at: fileURL("gzip.h5"))
    let series = try file.root.createExtendableDataset(
      "s", of: Int32.self, rowLength: 2, chunkRows: 10, gzipLevel: 9)
    XCTAssertEqual(
      try filters(of: series.dataset), [ndml_H5Z_FILTER_SHUFFLE(), ndml_H5Z_FILTER_DEFLATE()])
    let plain = try file.root.createExtendableDataset(
      "p", of: Int32.self, chunkRows: 10, gzipLevel: nil)
    XCTAssertEqual(try filters(of: plain.dataset), [])
  }

  func testGzipIsSkippedForEmptyAndScalarDatasets() throws {
    let file = try HDF5File.create(at: fileURL("gzip.h5"))
    let empty = try file.root.writeDataset("empty", [Double](), gzipLevel: 5)
    let scalar = try file.root.writeDataset("scalar", [1.0], shape: [], gzipLevel: 5)
    XCTAssertEqual(try filters(of: empty), [])
    XCTAssertEqual(try filters(of: scalar), [])
    assertHDF5Error(try file.root.writeDataset("bad", [1.0], gzipLevel: -1))
  }
}
