import NDMLEngine
import NDMLModel
import XCTest

/// An observer that asks to stop hands the run's data over and gets `EngineError.interrupted`.
final class InterruptTests: XCTestCase {
  final class StoppingObserver: SimulationObserver {
    var steps = 0
    var spikeTimes: [Double] = []
    func record(spikes chunk: SpikeChunk) throws { spikeTimes += chunk.timesMs }
    func record(samples: StateSampleChunk) throws {}
    func record(weights: WeightSampleChunk) throws {}
    func progress(completedSteps: Int, totalSteps: Int) { steps = completedSteps }
    func shouldStop() -> Bool { true }
  }

  func testStopRequestFlushesAndThrows() {
    let e = Experiment(
      simulation: SimulationSettings(durationMs: 1000),
      populations: [Population(name: "p", size: 100, model: .poisson(.init(rateHz: 2000)))],
      recording: RecordingPlan(spikePopulations: ["p"]))
    let observer = StoppingObserver()
    XCTAssertThrowsError(try CPUBackend().run(e, observer: observer)) { error in
      XCTAssertEqual(error as? EngineError, .interrupted(timeMs: 12.8))  // the first check, after 128 steps
    }
    XCTAssertFalse(observer.spikeTimes.isEmpty, "spikes up to the stop are handed over")
    XCTAssertLessThanOrEqual(observer.spikeTimes.max()!, 12.8)
  }
}

/// A NaN, an infinity or a run-away voltage stops the run in the step it happens, naming the
/// population, neuron, variable and time; what was recorded before is handed over.
final class NumericalFaultTests: XCTestCase {
  private func network(weight: Double, threads: Int) -> Experiment {
    var cell = LIFCubaParameters()
    cell.thresholdMV = 1e300  // never spikes: the input only accumulates
    var simulation = SimulationSettings(durationMs: 20, seed: 3)
    simulation.threads = threads
    return Experiment(
      simulation: simulation,
      populations: [
        Population(name: "e", size: 300, model: .lifCuba(cell)),
        Population(name: "s", size: 2, model: .spikeSource(.init(spikeTimesMs: [[5, 15], [5]]))),
      ],
      projections: [
        Projection(
          name: "se", source: "s", target: "e", connectivity: .allToAll, weight: .constant(weight),
          delayMs: .constant(1), receptor: .excitatory)
      ],
      recording: RecordingPlan(spikePopulations: ["s"]))
  }

  func testInfinityIsCaughtInTheStepItHappens() throws {
    for threads in [1, 2] {
      // Two spikes of 1e308 arrive together at 6 ms: s_e = ∞, and so is the free voltage of that step.
      let observer = MemoryObserver()
      XCTAssertThrowsError(try CPUBackend().run(network(weight: 1e308, threads: threads), observer: observer)) {
        guard case EngineError.numericalFault(let pop, let variable, let neuron, let value, let t) = $0 else {
          return XCTFail("\($0)")
        }
        XCTAssertEqual(pop, "e")
        XCTAssertEqual(neuron, 0)
        XCTAssertEqual(variable, "s_e", "v crossed the threshold and was reset; s_e holds the infinity")
        XCTAssertTrue(value.isInfinite)
        XCTAssertEqual(t, 6.1, accuracy: 1e-9)
        XCTAssertTrue("\($0)".contains("neuron 0"))
      }
      XCTAssertEqual(observer.spikes["s"]?.timesMs, [5, 5], "recorded before the fault, not after")
    }
  }

  func testRunAwayVoltageIsCaught() throws {
    // Spikes of 10⁹ mV (a weight in the wrong unit, say) arrive at 6 ms: v passes 10⁶ mV.
    XCTAssertThrowsError(try CPUBackend().run(network(weight: 1e9, threads: 1), observer: MemoryObserver())) {
      guard case EngineError.numericalFault(_, let variable, _, let value, let t) = $0 else { return XCTFail("\($0)") }
      XCTAssertEqual(variable, "v")
      XCTAssertGreaterThan(value, 1e6)
      XCTAssertLessThan(t, 7)
      XCTAssertTrue("\($0)".contains("ran away"))
    }
  }
}
