/// A whole experiment: the network, its inputs, what to record, and how long to run.
///
/// Pure description: building state, running and writing results belong to the backends. Configs
/// (`experiments/*.yaml`) are read into this type by `NDMLConfig`; it can also be built in Swift:
///
/// ```swift
/// var cell = LIFCubaParameters()
/// cell.tauSynapticExcitatoryMs = 0  // delta synapses
/// let experiment = Experiment(
///   simulation: SimulationSettings(durationMs: 1000, seed: 7),
///   populations: [
///     Population(name: "input", size: 100, model: .poisson(.init(rateHz: 20))),
///     Population(name: "cells", size: 10, model: .lifCuba(cell)),
///   ],
///   projections: [
///     Projection(
///       name: "drive", source: "input", target: "cells", connectivity: .fixedProbability(0.1),
///       weight: .constant(1.5), delayMs: .constant(1), receptor: .excitatory,
///       plasticity: .pairSTDP(PairSTDPParameters(weightMax: 3)))
///   ],
///   recording: RecordingPlan(spikePopulations: ["cells"]))
/// let problems = experiment.validate().filter { !$0.isWarning }  // [] when it can run
/// ```
///
/// `CPUBackend().run(experiment, observer:)` (NDMLEngine) runs it.
public struct Experiment: Sendable, Equatable {
  /// Clock, duration, seed and precision.
  public var simulation: SimulationSettings
  /// Populations in config order (their order fixes the order of spike processing).
  public var populations: [Population]
  /// Projections in config order.
  public var projections: [Projection]
  /// Current injections.
  public var currentInjections: [CurrentInjection]
  /// What to record.
  public var recording: RecordingPlan
  /// The named clocks of slow processes (`timescales:`).
  public var timescales = Timescales()
  /// Memory lifecycles of plastic projections (`memory:`).
  public var memory: [MemoryTracking] = []

  /// Creates an experiment; call ``validate()`` before running it.
  public init(
    simulation: SimulationSettings, populations: [Population], projections: [Projection] = [],
    currentInjections: [CurrentInjection] = [], recording: RecordingPlan = RecordingPlan()
  ) {
    self.simulation = simulation
    self.populations = populations
    self.projections = projections
    self.currentInjections = currentInjections
    self.recording = recording
  }

  /// The population called `name`, if any.
  public func population(named name: String) -> Population? {
    populations.first { $0.name == name }
  }

  /// Index of the population called `name`, if any.
  public func populationIndex(named name: String) -> Int? {
    populations.firstIndex { $0.name == name }
  }

