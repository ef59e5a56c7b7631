import NDMLModel

/// Buffers the spikes of one recorded population between flushes.
final class SpikeRecorder {
  let population: String
  private var timesMs: [Double] = []
  private var nodeIDs: [UInt64] = []

  init(population: String) { self.population = population }

  /// Spikes buffered since the last flush.
  var bufferedCount: Int { timesMs.count }

  /// Appends spikes (in ascending neuron order) stamped `timeMs`.
  func append(_ indices: UnsafePointer<Int32>, count: Int, timeMs: Double) {
    // Two appends per call, not two per spike: each append of a class's array is an exclusivity
    // check and a uniqueness check.
    timesMs.append(contentsOf: repeatElement(timeMs, count: count))
    nodeIDs.append(contentsOf: UnsafeBufferPointer(start: indices, count: count).lazy.map { UInt64($0) })
  }

  /// Hands the buffered spikes to the observer and empties the buffer.
  func flush(to observer: any SimulationObserver) throws {
    guard !timesMs.isEmpty else { return }
    try observer.record(spikes: SpikeChunk(population: population, timesMs: timesMs, nodeIDs: nodeIDs))
    timesMs.removeAll(keepingCapacity: true)
    nodeIDs.removeAll(keepingCapacity: true)
  }
}

/// Samples chosen variables (state variables of a population, or traces of a plastic projection)
/// of chosen neurons every `intervalSteps` steps.
final class StateRecorder {
  /// What the samples are of, and so where they go.
  enum Source {
    /// State variables of population `index` (``RecordingPlan/state``).
    case population(Int)
    /// Traces of the plastic projection with table `index` (``RecordingPlan/traces``).
    case projection(Int)
  }

  let recordingIndex: Int
  let source: Source
  let names: [String]
  let neurons: [Int]
  let variableIndices: [Int]
  let intervalSteps: Int
  private var rows: [[Float]]
  private var rowCount = 0

  init(
    recordingIndex: Int, source: Source, names: [String], neurons: [Int], variableIndices: [Int], intervalSteps: Int
  ) {
    self.recordingIndex = recordingIndex
    self.source = source
    self.names = names
    self.neurons = neurons
    self.variableIndices = variableIndices
    self.intervalSteps = intervalSteps
    rows = Array(repeating: [], count: variableIndices.count)
  }

  /// Values buffered since the last flush.
  var bufferedCount: Int { rowCount * neurons.count * names.count }

  /// Takes one sample of every variable (stored as float32, the results file's report type);
  /// `value(variable, neuron)` reads one.
  func sample(_ value: (Int, Int) -> Double) {
    for (k, v) in variableIndices.enumerated() {
      for neuron in neurons { rows[k].append(Float(value(v, neuron))) }
    }
    rowCount += 1
  }

  /// Hands the buffered samples to the observer and empties the buffer.
  func flush(to observer: any SimulationObserver) throws {
    guard rowCount > 0 else { return }
    for (k, name) in names.enumerated() {
      let chunk = StateSampleChunk(recordingIndex: recordingIndex, variable: name, values: rows[k], rowCount: rowCount)
      switch source {
      case .population: try observer.record(samples: chunk)
      case .projection: try observer.record(traces: chunk)
      }
      rows[k].removeAll(keepingCapacity: true)
    }
    rowCount = 0
  }
}
