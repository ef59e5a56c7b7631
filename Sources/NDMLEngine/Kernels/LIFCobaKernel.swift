import Foundation
import NDMLModel

/// CPU kernel of `lif_coba` (equations and references: `NDMLModel/Neurons/LIFCoba.swift`).
///
/// Step `n` (conductance jumps arriving at `t_n` already added by the simulation), per neuron:
/// 1. exponential Euler for `v` with the conductances at `t_n`:
///    `v ← v∞ + (v − v∞)·e^(−h·g_tot/C_m)`; refractory neurons keep `v` and count down;
///    conductances decay exactly, `g_x ← g_x·e^(−h/τ_x)`;
/// 2. spike if `v > v_thresh`: stamp `t_{n+1}`, reset, start the refractory count.
final class LIFCobaKernel<Scalar: EngineScalar>: TwoReceptorKernel {
  let size: Int
  private let v: UnsafeMutablePointer<Scalar>
  private let ge: UnsafeMutablePointer<Scalar>
  private let gi: UnsafeMutablePointer<Scalar>
  /// Steps of refractoriness left (see ``SpikeResetRule``).
  private let refractory: UnsafeMutablePointer<Scalar>
  /// `g_L·E_L + I` per neuron (pA).
  private let leakDrive: UnsafeMutablePointer<Scalar>
  private let leak, reversalE, reversalI, stepOverCapacitance, decayE, decayI: Scalar
  private let rule: SpikeResetRule<Scalar>
  private let leakTimesRest: Double
  /// Per-neuron coefficients when the population's neurons differ (`params` lists), else nil.
  private var varying: LIFCobaPerNeuron<Scalar>?
  private let dtMs: Double

  init(
    parameters p: LIFCobaParameters, size: Int, dtMs h: Double, initial: [String: (Int) -> Double],
    perNeuron: [LIFCobaParameters]? = nil
  ) {
    self.size = size
    varying = perNeuron.map { LIFCobaPerNeuron($0, dtMs: h, alpha: false) }
    dtMs = h
    leak = Scalar(p.leakConductanceNS)
    reversalE = Scalar(p.excitatoryReversalMV)
    reversalI = Scalar(p.inhibitoryReversalMV)
    // nS · ms / pF is dimensionless.
    stepOverCapacitance = Scalar(h / p.capacitancePF)
    decayE = Scalar(exp(-h / p.tauSynapticExcitatoryMs))
    decayI = Scalar(exp(-h / p.tauSynapticInhibitoryMs))
    rule = SpikeResetRule(thresholdMV: p.thresholdMV, resetMV: p.resetMV, refractoryMs: p.refractoryMs, dtMs: h)
    leakTimesRest = p.leakConductanceNS * p.restingPotentialMV
    v = allocateState(size)
    ge = allocateState(size)
    gi = allocateState(size)
    refractory = SpikeResetRule.makeCounts(size: size)
    leakDrive = allocateState(size)
    for i in 0..<size {
      v[i] = Scalar(initial["v"]?(i) ?? perNeuron?[i].restingPotentialMV ?? p.restingPotentialMV)
      ge[i] = Scalar(initial["g_e"]?(i) ?? 0)
      gi[i] = Scalar(initial["g_i"]?(i) ?? 0)
    }
    for i in 0..<size { setCurrent(perNeuron?[i].biasCurrentPA ?? p.biasCurrentPA, neuron: i) }
  }

  deinit {
    for p in [v, ge, gi, refractory, leakDrive] { p.deallocate() }
    varying?.deallocate()
  }

  func setCurrent(_ currentPA: Double, neuron: Int) {
    leakDrive[neuron] = Scalar((varying?.leakTimesRest[neuron] ?? leakTimesRest) + currentPA)
  }

  func value(ofVariable variable: Int, neuron: Int) -> Scalar {
    switch variable {
    case 0: v[neuron]
    case 1: ge[neuron]
    default: gi[neuron]
    }
  }

  @_specialize(where Scalar == Double)
  @_specialize(where Scalar == Float)
  func step(_ n: Int, neurons: Range<Int>, spikes: SpikeBuffer) -> Bool {
    if let varying { return stepPerNeuron(neurons: neurons, spikes: spikes, varying) }
    let leak = SIMD8(repeating: self.leak)
    let reversalE = SIMD8(repeating: self.reversalE)
    let reversalI = SIMD8(repeating: self.reversalI)
    let decayE = SIMD8(repeating: self.decayE)
    let decayI = SIMD8(repeating: self.decayI)
    var sound = Scalar.Mask(repeating: true)
    var out = spikes.writer(reserving: neurons.count + laneCount)
    for i in stride(from: neurons.lowerBound, to: neurons.upperBound, by: laneCount) {
      let e = ge.lanes(i)
      let inh = gi.lanes(i)
      let total = leak + e + inh
      let vInf = (leakDrive.lanes(i) + e * reversalE + inh * reversalI) / total
      let decay = Scalar.exponential(-SIMD8(repeating: stepOverCapacitance) * total)
      let vOld = v.lanes(i)
      let vFree = vInf + (vOld - vInf) * decay
      ge.setLanes(i, e * decayE)
      gi.setLanes(i, inh * decayI)
      rule.apply(chunk: i, old: vOld, free: vFree, v: v, counts: refractory, spikes: &out)
      sound = Scalar.lanesAnd(sound, rule.isSound(vFree))
    }
    spikes.commit(out)
    return !Scalar.allLanes(sound)
  }

