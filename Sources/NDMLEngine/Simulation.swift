import CNDMLThreads
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
  /// Recent spikes per population and thread: what delivery, recording and plasticity read.
  private var histories: [SpikeHistory] = []
  private var tables: [SynapseTable<Scalar>] = []
  private var outgoing: [[Int]] = []
  private var currents: CurrentSchedule
  /// Steps at which injected currents change, ascending.
  private let currentChangeSteps: [Int]
  /// Per step: the populations whose parameters change then (`changes:`), with their new models.
  private let parameterChanges: [Int: [(population: Int, models: [NeuronModel])]]
  /// Per step: the projections whose weights change then (`weight_changes:`), with the new weights.
  private let weightChanges: [Int: [(projection: Int, weights: [Double])]]
  /// When sine and noise inputs change.
  private let periodicCurrentChanges: PeriodicCurrentChanges
  private var spikeRecorders: [Int: SpikeRecorder] = [:]
  private var stateRecorders: [StateRecorder] = []
  /// Plasticity kernels by table index.
  private var plasticity: [Int: any PlasticityKernel<Scalar>] = [:]
  private var weightRecorders: [WeightRecorder<Scalar>] = []
  /// Processes on their own slow clocks (homeostatic scaling, consolidation), in build order.
  private var slowProcesses: [any SlowProcess] = []
  /// Per population, the slow process that observes its spikes (homeostasis, memory), if any.
  private var spikeObservers: [(any SpikeObserver)?] = []
  /// Tsodyks–Markram state by table index (projections with `short_term:`).
  private var shortTerm: [Int: ShortTermState] = [:]
  /// The memory lifecycles (also in ``slowProcesses``), in `memory:` order.
  private var memoryTrackers: [MemoryTracker<Scalar>] = []
  private var spikeTotals: [Int]
  private var synapticEvents = 0
  /// Steps between checkpoints handed to the observer (0: none).
  var checkpointEverySteps = 0
  /// A checkpoint's engine state to continue from (see ``saveState(atStep:totals:events:)``).
  var resumeState: [UInt8]?
  /// The first step this run simulates (0, or the checkpoint's step when resuming).
  private(set) var startStep = 0

  init(experiment: Experiment, observer: any SimulationObserver) {
    self.experiment = experiment
    self.observer = observer
    dt = experiment.simulation.dtMs
    stepCount = experiment.simulation.stepCount
    currents = CurrentSchedule(experiment: experiment)
    currentChangeSteps = currents.changeSteps
    var byStep: [Int: [(population: Int, models: [NeuronModel])]] = [:]
    for (p, pop) in experiment.populations.enumerated() {
      for change in pop.parameterChanges where experiment.simulation.steps(forMs: change.atMs) < stepCount {
        byStep[experiment.simulation.steps(forMs: change.atMs), default: []].append((p, change.neuronModels))
      }
    }
    parameterChanges = byStep
    var weightsByStep: [Int: [(projection: Int, weights: [Double])]] = [:]
    for (t, proj) in experiment.projections.enumerated() {
      for change in proj.weightChanges where experiment.simulation.steps(forMs: change.atMs) < stepCount {
        weightsByStep[experiment.simulation.steps(forMs: change.atMs), default: []].append((t, change.weights))
      }
    }
    weightChanges = weightsByStep
    periodicCurrentChanges = currents.periodicChanges
    spikeTotals = Array(repeating: 0, count: experiment.populations.count)
  }

  /// Buffered spikes or samples per recorder that trigger a flush before the one-second mark, so
  /// that memory stays bounded whatever is recorded (2²⁰ spikes ≈ 16 MiB).
  static var recorderFlushThreshold: Int { 1 << 20 }
  /// Uniform-delay synapse tables from this size on (all together) have the rows of each step's
  /// spikes prefetched before the delivery (a quarter of this machine's 1 MiB L2: smaller ones stay
  /// cached between steps).
  static var prefetchedTableBytes: Int { 256 << 10 }

  /// Builds state and synapses (the part the summary reports as build time) for a run on
  /// `threads` threads (see ``threadCount``; the partition is planned first).
  ///
  /// With a ``communicator`` of several ranks, this rank builds only the synapses onto the neurons
  /// it steps (``ownTargets(_:)``): the same synapses, weights, delays and row order as in the
  /// whole network, so about 1/K of its synapse memory. What depends on a whole projection — how
  /// its delays are stored and the longest, a `loihi_cuba` projection's sign mode — the ranks
  /// agree on through the communicator, one projection at a time.
  func build(threads: Int = 1) throws {
    if rankCount > 1 { try checkDistributable() }
    planPartition(threads: threads)
    let seed = experiment.simulation.seed
    var loihiChannels = Array(repeating: 0, count: experiment.populations.count)
    let changedWeights = Set(weightChanges.values.flatMap { $0.map(\.projection) })
    let recordedWeights = Set(experiment.recording.weights.map(\.projection))
    for (index, proj) in experiment.projections.enumerated() {
      let s = experiment.populationIndex(named: proj.source)!
      let t = experiment.populationIndex(named: proj.target)!
      var rows = ConnectivityBuilder(
        projection: proj, sourceSize: experiment.populations[s].size,
        targetSize: experiment.populations[t].size, dtMs: dt, seed: seed
      ).build(targets: rankCount > 1 ? ownTargets(t) : nil)
      var loihi = proj.loihi
      var delayShape: DelayShape?
      if let communicator, rankCount > 1 {
        (delayShape, loihi.signMode) = try agreeOnWholeProjection(rows, settings: proj.loihi, communicator)
      }
      let channel: InputChannel
      if case .loihiCuba = experiment.populations[t].model {
        channel = InputChannel(rawValue: loihiChannels[t])
        loihiChannels[t] += 1
        rows.weights = loihi.effectiveWeights(rows.weights).map(Double.init)
      } else {
        channel = proj.receptor == .excitatory ? .excitatory : .inhibitory
      }
      let scaled = experiment.populations[t].homeostasis?.scales(proj) ?? false
      let weightsFixed =
        proj.plasticity == nil && !scaled && !changedWeights.contains(index) && !recordedWeights.contains(proj.name)
      tables.append(
        SynapseTable(
          projectionName: proj.name, sourcePopulation: s, targetPopulation: t, channel: channel, rows: rows,
          sharingEqualWeights: weightsFixed, delayShape: delayShape))
    }
    for pop in experiment.populations {
      kernels.append(makeKernel(for: pop))
    }
    for (t, proj) in experiment.projections.enumerated() where groupsByDelay(t) {
      pendingInputs[t] = allocateAligned(
        (tables[t].maximumDelaySteps + 1) * paddedCount(experiment.populations[tables[t].targetPopulation].size),
        filling: Scalar(0))
      pendingExponents[t] = proj.loihi.weightExp
    }
    for (t, proj) in experiment.projections.enumerated() {
      if let rule = proj.plasticity {
        plasticity[t] = makePlasticityKernel(
          rule, table: tables[t], targetSize: experiment.populations[tables[t].targetPopulation].size, dtMs: dt,
          seed: seed, timescales: experiment.timescales)
      }
    }
    buildSlowProcesses()
    for (i, rec) in experiment.recording.weights.enumerated() {
      let t = experiment.projections.firstIndex { $0.name == rec.projection }!
      let unit = experiment.populations[tables[t].targetPopulation].model.weightUnit ?? ""
      let table = tables[t]
      weightRecorders.append(
        try WeightRecorder(
          recordingIndex: i, plan: rec, table: table, share: try rankShare(of: table),
          bounds: try histogramBounds(projection: t), unit: unit, dtMs: dt, seed: seed))
    }
    outgoing = experiment.populations.indices.map { p in
      tables.indices.filter { tables[$0].sourcePopulation == p }
    }
    for (p, pop) in experiment.populations.enumerated() {
      let incoming = tables.filter { $0.targetPopulation == p && $0.delays != nil }
      rings.append(
        incoming.isEmpty
          ? nil
          : InputRing(
            size: pop.size, slots: incoming.map(\.maximumDelaySteps).max()! + 1,
            variables: (0..<kernels[p].inputChannelCount).map {
              kernels[p].synapticVariable(InputChannel(rawValue: $0))!
            }
          ))
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

  /// The range of projection `t`'s weight histograms: a plastic rule's bounds; for static weights
  /// their initial range — from 0 to 4× the largest when homeostasis scales them (beyond falls in
  /// the last bin).
  private func histogramBounds(projection t: Int) throws -> ClosedRange<Double> {
    let proj = experiment.projections[t]
    if let rule = proj.plasticity { return rule.weightBounds }
    let table = tables[t]
    var (lo, hi) = (Double.infinity, -Double.infinity)
    for s in 0..<table.count {
      lo = min(lo, Double(table.weights[s]))
      hi = max(hi, Double(table.weights[s]))
    }
    if let communicator, rankCount > 1 {
      // The whole projection's range: every rank's, as bit patterns (exact).
      let words = [lo, hi].flatMap { x in
        [Int32(truncatingIfNeeded: x.bitPattern >> 32), Int32(truncatingIfNeeded: x.bitPattern)]
      }
      let all = try communicator.allGathered(words)
      func value(_ i: Int) -> Double {
        Double(bitPattern: UInt64(UInt32(bitPattern: all[i])) << 32 | UInt64(UInt32(bitPattern: all[i + 1])))
      }
      for r in 0..<rankCount {
        lo = min(lo, value(4 * r))
        hi = max(hi, value(4 * r + 2))
      }
    }
    guard lo <= hi else { return 0...0 }
    let scaled = experiment.population(named: proj.target)?.homeostasis?.scales(proj) ?? false
    return scaled ? min(lo, 0)...(4 * hi) : lo...hi
  }

  /// Where a distributed run's synapses of `table` are among the whole projection's (see
  /// ``WeightRecorder/RankShare``); nil in one process. Every rank's row lengths are summed over
  /// the ranks once (`ranks × sources` words), when the recorder is built.
  private func rankShare(of table: SynapseTable<Scalar>) throws -> WeightRecorder<Scalar>.RankShare? {
    guard let communicator, rankCount > 1 else { return nil }
    let sources = table.sourceCount
    var lengths = [Int](repeating: 0, count: rankCount * sources)
    for s in 0..<sources { lengths[rankIndex * sources + s] = table.offsets[s + 1] - table.offsets[s] }
    let all = try communicator.sum(lengths)
    var offsets = [0]
    var lower = [Int](repeating: 0, count: sources)
    offsets.reserveCapacity(sources + 1)
    for s in 0..<sources {
      var row = 0
      for r in 0..<rankCount {
        if r == rankIndex { lower[s] = row }
        row += all[r * sources + s]
      }
      offsets.append(offsets[s] + row)
    }
    return .init(globalOffsets: offsets, lowerRanks: lower) { try communicator.sum($0) }
  }

  /// The slow processes: each population's homeostatic scaling, then the plasticity rules that have
  /// a slow clock of their own (projection order).
  private func buildSlowProcesses() {
    spikeObservers = Array(repeating: nil, count: experiment.populations.count)
    for (p, pop) in experiment.populations.enumerated() {
      guard let h = pop.homeostasis else { continue }
      let scaled = experiment.projections.indices.filter { t in
        experiment.projections[t].target == pop.name && h.scales(experiment.projections[t])
      }
      let process = HomeostaticScalingProcess<Scalar>(
        population: p, name: pop.name, size: pop.size, parameters: h,
        tables: scaled.map { t in
          (tables[t], experiment.projections[t].plasticity?.weightBounds.upperBound ?? .infinity)
        },
        clockSteps: h.clock.steps(timescales: experiment.timescales, dtMs: dt), dtMs: dt)
      slowProcesses.append(process)
      spikeObservers[p] = process
    }
    for t in plasticity.keys.sorted() {
      if let process = plasticity[t] as? any SlowProcess { slowProcesses.append(process) }
    }
    for t in plasticity.keys.sorted() {
      let proj = experiment.projections[t]
      guard let c = proj.consolidation, let rule = proj.plasticity else { continue }
      slowProcesses.append(
        BennaFusiProcess<Scalar>(
          table: tables[t], parameters: c, bounds: rule.weightBounds,
          clockSteps: c.clock.steps(timescales: experiment.timescales, dtMs: dt), dtMs: dt))
    }
    buildMemoryTrackers()
  }

  /// One ``MemoryTracker`` per `memory:` entry, after the processes that change its weights (so
  /// it reads them after their ticks).
  private func buildMemoryTrackers() {
    for m in experiment.memory {
      let t = experiment.projections.firstIndex { $0.name == m.projection }!
      let table = tables[t]
      guard let source = kernels[table.sourcePopulation] as? MemoryPatternKernel<Scalar>,
        case .memoryPatterns(let parameters) = experiment.populations[table.sourcePopulation].model
      else { preconditionFailure("memory.\(m.projection): validated to have a memory_patterns source") }
      let chain = slowProcesses.compactMap { $0 as? BennaFusiProcess<Scalar> }.first { $0.table === table }
      let rule = plasticity[t] as? any MemoryVariableSource
      let variables = (rule?.memoryVariables ?? []) + (chain?.memoryVariables ?? [])
      let tracker = MemoryTracker(
        tracking: m, table: table, patterns: source, parameters: parameters, variables: variables, rule: rule,
        targetSize: experiment.populations[table.targetPopulation].size,
        clockSteps: m.clock.steps(timescales: experiment.timescales, dtMs: dt), dtMs: dt)
      memoryTrackers.append(tracker)
      slowProcesses.append(tracker)
      let p = table.targetPopulation
      spikeObservers[p] = spikeObservers[p].map { SpikeObserverFanOut([$0, tracker]) } ?? tracker
    }
  }

  /// Whether projection `t` needs its input shifted per (spike step, delay) before it is summed:
  /// Lava's `DelayDense` shifts each such partial sum by `weight_exp`, which for a negative
  /// exponent (a floor) differs from shifting the step's total.
  private func groupsByDelay(_ t: Int) -> Bool {
    let proj = experiment.projections[t]
    guard case .loihiCuba = experiment.population(named: proj.target)?.model else { return false }
    return proj.loihi.weightExp < 0 && tables[t].delays != nil
  }

  /// Steps after its soma spike at which a postsynaptic spike reaches the plastic synapses of
  /// projection `t`: `2·f·d` for `pair_stdp` with a dendritic delay fraction `f` of the delay `d`
  /// (arrivals are processed at `t_pre + d`, so the pairing sees `t_post + f·d − (t_pre + (1 − f)·d)`,
  /// as NEST and PyNN define it); 0 otherwise.
  private func postsynapticDelaySteps(_ t: Int) -> Int {
    guard case .pairSTDP(let p) = experiment.projections[t].plasticity, p.dendriticDelayFraction > 0 else { return 0 }
    return Int((2 * p.dendriticDelayFraction * Double(tables[t].uniformDelaySteps)).rounded())
  }

  /// Sets the weights of (static) projection `t`: one for every synapse, or one per synapse of its
  /// explicit list in list order (the table holds the list sorted by (source, target, index)).
  /// On ranks, the table holds only the list's synapses onto this rank's neurons.
  private func setWeights(_ weights: [Double], projection t: Int) {
    let table = tables[t]
    guard weights.count > 1 else {
      for s in 0..<table.count { table.weights[s] = Scalar(weights[0]) }
      return
    }
    guard case .explicit(let list) = experiment.projections[t].connectivity else { return }
    let own = rankCount > 1 ? ownTargets(table.targetPopulation) : 0..<Int.max
    let order = list.indices.filter { own.contains(list[$0].target) }.sorted {
      (list[$0].source, list[$0].target, $0) < (list[$1].source, list[$1].target, $1)
    }
    for (s, i) in order.enumerated() { table.weights[s] = Scalar(weights[i]) }
  }

  /// Per projection that ``groupsByDelay(_:)``: this step's input per delay and target, and its
  /// exponent.
  private var pendingInputs: [Int: UnsafeMutablePointer<Scalar>] = [:]
  private var pendingExponents: [Int: Int] = [:]

  deinit {
    for p in pendingInputs.values { p.deallocate() }
  }

  /// Spike sources that drive a `loihi_cuba` population (their spikes are made binary).
  private var binarySources: Set<Int> {
    Set(
      tables.filter { t in
        experiment.populations[t.sourcePopulation].model.isSource && kernels[t.targetPopulation].inputLeadSteps > 0
      }.map(\.sourcePopulation))
  }

  private func makeKernel(for pop: Population) -> any PopulationKernel<Scalar> {
    let seed = experiment.simulation.seed
    let initial = initialDraws(pop, seed: seed)
    let exponents = experiment.projections.indices.filter { experiment.projections[$0].target == pop.name }.map {
      groupsByDelay($0) ? 0 : experiment.projections[$0].loihi.weightExp
    }
    return KernelFactory.make(population: pop, dtMs: dt, seed: seed, initial: initial, weightExponents: exponents)
  }

  /// Bytes of synapse storage (including plasticity's per-synapse index).
  var synapseBytes: Int {
    tables.reduce(0) { $0 + $1.bytes } + plasticity.values.reduce(0) { $0 + $1.indexBytes } + chainBytes
  }
  /// Bytes of the consolidation chains' hidden variables.
  private var chainBytes: Int {
    slowProcesses.reduce(0) { $0 + (($1 as? BennaFusiProcess<Scalar>)?.bytes ?? 0) }
  }
  /// Number of synapses.
  var synapseCount: Int { tables.reduce(0) { $0 + $1.count } }
  /// Number of synapses of plastic projections.
  var plasticSynapseCount: Int { plasticity.values.reduce(0) { $0 + $1.table.count } }
  /// Bytes of plastic projections' per-synapse arrays (target, weight, the rule's transposed
  /// index with its coarse row table, consolidation chains); row offsets and traces are per neuron and not counted.
  var plasticSynapseBytes: Int {
    plasticity.values.reduce(0) {
      $0 + SynapseTable<Scalar>.bytesPerSynapse(perSynapseDelays: false) * $1.table.count + $1.indexBytes
    } + chainBytes
  }

  /// Whether thread 0 times the phases of each step (neurons, barrier, delivery) — for
  /// benchmarks; it costs three clock reads per step.
  var measurePhases = false
  /// Thread 0's seconds per phase of the last run (when ``measurePhases``).
  private(set) var phaseSeconds: [String: Double] = [:]
  /// Fewest blocks of neurons (``blockCount`` each, sources not counted) worth a thread of their own.
  static var minimumBlocksPerThread: Int { 4 }
  /// Threads the run uses: the requested count, fewer for small networks (see
  /// ``minimumBlocksPerThread``), or 1 when a plasticity rule cannot be split.
  private(set) var threadCount = 1
  /// Why ``threadCount`` is below the requested count, if it is.
  private(set) var threadLimit: String?
  /// Per population, per thread: the neurons (whole SIMD chunks) that thread steps; a population
  /// that cannot be split (replayed spikes, memory patterns) is stepped whole by one thread and
  /// empty for the others.
  private var neuronRanges: [[Range<Int>]] = []
  /// The ranks of a distributed run (nil: this process runs the whole network).
  var communicator: (any RankCommunicator)?
  /// The spike exchange between ranks (distributed runs with more than one rank).
  private var exchange: RankExchange?
  /// The populations whose spikes are exchanged (see ``spikesNeededByOtherRanks(_:)``).
  private var exchangedPopulations: [Int] = []
  /// The most steps between two spike exchanges of a distributed run (see ``exchangeInterval()``).
  private(set) var exchangeIntervalSteps = 1
  /// Spike exchanges of the last distributed run.
  var spikeExchanges: Int { exchange?.exchanges ?? 0 }
  /// This process's rank and the number of ranks (0 and 1 without ``communicator``).
  private var rankIndex: Int { communicator?.rank ?? 0 }
  private var rankCount: Int { communicator?.rankCount ?? 1 }
  /// The synapses each rank holds (distributed runs; nil otherwise): set when the run starts.
  private(set) var rankSynapses: RankSynapses?
  /// Spike ids this rank sent to and received from the others (distributed runs).
  var exchangedSpikes: (sent: Int, received: Int) { (exchange?.sentSpikes ?? 0, exchange?.receivedSpikes ?? 0) }

  /// Decides ``threadCount`` for `requested` threads (1 when a rule cannot be split) and every
  /// part's neurons (``neuronRanges``), from the config alone: called first by ``build(threads:)``,
  /// so that a rank knows its neurons before it builds the synapses onto them.
  private func planPartition(threads requested: Int) {
    let populations = experiment.populations
    let threading = populations.map { KernelFactory.threading(of: $0.model) }
    let emitting = populations.indices.filter { threading[$0].emitsAtStepEnd }
    // At least `minimumBlocksPerThread` blocks of neurons per thread: on less work a step is all
    // synchronisation (Song 2000's one neuron ran 2.5x slower on two threads).
    let blocks = emitting.reduce(0) { $0 + paddedCount(populations[$1].size) / blockCount }
    let useful = max(1, blocks / Self.minimumBlocksPerThread / rankCount)
    let neurons = emitting.reduce(0) { $0 + populations[$1].size }
    if let proj = experiment.projections.first(where: { $0.plasticity.map { !$0.splitsAcrossThreads } ?? false }),
      requested > 1
    {
      threadCount = 1
      threadLimit = "projection \(proj.name) has a plasticity rule that runs on one thread only"
    } else if requested > useful {
      threadCount = useful
      threadLimit =
        "the network has \(neurons) neuron\(neurons == 1 ? "" : "s") (sources not counted); each thread needs at least \(Self.minimumBlocksPerThread * blockCount)"
    } else {
      threadCount = max(1, requested)
    }
    // Ranks are the outer level: rank r's threads step parts r·T ..< (r + 1)·T.
    let parts = rankCount * threadCount
    var wholeOwner = 0
    neuronRanges = populations.indices.map { p in
      if threading[p].splitsAcrossThreads { return chunkPartition(count: populations[p].size, parts: parts) }
      defer { wholeOwner += 1 }
      return (0..<parts).map { $0 == wholeOwner % parts ? 0..<paddedCount(populations[p].size) : 0..<0 }
    }
  }

  /// The neurons of population `p` this rank steps (all of them without ranks): the union of its
  /// parts' ranges, within the population.
  private func ownTargets(_ p: Int) -> Range<Int> {
    let own = neuronRanges[p][rankIndex * threadCount..<(rankIndex + 1) * threadCount].filter { !$0.isEmpty }
    guard let first = own.first, let last = own.last else { return 0..<0 }
    return (first.lowerBound..<last.upperBound).clamped(to: 0..<experiment.populations[p].size)
  }

  /// Splits neurons, synapse rows, rings and plasticity state over the parts
  /// ``planPartition(threads:)`` decided; called once after ``build(threads:)``.
  private func partition() {
    let parts = rankCount * threadCount
    for (kernel, pop) in zip(kernels, experiment.populations) {
      precondition(
        (kernel.emitsAtStepEnd, kernel.splitsAcrossThreads) == KernelFactory.threading(of: pop.model),
        "KernelFactory.threading(of:) disagrees with the kernel of \(pop.name)")
    }
    precondition(rankCount == 1 || slowProcesses.isEmpty, "checkDistributable() refuses slow processes")
    for (kernel, ranges) in zip(kernels, neuronRanges) { kernel.prepare(ranges: ranges) }
    for table in tables {
      let ranges = neuronRanges[table.targetPopulation]
      // On ranks a table holds only the synapses onto this rank's parts, and walks only those.
      table.partition(
        targetBounds: ranges.map(\.lowerBound) + [ranges.last!.upperBound],
        walking: rankIndex * threadCount..<(rankIndex + 1) * threadCount)
    }
    for (t, kernel) in plasticity {
      precondition(
        kernel.supportsThreads == experiment.projections[t].plasticity!.splitsAcrossThreads,
        "PlasticityRule.splitsAcrossThreads disagrees with the kernel")
      kernel.prepare(parts: parts, ownParts: rankIndex * threadCount..<(rankIndex + 1) * threadCount)
    }
    for (t, proj) in experiment.projections.enumerated() {
      guard let p = proj.shortTerm else { continue }
      shortTerm[t] = ShortTermState(
        parameters: p, sources: tables[t].sourceCount,
        ownParts: rankIndex * threadCount..<(rankIndex + 1) * threadCount, dtMs: dt)
    }
    histories = experiment.populations.indices.map { p in
      let delivery = tables.filter { $0.sourcePopulation == p && $0.delays == nil }.map(\.uniformDelaySteps).max() ?? 0
      let backPropagation =
        tables.indices.filter { tables[$0].targetPopulation == p }.map(postsynapticDelaySteps).max() ?? 0
      return SpikeHistory(depth: max(delivery, backPropagation), parts: parts, capacity: experiment.populations[p].size)
    }
  }

  /// Runs every step on the threads ``build(threads:)`` planned (see ``threadCount``); returns
  /// (spike totals, synaptic events). Results are bit-identical for every thread count.
  ///
  /// Each thread owns a contiguous range of every neuron population — its state, its synaptic
  /// variables and input-ring slots, and the plastic synapses onto it — and runs the whole loop:
  /// (1) step its neurons, keeping their spikes per (stamp, thread) in ``SpikeHistory``;
  /// (2) wait at the barrier (the step's only synchronisation); (3) deliver every arriving spike,
  /// of all threads in thread order — which is neuron order — but only along the synapses onto its
  /// own targets, then the plasticity of those synapses. Every target therefore receives its
  /// inputs in the same order as with one thread: projections in config order, spikes in neuron
  /// order, synapses in row order. Thread 0 also records spikes. A thread may run one step ahead
  /// of the others' deliveries, so histories keep one stamp more than the longest delay. Steps with
  /// work on shared state (samples, weight snapshots, current changes, flushes, the stop check
  /// every 128 steps) first meet at a second barrier pair, and thread 0 does that work alone.
  ///
  /// With a ``communicator`` of K ranks, this process runs parts `r·T ..< (r + 1)·T` of `K·T`,
  /// holding only the synapses onto the neurons of those parts (see ``build(threads:)``), and
  /// exchanges its spikes with the other ranks after its neurons' update once per interval the
  /// shortest delay allows (``exchangeInterval()``, ``RankExchange``); its first thread does the
  /// serial work of its copy of the shared state, and only rank 0 records, each spike once the
  /// exchange has brought it.
  func run() throws -> (spikeTotals: [Int], synapticEvents: Int) {
    partition()
    if let communicator, rankCount > 1 {
      if rankIndex != 0 { spikeRecorders = [:] }
      exchangedPopulations = try populationsNeededByOtherRanks(communicator)
      rankSynapses = try synapsesOfEveryRank(communicator)
      exchangeIntervalSteps = exchangeInterval()
      for p in kernels.indices where histories[p].view.slots - 2 < exchangeIntervalSteps {
        // The exchange reads the rank's spikes of a whole interval back and stores the others',
        // and the leader records them after it.
        histories[p] = SpikeHistory(
          depth: exchangeIntervalSteps, parts: rankCount * threadCount, capacity: experiment.populations[p].size)
      }
      exchange = RankExchange(
        communicator: communicator, threads: threadCount,
        histories: exchangedPopulations.map { histories[$0].view },
        stampOffsets: exchangedPopulations.map { kernels[$0].emitsAtStepEnd ? 1 : 0 },
        maximumSteps: exchangeIntervalSteps)
    }
    let context = RunContext(simulation: self, threads: threadCount, parts: rankCount * threadCount)
    let firstPart = rankIndex * threadCount
    if let state = resumeState {
      let restored = try restoreState(exchange == nil ? state : try ownState(in: state))
      startStep = restored.step
      context.totals = restored.totals
      context.events[firstPart] = restored.events
    }
    runOnThreads(threadCount) { context.simulation.runPart(firstPart + $0, context) }
    phaseSeconds = context.phaseSeconds
    if let exchange {
      phaseSeconds["rank_exchange"] = context.exchangeSeconds
      // Every rank leaves the loop at the same step; a failure since the last agreement (a flush
      // in the last steps) is shared now, before the collectives below.
      if let (rank, _) = try exchange.agree(code: context.failure == nil ? 0 : 2), context.failure == nil {
        context.failure = DistributedRunError.peerStopped(rank: rank, timeMs: Double(stepCount) * dt)
      }
    }
    if let failure = context.failure { throw failure }
    if let (rank, n) = context.peerFault, rank != rankIndex {
      try flush(atStep: n)
      throw DistributedRunError.peerFault(rank: rank, timeMs: Double(n + 1) * dt)
    }
    if let (p, n) = context.firstFault() {
      // Hand over what was recorded before the faulty step, then name the neuron.
      try flush(atStep: n)
      let fault = kernels[p].faultyNeuron()
      throw EngineError.numericalFault(
        population: experiment.populations[p].name, variable: fault?.variable ?? "state", neuron: fault?.neuron ?? -1,
        value: fault?.value ?? .nan, timeMs: Double(n + 1) * dt)
    }
    var totals = context.totals
    if let exchange {
      // Populations kept local were counted by each rank for its own neurons only.
      let local = totals.indices.map { exchangedPopulations.contains($0) ? 0 : totals[$0] }
      for (p, sum) in try exchange.communicator.sum(local).enumerated() where !exchangedPopulations.contains(p) {
        totals[p] = sum
      }
    }
    var events = (firstPart..<firstPart + threadCount).reduce(0) { $0 + context.events[$1] }
    if let exchange { events = try exchange.communicator.sum([events])[0] }
    // The sample at t = duration of the recordings that ask for it (`final_sample`).
    for (recorder, rec) in zip(stateRecorders, experiment.recording.state) where rec.finalSample {
      guard case .population(let p) = recorder.source else { continue }
      try sample(recorder, population: p)
    }
    try flush(atStep: stepCount)
    observer.progress(completedSteps: stepCount, totalSteps: stepCount)
    for t in plasticity.keys.sorted() { plasticity[t]!.finish(atStep: stepCount) }
    for process in slowProcesses { process.finish(atStep: stepCount) }
    for tracker in memoryTrackers { try observer.record(memory: tracker.takeReport()) }
    for name in experiment.recording.inputs {
      guard let j = currents.injectionIndex(named: name) else { continue }
      let population = experiment.currentInjections[j].population
      try observer.record(inputCurrent: currents.report(of: j, stepCount: stepCount, populationName: population))
    }
    for recorder in weightRecorders {
      try recorder.snapshot(timeMs: Double(stepCount) * dt)
      try recorder.flush(to: observer)
    }
    spikeTotals = totals
    synapticEvents = events
    return (totals, events)
  }

  /// What the threads of one run share: the barrier, the first failure, per-thread event counts.
  private final class RunContext: @unchecked Sendable {
    let simulation: Simulation
    let barrier: SpinBarrier
    var failure: (any Error)?
    /// Synaptic events per thread (raw storage: each thread writes its own entry).
    let events: UnsafeMutablePointer<Int>
    var totals: [Int]
    var lastProgress = Date()
    /// Thread 0's time per phase, when measured.
    var phaseSeconds: [String: Double] = [:]
    /// Per thread, one cache line each: the step (word 0, −1 for none) and population (word 1) of
    /// the first numerical fault it found. Written by its thread before the step's barrier, read
    /// by all after it; the step through relaxed atomics (another thread may be a step ahead).
    let faults: UnsafeMutablePointer<CLong>
    /// Parts of all ranks (the entries of `events` and `faults`; this process's threads write theirs).
    let threads: Int
    /// The lowest rank that found a numerical fault, and the step (distributed runs).
    var peerFault: (rank: Int, step: Int)?
    /// The leader's seconds in the spike exchange, waiting for the other ranks included.
    var exchangeSeconds = 0.0

    init(simulation: Simulation, threads: Int, parts: Int) {
      self.simulation = simulation
      barrier = SpinBarrier(parties: threads)
      events = .allocate(capacity: parts)
      events.initialize(repeating: 0, count: parts)
      self.threads = parts
      faults = .allocate(capacity: 8 * parts)
      faults.initialize(repeating: -1, count: 8 * parts)
      totals = Array(repeating: 0, count: simulation.kernels.count)
    }

    deinit {
      events.deallocate()
      faults.deallocate()
    }

    /// Whether some thread found a fault in step `n` or before (call after step `n`'s barrier).
    /// A thread already past that barrier may record a fault of step `n + 1` while another still
    /// reads: counting it would stop the threads at different steps, and the barrier would hang.
    @inline(__always)
    func faulted(atOrBefore n: Int) -> Bool {
      for k in 0..<threads {
        let step = ndml_load_word(faults + 8 * k)
        if step >= 0 && step <= n { return true }
      }
      return false
    }

    /// The step of the first fault this process's threads found in `steps`, if any (call after
    /// the barrier of the last of `steps`).
    func firstFaultStep(in steps: ClosedRange<Int>) -> Int? {
      var first: Int?
      for k in 0..<threads {
        let step = ndml_load_word(faults + 8 * k)
        if step >= 0 && step <= steps.upperBound { first = min(first ?? step, step) }
      }
      return first
    }

    /// Records thread `part`'s first fault: in population `p` at step `n`.
    @inline(__always)
    func recordFault(part: Int, population p: Int, step n: Int) {
      guard faults[8 * part] < 0 else { return }
      faults[8 * part + 1] = p
      ndml_store_word(faults + 8 * part, n)
    }

    /// The earliest fault, lowest thread first among equals: (population, step); call after the
    /// threads have finished.
    func firstFault() -> (Int, Int)? {
      (0..<threads).filter { faults[8 * $0] >= 0 }.min { faults[8 * $0] < faults[8 * $1] }.map {
        (faults[8 * $0 + 1], faults[8 * $0])
      }
    }
  }

  /// The periods (in steps) of work on shared state: flushes, the stop check, samples, weight
  /// snapshots; current changes come on top (see ``run(threads:)``).
  private func serialPeriods(flushEvery: Int) -> [Int] {
    let checkpoints = checkpointEverySteps > 0 ? [checkpointEverySteps] : []
    return Array(
      Set(
        [flushEvery, 128] + checkpoints + stateRecorders.map(\.intervalSteps) + weightRecorders.map(\.intervalSteps)
          + slowProcesses.map(\.clockSteps))
    ).sorted()
  }

  /// The work on shared state at the start of step `n`, by thread 0 alone: flush and stop check
  /// for the steps before, then samples, weight snapshots and current changes at `t_n`.
  private func serialWork(atStep n: Int, flushEvery: Int, context: RunContext) throws {
    if n > 0 && n & 127 == 0 {
      // Ranks decide together, first (nothing before can fail on one rank only): a signal reaches
      // them at different steps, and all must flush and checkpoint at the same one.
      var stop = observer.shouldStop()
      if let exchange { stop = try exchange.agree(code: stop ? 1 : 0) != nil }
      if stop {
        if checkpointEverySteps > 0 && n > startStep {
          try checkpoint(atStep: n, context: context)
        } else {
          try flush(atStep: n)  // every recorder, weights and plateaus included
        }
        throw EngineError.interrupted(timeMs: Double(n) * dt)
      }
    }
    // On ranks a failure to write (rank 0's disk) is raised at the end, after the collectives of
    // this step's checkpoint and samples: every rank must make the same ones.
    var writeFailure: (any Error)?
    func writing(_ body: () throws -> Void) throws {
      do { try body() } catch {
        guard exchange != nil, !(error is DistributedRunError) else { throw error }
        writeFailure = writeFailure ?? error
      }
    }
    if n > 0 && n % flushEvery == 0 { try writing { try flush(atStep: n) } }
    if n > 0 && n & 127 == 0 {
      // Progress at most four times a second of wall time, whatever the speed of the run.
      let now = Date()
      if now.timeIntervalSince(context.lastProgress) > 0.25 {
        observer.progress(completedSteps: n, totalSteps: stepCount)
        context.lastProgress = now
      }
    }
    // The checkpoint holds the state before this step's samples and current changes, which a
    // resumed run then takes and applies itself.
    if checkpointEverySteps > 0 && n % checkpointEverySteps == 0 && n > startStep {
      try writing { try checkpoint(atStep: n, context: context) }
    }
    // Slow processes catch up to t_n before anything samples it.
    for tracker in memoryTrackers { tracker.beforeTicks(atStep: n) }
    for process in slowProcesses where n > 0 && n % process.clockSteps == 0 { process.tick(atStep: n) }
    for tracker in memoryTrackers { tracker.afterTicks(atStep: n) }
    for recorder in stateRecorders where n % recorder.intervalSteps == 0 {
      if case .projection(let t) = recorder.source, let kernel = plasticity[t] {
        try sampleTraces(recorder, projection: t, kernel: kernel, step: n)
      } else if case .population(let p) = recorder.source {
        try sample(recorder, population: p)
      }
      if recorder.bufferedCount >= Self.recorderFlushThreshold { try writing { try recorder.flush(to: observer) } }
    }
    for recorder in weightRecorders where n % recorder.intervalSteps == 0 {
      try recorder.snapshot(timeMs: Double(n) * dt)
      if recorder.bufferedCount >= Self.recorderFlushThreshold { try writing { try recorder.flush(to: observer) } }
    }
    for (p, models) in parameterChanges[n] ?? [] {
      (kernels[p] as! any ParameterChangingKernel).setParameters(models, carryingCurrent: true)
    }
    for (t, weights) in weightChanges[n] ?? [] { setWeights(weights, projection: t) }
    currents.apply(upTo: n, kernels: kernels)
    if let writeFailure { throw writeFailure }
  }

  /// The loop as run by thread `part` (see ``run(threads:)``).
  @_specialize(where Scalar == Double)
  @_specialize(where Scalar == Float)
  private func runPart(_ part: Int, _ context: RunContext) {
    // This rank's first part: it records (rank 0), counts, and does the serial work.
    let leader = rankIndex * threadCount
    let exchange = exchange
    let flushEvery = max(1, Int((experiment.simulation.flushIntervalMs / dt).rounded()))
    let barrier = context.barrier
    // Everything the step touches, resolved once: per-step existential calls, dictionary lookups
    // and class-property accesses showed up in profiles as runtime metadata and exclusivity work.
    let scratch = kernels.map { _ in SpikeBuffer(capacity: 64) }  // this thread's, kept alive here
    let observerBoxes = spikeObservers.map { $0.map(SpikeObserverBox.init) }  // kept alive here
    let populations = kernels.indices.map { p in
      PopulationPlan(
        kernel: KernelHandle(kernels[p]), neurons: neuronRanges[p][part], offset: kernels[p].emitsAtStepEnd ? 1 : 0,
        scratch: .passUnretained(scratch[p]), history: histories[p].view,
        recorder: spikeRecorders[p].map { .passUnretained($0) },
        binary: binarySources.contains(p), observer: part == leader ? observerBoxes[p].map { .passUnretained($0) } : nil
      )
    }
    // Per-synapse-delay projections, by source population (as they are stepped), then config order.
    let ringDeliveries = kernels.indices.flatMap { p in
      outgoing[p].filter { tables[$0].delays != nil }.map { t in
        let target = tables[t].targetPopulation
        return DeliveryPlan(
          rows: tables[t].view, history: histories[p].view, stampOffset: populations[p].offset,
          target: rings[target]!.channelBase(tables[t].channel), plasticity: nil,
          ringSlots: rings[target]!.slots, ringStride: rings[target]!.stride,
          ringSlotShift: -kernels[target].inputLeadSteps, pending: pendingInputs[t],
          pendingExponent: pendingExponents[t] ?? 0, maximumDelay: tables[t].maximumDelaySteps,
          targets: neuronRanges[target][part].clamped(to: 0..<experiment.populations[target].size), shortTerm: nil)
      }
    }
    let directTables = tables.indices.filter { tables[$0].delays == nil }
    let directDeliveries = directTables.map { t in
      let target = tables[t].targetPopulation
      return DeliveryPlan(
        rows: tables[t].view, history: histories[tables[t].sourcePopulation].view,
        stampOffset: 1 - tables[t].uniformDelaySteps + kernels[target].inputLeadSteps,
        target: kernels[target].synapticVariable(tables[t].channel)!,
        plasticity: plasticity[t].map { PlasticityHandle($0) }, ringSlots: 0, ringStride: 0, ringSlotShift: 0,
        pending: nil, pendingExponent: 0, maximumDelay: 0, targets: 0..<0, shortTerm: shortTerm[t]?.view)
    }
    let postsynaptic = plasticity.keys.sorted().map { t in
      (
        kernel: PlasticityHandle(plasticity[t]!), history: histories[tables[t].targetPopulation].view,
        delaySteps: postsynapticDelaySteps(t)
      )
    }
    let clocked = part == leader ? plasticity.keys.sorted().map { plasticity[$0]! }.filter(\.isClocked) : []
    let ringInputs = kernels.indices.compactMap { p in
      rings[p].map { RingFold(ring: $0, neurons: neuronRanges[p][part]) }
    }
    let periods = serialPeriods(flushEvery: flushEvery)
    // Steps with serial work off the periodic grid: step-wise current changes, memory events; and
    // the changes of sine and noise inputs.
    let changes = Array(
      Set(currentChangeSteps + memoryTrackers.flatMap(\.eventSteps) + parameterChanges.keys + weightChanges.keys)
    ).sorted()
    let periodicCurrents = periodicCurrentChanges
    /// The first step after `n` with serial work (allocates nothing: it runs at every serial step).
    func nextSerialStep(after n: Int) -> Int {
      var next = periodicCurrents.nextChange(after: n)
      for period in periods { next = min(next, (period - (n + 1) % period) % period + n + 1) }
      var (lo, hi) = (0, changes.count)
      while lo < hi {
        let mid = (lo + hi) / 2
        if changes[mid] <= n { lo = mid + 1 } else { hi = mid }
      }
      if lo < changes.count { next = min(next, changes[lo]) }
      return next
    }
    var nextSerial = startStep
    // The plans as raw buffers (plain values): iterating a Swift array retains its storage.
    let populationBuffer = RawCopy(populations)
    let ringBuffer = RawCopy(ringDeliveries)
    let directBuffer = RawCopy(directDeliveries)
    // The direct deliveries whose rows are prefetched (below): all of them when their tables
    // together are too large to stay cached between steps, none otherwise (Song 2000's two tables,
    // 12 KiB, spent 7 % more time with it).
    let prefetchesRows = directTables.reduce(0) { $0 + tables[$1].bytes } >= Self.prefetchedTableBytes
    let postBuffer = RawCopy(postsynaptic)
    let foldBuffer = RawCopy(ringInputs)
    var events = context.events[part]  // restored counts when resuming
    // Only thread 0 counts (and reads the restored counts: it writes them back before barriers),
    // in raw storage: an array captured by `record` cost an exclusivity check, a retain and a
    // uniqueness check per population with spikes and step.
    let totalsStorage = RawCopy(part == leader ? context.totals : [])
    let totals = totalsStorage.values
    defer { context.events[part] = events }
    // Phase clock of thread 0 (benchmarks only): neurons, waiting at the barrier, delivery, and
    // the leader's recording of the step's spikes (``record(_:)``, timed apart from the delivery).
    let timed = part == leader && measurePhases
    var clock = timed ? DispatchTime.now().uptimeNanoseconds : 0
    // The leader's time in the spike exchange (distributed runs), waiting for slower ranks included.
    var exchangeNs: UInt64 = 0
    var phaseNs: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    @inline(__always) func lap(_ phase: inout UInt64) {
      let now = DispatchTime.now().uptimeNanoseconds
      phase &+= now &- clock
      clock = now
    }
    /// The leader's bookkeeping of the spikes of `steps` (complete in the histories): totals,
    /// recorders (flushed when full) and observers.
    func record(_ steps: Range<Int>) {
      let plans = populationBuffer.values.baseAddress!
      for n in steps {
        for p in populationBuffer.values.indices {
          // Through a pointer: binding the plan to a constant copied all of it, every step.
          let pop = plans + p
          let stamp = n &+ pop.pointee.offset
          var recorded = false
          pop.pointee.history.forEachPart(stamp: stamp) { indices, count in
            totals[p] &+= count
            if let recorder = pop.pointee.recorder {
              recorder._withUnsafeGuaranteedRef { $0.append(indices, count: count, timeMs: Double(stamp) * dt) }
              recorded = true
            }
            if let observer = pop.pointee.observer {
              observer._withUnsafeGuaranteedRef { $0.observer.observe(indices, count: count, step: stamp) }
            }
          }
          if recorded, let recorder = pop.pointee.recorder?.takeUnretainedValue(),
            recorder.bufferedCount >= Self.recorderFlushThreshold
          {
            // Errors stop the run at the next step with serial work (at most 128 steps later).
            do { try recorder.flush(to: observer) } catch { context.failure = context.failure ?? error }
          }
        }
      }
    }
    // The last step whose spikes the ranks have exchanged, and the most steps between exchanges
    // (distributed runs).
    var exchangedThrough = startStep - 1
    let interval = exchangeIntervalSteps
    for n in startStep..<stepCount {
      if n == nextSerial {
        nextSerial = nextSerialStep(after: n)
        context.events[part] = events  // for a checkpoint
        if part == leader { for p in totals.indices { context.totals[p] = totals[p] } }
        barrier.wait()
        if part == leader {
          do { try serialWork(atStep: n, flushEvery: flushEvery, context: context) } catch {
            context.failure = context.failure ?? error
          }
          if let exchange { agreeOnStop(atStep: n, exchange: exchange, context: context) }
          barrier.flag = context.failure != nil
        }
        barrier.wait()
        if barrier.flag { break }
      }
      for p in populationBuffer.values.indices {
        let pop = populationBuffer.values.baseAddress! + p  // a pointer, not a copy of the plan
        guard !pop.pointee.neurons.isEmpty else { continue }
        pop.pointee.scratch._withUnsafeGuaranteedRef { spikes in
          spikes.removeAll()
          if pop.pointee.kernel.step(n, part: part, neurons: pop.pointee.neurons, spikes: spikes) {
            context.recordFault(part: part, population: p, step: n)
          }
          if pop.pointee.binary { spikes.removeAdjacentDuplicates() }
          pop.pointee.history.store(spikes, stamp: n &+ pop.pointee.offset, part: part)
        }
      }
      if timed { lap(&phaseNs.0) }
      barrier.wait()
      if timed { lap(&phaseNs.1) }
      // The steps whose spikes the leader records now: this one, or in a distributed run those
      // the exchange below has just completed.
      var recordedSteps = exchange == nil ? n..<(n + 1) : n..<n
      if let exchange {
        // Every rank runs the same steps between exchanges (see ``exchangeInterval()``) and meets
        // the others before each step with serial work and at the end.
        if n - exchangedThrough >= interval || n + 1 == nextSerial || n + 1 == stepCount {
          if part == leader {
            // The leader swaps the interval's spikes with the other ranks (and its first fault:
            // every rank stops at the step in which the first fault was found); the others wait.
            let start = DispatchTime.now().uptimeNanoseconds
            // Only what every rank knows now stops the loop here (a fault, or the exchange failing);
            // a failed flush of this rank's recorders waits for the next agreement of the ranks.
            var failed = false
            do {
              let steps = (exchangedThrough + 1)...n
              if let fault = try exchange.exchange(steps: steps, faultStep: context.firstFaultStep(in: steps)) {
                context.peerFault = fault
              }
            } catch {
              context.failure = context.failure ?? error
              failed = true
            }
            exchangeNs &+= DispatchTime.now().uptimeNanoseconds &- start
            barrier.flag = context.peerFault != nil || failed
            // Spikes of the steps before a fault are kept, as when one process stops at it.
            if let fault = context.peerFault { record(exchangedThrough + 1..<fault.step) }
          }
          barrier.wait()
          if barrier.flag { break }
          recordedSteps = exchangedThrough + 1..<n + 1
          exchangedThrough = n
        }
      } else if context.faulted(atOrBefore: n) {
        break  // every thread sees it here, and stops at this step
      }
      // The rows of this step's direct deliveries requested from memory first, all at once: each
      // row's offset and first cache line were a cache miss per spike and projection, waited for
      // one after another (most of the delivery phase of CUBA at 16k neurons); the recording and
      // the deliveries below then find them on the way.
      if prefetchesRows {
        for i in directBuffer.values.indices {
          let d = directBuffer.values.baseAddress! + i
          d.pointee.history.forEachPart(stamp: n + d.pointee.stampOffset) { indices, count in
            d.pointee.rows.prefetch(indices: indices, count: count, part: part)
          }
        }
      }
      if timed { lap(&phaseNs.2) }
      if part == leader { record(recordedSteps) }
      if timed { lap(&phaseNs.3) }
      for d in ringBuffer.values {
        let stamp = n + d.stampOffset
        d.history.forEachPart(stamp: stamp) { indices, count in
          events += deliverToRing(d, indices: indices, count: count, stamp: stamp, part: part)
        }
        if d.pending != nil { flushPending(d, stamp: stamp) }
      }
      // Everything arriving at t_{n+1}. Each plan through a pointer: a constant bound to it was a
      // copy of all of it (a `memcpy` per projection and step).
      for i in directBuffer.values.indices {
        let d = directBuffer.values.baseAddress! + i
        let stamp = n + d.pointee.stampOffset
        d.pointee.history.forEachPart(stamp: stamp) { indices, count in
          if let stp = d.pointee.shortTerm {
            events += deliverScaled(
              d.pointee.rows, indices: indices, count: count, into: d.pointee.target, part: part, shortTerm: stp,
              stamp: stamp)
          } else {
            events += deliver(d.pointee.rows, indices: indices, count: count, into: d.pointee.target, part: part)
          }
          d.pointee.plasticity?.arrivals(indices, count: count, step: n + 1, part: part)
        }
      }
      // Plasticity at t_{n+1}: presynaptic arrivals (above) come before postsynaptic spikes.
      for post in postBuffer.values {
        post.history.withSpikes(stamp: n + 1 - post.delaySteps, part: part) { indices, count in
          post.kernel.postsynaptic(indices, count: count, step: n + 1, part: part)
        }
      }
      if !clocked.isEmpty { for kernel in clocked { kernel.advance(toStep: n + 1) } }
      for input in foldBuffer.values {
        input.ring.fold(slot: (n + 1) % input.ring.slots, neurons: input.neurons)
      }
      if timed { lap(&phaseNs.2) }
    }
    if part == leader {
      context.totals = Array(totals)
      context.exchangeSeconds = Double(exchangeNs) * 1e-9
    }
    if timed {
      context.phaseSeconds = [
        "neurons": Double(phaseNs.0) * 1e-9, "barrier_wait": Double(phaseNs.1) * 1e-9,
        "delivery": Double(phaseNs.2) * 1e-9, "recording": Double(phaseNs.3) * 1e-9,
      ]
    }
    withExtendedLifetime((scratch, observerBoxes, totalsStorage)) {}  // the plans hold them unretained
  }

  /// Adds the weights of the synapses onto thread `part`'s targets of every given spike to `target`
  /// (a synaptic variable); returns the number of synaptic events.
  @inline(__always)
  private func deliver(
    _ table: SynapseRowsView<Scalar>, indices: UnsafePointer<Int32>, count: Int,
    into target: UnsafeMutablePointer<Scalar>, part: Int
  ) -> Int {
    let targets = table.targets
    let weights = table.weights
    var events = 0
    if table.hasUniformWeight {
      let w = weights[0]
      for k in 0..<count {
        let row = table.row(Int(indices[k]), part: part)
        events += row.count
        for j in row { target[Int(targets[j])] += w }
      }
      return events
    }
    for k in 0..<count {
      let row = table.row(Int(indices[k]), part: part)
      events += row.count
      for j in row { target[Int(targets[j])] += weights[j] }
    }
    return events
  }

  /// As ``deliver(_:indices:count:into:part:)``, each spike's weights scaled by its source's
  /// Tsodyks–Markram factor u·x (advanced to the spike's stamp).
  @inline(__always)
  private func deliverScaled(
    _ table: SynapseRowsView<Scalar>, indices: UnsafePointer<Int32>, count: Int,
    into target: UnsafeMutablePointer<Scalar>, part: Int, shortTerm: ShortTermView, stamp: Int
  ) -> Int {
    let targets = table.targets
    let weights = table.weights
    var events = 0
    for k in 0..<count {
      let j = Int(indices[k])
      let factor = Scalar(shortTerm.factor(source: j, stamp: stamp, part: part))
      let row = table.row(j, part: part)
      events += row.count
      if table.hasUniformWeight {
        let w = weights[0] * factor
        for q in row { target[Int(targets[q])] += w }
      } else {
        for q in row { target[Int(targets[q])] += weights[q] * factor }
      }
    }
    return events
  }

  /// Adds the weights of a per-synapse-delay projection's synapses onto thread `part`'s targets
  /// into the target's ring slot of each synapse's arrival step; returns the number of synaptic
  /// events.
  @inline(__always)
  private func deliverToRing(
    _ d: DeliveryPlan<Scalar>, indices: UnsafePointer<Int32>, count: Int, stamp: Int, part: Int
  ) -> Int {
    let table = d.rows
    let slots = d.ringSlots
    let base = d.target
    let stride = d.ringStride
    let arrival = stamp + d.ringSlotShift
    let targets = table.targets
    let weights = table.weights
    let weightMask = table.hasUniformWeight ? 0 : ~0  // a shared weight is weights[0]
    let delays = table.delays!
    var events = 0
    if let pending = d.pending {  // per delay, shifted in flushPending
      for k in 0..<count {
        let row = table.row(Int(indices[k]), part: part)
        events += row.count
        for j in row { pending[Int(delays[j]) * stride + Int(targets[j])] += weights[j & weightMask] }
      }
      return events
    }
    for k in 0..<count {
      let row = table.row(Int(indices[k]), part: part)
      events += row.count
      for j in row {
        base[((arrival + Int(delays[j])) % slots) * stride + Int(targets[j])] += weights[j & weightMask]
      }
    }
    return events
  }

  /// Moves a ``groupsByDelay(_:)`` projection's input of the spikes stamped `stamp` into the ring,
  /// each (delay, target) sum shifted by the exponent on its own, as Lava's `DelayDense` does.
  private func flushPending(_ d: DeliveryPlan<Scalar>, stamp: Int) {
    let pending = d.pending!
    let stride = d.ringStride
    for k in 1...d.maximumDelay {
      let slot = d.target + ((stamp + k + d.ringSlotShift) % d.ringSlots) * stride
      let sums = pending + k * stride
      for i in d.targets where sums[i] != 0 {
        slot[i] += Scalar(LoihiSynapseSettings.shift(Int(sums[i]), by: d.pendingExponent))
        sums[i] = 0
      }
    }
  }

  /// Flushes what was recorded before step `n` and hands the engine's state at the start of step
  /// `n` to the observer as a checkpoint. On ranks (every one at the same step) rank 0 gets every
  /// rank's state (``ownState(in:)``), gathered even when its flush failed, so that no rank waits
  /// for it in vain.
  private func checkpoint(atStep n: Int, context: RunContext) throws {
    var flushFailure: (any Error)?
    do { try flush(atStep: n) } catch { flushFailure = error }
    let firstPart = rankIndex * threadCount
    let events = (firstPart..<firstPart + threadCount).reduce(0) { $0 + context.events[$1] }
    var state = saveState(atStep: n, totals: context.totals, events: events)
    let states = try exchange?.communicator.gatheredToFirst(state)  // nil on ranks other than 0
    if let flushFailure { throw flushFailure }
    if let states {
      var archive = StateArchiveWriter()
      archive.section("ranks", shape: [rankCount, threadCount])
      for rankState in states { archive.write(rankState) }
      archive.section("end")
      state = archive.bytes
    } else if exchange != nil {
      return  // rank 0 writes the checkpoint
    }
    try observer.checkpoint(step: n, state: state)
  }

  /// This rank's part of a checkpoint written on ranks: each rank's own ``saveState(atStep:totals:events:)``
  /// (its neurons' state and spikes, the synapses onto them). Resuming needs the same rank and
  /// thread counts, as the partition of the neurons depends on both.
  private func ownState(in bytes: [UInt8]) throws -> [UInt8] {
    var archive = StateArchiveReader(bytes)
    do {
      try archive.section("ranks", shape: [rankCount, threadCount])
    } catch CheckpointError.stateMismatch(let detail) {
      throw CheckpointError.stateMismatch(
        "it was not written by \(rankCount) MPI ranks × \(threadCount) thread(s) (\(detail)); resume with the rank "
          + "and thread counts that wrote it")
    }
    var own: [UInt8] = []
    for rank in 0..<rankCount {
      let state: [UInt8] = try archive.readArray()
      if rank == rankIndex { own = state }
    }
    try archive.section("end")
    guard archive.isAtEnd else { throw CheckpointError.stateMismatch("unexpected data after the ranks' states") }
    return own
  }

  /// The engine's whole state at the start of step `n` in a form independent of the thread count:
  /// counters, injected-current schedule, per population its kernel's state, recent spikes
  /// (merged over threads) and input ring, per plastic projection its weights and rule state.
  func saveState(atStep n: Int, totals: [Int], events: Int) -> [UInt8] {
    var archive = StateArchiveWriter()
    archive.section("simulation", shape: networkShape)
    archive.write(n)
    archive.write(totals)
    archive.write(events)
    currents.save(to: &archive)
    for (p, kernel) in kernels.enumerated() {
      archive.section("population \(experiment.populations[p].name)", shape: [kernel.size])
      kernel.saveState(to: &archive, step: n)
      let history = histories[p].view.merged()
      archive.write(history.count)
      for entry in history {
        archive.write(entry.stamp)
        archive.write(entry.spikes)
      }
      archive.write(rings[p] != nil)
      rings[p]?.save(to: &archive)
    }
    for t in plasticity.keys.sorted() {
      archive.section("projection \(tables[t].projectionName)", shape: [tables[t].count])
      plasticity[t]!.saveState(to: &archive, step: n)
    }
    for process in slowProcesses where !(process is any PlasticityKernel) {
      archive.section(process.name)
      process.saveState(to: &archive, step: n)
    }
    for t in shortTerm.keys.sorted() {
      archive.section("projection \(tables[t].projectionName) short-term")
      shortTerm[t]!.save(to: &archive)
    }
    archive.section("end")
    return archive.bytes
  }

  /// What a checkpoint must match besides each component's own sizes: steps, seed, precision,
  /// population sizes and every projection's synapse count (the CLI also checks the config's hash).
  private var networkShape: [Int] {
    [stepCount, Int(truncatingIfNeeded: experiment.simulation.seed), MemoryLayout<Scalar>.size]
      + kernels.map(\.size) + tables.map(\.count)
  }

  /// Restores ``saveState(atStep:totals:events:)``'s bytes into this (built and partitioned)
  /// simulation; returns the step to continue from and the counters.
  private func restoreState(_ bytes: [UInt8]) throws -> (step: Int, totals: [Int], events: Int) {
    var archive = StateArchiveReader(bytes)
    try archive.section("simulation", shape: networkShape)
    let n = try archive.readInt()
    guard n > 0 && n < stepCount else {
      throw CheckpointError.stateMismatch("step \(n) is outside the run's 1..<\(stepCount)")
    }
    let totals: [Int] = try archive.readArray(count: kernels.count)
    let events = try archive.readInt()
    try currents.restore(from: &archive)
    for (p, kernel) in kernels.enumerated() {
      try archive.section("population \(experiment.populations[p].name)", shape: [kernel.size])
      try kernel.restoreState(from: &archive, step: n)
      var entries: [(stamp: Int, spikes: [Int32])] = []
      for _ in 0..<(try archive.readInt()) {
        let stamp = try archive.readInt()
        let spikes: [Int32] = try archive.readArray()
        guard stamp <= n, stamp >= n - histories[p].view.slots, spikes.allSatisfy({ $0 >= 0 && Int($0) < kernel.size })
        else { throw CheckpointError.stateMismatch("population \(experiment.populations[p].name): bad spike history") }
        entries.append((stamp, spikes))
      }
      let ranges = neuronRanges[p]
      histories[p].view.restore(entries) { neuron in ranges.firstIndex { $0.contains(Int(neuron)) } ?? 0 }
      guard try archive.readBool() == (rings[p] != nil) else {
        throw CheckpointError.stateMismatch("population \(experiment.populations[p].name): input ring differs")
      }
      try rings[p]?.restore(from: &archive)
    }
    // Static weights are not in the checkpoint: the changes before step n are made again.
    for step in weightChanges.keys.sorted() where step < n {
      for (t, weights) in weightChanges[step]! { setWeights(weights, projection: t) }
    }
    // Parameter changes before step n: the restored drives already reflect them.
    for step in parameterChanges.keys.sorted() where step < n {
      for (p, models) in parameterChanges[step]! {
        (kernels[p] as! any ParameterChangingKernel).setParameters(models, carryingCurrent: false)
      }
    }
    for t in plasticity.keys.sorted() {
      try archive.section("projection \(tables[t].projectionName)", shape: [tables[t].count])
      try plasticity[t]!.restoreState(from: &archive, step: n)
    }
    for process in slowProcesses where !(process is any PlasticityKernel) {
      try archive.section(process.name)
      try process.restoreState(from: &archive, step: n)
    }
    for t in shortTerm.keys.sorted() {
      try archive.section("projection \(tables[t].projectionName) short-term")
      try shortTerm[t]!.restore(from: &archive)
    }
    try archive.section("end")
    guard archive.isAtEnd else { throw CheckpointError.stateMismatch("unexpected data after the state") }
    return (n, totals, events)
  }

  /// Hands recorded data to the observer.
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
  }
}

