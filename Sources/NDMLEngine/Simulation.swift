import Foundation
import NDMLModel

/// A compiled network and its clock-driven loop in one precision.
///
/// Step `n` covers `[t_n, t_{n+1})`: (1) state samples due at `t_n` are taken; (2) currents whose
/// schedule changes at `t_n` apply; (3) every population advances (neuron spikes are stamped
/// `t_{n+1}`, source spikes `t_n`); (4) spikes are recorded; (5) every weight arriving at `t_{n+1}`
/// is added to its target's synaptic variable: projections with one delay `d` for all synapses
/// deliver the spikes stamped `t_{n+1−d}` straight from a short per-population spike history (as
/// NEST and Brian2 add into the synaptic variable), projections with per-synapse delays go through
/// a ring buffer of per-step input that is folded in afterwards. Order: projections in config
/// order, then spikes in neuron order, then synapses in row order — fixed by the network, so every
/// floating-point sum is reproducible.
final class Simulation<Scalar: EngineScalar> {
  private let experiment: Experiment
  /// The experiment being simulated.
  var experimentDescription: Experiment { experiment }
  private let observer: any SimulationObserver
  private let dt: Double
  private let stepCount: Int
  private var kernels: [any PopulationKernel<Scalar>] = []
  /// Input rings of populations that receive per-synapse-delay projections (nil otherwise).
  private var rings: [InputRing<Scalar>?] = []
  /// Recent spikes per population, for uniform-delay projections.
  private var histories: [SpikeHistory] = []
  private var spikes: [SpikeBuffer] = []
  private var tables: [SynapseTable<Scalar>] = []
  private var outgoing: [[Int]] = []
  private var currents: CurrentSchedule
  private var spikeRecorders: [Int: SpikeRecorder] = [:]
  private var stateRecorders: [StateRecorder] = []
  /// Plasticity kernels by table index.
  private var plasticity: [Int: any PlasticityKernel<Scalar>] = [:]
  private var weightRecorders: [WeightRecorder<Scalar>] = []
  private var spikeTotals: [Int]
  private var synapticEvents = 0

  init(experiment: Experiment, observer: any SimulationObserver) {
    self.experiment = experiment
    self.observer = observer
    dt = experiment.simulation.dtMs
    stepCount = experiment.simulation.stepCount
    currents = CurrentSchedule(experiment: experiment)
    spikeTotals = Array(repeating: 0, count: experiment.populations.count)
  }

  /// Buffered spikes or samples per recorder that trigger a flush before the one-second mark, so
  /// that memory stays bounded whatever is recorded (2²⁰ spikes ≈ 16 MiB).
  static var recorderFlushThreshold: Int { 1 << 20 }

  /// Builds state and synapses (the part the summary reports as build time).
  func build() {
    let seed = experiment.simulation.seed
    for pop in experiment.populations {
      kernels.append(makeKernel(for: pop))
      spikes.append(SpikeBuffer(capacity: pop.size))
    }
    for proj in experiment.projections {
      let s = experiment.populationIndex(named: proj.source)!
      let t = experiment.populationIndex(named: proj.target)!
      let rows = ConnectivityBuilder(
        projection: proj, sourceSize: experiment.populations[s].size,
        targetSize: experiment.populations[t].size, dtMs: dt, seed: seed
      ).build()
      tables.append(
        SynapseTable(
          projectionName: proj.name, sourcePopulation: s, targetPopulation: t,
          receptor: proj.receptor == .excitatory ? .excitatory : .inhibitory, rows: rows))
    }
    for (t, proj) in experiment.projections.enumerated() {
      if let rule = proj.plasticity {
        plasticity[t] = makePlasticityKernel(
          rule, table: tables[t], targetSize: experiment.populations[tables[t].targetPopulation].size, dtMs: dt,
          seed: seed)
      }
    }
    for (i, rec) in experiment.recording.weights.enumerated() {
      let t = experiment.projections.firstIndex { $0.name == rec.projection }!
      let proj = experiment.projections[t]
      let unit = experiment.populations[tables[t].targetPopulation].model.weightUnit ?? ""
      let table = tables[t]
      let bounds =
        proj.plasticity?.weightBounds
        ?? (0..<table.count).reduce(into: Double.infinity...(-Double.infinity)) { range, s in
          let w = Double(table.weights[s])
          range = min(range.lowerBound, w)...max(range.upperBound, w)
        }
      weightRecorders.append(
        WeightRecorder(
          recordingIndex: i, plan: rec, table: table,
          bounds: bounds.lowerBound <= bounds.upperBound ? bounds : 0...0, unit: unit, dtMs: dt, seed: seed))
    }
    outgoing = experiment.populations.indices.map { p in
      tables.indices.filter { tables[$0].sourcePopulation == p }
    }
    for (p, pop) in experiment.populations.enumerated() {
      let incoming = tables.filter { $0.targetPopulation == p && $0.delays != nil }
      rings.append(
        incoming.isEmpty ? nil : InputRing(size: pop.size, slots: incoming.map(\.maximumDelaySteps).max()! + 1))
      let depth = tables.filter { $0.sourcePopulation == p && $0.delays == nil }.map(\.uniformDelaySteps).max() ?? 0
      histories.append(SpikeHistory(depth: depth))
    }
    for name in experiment.recording.spikePopulations {
      let p = experiment.populationIndex(named: name)!
      spikeRecorders[p] = SpikeRecorder(population: name)
    }
    for (i, rec) in experiment.recording.state.enumerated() {
      let p = experiment.populationIndex(named: rec.population)!
      let names = experiment.populations[p].model.recordableVariables.map(\.name)
      stateRecorders.append(
        StateRecorder(
          recordingIndex: i, source: .population(p), names: rec.variables, neurons: rec.neurons,
          variableIndices: rec.variables.map { names.firstIndex(of: $0)! },
          intervalSteps: max(1, Int((rec.intervalMs / dt).rounded()))))
    }
    for (i, rec) in experiment.recording.traces.enumerated() {
      let t = experiment.projections.firstIndex { $0.name == rec.projection }!
      let names = experiment.projections[t].plasticity!.traces.map(\.name)
      stateRecorders.append(
        StateRecorder(
          recordingIndex: i, source: .projection(t), names: rec.traces, neurons: rec.neurons,
          variableIndices: rec.traces.map { names.firstIndex(of: $0)! },
          intervalSteps: max(1, Int((rec.intervalMs / dt).rounded()))))
    }
  }

