import Foundation
import NDMLModel

/// CPU kernel of `adex` (equations, integration scheme and references:
/// `NDMLModel/Neurons/AdEx.swift`).
///
/// Step `n` (synaptic jumps arriving at `t_n` already added by the simulation) → `t_{n+1}`, per
/// neuron:
/// 1. one RK4 step of (V, w) over `h`, the right-hand side evaluated at `min(V, V_peak)` with the
///    exponent argument capped, the synaptic currents taken exactly at `t_n`, `t_n + h/2`,
///    `t_n + h`; refractory neurons keep `V` (its derivative is zeroed in every stage, so `w`
///    evolves with `V = V_r`) and count down; `s_x ← s_x·e^(−h/τ_x)`;
/// 2. spike if `V > V_peak`: stamp `t_{n+1}`, `V ← V_r`, `w ← w + b`, start the refractory count.
final class AdExKernel<Scalar: EngineScalar>: TwoReceptorKernel {
  let size: Int
  private let v: UnsafeMutablePointer<Scalar>
  private let w: UnsafeMutablePointer<Scalar>
  private let se: UnsafeMutablePointer<Scalar>
  private let si: UnsafeMutablePointer<Scalar>
  /// Steps of refractoriness left (see ``SpikeResetRule``).
  private let refractory: UnsafeMutablePointer<Scalar>
  /// Injected current per neuron (bias included), pA.
  private let drive: UnsafeMutablePointer<Scalar>
  private let coefficients: Coefficients
  private let rule: SpikeResetRule<Scalar>

  /// Per-run constants of the step (NEST's `Variables_`).
  private struct Coefficients {
    let h, leak, leakSlope, rest, slopeInverse, exponentialThreshold, peak, exponentCap: Scalar
    let capacitanceInverse, adaptation, tauWInverse, jump: Scalar
    /// Synaptic decays over h/2 and h.
    let halfE, fullE, halfI, fullI: Scalar
  }

  init(parameters p: AdExParameters, size: Int, dtMs h: Double, initial: [String: (Int) -> Double]) {
    self.size = size
    coefficients = Coefficients(
      h: Scalar(h), leak: Scalar(p.leakConductanceNS), leakSlope: Scalar(p.leakConductanceNS * p.slopeFactorMV),
      rest: Scalar(p.restingPotentialMV), slopeInverse: Scalar(1 / p.slopeFactorMV),
      exponentialThreshold: Scalar(p.exponentialThresholdMV), peak: Scalar(p.peakMV),
      exponentCap: Scalar(AdExParameters.exponentCap), capacitanceInverse: Scalar(1 / p.capacitancePF),
      adaptation: Scalar(p.subthresholdAdaptationNS), tauWInverse: Scalar(1 / p.tauAdaptationMs),
      jump: Scalar(p.spikeAdaptationPA),
      halfE: Scalar(exp(-h / 2 / p.tauSynapticExcitatoryMs)), fullE: Scalar(exp(-h / p.tauSynapticExcitatoryMs)),
      halfI: Scalar(exp(-h / 2 / p.tauSynapticInhibitoryMs)), fullI: Scalar(exp(-h / p.tauSynapticInhibitoryMs)))
    rule = SpikeResetRule(thresholdMV: p.peakMV, resetMV: p.resetMV, refractoryMs: p.refractoryMs, dtMs: h)
    v = allocateState(size)
    w = allocateState(size)
    se = allocateState(size)
    si = allocateState(size)
    refractory = SpikeResetRule.makeCounts(size: size)
    drive = allocateState(size)
    for i in 0..<size {
      v[i] = Scalar(initial["v"]?(i) ?? p.restingPotentialMV)
      w[i] = Scalar(initial["w"]?(i) ?? 0)
      se[i] = Scalar(initial["s_e"]?(i) ?? 0)
      si[i] = Scalar(initial["s_i"]?(i) ?? 0)
    }
    for i in 0..<size { setCurrent(p.biasCurrentPA, neuron: i) }
  }

  deinit {
    for p in [v, w, se, si, refractory, drive] { p.deallocate() }
  }

  func setCurrent(_ currentPA: Double, neuron: Int) { drive[neuron] = Scalar(currentPA) }

  /// Variables in the order of `NeuronModel.recordableVariables`: v, w, s_e, s_i.
  func value(ofVariable variable: Int, neuron: Int) -> Scalar {
    switch variable {
    case 0: v[neuron]
    case 1: w[neuron]
    case 2: se[neuron]
    default: si[neuron]
    }
  }

