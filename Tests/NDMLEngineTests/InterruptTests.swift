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