// MARK: Distributed runs (MPI ranks)

extension Simulation {
  /// After the serial work of step `n` (on every rank at the same steps): tells the other ranks
  /// whether this one stops (1: interrupted, 2: failed) and takes over the first stop of another
  /// rank, after handing over what was recorded.
  private func agreeOnStop(atStep n: Int, exchange: RankExchange, context: RunContext) {
    let code: Int32
    switch context.failure {
    case nil: code = 0
    case EngineError.interrupted?: code = 1
    default: code = 2
    }
    do {
      guard let (rank, peerCode) = try exchange.agree(code: code), code == 0 else { return }
      try flush(atStep: n)
      context.failure =
        peerCode == 1
        ? EngineError.interrupted(timeMs: Double(n) * dt)
        : DistributedRunError.peerStopped(rank: rank, timeMs: Double(n) * dt)
    } catch {
      context.failure = context.failure ?? error
    }
  }

  /// Refuses what is not split across ranks yet, naming its config key: rules that
  /// run on one thread (those with a clock of their own among them), slow processes
  /// (homeostasis, consolidation, memory lifecycles; they read every synapse). Decided from the config alone, before anything is built, so every rank
  /// refuses at once.
  fileprivate func checkDistributable() throws {
    if let proj = experiment.projections.first(where: { $0.plasticity.map { !$0.splitsAcrossThreads } ?? false }) {
      throw DistributedRunError.unsupported(
        keyPath: "projections.\(proj.name).plasticity", reason: "the rule runs on one thread only")
    }
    if let pop = experiment.populations.first(where: { $0.homeostasis != nil }) {
      throw DistributedRunError.unsupported(
        keyPath: "populations.\(pop.name).homeostasis", reason: "homeostatic scaling reads every synapse")
    }
    if !experiment.memory.isEmpty {
      throw DistributedRunError.unsupported(keyPath: "memory", reason: "memory lifecycles read every synapse")
    }
    if let proj = experiment.projections.first(where: { $0.consolidation != nil }) {
      throw DistributedRunError.unsupported(
        keyPath: "projections.\(proj.name).consolidation", reason: "consolidation chains run on one process")
    }
  }

