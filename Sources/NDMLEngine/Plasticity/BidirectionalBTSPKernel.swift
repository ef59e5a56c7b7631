import Foundation
import NDMLModel

/// CPU kernel of `btsp_milstein` (equations, numerics and references:
/// `NDMLModel/Plasticity/BidirectionalBTSP.swift`).
///
/// Eligibility traces are event-driven per presynaptic neuron (``EventTraces``, read on the weight
/// clock). Plateaus and instructive signals are per target neuron and advanced every step, but
/// only for the neurons in a plateau or with a signal above the cut-off; weights are updated on the
/// weight clock for those neurons' incoming synapses (transposed index, 4 bytes per synapse).
final class BidirectionalBTSPKernel<Scalar: EngineScalar>: PlasticityKernel {
  let table: SynapseTable<Scalar>
  private let parameters: BidirectionalBTSPParameters
  private let span: Double
  private let eligibility: EventTraces
  /// Multiplies the eligibility trace's spike count to give ET (1/(τ_ET·r_ET)).
  private let eligibilityScale: Double
  private let incoming: IncomingSynapses
  private let dtMs: Double
  /// Instructive signal per target (unnormalised).
  private var instructive: [Double]
  private let plateaus: PlateauGenerator
  /// Targets with a plateau in progress or a signal above the cut-off, ascending.
  private var active: [Int] = []
  private var isActive: [Bool]
  private let instructiveDecay: Double
  private let instructiveNormalisation: Double
  private let clockSteps: Int
  /// Per active target in episode mode: ∫q₊ dt and ∫q₋ dt (s) per incoming synapse, in the
  /// order of the transposed index.
  private var episodeIntegrals: [Int: (plus: [Double], minus: [Double])] = [:]

  /// Instructive signals below this (normalised) are treated as zero.
  static var cutoff: Double { 1e-6 }

  init(
    table: SynapseTable<Scalar>, parameters p: BidirectionalBTSPParameters, targetSize: Int, dtMs: Double, seed: UInt64
  ) {
    self.table = table
    parameters = p
    span = p.weightMax - p.weightMin
    self.dtMs = dtMs
    eligibility = EventTraces(count: table.sourceCount, tauMs: p.tauEligibilityMs, dtMs: dtMs, accumulates: true)
    eligibilityScale = 1000 / (p.tauEligibilityMs * p.eligibilityRateHz)
    incoming = IncomingSynapses(table: table, targetSize: targetSize)
    instructive = Array(repeating: 0, count: targetSize)
    isActive = Array(repeating: false, count: targetSize)
    instructiveDecay = exp(-dtMs / p.tauInstructiveMs)
    plateaus = PlateauGenerator(
      schedule: p.plateaus, targetSize: targetSize, dtMs: dtMs, seed: seed, projection: table.projectionName)
    instructiveNormalisation = 1 / -expm1(-Double(plateaus.durationSteps) * dtMs / p.tauInstructiveMs)
    clockSteps = max(1, Int((p.updateIntervalMs / dtMs).rounded()))
  }

  var indexBytes: Int { incoming.bytes }

  var isClocked: Bool { true }

  func presynapticArrivals(_ indices: UnsafePointer<Int32>, count: Int, step: Int, part: Int) {
    for k in 0..<count { eligibility.spike(Int(indices[k]), at: step) }
  }

  func traceValue(_ trace: Int, neuron: Int, step: Int) -> Double {
    trace == 0
      ? eligibility.value(neuron, at: step) * eligibilityScale : instructive[neuron] * instructiveNormalisation
  }

  func postsynapticSpikes(_ indices: UnsafePointer<Int32>, count: Int, step: Int, part: Int) {}

  func takePlateaus() -> [(step: Int, neuron: Int)] { plateaus.take() }

  private func startPlateau(_ i: Int) {
    if parameters.integration == .episode {
      closeEpisode(of: i)
      let n = incoming.count(of: i)
      episodeIntegrals[i] = (Array(repeating: 0, count: n), Array(repeating: 0, count: n))
    }
    if !isActive[i] {
      isActive[i] = true
      active.append(i)
      active.sort()
    }
  }

  /// Step `step` − 1 → `step`: plateaus starting at `step − 1` drive the signal over
  /// [t_{step−1}, t_step); weights are updated when `step` is on the weight clock.
  @_specialize(where Scalar == Double)
  @_specialize(where Scalar == Float)
  func advance(toStep step: Int) {
    let n = step - 1
    plateaus.starts(atStep: n) { startPlateau($0) }
    guard !active.isEmpty else { return }
    var dropped = false
    for i in active {
      let drive = plateaus.isInPlateau(i, atStep: n) ? 1.0 : 0.0
      instructive[i] = drive + (instructive[i] - drive) * instructiveDecay
      if drive == 0 && instructive[i] * instructiveNormalisation < Self.cutoff {
        instructive[i] = 0
        isActive[i] = false
        dropped = true
      }
    }
    if step % clockSteps == 0 { updateWeights(at: step) }
    if dropped {
      for i in active where !isActive[i] { closeEpisode(of: i) }
      active.removeAll { !isActive[$0] }
    }
  }

