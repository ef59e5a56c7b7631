import Foundation
import NDMLModel

/// CPU kernel of `stc`, synaptic tagging and capture (equations, numerics and references:
/// `NDMLModel/Plasticity/TaggingCapture.swift`).
///
/// Per synapse: calcium c and early weight h at the time of the synapse's last touch, the late
/// weight z and the tag; per target: protein p and its drive. The early phase is advanced exactly
/// and event-driven (``advanceEarly(_:_:over:)``); presynaptic calcium jumps wait D after their
/// arrival in a time-ordered queue (one delay for the whole projection) and are applied when due,
/// before any later event. Tags, protein and late phase advance on the kernel's slow clock, as a
/// ``SlowProcess`` the simulation ticks. One thread.
final class TaggingCaptureKernel<Scalar: EngineScalar>: PlasticityKernel, SlowProcess {
  let table: SynapseTable<Scalar>
  let name: String
  let clockSteps: Int
  private let parameters: TaggingCaptureParameters
  private let dtMs: Double
  private let incoming: IncomingSynapses
  private let phases: EarlyPhases

  private var calcium: [Double]
  private var early: [Double]
  private var late: [Double]
  private var lastMs: [Double]
  /// −1, 0 or +1, as of the last tick.
  private var tags: [Double]
  private var protein: [Double]
  /// 1 while the target's Σ|h − h₀| exceeded θ_pro at the last tick, else 0.
  private var drive: [Double]
  private var lastTick = 0
  /// Presynaptic calcium jumps not yet applied: due time (ms) and source, in time order.
  private var pendingMs: [Double] = []
  private var pendingSource: [Int] = []
  private var pendingHead = 0
  /// The noise stream (nil without noise) and each synapse's count of noisy advances.
  private let noise: RandomStream?
  private var draws: [UInt64]

  init(
    table: SynapseTable<Scalar>, parameters p: TaggingCaptureParameters, targetSize: Int, dtMs: Double,
    clockSteps: Int, seed: UInt64
  ) {
    noise = p.sigma > 0 ? RandomStream(seed: seed, purpose: "stc-noise/\(table.projectionName)") : nil
    draws = Array(repeating: 0, count: table.count)
    self.table = table
    name = "stc of \(table.projectionName)"
    self.clockSteps = max(1, clockSteps)
    parameters = p
    self.dtMs = dtMs
    incoming = IncomingSynapses(table: table, targetSize: targetSize)
    phases = EarlyPhases(p)
    calcium = Array(repeating: 0, count: table.count)
    early = (0..<table.count).map { Double(table.weights[$0]) }
    late = Array(repeating: 0, count: table.count)
    lastMs = Array(repeating: 0, count: table.count)
    tags = Array(repeating: 0, count: table.count)
    protein = Array(repeating: 0, count: targetSize)
    drive = Array(repeating: 0, count: targetSize)
  }

  var indexBytes: Int { incoming.bytes }

  var isClocked: Bool { true }

  /// The early phase's three regimes as (rate 1/ms, fixed point mV), and the calcium constants.
  struct EarlyPhases {
    let potentiation: (rate: Double, fixed: Double)
    let depression: (rate: Double, fixed: Double)
    let rest: (rate: Double, fixed: Double)
    let tauC: Double
    let thetaP: Double
    let thetaD: Double
    /// Noise intensity B = σ²/τ_h (mV²/ms) between θ_d and θ_p; twice that above θ_p.
    let noise: Double

    init(_ p: TaggingCaptureParameters) {
      let tauH = p.tauEarlyS * 1000
      let sumP = 0.1 + p.gammaP + p.gammaD
      potentiation = (sumP / tauH, (0.1 * p.h0 + p.gammaP * p.hMax) / sumP)
      depression = ((0.1 + p.gammaD) / tauH, 0.1 * p.h0 / (0.1 + p.gammaD))
      rest = (0.1 / tauH, p.h0)
      tauC = p.tauCalciumMs
      thetaP = p.thetaP
      thetaD = p.thetaD
      noise = p.sigma * p.sigma / tauH
    }
  }

