import CBLAS
import XCTest

/// Checks that the CBLAS system-library binding compiles and links against OpenBLAS.
final class CBLASLinkTests: XCTestCase {
  func testDdotOfSmallVectors() {
    let x: [Double] = [1, 2, 3, 4]
    let y: [Double] = [0.5, -1, 2, 0.25]
    let dot = cblas_ddot(Int32(x.count), x, 1, y, 1)
    XCTAssertEqual(dot, 0.5 - 2 + 6 + 1)
  }
}
