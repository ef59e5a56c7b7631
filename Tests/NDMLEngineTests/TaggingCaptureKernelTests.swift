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

  /// Plasticity noise: 4000 synapses each get one presynaptic transient (c_pre = 4). Their h at
  /// 200 ms has the noise-free closed form as mean and the Ornstein–Uhlenbeck variance propagated
  /// through the three phases (B = 2σ²/τ_h above θ_p, σ²/τ_h between θ_d and θ_p, none below); a
  /// second run gives identical weights.
  func testNoiseHasTheOrnsteinUhlenbeckMeanAndVariance() throws {
    var p = TaggingCaptureParameters()
    p.calciumPre = 4
    p.sigma = 2.90436
    let n = 4000
    var cell = LIFCubaParameters()
    cell.thresholdMV = 100  // silent: calcium from the presynaptic side only
    let e = Experiment(
      simulation: SimulationSettings(durationMs: 200, seed: 11),
      populations: [
        Population(
          name: "pre", size: n, model: .spikeSource(.init(spikeTimesMs: Array(repeating: [10], count: n)))),
        Population(name: "post", size: n, model: .lifCuba(cell)),
      ],
      projections: [
        Projection(
          name: "stc", source: "pre", target: "post", connectivity: .oneToOne, weight: .constant(p.h0),
          delayMs: .constant(1), receptor: .excitatory, plasticity: .taggingCapture(p))
      ],
      recording: RecordingPlan(weights: [.init(projection: "stc", intervalMs: 1000, sampleSize: n)]))
    XCTAssertEqual(e.validate().filter { !$0.isWarning }, [])
    let first = try XCTUnwrap(simulate(e).0.weights[0]?.values)
    let again = try XCTUnwrap(simulate(e).0.weights[0]?.values)
    XCTAssertEqual(first, again)
    let h = Array(first.suffix(n))
    XCTAssertEqual(h.count, n)
    let mean = h.reduce(0, +) / Double(n)
    let variance = h.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)

    let tauH = p.tauEarlyS * 1000
    let b = p.sigma * p.sigma / tauH
    let sum = 0.1 + p.gammaP + p.gammaD
    let (k1, k2, k3) = (sum / tauH, (0.1 + p.gammaD) / tauH, 0.1 / tauH)
    let t1 = p.tauCalciumMs * log(4 / p.thetaP)
    let t2 = p.tauCalciumMs * log(4 / p.thetaD) - t1
    let t3 = 200 - 29.8 - t1 - t2
    var expected = 2 * b * (1 - exp(-2 * k1 * t1)) / (2 * k1)
    expected = expected * exp(-2 * k2 * t2) + b * (1 - exp(-2 * k2 * t2)) / (2 * k2)
    expected *= exp(-2 * k3 * t3)
    let expectedMean = closedForm(p, c: 4, start: 29.8, end: 200)
    // Standard errors: of the mean √(V/n), of the variance V·√(2/(n − 1)) (≈ 2.2 %).
    assertClose(mean, expectedMean, tolerance: 4 * (expected / Double(n)).squareRoot(), "mean h")
    assertClose(variance, expected, tolerance: 4 * expected * (2 / Double(n - 1)).squareRoot(), "variance of h")
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
