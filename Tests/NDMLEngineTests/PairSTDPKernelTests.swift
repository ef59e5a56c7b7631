import Foundation
import NDMLModel
import XCTest

/// Pair STDP on small protocols with closed-form answers.
final class PairSTDPKernelTests: XCTestCase {
  private func run(_ rule: PairSTDPParameters, pre: [Double], kick: [Double], weight: Double = 0.5) throws -> (
    initial: Double, final: Double, post: [Double]
  ) {
    try runPlasticPair(.pairSTDP(rule), pre: pre, kick: kick, weight: weight)
  }

  private func rule(_ configure: (inout PairSTDPParameters) -> Void = { _ in }) -> PairSTDPParameters {
    var p = PairSTDPParameters(weightMax: 1)
    p.tauPlusMs = 20
    p.tauMinusMs = 20
    p.aPlus = 0.01
    p.aMinus = 0.012
    configure(&p)
    return p
  }

  /// Two presynaptic arrivals before one post spike: all-to-all sums both pairs, nearest only the
  /// later one (its trace resets to 1).
  func testNearestPairsOnlyWithTheLatestSpike() throws {
    let pre = [10.0, 20.0]  // arrivals at 11 and 21 ms
    let kick = [29.8]  // post spike at 30 ms
    let all = try run(rule(), pre: pre, kick: kick)
    let nearest = try run(rule { $0.pairing = .nearest }, pre: pre, kick: kick)
    XCTAssertEqual(all.post.count, 1)
    assertClose(all.post[0], 30, tolerance: 1e-9, "post spike")
    assertClose(all.final - all.initial, 0.01 * (exp(-19.0 / 20) + exp(-9.0 / 20)), tolerance: 1e-12, "all-to-all")
    assertClose(nearest.final - nearest.initial, 0.01 * exp(-9.0 / 20), tolerance: 1e-12, "nearest")
  }

  /// Multiplicative dependence (μ = 1): potentiation scales with w_max − w, depression with w − w_min.
  func testMultiplicativeWeightDependence() throws {
    let up = try run(rule { $0.mu = 1 }, pre: [10], kick: [19.8], weight: 0.8)  // Δt = +9 ms
    assertClose(up.final - up.initial, 0.01 * (1 - 0.8) * exp(-9.0 / 20), tolerance: 1e-12, "potentiation")
    let down = try run(rule { $0.mu = 1 }, pre: [30], kick: [19.8], weight: 0.8)  // Δt = −11 ms
    assertClose(down.final - down.initial, -0.012 * 0.8 * exp(-11.0 / 20), tolerance: 1e-12, "depression")
  }

  /// van Rossum, Bi & Turrigiano (2000): weight-independent potentiation (μ₊ = 0), depression
  /// proportional to the weight (μ₋ = 1).
  func testMixedWeightDependence() throws {
    let mixed = rule {
      $0.muPlus = 0
      $0.muMinus = 1
    }
    let up = try run(mixed, pre: [10], kick: [19.8], weight: 0.8)
    assertClose(up.final - up.initial, 0.01 * exp(-9.0 / 20), tolerance: 1e-12, "potentiation")
    let down = try run(mixed, pre: [30], kick: [19.8], weight: 0.8)
    assertClose(down.final - down.initial, -0.012 * 0.8 * exp(-11.0 / 20), tolerance: 1e-12, "depression")
  }

  /// Hard bounds: weights never leave [w_min, w_max].
  func testWeightsAreClippedToTheBounds() throws {
    let top = try run(rule { $0.aPlus = 5 }, pre: [10], kick: [11.8], weight: 0.9)
    XCTAssertEqual(top.final, 1)
    let bottom = try run(rule { $0.aMinus = 5 }, pre: [30], kick: [29.8 - 2], weight: 0.1)
    XCTAssertEqual(bottom.final, 0)
  }

  /// Plasticity in a recurrent network is reproducible to the bit, and changes weights.
  func testPlasticNetworkIsDeterministic() throws {
    var p = LIFCubaParameters()
    p.restingPotentialMV = -49
    p.thresholdMV = -50
    p.resetMV = -60
    func network() -> Experiment {
      Experiment(
        simulation: SimulationSettings(durationMs: 300, seed: 4),
        populations: [
          Population(name: "e", size: 300, model: .lifCuba(p), initialState: ["v": .uniform(low: -60, high: -50)])
        ],
        projections: [
          Projection(
            name: "ee", source: "e", target: "e", connectivity: .fixedProbability(0.1),
            weight: .uniform(low: 0.1, high: 0.9), delayMs: .constant(1), receptor: .excitatory,
            plasticity: .pairSTDP(rule()))
        ],
        recording: RecordingPlan(
          spikePopulations: ["e"], weights: [.init(projection: "ee", intervalMs: 100, sampleSize: 50)]))
    }
    let (a, _) = try simulate(network())
    let (b, _) = try simulate(network())
    XCTAssertEqual(a.weights[0]!.values, b.weights[0]!.values)
    XCTAssertEqual(a.weights[0]!.layout, b.weights[0]!.layout)
    XCTAssertEqual(a.weights[0]!.layout.sourceIDs.count, 50)
    let first = Array(a.weights[0]!.values.prefix(50))
    let last = Array(a.weights[0]!.values.suffix(50))
    XCTAssertNotEqual(first, last, "weights changed")
  }
}
