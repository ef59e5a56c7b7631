import Foundation
import NDMLModel

/// CPU kernel of `alif` (equations and references: `NDMLModel/Neurons/ALIF.swift`).
///
/// Step `n` (synaptic jumps arriving at `t_n` already added by the simulation) → `t_{n+1}`, per
/// neuron:
/// 1. propagate exactly: `v ← v∞ + (v − v∞)·P22 + s_e·P21e + s_i·P21i − w·P21w`, `s_x ← s_x·P11x`,
///    `a ← a·ρ`, `w ← w·P11w`; refractory neurons keep `v` (held at reset) and count down;
/// 2. spike if `v > v_thresh + β·a` (the decayed `a`): stamp `t_{n+1}`, `v ← v_reset`, start the
///    refractory count, `a ← a + 1`, `w ← w + b`.
final class ALIFKernel<Scalar: EngineScalar>: TwoReceptorKernel {
  let size: Int
  private let v: UnsafeMutablePointer<Scalar>
  private let se: UnsafeMutablePointer<Scalar>
  private let si: UnsafeMutablePointer<Scalar>
  private let adaptation: UnsafeMutablePointer<Scalar>
  private let current: UnsafeMutablePointer<Scalar>
  /// Steps of refractoriness left (see ``SpikeResetRule``).
  private let refractory: UnsafeMutablePointer<Scalar>
  /// `v∞ = E_L + R·I` per neuron.
  private let restingDrive: UnsafeMutablePointer<Scalar>
  private let p22, p21e, p21i, p21w, p11e, p11i, p11w, rho, beta, jumpW: Scalar
  private let rule: SpikeResetRule<Scalar>
  private let restingPotential, resistanceMOhm: Double

  init(parameters p: ALIFParameters, size: Int, dtMs h: Double, initial: [String: (Int) -> Double]) {
    self.size = size
    p22 = Scalar(exp(-h / p.tauMembraneMs))
    p21e = Scalar(
      Propagator.synapticToMembrane(
        hMs: h, tauMembraneMs: p.tauMembraneMs, tauSynapseMs: p.tauSynapticExcitatoryMs))
    p21i = Scalar(
      Propagator.synapticToMembrane(
        hMs: h, tauMembraneMs: p.tauMembraneMs, tauSynapseMs: p.tauSynapticInhibitoryMs))
    // w (pA) acts as the voltage-like input −R·w (MΩ·pA = µV, hence / 1000).
    p21w = Scalar(
      p.resistanceMOhm / 1000
        * Propagator.synapticToMembrane(hMs: h, tauMembraneMs: p.tauMembraneMs, tauSynapseMs: p.tauCurrentMs))
    p11e = Scalar(Propagator.decay(hMs: h, tauMs: p.tauSynapticExcitatoryMs))
    p11i = Scalar(Propagator.decay(hMs: h, tauMs: p.tauSynapticInhibitoryMs))
    p11w = Scalar(exp(-h / p.tauCurrentMs))
    rho = Scalar(exp(-h / p.tauAdaptationMs))
    beta = Scalar(p.thresholdIncrementMV)
    jumpW = Scalar(p.currentIncrementPA)
    rule = SpikeResetRule(thresholdMV: p.thresholdMV, resetMV: p.resetMV, refractoryMs: p.refractoryMs, dtMs: h)
    restingPotential = p.restingPotentialMV
    resistanceMOhm = p.resistanceMOhm
    v = allocateState(size)
    se = allocateState(size)
    si = allocateState(size)
    adaptation = allocateState(size)
    current = allocateState(size)
    refractory = SpikeResetRule.makeCounts(size: size)
    restingDrive = allocateState(size)
    for i in 0..<size {
      v[i] = Scalar(initial["v"]?(i) ?? p.restingPotentialMV)
      se[i] = Scalar(initial["s_e"]?(i) ?? 0)
      si[i] = Scalar(initial["s_i"]?(i) ?? 0)
      adaptation[i] = Scalar(initial["a"]?(i) ?? 0)
      current[i] = Scalar(initial["w"]?(i) ?? 0)
    }
    for i in 0..<size { setCurrent(p.biasCurrentPA, neuron: i) }
  }

  deinit {
    for p in [v, se, si, adaptation, current, refractory, restingDrive] { p.deallocate() }
  }

  func setCurrent(_ currentPA: Double, neuron: Int) {
    restingDrive[neuron] = Scalar(restingPotential + resistanceMOhm * currentPA / 1000)
  }

  /// Variables in the order of `NeuronModel.recordableVariables`: v, s_e, s_i, a, then w when
  /// the adaptation current is on.
  func value(ofVariable variable: Int, neuron: Int) -> Scalar {
    switch variable {
    case 0: v[neuron]
    case 1: se[neuron]
    case 2: si[neuron]
    case 3: adaptation[neuron]
    default: current[neuron]
    }
  }

  @_specialize(where Scalar == Double)
  @_specialize(where Scalar == Float)
  func step(_ n: Int, neurons: Range<Int>, spikes: SpikeBuffer) -> Bool {
    let p22 = SIMD8(repeating: self.p22)
    let p21e = SIMD8(repeating: self.p21e)
    let p21i = SIMD8(repeating: self.p21i)
    let p21w = SIMD8(repeating: self.p21w)
    let p11e = SIMD8(repeating: self.p11e)
    let p11i = SIMD8(repeating: self.p11i)
    let p11w = SIMD8(repeating: self.p11w)
    let rho = SIMD8(repeating: self.rho)
    let beta = SIMD8(repeating: self.beta)
    let jumpW = SIMD8(repeating: self.jumpW)
    let one = SIMD8<Scalar>(repeating: 1)
    let zero = SIMD8<Scalar>.zero
    var sound = Scalar.Mask(repeating: true)
    var out = spikes.writer(reserving: neurons.count + laneCount)
    for i in stride(from: neurons.lowerBound, to: neurons.upperBound, by: laneCount) {
      let e = se.lanes(i)
      let inh = si.lanes(i)
      let w = current.lanes(i)
      let vOld = v.lanes(i)
      let drive = restingDrive.lanes(i)
      let vFree = drive + (vOld - drive) * p22 + e * p21e + inh * p21i - w * p21w
      se.setLanes(i, e * p11e)
      si.setLanes(i, inh * p11i)
      let a = adaptation.lanes(i) * rho
      let spiking = rule.apply(
        chunk: i, old: vOld, free: vFree, threshold: rule.threshold + beta * a, v: v, counts: refractory,
        spikes: &out)
      adaptation.setLanes(i, a + Scalar.select(spiking, one, zero))
      current.setLanes(i, w * p11w + Scalar.select(spiking, jumpW, zero))
      sound = Scalar.lanesAnd(sound, rule.isSound(vFree))
    }
    spikes.commit(out)
    return !Scalar.allLanes(sound)
  }
}

extension ALIFKernel {
  var excitatoryInput: UnsafeMutablePointer<Scalar> { se }
  var inhibitoryInput: UnsafeMutablePointer<Scalar> { si }
}

extension ALIFKernel: ArrayStateKernel {
  static var stateName: String { "alif" }

  var stateArrays: [(name: String, values: UnsafeMutablePointer<Scalar>)] {
    [
      ("v", v), ("s_e", se), ("s_i", si), ("a", adaptation), ("w", current), ("refractory", refractory),
      ("resting drive (mV)", restingDrive),
    ]
  }
}