  /// Calcium and early weight after `elapsed` ms without calcium jumps, from (c, h): exact. While
  /// c ≥ θ_p (for τ_c·ln(c/θ_p)) h relaxes to the potentiation fixed point, then while c ≥ θ_d to
  /// the depression one, then to h₀. `normals` are the standard normal draws of the two noisy
  /// phases (zeros: the noise-free course).
  @inline(__always)
  static func advanceEarly(
    _ c: Double, _ h: Double, over elapsed: Double, _ k: EarlyPhases, normals: (Double, Double) = (0, 0)
  ) -> (Double, Double) {
    guard elapsed > 0 else { return (c, h) }
    var h = h
    var spent = 0.0
    /// The exact OU step toward `fixed` at `rate` over `span` with intensity `b`.
    func relax(_ fixed: Double, _ rate: Double, _ span: Double, _ b: Double, _ normal: Double) {
      let decay = exp(-rate * span)
      h = fixed + (h - fixed) * decay
      if b > 0 && normal != 0 { h += (b * (1 - decay * decay) / (2 * rate)).squareRoot() * normal }
    }
    if c > k.thetaP {
      let span = min(elapsed, k.tauC * log(c / k.thetaP))
      relax(k.potentiation.fixed, k.potentiation.rate, span, 2 * k.noise, normals.0)
      spent = span
    }
    if spent < elapsed && c > k.thetaD {
      let span = min(elapsed, k.tauC * log(c / k.thetaD)) - spent
      if span > 0 {
        relax(k.depression.fixed, k.depression.rate, span, k.noise, normals.1)
        spent += span
      }
    }
    if spent < elapsed {
      h = k.rest.fixed + (h - k.rest.fixed) * exp(-k.rest.rate * (elapsed - spent))
    }
    return (c * exp(-elapsed / k.tauC), h)
  }

  /// Advances synapse `s` to `t` ms (never backwards), with noise while calcium is above θ_d.
  @inline(__always)
  private func advance(_ s: Int, to t: Double) {
    let elapsed = t - lastMs[s]
    guard elapsed > 0 else { return }
    var normals = (0.0, 0.0)
    if let noise, calcium[s] > phases.thetaD {
      let (u1, u2) = noise.uniformPair(UInt64(s), draws[s])
      draws[s] += 1
      let r = (-2 * log(u1)).squareRoot()
      normals = (r * cos(2 * Double.pi * u2), r * sin(2 * Double.pi * u2))
    }
    (calcium[s], early[s]) = Self.advanceEarly(calcium[s], early[s], over: elapsed, phases, normals: normals)
    lastMs[s] = t
  }

  /// Writes the expressed weight `h + h₀·z` of synapse `s` into the table.
  @inline(__always)
  private func express(_ s: Int) {
    table.weights[s] = Scalar(early[s] + parameters.h0 * late[s])
  }

  /// A calcium jump of `amount` at synapse `s` at `t` ms.
  @inline(__always)
  private func jump(_ s: Int, _ amount: Double, at t: Double) {
    advance(s, to: t)
    calcium[s] += amount
    express(s)
  }

  /// Applies every queued presynaptic calcium jump due at or before `t` ms, in time order.
  private func drain(upTo t: Double) {
    while pendingHead < pendingMs.count && pendingMs[pendingHead] <= t {
      let due = pendingMs[pendingHead]
      for s in table.row(pendingSource[pendingHead], part: 0) { jump(s, parameters.calciumPre, at: due) }
      pendingHead += 1
    }
    if pendingHead > 1024 && 2 * pendingHead > pendingMs.count {
      pendingMs.removeFirst(pendingHead)
      pendingSource.removeFirst(pendingHead)
      pendingHead = 0
    }
  }

  func presynapticArrivals(_ indices: UnsafePointer<Int32>, count: Int, step: Int, part: Int) {
    let now = Double(step) * dtMs
    for k in 0..<count {
      pendingMs.append(now + parameters.calciumDelayMs)
      pendingSource.append(Int(indices[k]))
    }
    drain(upTo: now)
  }

  func postsynapticSpikes(_ indices: UnsafePointer<Int32>, count: Int, step: Int, part: Int) {
    let now = Double(step) * dtMs
    drain(upTo: now)
    for k in 0..<count {
      incoming.forEach(of: Int(indices[k]), in: table) { _, s in jump(s, parameters.calciumPost, at: now) }
    }
  }

  func advance(toStep step: Int) { drain(upTo: Double(step) * dtMs) }

