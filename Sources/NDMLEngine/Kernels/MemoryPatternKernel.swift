import Foundation
import NDMLModel

/// CPU kernel of `memory_patterns` (definition: `NDMLModel/Inputs/MemoryPatterns.swift`).
///
/// An item's neurons are drawn on demand by geometric skipping (one uniform per member, gap
/// `⌊ln u / ln(1 − f_p)⌋`), keyed by (item, draw), so presenting an item costs O(its size).
final class MemoryPatternKernel<Scalar: EngineScalar>: SourceKernel {
  let size: Int
  private let parameters: MemoryPatternParameters
  private let members: RandomStream
  private let masks: RandomStream
  private let startStep: Int
  private let periodSteps: Int
  private let recallStartStep: Int
  private let recallPeriodSteps: Int
  private let noise: RandomStream
  /// Extra presentations (memory recall probes), by step ascending.
  private var probeSteps: [Int] = []
  private var probeNeurons: [[Int32]] = []

  init(parameters p: MemoryPatternParameters, size: Int, dtMs: Double, seed: UInt64, population: String) {
    self.size = size
    parameters = p
    members = RandomStream(seed: seed, purpose: "patterns/\(population)")
    masks = RandomStream(seed: seed, purpose: "pattern-masks/\(population)")
    noise = RandomStream(seed: seed, purpose: "pattern-noise/\(population)")
    func steps(_ ms: Double) -> Int { Int((ms / dtMs).rounded()) }
    startStep = steps(p.startMs)
    periodSteps = max(1, steps(p.periodMs))
    recallStartStep = steps(p.effectiveRecallStartMs)
    recallPeriodSteps = max(1, steps(p.effectiveRecallPeriodMs))
  }

  /// The neurons of item μ, ascending.
  func pattern(_ mu: Int) -> [Int32] {
    var out: [Int32] = []
    let logMiss = log1p(-parameters.density)
    var j = -1
    var draw: UInt64 = 0
    while true {
      let u = members.uniform(UInt64(mu), draw)
      draw += 1
      let gap = parameters.density >= 1 ? 0 : (log(u) / logMiss).rounded(.down)
      guard gap < Double(size) else { break }
      j += 1 + Int(gap)
      guard j < size else { break }
      out.append(Int32(j))
    }
    return out
  }

  /// Item μ without ⌊count·mask_fraction⌋ of its neurons (partial Fisher–Yates, stream
  /// `pattern-masks`), plus ⌊count·noise_fraction⌋ random non-members (stream `pattern-noise`, at
  /// most all of them), ascending; keyed by μ alone, so every cue of an item is the same.
  func cue(_ mu: Int, maskFraction: Double? = nil, noiseFraction: Double = 0) -> [Int32] {
    var neurons = pattern(mu)
    let members = Set(neurons)
    let count = neurons.count
    let removed = Int((Double(count) * (maskFraction ?? parameters.maskFraction)).rounded(.down))
    for r in 0..<removed {
      let u = masks.uniform(UInt64(mu), UInt64(r))
      let k = r + min(Int(u * Double(count - r)), count - r - 1)
      neurons.swapAt(r, k)
    }
    var out = Array(neurons[removed...])
    let added = min(Int((Double(count) * noiseFraction).rounded(.down)), size - count)
    var chosen = Set<Int32>()
    var draw: UInt64 = 0
    while chosen.count < added {
      let j = Int32(min(Int(noise.uniform(UInt64(mu), draw) * Double(size)), size - 1))
      draw += 1
      if !members.contains(j) && chosen.insert(j).inserted { out.append(j) }
    }
    return out.sorted()
  }

  /// Adds presentations of `neurons` at `step` (recall probes); call before the run. A
  /// presentation already there (another tracker probing the same cue at the same step) is kept
  /// once: a neuron spikes once per presentation.
  func addPresentations(_ presentations: [(step: Int, neurons: [Int32])]) {
    var merged = zip(probeSteps, probeNeurons).map { ($0, $1) }
    for p in presentations where !merged.contains(where: { $0.0 == p.step && $0.1 == p.neurons }) {
      merged.append((p.step, p.neurons))
    }
    merged.sort { $0.0 < $1.0 }
    probeSteps = merged.map(\.0)
    probeNeurons = merged.map(\.1)
  }

  @_specialize(where Scalar == Double)
  @_specialize(where Scalar == Float)
  func emit(_ n: Int, spikes: SpikeBuffer) {
    let p = parameters
    if n >= startStep && (n - startStep) % periodSteps == 0 {
      let mu = (n - startStep) / periodSteps
      if mu < p.patterns { for j in pattern(mu) { spikes.append(Int(j)) } }
    }
    if p.recallPatterns > 0 && n >= recallStartStep && (n - recallStartStep) % recallPeriodSteps == 0 {
      let slot = (n - recallStartStep) / recallPeriodSteps
      let k = slot / 2
      if k < p.recallPatterns {
        let mu = p.testedPattern(k)
        for j in slot % 2 == 0 ? pattern(mu) : cue(mu) { spikes.append(Int(j)) }
      }
    }
    if !probeSteps.isEmpty {
      var (lo, hi) = (0, probeSteps.count)
      while lo < hi {
        let mid = (lo + hi) / 2
        if probeSteps[mid] < n { lo = mid + 1 } else { hi = mid }
      }
      while lo < probeSteps.count && probeSteps[lo] == n {
        for j in probeNeurons[lo] { spikes.append(Int(j)) }
        lo += 1
      }
    }
  }
}

extension MemoryPatternKernel {
  // Stateless: the spikes of step n are a function of n and the seed.
  func saveState(to archive: inout StateArchiveWriter, step: Int) {
    archive.section("memory_patterns", shape: [size])
  }

  func restoreState(from archive: inout StateArchiveReader, step: Int) throws {
    try archive.section("memory_patterns", shape: [size])
  }
}
