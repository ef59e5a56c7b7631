import Foundation
import NDMLModel

/// CPU kernel of `lif_coba` with `synapse_shape: alpha` (equations and references:
/// `NDMLModel/Neurons/LIFCoba.swift`).
///
/// Per receptor the alpha conductance is two linear variables, `dg/dt = −g/τ + y`, `dy/dt = −y/τ`.
/// The simulation adds raw weights (nS) to the arrival arrays (``excitatoryInput``,
/// ``inhibitoryInput``) between steps; step `n` first folds what arrived at `t_n` into `y`
/// (`y ← y + (e/τ)·arrived`, so that a weight `w` gives `g(t) = w·(t/τ)·e^(1−t/τ)`) and clears the
/// arrivals, then, per neuron:
/// 1. exponential Euler for `v` with the conductances at `t_n`, as the exponential kernel:
///    `v ← v∞ + (v − v∞)·e^(−h·g_tot/C_m)`; refractory neurons keep `v` and count down;
///    conductances propagate exactly, `g ← g·e^(−h/τ) + y·h·e^(−h/τ)`, `y ← y·e^(−h/τ)`;
/// 2. spikes if `v > v_thresh`: stamps `t_{n+1}`, resets, starts the refractory count.
final class LIFCobaAlphaKernel<Scalar: EngineScalar>: TwoReceptorKernel {
  let size: Int
  private let v: UnsafeMutablePointer<Scalar>
  private let ge: UnsafeMutablePointer<Scalar>
  private let gi: UnsafeMutablePointer<Scalar>
  /// The rate variables `y_e`, `y_i` (nS/ms).
  private let ye: UnsafeMutablePointer<Scalar>
  private let yi: UnsafeMutablePointer<Scalar>
  /// Weights (nS) arrived since the last step, per receptor.
  private let arrivedE: UnsafeMutablePointer<Scalar>
  private let arrivedI: UnsafeMutablePointer<Scalar>
  /// Steps of refractoriness left (see ``SpikeResetRule``).
  private let refractory: UnsafeMutablePointer<Scalar>
  /// `g_L·E_L + I` per neuron (pA).
  private let leakDrive: UnsafeMutablePointer<Scalar>
  private let leak, reversalE, reversalI, stepOverCapacitance, decayE, decayI, rateE, rateI, jumpE, jumpI: Scalar
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
    varying = perNeuron.map { LIFCobaPerNeuron($0, dtMs: h, alpha: true) }
    dtMs = h
    let (te, ti) = (p.tauSynapticExcitatoryMs, p.tauSynapticInhibitoryMs)
    leak = Scalar(p.leakConductanceNS)
    reversalE = Scalar(p.excitatoryReversalMV)
    reversalI = Scalar(p.inhibitoryReversalMV)
    // nS · ms / pF is dimensionless.
    stepOverCapacitance = Scalar(h / p.capacitancePF)
    decayE = Scalar(exp(-h / te))
    decayI = Scalar(exp(-h / ti))
    rateE = Scalar(Propagator.rateToSynaptic(hMs: h, tauMs: te))
    rateI = Scalar(Propagator.rateToSynaptic(hMs: h, tauMs: ti))
    jumpE = Scalar(exp(1.0) / te)
    jumpI = Scalar(exp(1.0) / ti)
    rule = SpikeResetRule(thresholdMV: p.thresholdMV, resetMV: p.resetMV, refractoryMs: p.refractoryMs, dtMs: h)
    leakTimesRest = p.leakConductanceNS * p.restingPotentialMV
    v = allocateState(size)
    ge = allocateState(size)
    gi = allocateState(size)
    ye = allocateState(size)
    yi = allocateState(size)
    arrivedE = allocateState(size)
    arrivedI = allocateState(size)
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
    for p in [v, ge, gi, ye, yi, arrivedE, arrivedI, refractory, leakDrive] { p.deallocate() }
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
    let rateE = SIMD8(repeating: self.rateE)
    let rateI = SIMD8(repeating: self.rateI)
    let jumpE = SIMD8(repeating: self.jumpE)
    let jumpI = SIMD8(repeating: self.jumpI)
    let zero = SIMD8<Scalar>.zero
    var sound = Scalar.Mask(repeating: true)
    var out = spikes.writer(reserving: neurons.count + laneCount)
    for i in stride(from: neurons.lowerBound, to: neurons.upperBound, by: laneCount) {
      let yE = ye.lanes(i) + arrivedE.lanes(i) * jumpE
      let yI = yi.lanes(i) + arrivedI.lanes(i) * jumpI
      arrivedE.setLanes(i, zero)
      arrivedI.setLanes(i, zero)
      let e = ge.lanes(i)
      let inh = gi.lanes(i)
      let total = leak + e + inh
      let vInf = (leakDrive.lanes(i) + e * reversalE + inh * reversalI) / total
      let decay = Scalar.exponential(-SIMD8(repeating: stepOverCapacitance) * total)
      let vOld = v.lanes(i)
      let vFree = vInf + (vOld - vInf) * decay
      ge.setLanes(i, e * decayE + yE * rateE)
      gi.setLanes(i, inh * decayI + yI * rateI)
      ye.setLanes(i, yE * decayE)
      yi.setLanes(i, yI * decayI)
      rule.apply(chunk: i, old: vOld, free: vFree, v: v, counts: refractory, spikes: &out)
      sound = Scalar.lanesAnd(sound, rule.isSound(vFree))
    }
    spikes.commit(out)
    return !Scalar.allLanes(sound)
  }

  /// ``step(_:neurons:spikes:)`` with every coefficient per neuron.
  @inline(never)
  private func stepPerNeuron(neurons: Range<Int>, spikes: SpikeBuffer, _ c: LIFCobaPerNeuron<Scalar>) -> Bool {
    let (rateE, rateI, jumpE, jumpI) = (c.rateE!, c.rateI!, c.jumpE!, c.jumpI!)
    let zero = SIMD8<Scalar>.zero
    var sound = Scalar.Mask(repeating: true)
    var out = spikes.writer(reserving: neurons.count + laneCount)
    for i in stride(from: neurons.lowerBound, to: neurons.upperBound, by: laneCount) {
      let yE = ye.lanes(i) + arrivedE.lanes(i) * jumpE.lanes(i)
      let yI = yi.lanes(i) + arrivedI.lanes(i) * jumpI.lanes(i)
      arrivedE.setLanes(i, zero)
      arrivedI.setLanes(i, zero)
      let e = ge.lanes(i)
      let inh = gi.lanes(i)
      let total = c.leak.lanes(i) + e + inh
      let vInf = (leakDrive.lanes(i) + e * c.reversalE.lanes(i) + inh * c.reversalI.lanes(i)) / total
      let decay = Scalar.exponential(-c.stepOverCapacitance.lanes(i) * total)
      let vOld = v.lanes(i)
      let vFree = vInf + (vOld - vInf) * decay
      let (decayE, decayI) = (c.decayE.lanes(i), c.decayI.lanes(i))
      ge.setLanes(i, e * decayE + yE * rateE.lanes(i))
      gi.setLanes(i, inh * decayI + yI * rateI.lanes(i))
      ye.setLanes(i, yE * decayE)
      yi.setLanes(i, yI * decayI)
      c.rule.apply(chunk: i, old: vOld, free: vFree, v: v, counts: refractory, spikes: &out)
      sound = Scalar.lanesAnd(sound, rule.isSound(vFree))
    }
    spikes.commit(out)
    return !Scalar.allLanes(sound)
  }
}

extension LIFCobaAlphaKernel {
  var excitatoryInput: UnsafeMutablePointer<Scalar> { arrivedE }
  var inhibitoryInput: UnsafeMutablePointer<Scalar> { arrivedI }
}

extension LIFCobaAlphaKernel: ArrayStateKernel {
  static var stateName: String { "lif_coba_alpha" }

  var stateArrays: [(name: String, values: UnsafeMutablePointer<Scalar>)] {
    [
      ("v", v), ("g_e", ge), ("g_i", gi), ("y_e", ye), ("y_i", yi), ("arrived_e", arrivedE), ("arrived_i", arrivedI),
      ("refractory", refractory), ("leak drive (pA)", leakDrive),
    ]
  }
}

extension LIFCobaAlphaKernel: ParameterChangingKernel {
  func setParameters(_ models: [NeuronModel], carryingCurrent: Bool) {
    let ps = models.map { model -> LIFCobaParameters in
      guard case .lifCoba(let q) = model else { preconditionFailure("LIFCobaAlphaKernel takes lifCoba parameters") }
      return q
    }
    let new = LIFCobaPerNeuron<Scalar>(ps, dtMs: dtMs, alpha: true)
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