  /// Longest interval between spike exchanges when no rank reads another's spikes before the
  /// next exchange (spikes exchanged only to be recorded by rank 0).
  static var maximumExchangeIntervalSteps: Int { 64 }

  /// The most steps the ranks may run between two spike exchanges (NEST's minimum-delay
  /// interval). A spike of population `p` from step `n` is stamped `n + o` (`o` = 1 for neurons,
  /// whose spikes happen at the step's end, 0 for sources); a uniform-delay projection reads, in
  /// step `m`, the spikes stamped `m + 1 − D + lead` (`D` its delay in steps, `lead` the target's
  /// ``PopulationKernel/inputLeadSteps``). Exchanging after step `n` the spikes of the last `I`
  /// steps therefore hands every spike over before another rank reads it when
  /// `I ≤ o + D − lead` — for neurons the minimum delay plus one step. A projection with
  /// per-synapse delays adds a spike to its input ring in the spike's own step, so it needs an
  /// exchange every step.
  private func exchangeInterval() -> Int {
    var interval = Self.maximumExchangeIntervalSteps
    for p in exchangedPopulations {
      let offset = kernels[p].emitsAtStepEnd ? 1 : 0
      for t in outgoing[p] {
        guard tables[t].delays == nil else { return 1 }
        let lead = kernels[tables[t].targetPopulation].inputLeadSteps
        interval = min(interval, offset + tables[t].uniformDelaySteps - lead)
      }
    }
    return max(1, interval)
  }

