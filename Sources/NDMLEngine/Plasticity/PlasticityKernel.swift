import Foundation
import NDMLModel

/// The engine side of a plasticity rule: one object per plastic projection, called by the
/// simulation loop at the events it needs (all at grid step `step`, after the synapses of the
/// arriving spikes have transmitted, presynaptic arrivals before postsynaptic spikes).
///
/// Threads: a rule that ``supportsThreads`` is called by every thread `part` with the same
/// arrivals, and must then change only synapses whose target lies in that thread's range
/// (`table.row(_:part:)`); postsynaptic spikes come per thread, already restricted to its targets.
/// Per-source state is kept once per part (``prepare(parts:ownParts:)``), so no two threads write the
/// same memory. Other rules run with one thread.
protocol PlasticityKernel<Scalar>: Checkpointable {
  associatedtype Scalar: EngineScalar
  /// The projection's synapses, whose weights the rule changes in place.
  var table: SynapseTable<Scalar> { get }
  /// Bytes of synapse storage the rule adds to the table's own (its transposed index).
  var indexBytes: Int { get }
  /// Whether the rule can be split over threads by target range (see the type's comment).
  var supportsThreads: Bool { get }
  /// Prepares per-thread state for `parts` parts (threads of all ranks; called once, before the
  /// first step), of which this process steps `ownParts` (a checkpoint saves the first one's copy).
  func prepare(parts: Int, ownParts: Range<Int>)
  /// Spikes of the source population arriving at the projection's synapses, as seen by thread
  /// `part`.
  func presynapticArrivals(_ indices: UnsafePointer<Int32>, count: Int, step: Int, part: Int)
  /// Spikes of the target population's neurons owned by thread `part`.
  func postsynapticSpikes(_ indices: UnsafePointer<Int32>, count: Int, step: Int, part: Int)
  /// Whether ``advance(toStep:)`` must be called once per step (rules with their own clock).
  var isClocked: Bool { get }
  /// Advances clocked state to grid step `step` (called after that step's spikes).
  func advance(toStep step: Int)
  /// Plateau starts since the last call, as (step, target neuron) pairs in time order.
  func takePlateaus() -> [(step: Int, neuron: Int)]
  /// Applies pending changes at the end of the run (before the final weight snapshot).
  func finish(atStep step: Int)
  /// Trace `trace` (index into ``PlasticityRule/traces``) of `neuron` at grid step `step`.
  func traceValue(_ trace: Int, neuron: Int, step: Int) -> Double
}

extension PlasticityKernel {
  var supportsThreads: Bool { false }
  func prepare(parts: Int, ownParts: Range<Int>) { precondition(parts == 1 || supportsThreads) }
  var isClocked: Bool { false }
  func advance(toStep step: Int) {}
  func takePlateaus() -> [(step: Int, neuron: Int)] { [] }
  func finish(atStep step: Int) {}
}

/// A plasticity kernel of a known type, unretained: the step loop's way to call it (see
/// ``KernelHandle``).
enum PlasticityHandle<Scalar: EngineScalar> {
  case pairSTDP(Unmanaged<PairSTDPKernel<Scalar>>)
  case tripletSTDP(Unmanaged<TripletSTDPKernel<Scalar>>)
  case bidirectionalBTSP(Unmanaged<BidirectionalBTSPKernel<Scalar>>)
  case binaryBTSP(Unmanaged<BinaryBTSPKernel<Scalar>>)
  case taggingCapture(Unmanaged<TaggingCaptureKernel<Scalar>>)

  init(_ kernel: any PlasticityKernel<Scalar>) {
    switch kernel {
    case let k as PairSTDPKernel<Scalar>: self = .pairSTDP(.passUnretained(k))
    case let k as TripletSTDPKernel<Scalar>: self = .tripletSTDP(.passUnretained(k))
    case let k as BidirectionalBTSPKernel<Scalar>: self = .bidirectionalBTSP(.passUnretained(k))
    case let k as BinaryBTSPKernel<Scalar>: self = .binaryBTSP(.passUnretained(k))
    case let k as TaggingCaptureKernel<Scalar>: self = .taggingCapture(.passUnretained(k))
    default: preconditionFailure("PlasticityHandle has no case for \(type(of: kernel))")
    }
  }

  /// ``PlasticityKernel/presynapticArrivals(_:count:step:part:)``.
  @inline(__always)
  func arrivals(_ indices: UnsafePointer<Int32>, count: Int, step: Int, part: Int) {
    switch self {
    case .pairSTDP(let k):
      k._withUnsafeGuaranteedRef { $0.presynapticArrivals(indices, count: count, step: step, part: part) }
    case .tripletSTDP(let k):
      k._withUnsafeGuaranteedRef { $0.presynapticArrivals(indices, count: count, step: step, part: part) }
    case .bidirectionalBTSP(let k):
      k._withUnsafeGuaranteedRef { $0.presynapticArrivals(indices, count: count, step: step, part: part) }
    case .binaryBTSP(let k):
      k._withUnsafeGuaranteedRef { $0.presynapticArrivals(indices, count: count, step: step, part: part) }
    case .taggingCapture(let k):
      k._withUnsafeGuaranteedRef { $0.presynapticArrivals(indices, count: count, step: step, part: part) }
    }
  }

