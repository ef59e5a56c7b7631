import NDMLModel

/// Buffers the spikes of one recorded population between flushes.
final class SpikeRecorder {
  let population: String
  private var timesMs: [Double] = []
  private var nodeIDs: [UInt64] = []

  init(population: String) { self.population = population }

  /// Spikes buffered since the last flush.
  var bufferedCount: Int { timesMs.count }

  /// Appends this step's spikes (already in ascending neuron order) stamped `timeMs`.
  func append(_ spikes: SpikeBuffer, timeMs: Double) {
    for k in 0..<spikes.count {
      timesMs.append(timeMs)
      nodeIDs.append(UInt64(spikes.indices[k]))
    }
  }

  /// Hands the buffered spikes to the observer and empties the buffer.
  func flush(to observer: any SimulationObserver) throws {
    guard !timesMs.isEmpty else { return }
    try observer.record(spikes: SpikeChunk(population: population, timesMs: timesMs, nodeIDs: nodeIDs))
    timesMs.removeAll(keepingCapacity: true)
    nodeIDs.removeAll(keepingCapacity: true)
  }
}

/// Samples chosen variables of chosen neurons every `intervalSteps` steps.
final class StateRecorder {
  let recordingIndex: Int
  let population: Int
  let plan: StateRecording
  let variableIndices: [Int]
  let intervalSteps: Int
  private var rows: [[Float]]
  private var rowCount = 0

  init(
    recordingIndex: Int, population: Int, plan: StateRecording, variableIndices: [Int],
    intervalSteps: Int
  ) {
    self.recordingIndex = recordingIndex
    self.population = population
    self.plan = plan
    self.variableIndices = variableIndices
    self.intervalSteps = intervalSteps
    rows = Array(repeating: [], count: variableIndices.count)
  }

  /// Values buffered since the last flush.
  var bufferedCount: Int { rowCount * plan.neurons.count * plan.variables.count }

  /// Takes one sample of every variable (stored as float32, the results file's report type).
  func sample<S: EngineScalar>(_ kernel: any PopulationKernel<S>) {
    for (k, v) in variableIndices.enumerated() {
      for neuron in plan.neurons { rows[k].append(Float(kernel.value(ofVariable: v, neuron: neuron))) }
    }
    rowCount += 1
  }

  /// Hands the buffered samples to the observer and empties the buffer.
  func flush(to observer: any SimulationObserver) throws {
    guard rowCount > 0 else { return }
    for (k, name) in plan.variables.enumerated() {
      try observer.record(
        samples: StateSampleChunk(recordingIndex: recordingIndex, variable: name, values: rows[k], rowCount: rowCount))
      rows[k].removeAll(keepingCapacity: true)
    }
    rowCount = 0
  }
}
