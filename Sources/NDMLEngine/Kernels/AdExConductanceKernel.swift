import Foundation
import NDMLModel

/// CPU kernel of `adex` with `synapse_type: conductance` (NEST's `aeif_cond_exp` and
/// `aeif_cond_alpha`; equations, integration scheme and references: `NDMLModel/Neurons/AdEx.swift`).
///
/// Per receptor the conductance is `g` plus, for `synapse_shape: alpha`, the rate variable `y`
/// (`dg/dt = −g/τ + y`, `dy/dt = −y/τ`). With exponential conductances the simulation adds raw
/// weights (nS) straight to `g` between steps (as `lif_coba`); with alpha ones it adds them to the
/// arrival arrays, which step `n` folds into `y` (`y ← y + (e/τ)·arrived`) and clears (as
/// `lif_coba`'s alpha kernel). Then, per neuron:
/// 1. one RK4 step of (V, w) over `h`, the right-hand side evaluated at `min(V, V_peak)` with the
///    exponent argument capped (as the current-based kernel), the conductances taken exactly at
///    `t_n`, `t_n + h/2`, `t_n + h`: `g(t_n + s) = (g + y·s)·e^(−s/τ)` (`y = 0` for exponential);
///    refractory neurons keep `V` and count down; `g ← (g + y·h)·e^(−h/τ)`, `y ← y·e^(−h/τ)`;
/// 2. spike if `V > V_peak`: stamp `t_{n+1}`, start the refractory count, and redo the step in
///    substeps to reset (`V ← V_r`, `w ← w + b`) where the crossing happened (``CrossingStep``).
final class AdExConductanceKernel<Scalar: EngineScalar>: TwoReceptorKernel {
  let size: Int
  private let v: UnsafeMutablePointer<Scalar>
  private let w: UnsafeMutablePointer<Scalar>
  private let ge: UnsafeMutablePointer<Scalar>
  private let gi: UnsafeMutablePointer<Scalar>
  /// The rate variables `y_e`, `y_i` (nS/ms; stay 0 with exponential conductances).
  private let ye: UnsafeMutablePointer<Scalar>
  private let yi: UnsafeMutablePointer<Scalar>
  /// Weights (nS) arrived since the last step, per receptor (alpha conductances only).
  private let arrivedE: UnsafeMutablePointer<Scalar>
  private let arrivedI: UnsafeMutablePointer<Scalar>
  /// Steps of refractoriness left (see ``SpikeResetRule``).
  private let refractory: UnsafeMutablePointer<Scalar>
  /// Injected current per neuron (bias included), pA.
  private let drive: UnsafeMutablePointer<Scalar>
  private let isAlpha: Bool
  private let coefficients: Coefficients
  private let rule: SpikeResetRule<Scalar>
  private let crossing: CrossingStep

  /// Substeps into which a crossing step is split to place the reset (see ``CrossingStep``).
  static var crossingSubsteps: Int { 10 }

  /// Per-run constants of the step.
  private struct Coefficients {
    let h, leak, leakSlope, rest, slopeInverse, exponentialThreshold, peak, exponentCap: Scalar
    let capacitanceInverse, adaptation, tauWInverse, jump, reversalE, reversalI: Scalar
    /// Conductance decays over h/2 and h.
    let halfE, fullE, halfI, fullI: Scalar
    /// What one nS of arrived weight adds to `y` (`e/τ`).
    let riseE, riseI: Scalar
  }

