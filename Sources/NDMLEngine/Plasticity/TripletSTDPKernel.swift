import Foundation
import NDMLModel

/// CPU kernel of `triplet_stdp` (equations, timing and references:
/// `NDMLModel/Plasticity/TripletSTDP.swift`).
///
/// Event-driven like ``PairSTDPKernel``: two traces per presynaptic and two per postsynaptic
/// neuron, decayed in closed form when read; the slow trace of the spiking side is read before its
/// own increment (the paper's `t − ε`). Memory: 4 bytes per synapse (transposed index), 64 bytes
/// per neuron.
final class TripletSTDPKernel<Scalar: EngineScalar>: PlasticityKernel {
  let table: SynapseTable<Scalar>
  private let parameters: TripletSTDPParameters
  private let span: Double
  /// Presynaptic traces r₁, r₂, one copy per thread of this process (each sees every arrival);
  /// the first is read and saved.
  private var r1: [EventTraces]
  private var r2: [EventTraces]
  /// The copies each part (thread of any rank) uses in the step (``EventTraces/byPart(_:parts:ownParts:)``).
  private var r1ByPart: [EventTraces]
  private var r2ByPart: [EventTraces]
  private let dtMs: Double
  private let o1: EventTraces
  private let o2: EventTraces
  private let incoming: IncomingSynapses

  init(table: SynapseTable<Scalar>, parameters p: TripletSTDPParameters, targetSize: Int, dtMs: Double) {
    self.table = table
    parameters = p
    span = p.amplitudeScale
    let accumulates = p.pairing == .allToAll
    self.dtMs = dtMs
    r1 = [EventTraces(count: table.sourceCount, tauMs: p.tauPlusMs, dtMs: dtMs, accumulates: accumulates)]
    r2 = [EventTraces(count: table.sourceCount, tauMs: p.tauXMs, dtMs: dtMs, accumulates: accumulates)]
    (r1ByPart, r2ByPart) = (r1, r2)
    o1 = EventTraces(count: targetSize, tauMs: p.tauMinusMs, dtMs: dtMs, accumulates: accumulates)
    o2 = EventTraces(count: targetSize, tauMs: p.tauYMs, dtMs: dtMs, accumulates: accumulates)
    incoming = IncomingSynapses(table: table, targetSize: targetSize)
  }

  var indexBytes: Int { incoming.bytes }

  var supportsThreads: Bool { true }

  func prepare(parts: Int, ownParts: Range<Int>) {
    let accumulates = parameters.pairing == .allToAll
    let count = table.sourceCount
    r1 = ownParts.map { _ in
      EventTraces(count: count, tauMs: parameters.tauPlusMs, dtMs: dtMs, accumulates: accumulates)
    }
    r2 = ownParts.map { _ in
      EventTraces(count: count, tauMs: parameters.tauXMs, dtMs: dtMs, accumulates: accumulates)
    }
    r1ByPart = EventTraces.byPart(r1, parts: parts, ownParts: ownParts)
    r2ByPart = EventTraces.byPart(r2, parts: parts, ownParts: ownParts)
  }

  @inline(__always)
  private func clipped(_ w: Double) -> Double { min(max(w, parameters.weightMin), parameters.weightMax) }

  @_specialize(where Scalar == Double)
  @_specialize(where Scalar == Float)
  func presynapticArrivals(_ indices: UnsafePointer<Int32>, count: Int, step: Int, part: Int) {
    let weights = table.weights
    let targets = table.targets
    let r1 = r1ByPart[part]
    let r2 = r2ByPart[part]
    for k in 0..<count {
      let j = Int(indices[k])
      // Depression factor of this presynaptic spike, with r₂ read before its increment.
      let factor = span * (parameters.a2Minus + parameters.a3Minus * r2.value(j, at: step))
      for s in table.row(j, part: part) {
        let y = o1.value(Int(targets[s]), at: step)
        guard y > 0 else { continue }
        weights[s] = Scalar(clipped(Double(weights[s]) - factor * y))
      }
      r1.spike(j, at: step)
      r2.spike(j, at: step)
    }
  }

  func traceValue(_ trace: Int, neuron: Int, step: Int) -> Double {
    [r1[0], r2[0], o1, o2][trace].value(neuron, at: step)
  }

  @_specialize(where Scalar == Double)
  @_specialize(where Scalar == Float)
  func postsynapticSpikes(_ indices: UnsafePointer<Int32>, count: Int, step: Int, part: Int) {
    let weights = table.weights
    let r1 = r1ByPart[part]
    for k in 0..<count {
      let i = Int(indices[k])
      // Potentiation factor of this postsynaptic spike, with o₂ read before its increment.
      let factor = span * (parameters.a2Plus + parameters.a3Plus * o2.value(i, at: step))
      incoming.forEach(of: i, in: table) { j, s in
        let x = r1.value(j, at: step)
        guard x > 0 else { return }
        weights[s] = Scalar(clipped(Double(weights[s]) + factor * x))
      }
      o1.spike(i, at: step)
      o2.spike(i, at: step)
    }
  }
}

extension TripletSTDPKernel {
  func saveState(to archive: inout StateArchiveWriter, step: Int) {
    archive.section("triplet_stdp", shape: [table.count, table.sourceCount, o1.count])
    archive.write(table.weights, count: table.count)
    r1[0].save(to: &archive)  // every thread's copy is the same (each sees every arrival)
    r2[0].save(to: &archive)
    o1.save(to: &archive)
    o2.save(to: &archive)
  }

  func restoreState(from archive: inout StateArchiveReader, step: Int) throws {
    try archive.section("triplet_stdp", shape: [table.count, table.sourceCount, o1.count])
    try archive.read(into: table.weights, count: table.count)
    let position = archive
    for (a, b) in zip(r1, r2) {
      archive = position
      try a.restore(from: &archive)
      try b.restore(from: &archive)
    }
    try o1.restore(from: &archive)
    try o2.restore(from: &archive)
  }
}