  /// What every rank must store alike for a projection of which it built only `rows` (its
  /// synapses): how the delays are stored and the longest (``DelayShape``), and `settings`' sign
  /// mode, resolved from the whole projection's weights when it is `auto` (as
  /// ``LoihiSynapseSettings/resolvedSignMode(_:)`` resolves it from all of them). One all-gather.
  fileprivate func agreeOnWholeProjection(
    _ rows: SynapseRows, settings: LoihiSynapseSettings, _ communicator: any RankCommunicator
  ) throws -> (DelayShape, LoihiSynapseSettings.SignMode) {
    let rounded = rows.weights.lazy.map { Int($0.rounded()) }
    let mine: [Int32] = [
      rows.delaySteps.isEmpty ? 0 : 1, Int32(rows.delaySteps.min() ?? 1), Int32(rows.delaySteps.max() ?? 1),
      rounded.contains { $0 < 0 } ? 1 : 0, rounded.contains { $0 > 0 } ? 1 : 0,
    ]
    let all = try communicator.allGathered(mine)
    let ranks = stride(from: 0, to: all.count, by: mine.count).map { Array(all[$0..<$0 + mine.count]) }
    let shape = DelayShape(unionOf: ranks.map { $0[0] == 0 ? nil : (Int($0[1]), Int($0[2])) })
    guard settings.signMode == .auto else { return (shape, settings.signMode) }
    let negative = ranks.contains { $0[3] != 0 }
    let positive = ranks.contains { $0[4] != 0 }
    return (shape, !negative ? .excitatory : !positive ? .inhibitory : .mixed)
  }

