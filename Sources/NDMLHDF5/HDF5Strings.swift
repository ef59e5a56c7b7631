import CHDF5

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writing and reading single strings, shared by string datasets and string attributes.
enum HDF5Strings {
  /// Creates a variable-length UTF-8 string datatype, which h5py reads back as `str`.
  ///
  /// The caller closes the returned identifier.
  static func makeVariableUTF8Type(at location: HDF5Location, _ operation: String) throws -> hid_t {
    let type = try location.check(H5Tcopy(ndml_H5T_C_S1()), operation)
    do {
      try location.check(H5Tset_size(type, ndml_H5T_VARIABLE()), operation)
      try location.check(H5Tset_cset(type, H5T_CSET_UTF8), operation)
    } catch {
      H5Tclose(type)
      throw error
    }
    return type
  }

  /// Throws if `value` cannot be stored as a C string (it contains a NUL character).
  static func checkStorable(_ value: String, at location: HDF5Location, _ operation: String)
    throws
  {
    guard !value.utf8.contains(0) else {
      throw location.failure(operation, "strings containing NUL characters cannot be stored")
    }
  }

  /// Calls `write` with a variable-length UTF-8 string memory type and a pointer to the
  /// `char *` holding `value`, as `H5Awrite` and `H5Dwrite` expect.
  static func write(
    _ value: String, at location: HDF5Location, _ operation: String,
    using write: (_ memoryType: hid_t, _ buffer: UnsafeRawPointer) -> herr_t
  ) throws {
    try checkStorable(value, at: location, operation)
    let memoryType = try makeVariableUTF8Type(at: location, operation)
    defer { H5Tclose(memoryType) }
    try value.withCString { text in
      var pointer: UnsafePointer<CChar>? = text
      try withUnsafePointer(to: &pointer) { buffer -> Void in
        try location.check(write(memoryType, UnsafeRawPointer(buffer)), operation)
      }
    }
  }

  /// Reads one string stored with datatype `storedType` (variable- or fixed-length) by calling
  /// `read` with a suitable memory type and a buffer for exactly one element.
  ///
  /// `elementCount` is the number of elements in the stored dataspace; it must be 1, since
  /// `read` transfers the whole dataspace.
  static func read(
    storedType: hid_t, elementCount: Int, at location: HDF5Location, _ operation: String,
    using read: (_ memoryType: hid_t, _ buffer: UnsafeMutableRawPointer) -> herr_t
  ) throws -> String {
    guard H5Tget_class(storedType) != H5T_STRING || elementCount == 1 else {
      throw location.failure(
        operation, "expected a single string but the dataspace holds \(elementCount) elements")
    }
    return try readAll(storedType: storedType, elementCount: 1, at: location, operation, using: read)[0]
  }

  /// Reads the `elementCount` strings of a whole dataspace stored with datatype `storedType`
  /// (variable- or fixed-length; fixed-length ones lose their NUL or space padding), in order.
  static func readAll(
    storedType: hid_t, elementCount: Int, at location: HDF5Location, _ operation: String,
    using read: (_ memoryType: hid_t, _ buffer: UnsafeMutableRawPointer) -> herr_t
  ) throws -> [String] {
    guard H5Tget_class(storedType) == H5T_STRING else {
      throw location.failure(
        operation, "stored type \(HDF5Datatypes.describe(storedType)) is not a string")
    }
    guard elementCount > 0 else { return [] }
    let isVariable = try location.check(H5Tis_variable_str(storedType), operation) > 0
    let memoryType = try location.check(H5Tcopy(storedType), operation)
    defer { H5Tclose(memoryType) }
    if isVariable {
      var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: elementCount)
      // A damaged global-heap reference can make HDF5 1.10 loop forever here (found by fuzzing);
      // with a watchdog set, the alarm's handler (the caller's) ends the process instead.
      if HDF5Library.variableStringWatchdogSeconds > 0 { alarm(HDF5Library.variableStringWatchdogSeconds) }
      defer { if HDF5Library.variableStringWatchdogSeconds > 0 { alarm(0) } }
      try pointers.withUnsafeMutableBytes { buffer -> Void in
        try location.check(read(memoryType, buffer.baseAddress!), operation)
      }
      defer { pointers.forEach { if let p = $0 { H5free_memory(p) } } }
      return pointers.map { $0.map { String(cString: $0) } ?? "" }
    }
    let size = H5Tget_size(storedType)
    var bytes = [UInt8](repeating: 0, count: size * elementCount + 1)
    try bytes.withUnsafeMutableBytes { buffer -> Void in
      try location.check(read(memoryType, buffer.baseAddress!), operation)
    }
    let spacePadded = H5Tget_strpad(storedType) == H5T_STR_SPACEPAD
    return (0..<elementCount).map { i in
      var text = bytes[(i * size)..<((i + 1) * size)].prefix { $0 != 0 }
      if spacePadded { while text.last == UInt8(ascii: " ") { text = text.dropLast() } }
      return String(decoding: text, as: UTF8.self)
    }
  }
}
