import Foundation
import NDMLModel
import XCTest

/// The Benna–Fusi chain's generator and exact propagator.
final class BennaFusiChainTests: XCTestCase {
  func testOneVariableIsAnExponential() {
    let p = BennaFusiParameters(tauFastestMs: 250).with { $0.variables = 1 }
    XCTAssertEqual(p.propagator(periodMs: 100)[0], exp(-100.0 / 250), accuracy: 1e-15)
  }

  func testPropagatorIsASemigroupAndConservesWithoutLeak() {
    var p = BennaFusiParameters(tauFastestMs: 10)
    p.variables = 6
    let m = 6
    func product(_ a: [Double], _ b: [Double]) -> [Double] {
      (0..<m * m).map { ij in (0..<m).reduce(0) { $0 + a[ij / m * m + $1] * b[$1 * m + ij % m] } }
    }
    let two = product(p.propagator(periodMs: 30), p.propagator(periodMs: 70))
    for (x, y) in zip(two, p.propagator(periodMs: 100)) { XCTAssertEqual(x, y, accuracy: 1e-12) }
    // Without the leak, Σ C_k u_k is conserved: cᵀ·P = cᵀ.
    p.leak = false
    let prop = p.propagator(periodMs: 5000)
    let c = p.capacitancesAndConductances.c
    for j in 0..<m {
      XCTAssertEqual((0..<m).reduce(0) { $0 + c[$1] * prop[$1 * m + j] }, c[j], accuracy: 1e-9 * c[j])
    }
    // Time constants ×4 per level: the slowest mode of the leaky chain decays in ≈ 4^(m−1)·τ₁ units.
    XCTAssertEqual(p.generator[0], -0.1, accuracy: 1e-15)  // −g₁₂/C₁ = −1/τ₁
  }

  func testViolationsNameTheKeys() {
    var p = BennaFusiParameters(tauFastestMs: -1)
    p.variables = 0
    XCTAssertEqual(Set(p.violations().map(\.key)), ["tau_1_ms", "variables"])
  }
}

extension BennaFusiParameters {
  fileprivate func with(_ change: (inout Self) -> Void) -> Self {
    var copy = self
    change(&copy)
    return copy
  }
}
