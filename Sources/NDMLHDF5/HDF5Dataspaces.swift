import CHDF5

/// Dataspace creation and inspection shared by datasets and attributes.
enum HDF5Dataspaces {
  /// Creates a dataspace of the given extent.
  ///
  /// The dataspace is scalar when `dimensions` is empty and simple otherwise;
  /// `maximumDimensions`, when given, has the same rank as `dimensions`. The caller closes the
  /// returned identifier.
  static func create(
    _ dimensions: [Int], maximumDimensions: [hsize_t]? = nil,
    at location: HDF5Location, _ operation: String
  ) throws -> hid_t {
    guard !dimensions.isEmpty else {
      return try location.check(H5Screate(H5S_SCALAR), operation)
    }
    guard dimensions.allSatisfy({ $0 >= 0 }) else {
      throw location.failure(operation, "negative dimension in shape \(dimensions)")
    }
    let current = dimensions.map { hsize_t($0) }
    let rank = Int32(dimensions.count)
    if let maximumDimensions {
      return try location.check(
        H5Screate_simple(rank, current, maximumDimensions), operation)
    }
    return try location.check(H5Screate_simple(rank, current, nil), operation)
  }

  /// The current extent of a dataspace; empty for a scalar or null dataspace.
  static func dimensions(
    of space: hid_t, at location: HDF5Location, _ operation: String
  ) throws -> [Int] {
    let rank = Int(try location.check(H5Sget_simple_extent_ndims(space), operation))
    guard rank > 0 else { return [] }
    var dimensions = [hsize_t](repeating: 0, count: rank)
    try location.check(H5Sget_simple_extent_dims(space, &dimensions, nil), operation)
    return dimensions.map { Int($0) }
  }

  /// The number of elements in a dataspace (1 for scalar, 0 for null).
  static func elementCount(
    of space: hid_t, at location: HDF5Location, _ operation: String
  ) throws -> Int {
    Int(try location.check(H5Sget_simple_extent_npoints(space), operation))
  }

  /// The number of elements in an extent of `dimensions` (1 for `[]`), or `nil` if a dimension
  /// is negative or the product overflows.
  static func elementCount(of dimensions: [Int]) -> Int? {
    var product = 1
    for dimension in dimensions {
      guard dimension >= 0 else { return nil }
      let (next, overflow) = product.multipliedReportingOverflow(by: dimension)
      guard !overflow else { return nil }
      product = next
    }
    return product
  }
}
