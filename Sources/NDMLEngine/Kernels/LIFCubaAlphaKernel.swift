import Foundation
import NDMLModel

/// CPU kernel of `lif_cuba` with `synapse_shape: alpha` (equations and references:
/// `NDMLModel/Neurons/LIFCuba.swift`).
///
/// Per receptor the alpha synapse is two linear variables, `ds/dt = −s/τ + y`, `dy/dt = −y/τ`.
/// The simulation adds raw weights to the arrival arrays (``excitatoryInput``,
/// ``inhibitoryInput``) between steps; step `n` first folds what arrived at `t_n` into `y`
/// (`y ← y + (e/τ)·arrived`, so that a weight `w` gives `s(t) = w·(t/τ)·e^(1−t/τ)`) and clears the
/// arrivals, then, per neuron:
/// 1. propagates exactly (Rotter & Diesmann 1999, as NEST's `iaf_psc_alpha`):
///    `v ← v∞ + (v − v∞)·P22 + s_e·P21e + y_e·P31e + s_i·P21i + y_i·P31i`,
///    `s_x ← s_x·P11x + y_x·P12x`, `y_x ← y_x·P11x`; refractory neurons keep `v` and count down;
/// 2. spikes if `v > v_thresh`: stamps `t_{n+1}`, `v ← v_reset`, starts the refractory count.
///
/// `s` is continuous at an arrival, so a sample at `t_k` (taken before the fold) shows its value.
final class LIFCubaAlphaKernel<Scalar: EngineScalar>: TwoReceptorKernel {
  let size: Int
  private let v: UnsafeMutablePointer<Scalar>
  private let se: UnsafeMutablePointer<Scalar>
  private let si: UnsafeMutablePointer<Scalar>
  /// The rate variables `y_e`, `y_i` (mV/ms).
  private let ye: UnsafeMutablePointer<Scalar>
  private let yi: UnsafeMutablePointer<Scalar>
  /// Weights (mV) arrived since the last step, per receptor.
  private let arrivedE: UnsafeMutablePointer<Scalar>
  private let arrivedI: UnsafeMutablePointer<Scalar>
  /// Steps of refractoriness left (see ``SpikeResetRule``).
  private let refractory: UnsafeMutablePointer<Scalar>
  /// `v∞ = E_L + R·I` per neuron.
  private let restingDrive: UnsafeMutablePointer<Scalar>
  private let p22, p21e, p21i, p31e, p31i, p11e, p11i, p12e, p12i, jumpE, jumpI: Scalar
  private let rule: SpikeResetRule<Scalar>
  private let restingPotential, resistanceMOhm: Double
  /// Per-neuron coefficients when the population's neurons differ (`params` lists), else nil.
  private var varying: LIFCubaPerNeuron<Scalar>?
  private let dtMs: Double