  /// ``PlasticityKernel/postsynapticSpikes(_:count:step:part:)``.
  @inline(__always)
  func postsynaptic(_ indices: UnsafePointer<Int32>, count: Int, step: Int, part: Int) {
    switch self {
    case .pairSTDP(let k):
      k._withUnsafeGuaranteedRef { $0.postsynapticSpikes(indices, count: count, step: step, part: part) }
    case .tripletSTDP(let k):
      k._withUnsafeGuaranteedRef { $0.postsynapticSpikes(indices, count: count, step: step, part: part) }
    case .bidirectionalBTSP(let k):
      k._withUnsafeGuaranteedRef { $0.postsynapticSpikes(indices, count: count, step: step, part: part) }
    case .binaryBTSP(let k):
      k._withUnsafeGuaranteedRef { $0.postsynapticSpikes(indices, count: count, step: step, part: part) }
    case .taggingCapture(let k):
      k._withUnsafeGuaranteedRef { $0.postsynapticSpikes(indices, count: count, step: step, part: part) }
    }
  }
}

/// Makes the engine kernel of a projection's rule (`timescales` give the clock of a rule with a
/// slow part).
func makePlasticityKernel<Scalar: EngineScalar>(
  _ rule: PlasticityRule, table: SynapseTable<Scalar>, targetSize: Int, dtMs: Double, seed: UInt64,
  timescales: Timescales = Timescales()
) -> any PlasticityKernel<Scalar> {
  switch rule {
  case .pairSTDP(let p): PairSTDPKernel(table: table, parameters: p, targetSize: targetSize, dtMs: dtMs)
  case .tripletSTDP(let p): TripletSTDPKernel(table: table, parameters: p, targetSize: targetSize, dtMs: dtMs)
  case .bidirectionalBTSP(let p):
    BidirectionalBTSPKernel(table: table, parameters: p, targetSize: targetSize, dtMs: dtMs, seed: seed)
  case .binaryBTSP(let p):
    BinaryBTSPKernel(table: table, parameters: p, targetSize: targetSize, dtMs: dtMs, seed: seed)
  case .taggingCapture(let p):
    TaggingCaptureKernel(
      table: table, parameters: p, targetSize: targetSize, dtMs: dtMs,
      clockSteps: p.clock.steps(timescales: timescales, dtMs: dtMs), seed: seed)
  }
}

extension PlasticityRule {
  /// Whether the kernel ``makePlasticityKernel(_:table:targetSize:dtMs:seed:timescales:)`` makes
  /// for the rule ``PlasticityKernel/supportsThreads``, known before it is made.
  var splitsAcrossThreads: Bool {
    switch self {
    case .pairSTDP, .tripletSTDP: true
    case .bidirectionalBTSP, .binaryBTSP, .taggingCapture: false
    }
  }
}

/// Event-driven exponential traces, one per neuron: a value and the step of its last update,
/// decayed in closed form when read (`e^(−Δ·dt/τ)` from a table for the first 16384 steps, `exp`
/// beyond — the same expression, so the table changes no value), so steps without spikes cost
/// nothing. 16 bytes per neuron — value and step side by side, one cache line touched per read —
/// in raw buffers (no copy-on-write checks in the hot loops). The
/// table's 128 KiB reach 1.6 s at dt = 0.1 ms: with 4096 steps, ≈ 8 % of CUBA+STDP's trace reads
/// (neurons at 6 Hz) fell past it and cost an `exp` call each.
final class EventTraces {
  /// Per neuron: the value at its last update, and that update's step.
  private let entries: UnsafeMutablePointer<(value: Double, lastStep: Int)>
  private let decayTable: UnsafeMutablePointer<Double>
  private let stepOverTau: Double
  /// Whether a spike adds 1 to the trace (all-to-all) or sets it to 1 (nearest spike).
  let accumulates: Bool

  /// Number of neurons.
  let count: Int

  init(count: Int, tauMs: Double, dtMs: Double, accumulates: Bool) {
    self.count = count
    entries = .allocate(capacity: max(count, 1))
    entries.initialize(repeating: (0, 0), count: max(count, 1))
    stepOverTau = dtMs / tauMs
    decayTable = .allocate(capacity: Self.tableSteps)
    for k in 0..<Self.tableSteps { (decayTable + k).initialize(to: exp(-Double(k) * stepOverTau)) }
    self.accumulates = accumulates
  }

  deinit {
    entries.deallocate()
    decayTable.deallocate()
  }

