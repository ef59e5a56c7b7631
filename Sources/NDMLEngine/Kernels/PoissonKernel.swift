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
///   (k, j) for the neuron's j-th event. A neuron's next ``drawsAhead`` events are drawn together
///   (eight Philox blocks on vector lanes, ``Philox4x32/blocks(low:high:third:fourth:)``) and
///   kept until used; the gaps come from a vectorised logarithm checked against its error bound
///   (``exponentialFloor(_:approximate:lambda:inverse:)``), bit for bit the C library's result.
///   Pending events wait in a timing wheel (one bucket per
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
  /// Per neuron, the gap stream's counter of the first of its events drawn ahead (kept in its
  /// ``PendingEvent`` record for the current segment's λ), and how many of those events are used
  /// (``drawsAhead``: all, or none valid). The neuron's events so far — the counter of its next
  /// one — are `drawnFrom[k] &+ drawnUsed[k]` (wrapping: a neuron without events has
  /// `drawnFrom = 0 &− drawsAhead`).
  private let drawnFrom: UnsafeMutablePointer<UInt64>
  private let drawnUsed: UnsafeMutablePointer<UInt8>
  /// Per-thread state (raw storage: no exclusivity checks or reference counting per step).
  private var parts: UnsafeMutablePointer<PoissonPart>
  private var partCount = 1
  private let modulation: ((Int, Int) -> Double)?
  private let thinningStream: RandomStream?

  /// λ below which a neuron's spike steps are drawn directly (sparse mode).
  static var sparseLimit: Double { 0.1 }
  /// Steps covered by the timing wheel's buckets (a power of two).
  static var wheelSteps: Int { 1024 }
  /// Events of a sparse neuron drawn at once (the lanes of
  /// ``Philox4x32/blocks(low:high:third:fourth:)``).
  static var drawsAhead: Int { 8 }

  init(
    parameters p: PoissonSourceParameters, size: Int, dtMs: Double, stream: RandomStream, gapStream: RandomStream,
    modulation: ((Int, Int) -> Double)? = nil, thinningStream: RandomStream? = nil
  ) {
    self.size = size
    self.modulation = modulation
    self.thinningStream = thinningStream
    self.stream = stream
    self.gapStream = gapStream
    drawnFrom = .allocate(capacity: max(size, 1))
    drawnFrom.initialize(repeating: 0 &- UInt64(Self.drawsAhead), count: max(size, 1))
    drawnUsed = .allocate(capacity: max(size, 1))
    drawnUsed.initialize(repeating: UInt8(Self.drawsAhead), count: max(size, 1))
    segments = .allocate(capacity: p.schedule.count)
    for (i, seg) in p.schedule.enumerated() {
      let rates = seg.ratesHz.count == 1 ? Array(repeating: seg.ratesHz[0], count: size) : seg.ratesHz
      let lambda = UnsafeMutablePointer<Double>.allocate(capacity: max(size, 1))
      let expNeg = UnsafeMutablePointer<Double>.allocate(capacity: max(size, 1))
      let truncated = UnsafeMutablePointer<Double>.allocate(capacity: max(size, 1))
      let inverse = UnsafeMutablePointer<Double>.allocate(capacity: max(size, 1))
      for k in 0..<size {
        lambda[k] = rates[k] * dtMs / 1000
        inverse[k] = 1 / lambda[k]
        expNeg[k] = exp(-lambda[k])
        // Zero-truncated Poisson(λ): P(1) = e^−λ λ / (1 − e^−λ).
        truncated[k] = lambda[k] * exp(-lambda[k]) / -expm1(-lambda[k])
      }
      (segments.baseAddress! + i).initialize(
        to: PoissonSegment(
          firstStep: Int((seg.startMs / dtMs).rounded()), lambda: lambda, expNegLambda: expNeg,
          firstOfTruncated: truncated, inverseLambda: inverse))
    }
    parts = .allocate(capacity: 1)
    parts.initialize(to: PoissonPart(neurons: 0..<size))
  }

  deinit {
    for k in 0..<partCount { parts[k].deallocate() }
    parts.deinitialize(count: partCount)
    parts.deallocate()
    drawnFrom.deallocate()
    drawnUsed.deallocate()
    for s in segments {
      s.lambda.deallocate()
      s.expNegLambda.deallocate()
      s.firstOfTruncated.deallocate()
      s.inverseLambda.deallocate()
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
    for k in 0..<size { discardDrawn(k) }  // they were kept in the old parts
  }

  /// Enters segment `index` at step `n` for one thread's neurons: sorts them into dense and
  /// sparse, draws every sparse neuron's first event at or after `n`.
  private func enter(segment index: Int, at n: Int, _ part: UnsafeMutablePointer<PoissonPart>) {
    part.pointee.segmentIndex = index
    let lambda = segments[index].lambda
    let neurons = part.pointee.neurons
    part.pointee.setDense { lambda[$0] >= Self.sparseLimit }
    part.pointee.clearPending()
    for k in neurons { discardDrawn(k) }  // drawn for the old λ
    for k in neurons where lambda[k] > 0 && lambda[k] < Self.sparseLimit {
      scheduleNext(k, after: n - 1, now: n, in: segments[index], part)
    }
  }

  /// Draws neuron `k`'s next event step after `step` and its spike count; queues it.
  @inline(__always)
  private func scheduleNext(
    _ k: Int, after step: Int, now n: Int, in segment: PoissonSegment, _ part: UnsafeMutablePointer<PoissonPart>
  ) {
    let drawn = part.pointee.drawn(neuron: k)
    var slot = Int(drawnUsed[k])
    if slot == Self.drawsAhead {
      drawAhead(k, from: drawnFrom[k] &+ UInt64(Self.drawsAhead), in: segment, into: drawn)
      slot = 0
    }
    drawnUsed[k] = UInt8(truncatingIfNeeded: slot &+ 1)
    let event = drawn[slot]
    if event != 0 {
      let gap = Int(event & 0xFF_FFFF)
      part.pointee.schedule(step: step + gap, neuron: k, count: Int(event &>> 24), now: n)
      return
    }
    // Too large to pack: drawn again, one at a time.
    let lambda = segment.lambda[k]
    let (u1, u2) = gapStream.uniformPair(UInt64(k), drawnFrom[k] &+ UInt64(slot))
    let gap = 1 + (log(u1) / -lambda).rounded(.down)
    guard gap < Double(Int32.max) else { return }  // beyond any run
    let count = poissonInversion(u2, lambda: lambda, first: 1, probability: segment.firstOfTruncated[k])
    part.pointee.schedule(step: step + Int(gap), neuron: k, count: count, now: n)
  }

  /// Draws sparse neuron `k`'s events `j ..< j + drawsAhead` into `out`: the gap
  /// `G = 1 + ⌊ln(u₁)/(−λ)⌋` and the zero-truncated Poisson(λ) count from `u₂` of each, where
  /// (u₁, u₂) is ``RandomStream/uniformPair(_:_:)`` of the gap stream at (k, event), packed as
  /// `count << 24 | G` (0 if G ≥ 2^24 or the count ≥ 256: drawn again when used).
  @inline(never)
  private func drawAhead(_ k: Int, from j: UInt64, in segment: PoissonSegment, into out: UnsafeMutablePointer<UInt32>) {
    let lanes = SIMD8<UInt64>(0, 1, 2, 3, 4, 5, 6, 7) &+ SIMD8(repeating: j)
    let (r0, r1, r2, r3) = gapStream.generator.blocks(
      low: UInt32(truncatingIfNeeded: k), high: UInt32(truncatingIfNeeded: UInt64(k) &>> 32), third: lanes,
      fourth: lanes &>> 32)
    let u1 = uniforms(r0 &<< 32 | r1)
    let u2 = uniforms(r2 &<< 32 | r3)
    let lambda = segment.lambda[k]
    let inverse = segment.inverseLambda[k]
    let first = segment.firstOfTruncated[k]
    let q = -approximateLog(u1) * SIMD8(repeating: inverse)
    // Lane by lane from memory (indexing a vector register by a loop variable spilled them all).
    withUnsafeBytes(of: (u1, u2, q)) { raw in
      let lanes = raw.assumingMemoryBound(to: Double.self).baseAddress!
      for i in 0..<Self.drawsAhead {
        let u = lanes[i]
        let gap = 1 + exponentialFloor(u, approximate: lanes[16 + i], lambda: lambda, inverse: inverse)
        // Zero-truncated Poisson(λ): P(m) = e^−λ λ^m / m! / (1 − e^−λ), m ≥ 1.
        let count = poissonInversion(lanes[8 + i], lambda: lambda, first: 1, probability: first)
        out[i] = gap < 16_777_216 && count < 256 ? UInt32(gap) | UInt32(count) &<< 24 : 0
      }
    }
    drawnFrom[k] = j
  }

  /// Forgets neuron `k`'s events drawn ahead, keeping its counter.
  private func discardDrawn(_ k: Int) {
    drawnFrom[k] = drawnFrom[k] &+ UInt64(drawnUsed[k]) &- UInt64(Self.drawsAhead)
    drawnUsed[k] = UInt8(Self.drawsAhead)
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
  /// 1/λ per neuron.
  let inverseLambda: UnsafeMutablePointer<Double>
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
  /// Per neuron (index `k − neurons.lowerBound`): its pending event, the next neuron in its
  /// bucket and its events drawn ahead, in one record of one cache line (one line touched per
  /// event).
  private let pending: UnsafeMutablePointer<PendingEvent>
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
    pending = UnsafeMutableRawPointer.allocate(byteCount: capacity * MemoryLayout<PendingEvent>.stride, alignment: 64)
      .bindMemory(to: PendingEvent.self, capacity: capacity)
    later = .allocate(capacity: capacity)
    due = .allocate(capacity: capacity)
  }

  /// Frees the storage (the part is not used afterwards).
  func deallocate() {
    dense.deallocate()
    heads.deallocate()
    UnsafeMutableRawPointer(pending).deallocate()
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

  /// Neuron `k`'s events drawn ahead (``PoissonKernel/drawsAhead`` of them, in its record).
  @inline(__always)
  func drawn(neuron k: Int) -> UnsafeMutablePointer<UInt32> {
    UnsafeMutableRawPointer(pending + (k - neurons.lowerBound)).advanced(by: PendingEvent.drawnOffset)
      .assumingMemoryBound(to: UInt32.self)
  }

  mutating func clearPending() {
    heads.update(repeating: -1, count: PoissonKernel<Double>.wheelSteps)
    laterCount = 0
  }

  /// Queues `count` spikes of `neuron` at `step` (> `now`); the neuron has no other pending event.
  @inline(__always)
  mutating func schedule(step: Int, neuron: Int, count: Int, now: Int) {
    let i = neuron - neurons.lowerBound
    pending[i].step = step
    pending[i].count = UInt32(truncatingIfNeeded: count)
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
    pending[i].link = heads[b]
    heads[b] = Int32(i)
  }

  /// The pending events before step `n` is collected, as (step, `neuron << 32 | count`), in any
  /// order.
  func pending(beforeStep n: Int) -> [(step: Int, event: UInt64)] {
    var out: [(step: Int, event: UInt64)] = []
    func add(_ i: Int) {
      out.append((pending[i].step, UInt64(neurons.lowerBound + i) << 32 | UInt64(pending[i].count)))
    }
    for j in 0..<laterCount { add(Int(later[j])) }
    for b in 0..<PoissonKernel<Double>.wheelSteps {
      var i = heads[b]
      while i >= 0 {
        add(Int(i))
        i = pending[Int(i)].link
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
        if pending[i].step - n < wheelSteps {
          push(i, bucket: pending[i].step)
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
      due[count] = (base + UInt64(k)) << 32 | UInt64(pending[k].count)
      count += 1
      i = pending[k].link
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

/// A sparse neuron's pending event (its step and spike count), the next neuron in its bucket of
/// the timing wheel (−1 ends the list) and, in the rest of the 64 bytes, its next events drawn
/// ahead (see ``PoissonKernel``), packed into 32 bits each.
struct PendingEvent {
  var step: Int
  var link: Int32
  var count: UInt32
  /// ``PoissonKernel/drawsAhead`` packed events (written and read through ``drawnOffset``), and
  /// room to fill the cache line.
  var drawn: (UInt64, UInt64, UInt64, UInt64)
  var spare: (UInt64, UInt64)

  /// The byte offset of ``drawn``.
  static var drawnOffset: Int { MemoryLayout<PendingEvent>.offset(of: \.drawn)! }
}

extension PoissonKernel {
  func saveState(to archive: inout StateArchiveWriter, step n: Int) {
    archive.section("poisson", shape: [size, segments.count])
    archive.write((0..<size).map { drawnFrom[$0] &+ UInt64(drawnUsed[$0]) })  // events so far
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
    try archive.read(into: drawnFrom, count: size)  // events so far: drawn again from there
    drawnUsed.update(repeating: 0, count: size)
    for k in 0..<size { discardDrawn(k) }
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
