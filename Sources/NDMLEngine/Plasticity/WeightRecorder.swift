import NDMLModel

/// Snapshots a projection's weights: a fixed sample of synapses (chosen once from the stream
/// `weight-sample/<projection>`) and a histogram of all weights, at every interval and at the end.
///
/// In a distributed run each rank holds only the synapses onto its own neurons (``RankShare``):
/// the sample is drawn from the whole projection's synapse indices as in one process, each rank
/// contributes the sampled weights and the histogram counts of its synapses, and the ranks add
/// them up (a weight as its bit pattern, which only its one holder contributes: exact).
final class WeightRecorder<Scalar: EngineScalar> {
  let recordingIndex: Int
  let intervalSteps: Int
  private let table: SynapseTable<Scalar>
  /// Per sampled synapse, its index in this process's table (nil: another rank holds it).
  private let sample: [Int?]
  private let share: RankShare?
  private let layout: WeightSampleChunk.Layout
  private var timesMs: [Double] = []
  private var weights: [Double] = []
  private var histograms: [UInt64] = []

  /// Where a distributed run's synapses of one projection are: this rank holds, of row `s`, the
  /// whole projection's synapses `globalOffsets[s] + lowerRanks[s] ..< … + (its row length)`
  /// (rows are sorted by target and ranks own ascending target ranges), and `sum` adds up values
  /// over the ranks.
  struct RankShare {
    let globalOffsets: [Int]
    let lowerRanks: [Int]
    let sum: ([Int]) throws -> [Int]
  }

  init(
    recordingIndex: Int, plan: WeightRecording, table: SynapseTable<Scalar>, share: RankShare? = nil,
    bounds: ClosedRange<Double>, unit: String, dtMs: Double, seed: UInt64
  ) throws {
    self.recordingIndex = recordingIndex
    self.table = table
    self.share = share
    intervalSteps = max(1, Int((plan.intervalMs / dtMs).rounded()))
    let offsets = share?.globalOffsets ?? (0...table.sourceCount).map { table.offsets[$0] }
    let count = offsets.last ?? 0
    let k = min(plan.sampleSize ?? count, count)
    let chosen: [Int]
    if k == count {
      chosen = Array(0..<count)
    } else {
      // Floyd's algorithm: k distinct synapse indices, sorted.
      let stream = RandomStream(seed: seed, purpose: "weight-sample/\(plan.projection)")
      var set = Set<Int>()
      for (draw, j) in ((count - k)..<count).enumerated() {
        let r = Int(stream.uniform(UInt64(draw), 0) * Double(j + 1)) % (j + 1)
        set.insert(set.contains(r) ? j : r)
      }
      chosen = set.sorted()
    }
    var sources: [UInt64] = []
    var local: [Int?] = []
    var row = 0
    for g in chosen {
      while offsets[row + 1] <= g { row += 1 }
      sources.append(UInt64(row))
      if let share {
        let position = g - offsets[row] - share.lowerRanks[row]
        let length = table.offsets[row + 1] - table.offsets[row]
        local.append(position >= 0 && position < length ? table.offsets[row] + position : nil)
      } else {
        local.append(g)
      }
    }
    sample = local
    var targets = local.map { $0.map { Int(table.targets[$0]) } ?? 0 }
    if let share { targets = try share.sum(targets) }
    let bins = plan.histogramBins
    let width = (bounds.upperBound - bounds.lowerBound) / Double(bins)
    layout = WeightSampleChunk.Layout(
      sourceIDs: sources, targetIDs: targets.map { UInt64($0) },
      binEdges: (0...bins).map { bounds.lowerBound + Double($0) * width }, unit: unit)
  }

  /// Number of buffered values.
  var bufferedCount: Int { weights.count + histograms.count }

  /// Takes one snapshot at `timeMs` (on every rank at the same steps: the ranks add up theirs).
  func snapshot(timeMs: Double) throws {
    timesMs.append(timeMs)
    let edges = layout.binEdges
    let bins = edges.count - 1
    let lo = edges[0]
    let width = edges[bins] > lo ? (edges[bins] - lo) / Double(bins) : 1
    var counts = [Int](repeating: 0, count: bins)
    for s in 0..<table.count {
      let b = Int(((Double(table.weights[s]) - lo) / width).rounded(.down))
      counts[min(max(b, 0), bins - 1)] += 1
    }
    guard let share else {
      for s in sample { weights.append(Double(table.weights[s!])) }
      histograms += counts.map { UInt64($0) }
      return
    }
    let bits = sample.map { $0.map { Int(Int64(bitPattern: Double(table.weights[$0]).bitPattern)) } ?? 0 }
    let all = try share.sum(bits + counts)
    for b in all[..<sample.count] { weights.append(Double(bitPattern: UInt64(bitPattern: Int64(b)))) }
    histograms += all[sample.count...].map { UInt64($0) }
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
