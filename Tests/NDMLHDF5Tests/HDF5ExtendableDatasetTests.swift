import CHDF5
import XCTest

@testable import NDMLHDF5

/// Datasets that grow by appending rows.
final class HDF5ExtendableDatasetTests: HDF5TestCase {
  func testOneDimensionalAcrossManyAppends() throws {
    let url = fileURL("ext.h5")
    var expected: [Double] = []
    do {
      let file = try HDF5File.create(at: url)
      let series = try file.root.createExtendableDataset(
        "v", of: Double.self, chunkRows: 16, gzipLevel: nil)
      for step in 0..<300 {
        let batch = (0..<(step % 7)).map { Double(step * 10 + $0) }
        try series.append(batch)
        expected += batch
      }
      XCTAssertEqual(series.rowCount, expected.count)
      XCTAssertEqual(try series.dataset.shape(), [expected.count])
      try series.dataset.setAttribute("units", "mV")
      try file.close()
    }
    let file = try HDF5File.open(at: url)
    let dataset = try file.root.openDataset("v")
    XCTAssertEqual(try dataset.read(as: Double.self), expected)
    XCTAssertEqual(try dataset.stringAttribute("units"), "mV")
    XCTAssertEqual(
      try dataset.readRows(as: Double.self, from: 5, count: 3), Array(expected[5..<8]))
  }

  func testTwoDimensionalAcrossManyAppends() throws {
    let url = fileURL("ext.h5")
    var expected: [UInt32] = []
    let file = try HDF5File.create(at: url)
    let table = try file.root.createExtendableDataset(
      "spikes/table", of: UInt32.self, rowLength: 3, chunkRows: 1, gzipLevel: 4)
    for step in 0..<200 {
      let rows = step % 5
      let batch = (0..<(rows * 3)).map { UInt32(step * 100 + $0) }
      try batch.withUnsafeBufferPointer { try table.append($0) }
      expected += batch
    }
    XCTAssertEqual(table.rowCount, expected.count / 3)
    try file.close()
    let reopened = try HDF5File.open(at: url)
    let dataset = try reopened.root.openDataset("spikes/table")
    XCTAssertEqual(try dataset.shape(), [expected.count / 3, 3])
    XCTAssertEqual(try dataset.read(as: UInt32.self), expected)
    XCTAssertEqual(
      try dataset.readRows(as: UInt32.self, from: 1, count: 2), Array(expected[3..<9]))
  }

  func testZeroAppendsGiveValidEmptyDatasets() throws {
    let url = fileURL("empty.h5")
    do {
      let file = try HDF5File.create(at: url)
      let vector = try file.root.createExtendableDataset(
        "vector", of: Int64.self, chunkRows: 100, gzipLevel: 1)
      let matrix = try file.root.createExtendableDataset(
        "matrix", of: Float.self, rowLength: 4, chunkRows: 100, gzipLevel: nil)
      try vector.append([])
      try matrix.append([])
      XCTAssertEqual(vector.rowCount, 0)
      XCTAssertEqual(matrix.rowCount, 0)
    }
    let file = try HDF5File.open(at: url)
    XCTAssertEqual(try file.root.openDataset("vector").shape(), [0])
    XCTAssertEqual(try file.root.openDataset("matrix").shape(), [0, 4])
    XCTAssertEqual(try file.root.openDataset("vector").read(as: Int64.self), [])
    XCTAssertEqual(try file.root.openDataset("matrix").read(as: Float.self), [])
    XCTAssertEqual(
      try file.root.openDataset("matrix").readRows(as: Float.self, from: 0, count: 0), [])
  }

  func testPartialRowsAreRejectedWithoutChangingTheDataset() throws {
    let file = try HDF5File.create(at: fileURL("ext.h5"))
    let table = try file.root.createExtendableDataset(
      "t", of: Int8.self, rowLength: 2, chunkRows: 8, gzipLevel: nil)
    try table.append([1, 2])
    let error = assertHDF5Error(try table.append([1, 2, 3]))
    XCTAssertEqual(error?.objectPath, "/t")
    XCTAssertEqual(table.rowCount, 1)
    XCTAssertEqual(try table.dataset.read(as: Int8.self), [1, 2])
  }

  func testChunkRowsAreRaisedToSixtyFourKiBButOtherwiseRespected() throws {
    let file = try HDF5File.create(at: fileURL("ext.h5"))
    let small = try file.root.createExtendableDataset(
      "small", of: Double.self, chunkRows: 0, gzipLevel: nil)
    XCTAssertEqual(small.chunkRows, 8192)
    let wide = try file.root.createExtendableDataset(
      "wide", of: Float.self, rowLength: 1000, chunkRows: 1, gzipLevel: nil)
    XCTAssertEqual(wide.chunkRows, 17)
    let large = try file.root.createExtendableDataset(
      "large", of: UInt8.self, chunkRows: 1_000_000, gzipLevel: nil)
    XCTAssertEqual(large.chunkRows, 1_000_000)
    let creationList = H5Dget_create_plist(try wide.dataset.handle.id("test"))
    defer { H5Pclose(creationList) }
    var chunk = [hsize_t](repeating: 0, count: 2)
    XCTAssertEqual(H5Pget_chunk(creationList, 2, &chunk), 2)
    XCTAssertEqual(chunk, [17, 1000])
  }

  func testInvalidParametersThrow() throws {
    let file = try HDF5File.create(at: fileURL("ext.h5"))
    assertHDF5Error(
      try file.root.createExtendableDataset(
        "a", of: Double.self, rowLength: -1, chunkRows: 1, gzipLevel: nil))
    assertHDF5Error(
      try file.root.createExtendableDataset(
        "b", of: Double.self, chunkRows: 1, gzipLevel: 10))
    _ = try file.root.createExtendableDataset(
      "c", of: Double.self, chunkRows: 1, gzipLevel: nil)
    assertHDF5Error(
      try file.root.createExtendableDataset(
        "c", of: Double.self, chunkRows: 1, gzipLevel: nil))
  }

  func testAppendAfterCloseThrows() throws {
    let file = try HDF5File.create(at: fileURL("ext.h5"))
    let series = try file.root.createExtendableDataset(
      "s", of: UInt64.self, chunkRows: 4, gzipLevel: nil)
    try series.append([1])
    try file.close()
    assertHDF5Error(try series.append([2]))
    XCTAssertEqual(series.rowCount, 1)
  }
}