  init(parameters p: AdExParameters, size: Int, dtMs h: Double, initial: [String: (Int) -> Double]) {
    self.size = size
    let (te, ti) = (p.tauSynapticExcitatoryMs, p.tauSynapticInhibitoryMs)
    isAlpha = p.synapseShape == .alpha
    coefficients = Coefficients(
      h: Scalar(h), leak: Scalar(p.leakConductanceNS), leakSlope: Scalar(p.leakConductanceNS * p.slopeFactorMV),
      rest: Scalar(p.restingPotentialMV), slopeInverse: Scalar(1 / p.slopeFactorMV),
      exponentialThreshold: Scalar(p.exponentialThresholdMV), peak: Scalar(p.peakMV),
      exponentCap: Scalar(AdExParameters.exponentCap), capacitanceInverse: Scalar(1 / p.capacitancePF),
      adaptation: Scalar(p.subthresholdAdaptationNS), tauWInverse: Scalar(1 / p.tauAdaptationMs),
      jump: Scalar(p.spikeAdaptationPA), reversalE: Scalar(p.excitatoryReversalMV),
      reversalI: Scalar(p.inhibitoryReversalMV),
      halfE: Scalar(exp(-h / 2 / te)), fullE: Scalar(exp(-h / te)),
      halfI: Scalar(exp(-h / 2 / ti)), fullI: Scalar(exp(-h / ti)),
      riseE: Scalar(exp(1.0) / te), riseI: Scalar(exp(1.0) / ti))
    rule = SpikeResetRule(thresholdMV: p.peakMV, resetMV: p.resetMV, refractoryMs: p.refractoryMs, dtMs: h)
    crossing = CrossingStep(parameters: p, dtMs: h, substeps: Self.crossingSubsteps)
    v = allocateState(size)
    w = allocateState(size)
    ge = allocateState(size)
    gi = allocateState(size)
    ye = allocateState(size)
    yi = allocateState(size)
    arrivedE = allocateState(size)
    arrivedI = allocateState(size)
    refractory = SpikeResetRule.makeCounts(size: size)
    drive = allocateState(size)
    for i in 0..<size {
      v[i] = Scalar(initial["v"]?(i) ?? p.restingPotentialMV)
      w[i] = Scalar(initial["w"]?(i) ?? 0)
      ge[i] = Scalar(initial["g_e"]?(i) ?? 0)
      gi[i] = Scalar(initial["g_i"]?(i) ?? 0)
    }
    for i in 0..<size { setCurrent(p.biasCurrentPA, neuron: i) }
  }

  deinit {
    for p in [v, w, ge, gi, ye, yi, arrivedE, arrivedI, refractory, drive] { p.deallocate() }
  }

  func setCurrent(_ currentPA: Double, neuron: Int) { drive[neuron] = Scalar(currentPA) }

