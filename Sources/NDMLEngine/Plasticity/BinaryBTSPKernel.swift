import Foundation
import NDMLModel

/// CPU kernel of `btsp_binary` (rule, timing and references: `NDMLModel/Plasticity/BinaryBTSP.swift`).
///
/// Per source neuron the step of its last arrival, per target neuron the start of its latest
/// plateau and its coin: at a plateau start the target's incoming synapses (transposed index) are
/// checked against their source's last arrival; an arrival walks its row only while some plateau's
/// after-window is open. No per-synapse state beyond the weight.
final class BinaryBTSPKernel<Scalar: EngineScalar>: PlasticityKernel {
  let table: SynapseTable<Scalar>
  private let parameters: BinaryBTSPParameters
  private let incoming: IncomingSynapses
  private let plateaus: PlateauGenerator
  private let coins: RandomStream
  private let beforeSteps: Int
  private let afterSteps: Int
  private var lastArrival: [Int]
  private var plateauStart: [Int]
  private var setsOn: [Bool]
  /// Start of the most recent plateau of any target (to skip row walks when no window is open).
  private var latestPlateau = Int.min / 2
  private let on: Scalar
  private let off: Scalar
  private let step: Scalar

  init(table: SynapseTable<Scalar>, parameters p: BinaryBTSPParameters, targetSize: Int, dtMs: Double, seed: UInt64) {
    self.table = table
    parameters = p
    incoming = IncomingSynapses(table: table, targetSize: targetSize)
    plateaus = PlateauGenerator(
      schedule: p.plateaus, targetSize: targetSize, dtMs: dtMs, seed: seed, projection: table.projectionName)
    coins = RandomStream(seed: seed, purpose: "btsp-coins/\(table.projectionName)")
    beforeSteps = Int((p.windowBeforeMs / dtMs).rounded())
    afterSteps = Int((p.windowAfterMs / dtMs).rounded())
    lastArrival = Array(repeating: Int.min / 2, count: table.sourceCount)
    plateauStart = Array(repeating: Int.min / 2, count: targetSize)
    setsOn = Array(repeating: false, count: targetSize)
    on = Scalar(p.weightMax)
    off = Scalar(p.weightMin)
    step = Scalar(p.increment ?? 0)
  }

  var indexBytes: Int { incoming.bytes }

  var isClocked: Bool { true }

  @inline(__always)
  private func apply(_ s: Int, target i: Int) {
    switch parameters.update {
    case .setReset: table.weights[s] = setsOn[i] ? on : off
    case .flip: table.weights[s] = table.weights[s] == on ? off : on
    case .increment: table.weights[s] = min(max(table.weights[s] + (setsOn[i] ? step : -step), off), on)
    }
  }

  @_specialize(where Scalar == Double)
  @_specialize(where Scalar == Float)
  func presynapticArrivals(_ indices: UnsafePointer<Int32>, count: Int, step: Int, part: Int) {
    let windowOpen = step - latestPlateau <= afterSteps
    let targets = table.targets
    let offsets = table.offsets
    for k in 0..<count {
      let j = Int(indices[k])
      let previous = lastArrival[j]
      lastArrival[j] = step
      guard windowOpen else { continue }
      for s in offsets[j]..<offsets[j + 1] {
        let i = Int(targets[s])
        let p = plateauStart[i]
        // Inside the after-window, and not already eligible through an earlier arrival.
        if p < step && step - p <= afterSteps && previous < p - beforeSteps { apply(s, target: i) }
      }
    }
  }

  func traceValue(_ trace: Int, neuron: Int, step: Int) -> Double {
    plateaus.isInPlateau(neuron, atStep: step) ? 1 : 0
  }

  func postsynapticSpikes(_ indices: UnsafePointer<Int32>, count: Int, step: Int, part: Int) {}

  func takePlateaus() -> [(step: Int, neuron: Int)] { plateaus.take() }

  /// Starts the plateaus of step `step − 1`; arrivals already registered up to `step` count.
  @_specialize(where Scalar == Double)
  @_specialize(where Scalar == Float)
  func advance(toStep step: Int) {
    let n = step - 1
    plateaus.starts(atStep: n) { i in
      plateauStart[i] = n
      latestPlateau = n
      setsOn[i] = coins.uniform(UInt64(i), UInt64(n)) <= 0.5
      incoming.forEach(of: i, in: table) { j, s in
        let t = lastArrival[j]
        if t >= n - beforeSteps && t <= n + afterSteps { apply(s, target: i) }
      }
    }
  }
}

extension BinaryBTSPKernel {
  func saveState(to archive: inout StateArchiveWriter, step: Int) {
    archive.section("btsp_binary", shape: [table.count, lastArrival.count, plateauStart.count])
    archive.write(table.weights, count: table.count)
    plateaus.save(to: &archive)
    archive.write(lastArrival)
    archive.write(plateauStart)
    archive.write(setsOn.map { UInt8($0 ? 1 : 0) })
    archive.write(latestPlateau)
  }

  func restoreState(from archive: inout StateArchiveReader, step: Int) throws {
    try archive.section("btsp_binary", shape: [table.count, lastArrival.count, plateauStart.count])
    try archive.read(into: table.weights, count: table.count)
    try plateaus.restore(from: &archive)
    lastArrival = try archive.readArray(count: lastArrival.count)
    plateauStart = try archive.readArray(count: plateauStart.count)
    setsOn = (try archive.readArray(count: setsOn.count) as [UInt8]).map { $0 != 0 }
    latestPlateau = try archive.readInt()
  }
}
