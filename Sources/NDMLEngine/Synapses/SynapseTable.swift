/// The synapses of one projection in compressed sparse rows grouped by source neuron.
///
/// Per synapse: target index (`UInt32`), weight (`Scalar`), and a delay in steps (`UInt16`) only
/// when the projection's delays are not all equal. Rows are sorted by target, so delivery order —
/// and therefore every floating-point sum — is fixed by the network, not by how it was built.
final class SynapseTable<Scalar: EngineScalar> {
  let projectionName: String
  let sourcePopulation: Int
  let targetPopulation: Int
  /// The target's input channel the weights add to.
  let channel: InputChannel
  let sourceCount: Int
  let count: Int
  /// Row start of each source neuron, `sourceCount + 1` entries.
  let offsets: UnsafeMutablePointer<Int>
  let targets: UnsafeMutablePointer<UInt32>
  let weights: UnsafeMutablePointer<Scalar>
  /// Per-synapse delays in steps, or nil when every synapse has `uniformDelaySteps`.
  let delays: UnsafeMutablePointer<UInt16>?
  let uniformDelaySteps: Int
  let maximumDelaySteps: Int

  init(
    projectionName: String, sourcePopulation: Int, targetPopulation: Int, channel: InputChannel,
    rows: SynapseRows
  ) {
    self.projectionName = projectionName
    self.sourcePopulation = sourcePopulation
    self.targetPopulation = targetPopulation
    self.channel = channel
    sourceCount = rows.offsets.count - 1
    count = rows.targets.count
    offsets = .allocate(capacity: rows.offsets.count)
    offsets.initialize(from: rows.offsets, count: rows.offsets.count)
    targets = .allocate(capacity: max(count, 1))
    targets.initialize(from: rows.targets, count: count)
    weights = .allocate(capacity: max(count, 1))
    for (i, w) in rows.weights.enumerated() { (weights + i).initialize(to: Scalar(w)) }
    let steps = rows.delaySteps
    let first = steps.first ?? 1
    if steps.allSatisfy({ $0 == first }) {
      delays = nil
      uniformDelaySteps = Int(first)
    } else {
      let d = UnsafeMutablePointer<UInt16>.allocate(capacity: count)
      d.initialize(from: steps, count: count)
      delays = d
      uniformDelaySteps = 0
    }
    maximumDelaySteps = Int(steps.max() ?? first)
  }

  deinit {
    offsets.deallocate()
    targets.deallocate()
    weights.deallocate()
    delays?.deallocate()
    splits?.deallocate()
  }

  /// Number of target ranges the rows are split into (``partition(targetBounds:)``).
  private(set) var parts = 1
  /// Per row, the `parts − 1` interior split points: the first synapse whose target is at or
  /// above each interior bound (rows are sorted by target).
  private var splits: UnsafeMutablePointer<Int>?

  /// Splits every row by target ranges `[b_k, b_{k+1})` (`bounds` = b_0 … b_parts, ascending,
  /// b_0 = 0), so that the thread owning targets of range `k` walks only its synapses of a row.
  func partition(targetBounds bounds: [Int]) {
    splits?.deallocate()
    splits = nil
    parts = bounds.count - 1
    guard parts > 1 else { return }
    let interior = Array(bounds.dropFirst().dropLast())
    let split = UnsafeMutablePointer<Int>.allocate(capacity: sourceCount * interior.count)
    for s in 0..<sourceCount {
      var j = offsets[s]
      for (k, bound) in interior.enumerated() {
        while j < offsets[s + 1] && Int(targets[j]) < bound { j += 1 }
        (split + s * interior.count + k).initialize(to: j)
      }
      precondition(
        (offsets[s]..<offsets[s + 1]).dropFirst().allSatisfy { targets[$0 - 1] <= targets[$0] },
        "rows must be sorted by target")
    }
    splits = split
  }

  /// The synapses of row `s` whose targets lie in range `part` (all of the row for one part).
  @inline(__always)
  func row(_ s: Int, part: Int) -> Range<Int> { view.row(s, part: part) }

  /// The rows as raw pointers in a value, for the step loop (see ``SpikeHistory``).
  var view: SynapseRowsView<Scalar> {
    SynapseRowsView(
      offsets: offsets, targets: targets, weights: weights, delays: delays, splits: splits, parts: parts)
  }

  /// Bytes of synapse storage (rows and their split points, targets, weights, per-synapse delays).
  var bytes: Int {
    (sourceCount * parts + 1) * MemoryLayout<Int>.size
      + count * (MemoryLayout<UInt32>.size + MemoryLayout<Scalar>.size + (delays == nil ? 0 : 2))
  }

  /// Bytes one synapse of a projection costs in this precision, with or without per-synapse delays.
  static func bytesPerSynapse(perSynapseDelays: Bool) -> Int {
    MemoryLayout<UInt32>.size + MemoryLayout<Scalar>.size + (perSynapseDelays ? 2 : 0)
  }
}

/// An input slot of a target population: a receptor of the float LIF models (excitatory 0,
/// inhibitory 1), or one incoming projection of `loihi_cuba` (config order).
struct InputChannel: Hashable {
  let rawValue: Int
  static let excitatory = InputChannel(rawValue: 0)
  static let inhibitory = InputChannel(rawValue: 1)
}

/// Synapses as built, before they are packed: CSR rows by source, parallel arrays.
struct SynapseRows {
  var offsets: [Int]
  var targets: [UInt32] = []
  var weights: [Double] = []
  var delaySteps: [UInt16] = []
}

/// A ``SynapseTable``'s arrays as raw pointers in a value (the step loop's view of it).
struct SynapseRowsView<Scalar: EngineScalar> {
  let offsets: UnsafeMutablePointer<Int>
  let targets: UnsafeMutablePointer<UInt32>
  let weights: UnsafeMutablePointer<Scalar>
  let delays: UnsafeMutablePointer<UInt16>?
  let splits: UnsafeMutablePointer<Int>?
  let parts: Int

  /// The synapses of row `s` whose targets lie in range `part` (all of the row for one part).
  @inline(__always)
  func row(_ s: Int, part: Int) -> Range<Int> {
    guard let splits else { return offsets[s]..<offsets[s + 1] }
    let base = s * (parts - 1)
    let lower = part == 0 ? offsets[s] : splits[base + part - 1]
    let upper = part == parts - 1 ? offsets[s + 1] : splits[base + part]
    return lower..<upper
  }
}
