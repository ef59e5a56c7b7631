import Foundation
import NDMLModel

/// CPU kernel of `pair_stdp` (equations, timing and references: `NDMLModel/Plasticity/PairSTDP.swift`).
///
/// Event-driven: one trace per neuron (``EventTraces``), so steps without spikes cost nothing.
/// Presynaptic arrivals walk the source's row (depression); postsynaptic spikes walk the target's
/// incoming synapses through a transposed index (potentiation). Memory: about 4 bytes per synapse for
/// the transposed index, plus 16 bytes per neuron and trace.
final class PairSTDPKernel<Scalar: EngineScalar>: PlasticityKernel {
  let table: SynapseTable<Scalar>
  private let parameters: PairSTDPParameters
  private let span: Double
  /// Presynaptic traces, one copy per thread of this process (each thread sees every arrival);
  /// the first is read and saved.
  private var pre: [EventTraces]
  /// The copy of each part (thread of any rank), unretained, for the step: taking a copy out of
  /// `pre` retained it on every call. Other ranks' parts, never stepped here, share the first copy.
  private var preHandles: [Unmanaged<EventTraces>] = []
  private let post: EventTraces
  private let dtMs: Double
  private let incoming: IncomingSynapses

  init(table: SynapseTable<Scalar>, parameters p: PairSTDPParameters, targetSize: Int, dtMs: Double) {
    self.table = table
    parameters = p
    span = p.weightMax - p.weightMin
    let accumulates = p.pairing == .allToAll
    self.dtMs = dtMs
    pre = [EventTraces(count: table.sourceCount, tauMs: p.tauPlusMs, dtMs: dtMs, accumulates: accumulates)]
    preHandles = pre.map { .passUnretained($0) }
    post = EventTraces(count: targetSize, tauMs: p.tauMinusMs, dtMs: dtMs, accumulates: accumulates)
    incoming = IncomingSynapses(table: table, targetSize: targetSize)
  }

  var indexBytes: Int { incoming.bytes }

  var supportsThreads: Bool { true }

  func prepare(parts: Int, ownParts: Range<Int>) {
    pre = ownParts.map { _ in
      EventTraces(
        count: table.sourceCount, tauMs: parameters.tauPlusMs, dtMs: dtMs, accumulates: parameters.pairing == .allToAll)
    }
    preHandles = EventTraces.byPart(pre, parts: parts, ownParts: ownParts).map { .passUnretained($0) }
  }

  @inline(__always)
  private func clipped(_ w: Double) -> Double { min(max(w, parameters.weightMin), parameters.weightMax) }

  @_specialize(where Scalar == Double)
  @_specialize(where Scalar == Float)
  func presynapticArrivals(_ indices: UnsafePointer<Int32>, count: Int, step: Int, part: Int) {
    let weights = table.weights
    let targets = table.targets
    preHandles[part]._withUnsafeGuaranteedRef { pre in
      let amplitude = parameters.aMinus * span
      let mu = parameters.muMinus
      for k in 0..<count {
        let j = Int(indices[k])
        for s in table.row(j, part: part) {
          let y = post.value(Int(targets[s]), at: step)
          guard y > 0 else { continue }
          let w = Double(weights[s])
          let dependence = mu == 0 ? 1 : pow(max((w - parameters.weightMin) / span, 0), mu)
          weights[s] = Scalar(clipped(w - amplitude * dependence * y))
        }
        pre.spike(j, at: step)
      }
    }
  }

  func traceValue(_ trace: Int, neuron: Int, step: Int) -> Double {
    trace == 0 ? pre[0].value(neuron, at: step) : post.value(neuron, at: step)
  }

  @_specialize(where Scalar == Double)
  @_specialize(where Scalar == Float)
  func postsynapticSpikes(_ indices: UnsafePointer<Int32>, count: Int, step: Int, part: Int) {
    let weights = table.weights
    preHandles[part]._withUnsafeGuaranteedRef { pre in
      let amplitude = parameters.aPlus * span
      let mu = parameters.muPlus
      for k in 0..<count {
        let i = Int(indices[k])
        incoming.forEach(of: i, in: table) { j, s in
          let x = pre.value(j, at: step)
          guard x > 0 else { return }
          let w = Double(weights[s])
          let dependence = mu == 0 ? 1 : pow(max((parameters.weightMax - w) / span, 0), mu)
          weights[s] = Scalar(clipped(w + amplitude * dependence * x))
        }
        post.spike(i, at: step)
      }
    }
  }
}

extension PairSTDPKernel {
  func saveState(to archive: inout StateArchiveWriter, step: Int) {
    archive.section("pair_stdp", shape: [table.count, table.sourceCount, post.count])
    archive.write(table.weights, count: table.count)
    pre[0].save(to: &archive)  // every thread's copy is the same (each sees every arrival)
    post.save(to: &archive)
  }

  func restoreState(from archive: inout StateArchiveReader, step: Int) throws {
    try archive.section("pair_stdp", shape: [table.count, table.sourceCount, post.count])
    try archive.read(into: table.weights, count: table.count)
    let position = archive
    for copy in pre {
      archive = position
      try copy.restore(from: &archive)
    }
    try post.restore(from: &archive)
  }
}
