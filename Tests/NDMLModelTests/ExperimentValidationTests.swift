import NDMLModel
import XCTest

/// Model-level validation: every rule reports key path and reason, all at once.
final class ExperimentValidationTests: XCTestCase {
  func testDefaultsAreValid() {
    XCTAssertEqual(LIFCubaParameters().violations(), [])
    XCTAssertEqual(LIFCobaParameters().violations(), [])
    XCTAssertEqual(LIFCobaParameters().tauMembraneMs, 20)
    XCTAssertEqual(LIFCubaParameters().resistanceMOhm, 80)
  }

  func testImpossibleNetworkReportsEveryProblem() {
    let e = Experiment(
      simulation: SimulationSettings(dtMs: 0.1, durationMs: 10),
      populations: [
        Population(name: "a", size: 10, model: .lifCuba(LIFCubaParameters())),
        Population(name: "b", size: 5, model: .poisson(.init(rateHz: 1))),
      ],
      projections: [
        Projection(
          name: "ab", source: "a", target: "b", connectivity: .allToAll, weight: .constant(1), delayMs: .constant(1),
          receptor: .excitatory),
        Projection(
          name: "aa", source: "a", target: "a", connectivity: .fixedInDegree(10), weight: .constant(-1),
          delayMs: .constant(1), receptor: .excitatory),
        Projection(
          name: "ba", source: "b", target: "a", connectivity: .oneToOne, weight: .constant(1), delayMs: .constant(1),
          receptor: .excitatory),
      ],
      recording: RecordingPlan(
        spikePopulations: ["c"], state: [.init(population: "a", variables: ["w"], neurons: [11], intervalMs: 0.15)]))
    let paths = Set(e.validate().map(\.keyPath))
    XCTAssertEqual(
      paths,
      [
        "projections.ab.target", "projections.aa.weight_mV", "projections.aa.connectivity.fixed_in_degree",
        "projections.ba.connectivity", "record.spikes", "record.state[0].variables", "record.state[0].neurons",
        "record.state[0].interval_ms",
      ])
  }

  func testExpectedSynapseCount() {
    let e = Experiment(
      simulation: SimulationSettings(durationMs: 1),
      populations: [Population(name: "a", size: 100, model: .lifCuba(LIFCubaParameters()))],
      projections: [
        Projection(
          name: "p", source: "a", target: "a", connectivity: .fixedProbability(0.1), weight: .constant(1),
          delayMs: .constant(1), receptor: .excitatory)
      ])
    XCTAssertEqual(e.expectedSynapseCount(), 0.1 * 100 * 99)
  }
}
