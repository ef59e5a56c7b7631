import CHDF5

/// The attribute operations of one group or dataset; ``HDF5Group`` and ``HDF5Dataset`` forward
/// their ``HDF5AttributeHolder`` methods here.
struct HDF5Attributes {
  /// The object the attributes are attached to.
  let owner: HDF5ObjectHandle

  // MARK: Writing

  /// Writes `value` as a scalar variable-length UTF-8 string attribute.
  func set(_ name: String, _ value: String) throws {
    let operation = "write string attribute '\(name)'"
    try HDF5Strings.checkStorable(value, at: owner.location, operation)
    let type = try HDF5Strings.makeVariableUTF8Type(at: owner.location, operation)
    defer { H5Tclose(type) }
    try create(name, type: type, dimensions: [], operation) { attribute in
      var status: herr_t = 0
      try HDF5Strings.write(value, at: owner.location, operation) { memoryType, buffer in
        status = H5Awrite(attribute, memoryType, buffer)
        return status
      }
      return status
    }
  }

  /// Writes `value` as a scalar numeric attribute.
  func set<T: HDF5Scalar>(_ name: String, _ value: T) throws {
    let operation = "write attribute '\(name)'"
    try HDF5Datatypes.checkLayout(T.self, at: owner.location, operation)
    try create(name, type: T.hdf5Type, dimensions: [], operation) { attribute in
      withUnsafePointer(to: value) { H5Awrite(attribute, T.hdf5Type, $0) }
    }
  }

  /// Writes `values` as a one-dimensional numeric attribute.
  func set<T: HDF5Scalar>(_ name: String, _ values: [T]) throws {
    let operation = "write array attribute '\(name)'"
    try HDF5Datatypes.checkLayout(T.self, at: owner.location, operation)
    try create(name, type: T.hdf5Type, dimensions: [values.count], operation) { attribute in
      values.withUnsafeBytes { bytes in
        guard let base = bytes.baseAddress else { return 0 }
        return H5Awrite(attribute, T.hdf5Type, base)
      }
    }
  }

  /// Writes `value` as a scalar attribute of an HDF5 enum type over `uint8` with `cases`.
  func setEnum(_ name: String, cases: [(name: String, value: UInt8)], value: UInt8) throws {
    let operation = "write enum attribute '\(name)'"
    let location = owner.location
    guard !cases.isEmpty else {
      throw location.failure(operation, "an enum needs at least one case")
    }
    guard Set(cases.map(\.name)).count == cases.count,
      Set(cases.map(\.value)).count == cases.count
    else {
      throw location.failure(operation, "enum case names and values must be unique")
    }
    guard cases.contains(where: { $0.value == value }) else {
      throw location.failure(operation, "value \(value) is not one of the enum's cases")
    }
    let type = try location.check(H5Tenum_create(ndml_H5T_NATIVE_UINT8()), operation)
    defer { H5Tclose(type) }
    for enumCase in cases {
      try HDF5Strings.checkStorable(enumCase.name, at: location, operation)
      var caseValue = enumCase.value
      try location.check(H5Tenum_insert(type, enumCase.name, &caseValue), operation)
    }
    try create(name, type: type, dimensions: [], operation) { attribute in
      withUnsafePointer(to: value) { H5Awrite(attribute, type, $0) }
    }
  }

  // MARK: Reading

  /// Whether an attribute called `name` exists; `false` also when the file is closed.
  func contains(_ name: String) -> Bool {
    HDF5Library.prepare()
    guard let objectID = try? owner.id("look up attribute '\(name)'") else { return false }
    let found = H5Aexists(objectID, name) > 0
    H5Eclear2(ndml_H5E_DEFAULT())
    return found
  }

  /// Reads a string attribute (variable- or fixed-length).
  func string(_ name: String) throws -> String {
    let operation = "read string attribute '\(name)'"
    return try open(name, operation) { attribute, type, count in
      try HDF5Strings.read(
        storedType: type, elementCount: count, at: owner.location, operation
      ) { memoryType, buffer in
        H5Aread(attribute, memoryType, buffer)
      }
    }
  }