  /// The populations whose spikes another rank needs: those recorded (rank 0 records) or observed,
  /// and those with a synapse from a neuron of one rank onto a neuron of another. Otherwise (e.g.
  /// Poisson sources driving their targets one to one) each rank keeps its own, as NEST keeps its
  /// generators' spikes local, and the exchange carries only what crosses ranks. A rank holds only
  /// the synapses onto its own neurons, so it flags the populations with a synapse from another
  /// rank's neuron onto one of its own; the ranks add up their flags, and all reach the same list.
  private func populationsNeededByOtherRanks(_ communicator: any RankCommunicator) throws -> [Int] {
    // Rank 0 reads a recorded source-side trace from its own copy, which must see every spike.
    let tracedSources = Set(
      experiment.recording.traces.compactMap { rec -> Int? in
        let t = experiment.projections.firstIndex { $0.name == rec.projection }!
        let sides = experiment.projections[t].plasticity!.traces
        return rec.traces.contains { name in sides.first { $0.name == name }?.side == .source }
          ? tables[t].sourcePopulation : nil
      })
    let flags = experiment.populations.indices.map { p in
      experiment.recording.spikePopulations.contains(experiment.populations[p].name) || spikeObservers[p] != nil
        || tracedSources.contains(p) || receivesFromOtherRanks(p) ? 1 : 0
    }
    let sums = try communicator.sum(flags)
    return sums.indices.filter { sums[$0] > 0 }
  }