  /// Checks every rule and returns all problems, keyed by config path (`projections.ee.weight_mV`).
  ///
  /// Errors and warnings both come back; the caller stops on any error.
  public func validate() -> [ExperimentIssue] {
    var issues: [ExperimentIssue] = []
    func add(_ path: String, _ v: [ParameterViolation]) {
      issues += v.map { ExperimentIssue(keyPath: path + "." + $0.key, message: $0.message, isWarning: $0.isWarning) }
    }
    func add(_ path: String, _ message: String, warning: Bool = false) {
      issues.append(ExperimentIssue(keyPath: path, message: message, isWarning: warning))
    }
    let (outputRules, simulationRules) = simulation.violations().partitioned { $0.key == "flush_interval_ms" }
    add("simulation", simulationRules)
    add("output", outputRules)  // flush_interval_ms is an output setting in the config
    let dt = simulation.dtMs
    if populations.isEmpty { add("populations", "must define at least one population") }
    var seen = Set<String>()
    for pop in populations {
      let path = "populations.\(pop.name)"
      if !seen.insert(pop.name).inserted { add(path, "is defined twice") }
      if pop.size < 1 { add(path + ".size", "must be ≥ 1, got \(pop.size)") }
      add(path + ".params", pop.model.violations(size: pop.size))
      var previousMs = 0.0
      for (k, change) in pop.parameterChanges.enumerated() {
        let at = "\(path).changes[\(k)]"
        if !(change.atMs > previousMs) || !change.atMs.isFinite {
          add(
            at + ".at_ms",
            "(\(change.atMs) ms) must be after the start and after the previous change (\(previousMs) ms)")
        }
        previousMs = max(previousMs, change.atMs)
        if change.atMs >= simulation.durationMs {
          add(at + ".at_ms", "(\(change.atMs) ms) is at or after the end of the run; it has no effect", warning: true)
        }
        var reported = Set<String>()
        for (i, model) in change.neuronModels.enumerated() {
          for v in model.violations(size: pop.size) where reported.insert(v.key).inserted {
            add(at + ".params." + v.key, "(neuron \(i)) " + v.message)
          }
        }
      }
      if let models = pop.neuronModels {
        if models.count != pop.size {
          add(path + ".params", "per-neuron parameters for \(models.count) neurons, the population has \(pop.size)")
        }
        // The first neuron breaking each rule is named (one message per rule, not per neuron).
        var reported = Set<String>()
        for (i, model) in models.enumerated() {
          for v in model.violations(size: pop.size) where reported.insert(v.key).inserted {
            let index = pop.perNeuronParameterKeys.contains(v.key) ? "[\(i)]" : ""
            add(path + ".params." + v.key + index, "(neuron \(i)) " + v.message)
          }
        }
      }
      if let tau = pop.model.shortestTimeConstantMs, dt > 0, dt > tau {
        add(
          "simulation.dt_ms",
          "(\(dt) ms) is larger than the shortest time constant of \(pop.name) (\(tau) ms); exact "
            + "propagators stay exact, but spike times are only resolved to dt",
          warning: true)
      }
      let allowed = Set(pop.model.initialStateVariables.map(\.name))
      for (name, dist) in pop.initialState.sorted(by: { $0.key < $1.key }) {
        if !allowed.contains(name) {
          add(path + ".init.\(name)", "is not a state variable of \(pop.model.configName)")
        }
        add(path + ".init", dist.violations(key: name))
        if case .perNeuron(let values) = dist, values.count != pop.size {
          let unit = pop.model.initialStateVariables.first { $0.name == name }?.unit
          add(
            path + ".init.\(name)" + (unit.map { "_\($0)" } ?? ""),
            "lists \(values.count) values; give one per neuron (size \(pop.size)), a constant or a distribution")
        }
        if case .loihiCuba = pop.model,
          !(dist.lowerBound >= -Double(LoihiCubaParameters.stateLimit)
            && dist.practicalUpperBound <= Double(LoihiCubaParameters.stateLimit))
        {
          add(
            path + ".init.\(name)_int",
            "must lie within ±2^23 (\(LoihiCubaParameters.stateLimit)), Loihi's 24-bit state")
        }
        if name.hasPrefix("g_"), pop.model.weightUnit == "nS", dist.lowerBound < 0 {
          add(
            path + ".init.\(name)_nS",
            "can draw negative conductances (as Brette et al. 2007's COBA does); a neuron whose total conductance is "
              + "≤ 0 has no steady state",
            warning: true)
        }
      }
    }
    var projectionNames = Set<String>()
    for proj in projections {
      let path = "projections.\(proj.name)"
      if !projectionNames.insert(proj.name).inserted { add(path, "is defined twice") }
      issues += validate(projection: proj, path: path)
    }
    /// The on/off window of a sine or noise input: start ≥ 0, stop after start (both in ms).
    func add(window startMs: Double, _ stopMs: Double?, path: String) {
      if !(startMs >= 0 && startMs.isFinite) { add(path + ".start_ms", "must be ≥ 0 and finite, got \(startMs)") }
      if let stopMs, !(stopMs > startMs && stopMs.isFinite) {
        add(path + ".stop_ms", "(\(stopMs) ms) must be later than start_ms (\(startMs) ms)")
      }
    }
    for inj in currentInjections {
      let path = "inputs.\(inj.name)"
      guard let pop = population(named: inj.population) else {
        add(path + ".population", unknownPopulation(inj.population))
        continue
      }
      if pop.model.isSource {
        add(path + ".population", "is a \(pop.model.configName) population and takes no current")
      }
      if case .loihiCuba = pop.model {
        add(
          path + ".population", "is a loihi_cuba population, which takes no injected current; use its params.bias_mant")
      }
      if let bad = inj.neurons?.first(where: { $0 < 0 || $0 >= pop.size }) {
        add(path + ".neurons", "index \(bad) is outside 0..<\(pop.size)")
      }
      let targets = inj.neurons?.count ?? pop.size
      switch inj.waveform {
      case .steps: break
      case .sine(let sine):
        if !(sine.frequencyHz >= 0 && sine.frequencyHz.isFinite) {
          add(path + ".frequency_Hz", "must be ≥ 0 and finite, got \(sine.frequencyHz)")
        }
        for (key, value) in [("amplitude_pA", sine.amplitudePA), ("offset_pA", sine.offsetPA)] where !value.isFinite {
          add(path + ".\(key)", "must be a finite number, got \(value)")
        }
        if !sine.phaseDegrees.isFinite { add(path + ".phase_deg", "must be a finite number, got \(sine.phaseDegrees)") }
        add(window: sine.startMs, sine.stopMs, path: path)
      case .noise(let noise):
        if !(noise.standardDeviationPA >= 0 && noise.standardDeviationPA.isFinite) {
          add(path + ".std_pA", "must be ≥ 0 and finite, got \(noise.standardDeviationPA)")
        }
        if !noise.meanPA.isFinite { add(path + ".mean_pA", "must be a finite number, got \(noise.meanPA)") }
        if let interval = noise.intervalMs {
          let ratio = interval / dt
          if !(interval > 0) || !ratio.isFinite || abs(ratio - ratio.rounded()) > 1e-9 * max(1, ratio) {
            add(path + ".dt_ms", "(\(interval) ms) must be a positive whole multiple of simulation.dt_ms (\(dt) ms)")
          }
        }
        add(window: noise.startMs, noise.stopMs, path: path)
      }
      for (k, seg) in inj.schedule.enumerated() {
        if !(seg.startMs >= 0) || !seg.amplitudesPA.allSatisfy(\.isFinite) {
          add(path, "segment \(k) (start \(seg.startMs) ms) must have start ≥ 0 and finite amplitudes")
        }
        if seg.amplitudesPA.count != 1 && seg.amplitudesPA.count != targets {
          add(
            path + ".amplitude_pA",
            "has \(seg.amplitudesPA.count) values; give one for all or one per target neuron (\(targets))")
        }
      }
      if zip(inj.schedule, inj.schedule.dropFirst()).contains(where: { $0.startMs >= $1.startMs }) {
        add(path, "segment start times must increase")
      }
    }
    for (i, rec) in recording.weights.enumerated() {
      let path = "record.weights[\(i)]"
      if !projections.contains(where: { $0.name == rec.projection }) {
        add(
          path + ".projection",
          "names projection '\(rec.projection)', which is not defined; defined: "
            + projections.map(\.name).joined(separator: ", "))
      }
      let ratio = rec.intervalMs / dt
      if !(rec.intervalMs > 0) || abs(ratio - ratio.rounded()) > 1e-9 {
        add(path + ".interval_ms", "(\(rec.intervalMs) ms) must be a positive multiple of dt_ms (\(dt) ms)")
      }
      if let k = rec.sampleSize, k < 1 { add(path + ".synapses", "must be ≥ 1 or all, got \(k)") }
      if rec.histogramBins < 1 { add(path + ".bins", "must be ≥ 1, got \(rec.histogramBins)") }
    }
    var recordedTraces = Set<String>()
    for (i, rec) in recording.traces.enumerated() {
      let path = "record.traces[\(i)]"
      for t in rec.traces where !recordedTraces.insert("\(rec.projection)/\(t)").inserted {
        add(path + ".traces", "records \(t) of \(rec.projection) a second time; merge the neuron lists")
      }
      guard let proj = projections.first(where: { $0.name == rec.projection }) else {
        add(path + ".projection", "names projection '\(rec.projection)', which is not defined")
        continue
      }
      guard let rule = proj.plasticity else {
        add(path + ".projection", "\(rec.projection) is not plastic: it has no traces")
        continue
      }
      let known = rule.traces
      if rec.traces.isEmpty { add(path + ".traces", "must name at least one trace") }
      if Set(rec.traces).count != rec.traces.count { add(path + ".traces", "lists a trace twice") }
      for name in rec.traces {
        guard let trace = known.first(where: { $0.name == name }) else {
          add(
            path + ".traces",
            "'\(name)' is not a trace of \(rule.configName); choose from \(known.map(\.name).joined(separator: ", "))")
          continue
        }
        let side = trace.side == .source ? proj.source : proj.target
        if let size = population(named: side)?.size, let bad = rec.neurons.first(where: { $0 < 0 || $0 >= size }) {
          add(path + ".neurons", "index \(bad) is outside \(side) (0..<\(size)), which trace \(name) belongs to")
        }
      }
      if Set(rec.neurons).count != rec.neurons.count { add(path + ".neurons", "lists a neuron twice") }
      let ratio = rec.intervalMs / dt
      if !(rec.intervalMs > 0) || abs(ratio - ratio.rounded()) > 1e-9 {
        add(path + ".interval_ms", "(\(rec.intervalMs) ms) must be a positive multiple of dt_ms (\(dt) ms)")
      }
    }
    for name in recording.spikePopulations where population(named: name) == nil {
      add("record.spikes", unknownPopulation(name))
    }
    for name in recording.inputs where !currentInjections.contains(where: { $0.name == name }) {
      let known = currentInjections.map(\.name)
      add(
        "record.inputs",
        "'\(name)' is not an input; "
          + (known.isEmpty ? "the config has no inputs" : "choose from \(known.joined(separator: ", "))"))
    }
    if Set(recording.inputs).count != recording.inputs.count { add("record.inputs", "names an input twice") }
    var recordedVariables = Set<String>()
    for (i, rec) in recording.state.enumerated() {
      let path = "record.state[\(i)]"
      for v in rec.variables where !recordedVariables.insert("\(rec.population)/\(v)").inserted {
        add(path + ".variables", "records \(v) of \(rec.population) a second time; merge the neuron lists")
      }
      guard let pop = population(named: rec.population) else {
        add(path + ".population", unknownPopulation(rec.population))
        continue
      }
      let names = pop.model.recordableVariables.map(\.name)
      for v in rec.variables where !names.contains(v) {
        add(
          path + ".variables",
          "'\(v)' is not recordable for \(pop.model.configName); choose from \(names.joined(separator: ", "))")
      }
      if rec.variables.isEmpty { add(path + ".variables", "must name at least one variable") }
      let intervalSteps = (rec.intervalMs / dt).rounded()
      if rec.finalSample, intervalSteps >= 1, simulation.stepCount % Int(intervalSteps) != 0 {
        add(
          path + ".final_sample",
          "needs a duration that is a whole number of intervals (\(simulation.durationMs) ms is not a multiple of "
            + "\(rec.intervalMs) ms), so that the last sample stays on the sampling grid")
      }
      if let bad = rec.neurons.first(where: { $0 < 0 || $0 >= pop.size }) {
        add(path + ".neurons", "index \(bad) is outside 0..<\(pop.size)")
      }
      if Set(rec.neurons).count != rec.neurons.count { add(path + ".neurons", "lists a neuron twice") }
      let ratio = rec.intervalMs / dt
      if !(rec.intervalMs > 0) || abs(ratio - ratio.rounded()) > 1e-9 {
        add(path + ".interval_ms", "(\(rec.intervalMs) ms) must be a positive multiple of dt_ms (\(dt) ms)")
      }
    }
    issues += validateSlowProcesses()
    issues += validateMemory()
    return issues
  }

