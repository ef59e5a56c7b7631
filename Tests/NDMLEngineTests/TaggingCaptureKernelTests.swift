import Foundation
import NDMLModel
import XCTest

/// The exact event-driven early phase of `stc` against closed-form answers for single calcium
/// transients.
final class TaggingCaptureKernelTests: XCTestCase {
  /// h after a calcium transient of height `c` at `start` ms, followed to `end` ms: relaxation to
  /// the potentiation fixed point for τ_c·ln(c/θ_p), to the depression one until τ_c·ln(c/θ_d),
  /// then to h₀ (each phase linear in h, so each an exact exponential).
  private func closedForm(_ p: TaggingCaptureParameters, c: Double, start: Double, end: Double) -> Double {
    let tauH = p.tauEarlyS * 1000
    let sum = 0.1 + p.gammaP + p.gammaD
    let (kP, hP) = (sum / tauH, (0.1 * p.h0 + p.gammaP * p.hMax) / sum)
    let (kD, hD) = ((0.1 + p.gammaD) / tauH, 0.1 * p.h0 / (0.1 + p.gammaD))
    let tP = c > p.thetaP ? p.tauCalciumMs * log(c / p.thetaP) : 0
    let tD = c > p.thetaD ? p.tauCalciumMs * log(c / p.thetaD) : 0
    var h = hP + (p.h0 - hP) * exp(-kP * tP)
    h = hD + (h - hD) * exp(-kD * (tD - tP))
    return p.h0 + (h - p.h0) * exp(-0.1 / tauH * (end - start - tD))
  }

  /// One presynaptic spike at 10 ms (arrival 11 ms, calcium jump of c_pre = 4 at 11 + 18.8 ms):
  /// potentiation, then depression, then decay — the recorded h at 200 ms matches the closed form.
  func testOnePresynapticSpikeMatchesTheClosedForm() throws {
    var p = TaggingCaptureParameters()
    p.calciumPre = 4
    let run = try runPlasticPair(.taggingCapture(p), pre: [10], kick: [], weight: p.h0)
    XCTAssertEqual(run.post, [])
    let expected = closedForm(p, c: 4, start: 29.8, end: 200)
    XCTAssertGreaterThan(expected - p.h0, 0.01)  // a visible change, mostly potentiation
    assertClose(run.final, expected, tolerance: 1e-9, "h after one presynaptic calcium transient")
  }

  /// One postsynaptic spike (c_post = 2, between θ_d and θ_p): depression only.
  func testOnePostsynapticSpikeDepresses() throws {
    var p = TaggingCaptureParameters()
    p.calciumPost = 2
    let run = try runPlasticPair(.taggingCapture(p), pre: [], kick: [49.8], weight: p.h0)
    XCTAssertEqual(run.post.count, 1)
    let post = try XCTUnwrap(run.post.first)
    let expected = closedForm(p, c: 2, start: post, end: 200)
    XCTAssertLessThan(expected - p.h0, -0.01)
    assertClose(run.final, expected, tolerance: 1e-9, "h after one postsynaptic calcium transient")
  }
}