  init(
    parameters p: LIFCubaParameters, size: Int, dtMs h: Double, initial: [String: (Int) -> Double],
    perNeuron: [LIFCubaParameters]? = nil
  ) {
    precondition(p.tauSynapticExcitatoryMs > 0 && p.tauSynapticInhibitoryMs > 0, "alpha synapses need τ_syn > 0")
    self.size = size
    varying = perNeuron.map { LIFCubaPerNeuron($0, dtMs: h, alpha: true) }
    dtMs = h
    let tm = p.tauMembraneMs
    let (te, ti) = (p.tauSynapticExcitatoryMs, p.tauSynapticInhibitoryMs)
    p22 = Scalar(exp(-h / tm))
    p21e = Scalar(Propagator.synapticToMembrane(hMs: h, tauMembraneMs: tm, tauSynapseMs: te))
    p21i = Scalar(Propagator.synapticToMembrane(hMs: h, tauMembraneMs: tm, tauSynapseMs: ti))
    p31e = Scalar(Propagator.alphaToMembrane(hMs: h, tauMembraneMs: tm, tauSynapseMs: te))
    p31i = Scalar(Propagator.alphaToMembrane(hMs: h, tauMembraneMs: tm, tauSynapseMs: ti))
    p11e = Scalar(Propagator.decay(hMs: h, tauMs: te))
    p11i = Scalar(Propagator.decay(hMs: h, tauMs: ti))
    p12e = Scalar(Propagator.rateToSynaptic(hMs: h, tauMs: te))
    p12i = Scalar(Propagator.rateToSynaptic(hMs: h, tauMs: ti))
    jumpE = Scalar(exp(1.0) / te)
    jumpI = Scalar(exp(1.0) / ti)
    rule = SpikeResetRule(thresholdMV: p.thresholdMV, resetMV: p.resetMV, refractoryMs: p.refractoryMs, dtMs: h)
    restingPotential = p.restingPotentialMV
    resistanceMOhm = p.resistanceMOhm
    v = allocateState(size)
    se = allocateState(size)
    si = allocateState(size)
    ye = allocateState(size)
    yi = allocateState(size)
    arrivedE = allocateState(size)
    arrivedI = allocateState(size)
    refractory = SpikeResetRule.makeCounts(size: size)
    restingDrive = allocateState(size)
    for i in 0..<size {
      v[i] = Scalar(initial["v"]?(i) ?? perNeuron?[i].restingPotentialMV ?? p.restingPotentialMV)
      se[i] = Scalar(initial["s_e"]?(i) ?? 0)
      si[i] = Scalar(initial["s_i"]?(i) ?? 0)
    }
    for i in 0..<size { setCurrent(perNeuron?[i].biasCurrentPA ?? p.biasCurrentPA, neuron: i) }
  }

  deinit {
    for p in [v, se, si, ye, yi, arrivedE, arrivedI, refractory, restingDrive] { p.deallocate() }
    varying?.deallocate()
  }

  func setCurrent(_ currentPA: Double, neuron: Int) {
    // R [MΩ] · I [pA] = µV, hence / 1000 for mV.
    if let varying {
      restingDrive[neuron] = Scalar(
        varying.restingPotential[neuron] + varying.resistanceMOhm[neuron] * currentPA / 1000)
    } else {
      restingDrive[neuron] = Scalar(restingPotential + resistanceMOhm * currentPA / 1000)
    }
  }

  func value(ofVariable variable: Int, neuron: Int) -> Scalar {
    switch variable {
    case 0: v[neuron]
    case 1: se[neuron]
    default: si[neuron]
    }
  }

  @_specialize(where Scalar == Double)
  @_specialize(where Scalar == Float)
  func step(_ n: Int, neurons: Range<Int>, spikes: SpikeBuffer) -> Bool {
    if let varying { return stepPerNeuron(neurons: neurons, spikes: spikes, varying) }
    let p22 = SIMD8(repeating: self.p22)
    let p21e = SIMD8(repeating: self.p21e)
    let p21i = SIMD8(repeating: self.p21i)
    let p31e = SIMD8(repeating: self.p31e)
    let p31i = SIMD8(repeating: self.p31i)
    let p11e = SIMD8(repeating: self.p11e)
    let p11i = SIMD8(repeating: self.p11i)
    let p12e = SIMD8(repeating: self.p12e)
    let p12i = SIMD8(repeating: self.p12i)
    let jumpE = SIMD8(repeating: self.jumpE)
    let jumpI = SIMD8(repeating: self.jumpI)
    let zero = SIMD8<Scalar>.zero
    var sound = Scalar.Mask(repeating: true)
    var out = spikes.writer(reserving: neurons.count + laneCount)
    for i in stride(from: neurons.lowerBound, to: neurons.upperBound, by: laneCount) {
      let rateE = ye.lanes(i) + arrivedE.lanes(i) * jumpE
      let rateI = yi.lanes(i) + arrivedI.lanes(i) * jumpI
      arrivedE.setLanes(i, zero)
      arrivedI.setLanes(i, zero)
      let e = se.lanes(i)
      let inh = si.lanes(i)
      let vOld = v.lanes(i)
      let drive = restingDrive.lanes(i)
      let vFree = drive + (vOld - drive) * p22 + e * p21e + rateE * p31e + inh * p21i + rateI * p31i
      se.setLanes(i, e * p11e + rateE * p12e)
      si.setLanes(i, inh * p11i + rateI * p12i)
      ye.setLanes(i, rateE * p11e)
      yi.setLanes(i, rateI * p11i)
      rule.apply(chunk: i, old: vOld, free: vFree, v: v, counts: refractory, spikes: &out)
      sound = Scalar.lanesAnd(sound, rule.isSound(vFree))
    }
    spikes.commit(out)
    return !Scalar.allLanes(sound)
  }

