import Foundation
import NDMLModel

/// A per-synapse variable besides the weight that holds memory traces: a tag (`stc`) or a slow
/// store (Benna–Fusi hidden variables, `stc` late phase).
struct MemoryVariable {
  enum Role { case tag, slow }
  let name: String
  let role: Role
  /// The value of synapse `s` now.
  let value: (Int) -> Double
}

/// A rule or process whose per-synapse variables the memory lifecycle reads.
protocol MemoryVariableSource: AnyObject {
  /// Its variables besides the weight.
  var memoryVariables: [MemoryVariable] { get }
  /// Brings the weights of `synapses` up to step `n` (rules that advance synapses lazily, between
  /// their events); called before the tracker copies or compares them.
  func synchronize(_ synapses: [Int], atStep n: Int)
  /// A change of a weight this small over a storage window is the rule's own relaxation, not the
  /// item's doing.
  var negligibleChange: Double { get }
}

extension MemoryVariableSource {
  func synchronize(_ synapses: [Int], atStep n: Int) {}
  var negligibleChange: Double { 0 }
}

/// CPU process of the memory lifecycle of one projection (definitions and equations:
/// `NDMLModel/Memory/MemoryLifecycle.swift`).
///
/// Work at fixed steps, in the serial work between steps: before the slow ticks of step n it
/// compares the rows of an item presented w steps ago with their copy (the trace's synapses) and
/// closes a probe's response window; after them it copies the rows of an item presented at n and,
/// on its clock, evaluates every trace's SNR and state. The target population's spikes reach it
/// through ``observe(_:count:step:)``.
final class MemoryTracker<Scalar: EngineScalar>: SpikeObservingProcess {
  let name: String
  let clockSteps: Int
  let observedPopulation: Int
  /// Steps with work besides the clock's ticks, ascending.
  let eventSteps: [Int]
  private let table: SynapseTable<Scalar>
  private let tracking: MemoryTracking
  private let variables: [MemoryVariable]
  /// The rule, when it writes weights lazily (`stc`).
  private let rule: (any MemoryVariableSource)?
  private let dtMs: Double
  private let targetSize: Int
  private let windowSteps: Int
  private let presentationSteps: [Int]
  /// The source rows of each tracked item.
  private let rows: [[Int32]]
  /// Probes: step, trace, cue size, recall round (time order).
  private let probes: [(step: Int, trace: Int, cueSize: Int, round: Int)]
  private let responseSteps: Int

  // State (checkpointed).
  /// Weights of a trace's rows at its presentation, until its storage window ends.
  private var copies: [Int: [Scalar]] = [:]
  private var synapses: [[Int]]
  private var signs: [[Int8]]
  private var patterns: [[Int32]]
  private var states: [MemoryTraceState?]
  private var initialSNR: [Double]
  private var nextProbe = 0
  private var evoked = Set<Int32>()
  private var lastEvaluation = -1
  private var report: MemoryReport

  init(
    tracking m: MemoryTracking, table: SynapseTable<Scalar>, patterns source: MemoryPatternKernel<Scalar>,
    parameters: MemoryPatternParameters, variables: [MemoryVariable], rule: (any MemoryVariableSource)?,
    targetSize: Int, clockSteps: Int, dtMs: Double
  ) {
    self.rule = rule
    name = "memory of \(table.projectionName)"
    tracking = m
    self.table = table
    self.variables = variables
    self.dtMs = dtMs
    self.targetSize = targetSize
    self.clockSteps = clockSteps
    observedPopulation = table.targetPopulation
    func steps(_ ms: Double) -> Int { Int((ms / dtMs).rounded()) }
    let window = steps(m.storageWindowMs)
    windowSteps = window
    let presented = m.items.map { steps(m.presentationMs($0, parameters)) }
    presentationSteps = presented
    rows = m.items.map { source.pattern($0) }
    let response = max(1, steps(m.recall?.effectiveWindowMs ?? 0))
    responseSteps = response
    var probes: [(step: Int, trace: Int, cueSize: Int, round: Int)] = []
    var presentations: [(step: Int, neurons: [Int32])] = []
    for probe in m.probes(parameters) {
      let cue = source.cue(
        m.items[probe.trace], maskFraction: m.recall!.maskFraction, noiseFraction: m.recall!.noiseFraction)
      probes.append((steps(probe.timeMs), probe.trace, cue.count, probe.round))
      presentations.append((steps(probe.timeMs), cue))
    }
    source.addPresentations(presentations)
    self.probes = probes
    eventSteps = Array(
      Set(presented + presented.map { $0 + window } + probes.map { $0.step + response })
    ).sorted()
    let k = m.items.count
    synapses = Array(repeating: [], count: k)
    signs = Array(repeating: [], count: k)
    self.patterns = Array(repeating: [], count: k)
    states = Array(repeating: nil, count: k)
    initialSNR = Array(repeating: .nan, count: k)
    report = MemoryReport(projection: table.projectionName)
    report.items = m.items
    report.variables = ["weight"] + variables.map(\.name)
    report.snr = Array(repeating: [], count: 1 + variables.count)
    report.snrThreshold = m.snrThreshold
    report.snrForgotten = m.snrForgotten
    report.storageWindowMs = m.storageWindowMs
    report.targetSize = targetSize
  }

