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
///   (k, j) for the neuron's j-th event. Pending events wait in a timing wheel (one bucket per
///   step for the next ``wheelSteps`` steps, a list for later ones, moved into the wheel every
///   ``wheelSteps`` steps), so a step costs O(its events), not O(neurons) or O(log events): 1000
///   inputs at 10 Hz cost one draw per spike instead of 1000 draws per step. By memorylessness,
///   redrawing every sparse neuron at a schedule change is exact.
///
/// Spikes of one step are appended in ascending neuron order (the bucket is sorted, the dense
/// list merged in), so delivery order is fixed. Threads may step disjoint neuron ranges: each has
/// its own wheel, and every draw is keyed by neuron, so the spikes do not depend on the split.
///
/// With a `modulation` m_k(n) ∈ [0, 1] (place cells), the schedule's rates are peak rates and the
/// process is thinned: each candidate spike of neuron k in step n is kept with probability
/// m_k(n), from the stream `poisson-thinning/<population>` at counter (k, n) — exactly Poisson
/// with mean λ_k·m_k(n) per step. Dense neurons draw Poisson(λ_k·m_k(n)) directly.
final class PoissonKernel<Scalar: EngineScalar>: SourceKernel {
  let size: Int
  private let stream: RandomStream
  private let gapStream: RandomStream
  /// Per schedule segment: its first step, λ and e^−λ per neuron (raw storage: reading them in the
  /// step costs no reference counting).
  private let segments: UnsafeMutableBufferPointer<PoissonSegment>
  /// Events drawn so far per neuron (the gap stream's counter).
  private let eventCounter: UnsafeMutablePointer<UInt64>
  /// Per-thread state (raw storage: no exclusivity checks or reference counting per step).
  private var parts: UnsafeMutablePointer<PoissonPart>
  private var partCount = 1
  private let modulation: ((Int, Int) -> Double)?
  private let thinningStream: RandomStream?

  /// λ below which a neuron's spike steps are drawn directly (sparse mode).
  static var sparseLimit: Double { 0.1 }
  /// Steps covered by the timing wheel's buckets (a power of two).
  static var wheelSteps: Int { 1024 }

  init(
    parameters p: PoissonSourceParameters, size: Int, dtMs: Double, stream: RandomStream, gapStream: RandomStream,
    modulation: ((Int, Int) -> Double)? = nil, thinningStream: RandomStream? = nil
  ) {
    self.size = size
    self.modulation = modulation
    self.thinningStream = thinningStream
    self.stream = stream
    self.gapStream = gapStream
    eventCounter = .allocate(capacity: max(size, 1))
    eventCounter.initialize(repeating: 0, count: max(size, 1))
    segments = .allocate(capacity: p.schedule.count)
    for (i, seg) in p.schedule.enumerated() {
      let rates = seg.ratesHz.count == 1 ? Array(repeating: seg.ratesHz[0], count: size) : seg.ratesHz
      let lambda = UnsafeMutablePointer<Double>.allocate(capacity: max(size, 1))
      let expNeg = UnsafeMutablePointer<Double>.allocate(capacity: max(size, 1))
      let truncated = UnsafeMutablePointer<Double>.allocate(capacity: max(size, 1))
      for k in 0..<size {
        lambda[k] = rates[k] * dtMs / 1000
        expNeg[k] = exp(-lambda[k])
        // Zero-truncated Poisson(λ): P(1) = e^−λ λ / (1 − e^−λ).
        truncated[k] = lambda[k] * exp(-lambda[k]) / -expm1(-lambda[k])
      }
      (segments.baseAddress! + i).initialize(
        to: PoissonSegment(
          firstStep: Int((seg.startMs / dtMs).rounded()), lambda: lambda, expNegLambda: expNeg,
          firstOfTruncated: truncated))
    }
    parts = .allocate(capacity: 1)
    parts.initialize(to: PoissonPart(neurons: 0..<size))
  }

  deinit {
    for k in 0..<partCount { parts[k].deallocate() }
    parts.deinitialize(count: partCount)
    parts.deallocate()
    eventCounter.deallocate()
    for s in segments {
      s.lambda.deallocate()
      s.expNegLambda.deallocate()
      s.firstOfTruncated.deallocate()
    }
    segments.deallocate()
  }

  var splitsAcrossThreads: Bool { true }