  /// ``step(_:neurons:spikes:)`` with every coefficient per neuron.
  @inline(never)
  private func stepPerNeuron(neurons: Range<Int>, spikes: SpikeBuffer, _ c: LIFCubaPerNeuron<Scalar>) -> Bool {
    let (p31e, p31i, p12e, p12i, jumpE, jumpI) = (c.p31e!, c.p31i!, c.p12e!, c.p12i!, c.jumpE!, c.jumpI!)
    let zero = SIMD8<Scalar>.zero
    var sound = Scalar.Mask(repeating: true)
    var out = spikes.writer(reserving: neurons.count + laneCount)
    for i in stride(from: neurons.lowerBound, to: neurons.upperBound, by: laneCount) {
      let rateE = ye.lanes(i) + arrivedE.lanes(i) * jumpE.lanes(i)
      let rateI = yi.lanes(i) + arrivedI.lanes(i) * jumpI.lanes(i)
      arrivedE.setLanes(i, zero)
      arrivedI.setLanes(i, zero)
      let e = se.lanes(i)
      let inh = si.lanes(i)
      let vOld = v.lanes(i)
      let drive = restingDrive.lanes(i)
      let (p11e, p11i) = (c.p11e.lanes(i), c.p11i.lanes(i))
      let vFree =
        drive + (vOld - drive) * c.p22.lanes(i) + e * c.p21e.lanes(i) + rateE * p31e.lanes(i) + inh
        * c.p21i.lanes(i) + rateI * p31i.lanes(i)
      se.setLanes(i, e * p11e + rateE * p12e.lanes(i))
      si.setLanes(i, inh * p11i + rateI * p12i.lanes(i))
      ye.setLanes(i, rateE * p11e)
      yi.setLanes(i, rateI * p11i)
      c.rule.apply(chunk: i, old: vOld, free: vFree, v: v, counts: refractory, spikes: &out)
      sound = Scalar.lanesAnd(sound, rule.isSound(vFree))
    }
    spikes.commit(out)
    return !Scalar.allLanes(sound)
  }
}

extension LIFCubaAlphaKernel {
  var excitatoryInput: UnsafeMutablePointer<Scalar> { arrivedE }
  var inhibitoryInput: UnsafeMutablePointer<Scalar> { arrivedI }
}

extension LIFCubaAlphaKernel: ArrayStateKernel {
  static var stateName: String { "lif_cuba_alpha" }

  var stateArrays: [(name: String, values: UnsafeMutablePointer<Scalar>)] {
    [
      ("v", v), ("s_e", se), ("s_i", si), ("y_e", ye), ("y_i", yi), ("arrived_e", arrivedE), ("arrived_i", arrivedI),
      ("refractory", refractory), ("resting drive (mV)", restingDrive),
    ]
  }
}

extension LIFCubaAlphaKernel: ParameterChangingKernel {
  func setParameters(_ models: [NeuronModel], carryingCurrent: Bool) {
    let ps = models.map { model -> LIFCubaParameters in
      guard case .lifCuba(let q) = model else { preconditionFailure("LIFCubaAlphaKernel takes lifCuba parameters") }
      return q
    }
    let new = LIFCubaPerNeuron<Scalar>(ps, dtMs: dtMs, alpha: true)
    if carryingCurrent {
      for i in 0..<size {
        // The drive is v∞ = E_L + R·I: keep I (pA), take the new E_L and R.
        let (rest, r) = (varying?.restingPotential[i] ?? restingPotential, varying?.resistanceMOhm[i] ?? resistanceMOhm)
        let currentPA = (Double(restingDrive[i]) - rest) * 1000 / r
        restingDrive[i] = Scalar(new.restingPotential[i] + new.resistanceMOhm[i] * currentPA / 1000)
      }
    }
    varying?.deallocate()
    varying = new
  }
}