  private func makeKernel(for pop: Population) -> any PopulationKernel<Scalar> {
    let seed = experiment.simulation.seed
    var initial: [String: (Int) -> Double] = [:]
    for (name, dist) in pop.initialState {
      let stream = RandomStream(seed: seed, purpose: "init/\(pop.name)/\(name)")
      initial[name] = { stream.sample(dist, UInt64($0), 0) }
    }
    return KernelFactory.make(population: pop, dtMs: dt, seed: seed, initial: initial)
  }

  /// Bytes of synapse storage (including plasticity's per-synapse index).
  var synapseBytes: Int {
    tables.reduce(0) { $0 + $1.bytes } + plasticity.values.reduce(0) { $0 + $1.indexBytes }
  }
  /// Number of synapses.
  var synapseCount: Int { tables.reduce(0) { $0 + $1.count } }
  /// Number of synapses of plastic projections.
  var plasticSynapseCount: Int { plasticity.values.reduce(0) { $0 + $1.table.count } }
  /// Bytes of plastic projections' per-synapse arrays (target, weight, the rule's transposed
  /// index with its coarse row table); row offsets and traces are per neuron and not counted.
  var plasticSynapseBytes: Int {
    plasticity.values.reduce(0) {
      $0 + SynapseTable<Scalar>.bytesPerSynapse(perSynapseDelays: false) * $1.table.count + $1.indexBytes
    }
  }

