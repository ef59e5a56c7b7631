import Foundation
import NDMLModel

/// CPU kernel of `lif_cuba` (equations and references: `NDMLModel/Neurons/LIFCuba.swift`).
///
/// Step `n` (state at `t_n`, synaptic jumps arriving at `t_n` already added by the simulation)
/// → `t_{n+1}`, per neuron:
/// 1. propagate exactly: `v ← v∞ + (v − v∞)·P22 + s_e·P21e + s_i·P21i`, `s_x ← s_x·P11x`;
///    refractory neurons keep `v` (held at reset) and count down;
/// 2. spike if `v > v_thresh`: stamp `t_{n+1}`, `v ← v_reset`, start the refractory count.
final class LIFCubaKernel<Scalar: EngineScalar>: TwoReceptorKernel {
  let size: Int
  private let v: UnsafeMutablePointer<Scalar>
  private let se: UnsafeMutablePointer<Scalar>
  private let si: UnsafeMutablePointer<Scalar>
  /// Steps of refractoriness left (see ``SpikeResetRule``).
  private let refractory: UnsafeMutablePointer<Scalar>
  /// `v∞ = E_L + R·I` per neuron.
  private let restingDrive: UnsafeMutablePointer<Scalar>
  private let p22, p21e, p21i, p11e, p11i: Scalar
  private let rule: SpikeResetRule<Scalar>
  private let restingPotential, resistanceMOhm: Double
  /// Per-neuron coefficients when the population's neurons differ (`params` lists), else nil.
  private var varying: LIFCubaPerNeuron<Scalar>?
  private let dtMs: Double

  init(
    parameters p: LIFCubaParameters, size: Int, dtMs h: Double, initial: [String: (Int) -> Double],
    perNeuron: [LIFCubaParameters]? = nil
  ) {
    self.size = size
    varying = perNeuron.map { LIFCubaPerNeuron($0, dtMs: h, alpha: false) }
    dtMs = h
    p22 = Scalar(exp(-h / p.tauMembraneMs))
    p21e = Scalar(
      Propagator.synapticToMembrane(
        hMs: h, tauMembraneMs: p.tauMembraneMs, tauSynapseMs: p.tauSynapticExcitatoryMs))
    p21i = Scalar(
      Propagator.synapticToMembrane(
        hMs: h, tauMembraneMs: p.tauMembraneMs, tauSynapseMs: p.tauSynapticInhibitoryMs))
    p11e = Scalar(Propagator.decay(hMs: h, tauMs: p.tauSynapticExcitatoryMs))
    p11i = Scalar(Propagator.decay(hMs: h, tauMs: p.tauSynapticInhibitoryMs))
    rule = SpikeResetRule(thresholdMV: p.thresholdMV, resetMV: p.resetMV, refractoryMs: p.refractoryMs, dtMs: h)
    restingPotential = p.restingPotentialMV
    resistanceMOhm = p.resistanceMOhm
    v = allocateState(size)
    se = allocateState(size)
    si = allocateState(size)
    refractory = SpikeResetRule.makeCounts(size: size)
    restingDrive = allocateState(size)
    for i in 0..<size {
      se[i] = Scalar(initial["s_e"]?(i) ?? 0)
      si[i] = Scalar(initial["s_i"]?(i) ?? 0)
    }
    for i in 0..<size {
      v[i] = Scalar(initial["v"]?(i) ?? perNeuron?[i].restingPotentialMV ?? p.restingPotentialMV)
      setCurrent(perNeuron?[i].biasCurrentPA ?? p.biasCurrentPA, neuron: i)
    }
  }

  deinit {
    for p in [v, se, si, refractory, restingDrive] { p.deallocate() }
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
    let p11e = SIMD8(repeating: self.p11e)
    let p11i = SIMD8(repeating: self.p11i)
    var sound = Scalar.Mask(repeating: true)
    var out = spikes.writer(reserving: neurons.count + laneCount)
    for i in stride(from: neurons.lowerBound, to: neurons.upperBound, by: laneCount) {
      let e = se.lanes(i)
      let inh = si.lanes(i)
      let vOld = v.lanes(i)
      let drive = restingDrive.lanes(i)
      let vFree = drive + (vOld - drive) * p22 + e * p21e + inh * p21i
      se.setLanes(i, e * p11e)
      si.setLanes(i, inh * p11i)
      rule.apply(chunk: i, old: vOld, free: vFree, v: v, counts: refractory, spikes: &out)
      sound = Scalar.lanesAnd(sound, rule.isSound(vFree))
    }
    spikes.commit(out)
    return !Scalar.allLanes(sound)
  }