  @_specialize(where Scalar == Double)
  @_specialize(where Scalar == Float)
  func step(_ n: Int, neurons: Range<Int>, spikes: SpikeBuffer) -> Bool {
    let c = coefficients
    let h = SIMD8(repeating: c.h)
    let halfH = SIMD8(repeating: c.h / 2)
    let sixthH = SIMD8(repeating: c.h / 6)
    let two = SIMD8<Scalar>(repeating: 2)
    let zero = SIMD8<Scalar>.zero
    let one = SIMD8<Scalar>(repeating: 1)
    let leak = SIMD8(repeating: c.leak)
    let leakSlope = SIMD8(repeating: c.leakSlope)
    let rest = SIMD8(repeating: c.rest)
    let slopeInverse = SIMD8(repeating: c.slopeInverse)
    let exponentialThreshold = SIMD8(repeating: c.exponentialThreshold)
    let peak = SIMD8(repeating: c.peak)
    let cap = SIMD8(repeating: c.exponentCap)
    let capacitanceInverse = SIMD8(repeating: c.capacitanceInverse)
    let adaptation = SIMD8(repeating: c.adaptation)
    let tauWInverse = SIMD8(repeating: c.tauWInverse)
    let jump = SIMD8(repeating: c.jump)
    let runaway = SIMD8(repeating: Scalar(SpikeResetRule<Scalar>.runawayMV))

    /// (dV/dt, dw/dt) at (V, w) with synaptic current `s`, injected current `current`; `free`
    /// zeroes dV/dt of refractory lanes.
    @inline(__always)
    func derivatives(
      _ vm: SIMD8<Scalar>, _ wm: SIMD8<Scalar>, _ s: SIMD8<Scalar>, _ current: SIMD8<Scalar>, _ free: SIMD8<Scalar>
    ) -> (SIMD8<Scalar>, SIMD8<Scalar>) {
      let clamped = Scalar.replacing(vm, with: peak, where: Scalar.lanesGreater(vm, peak))
      let x = (clamped - exponentialThreshold) * slopeInverse
      let spike = leakSlope * Scalar.exponential(Scalar.replacing(x, with: cap, where: Scalar.lanesGreater(x, cap)))
      let dv = (leak * (rest - clamped) + spike - wm + current + s) * capacitanceInverse * free
      let dw = (adaptation * (clamped - rest) - wm) * tauWInverse
      return (dv, dw)
    }

    var sound = Scalar.Mask(repeating: true)
    var out = spikes.writer(reserving: neurons.count + laneCount)
    for i in stride(from: neurons.lowerBound, to: neurons.upperBound, by: laneCount) {
      let e = se.lanes(i)
      let inh = si.lanes(i)
      let vOld = v.lanes(i)
      let wOld = w.lanes(i)
      let current = drive.lanes(i)
      let free = Scalar.select(Scalar.lanesLessOrEqual(refractory.lanes(i), zero), one, zero)
      let sStart = e + inh
      let sHalf = e * SIMD8(repeating: c.halfE) + inh * SIMD8(repeating: c.halfI)
      let eEnd = e * SIMD8(repeating: c.fullE)
      let iEnd = inh * SIMD8(repeating: c.fullI)
      let (k1v, k1w) = derivatives(vOld, wOld, sStart, current, free)
      let (k2v, k2w) = derivatives(vOld + halfH * k1v, wOld + halfH * k1w, sHalf, current, free)
      let (k3v, k3w) = derivatives(vOld + halfH * k2v, wOld + halfH * k2w, sHalf, current, free)
      let (k4v, k4w) = derivatives(vOld + h * k3v, wOld + h * k3w, eEnd + iEnd, current, free)
      let vFree = vOld + sixthH * (k1v + two * (k2v + k3v) + k4v)
      let wFree = wOld + sixthH * (k1w + two * (k2w + k3w) + k4w)
      se.setLanes(i, eEnd)
      si.setLanes(i, iEnd)
      let spiking = rule.apply(
        chunk: i, old: vOld, free: vFree, threshold: peak, v: v, counts: refractory, spikes: &out)
      w.setLanes(i, wFree + Scalar.select(spiking, jump, zero))
      // A spiking lane may end far above V_peak (the crossing step); what must stay sound is the
      // state kept: the reset voltage there, and w.
      let kept = Scalar.select(spiking, rule.reset, vFree)
      sound = Scalar.lanesAnd(
        sound,
        Scalar.lanesAnd(Scalar.lanesBelow(magnitude: kept, runaway), Scalar.lanesBelow(magnitude: wFree, runaway)))
    }
    spikes.commit(out)
    return !Scalar.allLanes(sound)
  }
}

extension AdExKernel {
  var excitatoryInput: UnsafeMutablePointer<Scalar> { se }
  var inhibitoryInput: UnsafeMutablePointer<Scalar> { si }
}

extension AdExKernel: ArrayStateKernel {
  static var stateName: String { "adex" }

  var stateArrays: [(name: String, values: UnsafeMutablePointer<Scalar>)] {
    [
      ("v", v), ("w", w), ("s_e", se), ("s_i", si), ("refractory", refractory), ("drive (pA)", drive),
    ]
  }
}