  func unknownPopulation(_ name: String) -> String {
    "names population '\(name)', which is not defined; defined: "
      + populations.map(\.name).joined(separator: ", ")
  }

  /// `weight_changes` of a projection: times, lengths, signs.
  private func validate(weightChanges proj: Projection, path: String, unit: String) -> [ExperimentIssue] {
    var out: [ExperimentIssue] = []
    var previousMs = 0.0
    for (k, change) in proj.weightChanges.enumerated() {
      let at = "\(path).weight_changes[\(k)]"
      if !(change.atMs > previousMs) || !change.atMs.isFinite {
        out.append(
          .init(
            keyPath: at + ".at_ms",
            message: "(\(change.atMs) ms) must be after the start and the previous change (\(previousMs) ms)"))
      }
      previousMs = max(previousMs, change.atMs)
      if proj.plasticity != nil || proj.consolidation != nil {
        out.append(
          .init(
            keyPath: at,
            message: "a plastic projection's weights are the rule's; weight changes apply to static projections"))
      }
      if change.weights.count > 1 {
        guard case .explicit(let list) = proj.connectivity else {
          out.append(
            .init(
              keyPath: at + ".from_file",
              message: "per-synapse weights need an explicit list (connectivity: {from_file: ...}) to give their order")
          )
          continue
        }
        if change.weights.count != list.count {
          out.append(
            .init(
              keyPath: at + ".from_file",
              message: "holds \(change.weights.count) weights; the projection's list has \(list.count) synapses"))
        }
      }
      let excitatory = proj.receptor == .excitatory || unit == "nS"
      if let bad = change.weights.first(where: { excitatory ? $0 < 0 : $0 > 0 }) {
        out.append(
          .init(
            keyPath: at,
            message:
              "weight \(bad) \(unit) breaks the sign rule of the \(proj.receptor.rawValue) receptor (\(excitatory ? "≥ 0" : "≤ 0"))"
          ))
      }
    }
    return out
  }

