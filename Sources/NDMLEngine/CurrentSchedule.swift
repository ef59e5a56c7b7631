import NDMLModel

/// The injected currents: which neuron gets how many pA during which step.
///
/// A neuron's total current is its model's bias plus, for every injection that targets it (in
/// config order), that injection's value in force: the amplitude of the step-wise segment in force
/// (0 before its first segment), the sinusoid at `t_n` or the noise value of the interval holding
/// `n` (0 outside their windows). Totals are recomputed from these parts at each change, never
/// accumulated, so no rounding drift builds up. The sine and noise values are pure functions of
/// the step (noise draws are keyed by (seed, input, neuron, interval index)), so the only state
/// to checkpoint is the step-wise schedule's position; the totals themselves are the kernels'
/// state. ``apply(upTo:kernels:)`` allocates nothing.
struct CurrentSchedule {
  /// (step, injection, segment) of the step-wise injections, in order of step, then config order.
  private let events: [(step: Int, injection: Int, segment: Int)]
  private var next = 0
  /// The segment in force per injection (step-wise ones only).
  private var active: [Int?]
  private let injections: [CurrentInjection]
  private let populationOf: [Int]
  /// Per injection: (neuron, position in its `neurons` list), the first position of each neuron.
  private let targets: [[(neuron: Int, position: Int)]]
  /// Per population: its injections in config order, and every neuron one of them targets.
  private let injectionsOf: [[Int]]
  private let targetedNeurons: [[Int]]
  private let biasPA: [Double]
  private let dtMs: Double
  /// When the sine and noise inputs change (immutable: every thread reads it to plan its steps).
  let periodicChanges: PeriodicCurrentChanges
  /// Per injection: the noise stream (noise inputs only).
  private let noiseStreams: [RandomStream?]
  /// Per injection: the interval whose noise values ``noiseValues`` holds (−1: none). A cache of
  /// pure functions of the step, never saved.
  private var noiseInterval: [Int]
  private var noiseValues: [[Double]]
  /// Per population: the totals being summed, and whether the current step changes them.
  private var totals: [[Double]]
  private var touched: [Bool]

  init(experiment: Experiment) {
    let simulation = experiment.simulation
    let injections = experiment.currentInjections
    let populationOf = injections.map { experiment.populationIndex(named: $0.population)! }
    let sizes = experiment.populations.map(\.size)
    let targets: [[(neuron: Int, position: Int)]] = injections.indices.map { j in
      guard let list = injections[j].neurons else { return (0..<sizes[populationOf[j]]).map { ($0, $0) } }
      var seen = Set<Int>()
      return list.enumerated().filter { seen.insert($0.element).inserted }.map { ($0.element, $0.offset) }
    }
    let owned = experiment.populations.indices.map { p in injections.indices.filter { populationOf[$0] == p } }
    self.injections = injections
    self.populationOf = populationOf
    self.targets = targets
    dtMs = simulation.dtMs
    active = Array(repeating: nil, count: injections.count)
    injectionsOf = owned
    targetedNeurons = owned.map { list in Array(Set(list.flatMap { j in targets[j].map(\.neuron) })).sorted() }
    biasPA = experiment.populations.map {
      switch $0.model {
      case .lifCuba(let p): p.biasCurrentPA
      case .lifCoba(let p): p.biasCurrentPA
      case .alif(let p): p.biasCurrentPA
      case .adex(let p): p.biasCurrentPA
      case .loihiCuba, .poisson, .spikeSource, .placeCells, .memoryPatterns: 0
      }
    }
    var events: [(step: Int, injection: Int, segment: Int)] = []
    for (j, inj) in injections.enumerated() {
      for (k, seg) in inj.schedule.enumerated() {
        events.append((simulation.steps(forMs: seg.startMs), j, k))
      }
    }
    self.events = events.enumerated().sorted { ($0.element.step, $0.offset) < ($1.element.step, $1.offset) }.map(
      \.element)
    var windows: [PeriodicCurrentChanges.Window] = []
    for (j, inj) in injections.enumerated() {
      let (startMs, stopMs, intervalMs): (Double, Double?, Double?)
      switch inj.waveform {
      case .steps: continue
      case .sine(let s): (startMs, stopMs, intervalMs) = (s.startMs, s.stopMs, nil)
      case .noise(let s): (startMs, stopMs, intervalMs) = (s.startMs, s.stopMs, s.intervalMs)
      }
      windows.append(
        PeriodicCurrentChanges.Window(
          injection: j, startStep: simulation.steps(forMs: startMs),
          stopStep: stopMs.map(simulation.steps(forMs:)) ?? Int.max,
          intervalSteps: max(1, intervalMs.map(simulation.steps(forMs:)) ?? 1)))
    }
    periodicChanges = PeriodicCurrentChanges(windows: windows)
    noiseStreams = injections.map {
      guard case .noise = $0.waveform else { return nil }
      return RandomStream(seed: simulation.seed, purpose: "noise/\($0.name)")
    }
    noiseInterval = Array(repeating: -1, count: injections.count)
    noiseValues = injections.indices.map { j in
      guard case .noise = injections[j].waveform else { return [] }
      return Array(repeating: 0, count: targets[j].count)
    }
    totals = sizes.map { Array(repeating: 0, count: $0) }
    touched = Array(repeating: false, count: sizes.count)
  }

