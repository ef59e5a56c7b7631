import NDMLEngine
import NDMLModel
import XCTest

/// Collects everything a run records, in memory.
final class MemoryObserver: SimulationObserver {
  var spikes: [String: (timesMs: [Double], nodeIDs: [UInt64])] = [:]
  var samples: [String: [Float]] = [:]

  func record(spikes chunk: SpikeChunk) throws {
    spikes[chunk.population, default: ([], [])].timesMs += chunk.timesMs
    spikes[chunk.population, default: ([], [])].nodeIDs += chunk.nodeIDs
  }

  func record(samples chunk: StateSampleChunk) throws {
    samples["\(chunk.recordingIndex)/\(chunk.variable)", default: []] += chunk.values
  }

  var weights: [Int: (times: [Double], values: [Double], layout: WeightSampleChunk.Layout)] = [:]

  func record(weights chunk: WeightSampleChunk) throws {
    weights[chunk.recordingIndex, default: ([], [], chunk.layout)].times += chunk.timesMs
    weights[chunk.recordingIndex, default: ([], [], chunk.layout)].values += chunk.weights
  }

  var plateaus: [String: (timesMs: [Double], nodeIDs: [UInt64])] = [:]
  var traces: [String: [Float]] = [:]

  func record(traces chunk: StateSampleChunk) throws {
    traces["\(chunk.recordingIndex)/\(chunk.variable)", default: []] += chunk.values
  }

  func record(plateaus chunk: PlateauChunk) throws {
    plateaus[chunk.projection, default: ([], [])].timesMs += chunk.timesMs
    plateaus[chunk.projection, default: ([], [])].nodeIDs += chunk.nodeIDs
  }

  func progress(completedSteps: Int, totalSteps: Int) {}

  /// Checkpoints handed over, each with a copy of what had been recorded by then.
  var checkpoints: [(step: Int, state: [UInt8], recorded: MemoryObserver)] = []

  func checkpoint(step: Int, state: [UInt8]) throws {
    checkpoints.append((step, state, copy()))
  }

  /// A copy of everything recorded so far (no checkpoints).
  func copy() -> MemoryObserver {
    let other = MemoryObserver()
    other.spikes = spikes
    other.samples = samples
    other.weights = weights
    other.plateaus = plateaus
    other.traces = traces
    return other
  }

  /// Asserts that `other` recorded exactly the same spikes, samples, weights, traces and plateaus.
  func assertSameOutput(as other: MemoryObserver, _ message: String, file: StaticString = #filePath, line: UInt = #line)
  {
    XCTAssertEqual(spikes.keys.sorted(), other.spikes.keys.sorted(), message, file: file, line: line)
    for (population, recorded) in other.spikes {
      XCTAssertEqual(spikes[population]?.timesMs, recorded.timesMs, "\(population): \(message)", file: file, line: line)
      XCTAssertEqual(spikes[population]?.nodeIDs, recorded.nodeIDs, "\(population): \(message)", file: file, line: line)
    }
    XCTAssertEqual(samples, other.samples, message, file: file, line: line)
    XCTAssertEqual(traces, other.traces, message, file: file, line: line)
    XCTAssertEqual(weights.keys.sorted(), other.weights.keys.sorted(), message, file: file, line: line)
    for (k, w) in other.weights {
      XCTAssertEqual(weights[k]?.times, w.times, "weights \(k): \(message)", file: file, line: line)
      XCTAssertEqual(weights[k]?.values, w.values, "weights \(k): \(message)", file: file, line: line)
    }
    XCTAssertEqual(plateaus.keys.sorted(), other.plateaus.keys.sorted(), message, file: file, line: line)
    for (k, p) in other.plateaus {
      XCTAssertEqual(plateaus[k]?.timesMs, p.timesMs, "plateaus \(k): \(message)", file: file, line: line)
      XCTAssertEqual(plateaus[k]?.nodeIDs, p.nodeIDs, "plateaus \(k): \(message)", file: file, line: line)
    }
  }
}

/// Runs an experiment on the CPU backend and returns what it recorded.
@discardableResult
func simulate(_ experiment: Experiment) throws -> (MemoryObserver, RunSummary) {
  let observer = MemoryObserver()
  let summary = try CPUBackend().run(experiment, observer: observer)
  return (observer, summary)
}

/// Asserts |a − b| ≤ tolerance with a message showing both and the error.
func assertClose(
  _ a: Double, _ b: Double, tolerance: Double, _ what: String = "", file: StaticString = #filePath, line: UInt = #line
) {
  XCTAssert(
    abs(a - b) <= tolerance, "\(what): observed \(a), expected \(b), error \(abs(a - b)) > \(tolerance)", file: file,
    line: line)
}
