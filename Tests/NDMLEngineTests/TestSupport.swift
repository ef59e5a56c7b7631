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