  /// Applies the open episodes (the run ends).
  func finish(atStep step: Int) {
    for i in active { closeEpisode(of: i) }
  }

  /// Episode mode: applies `Δw = k₊(1 − w)∫q₊ − k₋w∫q₋` with w frozen at the episode start, then clips
  /// to [0, 1] (the authors' per-induction update).
  private func closeEpisode(of i: Int) {
    guard let integrals = episodeIntegrals.removeValue(forKey: i) else { return }
    let p = parameters
    let weights = table.weights
    var q = 0
    incoming.forEach(of: i, in: table) { _, s in
      let w = (Double(weights[s]) - p.weightMin) / span
      let next = w + p.kPlusPerS * (1 - w) * integrals.plus[q] - p.kMinusPerS * w * integrals.minus[q]
      weights[s] = Scalar(p.weightMin + span * min(max(next, 0), 1))
      q += 1
    }
  }

  /// One clock tick, covering the interval centred on `step` (half an interval at the start of the
  /// run): episode mode adds q₊ and q₋ times the interval to the episode's integrals; continuous
  /// mode solves `dw/dt = k₊q₊(x)(1 − w) − k₋q₋(x)w` exactly over the interval with x held.
  private func updateWeights(at step: Int) {
    let p = parameters
    let intervalS = Double(step < clockSteps ? clockSteps / 2 : clockSteps) * dtMs / 1000
    let weights = table.weights
    for i in active where isActive[i] {
      let signal = instructive[i] * instructiveNormalisation
      if p.integration == .episode {
        guard var integrals = episodeIntegrals.removeValue(forKey: i) else { continue }
        var q = 0
        incoming.forEach(of: i, in: table) { j, _ in
          let x = min(eligibility.value(j, at: step) * eligibilityScale * signal, 1)
          if x > 0 {
            integrals.plus[q] += p.potentiationRate(x) * intervalS
            integrals.minus[q] += p.depressionRate(x) * intervalS
          }
          q += 1
        }
        episodeIntegrals[i] = integrals
        continue
      }
      incoming.forEach(of: i, in: table) { j, s in
        let x = min(eligibility.value(j, at: step) * eligibilityScale * signal, 1)
        guard x > 0 else { return }
        let a = p.kPlusPerS * p.potentiationRate(x)
        let b = p.kMinusPerS * p.depressionRate(x)
        guard a + b > 0 else { return }
        let equilibrium = a / (a + b)
        let w = (Double(weights[s]) - p.weightMin) / span
        let next = equilibrium + (w - equilibrium) * exp(-(a + b) * intervalS)
        weights[s] = Scalar(p.weightMin + span * min(max(next, 0), 1))
      }
    }
  }
}

extension BidirectionalBTSPKernel {
  func saveState(to archive: inout StateArchiveWriter, step: Int) {
    archive.section("btsp_milstein", shape: [table.count, eligibility.count, instructive.count])
    archive.write(table.weights, count: table.count)
    eligibility.save(to: &archive)
    plateaus.save(to: &archive)
    archive.write(instructive)
    archive.write(active)
    let open = episodeIntegrals.keys.sorted()
    archive.write(open)
    for i in open {
      archive.write(episodeIntegrals[i]!.plus)
      archive.write(episodeIntegrals[i]!.minus)
    }
  }

  func restoreState(from archive: inout StateArchiveReader, step: Int) throws {
    try archive.section("btsp_milstein", shape: [table.count, eligibility.count, instructive.count])
    try archive.read(into: table.weights, count: table.count)
    try eligibility.restore(from: &archive)
    try plateaus.restore(from: &archive)
    instructive = try archive.readArray(count: instructive.count)
    active = try archive.readArray()
    guard active.allSatisfy({ instructive.indices.contains($0) }) else {
      throw CheckpointError.stateMismatch("btsp_milstein: an active neuron is out of range")
    }
    isActive = Array(repeating: false, count: isActive.count)
    for i in active { isActive[i] = true }
    episodeIntegrals = [:]
    for i in try archive.readArray() as [Int] {
      guard instructive.indices.contains(i) else {
        throw CheckpointError.stateMismatch("btsp_milstein: an episode's neuron is out of range")
      }
      let plus: [Double] = try archive.readArray(count: incoming.count(of: i))
      let minus: [Double] = try archive.readArray(count: plus.count)
      episodeIntegrals[i] = (plus, minus)
    }
  }
}