  /// Whether a synapse of this rank (onto its own neurons) comes from a neuron of population `p`
  /// that another rank steps.
  private func receivesFromOtherRanks(_ p: Int) -> Bool {
    let size = experiment.populations[p].size
    var own = [Bool](repeating: false, count: size)
    for part in rankIndex * threadCount..<(rankIndex + 1) * threadCount {
      for neuron in neuronRanges[p][part].clamped(to: 0..<size) { own[neuron] = true }
    }
    for t in outgoing[p] {
      let table = tables[t]
      for part in rankIndex * threadCount..<(rankIndex + 1) * threadCount {
        for source in 0..<min(size, table.sourceCount) where !own[source] {
          if !table.row(source, part: part).isEmpty { return true }
        }
      }
    }
    return false
  }

  /// Every rank's synapses and their bytes (rank order), and the plastic ones' totals, for the
  /// run summary (``rankSynapses``).
  private func synapsesOfEveryRank(_ communicator: any RankCommunicator) throws -> RankSynapses {
    var mine = [Int](repeating: 0, count: 2 * rankCount + 2)
    mine[rankIndex] = synapseCount
    mine[rankCount + rankIndex] = synapseBytes
    mine[2 * rankCount] = plasticSynapseCount
    mine[2 * rankCount + 1] = plasticSynapseBytes
    let sums = try communicator.sum(mine)
    return RankSynapses(
      counts: Array(sums[0..<rankCount]), bytes: Array(sums[rankCount..<2 * rankCount]),
      plasticCount: sums[2 * rankCount], plasticBytes: sums[2 * rankCount + 1])
  }