  /// ``step(_:neurons:spikes:)`` with every coefficient per neuron.
  @inline(never)
  private func stepPerNeuron(neurons: Range<Int>, spikes: SpikeBuffer, _ c: LIFCobaPerNeuron<Scalar>) -> Bool {
    var sound = Scalar.Mask(repeating: true)
    var out = spikes.writer(reserving: neurons.count + laneCount)
    for i in stride(from: neurons.lowerBound, to: neurons.upperBound, by: laneCount) {
      let e = ge.lanes(i)
      let inh = gi.lanes(i)
      let total = c.leak.lanes(i) + e + inh
      let vInf = (leakDrive.lanes(i) + e * c.reversalE.lanes(i) + inh * c.reversalI.lanes(i)) / total
      let decay = Scalar.exponential(-c.stepOverCapacitance.lanes(i) * total)
      let vOld = v.lanes(i)
      let vFree = vInf + (vOld - vInf) * decay
      ge.setLanes(i, e * c.decayE.lanes(i))
      gi.setLanes(i, inh * c.decayI.lanes(i))
      c.rule.apply(chunk: i, old: vOld, free: vFree, v: v, counts: refractory, spikes: &out)
      sound = Scalar.lanesAnd(sound, rule.isSound(vFree))
    }
    spikes.commit(out)
    return !Scalar.allLanes(sound)
  }
}

extension LIFCobaKernel {
  var excitatoryInput: UnsafeMutablePointer<Scalar> { ge }
  var inhibitoryInput: UnsafeMutablePointer<Scalar> { gi }
}

extension LIFCobaKernel: ArrayStateKernel {
  static var stateName: String { "lif_coba" }

  var stateArrays: [(name: String, values: UnsafeMutablePointer<Scalar>)] {
    [("v", v), ("g_e", ge), ("g_i", gi), ("refractory", refractory), ("leak drive (pA)", leakDrive)]
  }
}

/// Per-neuron coefficients of a `lif_coba` population whose neurons differ (`params` lists): leak,
/// reversal potentials, step over capacitance, decays (and, for alpha conductances, the rate
/// propagators and jumps), threshold, reset, refractory period and g_L·E_L. Padding lanes copy
/// neuron 0's values.
struct LIFCobaPerNeuron<Scalar: EngineScalar> {
  let leak, reversalE, reversalI, stepOverCapacitance, decayE, decayI: UnsafeMutablePointer<Scalar>
  /// Alpha conductances only (else nil): `h·e^(−h/τ)` and the arrival jumps `e/τ` per receptor.
  let rateE, rateI, jumpE, jumpI: UnsafeMutablePointer<Scalar>?
  let rule: PerNeuronResetRule<Scalar>
  let leakTimesRest: [Double]

  init(_ ps: [LIFCobaParameters], dtMs h: Double, alpha: Bool) {
    let n = ps.count
    let (te, ti) = (ps.map(\.tauSynapticExcitatoryMs), ps.map(\.tauSynapticInhibitoryMs))
    leak = perNeuronArray(size: n) { ps[$0].leakConductanceNS }
    reversalE = perNeuronArray(size: n) { ps[$0].excitatoryReversalMV }
    reversalI = perNeuronArray(size: n) { ps[$0].inhibitoryReversalMV }
    stepOverCapacitance = perNeuronArray(size: n) { h / ps[$0].capacitancePF }
    decayE = perNeuronArray(size: n) { exp(-h / te[$0]) }
    decayI = perNeuronArray(size: n) { exp(-h / ti[$0]) }
    if alpha {
      rateE = perNeuronArray(size: n) { Propagator.rateToSynaptic(hMs: h, tauMs: te[$0]) }
      rateI = perNeuronArray(size: n) { Propagator.rateToSynaptic(hMs: h, tauMs: ti[$0]) }
      jumpE = perNeuronArray(size: n) { exp(1.0) / te[$0] }
      jumpI = perNeuronArray(size: n) { exp(1.0) / ti[$0] }
    } else {
      (rateE, rateI, jumpE, jumpI) = (nil, nil, nil, nil)
    }
    rule = PerNeuronResetRule(size: n, dtMs: h) { (ps[$0].thresholdMV, ps[$0].resetMV, ps[$0].refractoryMs) }
    leakTimesRest = ps.map { $0.leakConductanceNS * $0.restingPotentialMV }
  }

  func deallocate() {
    for p in [leak, reversalE, reversalI, stepOverCapacitance, decayE, decayI] { p.deallocate() }
    for p in [rateE, rateI, jumpE, jumpI] { p?.deallocate() }
    rule.deallocate()
  }
}

extension LIFCobaKernel: ParameterChangingKernel {
  func setParameters(_ models: [NeuronModel], carryingCurrent: Bool) {
    let ps = models.map { model -> LIFCobaParameters in
      guard case .lifCoba(let q) = model else { preconditionFailure("LIFCobaKernel takes lifCoba parameters") }
      return q
    }
    let new = LIFCobaPerNeuron<Scalar>(ps, dtMs: dtMs, alpha: false)
    if carryingCurrent {
      for i in 0..<size {
        // The drive is g_L·E_L + I: keep I (pA), take the new g_L·E_L.
        let currentPA = Double(leakDrive[i]) - (varying?.leakTimesRest[i] ?? leakTimesRest)
        leakDrive[i] = Scalar(new.leakTimesRest[i] + currentPA)
      }
    }
    varying?.deallocate()
    varying = new
  }
}
