import NDMLModel

/// The step-wise injected currents: which neuron gets how many pA from which step on.
///
/// A neuron's total current is its model's bias plus, for every injection that targets it, the
/// amplitude of that injection's segment in force (0 before its first segment). Totals are
/// recomputed from these parts at each change, never accumulated, so no rounding drift builds up.
struct CurrentSchedule {
  /// (step, injection, segment) in order of step, then config order.
  private let events: [(step: Int, injection: Int, segment: Int)]
  private var next = 0
  /// The segment in force per injection.
  private var active: [Int?]
  private let injections: [CurrentInjection]
  private let populationOf: [Int]
  /// Per injection: position of each targeted neuron in its list (nil: every neuron, position = index).
  private let positions: [[Int: Int]?]
  private let biasPA: [Double]
  private let populationSizes: [Int]

  init(experiment: Experiment) {
    injections = experiment.currentInjections
    populationOf = injections.map { experiment.populationIndex(named: $0.population)! }
    active = Array(repeating: nil, count: injections.count)
    positions = injections.map { inj in
      inj.neurons.map { Dictionary($0.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a }) }
    }
    populationSizes = experiment.populations.map(\.size)
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
        events.append((experiment.simulation.steps(forMs: seg.startMs), j, k))
      }
    }
    self.events = events.enumerated().sorted { ($0.element.step, $0.offset) < ($1.element.step, $1.offset) }.map(
      \.element)
  }

  /// Steps at which some injection changes, ascending.
  var changeSteps: [Int] { Array(Set(events.map(\.step))).sorted() }

  /// Applies every change due at or before step `n`.
  mutating func apply<S>(upTo n: Int, kernels: [any PopulationKernel<S>]) {
    guard next < events.count, events[next].step <= n else { return }
    var touched = Set<Int>()
    while next < events.count && events[next].step <= n {
      active[events[next].injection] = events[next].segment
      touched.insert(events[next].injection)
      next += 1
    }
    for j in touched.sorted() {
      let p = populationOf[j]
      for neuron in injections[j].neurons ?? Array(0..<populationSizes[p]) {
        kernels[p].setCurrent(totalCurrent(neuron: neuron, population: p), neuron: neuron)
      }
    }
  }

  /// Appends the schedule's position (the currents themselves are the kernels' state).
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

  private func totalCurrent(neuron: Int, population p: Int) -> Double {
    var total = biasPA[p]
    for j in injections.indices where populationOf[j] == p {
      guard let segment = active[j] else { continue }
      let position = positions[j] == nil ? neuron : positions[j]![neuron]
      if let position { total += injections[j].schedule[segment].amplitude(forTarget: position) }
    }
    return total
  }
}
