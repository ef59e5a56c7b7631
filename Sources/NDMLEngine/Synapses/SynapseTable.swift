/// The synapses of one projection in compressed sparse rows grouped by source neuron.
///
/// Per synapse: target index (`UInt32`), weight (`Scalar`), and a delay in steps (`UInt16`) only
/// when the projection's delays are not all equal. Rows are sorted by target, so delivery order —
/// and therefore every floating-point sum — is fixed by the network, not by how it was built.
final class SynapseTable<Scalar: EngineScalar> {
  let projectionName: String
  let sourcePopulation: Int
  let targetPopulation: Int
  let receptor: ReceptorIndex
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
    projectionName: String, sourcePopulation: Int, targetPopulation: Int, receptor: ReceptorIndex,
    rows: SynapseRows
  ) {
    self.projectionName = projectionName
    self.sourcePopulation = sourcePopulation
    self.targetPopulation = targetPopulation
    self.receptor = receptor
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
  }

  /// Bytes of synapse storage (rows, targets, weights, per-synapse delays).
  var bytes: Int {
    (sourceCount + 1) * MemoryLayout<Int>.size
      + count * (MemoryLayout<UInt32>.size + MemoryLayout<Scalar>.size + (delays == nil ? 0 : 2))
  }

  /// Bytes one synapse of a projection costs in this precision, with or without per-synapse delays.
  static func bytesPerSynapse(perSynapseDelays: Bool) -> Int {
    MemoryLayout<UInt32>.size + MemoryLayout<Scalar>.size + (perSynapseDelays ? 2 : 0)
  }
}

/// Excitatory or inhibitory input slot of a target population.
enum ReceptorIndex: Int {
  case excitatory = 0
  case inhibitory = 1
}

/// Synapses as built, before they are packed: CSR rows by source, parallel arrays.
struct SynapseRows {
  var offsets: [Int]
  var targets: [UInt32] = []
  var weights: [Double] = []
  var delaySteps: [UInt16] = []
}
