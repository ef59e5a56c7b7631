import Foundation
import NDMLModel

/// CPU kernel of `poisson` sources (definition: `NDMLModel/Inputs/PoissonSource.swift`).
///
/// Every neuron emits `m ~ Poisson(λ)` spikes per step, `λ = rate_k(t_n)·dt`, stamped `t_n`. Two
/// exact ways of drawing that, chosen per neuron and schedule segment:
///
/// * λ ≥ ``sparseLimit`` (dense): in step `n` one uniform of the stream `poisson/<population>` at
///   counter (k, n) gives `m` by inversion.
/// * λ < ``sparseLimit`` (sparse): the steps with at least one spike are drawn directly. The gap
///   to the next such step is geometric with success probability `1 − e^(−λ)`,
///   `G = 1 + ⌊ln(u₁)/(−λ)⌋`, and the count there is zero-truncated Poisson(λ), by inversion from
///   `u₂`; both uniforms come from one draw of the stream `poisson-gaps/<population>` at counter
///   (k, j) for the neuron's j-th event. Pending events sit in a min-heap ordered by (step,
///   neuron), so a step costs O(events), not O(neurons): 1000 inputs at 10 Hz cost 1 draw per
///   spike instead of 1000 draws per step. By memorylessness, redrawing every sparse neuron at a
///   schedule change is exact.
///
/// Spikes of one step are appended in ascending neuron order (the two lists are merged), so
/// delivery order is fixed.
///
/// With a `modulation` m_k(n) ∈ [0, 1] (place cells), the schedule's rates are peak rates and the
/// process is thinned: each candidate spike of neuron k in step n is kept with probability
/// m_k(n), from the stream `poisson-thinning/<population>` at counter (k, n) — exactly Poisson
/// with mean λ_k·m_k(n) per step. Dense neurons draw Poisson(λ_k·m_k(n)) directly.
final class PoissonKernel<Scalar: EngineScalar>: SourceKernel {
  let size: Int
  private let stream: RandomStream
  private let gapStream: RandomStream
  /// (first step, λ per neuron, e^−λ per neuron) per schedule segment.
  private let segments: [(firstStep: Int, lambda: [Double], expNegLambda: [Double])]
  private var segmentIndex = -1
  private var denseNeurons: [Int32] = []
  private var pending = EventHeap()
  private var eventCounter: [UInt64]
  private var scratchDense: [Int32] = []
  private var scratchSparse: [(neuron: Int32, count: Int32)] = []
  private let modulation: ((Int, Int) -> Double)?
  private let thinningStream: RandomStream?

  /// λ below which a neuron's spike steps are drawn directly (sparse mode).
  static var sparseLimit: Double { 0.1 }

  init(
    parameters p: PoissonSourceParameters, size: Int, dtMs: Double, stream: RandomStream, gapStream: RandomStream,
    modulation: ((Int, Int) -> Double)? = nil, thinningStream: RandomStream? = nil
  ) {
    self.size = size
    self.modulation = modulation
    self.thinningStream = thinningStream
    self.stream = stream
    self.gapStream = gapStream
    eventCounter = Array(repeating: 0, count: size)
    segments = p.schedule.map { seg in
      let rates = seg.ratesHz.count == 1 ? Array(repeating: seg.ratesHz[0], count: size) : seg.ratesHz
      let lambda = rates.map { $0 * dtMs / 1000 }
      return (Int((seg.startMs / dtMs).rounded()), lambda, lambda.map { exp(-$0) })
    }
  }

  /// Enters segment `index` at step `n`: sorts neurons into dense and sparse, draws every sparse
  /// neuron's first event at or after `n`.
  private func enter(segment index: Int, at n: Int) {
    segmentIndex = index
    let lambda = segments[index].lambda
    denseNeurons = (0..<size).filter { lambda[$0] >= Self.sparseLimit }.map { Int32($0) }
    pending.removeAll()
    for k in 0..<size where lambda[k] > 0 && lambda[k] < Self.sparseLimit {
      scheduleNext(k, after: n - 1, lambda: lambda[k])
    }
  }

  /// Draws neuron `k`'s next event step after `step` and its spike count; queues it.
  @inline(__always)
  private func scheduleNext(_ k: Int, after step: Int, lambda: Double) {
    let (u1, u2) = gapStream.uniformPair(UInt64(k), eventCounter[k])
    eventCounter[k] += 1
    let gap = 1 + (log(u1) / -lambda).rounded(.down)
    guard gap < Double(Int32.max) else { return }  // beyond any run
    // Zero-truncated Poisson(λ): P(m) = e^−λ λ^m / m! / (1 − e^−λ), m ≥ 1.
    let count = poissonInversion(u2, lambda: lambda, first: 1, probability: lambda * exp(-lambda) / -expm1(-lambda))
    pending.push(step: step + Int(gap), neuron: Int32(k), count: Int32(count))
  }