  /// Takes one sample of `recorder` (state of population `p`). With several ranks each rank reads
  /// the recorded neurons it steps and all-gathers them (as float32 bit patterns, the stored
  /// type: exact), so rank 0 records every neuron's value whichever rank steps it.
  private func sample(_ recorder: StateRecorder, population p: Int) throws {
    let kernel = kernels[p]
    try sample(recorder, owner: { _, neuron in self.ownerRank(of: neuron, population: p) }) {
      Double(kernel.value(ofVariable: $0, neuron: $1))
    }
  }

  /// Takes one sample of trace recorder `recorder` (projection `t`, rule `kernel`) at step `n`.
  /// A trace of the target side is read on the rank that steps the neuron; one of the source side
  /// on rank 0, whose first part has seen every spike of the source population (it is exchanged
  /// when its traces are recorded, see ``populationsNeededByOtherRanks(_:)``).
  private func sampleTraces(
    _ recorder: StateRecorder, projection t: Int, kernel: any PlasticityKernel<Scalar>, step n: Int
  )
    throws
  {
    let sides = experiment.projections[t].plasticity!.traces.map(\.side)
    let target = tables[t].targetPopulation
    try sample(
      recorder, owner: { v, neuron in sides[v] == .target ? self.ownerRank(of: neuron, population: target) : 0 }
    ) {
      kernel.traceValue($0, neuron: $1, step: n)
    }
  }

  /// The rank that steps `neuron` of population `p`.
  private func ownerRank(of neuron: Int, population p: Int) -> Int {
    (neuronRanges[p].firstIndex { $0.contains(neuron) } ?? 0) / threadCount
  }

  /// Takes one sample of `recorder`: `value(variable, neuron)`. With several ranks each rank reads
  /// the values it holds (`owner(variable, neuron)`) and all-gathers them (as float32 bit
  /// patterns, the stored type: exact), so rank 0 records every value whichever rank holds it.
  private func sample(
    _ recorder: StateRecorder, owner: (_ variable: Int, _ neuron: Int) -> Int, value: (Int, Int) -> Double
  ) throws {
    guard let exchange, rankCount > 1, !recorder.neurons.isEmpty, !recorder.variableIndices.isEmpty else {
      recorder.sample(value)
      return
    }
    var owners: [Int] = []
    var local: [Int32] = []
    local.reserveCapacity(recorder.variableIndices.count * recorder.neurons.count)
    for v in recorder.variableIndices {
      for neuron in recorder.neurons {
        let rank = owner(v, neuron)
        owners.append(rank)
        let held = rank == rankIndex ? Float(value(v, neuron)) : 0
        local.append(Int32(bitPattern: held.bitPattern))
      }
    }
    let all = try exchange.communicator.allGathered(local)
    var i = 0
    recorder.sample { _, _ in
      defer { i += 1 }
      return Double(Float(bitPattern: UInt32(bitPattern: all[owners[i] * local.count + i])))
    }
  }
}

/// Per target population with per-synapse-delay inputs: one input slot per step of the longest
/// such delay, per input channel.
final class InputRing<Scalar: EngineScalar> {
  let slots: Int
  let stride: Int
  private let channels: Int
  private let storage: UnsafeMutablePointer<Scalar>
  /// The kernel's synaptic variable of each channel, which ``fold(slot:neurons:)`` adds into.
  private let variables: UnsafeMutablePointer<UnsafeMutablePointer<Scalar>>

  init(size: Int, slots: Int, variables: [UnsafeMutablePointer<Scalar>]) {
    self.slots = slots
    stride = paddedCount(size)
    channels = variables.count
    storage = allocateAligned(channels * slots * stride, filling: 0)
    self.variables = .allocate(capacity: max(1, channels))
    self.variables.initialize(from: variables, count: channels)
  }

  deinit {
    storage.deallocate()
    variables.deallocate()
  }

  /// Start of one channel's block (`slots × stride` scalars).
  func channelBase(_ channel: InputChannel) -> UnsafeMutablePointer<Scalar> {
    storage + channel.rawValue * slots * stride
  }

  /// Appends every slot of every channel.
  func save(to archive: inout StateArchiveWriter) {
    archive.write(storage, count: channels * slots * stride)
  }

  /// Restores what ``save(to:)`` wrote.
  func restore(from archive: inout StateArchiveReader) throws {
    try archive.read(into: storage, count: channels * slots * stride)
  }

  /// Adds slot `slot` of every channel, for neurons `neurons` (whole chunks), into the synaptic
  /// variables and zeroes it for reuse.
  func fold(slot: Int, neurons: Range<Int>) {
    for c in 0..<channels {
      fold(channelBase(InputChannel(rawValue: c)) + slot * stride, into: variables[c], neurons: neurons)
    }
  }