  /// Runs every step; returns (spike totals, synaptic events).
  @_specialize(where Scalar == Double)
  @_specialize(where Scalar == Float)
  func run() throws -> (spikeTotals: [Int], synapticEvents: Int) {
    let flushEvery = max(1, Int((experiment.simulation.flushIntervalMs / dt).rounded()))
    var lastProgress = Date()
    // Everything the step touches, resolved once: per-step existential calls, dictionary lookups
    // and class-property accesses showed up in profiles as runtime metadata and exclusivity work.
    let populations = kernels.indices.map { p in
      (
        step: kernels[p].step, spikes: spikes[p], offset: kernels[p].emitsAtStepEnd ? 1 : 0,
        ringTables: outgoing[p].map { tables[$0] }.filter { $0.delays != nil }, recorder: spikeRecorders[p],
        history: histories[p]
      )
    }
    let direct = tables.indices.filter { tables[$0].delays == nil }.map { t in
      (
        table: tables[t], history: histories[tables[t].sourcePopulation],
        target: kernels[tables[t].targetPopulation].synapticVariable(tables[t].receptor)!, stdp: plasticity[t]
      )
    }
    let postsynaptic = plasticity.keys.sorted().map { t in
      (kernel: plasticity[t]!, spikes: spikes[tables[t].targetPopulation])
    }
    let clocked = plasticity.keys.sorted().map { plasticity[$0]! }.filter(\.isClocked)
    let traceKernels = stateRecorders.map { recorder -> (any PlasticityKernel<Scalar>)? in
      if case .projection(let t) = recorder.source { return plasticity[t] }
      return nil
    }
    let ringInputs = kernels.indices.compactMap { p in
      rings[p].map {
        (
          ring: $0, excitatory: kernels[p].synapticVariable(.excitatory)!,
          inhibitory: kernels[p].synapticVariable(.inhibitory)!
        )
      }
    }
    var totals = spikeTotals
    var events = 0
    for n in 0..<stepCount {
      for (r, recorder) in stateRecorders.enumerated() where n % recorder.intervalSteps == 0 {
        if let kernel = traceKernels[r] {
          recorder.sample { kernel.traceValue($0, neuron: $1, step: n) }
        } else if case .population(let p) = recorder.source {
          let kernel = kernels[p]
          recorder.sample { Double(kernel.value(ofVariable: $0, neuron: $1)) }
        }
        if recorder.bufferedCount >= Self.recorderFlushThreshold { try recorder.flush(to: observer) }
      }
      for recorder in weightRecorders where n % recorder.intervalSteps == 0 {
        recorder.snapshot(timeMs: Double(n) * dt)
        if recorder.bufferedCount >= Self.recorderFlushThreshold { try recorder.flush(to: observer) }
      }
      currents.apply(upTo: n, kernels: kernels)
      for (p, pop) in populations.enumerated() {
        pop.step(n, pop.spikes)
        let stamp = n + pop.offset
        pop.history.store(pop.spikes, stamp: stamp)
        guard pop.spikes.count > 0 else { continue }
        for table in pop.ringTables {
          events += deliverToRing(table, spikes: pop.spikes, stamp: stamp)
        }
        totals[p] += pop.spikes.count
        if let recorder = pop.recorder {
          recorder.append(pop.spikes, timeMs: Double(stamp) * dt)
          if recorder.bufferedCount >= Self.recorderFlushThreshold { try recorder.flush(to: observer) }
        }
      }
      // Everything arriving at t_{n+1}.
      for d in direct {
        d.history.withSpikes(stamp: n + 1 - d.table.uniformDelaySteps) { indices, count in
          events += deliver(d.table, indices: indices, count: count, into: d.target)
          d.stdp?.presynapticArrivals(indices, count: count, step: n + 1)
        }
      }
      // Plasticity at t_{n+1}: presynaptic arrivals (above) come before postsynaptic spikes.
      for post in postsynaptic where post.spikes.count > 0 {
        post.kernel.postsynapticSpikes(post.spikes.indices, count: post.spikes.count, step: n + 1)
      }
      for kernel in clocked { kernel.advance(toStep: n + 1) }
      for pop in populations { pop.spikes.removeAll() }
      for input in ringInputs {
        input.ring.fold(slot: (n + 1) % input.ring.slots, excitatory: input.excitatory, inhibitory: input.inhibitory)
      }
      if (n + 1) % flushEvery == 0 || n + 1 == stepCount { try flush(atStep: n + 1) }
      // Progress at most four times a second of wall time, whatever the speed of the run.
      if (n + 1) & 127 == 0 || n + 1 == stepCount {
        if observer.shouldStop() && n + 1 < stepCount {
          try flush(atStep: n + 1)  // every recorder, weights and plateaus included
          throw EngineError.interrupted(timeMs: Double(n + 1) * dt)
        }
        let now = Date()
        if now.timeIntervalSince(lastProgress) > 0.25 || n + 1 == stepCount {
          observer.progress(completedSteps: n + 1, totalSteps: stepCount)
          lastProgress = now
        }
      }
    }
    for t in plasticity.keys.sorted() { plasticity[t]!.finish(atStep: stepCount) }
    for recorder in weightRecorders {
      recorder.snapshot(timeMs: Double(stepCount) * dt)
      try recorder.flush(to: observer)
    }
    spikeTotals = totals
    synapticEvents = events
    return (totals, events)
  }

  /// Adds the weights of every outgoing synapse of the given spikes to `target` (a synaptic
  /// variable); returns the number of synaptic events.
  @inline(__always)
  private func deliver(
    _ table: SynapseTable<Scalar>, indices: UnsafePointer<Int32>, count: Int, into target: UnsafeMutablePointer<Scalar>
  ) -> Int {
    let targets = table.targets
    let weights = table.weights
    let offsets = table.offsets
    var events = 0
    for k in 0..<count {
      let s = Int(indices[k])
      let start = offsets[s]
      let end = offsets[s + 1]
      events += end - start
      for j in start..<end { target[Int(targets[j])] += weights[j] }
    }
    return events
  }

