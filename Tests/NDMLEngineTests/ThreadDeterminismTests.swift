import NDMLModel
import XCTest

/// Any thread count gives bit-identical output: spikes, state samples, weights and traces.
final class ThreadDeterminismTests: XCTestCase {
  func testEveryThreadCountGivesIdenticalOutput() throws {
    for precision in Precision.allCases {
      let (reference, summary) = try simulate(mixedNetwork(threads: 1, precision: precision))
      XCTAssertEqual(summary.threads, 1)
      XCTAssertGreaterThan(reference.spikes["e"]!.timesMs.count, 500, "the network must be active")
      XCTAssertGreaterThan(reference.spikes["c"]!.timesMs.count, 100)
      for threads in [2, 3, 4] {
        let (run, s) = try simulate(mixedNetwork(threads: threads, precision: precision))
        XCTAssertEqual(s.threads, threads)
        XCTAssertEqual(s.synapticEvents, summary.synapticEvents)
        for (population, recorded) in reference.spikes {
          XCTAssertEqual(run.spikes[population]!.timesMs, recorded.timesMs, "\(population), \(threads) threads")
          XCTAssertEqual(run.spikes[population]!.nodeIDs, recorded.nodeIDs, "\(population), \(threads) threads")
        }
        XCTAssertEqual(run.samples, reference.samples, "\(threads) threads")
        XCTAssertEqual(run.traces, reference.traces, "\(threads) threads")
        XCTAssertEqual(run.weights.keys.sorted(), reference.weights.keys.sorted())
        for (k, w) in reference.weights {
          XCTAssertEqual(run.weights[k]!.values, w.values, "weights \(k), \(threads) threads")
        }
      }
    }
  }

  func testRulesThatCannotBeSplitRunOnOneThread() throws {
    var experiment = mixedNetwork(threads: 1, precision: .float64)
    experiment.simulation.threads = 2
    experiment.projections[0].plasticity = .binaryBTSP(BinaryBTSPParameters(weightMax: 2))
    experiment.recording.traces = []
    let (_, summary) = try simulate(experiment)
    XCTAssertEqual(summary.threads, 1)
  }
}