  private func validate(projection proj: Projection, path: String) -> [ExperimentIssue] {
    var out: [ExperimentIssue] = []
    func add(_ key: String, _ message: String) {
      out.append(ExperimentIssue(keyPath: path + key, message: message))
    }
    guard let src = population(named: proj.source) else {
      add(".source", unknownPopulation(proj.source))
      return out
    }
    guard let dst = population(named: proj.target) else {
      add(".target", unknownPopulation(proj.target))
      return out
    }
    guard let unit = dst.model.weightUnit else {
      add(".target", "is a \(dst.model.configName) population, which takes no synaptic input")
      return out
    }
    for (key, value) in [("weight_\(unit)", proj.weight), ("delay_ms", proj.delayMs)] {
      if case .perNeuron = value { add(".\(key)", "takes a constant or a distribution, not a per-neuron list") }
    }
    out += validate(weightChanges: proj, path: path, unit: unit)
    if !proj.weightChanges.isEmpty, case .loihiCuba = dst.model {
      add(".weight_changes", "Loihi weights are fixed integers; weight changes apply to float targets")
    }
    if let stp = proj.shortTerm {
      for v in stp.violations() { add(".short_term.\(v.key)", v.message) }
      if proj.plasticity != nil {
        add(".short_term", "cannot be combined with plasticity yet: give the projection one or the other")
      }
      if case .loihiCuba = dst.model {
        add(".short_term", "Loihi's Dense synapses have no short-term plasticity; remove short_term")
      }
      var uniformDelay = true
      if case .constant = proj.delayMs {} else { uniformDelay = false }
      if case .explicit(let list) = proj.connectivity, list.contains(where: { $0.delayMs != nil }) {
        uniformDelay = false
      }
      if !uniformDelay {
        add(".short_term", "needs one delay for the whole projection (a constant delay_ms, no per-synapse delays)")
      }
    }
    let wkey = ".weight_\(unit)"
    out += proj.weight.violations(key: wkey).map {
      ExperimentIssue(keyPath: path + "." + $0.key.drop(while: { $0 == "." }), message: $0.message)
    }
    var isLoihi = false
    if case .loihiCuba = dst.model {
      isLoihi = true
      out += validate(loihiProjection: proj, source: src, path: path)
    }
    switch (proj.receptor, dst.model) {
    case (_, .loihiCuba): break
    case (.excitatory, _) where proj.weight.lowerBound < 0:
      add(
        wkey,
        "can be negative (\(proj.weight.lowerBound)) on an excitatory receptor; use receptor: inhibitory for negative weights"
      )
    case (.inhibitory, .lifCuba) where proj.weight.upperBound > 0:
      add(
        wkey,
        "can be positive (\(proj.weight.upperBound)) on an inhibitory lif_cuba receptor; inhibitory weights are ≤ 0 mV")
    case (.inhibitory, .alif) where proj.weight.upperBound > 0,
      (.inhibitory, .adex) where unit == "pA" && proj.weight.upperBound > 0:
      add(
        wkey,
        "can be positive (\(proj.weight.upperBound)) on an inhibitory \(dst.model.configName) receptor; inhibitory "
          + "weights are ≤ 0 \(unit)")
    case (.inhibitory, .lifCoba) where proj.weight.lowerBound < 0,
      (.inhibitory, .adex) where unit == "nS" && proj.weight.lowerBound < 0:
      add(wkey, "can be negative on a conductance (nS ≥ 0); the receptor, not the sign, makes it inhibitory")
    default: break
    }
    out += proj.delayMs.violations(key: "delay_ms").map {
      ExperimentIssue(keyPath: path + "." + $0.key, message: $0.message)
    }
    if case .constant(let d) = proj.delayMs, d < simulation.dtMs * (1 - 1e-9) {
      add(
        ".delay_ms", "(\(d) ms) is shorter than one step (dt_ms = \(simulation.dtMs) ms); the minimum delay is one step"
      )
    }
    if proj.delayMs.practicalUpperBound / simulation.dtMs > Double(Self.maximumDelaySteps) {
      add(
        ".delay_ms",
        "can reach \(proj.delayMs.practicalUpperBound) ms, more than \(Self.maximumDelaySteps) steps of \(simulation.dtMs) ms"
      )
    }
    if let rule = proj.plasticity, !isLoihi {
      out += validate(plasticity: rule, of: proj, targetSize: dst.size, unit: unit, path: path)
    }
    switch proj.connectivity {
    case .allToAll: break
    case .oneToOne:
      if proj.source == proj.target && !proj.allowAutapses {
        add(
          ".connectivity",
          "one_to_one from \(src.name) onto itself connects each neuron to itself only; set allow_autapses: true")
      }
      if src.size != dst.size {
        add(
          ".connectivity",
          "one_to_one needs equal sizes, but \(src.name) has \(src.size) and \(dst.name) has \(dst.size)")
      }
    case .fixedProbability(let p):
      if !(p >= 0 && p <= 1) { add(".connectivity.fixed_probability", "must be in [0, 1], got \(p)") }
    case .fixedInDegree(let k):
      let available = src.size - (proj.source == proj.target && !proj.allowAutapses ? 1 : 0)
      if k < 0 || k > available {
        add(".connectivity.fixed_in_degree", "must be in 0...\(available) (distinct sources available), got \(k)")
      }
    case .explicit(let list):
      let key = ".connectivity.from_file"
      for (row, s) in list.enumerated() {
        let line = "row \(row + 1) (\(s.source) → \(s.target))"
        if s.source < 0 || s.source >= src.size || s.target < 0 || s.target >= dst.size {
          add(key, "\(line) is outside \(src.size) × \(dst.size)")
        } else if proj.source == proj.target && s.source == s.target && !proj.allowAutapses {
          add(key, "\(line) is an autapse; set allow_autapses: true to keep it")
        } else if let w = s.weight, !w.isFinite || signViolation(w, receptor: proj.receptor, target: dst.model) {
          add(
            key,
            "\(line) has weight \(w), not allowed on the \(proj.receptor.rawValue) receptor of \(dst.model.configName)")
        } else if let d = s.delayMs,
          !(d >= simulation.dtMs * (1 - 1e-9)) || d / simulation.dtMs > Double(Self.maximumDelaySteps)
        {
          add(
            key,
            "\(line) has delay \(d) ms; delays must be within 1…\(Self.maximumDelaySteps) steps of \(simulation.dtMs) ms"
          )
        } else {
          continue
        }
        break
      }
    }
    return out
  }