  /// Variables in the order of `NeuronModel.recordableVariables`: v, w, g_e, g_i.
  func value(ofVariable variable: Int, neuron: Int) -> Scalar {
    switch variable {
    case 0: v[neuron]
    case 1: w[neuron]
    case 2: ge[neuron]
    default: gi[neuron]
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
    let reversalE = SIMD8(repeating: c.reversalE)
    let reversalI = SIMD8(repeating: c.reversalI)
    let halfE = SIMD8(repeating: c.halfE)
    let fullE = SIMD8(repeating: c.fullE)
    let halfI = SIMD8(repeating: c.halfI)
    let fullI = SIMD8(repeating: c.fullI)
    let riseE = SIMD8(repeating: c.riseE)
    let riseI = SIMD8(repeating: c.riseI)
    let runaway = SIMD8(repeating: Scalar(SpikeResetRule<Scalar>.runawayMV))

    /// (dV/dt, dw/dt) at (V, w) with conductances `gE`, `gI`, injected current `current`; `free`
    /// zeroes dV/dt of refractory lanes.
    @inline(__always)
    func derivatives(
      _ vm: SIMD8<Scalar>, _ wm: SIMD8<Scalar>, _ gE: SIMD8<Scalar>, _ gI: SIMD8<Scalar>, _ current: SIMD8<Scalar>,
      _ free: SIMD8<Scalar>
    ) -> (SIMD8<Scalar>, SIMD8<Scalar>) {
      let clamped = Scalar.replacing(vm, with: peak, where: Scalar.lanesGreater(vm, peak))
      let x = (clamped - exponentialThreshold) * slopeInverse
      let spike = leakSlope * Scalar.exponential(Scalar.replacing(x, with: cap, where: Scalar.lanesGreater(x, cap)))
      let synaptic = gE * (reversalE - clamped) + gI * (reversalI - clamped)
      let dv = (leak * (rest - clamped) + spike - wm + current + synaptic) * capacitanceInverse * free
      let dw = (adaptation * (clamped - rest) - wm) * tauWInverse
      return (dv, dw)
    }

    var sound = Scalar.Mask(repeating: true)
    var out = spikes.writer(reserving: neurons.count + laneCount)
    for i in stride(from: neurons.lowerBound, to: neurons.upperBound, by: laneCount) {
      var yE = ye.lanes(i)
      var yI = yi.lanes(i)
      if isAlpha {
        yE += arrivedE.lanes(i) * riseE
        yI += arrivedI.lanes(i) * riseI
        arrivedE.setLanes(i, zero)
        arrivedI.setLanes(i, zero)
      }
      let e = ge.lanes(i)
      let inh = gi.lanes(i)
      let vOld = v.lanes(i)
      let wOld = w.lanes(i)
      let current = drive.lanes(i)
      let free = Scalar.select(Scalar.lanesLessOrEqual(refractory.lanes(i), zero), one, zero)
      let eHalf = (e + yE * halfH) * halfE
      let iHalf = (inh + yI * halfH) * halfI
      let eEnd = (e + yE * h) * fullE
      let iEnd = (inh + yI * h) * fullI
      let (k1v, k1w) = derivatives(vOld, wOld, e, inh, current, free)
      let (k2v, k2w) = derivatives(vOld + halfH * k1v, wOld + halfH * k1w, eHalf, iHalf, current, free)
      let (k3v, k3w) = derivatives(vOld + halfH * k2v, wOld + halfH * k2w, eHalf, iHalf, current, free)
      let (k4v, k4w) = derivatives(vOld + h * k3v, wOld + h * k3w, eEnd, iEnd, current, free)
      let vFree = vOld + sixthH * (k1v + two * (k2v + k3v) + k4v)
      let wFree = wOld + sixthH * (k1w + two * (k2w + k3w) + k4w)
      ge.setLanes(i, eEnd)
      gi.setLanes(i, iEnd)
      if isAlpha {
        ye.setLanes(i, yE * fullE)
        yi.setLanes(i, yI * fullI)
      }
      let spiking = rule.apply(
        chunk: i, old: vOld, free: vFree, threshold: peak, v: v, counts: refractory, spikes: &out)
      w.setLanes(i, wFree + Scalar.select(spiking, jump, zero))
      if Scalar.anyLane(spiking) {
        for lane in 0..<laneCount where spiking[lane] {
          let (vAfter, wAfter) = crossing.resolve(
            v: Double(vOld[lane]), w: Double(wOld[lane]), gE: Double(e[lane]), yE: Double(yE[lane]),
            gI: Double(inh[lane]), yI: Double(yI[lane]), currentPA: Double(current[lane]))
          v[i + lane] = Scalar(vAfter)
          w[i + lane] = Scalar(wAfter)
        }
      }
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

/// The step in which a neuron crosses V_peak, redone in `substeps` RK4 substeps (in Double) so that
/// the reset happens where NEST's `aeif_cond_*` put it: at the end of the first substep that ends
/// above V_peak, `V ← V_r`, `w ← w + b`, and the rest of the step is integrated from there (with
/// `V` held at `V_r` when `tau_ref > 0`, as NEST holds it for the rest of its step). Without this
/// the reset would come at the end of the step, on average half a step late, and the lag would
/// build up over a spike train (first order in dt); with it the lag is at most `h/substeps`.
/// Only spiking neurons take this path.
private struct CrossingStep {
  let leak, leakSlope, rest, slopeInverse, exponentialThreshold, peak, reset, capacitanceInverse: Double
  let adaptation, tauWInverse, jump, reversalE, reversalI: Double
  let substepMs: Double
  let substeps: Int
  let holdsAfterReset: Bool
  /// e^(−s/τ) at `s = j·substepMs/2`, `j = 0 … 2·substeps`, per receptor.
  let decayE, decayI: [Double]

  init(parameters p: AdExParameters, dtMs h: Double, substeps: Int) {
    leak = p.leakConductanceNS
    leakSlope = p.leakConductanceNS * p.slopeFactorMV
    rest = p.restingPotentialMV
    slopeInverse = 1 / p.slopeFactorMV
    exponentialThreshold = p.exponentialThresholdMV
    peak = p.peakMV
    reset = p.resetMV
    capacitanceInverse = 1 / p.capacitancePF
    adaptation = p.subthresholdAdaptationNS
    tauWInverse = 1 / p.tauAdaptationMs
    jump = p.spikeAdaptationPA
    reversalE = p.excitatoryReversalMV
    reversalI = p.inhibitoryReversalMV
    substepMs = h / Double(substeps)
    self.substeps = substeps
    holdsAfterReset = (p.refractoryMs / h).rounded() > 0
    let half = substepMs / 2
    decayE = (0...2 * substeps).map { exp(-Double($0) * half / p.tauSynapticExcitatoryMs) }
    decayI = (0...2 * substeps).map { exp(-Double($0) * half / p.tauSynapticInhibitoryMs) }
  }

  /// (dV/dt, dw/dt), the right-hand side of the SIMD step (clamp and exponent cap included).
  private func derivatives(_ v: Double, _ w: Double, _ gE: Double, _ gI: Double, _ current: Double, _ free: Double)
    -> (Double, Double)
  {
    let clamped = min(v, peak)
    let x = min((clamped - exponentialThreshold) * slopeInverse, AdExParameters.exponentCap)
    let synaptic = gE * (reversalE - clamped) + gI * (reversalI - clamped)
    let dv = (leak * (rest - clamped) + leakSlope * exp(x) - w + current + synaptic) * capacitanceInverse * free
    return (dv, (adaptation * (clamped - rest) - w) * tauWInverse)
  }

  /// (V, w) at the end of the step that started at (v, w) with conductances `g + y·s` times the
  /// decay, `s` the time into the step.
  func resolve(v v0: Double, w w0: Double, gE: Double, yE: Double, gI: Double, yI: Double, currentPA: Double)
    -> (Double, Double)
  {
    var (v, w) = (v0, w0)
    var free = 1.0
    var fired = false
    let h = substepMs
    func conductances(_ j: Int) -> (Double, Double) {
      let s = Double(j) * h / 2
      return ((gE + yE * s) * decayE[j], (gI + yI * s) * decayI[j])
    }
    for k in 0..<substeps {
      let (e1, i1) = conductances(2 * k)
      let (e2, i2) = conductances(2 * k + 1)
      let (e4, i4) = conductances(2 * k + 2)
      let (k1v, k1w) = derivatives(v, w, e1, i1, currentPA, free)
      let (k2v, k2w) = derivatives(v + h / 2 * k1v, w + h / 2 * k1w, e2, i2, currentPA, free)
      let (k3v, k3w) = derivatives(v + h / 2 * k2v, w + h / 2 * k2w, e2, i2, currentPA, free)
      let (k4v, k4w) = derivatives(v + h * k3v, w + h * k3w, e4, i4, currentPA, free)
      v += h / 6 * (k1v + 2 * (k2v + k3v) + k4v)
      w += h / 6 * (k1w + 2 * (k2w + k3w) + k4w)
      if !fired && v > peak {
        fired = true
        v = reset
        w += jump
        if holdsAfterReset { free = 0 }
      }
    }
    // The full step crossed but its substeps did not (they are more accurate): reset at the end.
    if !fired { return (reset, w + jump) }
    return (v, w)
  }
}

extension AdExConductanceKernel {
  var excitatoryInput: UnsafeMutablePointer<Scalar> { isAlpha ? arrivedE : ge }
  var inhibitoryInput: UnsafeMutablePointer<Scalar> { isAlpha ? arrivedI : gi }
}

extension AdExConductanceKernel: ArrayStateKernel {
  static var stateName: String { "adex_conductance" }

  var stateArrays: [(name: String, values: UnsafeMutablePointer<Scalar>)] {
    [
      ("v", v), ("w", w), ("g_e", ge), ("g_i", gi), ("y_e", ye), ("y_i", yi), ("arrived_e", arrivedE),
      ("arrived_i", arrivedI), ("refractory", refractory), ("drive (pA)", drive),
    ]
  }
}
