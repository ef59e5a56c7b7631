import Foundation
import NDMLModel

/// A compiled network and its clock-driven loop in one precision.
///
/// Step `n` covers `[t_n, t_{n+1})`: (1) state samples due at `t_n` are taken; (2) currents whose
/// schedule changes at `t_n` are applied; (3) every population advances, neuron kernels consuming the
/// input slot of step `n`; (4) spikes are delivered into the ring buffers at
/// `emission step + delay` (neurons emit at `t_{n+1}`, sources at `t_n`), in population order, then
/// source order, then synapse order; (5) spikes are recorded.
final class Simulation<Scalar: EngineScalar> {
  private let experiment: Experiment
  /// The experiment being simulated.
  var experimentDescription: Experiment { experiment }
  private let observer: any SimulationObserver
  private let dt: Double
  private let stepCount: Int
  private var kernels: [any PopulationKernel<Scalar>] = []
  private var rings: [InputRing<Scalar>] = []
  private var spikes: [SpikeBuffer] = []
  private var tables: [SynapseTable<Scalar>] = []
  private var outgoing: [[Int]] = []
  private var currents: CurrentSchedule
  private var spikeRecorders: [Int: SpikeRecorder] = [:]
  private var stateRecorders: [StateRecorder] = []
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
    outgoing = experiment.populations.indices.map { p in
      tables.indices.filter { tables[$0].sourcePopulation == p }
    }
    for (p, pop) in experiment.populations.enumerated() {
      let maxDelay = tables.filter { $0.targetPopulation == p }.map(\.maximumDelaySteps).max() ?? 0
      rings.append(InputRing(size: pop.size, slots: maxDelay + 1))
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
          recordingIndex: i, population: p, plan: rec,
          variableIndices: rec.variables.map { names.firstIndex(of: $0)! },
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

  /// Bytes of synapse storage.
  var synapseBytes: Int { tables.reduce(0) { $0 + $1.bytes } }
  /// Number of synapses.
  var synapseCount: Int { tables.reduce(0) { $0 + $1.count } }

  /// Runs every step; returns (spike totals, synaptic events).
  @_specialize(where Scalar == Double)
  @_specialize(where Scalar == Float)
  func run() throws -> (spikeTotals: [Int], synapticEvents: Int) {
    let flushEvery = max(1, Int((1000 / dt).rounded()))  // one second of biological time
    var lastProgress = Date()
    // Everything the step touches, resolved once: per-step existential calls, dictionary lookups
    // and class-property accesses showed up in profiles as runtime metadata and exclusivity work.
    let populations = kernels.indices.map { p in
      (
        step: kernels[p].step, ring: rings[p], spikes: spikes[p], offset: kernels[p].emitsAtStepEnd ? 1 : 0,
        outgoing: outgoing[p].map { tables[$0] }, recorder: spikeRecorders[p]
      )
    }
    var totals = spikeTotals
    var events = 0
    for n in 0..<stepCount {
      for recorder in stateRecorders where n % recorder.intervalSteps == 0 {
        recorder.sample(kernels[recorder.population])
        if recorder.bufferedCount >= Self.recorderFlushThreshold { try recorder.flush(to: observer) }
      }
      currents.apply(upTo: n, kernels: kernels)
      for pop in populations {
        let slot = n % pop.ring.slots
        pop.step(n, pop.ring.slot(slot, .excitatory), pop.ring.slot(slot, .inhibitory), pop.spikes)
      }
      for (p, pop) in populations.enumerated() where pop.spikes.count > 0 {
        let emission = n + pop.offset
        for table in pop.outgoing { events += deliver(table, spikes: pop.spikes, emissionStep: emission) }
        totals[p] += pop.spikes.count
        if let recorder = pop.recorder {
          recorder.append(pop.spikes, timeMs: Double(emission) * dt)
          if recorder.bufferedCount >= Self.recorderFlushThreshold { try recorder.flush(to: observer) }
        }
        pop.spikes.removeAll()
      }
      if (n + 1) % flushEvery == 0 || n + 1 == stepCount { try flush(atStep: n + 1) }
      // Progress at most four times a second of wall time, whatever the speed of the run.
      if (n + 1) & 127 == 0 || n + 1 == stepCount {
        let now = Date()
        if now.timeIntervalSince(lastProgress) > 0.25 || n + 1 == stepCount {
          observer.progress(completedSteps: n + 1, totalSteps: stepCount)
          lastProgress = now
        }
      }
    }
    spikeTotals = totals
    synapticEvents = events
    return (totals, events)
  }

  /// Adds the weights of every outgoing synapse of this step's spikes into the target's ring slots;
  /// returns the number of synaptic events.
  @inline(__always)
  private func deliver(_ table: SynapseTable<Scalar>, spikes: SpikeBuffer, emissionStep: Int) -> Int {
    let ring = rings[table.targetPopulation]
    let slots = ring.slots
    let base = ring.receptorBase(table.receptor)
    let stride = ring.stride
    let targets = table.targets
    let weights = table.weights
    let offsets = table.offsets
    var events = 0
    for k in 0..<spikes.count {
      let s = Int(spikes.indices[k])
      let start = offsets[s]
      let end = offsets[s + 1]
      events += end - start
      if let delays = table.delays {
        for j in start..<end {
          let slot = (emissionStep + Int(delays[j])) % slots
          base[slot * stride + Int(targets[j])] += weights[j]
        }
      } else {
        let row = base + ((emissionStep + table.uniformDelaySteps) % slots) * stride
        for j in start..<end { row[Int(targets[j])] += weights[j] }
      }
    }
    return events
  }

  /// Hands recorded data to the observer and checks state for NaN/∞.
  private func flush(atStep n: Int) throws {
    for p in spikeRecorders.keys.sorted() { try spikeRecorders[p]!.flush(to: observer) }
    for recorder in stateRecorders { try recorder.flush(to: observer) }
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

/// Per target population: one input slot per step of the longest incoming delay, per receptor.
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

  /// Bytes held.
  var bytes: Int { 2 * slots * stride * MemoryLayout<Scalar>.size }
}