  /// Advances tags, protein and late phase over `[t_last, t_n]` with the previous tick's drives and
  /// tags held, then computes the new ones and writes every weight.
  func tick(atStep n: Int) {
    guard n > lastTick else { return }
    let now = Double(n) * dtMs
    drain(upTo: now)
    let elapsed = Double(n - lastTick) * dtMs
    let p = parameters
    let tauP = p.tauProteinS * 1000
    let decay = exp(-elapsed / tauP)
    var integral = [Double](repeating: 0, count: protein.count)
    for i in protein.indices {
      let target = p.alpha * drive[i]
      integral[i] = target * elapsed + (protein[i] - target) * tauP * (1 - decay)
      protein[i] = target + (protein[i] - target) * decay
    }
    let rate = p.fInt / (p.tauLateS * 1000)
    var deviation = [Double](repeating: 0, count: protein.count)
    let targets = table.targets
    for s in 0..<table.count {
      let i = Int(targets[s])
      advance(s, to: now)
      if tags[s] != 0 && integral[i] > 0 {
        let e = exp(-rate * integral[i])
        late[s] = tags[s] > 0 ? 1 - (1 - late[s]) * e : -0.5 + (late[s] + 0.5) * e
      }
      let d = early[s] - p.h0
      tags[s] = d >= p.thetaTag ? 1 : (-d >= p.thetaTag ? -1 : 0)  // ≥ as in the authors' code
      deviation[i] += abs(d)
      express(s)
    }
    for i in drive.indices { drive[i] = deviation[i] >= p.thetaPro ? 1 : 0 }
    lastTick = n
  }

  func finish(atStep n: Int) { tick(atStep: n) }

  func traceValue(_ trace: Int, neuron: Int, step: Int) -> Double {
    let now = Double(step) * dtMs
    switch trace {
    case 0:
      let target = parameters.alpha * drive[neuron]
      let elapsed = max(0, now - Double(lastTick) * dtMs)
      return target + (protein[neuron] - target) * exp(-elapsed / (parameters.tauProteinS * 1000))
    default:
      var (sum, n) = (0.0, 0)
      incoming.forEach(of: neuron, in: table) { _, s in
        switch trace {
        case 1: sum += Self.advanceEarly(calcium[s], early[s], over: now - lastMs[s], phases).1
        case 2: sum += late[s]
        default: sum += tags[s] != 0 ? 1 : 0
        }
        n += 1
      }
      return n > 0 ? sum / Double(n) : 0
    }
  }

  func saveState(to archive: inout StateArchiveWriter, step: Int) {
    archive.section("stc", shape: [table.count, protein.count])
    archive.write(table.weights, count: table.count)
    for values in [calcium, early, late, lastMs, tags, protein, drive] { archive.write(values) }
    archive.write(draws)
    archive.write(lastTick)
    archive.write(Array(pendingMs[pendingHead...]))
    archive.write(Array(pendingSource[pendingHead...]))
  }

  func restoreState(from archive: inout StateArchiveReader, step: Int) throws {
    try archive.section("stc", shape: [table.count, protein.count])
    try archive.read(into: table.weights, count: table.count)
    calcium = try archive.readArray(count: table.count)
    early = try archive.readArray(count: table.count)
    late = try archive.readArray(count: table.count)
    lastMs = try archive.readArray(count: table.count)
    tags = try archive.readArray(count: table.count)
    protein = try archive.readArray(count: protein.count)
    drive = try archive.readArray(count: drive.count)
    draws = try archive.readArray(count: table.count)
    lastTick = try archive.readInt()
    pendingMs = try archive.readArray()
    pendingSource = try archive.readArray(count: pendingMs.count)
    pendingHead = 0
  }
}

extension TaggingCaptureKernel: MemoryVariableSource {
  /// Applies the calcium jumps due by step `n`, then advances the early phase of `synapses` to it
  /// (exact; with noise the extra advance splits a noisy phase's draw in two).
  func synchronize(_ synapses: [Int], atStep n: Int) {
    let now = Double(n) * dtMs
    drain(upTo: now)
    for s in synapses {
      advance(s, to: now)
      express(s)
    }
  }

  /// The early phase's relaxation to h₀ over a storage window is ≈ 1e-4 of its deviation; an
  /// item's calcium moves h by millivolts.
  var negligibleChange: Double { 1e-3 }

  /// `tag` (−1, 0, +1 as of the last tick) and `late` (z).
  var memoryVariables: [MemoryVariable] {
    [
      MemoryVariable(name: "tag", role: .tag) { [unowned self] s in tags[s] },
      MemoryVariable(name: "late", role: .slow) { [unowned self] s in late[s] },
    ]
  }
}
