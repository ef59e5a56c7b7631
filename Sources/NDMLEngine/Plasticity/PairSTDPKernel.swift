import Foundation
import NDMLModel

/// CPU kernel of `pair_stdp` (equations, timing and references: `NDMLModel/Plasticity/PairSTDP.swift`).
///
/// Event-driven: traces are one value and one update step per neuron, decayed in closed form when
/// read (`e^(−Δ·dt/τ)` from a table for the first 4096 steps, `exp` beyond), so steps without
/// spikes cost nothing. Presynaptic arrivals walk the source's row (depression); postsynaptic
/// spikes walk the target's incoming synapses through a transposed index (potentiation).
/// Memory: 8 bytes per synapse for the transposed index (synapse and source), plus 16 bytes per
/// neuron and trace.
final class PairSTDPKernel<Scalar: EngineScalar> {
  let table: SynapseTable<Scalar>
  private let parameters: PairSTDPParameters
  private let span: Double
  private let dtMs: Double
  private var preTrace: [Double]
  private var preLast: [Int]
  private var postTrace: [Double]
  private var postLast: [Int]
  private let decayPlus: [Double]
  private let decayMinus: [Double]
  private let incomingOffsets: [Int]
  private let incomingSynapse: [UInt32]
  private let incomingSource: [UInt32]

  init(table: SynapseTable<Scalar>, parameters p: PairSTDPParameters, targetSize: Int, dtMs: Double) {
    self.table = table
    parameters = p
    span = p.weightMax - p.weightMin
    self.dtMs = dtMs
    preTrace = Array(repeating: 0, count: table.sourceCount)
    preLast = Array(repeating: 0, count: table.sourceCount)
    postTrace = Array(repeating: 0, count: targetSize)
    postLast = Array(repeating: 0, count: targetSize)
    decayPlus = (0..<Self.tableSteps).map { exp(-Double($0) * dtMs / p.tauPlusMs) }
    decayMinus = (0..<Self.tableSteps).map { exp(-Double($0) * dtMs / p.tauMinusMs) }
    // Transposed index: incoming synapses of each target, in (source, row) order.
    var counts = [Int](repeating: 0, count: targetSize + 1)
    for s in 0..<table.count { counts[Int(table.targets[s]) + 1] += 1 }
    for i in 0..<targetSize { counts[i + 1] += counts[i] }
    var fill = Array(counts.dropLast())
    var synapse = [UInt32](repeating: 0, count: table.count)
    var source = [UInt32](repeating: 0, count: table.count)
    for j in 0..<table.sourceCount {
      for s in table.offsets[j]..<table.offsets[j + 1] {
        let i = Int(table.targets[s])
        synapse[fill[i]] = UInt32(s)
        source[fill[i]] = UInt32(j)
        fill[i] += 1
      }
    }
    incomingOffsets = counts
    incomingSynapse = synapse
    incomingSource = source
  }

  /// Steps for which decay factors are tabulated.
  static var tableSteps: Int { 4096 }

  /// Bytes of the rule's per-synapse storage (the transposed index).
  var bytesPerSynapse: Int { 2 * MemoryLayout<UInt32>.size }

  @inline(__always)
  private func decay(_ steps: Int, _ table: [Double], tauMs: Double) -> Double {
    steps < Self.tableSteps ? table[steps] : exp(-Double(steps) * dtMs / tauMs)
  }

  @inline(__always)
  private func clipped(_ w: Double) -> Double { min(max(w, parameters.weightMin), parameters.weightMax) }

  /// Depression of every synapse of the arriving spikes' rows, then the presynaptic traces; the
  /// spikes arrive at grid step `step` (after the synapses have transmitted).
  func presynapticArrivals(_ indices: UnsafePointer<Int32>, count: Int, step: Int) {
    let weights = table.weights
    let targets = table.targets
    let offsets = table.offsets
    let amplitude = parameters.aMinus * span
    let mu = parameters.mu
    for k in 0..<count {
      let j = Int(indices[k])
      for s in offsets[j]..<offsets[j + 1] {
        let i = Int(targets[s])
        let y = postTrace[i] * decay(step - postLast[i], decayMinus, tauMs: parameters.tauMinusMs)
        guard y > 0 else { continue }
        let w = Double(weights[s])
        let dependence = mu == 0 ? 1 : pow(max((w - parameters.weightMin) / span, 0), mu)
        weights[s] = Scalar(clipped(w - amplitude * dependence * y))
      }
      let x = preTrace[j] * decay(step - preLast[j], decayPlus, tauMs: parameters.tauPlusMs)
      preTrace[j] = parameters.pairing == .allToAll ? x + 1 : 1
      preLast[j] = step
    }
  }

  /// Potentiation of every incoming synapse of the spiking target neurons, then their
  /// postsynaptic traces; the spikes happen at grid step `step`.
  func postsynapticSpikes(_ indices: UnsafePointer<Int32>, count: Int, step: Int) {
    let weights = table.weights
    let amplitude = parameters.aPlus * span
    let mu = parameters.mu
    for k in 0..<count {
      let i = Int(indices[k])
      for q in incomingOffsets[i]..<incomingOffsets[i + 1] {
        let j = Int(incomingSource[q])
        let x = preTrace[j] * decay(step - preLast[j], decayPlus, tauMs: parameters.tauPlusMs)
        guard x > 0 else { continue }
        let s = Int(incomingSynapse[q])
        let w = Double(weights[s])
        let dependence = mu == 0 ? 1 : pow(max((parameters.weightMax - w) / span, 0), mu)
        weights[s] = Scalar(clipped(w + amplitude * dependence * x))
      }
      let y = postTrace[i] * decay(step - postLast[i], decayMinus, tauMs: parameters.tauMinusMs)
      postTrace[i] = parameters.pairing == .allToAll ? y + 1 : 1
      postLast[i] = step
    }
  }
}