  /// The rules of a projection onto a `loihi_cuba` population: integer weights of any sign (the
  /// receptor plays no part), Lava's delay range, no plasticity.
  private func validate(loihiProjection proj: Projection, source src: Population, path: String) -> [ExperimentIssue] {
    var out = proj.loihi.violations().map { ExperimentIssue(keyPath: path + ".loihi." + $0.key, message: $0.message) }
    func add(_ key: String, _ message: String) { out.append(ExperimentIssue(keyPath: path + key, message: message)) }
    if proj.receptor != .excitatory {
      add(".receptor", "plays no part on a loihi_cuba target (the weight's sign does); remove it")
    }
    if proj.plasticity != nil {
      add(".plasticity", "is not supported on a loihi_cuba target (NDML emulates Loihi's static Dense synapses)")
    }
    var delays = [proj.delayMs.lowerBound, proj.delayMs.practicalUpperBound]
    if case .explicit(let list) = proj.connectivity {
      delays += list.compactMap(\.delayMs)
    }
    let steps = delays.map { ($0 / simulation.dtMs).rounded() }
    // A neuron's spike (stamped at its step's end) can reach the next step; a source's (stamped at
    // its step's start) is emitted during the step that would have to use it.
    let shortest = src.model.isSource ? 2.0 : 1.0
    let longest = shortest + 63
    if let bad = steps.first(where: { !($0 >= shortest && $0 <= longest) }) {
      let what = src.model.isSource ? "from the spike source \(src.name)" : "from a neuron"
      add(
        ".delay_ms",
        "can be \(Int(bad)) steps; onto a loihi_cuba target a delay \(what) must be \(Int(shortest))…\(Int(longest)) "
          + "steps of \(simulation.dtMs) ms (Loihi 2 has 6 bits of synaptic delay)")
    }
    if simulation.precision == .float32 && src.size > 65_536 {
      add(
        ".source",
        "has \(src.size) neurons; in single precision a loihi_cuba target sums at most 65536 inputs per projection "
          + "exactly; use simulation.precision: float64")
    }
    return out
  }

