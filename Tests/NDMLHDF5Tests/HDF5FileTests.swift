import Foundation
import XCTest

@testable import NDMLHDF5

/// Creating, opening, closing and failing to open files.
final class HDF5FileTests: HDF5TestCase {
  func testCreateThenOpenReadOnly() throws {
    let url = try makeFile("a.h5") { file in
      try file.root.writeDataset("x", [1.0, 2.0])
      try file.flush()
    }
    let file = try HDF5File.open(at: url)
    XCTAssertEqual(file.url, url)
    XCTAssertEqual(file.root.path, "/")
    XCTAssertEqual(try file.root.openDataset("x").read(as: Double.self), [1.0, 2.0])
    let error = assertHDF5Error(try file.root.writeDataset("y", [1.0]))
    XCTAssertEqual(error?.objectPath, "/y")
  }

  func testCreateTruncatesExistingFile() throws {
    let url = try makeFile("a.h5") { try $0.root.writeDataset("old", [Int32(1)]) }
    let file = try HDF5File.create(at: url)
    XCTAssertEqual(try file.root.childNames(), [])
  }

  func testOpenWritableAddsData() throws {
    let url = try makeFile("a.h5") { try $0.root.writeDataset("a", [Int8(1)]) }
    let writer = try HDF5File.open(at: url, writable: true)
    try writer.root.writeDataset("b", [Int8(2)])
    try writer.close()
    XCTAssertEqual(try HDF5File.open(at: url).root.childNames(), ["a", "b"])
  }

  func testCloseIsIdempotentAndInvalidatesObjects() throws {
    let file = try HDF5File.create(at: fileURL("a.h5"))
    let group = try file.root.createGroup("g")
    let dataset = try group.writeDataset("d", [UInt8(7)])
    try file.close()
    try file.close()
    let error = assertHDF5Error(try dataset.read(as: UInt8.self))
    XCTAssertTrue(error?.message.contains("closed") ?? false)
    assertHDF5Error(try group.createGroup("h"))
    assertHDF5Error(try file.flush())
    XCTAssertFalse(group.contains("d"))
    XCTAssertFalse(dataset.hasAttribute("units"))
  }

  func testObjectsKeepFileOpenAfterFileIsReleased() throws {
    let url = fileURL("a.h5")
    var series: HDF5ExtendableDataset<Double>?
    var group: HDF5Group?
    do {
      let file = try HDF5File.create(at: url)
      group = try file.root.createGroup("g")
      series = try file.root.createExtendableDataset(
        "s", of: Double.self, chunkRows: 4, gzipLevel: nil)
    }
    try series?.append([1, 2, 3])
    try group?.setAttribute("note", "still open")
    series = nil
    group = nil
    let reopened = try HDF5File.open(at: url)
    XCTAssertEqual(try reopened.root.openDataset("s").read(as: Double.self), [1, 2, 3])
    XCTAssertEqual(try reopened.root.openGroup("g").stringAttribute("note"), "still open")
  }

  func testTwoHandlesOnOneFileCloseIndependently() throws {
    let url = try makeFile("a.h5") { try $0.root.writeDataset("x", [Float(1.5)]) }
    let first = try HDF5File.open(at: url)
    let second = try HDF5File.open(at: url)
    let dataset = try first.root.openDataset("x")
    try second.close()
    XCTAssertEqual(try dataset.read(as: Float.self), [1.5])
  }

  func testOpenMissingFileThrows() throws {
    let url = fileURL("missing.h5")
    let error = assertHDF5Error(try HDF5File.open(at: url))
    XCTAssertEqual(error?.filePath, url.path)
    XCTAssertEqual(error?.message, "no such file")
  }

  func testOpenDirectoryThrows() throws {
    let error = assertHDF5Error(try HDF5File.open(at: directory))
    XCTAssertEqual(error?.message, "the path is a directory")
  }

  func testOpenNonFileURLThrows() throws {
    let url = try XCTUnwrap(URL(string: "https://example.com/a.h5"))
    assertHDF5Error(try HDF5File.open(at: url))
    assertHDF5Error(try HDF5File.create(at: url))
  }

  func testOpenTextFileThrowsQuietly() throws {
    let url = fileURL("notes.txt")
    try "this is not HDF5\n".write(to: url, atomically: true, encoding: .utf8)
    var error: HDF5Error?
    let printed = try capturingStandardError {
      error = assertHDF5Error(try HDF5File.open(at: url))
    }
    XCTAssertEqual(printed, "")
    XCTAssertTrue(error?.message.contains("not a readable HDF5 file") ?? false)
    XCTAssertTrue(error?.message.contains("signature") ?? false, error?.message ?? "")
  }

  func testOpenTruncatedFileThrowsQuietly() throws {
    let url = try makeFile("whole.h5") { file in
      try file.root.writeDataset("data", (0..<20_000).map(Double.init))
      try file.root.setAttribute("name", "truncated")
    }
    let bytes = try Data(contentsOf: url)
    try bytes.prefix(bytes.count / 2).write(to: url)
    var error: HDF5Error?
    let printed = try capturingStandardError {
      error = assertHDF5Error(try HDF5File.open(at: url))
    }
    XCTAssertEqual(printed, "")
    XCTAssertTrue(error?.message.contains("truncated") ?? false, error?.message ?? "")
    XCTAssertTrue(error?.description.contains(url.path) ?? false)
  }

  func testErrorsOnOtherThreadsAreQuietAndComplete() throws {
    let textURL = fileURL("notes.txt")
    try "plain text".write(to: textURL, atomically: true, encoding: .utf8)
    let directoryURL = directory!
    let messages = capturingStandardError {
      DispatchQueue.concurrentPerform(iterations: 4) { index in
        let url = directoryURL.appendingPathComponent("thread\(index).h5")
        do {
          let file = try HDF5File.create(at: url)
          try file.root.writeDataset("x", [Double(index)])
          _ = try? file.root.createGroup("x")
          try file.close()
          _ = try HDF5File.open(at: textURL)
          XCTFail("opening a text file should throw")
        } catch let error as HDF5Error {
          XCTAssertTrue(error.message.contains("file signature not found"), error.message)
        } catch {
          XCTFail("unexpected \(error)")
        }
      }
    }
    XCTAssertEqual(messages, "")
  }

  func testCreateInMissingDirectoryThrows() throws {
    let url = directory.appendingPathComponent("no/such/dir/a.h5")
    let error = assertHDF5Error(try HDF5File.create(at: url))
    XCTAssertEqual(error?.operation, "create file")
  }
}
