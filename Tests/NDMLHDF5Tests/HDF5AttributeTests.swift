import CHDF5
import XCTest

@testable import NDMLHDF5

/// String, scalar, array and enum attributes on groups and datasets.
final class HDF5AttributeTests: HDF5TestCase {
  private let phases: [(name: String, value: UInt8)] = [
    ("setup", 0), ("running", 1), ("finished", 2),
  ]

  private func writeAll(on holder: some HDF5AttributeHolder) throws {
    try holder.setAttribute("title", "Ström — ✓")
    try holder.setAttribute("dt", 0.1)
    try holder.setAttribute("seed", UInt64.max)
    try holder.setAttribute("offset", Int8(-5))
    try holder.setAttribute("weights", [Float(0.5), 1.5, -2])
    try holder.setAttribute("ids", [UInt32]())
    try holder.setEnumAttribute("phase", cases: phases, value: 2)
  }

  private func checkAll(on holder: some HDF5AttributeHolder) throws {
    XCTAssertEqual(try holder.stringAttribute("title"), "Ström — ✓")
    XCTAssertEqual(try holder.scalarAttribute("dt", as: Double.self), 0.1)
    XCTAssertEqual(try holder.scalarAttribute("seed", as: UInt64.self), .max)
    XCTAssertEqual(try holder.scalarAttribute("offset", as: Int8.self), -5)
    XCTAssertEqual(try holder.arrayAttribute("weights", as: Float.self), [0.5, 1.5, -2])
    XCTAssertEqual(try holder.arrayAttribute("ids", as: UInt32.self), [])
    XCTAssertEqual(try holder.arrayAttribute("dt", as: Double.self), [0.1])
    let phase = try holder.enumAttribute("phase")
    XCTAssertEqual(phase.name, "finished")
    XCTAssertEqual(phase.value, 2)
    XCTAssertTrue(holder.hasAttribute("title"))
    XCTAssertFalse(holder.hasAttribute("missing"))
  }

  func testEveryKindRoundTripsOnGroupsAndDatasets() throws {
    let url = try makeFile("attrs.h5") { file in
      try writeAll(on: file.root)
      try writeAll(on: file.root.createGroup("g"))
      try writeAll(on: file.root.writeDataset("d", [1.0]))
    }
    let file = try HDF5File.open(at: url)
    try checkAll(on: file.root)
    try checkAll(on: file.root.openGroup("g"))
    try checkAll(on: file.root.openDataset("d"))
  }

  func testEveryScalarTypeAsAttribute() throws {
    let file = try HDF5File.create(at: fileURL("a.h5"))
    let group = file.root
    try group.setAttribute("f64", -2.5)
    try group.setAttribute("f32", Float(3.25))
    try group.setAttribute("u64", UInt64(1) << 40)
    try group.setAttribute("i64", Int64.min)
    try group.setAttribute("u32", UInt32.max)
    try group.setAttribute("i32", Int32(-7))
    try group.setAttribute("u8", UInt8(255))
    try group.setAttribute("i8", Int8.min)
    XCTAssertEqual(try group.scalarAttribute("f64", as: Double.self), -2.5)
    XCTAssertEqual(try group.scalarAttribute("f32", as: Float.self), 3.25)
    XCTAssertEqual(try group.scalarAttribute("u64", as: UInt64.self), 1 << 40)
    XCTAssertEqual(try group.scalarAttribute("i64", as: Int64.self), .min)
    XCTAssertEqual(try group.scalarAttribute("u32", as: UInt32.self), .max)
    XCTAssertEqual(try group.scalarAttribute("i32", as: Int32.self), -7)
    XCTAssertEqual(try group.scalarAttribute("u8", as: UInt8.self), 255)
    XCTAssertEqual(try group.scalarAttribute("i8", as: Int8.self), .min)
  }

  func testSetAttributeOverwritesWithAnyType() throws {
    let file = try HDF5File.create(at: fileURL("a.h5"))
    let dataset = try file.root.writeDataset("d", [Int32(1)])
    try dataset.setAttribute("units", "ms")
    try dataset.setAttribute("units", "s")
    XCTAssertEqual(try dataset.stringAttribute("units"), "s")
    try dataset.setAttribute("units", [1.0, 2.0])
    XCTAssertEqual(try dataset.arrayAttribute("units", as: Double.self), [1.0, 2.0])
    try dataset.setEnumAttribute("units", cases: phases, value: 0)
    XCTAssertEqual(try dataset.enumAttribute("units").name, "setup")
    try dataset.setAttribute("units", Int32(4))
    XCTAssertEqual(try dataset.scalarAttribute("units", as: Int32.self), 4)
  }

