import NDMLModel
import XCTest

/// The code examples of the doc comments compile and do what they say.
final class DocumentationExampleTests: XCTestCase {
  /// `Experiment`'s example (keep the two in step).
  func testExperimentExampleIsValid() {
    var cell = LIFCubaParameters()
    cell.tauSynapticExcitatoryMs = 0  // delta synapses
    let experiment = Experiment(
      simulation: SimulationSettings(durationMs: 1000, seed: 7),
      populations: [
        Population(name: "input", size: 100, model: .poisson(.init(rateHz: 20))),
        Population(name: "cells", size: 10, model: .lifCuba(cell)),
      ],
      projections: [
        Projection(
          name: "drive", source: "input", target: "cells", connectivity: .fixedProbability(0.1),
          weight: .constant(1.5), delayMs: .constant(1), receptor: .excitatory,
          plasticity: .pairSTDP(PairSTDPParameters(weightMax: 3)))
      ],
      recording: RecordingPlan(spikePopulations: ["cells"]))
    let problems = experiment.validate().filter { !$0.isWarning }  // [] when it can run
    XCTAssertEqual(problems, [])
  }
}
