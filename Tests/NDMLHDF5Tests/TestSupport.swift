import Foundation
import XCTest

@testable import NDMLHDF5

/// A fresh temporary directory per test, removed afterwards.
class HDF5TestCase: XCTestCase {
  private(set) var directory: URL!

  override func setUpWithError() throws {
    directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("NDMLHDF5Tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try FileManager.default.removeItem(at: directory)
  }

  /// A file URL inside the test's directory.
  func fileURL(_ name: String) -> URL {
    directory.appendingPathComponent(name)
  }

  /// Creates a file, lets `body` fill it, and closes it.
  func makeFile(_ name: String, _ body: (HDF5File) throws -> Void) throws -> URL {
    let url = fileURL(name)
    let file = try HDF5File.create(at: url)
    try body(file)
    try file.close()
    return url
  }

  /// Asserts that `body` throws an ``HDF5Error`` and returns it.
  @discardableResult
  func assertHDF5Error<R>(
    _ body: @autoclosure () throws -> R, file: StaticString = #filePath, line: UInt = #line
  ) -> HDF5Error? {
    do {
      _ = try body()
      XCTFail("expected an HDF5Error", file: file, line: line)
    } catch let error as HDF5Error {
      return error
    } catch {
      XCTFail("expected an HDF5Error, got \(error)", file: file, line: line)
    }
    return nil
  }

  /// Runs `body` with standard error redirected, and returns what was written to it.
  func capturingStandardError(_ body: () throws -> Void) rethrows -> String {
    let captureURL = directory.appendingPathComponent("stderr-\(UUID().uuidString).txt")
    XCTAssertTrue(FileManager.default.createFile(atPath: captureURL.path, contents: nil))
    let capture = open(captureURL.path, O_WRONLY)
    let saved = dup(STDERR_FILENO)
    fflush(nil)
    dup2(capture, STDERR_FILENO)
    defer {
      fflush(nil)
      dup2(saved, STDERR_FILENO)
      close(saved)
      close(capture)
    }
    try body()
    fflush(nil)
    return (try? String(contentsOf: captureURL, encoding: .utf8)) ?? ""
  }
}