  /// The value of variable `v` (0: the weight) of synapse `s`.
  @inline(__always)
  private func value(_ v: Int, _ s: Int) -> Double {
    v == 0 ? Double(table.weights[s]) : variables[v - 1].value(s)
  }

  /// Mean and standard deviation of variable `v` over the projection's synapses.
  private func statistics(_ v: Int) -> (mean: Double, sd: Double) {
    let n = table.count
    guard n > 1 else { return (0, 0) }
    var sum = 0.0
    for s in 0..<n { sum += value(v, s) }
    let mean = sum / Double(n)
    var squares = 0.0
    for s in 0..<n {
      let d = value(v, s) - mean
      squares += d * d
    }
    return (mean, (squares / Double(n - 1)).squareRoot())
  }

  /// The SNR of trace `k` in variable `v` (NaN when it has no synapse or the variable no spread).
  private func snr(_ k: Int, _ v: Int, _ stats: (mean: Double, sd: Double)) -> Double {
    let s = synapses[k]
    guard !s.isEmpty, stats.sd > 0 else { return .nan }
    var signal = 0.0
    for (i, syn) in s.enumerated() { signal += Double(signs[k][i]) * (value(v, syn) - stats.mean) }
    return signal / (stats.sd * Double(s.count).squareRoot())
  }

  private func enter(_ state: MemoryTraceState, trace k: Int, atStep n: Int) {
    states[k] = state
    report.transitionTimesMs.append(Double(n) * dtMs)
    report.transitionTraces.append(k)
    report.transitionStates.append(state)
  }

  /// Work due at the start of step `n` before the slow processes tick: storage windows that end
  /// and probe windows that close.
  func beforeTicks(atStep n: Int) {
    for (k, start) in presentationSteps.enumerated() where start + windowSteps == n { store(k, atStep: n) }
    while nextProbe < probes.count && probes[nextProbe].step + responseSteps <= n {
      closeProbe()
    }
  }

  /// Work due at the start of step `n` after the slow processes tick: copies of the rows of items
  /// presented now.
  func afterTicks(atStep n: Int) {
    for (k, start) in presentationSteps.enumerated() where start == n {
      let synapses = rowSynapses(k)
      rule?.synchronize(synapses, atStep: n)
      copies[k] = synapses.map { table.weights[$0] }
    }
  }

  /// The synapses of trace `k`'s rows, in row order.
  private func rowSynapses(_ k: Int) -> [Int] {
    rows[k].flatMap { j in table.offsets[Int(j)]..<table.offsets[Int(j) + 1] }
  }

  /// The synapses of trace `k`: those of its rows that changed since the copy.
  private func store(_ k: Int, atStep n: Int) {
    guard let copy = copies.removeValue(forKey: k) else { return }
    var i = 0
    var change = [Double](repeating: 0, count: targetSize)
    rule?.synchronize(rowSynapses(k), atStep: n)
    let negligible = rule?.negligibleChange ?? 0
    for j in rows[k] {
      for s in table.offsets[Int(j)]..<table.offsets[Int(j) + 1] {
        let d = Double(table.weights[s]) - Double(copy[i])
        i += 1
        guard abs(d) > negligible else { continue }
        synapses[k].append(s)
        signs[k].append(d > 0 ? 1 : -1)
        change[Int(table.targets[s])] += d
      }
    }
    patterns[k] = (0..<targetSize).filter { change[$0] > 0 }.map(Int32.init)
    // An item that changed no synapse left no trace: it is not stored (stored_ms NaN).
    guard !synapses[k].isEmpty else { return }
    initialSNR[k] = snr(k, 0, statistics(0))
    enter(.stored, trace: k, atStep: presentationSteps[k])
  }

  private func closeProbe() {
    let probe = probes[nextProbe]
    nextProbe += 1
    let pattern = Set(patterns[probe.trace])
    let hits = evoked.intersection(pattern).count
    report.recallTimesMs.append(Double(probe.step) * dtMs)
    report.recallTraces.append(probe.trace)
    report.recallRounds.append(probe.round)
    report.recallCueSizes.append(probe.cueSize)
    report.recallEvoked.append(evoked.count)
    report.recallCompletion.append(pattern.isEmpty ? .nan : Double(hits) / Double(pattern.count))
    let others = targetSize - pattern.count
    report.recallSpurious.append(others == 0 ? .nan : Double(evoked.count - hits) / Double(others))
    evoked.removeAll()
  }

  func observe(_ indices: UnsafePointer<Int32>, count: Int, step: Int) {
    guard nextProbe < probes.count else { return }
    let p = probes[nextProbe].step
    guard step > p && step <= p + responseSteps else { return }
    for i in 0..<count { evoked.insert(indices[i]) }
  }

  func tick(atStep n: Int) { evaluate(atStep: n) }

