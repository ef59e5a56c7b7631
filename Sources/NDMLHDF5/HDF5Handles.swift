import CHDF5
import Foundation

/// Owns an open HDF5 file identifier.
///
/// Every group and dataset holds a strong reference to the handle of its file, so the file stays
/// open for as long as any object in it is reachable, whatever order Swift releases them in. When
/// the last reference goes away, or ``close()`` is called, every object opened through this
/// identifier is closed and then the file itself.
final class HDF5FileHandle {
  /// The file's URL.
  let url: URL
  /// The open file identifier, or -1 once closed.
  private var fileID: hid_t

  /// Takes ownership of an open file identifier.
  init(url: URL, fileID: hid_t) {
    self.url = url
    self.fileID = fileID
  }

  deinit {
    try? close()
  }

  /// Whether the file is still open.
  var isOpen: Bool { fileID >= 0 }

  /// The file-level location for errors.
  var location: HDF5Location {
    HDF5Location(filePath: url.path(percentEncoded: false), objectPath: nil)
  }

  /// The file identifier, or an error naming `operation` if the file was closed.
  func id(_ operation: String, objectPath: String? = nil) throws -> hid_t {
    guard isOpen else {
      throw HDF5Location(filePath: location.filePath, objectPath: objectPath)
        .failure(operation, "the file has been closed")
    }
    return fileID
  }

  /// Closes every object opened through this identifier, then the file.
  ///
  /// Calling it again does nothing.
  func close() throws {
    guard isOpen else { return }
    let closing = fileID
    fileID = -1
    HDF5Library.prepare()
    let kinds = ndml_H5F_OBJ_LOCAL_OBJECTS()
    let openCount = H5Fget_obj_count(closing, kinds)
    if openCount > 0 {
      var objectIDs = [hid_t](repeating: -1, count: openCount)
      let listed = H5Fget_obj_ids(closing, kinds, openCount, &objectIDs)
      for objectID in objectIDs.prefix(max(0, listed)) {
        if H5Iget_type(objectID) == H5I_ATTR {
          H5Aclose(objectID)
        } else {
          H5Oclose(objectID)
        }
      }
    }
    try location.check(H5Fclose(closing), "close file")
  }
}

/// Owns an open group or dataset identifier and keeps its file open.
final class HDF5ObjectHandle {
  /// The file the object lives in.
  let file: HDF5FileHandle
  /// The object's path inside the file.
  let path: String
  /// The open object identifier.
  private let objectID: hid_t

  /// Takes ownership of an open group or dataset identifier.
  init(file: HDF5FileHandle, path: String, objectID: hid_t) {
    self.file = file
    self.path = path
    self.objectID = objectID
  }

  deinit {
    if file.isOpen {
      HDF5Library.prepare()
      H5Oclose(objectID)
    }
  }

  /// The object's location for errors.
  var location: HDF5Location {
    HDF5Location(filePath: file.location.filePath, objectPath: path)
  }

  /// The object identifier, or an error naming `operation` if the file was closed.
  func id(_ operation: String) throws -> hid_t {
    _ = try file.id(operation, objectPath: path)
    return objectID
  }
}