  func prepare(ranges: [Range<Int>]) {
    for k in 0..<partCount { parts[k].deallocate() }
    parts.deinitialize(count: partCount)
    parts.deallocate()
    partCount = ranges.count
    parts = .allocate(capacity: partCount)
    for (k, r) in ranges.enumerated() {
      (parts + k).initialize(to: PoissonPart(neurons: min(r.lowerBound, size)..<min(r.upperBound, size)))
    }
  }

  /// Enters segment `index` at step `n` for one thread's neurons: sorts them into dense and
  /// sparse, draws every sparse neuron's first event at or after `n`.
  private func enter(segment index: Int, at n: Int, _ part: UnsafeMutablePointer<PoissonPart>) {
    part.pointee.segmentIndex = index
    let lambda = segments[index].lambda
    let neurons = part.pointee.neurons
    part.pointee.setDense { lambda[$0] >= Self.sparseLimit }
    part.pointee.clearPending()
    for k in neurons where lambda[k] > 0 && lambda[k] < Self.sparseLimit {
      scheduleNext(k, after: n - 1, now: n, in: segments[index], part)
    }
  }

  /// Draws neuron `k`'s next event step after `step` and its spike count; queues it.
  @inline(__always)
  private func scheduleNext(
    _ k: Int, after step: Int, now n: Int, in segment: PoissonSegment, _ part: UnsafeMutablePointer<PoissonPart>
  ) {
    let lambda = segment.lambda[k]
    let (u1, u2) = gapStream.uniformPair(UInt64(k), eventCounter[k])
    eventCounter[k] += 1
    let gap = 1 + (log(u1) / -lambda).rounded(.down)
    guard gap < Double(Int32.max) else { return }  // beyond any run
    // Zero-truncated Poisson(λ): P(m) = e^−λ λ^m / m! / (1 − e^−λ), m ≥ 1.
    let count = poissonInversion(u2, lambda: lambda, first: 1, probability: segment.firstOfTruncated[k])
    part.pointee.schedule(step: step + Int(gap), neuron: k, count: count, now: n)
  }

  /// Appends the spikes of thread `part`'s neurons in step `n`, in ascending order.
  @inline(__always)
  func emit(_ n: Int, part: Int, spikes: SpikeBuffer) { emit(n, part: parts + part, spikes: spikes) }

  @_specialize(where Scalar == Double)
  @_specialize(where Scalar == Float)
  private func emit(_ n: Int, part: UnsafeMutablePointer<PoissonPart>, spikes: SpikeBuffer) {
    let current = part.pointee.segmentIndex
    if current < 0 || (current + 1 < segments.count && segments[current + 1].firstStep <= n) {
      var index = max(current, 0)
      while index + 1 < segments.count && segments[index + 1].firstStep <= n { index += 1 }
      enter(segment: index, at: n, part)
    }
    let segment = segments[part.pointee.segmentIndex]
    let dueCount = part.pointee.collectDue(atStep: n)
    let denseCount = part.pointee.denseCount
    guard dueCount > 0 || denseCount > 0 else { return }
    let due = part.pointee.due
    for i in 0..<dueCount {  // the counts stay in `due`: scheduling overwrites the neuron's
      scheduleNext(Int(due[i] >> 32), after: n, now: n, in: segment, part)
    }
    // Merge the due events with the dense neurons' draws, both ascending (a neuron is in one of
    // them only); the draws are keyed by (neuron, step), so their order does not matter.
    let dense = part.pointee.dense
    var d = 0
    for i in 0..<dueCount {
      let neuron = Int(due[i] >> 32)
      while d < denseCount && Int(dense[d]) < neuron {
        appendDense(Int(dense[d]), step: n, in: segment, spikes: spikes)
        d += 1
      }
      let count =
        modulation == nil
        ? Int(due[i] & 0xFFFF_FFFF) : Int(thinned(Int32(due[i] & 0xFFFF_FFFF), neuron: neuron, step: n))
      for _ in 0..<count { spikes.append(neuron) }
    }
    while d < denseCount {
      appendDense(Int(dense[d]), step: n, in: segment, spikes: spikes)
      d += 1
    }
  }