  /// Every stored trace's SNR per variable, and the state changes they imply.
  private func evaluate(atStep n: Int) {
    guard n > lastEvaluation else { return }
    lastEvaluation = n
    let k = tracking.items.count
    let stats = (0...variables.count).map(statistics)
    var rows = [[Double]](repeating: [Double](repeating: .nan, count: k), count: variables.count + 1)
    for t in 0..<k where states[t] != nil {
      for v in 0...variables.count { rows[v][t] = snr(t, v, stats[v]) }
    }
    report.snrTimesMs.append(Double(n) * dtMs)
    for v in rows.indices { report.snr[v] += rows[v] }
    let tagIndex = variables.firstIndex { $0.role == .tag }.map { $0 + 1 }
    let slowIndex = variables.firstIndex { $0.role == .slow }.map { $0 + 1 }
    for t in 0..<k {
      guard let state = states[t], state != .forgotten else { continue }
      let w = rows[0][t]
      if !(w >= tracking.snrForgotten) {
        enter(.forgotten, trace: t, atStep: n)
      } else if let c = slowIndex.map({ rows[$0][t] }), c >= tracking.snrThreshold, c > w, state != .consolidated {
        enter(.consolidated, trace: t, atStep: n)
      } else if let g = tagIndex.map({ rows[$0][t] }), g >= tracking.snrThreshold, state == .stored {
        enter(.tagged, trace: t, atStep: n)
      } else if state == .stored || state == .tagged, w < 0.5 * initialSNR[t] {
        enter(.decaying, trace: t, atStep: n)
      }
    }
  }

  func finish(atStep n: Int) {
    beforeTicks(atStep: n)
    evaluate(atStep: n)
  }

  /// The report with the stored traces' synapse counts and patterns.
  func takeReport() -> MemoryReport {
    var r = report
    let stored = states.map { $0 != nil }
    r.storedMs = presentationSteps.enumerated().map { stored[$0.offset] ? Double($0.element) * dtMs : .nan }
    r.synapseCounts = synapses.map(\.count)
    r.potentiatedCounts = signs.map { $0.filter { $0 > 0 }.count }
    r.patterns = patterns
    return r
  }
}

extension MemoryTracker {
  func saveState(to archive: inout StateArchiveWriter, step: Int) {
    archive.section("memory", shape: [tracking.items.count, table.count])
    let k = tracking.items.count
    archive.write((0..<k).map { copies[$0] != nil })
    for t in 0..<k {
      archive.write(copies[t] ?? [])
      archive.write(synapses[t])
      archive.write(signs[t])
      archive.write(patterns[t])
    }
    archive.write(states.map { s in Int8(s.map { MemoryTraceState.allCases.firstIndex(of: $0)! } ?? -1) })
    archive.write(initialSNR)
    archive.write(nextProbe)
    archive.write(evoked.sorted())
    archive.write(lastEvaluation)
    archive.write(report.snrTimesMs)
    for row in report.snr { archive.write(row) }
    archive.write(report.transitionTimesMs)
    archive.write(report.transitionTraces)
    archive.write(report.transitionStates.map { Int8(MemoryTraceState.allCases.firstIndex(of: $0)!) })
    archive.write(report.recallTimesMs)
    archive.write(report.recallTraces)
    archive.write(report.recallRounds)
    archive.write(report.recallCueSizes)
    archive.write(report.recallEvoked)
    archive.write(report.recallCompletion)
    archive.write(report.recallSpurious)
  }

  func restoreState(from archive: inout StateArchiveReader, step: Int) throws {
    try archive.section("memory", shape: [tracking.items.count, table.count])
    let k = tracking.items.count
    let hasCopy: [Bool] = try archive.readArray(count: k)
    copies = [:]
    for t in 0..<k {
      let copy: [Scalar] = try archive.readArray()
      if hasCopy[t] { copies[t] = copy }
      synapses[t] = try archive.readArray()
      signs[t] = try archive.readArray()
      patterns[t] = try archive.readArray()
    }
    let codes: [Int8] = try archive.readArray(count: k)
    func state(_ c: Int8) throws -> MemoryTraceState {
      guard c >= 0 && Int(c) < MemoryTraceState.allCases.count else {
        throw CheckpointError.stateMismatch("memory of \(table.projectionName): bad trace state \(c)")
      }
      return MemoryTraceState.allCases[Int(c)]
    }
    states = try codes.map { $0 < 0 ? nil : try state($0) }
    initialSNR = try archive.readArray(count: k)
    nextProbe = try archive.readInt()
    evoked = Set(try archive.readArray() as [Int32])
    lastEvaluation = try archive.readInt()
    report.snrTimesMs = try archive.readArray()
    for v in report.snr.indices { report.snr[v] = try archive.readArray() }
    report.transitionTimesMs = try archive.readArray()
    report.transitionTraces = try archive.readArray()
    report.transitionStates = try (try archive.readArray() as [Int8]).map(state)
    report.recallTimesMs = try archive.readArray()
    report.recallTraces = try archive.readArray()
    report.recallRounds = try archive.readArray()
    report.recallCueSizes = try archive.readArray()
    report.recallEvoked = try archive.readArray()
    report.recallCompletion = try archive.readArray()
    report.recallSpurious = try archive.readArray()
  }
}
