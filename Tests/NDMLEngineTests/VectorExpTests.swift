import Foundation
import XCTest

@testable import NDMLEngine

/// The vectorised exponential against the C library's `exp`/`expf`, over the whole normal range
/// and densely over the range `lif_coba` uses (|x| < 1): at most 2 ulp apart.
final class VectorExpTests: XCTestCase {
  private func ulps(_ a: Double, _ b: Double) -> Double { abs(a - b) / b.ulp }
  private func ulps(_ a: Float, _ b: Float) -> Float { abs(a - b) / b.ulp }

  func testDoubleWithinTwoUlp() {
    var xs = stride(from: -708.0, through: 709.0, by: 0.173).map { $0 }
    xs += stride(from: -1.0, through: 1.0, by: 1.0 / 4096).map { $0 }
    xs += [0, -0.0, 1e-300, -1e-12, 0.5 * log(2.0), -0.5 * log(2.0)]
    var worst = 0.0
    for start in stride(from: 0, to: xs.count - 8, by: 8) {
      let v = SIMD8<Double>(xs[start..<start + 8])
      let e = VectorExp.exp(v)
      for lane in 0..<8 { worst = max(worst, ulps(e[lane], Foundation.exp(v[lane]))) }
    }
    XCTAssertLessThanOrEqual(worst, 2, "worst error \(worst) ulp")
  }

  func testFloatWithinTwoUlp() {
    var xs = stride(from: -87.0, through: 88.0, by: 0.0173).map { Float($0) }
    xs += stride(from: -1.0, through: 1.0, by: 1.0 / 4096).map { Float($0) }
    var worst: Float = 0
    for start in stride(from: 0, to: xs.count - 8, by: 8) {
      let v = SIMD8<Float>(xs[start..<start + 8])
      let e = VectorExp.exp(v)
      for lane in 0..<8 { worst = max(worst, ulps(e[lane], Foundation.expf(v[lane]))) }
    }
    XCTAssertLessThanOrEqual(worst, 2, "worst error \(worst) ulp")
  }

  /// NaN stays NaN through the clamp (the kernels' fault check relies on it), in both precisions.
  func testNaNPropagates() {
    let d = VectorExp.exp(SIMD8<Double>(.nan, 0, -.nan, 1, .nan, 2, 3, .nan))
    XCTAssertEqual((0..<8).map { d[$0].isNaN }, [true, false, true, false, true, false, false, true])
    let f = VectorExp.exp(SIMD8<Float>(.nan, 0, 1, .nan, 2, 3, 4, 5))
    XCTAssertEqual((0..<8).map { f[$0].isNaN }, [true, false, false, true, false, false, false, false])
  }

  func testClampsOutsideTheNormalRange() {
    let e = VectorExp.exp(SIMD8<Double>(-1000, -745, 710, 1000, 0, 1, -1, 2))
    XCTAssertEqual(e[0], e[1])
    XCTAssert(e[0] > 0 && e[0] < 1e-307)
    XCTAssert(e[2].isFinite && e[3].isFinite)
    XCTAssertEqual(e[4], 1)
  }
}