  /// ``step(_:neurons:spikes:)`` with every coefficient per neuron.
  @inline(never)
  private func stepPerNeuron(neurons: Range<Int>, spikes: SpikeBuffer, _ c: LIFCubaPerNeuron<Scalar>) -> Bool {
    var sound = Scalar.Mask(repeating: true)
    var out = spikes.writer(reserving: neurons.count + laneCount)
    for i in stride(from: neurons.lowerBound, to: neurons.upperBound, by: laneCount) {
      let e = se.lanes(i)
      let inh = si.lanes(i)
      let vOld = v.lanes(i)
      let drive = restingDrive.lanes(i)
      let vFree = drive + (vOld - drive) * c.p22.lanes(i) + e * c.p21e.lanes(i) + inh * c.p21i.lanes(i)
      se.setLanes(i, e * c.p11e.lanes(i))
      si.setLanes(i, inh * c.p11i.lanes(i))
      c.rule.apply(chunk: i, old: vOld, free: vFree, v: v, counts: refractory, spikes: &out)
      sound = Scalar.lanesAnd(sound, rule.isSound(vFree))
    }
    spikes.commit(out)
    return !Scalar.allLanes(sound)
  }
}

extension LIFCubaKernel {
  var excitatoryInput: UnsafeMutablePointer<Scalar> { se }
  var inhibitoryInput: UnsafeMutablePointer<Scalar> { si }
}

extension LIFCubaKernel: ArrayStateKernel {
  static var stateName: String { "lif_cuba" }

  var stateArrays: [(name: String, values: UnsafeMutablePointer<Scalar>)] {
    [("v", v), ("s_e", se), ("s_i", si), ("refractory", refractory), ("resting drive (mV)", restingDrive)]
  }
}

/// Per-neuron coefficients of a `lif_cuba` population whose neurons differ (`params` lists): the
/// propagators (and, for alpha synapses, the rate propagators and jumps), threshold, reset and
/// refractory period, resting potentials and resistances. Padding lanes copy neuron 0's values.
struct LIFCubaPerNeuron<Scalar: EngineScalar> {
  let p22, p21e, p21i, p11e, p11i: UnsafeMutablePointer<Scalar>
  /// Alpha synapses only (else nil): `P31`, `P12` and the arrival jumps `e/τ` per receptor.
  let p31e, p31i, p12e, p12i, jumpE, jumpI: UnsafeMutablePointer<Scalar>?
  let rule: PerNeuronResetRule<Scalar>
  let restingPotential, resistanceMOhm: [Double]

  init(_ ps: [LIFCubaParameters], dtMs h: Double, alpha: Bool) {
    let n = ps.count
    let tm = ps.map(\.tauMembraneMs)
    let (te, ti) = (ps.map(\.tauSynapticExcitatoryMs), ps.map(\.tauSynapticInhibitoryMs))
    p22 = perNeuronArray(size: n) { exp(-h / tm[$0]) }
    p21e = perNeuronArray(size: n) {
      Propagator.synapticToMembrane(hMs: h, tauMembraneMs: tm[$0], tauSynapseMs: te[$0])
    }
    p21i = perNeuronArray(size: n) {
      Propagator.synapticToMembrane(hMs: h, tauMembraneMs: tm[$0], tauSynapseMs: ti[$0])
    }
    p11e = perNeuronArray(size: n) { Propagator.decay(hMs: h, tauMs: te[$0]) }
    p11i = perNeuronArray(size: n) { Propagator.decay(hMs: h, tauMs: ti[$0]) }
    if alpha {
      p31e = perNeuronArray(size: n) { Propagator.alphaToMembrane(hMs: h, tauMembraneMs: tm[$0], tauSynapseMs: te[$0]) }
      p31i = perNeuronArray(size: n) { Propagator.alphaToMembrane(hMs: h, tauMembraneMs: tm[$0], tauSynapseMs: ti[$0]) }
      p12e = perNeuronArray(size: n) { Propagator.rateToSynaptic(hMs: h, tauMs: te[$0]) }
      p12i = perNeuronArray(size: n) { Propagator.rateToSynaptic(hMs: h, tauMs: ti[$0]) }
      jumpE = perNeuronArray(size: n) { exp(1.0) / te[$0] }
      jumpI = perNeuronArray(size: n) { exp(1.0) / ti[$0] }
    } else {
      (p31e, p31i, p12e, p12i, jumpE, jumpI) = (nil, nil, nil, nil, nil, nil)
    }
    rule = PerNeuronResetRule(size: n, dtMs: h) { (ps[$0].thresholdMV, ps[$0].resetMV, ps[$0].refractoryMs) }
    restingPotential = ps.map(\.restingPotentialMV)
    resistanceMOhm = ps.map(\.resistanceMOhm)
  }

  func deallocate() {
    for p in [p22, p21e, p21i, p11e, p11i] { p.deallocate() }
    for p in [p31e, p31i, p12e, p12i, jumpE, jumpI] { p?.deallocate() }
    rule.deallocate()
  }
}

extension LIFCubaKernel: ParameterChangingKernel {
  func setParameters(_ models: [NeuronModel], carryingCurrent: Bool) {
    let ps = models.map { model -> LIFCubaParameters in
      guard case .lifCuba(let q) = model else { preconditionFailure("LIFCubaKernel takes lifCuba parameters") }
      return q
    }
    let new = LIFCubaPerNeuron<Scalar>(ps, dtMs: dtMs, alpha: false)
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