  /// Steps at which a step-wise injection changes, ascending (see ``periodicChanges`` for the
  /// others).
  var changeSteps: [Int] { Array(Set(events.map(\.step))).sorted() }

  /// Applies every step-wise change due at or before step `n` and the sine and noise changes due
  /// at `n`: recomputes the totals of every neuron targeted in a population with a change.
  mutating func apply<S>(upTo n: Int, kernels: [any PopulationKernel<S>]) {
    var any = false
    while next < events.count && events[next].step <= n {
      active[events[next].injection] = events[next].segment
      touched[populationOf[events[next].injection]] = true
      any = true
      next += 1
    }
    for w in periodicChanges.windows where w.changes(at: n) {
      touched[populationOf[w.injection]] = true
      any = true
    }
    guard any else { return }
    for p in touched.indices where touched[p] {
      touched[p] = false
      recompute(population: p, step: n)
      let kernel = kernels[p]
      for neuron in targetedNeurons[p] { kernel.setCurrent(totals[p][neuron], neuron: neuron) }
    }
  }

  /// Sums the totals of population `p`'s targeted neurons at step `n` into ``totals``.
  private mutating func recompute(population p: Int, step n: Int) {
    for neuron in targetedNeurons[p] { totals[p][neuron] = biasPA[p] }
    for j in injectionsOf[p] {
      switch injections[j].waveform {
      case .steps(let schedule):
        guard let segment = active[j] else { continue }
        for (neuron, position) in targets[j] { totals[p][neuron] += schedule[segment].amplitude(forTarget: position) }
      case .sine(let sine):
        guard let window = periodicChanges.window(of: j), window.isOn(at: n) else { continue }
        let value = sine.currentPA(atMs: Double(n) * dtMs)
        for (neuron, _) in targets[j] { totals[p][neuron] += value }
      case .noise(let noise):
        guard let window = periodicChanges.window(of: j), window.isOn(at: n) else { continue }
        let interval = (n - window.startStep) / window.intervalSteps
        if noiseInterval[j] != interval {
          noiseInterval[j] = interval
          for (k, target) in targets[j].enumerated() {
            noiseValues[j][k] = noiseValue(j, noise, neuron: target.neuron, interval: interval)
          }
        }
        for (k, target) in targets[j].enumerated() { totals[p][target.neuron] += noiseValues[j][k] }
      }
    }
  }

  /// The draw of noise input `j` for `neuron` in its `interval`-th interval.
  private func noiseValue(_ j: Int, _ noise: CurrentInjection.Noise, neuron: Int, interval: Int) -> Double {
    let distribution = ValueDistribution.normal(
      mean: noise.meanPA, standardDeviation: noise.standardDeviationPA, clipAtZero: false)
    return noiseStreams[j]!.sample(distribution, UInt64(neuron), UInt64(interval))
  }

