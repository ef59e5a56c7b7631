/// The synapses of one projection in compressed sparse rows grouped by source neuron.
///
/// Per synapse: target index (`UInt32`), weight (`Scalar`) only when the weights differ or may
/// change, and a delay in steps (`UInt16`) only when the projection's delays are not all equal.
/// Rows are sorted by target, so delivery order — and therefore every floating-point sum — is
/// fixed by the network, not by how it was built.
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
  /// The weight of every synapse, or (``hasUniformWeight``) the one weight they all share.
  private let weightStorage: UnsafeMutablePointer<Scalar>
  /// Whether one weight stands for all synapses (equal and never changed: see `init`).
  let hasUniformWeight: Bool
  /// Per-synapse delays in steps, or nil when every synapse has `uniformDelaySteps`.
  let delays: UnsafeMutablePointer<UInt16>?
  let uniformDelaySteps: Int
  let maximumDelaySteps: Int

  /// Packs `rows`. With `sharingEqualWeights`, weights that are all equal are stored once — only
  /// for projections whose weights nothing changes or reads per synapse (no plasticity, scaling,
  /// scheduled changes or weight recording).
  init(
    projectionName: String, sourcePopulation: Int, targetPopulation: Int, channel: InputChannel,
    rows: SynapseRows, sharingEqualWeights: Bool = false
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
    let first = rows.weights.first.map { Scalar($0) }
    hasUniformWeight =
      sharingEqualWeights && first != nil
      && rows.weights.allSatisfy { Scalar($0) == first! && Scalar($0).sign == first!.sign }  // ±0 kept apart
    if hasUniformWeight {
      weightStorage = .allocate(capacity: 1)
      weightStorage.initialize(to: first!)
    } else {
      weightStorage = .allocate(capacity: max(count, 1))
      for (i, w) in rows.weights.enumerated() { (weightStorage + i).initialize(to: Scalar(w)) }
    }
    let steps = rows.delaySteps
    let firstDelay = steps.first ?? 1
    if steps.allSatisfy({ $0 == firstDelay }) {
      delays = nil
      uniformDelaySteps = Int(firstDelay)
    } else {
      let d = UnsafeMutablePointer<UInt16>.allocate(capacity: count)
      d.initialize(from: steps, count: count)
      delays = d
      uniformDelaySteps = 0
    }
    maximumDelaySteps = Int(steps.max() ?? firstDelay)
  }

  deinit {
    offsets.deallocate()
    targets.deallocate()
    weightStorage.deallocate()
    delays?.deallocate()
    splits?.deallocate()
  }

  /// The weight of every synapse (the tables of plasticity rules, slow processes, scheduled weight
  /// changes and weight recorders always store one per synapse).
  var weights: UnsafeMutablePointer<Scalar> {
    precondition(!hasUniformWeight, "projection \(projectionName): its synapses share one stored weight")
    return weightStorage
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
      offsets: offsets, targets: targets, weights: weightStorage, hasUniformWeight: hasUniformWeight, delays: delays,
      splits: splits, parts: parts)
  }

  /// Bytes of synapse storage (rows and their split points, targets, weights, per-synapse delays).
  var bytes: Int {
    (sourceCount * parts + 1) * MemoryLayout<Int>.size
      + count
      * (MemoryLayout<UInt32>.size + (hasUniformWeight ? 0 : MemoryLayout<Scalar>.size) + (delays == nil ? 0 : 2))
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
  /// Per synapse, or one shared weight (``hasUniformWeight``).
  let weights: UnsafeMutablePointer<Scalar>
  let hasUniformWeight: Bool
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