  /// Draws dense neuron `k`'s spike count in step `n` and appends that many spikes.
  @inline(__always)
  private func appendDense(_ k: Int, step n: Int, in segment: PoissonSegment, spikes: SpikeBuffer) {
    let u = stream.uniform(UInt64(k), UInt64(n))
    let lambda = modulation.map { segment.lambda[k] * $0(k, n) } ?? segment.lambda[k]
    let count = poissonInversion(
      u, lambda: lambda, first: 0, probability: modulation == nil ? segment.expNegLambda[k] : exp(-lambda))
    for _ in 0..<count { spikes.append(k) }
  }
}

/// λ and e^−λ per neuron of one schedule segment, from `firstStep` on.
struct PoissonSegment {
  let firstStep: Int
  let lambda: UnsafeMutablePointer<Double>
  let expNegLambda: UnsafeMutablePointer<Double>
  /// P(m = 1) of the zero-truncated Poisson(λ) per neuron, `e^−λ λ / (1 − e^−λ)`.
  let firstOfTruncated: UnsafeMutablePointer<Double>
}

/// One thread's share of a Poisson population: its neurons, which of them are dense in the
/// current segment, and the pending events of the sparse ones in a timing wheel.
///
/// A sparse neuron has at most one pending event (its next spike step and count), so the wheel's
/// buckets are intrusive lists through per-neuron links and the later events a list of neurons:
/// all raw storage, sized once, so the step allocates nothing and touches no reference count or
/// uniqueness check. The part owns the memory (``deallocate()``).
struct PoissonPart {
  let neurons: Range<Int>
  var segmentIndex = -1
  /// The dense neurons of the current segment, ascending (``setDense(_:)``).
  let dense: UnsafeMutablePointer<Int32>
  private(set) var denseCount = 0
  /// Bucket `s mod wheelSteps` heads the list of the neurons whose event is at step `s`, for `s`
  /// within ``wheelSteps`` of the step that queued it; −1 if empty.
  private let heads: UnsafeMutablePointer<Int32>
  /// Per neuron (index `k − neurons.lowerBound`): the next neuron in its bucket (−1 ends it), its
  /// pending event's step and spike count.
  private let links: UnsafeMutablePointer<Int32>
  private let steps: UnsafeMutablePointer<Int>
  private let counts: UnsafeMutablePointer<UInt32>
  /// Neurons whose event is further ahead; moved into the wheel every ``wheelSteps`` steps.
  private let later: UnsafeMutablePointer<Int32>
  private var laterCount = 0
  /// The events of the current step (``collectDue(atStep:)``), `neuron << 32 | count`.
  let due: UnsafeMutablePointer<UInt64>

  init(neurons: Range<Int>) {
    self.neurons = neurons
    let capacity = max(neurons.count, 1)
    dense = .allocate(capacity: capacity)
    heads = .allocate(capacity: PoissonKernel<Double>.wheelSteps)
    heads.initialize(repeating: -1, count: PoissonKernel<Double>.wheelSteps)
    links = .allocate(capacity: capacity)
    steps = .allocate(capacity: capacity)
    counts = .allocate(capacity: capacity)
    later = .allocate(capacity: capacity)
    due = .allocate(capacity: capacity)
  }

  /// Frees the storage (the part is not used afterwards).
  func deallocate() {
    dense.deallocate()
    heads.deallocate()
    links.deallocate()
    steps.deallocate()
    counts.deallocate()
    later.deallocate()
    due.deallocate()
  }

  /// Makes the neurons for which `isDense` holds the dense ones, in ascending order.
  mutating func setDense(_ isDense: (Int) -> Bool) {
    denseCount = 0
    for k in neurons where isDense(k) {
      dense[denseCount] = Int32(k)
      denseCount += 1
    }
  }

  mutating func clearPending() {
    heads.update(repeating: -1, count: PoissonKernel<Double>.wheelSteps)
    laterCount = 0
  }

  /// Queues `count` spikes of `neuron` at `step` (> `now`); the neuron has no other pending event.
  @inline(__always)
  mutating func schedule(step: Int, neuron: Int, count: Int, now: Int) {
    let i = neuron - neurons.lowerBound
    steps[i] = step
    counts[i] = UInt32(truncatingIfNeeded: count)
    if step - now < PoissonKernel<Double>.wheelSteps {
      push(i, bucket: step)
    } else {
      later[laterCount] = Int32(i)
      laterCount += 1
    }
  }

  /// Prepends neuron index `i` to the list of bucket `step mod wheelSteps`.
  @inline(__always)
  private func push(_ i: Int, bucket step: Int) {
    let b = step & (PoissonKernel<Double>.wheelSteps - 1)
    links[i] = heads[b]
    heads[b] = Int32(i)
  }

