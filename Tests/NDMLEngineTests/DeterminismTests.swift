import NDMLModel
import XCTest

/// Same experiment and seed ⇒ identical spikes and samples; another seed ⇒ different spikes.
final class DeterminismTests: XCTestCase {
  private func network(seed: UInt64, precision: Precision) -> Experiment {
    var p = LIFCubaParameters()
    p.restingPotentialMV = -49
    p.thresholdMV = -50
    p.resetMV = -60
    p.refractoryMs = 5
    return Experiment(
      simulation: SimulationSettings(durationMs: 200, seed: seed, precision: precision),
      populations: [
        Population(name: "e", size: 400, model: .lifCuba(p), initialState: ["v": .uniform(low: -60, high: -50)]),
        Population(name: "x", size: 50, model: .poisson(.init(rateHz: 10))),
      ],
      projections: [
        Projection(
          name: "ee", source: "e", target: "e", connectivity: .fixedProbability(0.05),
          weight: .normal(mean: 1, standardDeviation: 0.5, clipAtZero: true), delayMs: .uniform(low: 0.1, high: 2),
          receptor: .excitatory),
        Projection(
          name: "xe", source: "x", target: "e", connectivity: .fixedInDegree(5), weight: .constant(-2),
          delayMs: .constant(1), receptor: .inhibitory),
      ],
      recording: RecordingPlan(
        spikePopulations: ["e", "x"],
        state: [.init(population: "e", variables: ["v", "s_i"], neurons: [0, 7], intervalMs: 0.5)]))
  }

  func testSameSeedGivesIdenticalOutput() throws {
    for precision in Precision.allCases {
      let (a, _) = try simulate(network(seed: 5, precision: precision))
      let (b, _) = try simulate(network(seed: 5, precision: precision))
      let (c, _) = try simulate(network(seed: 6, precision: precision))
      XCTAssertGreaterThan(a.spikes["e"]!.timesMs.count, 100)
      XCTAssertEqual(a.spikes["e"]!.timesMs, b.spikes["e"]!.timesMs)
      XCTAssertEqual(a.spikes["e"]!.nodeIDs, b.spikes["e"]!.nodeIDs)
      XCTAssertEqual(a.spikes["x"]!.nodeIDs, b.spikes["x"]!.nodeIDs)
      XCTAssertEqual(a.samples, b.samples)
      XCTAssertNotEqual(a.spikes["e"]!.nodeIDs, c.spikes["e"]!.nodeIDs)
    }
  }
}