  /// Adds the weights of a per-synapse-delay projection's synapses into the target's ring slot of
  /// each synapse's arrival step; returns the number of synaptic events.
  @inline(__always)
  private func deliverToRing(_ table: SynapseTable<Scalar>, spikes: SpikeBuffer, stamp: Int) -> Int {
    let ring = rings[table.targetPopulation]!
    let slots = ring.slots
    let base = ring.receptorBase(table.receptor)
    let stride = ring.stride
    let targets = table.targets
    let weights = table.weights
    let offsets = table.offsets
    let delays = table.delays!
    var events = 0
    for k in 0..<spikes.count {
      let s = Int(spikes.indices[k])
      let start = offsets[s]
      let end = offsets[s + 1]
      events += end - start
      for j in start..<end {
        base[((stamp + Int(delays[j])) % slots) * stride + Int(targets[j])] += weights[j]
      }
    }
    return events
  }

  /// Hands recorded data to the observer and checks state for NaN/∞.
  private func flush(atStep n: Int) throws {
    for p in spikeRecorders.keys.sorted() { try spikeRecorders[p]!.flush(to: observer) }
    for recorder in stateRecorders { try recorder.flush(to: observer) }
    for recorder in weightRecorders { try recorder.flush(to: observer) }
    for t in plasticity.keys.sorted() {
      let events = plasticity[t]!.takePlateaus()
      guard !events.isEmpty else { continue }
      try observer.record(
        plateaus: PlateauChunk(
          projection: tables[t].projectionName, timesMs: events.map { Double($0.step) * dt },
          nodeIDs: events.map { UInt64($0.neuron) }))
    }
    for (p, pop) in experiment.populations.enumerated() {
      for (v, variable) in pop.model.recordableVariables.enumerated() {
        for i in 0..<pop.size where !kernels[p].value(ofVariable: v, neuron: i).isFinite {
          throw EngineError.nonFiniteState(
            population: pop.name, variable: variable.name, neuron: i, timeMs: Double(n) * dt)
        }
      }
    }
  }
}

/// Per target population with per-synapse-delay inputs: one input slot per step of the longest
/// such delay, per receptor.
final class InputRing<Scalar: EngineScalar> {
  let slots: Int
  let stride: Int
  private let storage: UnsafeMutablePointer<Scalar>

  init(size: Int, slots: Int) {
    self.slots = slots
    stride = paddedCount(size)
    storage = .allocate(capacity: 2 * slots * stride)
    storage.initialize(repeating: 0, count: 2 * slots * stride)
  }

  deinit { storage.deallocate() }

  /// Start of the excitatory or inhibitory block (`slots × stride` scalars).
  func receptorBase(_ receptor: ReceptorIndex) -> UnsafeMutablePointer<Scalar> {
    storage + receptor.rawValue * slots * stride
  }

  /// The input slot `slot` of one receptor.
  func slot(_ slot: Int, _ receptor: ReceptorIndex) -> UnsafeMutablePointer<Scalar> {
    receptorBase(receptor) + slot * stride
  }

  /// Adds slot `slot` of both receptors into the synaptic variables and zeroes it for reuse.
  func fold(slot: Int, excitatory: UnsafeMutablePointer<Scalar>, inhibitory: UnsafeMutablePointer<Scalar>) {
    for (receptor, variable) in [(ReceptorIndex.excitatory, excitatory), (.inhibitory, inhibitory)] {
      let input = self.slot(slot, receptor)
      for i in Swift.stride(from: 0, to: stride, by: laneCount) {
        variable.setLanes(i, variable.lanes(i) + input.lanes(i))
        input.setLanes(i, .zero)
      }
    }
  }
}

/// The spikes of one population over the last `depth + 1` stamps, for uniform-delay delivery.
final class SpikeHistory {
  private let size: Int
  private var stamps: [Int]
  private var lists: [[Int32]]

  init(depth: Int) {
    size = depth + 1
    stamps = Array(repeating: -1, count: size)
    lists = Array(repeating: [], count: size)
  }

  /// Keeps a copy of this step's spikes under `stamp` (replacing the oldest entry); nothing when no
  /// uniform-delay projection leaves the population (depth 0).
  @inline(__always)
  func store(_ spikes: SpikeBuffer, stamp: Int) {
    guard size > 1 else { return }
    let k = stamp % size
    stamps[k] = stamp
    lists[k].removeAll(keepingCapacity: true)
    lists[k].append(contentsOf: UnsafeBufferPointer(start: spikes.indices, count: spikes.count))
  }

  /// Calls `body` with the spikes stamped `stamp` (nothing if none or not kept).
  @inline(__always)
  func withSpikes(stamp: Int, _ body: (UnsafePointer<Int32>, Int) -> Void) {
    guard stamp >= 0 else { return }
    let k = stamp % size
    guard stamps[k] == stamp, !lists[k].isEmpty else { return }
    lists[k].withUnsafeBufferPointer { body($0.baseAddress!, $0.count) }
  }
}