  @inline(__always)
  private func fold(
    _ input: UnsafeMutablePointer<Scalar>, into variable: UnsafeMutablePointer<Scalar>, neurons: Range<Int>
  ) {
    for i in Swift.stride(from: neurons.lowerBound, to: neurons.upperBound, by: laneCount) {
      variable.setLanes(i, variable.lanes(i) + input.lanes(i))
      input.setLanes(i, .zero)
    }
  }
}

/// The spikes of one population over the last `depth + 2` stamps, kept per thread: uniform-delay
/// delivery reads stamps up to `depth` steps back, and a thread may already be storing the next
/// stamp while another still delivers the oldest. Each (stamp, thread) list is written only by its
/// thread and read by the others after the step's barrier. The class owns the memory; the step
/// loop uses its ``view`` (raw pointers in a value), so no thread touches a shared reference count.
final class SpikeHistory {
  let view: SpikeHistoryView

  init(depth: Int, parts: Int, capacity: Int) {
    view = SpikeHistoryView(slots: depth + 2, parts: parts, capacity: max(16, capacity / parts + blockCount))
  }

  deinit { view.deallocate() }
}

/// The storage of a ``SpikeHistory``: per (slot, thread) a stamp, a count and a list.
struct SpikeHistoryView {
  /// The stamps kept: the newest `slots` (a checkpoint saves these, see ``merged()``).
  let slots: Int
  let parts: Int
  /// The ring's length: `slots` rounded up to a power of two, so that a stamp's slot is a mask, not
  /// a division (≈ 9 per step in small networks) — unless the extra slots' lists would take more
  /// than ``roundingBytes`` (long delays in large populations), then `slots`. The slots kept beyond
  /// `slots` are never read.
  private let ring: Int
  /// `ring − 1` if `ring` is a power of two, else −1 (a division then).
  private let mask: Int
  /// The most memory rounding the ring up to a power of two may add.
  static var roundingBytes: Int { 16 << 20 }
  private let stamps: UnsafeMutablePointer<Int>
  private let counts: UnsafeMutablePointer<Int>
  private let capacities: UnsafeMutablePointer<Int>
  private let lists: UnsafeMutablePointer<UnsafeMutablePointer<Int32>>
  /// Words per (slot, thread) entry of `stamps` and `counts`: one 64-byte cache line, as they are
  /// written by different threads.
  private static var padding: Int { 8 }

  /// Room for `capacity` spikes per (slot, part) at first (lists grow when a step has more);
  /// `roundingBytes` bounds what the power-of-two ring may add (see ``ring``).
  init(slots: Int, parts: Int, capacity: Int, roundingBytes: Int = Self.roundingBytes) {
    self.slots = slots
    self.parts = parts
    let power = 1 << (Int.bitWidth - (slots - 1).leadingZeroBitCount)
    let extraBytes = (power - slots) * parts * capacity * MemoryLayout<Int32>.stride
    ring = extraBytes <= roundingBytes ? power : slots
    mask = ring == power ? ring - 1 : -1
    let n = ring * parts
    stamps = .allocate(capacity: n * Self.padding)
    stamps.initialize(repeating: -1, count: n * Self.padding)
    counts = .allocate(capacity: n * Self.padding)
    counts.initialize(repeating: 0, count: n * Self.padding)
    capacities = .allocate(capacity: n)
    capacities.initialize(repeating: capacity, count: n)
    lists = .allocate(capacity: n)
    for i in 0..<n { (lists + i).initialize(to: .allocate(capacity: capacity)) }
  }

  func deallocate() {
    for i in 0..<ring * parts { lists[i].deallocate() }
    for p in [stamps, counts, capacities] { p.deallocate() }
    lists.deallocate()
  }

  /// The ring slot of `stamp` (≥ 0).
  @inline(__always)
  private func slot(_ stamp: Int) -> Int { mask >= 0 ? stamp & mask : stamp % ring }

  /// Keeps a copy of thread `part`'s spikes under `stamp` (replacing the oldest entry).
  @inline(__always)
  func store(_ spikes: SpikeBuffer, stamp: Int, part: Int) {
    let i = slot(stamp) * parts + part
    if spikes.count > capacities[i] {
      lists[i].deallocate()
      capacities[i] = 2 * spikes.count
      lists[i] = .allocate(capacity: capacities[i])
    }
    // Element by element: most stamps hold a spike or two, and a `memmove` call per population
    // and step cost more than the copy.
    let list = lists[i]
    for k in 0..<spikes.count { list[k] = spikes.indices[k] }
    counts[i * Self.padding] = spikes.count
    stamps[i * Self.padding] = stamp
  }

  /// Keeps a copy of `count` spikes of part `part` (another rank's, see ``RankExchange``) under
  /// `stamp`.
  func store(_ indices: UnsafePointer<Int32>, count: Int, stamp: Int, part: Int) {
    let i = slot(stamp) * parts + part
    if count > capacities[i] {
      lists[i].deallocate()
      capacities[i] = 2 * count
      lists[i] = .allocate(capacity: capacities[i])
    }
    lists[i].update(from: indices, count: count)
    counts[i * Self.padding] = count
    stamps[i * Self.padding] = stamp
  }

  /// Calls `body` with thread `part`'s spikes stamped `stamp` (nothing if none or not kept).
  @inline(__always)
  func withSpikes(stamp: Int, part: Int, _ body: (UnsafePointer<Int32>, Int) -> Void) {
    guard stamp >= 0 else { return }
    let i = slot(stamp) * parts + part
    guard stamps[i * Self.padding] == stamp, counts[i * Self.padding] > 0 else { return }
    body(lists[i], counts[i * Self.padding])
  }

  /// The stamps kept (ascending), each with its spikes of all threads in thread order: the
  /// partition-independent form a checkpoint saves.
  func merged() -> [(stamp: Int, spikes: [Int32])] {
    let all = Set((0..<ring * parts).map { stamps[$0 * Self.padding] }.filter { $0 >= 0 })
    let newest = all.max() ?? 0
    let kept = all.filter { $0 > newest - slots }.sorted()
    return kept.map { stamp in
      var spikes: [Int32] = []
      forEachPart(stamp: stamp) { indices, count in spikes += UnsafeBufferPointer(start: indices, count: count) }
      return (stamp, spikes)
    }
  }

  /// Replaces the whole history by `entries` (see ``merged()``), each stamp's spikes split over
  /// the threads by `owner` (the part that steps a neuron).
  func restore(_ entries: [(stamp: Int, spikes: [Int32])], owner: (Int32) -> Int) {
    for i in 0..<ring * parts {
      stamps[i * Self.padding] = -1
      counts[i * Self.padding] = 0
    }
    let scratch = SpikeBuffer(capacity: 64)
    for (stamp, spikes) in entries {
      for part in 0..<parts {
        scratch.removeAll()
        for k in spikes where owner(k) == part { scratch.append(Int(k)) }
        // Only parts with spikes: a part that steps none of the population (an empty range) would
        // keep an empty entry under this stamp for ever, and the next checkpoint would list it.
        if scratch.count > 0 { store(scratch, stamp: stamp, part: part) }
      }
    }
  }

  /// Calls `body` with the spikes stamped `stamp` of every thread in thread order (= neuron order).
  @inline(__always)
  func forEachPart(stamp: Int, _ body: (UnsafePointer<Int32>, Int) -> Void) {
    for part in 0..<parts { withSpikes(stamp: stamp, part: part, body) }
  }
}

// What one thread needs in the step loop: values and raw pointers only. Threads share the
// objects behind them, and retaining those per step made their reference counts' cache lines
// bounce between the cores (the 2-thread CUBA loop ran slower than 1 thread).

/// Stepping one population.
struct PopulationPlan<Scalar: EngineScalar> {
  let kernel: KernelHandle<Scalar>
  let neurons: Range<Int>
  /// 1 for neurons (spikes stamped at the step's end), 0 for sources.
  let offset: Int
  /// This thread's spikes of the step (unretained, as is `recorder`: an `unowned(unsafe)` reference
  /// is still retained around every call through it).
  let scratch: Unmanaged<SpikeBuffer>
  let history: SpikeHistoryView
  let recorder: Unmanaged<SpikeRecorder>?
  /// Whether a neuron spikes at most once per step (a source that drives a `loihi_cuba`
  /// population: Loihi's spikes are binary, so a repeat within the step is dropped).
  let binary: Bool
  /// The slow processes observing the population's spikes (thread 0 only; unretained, as
  /// `recorder`).
  let observer: Unmanaged<SpikeObserverBox>?
}

/// A population's spike observer in a class of its own, so that a plan can hold it as an
/// `Unmanaged` reference (a call through an `unowned(unsafe)` existential retained it).
final class SpikeObserverBox {
  let observer: any SpikeObserver
  init(_ observer: any SpikeObserver) { self.observer = observer }
}

/// Delivering one projection: its spikes stamped `n + stampOffset` into `target` (a synaptic
/// variable, or the receptor's block of an input ring), then its plasticity's arrivals.
struct DeliveryPlan<Scalar: EngineScalar> {
  let rows: SynapseRowsView<Scalar>
  let history: SpikeHistoryView
  let stampOffset: Int
  let target: UnsafeMutablePointer<Scalar>
  let plasticity: PlasticityHandle<Scalar>?
  /// The target's input ring (slots, stride), for per-synapse-delay projections.
  let ringSlots: Int
  let ringStride: Int
  /// Added to a spike's stamp plus delay to give its ring slot (−1 for inputs a step ahead, see
  /// ``PopulationKernel/inputLeadSteps``).
  let ringSlotShift: Int
  /// For a projection whose input is shifted per delay (Loihi's `DelayDense` with a negative
  /// `weight_exp`): this step's sums per delay and target, the exponent, the longest delay and
  /// this thread's targets; nil otherwise.
  let pending: UnsafeMutablePointer<Scalar>?
  let pendingExponent: Int
  let maximumDelay: Int
  let targets: Range<Int>
  /// The projection's Tsodyks–Markram state (uniform-delay projections with `short_term:`).
  let shortTerm: ShortTermView?
}

/// Folding one population's input ring into its synaptic variables.
struct RingFold<Scalar: EngineScalar> {
  unowned(unsafe) let ring: InputRing<Scalar>
  let neurons: Range<Int>
}

/// A copy of an array of plain values in raw storage, freed with the copy: the step loop iterates
/// it without the retain and release a Swift array's iteration costs.
final class RawCopy<Element> {
  let values: UnsafeMutableBufferPointer<Element>

  init(_ array: [Element]) {
    values = .allocate(capacity: array.count)
    _ = values.initialize(from: array)
  }

  deinit {
    values.deinitialize()
    values.deallocate()
  }
}
