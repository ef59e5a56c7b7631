import CNDMLThreads

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
  /// scheduled changes or weight recording). `delayShape` is how the delays are stored: that of
  /// `rows` by default, or the whole projection's when `rows` hold one rank's part of it.
  init(
    projectionName: String, sourcePopulation: Int, targetPopulation: Int, channel: InputChannel,
    rows: SynapseRows, sharingEqualWeights: Bool = false, delayShape: DelayShape? = nil
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
    let shape = delayShape ?? DelayShape(steps)
    if let uniform = shape.uniformSteps {
      assert(steps.allSatisfy { Int($0) == uniform })
      delays = nil
      uniformDelaySteps = uniform
    } else {
      let d = UnsafeMutablePointer<UInt16>.allocate(capacity: max(count, 1))
      d.initialize(from: steps, count: count)
      delays = d
      uniformDelaySteps = 0
    }
    maximumDelaySteps = shape.maximumSteps
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

  /// Number of target ranges the rows are split into that this table walks
  /// (``partition(targetBounds:walking:)``).
  private(set) var parts = 1
  /// The first of them.
  private(set) var firstPart = 0
  /// Per row, the `parts − 1` interior split points: the first synapse whose target is at or
  /// above each interior bound between the walked ranges (rows are sorted by target).
  private var splits: UnsafeMutablePointer<Int>?

  /// Splits every row by target ranges `[b_k, b_{k+1})` (`bounds` = b_0 … b_n, ascending,
  /// b_0 = 0), so that the thread owning targets of range `k` walks only its synapses of a row.
  /// Only the ranges `walked` (all by default) are walked: a rank's, whose table holds only the
  /// synapses onto them, so it keeps no split points for the other ranks' ranges.
  func partition(targetBounds bounds: [Int], walking walked: Range<Int>? = nil) {
    splits?.deallocate()
    splits = nil
    let walked = walked ?? 0..<bounds.count - 1
    firstPart = walked.lowerBound
    parts = walked.count
    guard parts > 1 else { return }
    let interior = Array(bounds[walked.lowerBound + 1..<walked.upperBound])
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

  /// The synapses of row `s` whose targets lie in range `part`, one of the walked ranges (all of
  /// the row when only one is walked).
  @inline(__always)
  func row(_ s: Int, part: Int) -> Range<Int> { view.row(s, part: part) }

  /// The rows as raw pointers in a value, for the step loop (see ``SpikeHistory``).
  var view: SynapseRowsView<Scalar> {
    SynapseRowsView(
      offsets: offsets, targets: targets, weights: weightStorage, hasUniformWeight: hasUniformWeight, delays: delays,
      splits: splits, parts: parts, firstPart: firstPart)
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

/// How a projection's delays are stored: one for all synapses, or one per synapse; and the longest.
struct DelayShape: Equatable {
  /// The delay in steps every synapse has, or nil when they differ (stored per synapse).
  var uniformSteps: Int?
  /// The longest delay in steps.
  var maximumSteps: Int

  /// The shape of `steps` (an empty projection counts as one of uniform delay 1).
  init(_ steps: [UInt16]) {
    let lo = Int(steps.min() ?? 1)
    let hi = Int(steps.max() ?? 1)
    uniformSteps = lo == hi ? lo : nil
    maximumSteps = hi
  }

  /// The shape of the union of parts with (fewest, most) delay steps `bounds` (nil: an empty part).
  init(unionOf bounds: [(Int, Int)?]) {
    let parts = bounds.compactMap { $0 }
    let lo = parts.map(\.0).min() ?? 1
    let hi = parts.map(\.1).max() ?? 1
    uniformSteps = lo == hi ? lo : nil
    maximumSteps = hi
  }
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
  /// The walked ranges: `parts` from `firstPart` (see ``SynapseTable/partition(targetBounds:walking:)``).
  let parts: Int
  let firstPart: Int

  /// The synapses of row `s` whose targets lie in range `part`, one of the walked ranges (all of
  /// the row when only one is walked).
  @inline(__always)
  func row(_ s: Int, part: Int) -> Range<Int> {
    guard let splits else { return offsets[s]..<offsets[s + 1] }
    let k = part - firstPart
    let base = s * (parts - 1)
    let lower = k == 0 ? offsets[s] : splits[base + k - 1]
    let upper = k == parts - 1 ? offsets[s + 1] : splits[base + k]
    return lower..<upper
  }

  /// Asks the CPU to fetch the first two cache lines of the targets of these sources' rows of
  /// thread `part`, without waiting for them (their offsets are read: this waits for those).
  @inline(__always)
  func prefetch(indices: UnsafePointer<Int32>, count: Int, part: Int) {
    for k in 0..<count {
      let row = row(Int(indices[k]), part: part)
      guard !row.isEmpty else { continue }
      ndml_prefetch(targets + row.lowerBound)
      if row.count > 16 { ndml_prefetch(targets + row.lowerBound + 16) }
      if !hasUniformWeight { ndml_prefetch(weights + row.lowerBound) }
    }
  }
}