  /// What injection `j` injected during a run of `stepCount` steps, as a step function with a row
  /// per change, computed with the same values ``apply(upTo:kernels:)`` uses (they are pure
  /// functions of the step, so a resumed run reports the whole run). A change due exactly at the
  /// end of the run is listed too (the value in force from then on).
  func report(of j: Int, stepCount: Int, populationName: String) -> InputCurrentReport {
    let neurons = targets[j]
    var steps: [Int] = [0]
    switch injections[j].waveform {
    case .steps:
      steps += events.filter { $0.injection == j && $0.step <= stepCount }.map(\.step)
    case .sine, .noise:
      let w = periodicChanges.window(of: j)!
      var n = w.startStep
      while n < w.stopStep && n <= stepCount {
        steps.append(n)
        n += w.intervalSteps
      }
      if w.stopStep <= stepCount { steps.append(w.stopStep) }
    }
    steps = Array(Set(steps)).sorted()
    var values: [Double] = []
    values.reserveCapacity(steps.count * neurons.count)
    for n in steps {
      switch injections[j].waveform {
      case .steps(let schedule):
        let segment = events.last { $0.injection == j && $0.step <= n }?.segment
        for (_, position) in neurons { values.append(segment.map { schedule[$0].amplitude(forTarget: position) } ?? 0) }
      case .sine(let sine):
        let on = periodicChanges.window(of: j)!.isOn(at: n)
        let value = on ? sine.currentPA(atMs: Double(n) * dtMs) : 0
        values += Array(repeating: value, count: neurons.count)
      case .noise(let noise):
        let w = periodicChanges.window(of: j)!
        let interval = (n - w.startStep) / w.intervalSteps
        for (neuron, _) in neurons {
          values.append(w.isOn(at: n) ? noiseValue(j, noise, neuron: neuron, interval: interval) : 0)
        }
      }
    }
    return InputCurrentReport(
      input: injections[j].name, population: populationName, nodeIDs: neurons.map { UInt64($0.neuron) },
      timesMs: steps.map { Double($0) * dtMs }, valuesPA: values)
  }

  /// Index of the injection named `name`.
  func injectionIndex(named name: String) -> Int? { injections.firstIndex { $0.name == name } }

  /// Appends the schedule's position (the currents themselves are the kernels' state; sine and
  /// noise values are functions of the step).
  func save(to archive: inout StateArchiveWriter) {
    archive.section("currents", shape: [events.count, injections.count])
    archive.write(next)
    archive.write(active.map { $0 ?? -1 })
  }

  /// Restores what ``save(to:)`` wrote.
  mutating func restore(from archive: inout StateArchiveReader) throws {
    try archive.section("currents", shape: [events.count, injections.count])
    next = try archive.readInt()
    active = (try archive.readArray(count: injections.count) as [Int]).map { $0 < 0 ? nil : $0 }
  }
}

/// The steps at which sine and noise inputs change: every `intervalSteps` steps from `startStep`
/// while before `stopStep`, and at `stopStep` (off). A plain value, read by every thread.
struct PeriodicCurrentChanges: Sendable {
  /// One input's window.
  struct Window: Sendable {
    /// Index of the injection.
    var injection: Int
    /// First step on.
    var startStep: Int
    /// First step off again (`Int.max`: never).
    var stopStep: Int
    /// Steps between changes (1 for a sinusoid).
    var intervalSteps: Int

    /// Whether the input is on during step `n`.
    @inline(__always)
    func isOn(at n: Int) -> Bool { n >= startStep && n < stopStep }

    /// Whether the input's value changes at step `n`.
    @inline(__always)
    func changes(at n: Int) -> Bool {
      n == stopStep || (isOn(at: n) && (n - startStep) % intervalSteps == 0)
    }

    /// The first step after `n` at which the value changes (`Int.max`: none).
    @inline(__always)
    func nextChange(after n: Int) -> Int {
      let m = n + 1
      if m <= startStep { return startStep < stopStep ? startStep : Int.max }
      let k = (m - startStep + intervalSteps - 1) / intervalSteps
      let s = startStep + k * intervalSteps
      if s < stopStep { return s }
      return stopStep >= m ? stopStep : Int.max
    }
  }

  /// The windows, in config order of their inputs.
  let windows: [Window]

  /// The window of injection `j`, if it is a sine or noise input.
  func window(of j: Int) -> Window? { windows.first { $0.injection == j } }

  /// The first step after `n` at which some sine or noise input changes (`Int.max`: none).
  @inline(__always)
  func nextChange(after n: Int) -> Int {
    var next = Int.max
    for w in windows { next = min(next, w.nextChange(after: n)) }
    return next
  }
}