  private func validate(
    plasticity rule: PlasticityRule, of proj: Projection, targetSize: Int, unit: String, path: String
  ) -> [ExperimentIssue] {
    var out = rule.violations(unit: unit, targetSize: targetSize).map {
      ExperimentIssue(keyPath: path + ".plasticity." + $0.key, message: $0.message)
    }
    let key = path + ".plasticity"
    if proj.receptor != .excitatory {
      out.append(.init(keyPath: key, message: "\(rule.configName) is supported on excitatory projections only"))
    }
    let perSynapseDelays: Bool
    if case .explicit(let list) = proj.connectivity {
      perSynapseDelays = list.contains { $0.delayMs != nil }
    } else {
      perSynapseDelays = false
    }
    if !proj.delayMs.isConstant || perSynapseDelays {
      out.append(
        .init(
          keyPath: path + ".delay_ms", message: "a plastic projection needs one delay for all synapses (a constant)"))
    }
    if case .taggingCapture(let p) = rule {
      for v in p.clock.violations(timescales: timescales, dtMs: simulation.dtMs) {
        out.append(.init(keyPath: key + "." + v.key, message: v.message))
      }
      switch population(named: proj.target)?.model {
      case .lifCuba?, .alif?, nil: break
      case let model?:
        out.append(
          .init(
            keyPath: key,
            message:
              "stc needs a lif_cuba or alif target (weights in mV, w = h + h0·z); \(proj.target) is \(model.configName)"
          ))
      }
      if proj.weight.lowerBound < 0 || proj.weight.practicalUpperBound > p.hMax {
        out.append(
          .init(
            keyPath: path + ".weight_\(unit)",
            message: "initial weights set the early weight h and must lie within [0, h_max_mV] = [0, \(p.hMax)] mV"))
      }
      return out
    }
    let bounds = rule.weightBounds
    if proj.weight.lowerBound < bounds.lowerBound || proj.weight.practicalUpperBound > bounds.upperBound {
      out.append(
        .init(
          keyPath: path + ".weight_\(unit)",
          message:
            "initial weights must lie within [w_min, w_max] = [\(bounds.lowerBound), \(bounds.upperBound)] \(unit)"))
    }
    return out
  }

