import XCTest

@testable import NDMLHDF5

/// Fixed-size datasets: round trips of every scalar type, shapes, row ranges and type checks.
final class HDF5DatasetTests: HDF5TestCase {
  private func roundTrip<T: HDF5Scalar & Equatable>(_ values: [T], file: HDF5File) throws {
    let name = "\(T.self)"
    try file.root.writeDataset(name, values)
    XCTAssertEqual(try file.root.openDataset(name).read(as: T.self), values, name)
  }

  func testRoundTripOfEveryScalarType() throws {
    let url = fileURL("scalars.h5")
    let file = try HDF5File.create(at: url)
    try roundTrip([0.5, -1e300, .infinity, .leastNonzeroMagnitude], file: file)
    try roundTrip([Float(0.25), -3.0e38, .greatestFiniteMagnitude], file: file)
    try roundTrip([UInt64.max, 0, 1 << 63], file: file)
    try roundTrip([Int64.min, -1, Int64.max], file: file)
    try roundTrip([UInt32.max, 0, 42], file: file)
    try roundTrip([Int32.min, 0, Int32.max], file: file)
    try roundTrip([UInt16.max, 0, 7], file: file)
    try roundTrip([Int16.min, 0, Int16.max], file: file)
    try roundTrip([UInt8.max, 0, 128], file: file)
    try roundTrip([Int8.min, -1, Int8.max], file: file)
    try file.close()
    let reopened = try HDF5File.open(at: url)
    XCTAssertEqual(try reopened.root.openDataset("UInt64").read(as: UInt64.self).first, .max)
    XCTAssertEqual(try reopened.root.openDataset("Double").elementTypeDescription(), "float64")
    XCTAssertEqual(try reopened.root.openDataset("Int8").elementTypeDescription(), "int8")
    XCTAssertTrue(try reopened.root.openDataset("Double").read(as: Double.self)[2].isInfinite)
  }

  func testNaNSurvives() throws {
    let file = try HDF5File.create(at: fileURL("nan.h5"))
    try file.root.writeDataset("x", [Double.nan])
    XCTAssertTrue(try file.root.openDataset("x").read(as: Double.self)[0].isNaN)
  }

  func testShapesAndRowMajorOrder() throws {
    let file = try HDF5File.create(at: fileURL("shape.h5"))
    let values = (0..<24).map(Int32.init)
    let cube = try file.root.writeDataset("cube", values, shape: [2, 3, 4])
    XCTAssertEqual(try cube.shape(), [2, 3, 4])
    XCTAssertEqual(try cube.read(as: Int32.self), values)
    XCTAssertEqual(try cube.readRows(as: Int32.self, from: 1, count: 1), Array(12..<24))
    let scalar = try file.root.writeDataset("scalar", [2.5], shape: [])
    XCTAssertEqual(try scalar.shape(), [])
    XCTAssertEqual(try scalar.read(as: Double.self), [2.5])
    assertHDF5Error(try scalar.readRows(as: Double.self, from: 0, count: 1))
    let empty = try file.root.writeDataset("empty", [Double]())
    XCTAssertEqual(try empty.shape(), [0])
    XCTAssertEqual(try empty.read(as: Double.self), [])
    let emptyMatrix = try file.root.writeDataset("emptyMatrix", [Float](), shape: [0, 5])
    XCTAssertEqual(try emptyMatrix.shape(), [0, 5])
    assertHDF5Error(try file.root.writeDataset("bad", [1.0, 2.0], shape: [3]))
    assertHDF5Error(try file.root.writeDataset("negative", [Double](), shape: [-1]))
    assertHDF5Error(try file.root.writeDataset("cube", values, shape: [24]))
  }

  func testReadRows() throws {
    let file = try HDF5File.create(at: fileURL("rows.h5"))
    let matrix = try file.root.writeDataset(
      "m", (0..<30).map(Double.init), shape: [10, 3])
    XCTAssertEqual(try matrix.readRows(as: Double.self, from: 2, count: 2), [6, 7, 8, 9, 10, 11])
    XCTAssertEqual(try matrix.readRows(as: Double.self, from: 10, count: 0), [])
    XCTAssertEqual(try matrix.readRows(as: Double.self, from: 9, count: 1), [27, 28, 29])
    assertHDF5Error(try matrix.readRows(as: Double.self, from: 9, count: 2))
    assertHDF5Error(try matrix.readRows(as: Double.self, from: -1, count: 1))
    assertHDF5Error(try matrix.readRows(as: Double.self, from: 0, count: -1))
    let vector = try file.root.writeDataset("v", (0..<100).map(UInt32.init))
    XCTAssertEqual(try vector.readRows(as: UInt32.self, from: 95, count: 5), [95, 96, 97, 98, 99])
  }

  func testReadingWithTheWrongTypeThrowsNamingBothTypes() throws {
    let file = try HDF5File.create(at: fileURL("types.h5"))
    let doubles = try file.root.writeDataset("doubles", [1.0, 2.0])
    let error = assertHDF5Error(try doubles.read(as: Float.self))
    XCTAssertTrue(error?.message.contains("float64") ?? false, error?.message ?? "")
    XCTAssertTrue(error?.message.contains("Float (float32)") ?? false, error?.message ?? "")
    XCTAssertEqual(error?.objectPath, "/doubles")
    assertHDF5Error(try doubles.read(as: Int64.self))
    assertHDF5Error(try doubles.readRows(as: UInt64.self, from: 0, count: 1))
    let signed = try file.root.writeDataset("signed", [Int32(-1)])
    let signError = assertHDF5Error(try signed.read(as: UInt32.self))
    XCTAssertTrue(signError?.message.contains("int32") ?? false)
    assertHDF5Error(try signed.read(as: Int64.self))
    assertHDF5Error(try signed.readString())
    let text = try file.root.writeStringDataset("text", "hi")
    assertHDF5Error(try text.read(as: UInt8.self))
  }

  func testStringDatasets() throws {
    let url = fileURL("strings.h5")
    let file = try HDF5File.create(at: url)
    let text = "spikes: 12 µs — ok ✓\nsecond line"
    try file.root.writeStringDataset("config", text)
    try file.root.writeStringDataset("empty", "")
    assertHDF5Error(try file.root.writeStringDataset("nul", "a\u{0}b"))
    try file.close()
    let reopened = try HDF5File.open(at: url)
    XCTAssertEqual(try reopened.root.openDataset("config").readString(), text)
    XCTAssertEqual(try reopened.root.openDataset("empty").readString(), "")
    XCTAssertEqual(
      try reopened.root.openDataset("config").elementTypeDescription(), "variable-length string")
    XCTAssertFalse(reopened.root.contains("nul"))
  }

  func testReadStringRejectsNumericAndArrayDatasets() throws {
    let file = try HDF5File.create(at: fileURL("s.h5"))
    let numbers = try file.root.writeDataset("n", [1.0, 2.0])
    let error = assertHDF5Error(try numbers.readString())
    XCTAssertTrue(error?.message.contains("not a string") ?? false)
  }
}