  func testEnumAttributeHasAnHDF5EnumType() throws {
    let file = try HDF5File.create(at: fileURL("a.h5"))
    try file.root.setEnumAttribute("phase", cases: phases, value: 1)
    let groupID = try file.root.handle.id("test")
    let attribute = H5Aopen(groupID, "phase", ndml_H5P_DEFAULT())
    XCTAssertGreaterThanOrEqual(attribute, 0)
    defer { H5Aclose(attribute) }
    let type = H5Aget_type(attribute)
    defer { H5Tclose(type) }
    XCTAssertEqual(H5Tget_class(type), H5T_ENUM)
    XCTAssertEqual(H5Tget_nmembers(type), 3)
    let base = H5Tget_super(type)
    defer { H5Tclose(base) }
    XCTAssertGreaterThan(H5Tequal(base, ndml_H5T_NATIVE_UINT8()), 0)
  }

  func testStringAttributeIsVariableLengthUTF8() throws {
    let file = try HDF5File.create(at: fileURL("a.h5"))
    try file.root.setAttribute("name", "x")
    let attribute = H5Aopen(try file.root.handle.id("test"), "name", ndml_H5P_DEFAULT())
    defer { H5Aclose(attribute) }
    let type = H5Aget_type(attribute)
    defer { H5Tclose(type) }
    XCTAssertEqual(H5Tget_class(type), H5T_STRING)
    XCTAssertGreaterThan(H5Tis_variable_str(type), 0)
    XCTAssertEqual(H5Tget_cset(type), H5T_CSET_UTF8)
  }

  func testInvalidEnumsAreRejected() throws {
    let file = try HDF5File.create(at: fileURL("a.h5"))
    assertHDF5Error(try file.root.setEnumAttribute("e", cases: [], value: 0))
    assertHDF5Error(try file.root.setEnumAttribute("e", cases: phases, value: 9))
    assertHDF5Error(
      try file.root.setEnumAttribute("e", cases: [("a", 0), ("a", 1)], value: 0))
    assertHDF5Error(
      try file.root.setEnumAttribute("e", cases: [("a", 0), ("b", 0)], value: 0))
    XCTAssertFalse(file.root.hasAttribute("e"))
  }

  func testReadingErrors() throws {
    let file = try HDF5File.create(at: fileURL("a.h5"))
    let group = file.root
    try group.setAttribute("dt", 0.1)
    try group.setAttribute("list", [Int32(1), 2])
    try group.setAttribute("text", "hello")
    let missing = assertHDF5Error(try group.stringAttribute("nope"))
    XCTAssertTrue(missing?.message.contains("no attribute named 'nope'") ?? false)
    XCTAssertTrue(missing?.operation.contains("nope") ?? false)
    let wrongType = assertHDF5Error(try group.scalarAttribute("dt", as: Float.self))
    XCTAssertTrue(wrongType?.message.contains("float64") ?? false)
    assertHDF5Error(try group.scalarAttribute("list", as: Int32.self))
    assertHDF5Error(try group.arrayAttribute("list", as: UInt32.self))
    assertHDF5Error(try group.stringAttribute("dt"))
    assertHDF5Error(try group.enumAttribute("dt"))
    assertHDF5Error(try group.enumAttribute("text"))
    assertHDF5Error(try group.scalarAttribute("text", as: UInt8.self))
    assertHDF5Error(try group.setAttribute("nul", "a\u{0}"))
    XCTAssertFalse(group.hasAttribute("nul"))
  }

  func testWritingToReadOnlyFileThrows() throws {
    let url = try makeFile("a.h5") { try $0.root.setAttribute("x", 1.0) }
    let file = try HDF5File.open(at: url)
    assertHDF5Error(try file.root.setAttribute("x", 2.0))
    XCTAssertEqual(try file.root.scalarAttribute("x", as: Double.self), 1.0)
  }
}