  /// Whether weight `w` breaks the sign rule of a receptor on a target model (excitatory ≥ 0;
  /// inhibitory ≤ 0 for the current-based models' input — lif_cuba, alif in mV, adex in pA;
  /// conductances ≥ 0 for lif_coba and adex with conductance synapses).
  private func signViolation(_ w: Double, receptor: Receptor, target: NeuronModel) -> Bool {
    switch (receptor, target) {
    case (_, .loihiCuba): false
    case (.inhibitory, .adex(let p)): p.synapseType == .current ? w > 0 : w < 0
    case (.inhibitory, .lifCuba), (.inhibitory, .alif): w > 0
    default: w < 0
    }
  }

  /// The largest delay the engine's ring buffers accept, in steps.
  public static let maximumDelaySteps = 65_535

  /// Expected number of synapses (exact for deterministic rules, the mean for random ones).
  public func expectedSynapseCount() -> Double {
    projections.reduce(0) { $0 + expectedSynapseCount(of: $1) }
  }

  /// The expected number of synapses of one projection (0 if its populations are unknown).
  public func expectedSynapseCount(of proj: Projection) -> Double {
    guard let s = population(named: proj.source), let t = population(named: proj.target) else { return 0 }
    let same = proj.source == proj.target && !proj.allowAutapses
    let pairs = Double(s.size) * Double(t.size) - (same ? Double(s.size) : 0)
    switch proj.connectivity {
    case .allToAll: return pairs
    case .oneToOne: return same ? 0 : Double(s.size)
    case .fixedProbability(let p): return p * pairs
    case .fixedInDegree(let k): return Double(k) * Double(t.size)
    case .explicit(let list): return Double(list.count)
    }
  }
}

extension Array {
  /// The elements that satisfy `belongs` and the others, each in order.
  func partitioned(_ belongs: (Element) -> Bool) -> ([Element], [Element]) {
    (filter(belongs), filter { !belongs($0) })
  }
}

/// One problem found by ``Experiment/validate()``: where (config key path) and what.
public struct ExperimentIssue: Sendable, Equatable, CustomStringConvertible {
  /// Dotted path of the offending key, e.g. `populations.exc.params.tau_m_ms`.
  public var keyPath: String
  /// What is wrong and, where possible, how to fix it.
  public var message: String
  /// Warnings do not stop a run.
  public var isWarning: Bool

  /// Creates an issue.
  public init(keyPath: String, message: String, isWarning: Bool = false) {
    self.keyPath = keyPath
    self.message = message
    self.isWarning = isWarning
  }

  /// The message as printed.
  public var description: String { "\(keyPath): \(message)" }
}
