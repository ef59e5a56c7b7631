import NDMLModel

/// Snapshots a projection's weights: a fixed sample of synapses (chosen once from the stream
/// `weight-sample/<projection>`) and a histogram of all weights, at every interval and at the end.
final class WeightRecorder<Scalar: EngineScalar> {
  let recordingIndex: Int
  let intervalSteps: Int
  private let table: SynapseTable<Scalar>
  private let sample: [Int]
  private let layout: WeightSampleChunk.Layout
  private var timesMs: [Double] = []
  private var weights: [Double] = []
  private var histograms: [UInt64] = []

  init(
    recordingIndex: Int, plan: WeightRecording, table: SynapseTable<Scalar>, bounds: ClosedRange<Double>,
    unit: String, dtMs: Double, seed: UInt64
  ) {
    self.recordingIndex = recordingIndex
    self.table = table
    intervalSteps = max(1, Int((plan.intervalMs / dtMs).rounded()))
    let k = min(plan.sampleSize ?? table.count, table.count)
    if k == table.count {
      sample = Array(0..<table.count)
    } else {
      // Floyd's algorithm: k distinct synapse indices, sorted.
      let stream = RandomStream(seed: seed, purpose: "weight-sample/\(plan.projection)")
      var chosen = Set<Int>()
      for (draw, j) in ((table.count - k)..<table.count).enumerated() {
        let r = Int(stream.uniform(UInt64(draw), 0) * Double(j + 1)) % (j + 1)
        chosen.insert(chosen.contains(r) ? j : r)
      }
      sample = chosen.sorted()
    }
    var sources: [UInt64] = []
    var row = 0
    for s in sample {
      while table.offsets[row + 1] <= s { row += 1 }
      sources.append(UInt64(row))
    }
    let bins = plan.histogramBins
    let width = (bounds.upperBound - bounds.lowerBound) / Double(bins)
    layout = WeightSampleChunk.Layout(
      sourceIDs: sources, targetIDs: sample.map { UInt64(table.targets[$0]) },
      binEdges: (0...bins).map { bounds.lowerBound + Double($0) * width }, unit: unit)
  }

  /// Number of buffered values.
  var bufferedCount: Int { weights.count + histograms.count }

  /// Takes one snapshot at `timeMs`.
  func snapshot(timeMs: Double) {
    timesMs.append(timeMs)
    for s in sample { weights.append(Double(table.weights[s])) }
    let edges = layout.binEdges
    let bins = edges.count - 1
    let lo = edges[0]
    let width = edges[bins] > lo ? (edges[bins] - lo) / Double(bins) : 1
    var counts = [UInt64](repeating: 0, count: bins)
    for s in 0..<table.count {
      let b = Int(((Double(table.weights[s]) - lo) / width).rounded(.down))
      counts[min(max(b, 0), bins - 1)] += 1
    }
    histograms += counts
  }

  /// Hands the buffered snapshots to the observer.
  func flush(to observer: any SimulationObserver) throws {
    guard !timesMs.isEmpty else { return }
    try observer.record(
      weights: WeightSampleChunk(
        recordingIndex: recordingIndex, layout: layout, timesMs: timesMs, weights: weights, histograms: histograms))
    timesMs.removeAll(keepingCapacity: true)
    weights.removeAll(keepingCapacity: true)
    histograms.removeAll(keepingCapacity: true)
  }
}
