import CHDF5

/// Reads the calling thread's HDF5 error stack.
enum HDF5ErrorStack {
  /// The descriptions on the current error stack, outermost call first, joined by ": ".
  ///
  /// Returns `nil` if the stack is empty. The stack is cleared afterwards. Must be called right
  /// after the failing HDF5 call: any other HDF5 API call resets the stack.
  static func takeMessage() -> String? {
    var descriptions: [String] = []
    withUnsafeMutablePointer(to: &descriptions) { pointer in
      _ = H5Ewalk2(
        ndml_H5E_DEFAULT(), H5E_WALK_DOWNWARD,
        { _, entry, clientData in
          guard let entry, let clientData, let text = entry.pointee.desc else { return 0 }
          let list = clientData.assumingMemoryBound(to: [String].self)
          let description = String(cString: text)
          if list.pointee.last != description {
            list.pointee.append(description)
          }
          return 0
        }, pointer)
    }
    H5Eclear2(ndml_H5E_DEFAULT())
    return descriptions.isEmpty ? nil : descriptions.joined(separator: ": ")
  }
}
