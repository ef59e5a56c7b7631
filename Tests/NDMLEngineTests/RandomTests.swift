import XCTest

@testable import NDMLEngine

/// The counter-based generator against the published known-answer vectors of Random123
/// (Salmon et al. 2011; `kat_vectors` of the Random123 distribution, philox4x32_10).
final class RandomTests: XCTestCase {
  func testPhiloxKnownAnswers() {
    let zero = Philox4x32(key: (0, 0)).block((0, 0, 0, 0))
    XCTAssertEqual([zero.0, zero.1, zero.2, zero.3], [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8])
    let ones = Philox4x32(key: (0xffff_ffff, 0xffff_ffff)).block((0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff))
    XCTAssertEqual([ones.0, ones.1, ones.2, ones.3], [0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd])
    let pi = Philox4x32(key: (0xa409_3822, 0x299f_31d0)).block((0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344))
    XCTAssertEqual([pi.0, pi.1, pi.2, pi.3], [0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1])
  }

  /// Uniforms lie in (0, 1] with mean 1/2 and variance 1/12 (to 5 standard errors over 10⁵ draws),
  /// and streams of different purposes differ.
  func testUniformMomentsAndIndependentPurposes() {
    let a = RandomStream(seed: 7, purpose: "a")
    let b = RandomStream(seed: 7, purpose: "b")
    let n = 100_000
    var sum = 0.0
    var sumSquares = 0.0
    var same = 0
    for i in 0..<n {
      let u = a.uniform(UInt64(i), 3)
      XCTAssert(u > 0 && u <= 1)
      sum += u
      sumSquares += u * u
      if u == b.uniform(UInt64(i), 3) { same += 1 }
    }
    let mean = sum / Double(n)
    XCTAssertEqual(mean, 0.5, accuracy: 5 * (1.0 / 12).squareRoot() / Double(n).squareRoot())
    XCTAssertEqual(sumSquares / Double(n) - mean * mean, 1.0 / 12, accuracy: 0.002)
    XCTAssertEqual(same, 0)
  }
}