  /// Reads a numeric attribute holding exactly one value.
  func scalar<T: HDF5Scalar>(_ name: String, as _: T.Type) throws -> T {
    let operation = "read attribute '\(name)'"
    let values = try open(name, operation) { attribute, type, count in
      try HDF5Datatypes.checkReadable(type, as: T.self, at: owner.location, operation)
      guard count == 1 else {
        throw owner.location.failure(
          operation, "the attribute holds \(count) values, not exactly one")
      }
      return try HDF5ScalarArrays.read(T.self, count: 1, at: owner.location, operation) {
        H5Aread(attribute, T.hdf5Type, $0)
      }
    }
    return values[0]
  }

  /// Reads every value of a numeric attribute (a scalar attribute gives one value).
  func array<T: HDF5Scalar>(_ name: String, as _: T.Type) throws -> [T] {
    let operation = "read array attribute '\(name)'"
    return try open(name, operation) { attribute, type, count in
      try HDF5Datatypes.checkReadable(type, as: T.self, at: owner.location, operation)
      return try HDF5ScalarArrays.read(T.self, count: count, at: owner.location, operation) {
        H5Aread(attribute, T.hdf5Type, $0)
      }
    }
  }

  /// Reads a scalar enum attribute over a one-byte integer: the case name and its value.
  func enumValue(_ name: String) throws -> (name: String, value: UInt8) {
    let operation = "read enum attribute '\(name)'"
    let location = owner.location
    return try open(name, operation) { attribute, type, count in
      guard H5Tget_class(type) == H5T_ENUM, H5Tget_size(type) == 1 else {
        throw location.failure(
          operation,
          "stored type \(HDF5Datatypes.describe(type)) (\(H5Tget_size(type)) bytes) "
            + "is not a one-byte enum")
      }
      guard count == 1 else {
        throw location.failure(operation, "the attribute holds \(count) values, not one")
      }
      var value: UInt8 = 0
      try location.check(H5Aread(attribute, type, &value), operation)
      let memberCount = try location.check(H5Tget_nmembers(type), operation)
      for index in 0..<UInt32(memberCount) {
        var memberValue: UInt8 = 0
        try location.check(H5Tget_member_value(type, index, &memberValue), operation)
        guard memberValue == value else { continue }
        guard let memberName = H5Tget_member_name(type, index) else {
          throw location.stackFailure(operation)
        }
        defer { H5free_memory(memberName) }
        return (String(cString: memberName), value)
      }
      throw location.failure(operation, "stored value \(value) is not one of the enum's cases")
    }
  }

  // MARK: Helpers

  /// Replaces any attribute called `name` with a new one of `type` and `dimensions`, then
  /// fills it with `write`; on failure the new attribute is removed again.
  private func create(
    _ name: String, type: hid_t, dimensions: [Int], _ operation: String,
    write: (_ attribute: hid_t) throws -> herr_t
  ) throws {
    HDF5Library.prepare()
    let location = owner.location
    let objectID = try owner.id(operation)
    if try location.check(H5Aexists(objectID, name), operation) > 0 {
      try location.check(H5Adelete(objectID, name), operation)
    }
    let space = try HDF5Dataspaces.create(dimensions, at: location, operation)
    defer { H5Sclose(space) }
    let attribute = try location.check(
      H5Acreate2(objectID, name, type, space, ndml_H5P_DEFAULT(), ndml_H5P_DEFAULT()),
      operation)
    do {
      try location.check(try write(attribute), operation)
      try location.check(H5Aclose(attribute), operation)
    } catch {
      H5Aclose(attribute)
      H5Adelete(objectID, name)
      H5Eclear2(ndml_H5E_DEFAULT())
      throw error
    }
  }

  /// Opens attribute `name` and calls `body` with its identifier, stored datatype and number of
  /// elements; everything opened is closed afterwards.
  private func open<R>(
    _ name: String, _ operation: String,
    body: (_ attribute: hid_t, _ storedType: hid_t, _ elementCount: Int) throws -> R
  ) throws -> R {
    HDF5Library.prepare()
    let location = owner.location
    let objectID = try owner.id(operation)
    guard try location.check(H5Aexists(objectID, name), operation) > 0 else {
      throw location.failure(operation, "no attribute named '\(name)'")
    }
    let attribute = try location.check(H5Aopen(objectID, name, ndml_H5P_DEFAULT()), operation)
    defer { H5Aclose(attribute) }
    let type = try location.check(H5Aget_type(attribute), operation)
    defer { H5Tclose(type) }
    let space = try location.check(H5Aget_space(attribute), operation)
    defer { H5Sclose(space) }
    let count = try HDF5Dataspaces.elementCount(of: space, at: location, operation)
    return try body(attribute, type, count)
  }
}