  /// Steps for which decay factors are tabulated.
  static var tableSteps: Int { 16384 }

  /// The trace of neuron `i` at grid step `step` (≥ its last update).
  @inline(__always)
  func value(_ i: Int, at step: Int) -> Double {
    let entry = entries[i]
    let steps = step &- entry.lastStep  // both are steps of one run: no overflow
    return entry.value * (steps < Self.tableSteps ? decayTable[steps] : exp(-Double(steps) * stepOverTau))
  }

  /// Appends the traces (values and last update steps of `count` neurons).
  func save(to archive: inout StateArchiveWriter) {
    archive.write((0..<count).map { entries[$0].value })
    archive.write((0..<count).map { entries[$0].lastStep })
  }

  /// Restores what ``save(to:)`` wrote.
  func restore(from archive: inout StateArchiveReader) throws {
    let values: [Double] = try archive.readArray(count: count)
    let steps: [Int] = try archive.readArray(count: count)
    for i in 0..<count { entries[i] = (values[i], steps[i]) }
  }

  /// Registers a spike of neuron `i` at `step`: decays the trace to `step`, then adds 1 or sets 1.
  @inline(__always)
  func spike(_ i: Int, at step: Int) {
    entries[i] = (accumulates ? value(i, at: step) + 1 : 1, step)
  }
}

extension EventTraces {
  /// The copy of per-source traces each part (thread of any rank) uses: `own[k]` for this
  /// process's part `ownParts.lowerBound + k`; other ranks' parts, never stepped here, get `own[0]`.
  static func byPart(_ own: [EventTraces], parts: Int, ownParts: Range<Int>) -> [EventTraces] {
    (0..<parts).map { own[ownParts.contains($0) ? $0 - ownParts.lowerBound : 0] }
  }
}

/// The transposed index of a synapse table: for each target neuron, its incoming synapses in
/// ascending synapse order (hence ascending source), 4 bytes each. The source of an entry is the
/// row holding it, found from a coarse table that gives the row of every `2^shift`-th synapse
/// (`2^shift` ≤ the mean row length, so a lookup scans about one row boundary forward): about
/// 4/2^shift bytes more per synapse — 0.06 B with 64 synapses per row.
final class IncomingSynapses {
  private let offsets: UnsafeMutablePointer<Int>
  private let synapses: UnsafeMutablePointer<UInt32>
  private let rowOfBlock: UnsafeMutablePointer<UInt32>
  private let blockCount: Int
  private let shift: Int

  init<Scalar>(table: SynapseTable<Scalar>, targetSize: Int) {
    var counts = [Int](repeating: 0, count: targetSize + 1)
    for s in 0..<table.count { counts[Int(table.targets[s]) + 1] += 1 }
    for i in 0..<targetSize { counts[i + 1] += counts[i] }
    var fill = Array(counts.dropLast())
    var synapses = [UInt32](repeating: 0, count: table.count)
    for s in 0..<table.count {
      let i = Int(table.targets[s])
      synapses[fill[i]] = UInt32(s)
      fill[i] += 1
    }
    offsets = .allocate(capacity: counts.count)
    offsets.initialize(from: counts, count: counts.count)
    entryCount = table.count
    self.synapses = .allocate(capacity: max(synapses.count, 1))
    self.synapses.initialize(from: synapses, count: synapses.count)
    let meanRow = table.count / max(table.sourceCount, 1)
    var shift = 0
    while 2 << shift <= meanRow { shift += 1 }
    self.shift = shift
    blockCount = (table.count >> shift) + 1
    rowOfBlock = .allocate(capacity: blockCount)
    var row = 0
    for b in 0..<blockCount {
      let s = b << shift
      while row < table.sourceCount - 1 && table.offsets[row + 1] <= s { row += 1 }
      (rowOfBlock + b).initialize(to: UInt32(row))
    }
  }

  deinit {
    offsets.deallocate()
    synapses.deallocate()
    rowOfBlock.deallocate()
  }

  /// Bytes of the index (per-synapse entries and the coarse row table; per-target offsets not
  /// counted).
  var bytes: Int { (entryCount + blockCount) * MemoryLayout<UInt32>.size }
  private let entryCount: Int

  /// Number of incoming synapses of target `i`.
  func count(of i: Int) -> Int { offsets[i + 1] - offsets[i] }

  /// Calls `body(source, synapse)` for every incoming synapse of target `i`, in synapse order.
  @inline(__always)
  func forEach<Scalar>(of i: Int, in table: SynapseTable<Scalar>, _ body: (Int, Int) -> Void) {
    let rows = table.offsets
    for q in offsets[i]..<offsets[i + 1] {
      let s = Int(synapses[q])
      var source = Int(rowOfBlock[s &>> shift])  // shift < 64: a masking shift needs no range checks
      while rows[source + 1] <= s { source &+= 1 }
      body(source, s)
    }
  }
}