  @_specialize(where Scalar == Double)
  @_specialize(where Scalar == Float)
  func step(_ n: Int, spikes: SpikeBuffer) {
    if segmentIndex < 0 || (segmentIndex + 1 < segments.count && segments[segmentIndex + 1].firstStep <= n) {
      var index = max(segmentIndex, 0)
      while index + 1 < segments.count && segments[index + 1].firstStep <= n { index += 1 }
      enter(segment: index, at: n)
    }
    let segment = segments[segmentIndex]
    scratchSparse.removeAll(keepingCapacity: true)
    while let top = pending.top, top.step == n {
      pending.pop()
      let count = modulation == nil ? top.count : thinned(top.count, neuron: Int(top.neuron), step: n)
      if count > 0 { scratchSparse.append((top.neuron, count)) }
      scheduleNext(Int(top.neuron), after: n, lambda: segment.lambda[Int(top.neuron)])
    }
    guard !denseNeurons.isEmpty else {
      for event in scratchSparse { for _ in 0..<event.count { spikes.append(Int(event.neuron)) } }
      return
    }
    scratchDense.removeAll(keepingCapacity: true)
    segment.expNegLambda.withUnsafeBufferPointer { expNeg in
      segment.lambda.withUnsafeBufferPointer { lambda in
        for k32 in denseNeurons {
          let k = Int(k32)
          let u = stream.uniform(UInt64(k), UInt64(n))
          let lambdaK = modulation.map { lambda[k] * $0(k, n) } ?? lambda[k]
          let count = poissonInversion(
            u, lambda: lambdaK, first: 0, probability: modulation == nil ? expNeg[k] : exp(-lambdaK))
          for _ in 0..<count { scratchDense.append(k32) }
        }
      }
    }
    // Merge both ascending lists (a neuron is in one of them only).
    var d = 0
    for event in scratchSparse {
      while d < scratchDense.count && scratchDense[d] < event.neuron {
        spikes.append(Int(scratchDense[d]))
        d += 1
      }
      for _ in 0..<event.count { spikes.append(Int(event.neuron)) }
    }
    while d < scratchDense.count {
      spikes.append(Int(scratchDense[d]))
      d += 1
    }
  }
}

extension PoissonKernel {
  /// How many of `count` candidate spikes of neuron `k` in step `n` survive thinning.
  fileprivate func thinned(_ count: Int32, neuron k: Int, step n: Int) -> Int32 {
    let keep = modulation!(k, n)
    var kept: Int32 = 0
    for c in stride(from: 0, to: Int(count), by: 2) {
      let (u1, u2) = thinningStream!.uniformPair(UInt64(k) | UInt64(c / 2) << 32, UInt64(n))
      if u1 <= keep { kept += 1 }
      if c + 1 < Int(count) && u2 <= keep { kept += 1 }
    }
    return kept
  }
}

/// Inverts the Poisson(λ) distribution restricted to m ≥ `first` at the uniform `u`, starting from
/// `probability` = P(first): the smallest m with P(first) + … + P(m) ≥ u (capped at 10 000).
@inline(__always)
func poissonInversion(_ u: Double, lambda: Double, first: Int, probability start: Double) -> Int {
  var probability = start
  var cumulative = start
  var count = first
  while u > cumulative && count < 10_000 {
    count += 1
    probability *= lambda / Double(count)
    cumulative += probability
  }
  return count
}

/// A binary min-heap of pending source events ordered by (step, neuron).
struct EventHeap {
  private var steps: [Int] = []
  private var neurons: [Int32] = []
  private var counts: [Int32] = []

  /// The earliest event, if any.
  var top: (step: Int, neuron: Int32, count: Int32)? {
    steps.isEmpty ? nil : (steps[0], neurons[0], counts[0])
  }

  mutating func removeAll() {
    steps.removeAll(keepingCapacity: true)
    neurons.removeAll(keepingCapacity: true)
    counts.removeAll(keepingCapacity: true)
  }

  @inline(__always)
  private func less(_ a: Int, _ b: Int) -> Bool {
    steps[a] < steps[b] || (steps[a] == steps[b] && neurons[a] < neurons[b])
  }

  private mutating func swapAt(_ a: Int, _ b: Int) {
    steps.swapAt(a, b)
    neurons.swapAt(a, b)
    counts.swapAt(a, b)
  }

  mutating func push(step: Int, neuron: Int32, count: Int32) {
    steps.append(step)
    neurons.append(neuron)
    counts.append(count)
    var i = steps.count - 1
    while i > 0 {
      let parent = (i - 1) / 2
      guard less(i, parent) else { break }
      swapAt(i, parent)
      i = parent
    }
  }

  mutating func pop() {
    let last = steps.count - 1
    swapAt(0, last)
    steps.removeLast()
    neurons.removeLast()
    counts.removeLast()
    var i = 0
    while true {
      let l = 2 * i + 1
      let r = l + 1
      var smallest = i
      if l < steps.count && less(l, smallest) { smallest = l }
      if r < steps.count && less(r, smallest) { smallest = r }
      guard smallest != i else { return }
      swapAt(i, smallest)
      i = smallest
    }
  }
}
