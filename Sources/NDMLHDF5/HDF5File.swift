import CHDF5
import Foundation

/// An open HDF5 file.
///
/// The file stays open while this object or any group or dataset obtained from it is alive, and
/// is closed when the last of them goes away; ``close()`` closes it, and every object in it,
/// at once. Objects used after ``close()`` throw an ``HDF5Error``.
public final class HDF5File {
  /// The owned file identifier.
  let handle: HDF5FileHandle

  /// The file's root group, `"/"`.
  public let root: HDF5Group

  /// The file's location.
  public var url: URL { handle.url }

  /// Opens the root group of a freshly opened file handle.
  private init(handle: HDF5FileHandle) throws {
    let operation = "open root group"
    let fileID = try handle.id(operation)
    let rootID = try handle.location.check(H5Gopen2(fileID, "/", ndml_H5P_DEFAULT()), operation)
    self.handle = handle
    self.root = HDF5Group(handle: HDF5ObjectHandle(file: handle, path: "/", objectID: rootID))
  }

  /// Creates a new HDF5 file, replacing any existing file at `url`.
  ///
  /// ```swift
  /// let file = try HDF5File.create(at: URL(fileURLWithPath: "/tmp/x.h5"))
  /// let group = try file.root.createGroup("data")
  /// try group.writeDataset("v", [1.0, 2.0, 3.0, 4.0], shape: [2, 2]).setAttribute("units", "mV")
  /// try file.close()
  /// let v = try HDF5File.open(at: URL(fileURLWithPath: "/tmp/x.h5")).root.openDataset("data/v").read(as: Double.self)
  /// ```
  ///
  /// - Throws: ``HDF5Error`` if `url` is not a file URL or the file cannot be created.
  public static func create(at url: URL) throws -> HDF5File {
    let operation = "create file"
    let location = try fileLocation(url, operation)
    HDF5Library.prepare()
    let accessList = try makeAccessList(location, operation)
    defer { H5Pclose(accessList) }
    let fileID = try location.check(
      H5Fcreate(
        location.filePath, ndml_H5F_ACC_TRUNC(), ndml_H5P_DEFAULT(), accessList),
      operation)
    return try HDF5File(handle: HDF5FileHandle(url: url, fileID: fileID))
  }

  /// Opens an existing HDF5 file, read-only unless `writable` is true.
  ///
  /// - Throws: ``HDF5Error`` if the file does not exist, is not an HDF5 file, or is truncated
  ///   or otherwise damaged; the message says which, as far as HDF5 can tell.
  public static func open(at url: URL, writable: Bool = false) throws -> HDF5File {
    let operation = writable ? "open file for writing" : "open file"
    let location = try fileLocation(url, operation)
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: location.filePath, isDirectory: &isDirectory)
    else {
      throw location.failure(operation, "no such file")
    }
    guard !isDirectory.boolValue else {
      throw location.failure(operation, "the path is a directory")
    }
    HDF5Library.prepare()
    let accessList = try makeAccessList(location, operation)
    defer { H5Pclose(accessList) }
    let flags = writable ? ndml_H5F_ACC_RDWR() : ndml_H5F_ACC_RDONLY()
    let fileID = H5Fopen(location.filePath, flags, accessList)
    guard fileID >= 0 else {
      let reason = HDF5ErrorStack.takeMessage() ?? "HDF5 could not open it"
      throw location.failure(operation, "not a readable HDF5 file (\(reason))")
    }
    return try HDF5File(handle: HDF5FileHandle(url: url, fileID: fileID))
  }

  /// Writes all buffered data of the file to disk.
  public func flush() throws {
    let operation = "flush file"
    HDF5Library.prepare()
    try handle.location.check(H5Fflush(try handle.id(operation), H5F_SCOPE_GLOBAL), operation)
  }

  /// Closes every group, dataset and attribute opened in this file, then the file.
  ///
  /// Calling it again does nothing; using an object of the file afterwards throws.
  ///
  /// - Throws: ``HDF5Error`` if HDF5 fails to close the file.
  public func close() throws {
    try handle.close()
  }

  /// The location of a file URL for errors, or an error if `url` is not a file URL.
  private static func fileLocation(_ url: URL, _ operation: String) throws -> HDF5Location {
    let location = HDF5Location(filePath: url.path(percentEncoded: false), objectPath: nil)
    guard url.isFileURL else {
      throw location.failure(operation, "'\(url.absoluteString)' is not a file URL")
    }
    return location
  }

  /// A file-access property list with the strong close degree.
  ///
  /// With it, closing the file closes every object still open in it. The caller closes the list.
  private static func makeAccessList(_ location: HDF5Location, _ operation: String) throws
    -> hid_t
  {
    let list = try location.check(H5Pcreate(ndml_H5P_FILE_ACCESS()), operation)
    guard H5Pset_fclose_degree(list, H5F_CLOSE_STRONG) >= 0 else {
      let failure = location.stackFailure(operation)
      H5Pclose(list)
      throw failure
    }
    return list
  }
}