  /// The pending events before step `n` is collected, as (step, `neuron << 32 | count`), in any
  /// order.
  func pending(beforeStep n: Int) -> [(step: Int, event: UInt64)] {
    var out: [(step: Int, event: UInt64)] = []
    func add(_ i: Int) { out.append((steps[i], UInt64(neurons.lowerBound + i) << 32 | UInt64(counts[i]))) }
    for j in 0..<laterCount { add(Int(later[j])) }
    for b in 0..<PoissonKernel<Double>.wheelSteps {
      var i = heads[b]
      while i >= 0 {
        add(Int(i))
        i = links[Int(i)]
      }
    }
    return out
  }

  /// Moves the events of step `n` into ``due``, sorted by neuron; returns how many there are.
  @inline(__always)
  mutating func collectDue(atStep n: Int) -> Int {
    let wheelSteps = PoissonKernel<Double>.wheelSteps
    if n & (wheelSteps - 1) == 0 && laterCount > 0 {
      // An event queued beyond the wheel at step m (s ≥ m + W) is moved here, at the last
      // multiple of W at or before s, which comes after m: so in time, and into its own bucket.
      var kept = 0
      for j in 0..<laterCount {
        let i = Int(later[j])
        if steps[i] - n < wheelSteps {
          push(i, bucket: steps[i])
        } else {
          later[kept] = Int32(i)
          kept += 1
        }
      }
      laterCount = kept
    }
    let b = n & (wheelSteps - 1)
    var i = heads[b]
    guard i >= 0 else { return 0 }
    heads[b] = -1
    var count = 0
    let base = UInt64(neurons.lowerBound)
    while i >= 0 {
      let k = Int(i)
      due[count] = (base + UInt64(k)) << 32 | UInt64(counts[k])
      count += 1
      i = links[k]
    }
    if count <= 16 {
      // Insertion sort: a step has few events (≈ 2 for Song 2000's 1200 inputs).
      for j in 1..<max(count, 1) {
        let event = due[j]
        var m = j
        while m > 0 && due[m - 1] > event {
          due[m] = due[m - 1]
          m -= 1
        }
        due[m] = event
      }
    } else {
      var events = UnsafeMutableBufferPointer(start: due, count: count)
      events.sort()
    }
    return count
  }
}

extension PoissonKernel {
  func saveState(to archive: inout StateArchiveWriter, step n: Int) {
    archive.section("poisson", shape: [size, segments.count])
    archive.write(eventCounter, count: size)
    // Every part that has neurons is in the same segment.
    archive.write((0..<partCount).map { parts[$0].segmentIndex }.max() ?? -1)
    let events = (0..<partCount).flatMap { parts[$0].pending(beforeStep: n) }.sorted {
      ($0.step, $0.event) < ($1.step, $1.event)
    }
    archive.write(events.map(\.step))
    archive.write(events.map(\.event))
  }

  func restoreState(from archive: inout StateArchiveReader, step n: Int) throws {
    try archive.section("poisson", shape: [size, segments.count])
    try archive.read(into: eventCounter, count: size)
    let segment = try archive.readInt()
    guard segment < segments.count else {
      throw CheckpointError.stateMismatch("poisson: segment \(segment) out of range")
    }
    let steps: [Int] = try archive.readArray()
    let events: [UInt64] = try archive.readArray(count: steps.count)
    for k in 0..<partCount {
      let part = parts + k
      part.pointee.clearPending()
      part.pointee.segmentIndex = part.pointee.neurons.isEmpty ? -1 : segment
      if segment >= 0 {
        let lambda = segments[segment].lambda
        part.pointee.setDense { lambda[$0] >= Self.sparseLimit }
      } else {
        part.pointee.setDense { _ in false }
      }
    }
    for (step, event) in zip(steps, events) {
      let neuron = Int(event >> 32)
      guard step >= n, neuron < size, let k = (0..<partCount).first(where: { parts[$0].neurons.contains(neuron) })
      else {
        throw CheckpointError.stateMismatch("poisson: a pending spike of neuron \(neuron) at step \(step) does not fit")
      }
      parts[k].schedule(step: step, neuron: neuron, count: Int(event & 0xFFFF_FFFF), now: n)
    }
  }

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
