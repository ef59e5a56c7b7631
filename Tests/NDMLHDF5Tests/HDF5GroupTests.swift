import XCTest

@testable import NDMLHDF5

/// Group creation, lookup and listing.
final class HDF5GroupTests: HDF5TestCase {
  func testNestedGroupCreationMakesIntermediateGroups() throws {
    let file = try HDF5File.create(at: fileURL("g.h5"))
    let deep = try file.root.createGroup("a/b/c")
    XCTAssertEqual(deep.path, "/a/b/c")
    XCTAssertTrue(file.root.isGroup("a"))
    XCTAssertTrue(file.root.isGroup("a/b"))
    XCTAssertTrue(file.root.contains("a/b/c"))
    let b = try file.root.openGroup("a/b")
    XCTAssertEqual(b.path, "/a/b")
    XCTAssertEqual(try b.childNames(), ["c"])
    let child = try b.createGroup("d")
    XCTAssertEqual(child.path, "/a/b/d")
    XCTAssertEqual(try file.root.openGroup("/a/b/d").path, "/a/b/d")
  }

  func testChildNamesAreSortedAndIncludeDatasets() throws {
    let file = try HDF5File.create(at: fileURL("g.h5"))
    for name in ["zeta", "alpha", "Mid", "beta2", "beta10"] {
      _ = try file.root.createGroup(name)
    }
    try file.root.writeDataset("data", [1.0])
    try file.root.writeStringDataset("text", "hello")
    XCTAssertEqual(
      try file.root.childNames(),
      ["Mid", "alpha", "beta10", "beta2", "data", "text", "zeta"])
    XCTAssertEqual(try file.root.openGroup("alpha").childNames(), [])
  }

  func testContainsAndIsGroup() throws {
    let file = try HDF5File.create(at: fileURL("g.h5"))
    try file.root.createGroup("g").writeDataset("d", [Int64(1)])
    XCTAssertTrue(file.root.contains("g"))
    XCTAssertTrue(file.root.contains("g/d"))
    XCTAssertTrue(file.root.contains("/g/d"))
    XCTAssertFalse(file.root.contains("missing"))
    XCTAssertFalse(file.root.contains("missing/deeper/still"))
    XCTAssertFalse(file.root.contains("g/missing"))
    XCTAssertFalse(file.root.contains(""))
    XCTAssertTrue(file.root.isGroup("g"))
    XCTAssertFalse(file.root.isGroup("g/d"))
    XCTAssertFalse(file.root.isGroup("nothing"))
  }

  func testDatasetPathsCreateIntermediateGroups() throws {
    let file = try HDF5File.create(at: fileURL("g.h5"))
    let dataset = try file.root.writeDataset("x/y/z", [UInt16(3)])
    XCTAssertEqual(dataset.path, "/x/y/z")
    XCTAssertTrue(file.root.isGroup("x/y"))
  }

  func testErrors() throws {
    let file = try HDF5File.create(at: fileURL("g.h5"))
    _ = try file.root.createGroup("g")
    try file.root.writeDataset("d", [1.0])
    let duplicate = assertHDF5Error(try file.root.createGroup("g"))
    XCTAssertEqual(duplicate?.objectPath, "/g")
    let missing = assertHDF5Error(try file.root.openGroup("nope"))
    XCTAssertTrue(missing?.message.contains("nope") ?? false)
    assertHDF5Error(try file.root.openGroup("d"))
    assertHDF5Error(try file.root.openDataset("g"))
    assertHDF5Error(try file.root.openDataset("nope/deeper"))
    assertHDF5Error(try file.root.createGroup(""))
  }
}
