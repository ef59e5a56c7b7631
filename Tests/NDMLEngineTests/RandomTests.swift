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

  /// Eight blocks on vector lanes are the scalar blocks, whatever the counter's words.
  func testVectorBlocksMatchScalarBlocks() {
    let generator = RandomStream(seed: 11, purpose: "poisson-gaps/exc").generator
    let cases: [(UInt64, UInt64)] = [
      (0, 0), (17, 5), (999, 123_456), (0x1_2345_6789, 0xFFFF_FFFF_FFFF_FFF0), (3, 0xFFFF_FFFC),
    ]
    for (k, j) in cases {
      let lanes = SIMD8<UInt64>(0, 1, 2, 3, 4, 5, 6, 7) &+ SIMD8(repeating: j)
      let (r0, r1, r2, r3) = generator.blocks(
        low: UInt32(truncatingIfNeeded: k), high: UInt32(truncatingIfNeeded: k >> 32), third: lanes,
        fourth: lanes &>> 32)
      let stream = RandomStream(seed: 11, purpose: "poisson-gaps/exc")
      let u1 = uniforms(r0 &<< 32 | r1)
      let u2 = uniforms(r2 &<< 32 | r3)
      for i in 0..<8 {
        let counter = j &+ UInt64(i)
        let c = generator.block(
          (
            UInt32(truncatingIfNeeded: k), UInt32(truncatingIfNeeded: k >> 32),
            UInt32(truncatingIfNeeded: counter), UInt32(truncatingIfNeeded: counter >> 32)
          ))
        XCTAssertEqual([UInt64(c.0), UInt64(c.1), UInt64(c.2), UInt64(c.3)], [r0[i], r1[i], r2[i], r3[i]])
        let (v1, v2) = stream.uniformPair(k, counter)
        XCTAssertEqual(u1[i], v1)
        XCTAssertEqual(u2[i], v2)
      }
    }
  }

  /// The vector logarithm is within 10⁻¹⁴ of the C library's over (0, 1], and the gaps computed
  /// from it are the C library's bit for bit — also where ln(u)/−λ lies within a few ulp of an
  /// integer, where the check falls back to `log`.
  func testApproximateLogAndExactFloors() {
    let stream = RandomStream(seed: 5, purpose: "log")
    var worst = 0.0
    func check(_ u: SIMD8<Double>, lambda: Double) {
      let l = approximateLog(u)
      let q = -l * SIMD8(repeating: 1 / lambda)
      for i in 0..<8 {
        worst = max(worst, abs(l[i] - log(u[i])))
        XCTAssertEqual(
          exponentialFloor(u[i], approximate: q[i], lambda: lambda, inverse: 1 / lambda),
          (log(u[i]) / -lambda).rounded(.down), "u = \(u[i]), λ = \(lambda)")
      }
    }
    let lambdas = [1e-7, 0.000_3, 0.001, 0.002, 0.013, 0.099_999]
    for n in 0..<20_000 {
      var u = SIMD8<Double>()
      for i in 0..<8 {
        let (a, b) = stream.uniformPair(UInt64(n), UInt64(i))
        // Uniforms, values spread over [2^−53, 1] (the uniforms' range) and values just below 1.
        u[i] = i < 4 ? a : i < 6 ? exp2(-53 * b) : 1 - a * 1e-12
      }
      u[0] = n == 0 ? 1 : u[0]
      u[1] = n == 0 ? 0x1p-53 : u[1]
      check(u, lambda: lambdas[n % lambdas.count])
    }
    // Near the floor's steps: u = e^(−λm) and its neighbours a few ulp away.
    for lambda in lambdas {
      for m in [1.0, 2, 7, 100, 1234, 99_999] where lambda * m < 36 {
        let center = exp(-lambda * m)
        var u = SIMD8<Double>(repeating: center)
        var below = center
        var above = center
        for i in 1..<4 {
          below = below.nextDown
          above = above.nextUp
          u[2 * i - 1] = below
          u[2 * i] = min(above, 1)
        }
        check(u, lambda: lambda)
      }
    }
    XCTAssertLessThan(worst, 1e-14)
  }
}
