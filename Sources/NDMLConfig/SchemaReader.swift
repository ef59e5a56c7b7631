import Foundation
import NDMLModel

/// Reads each section of the schema into the model's value types (errors go to the reader).
struct SchemaReader {
  let reader: ConfigReader
  let configURL: URL?

  func read(_ root: ConfigNode, text: String, overrides: [String]) -> ExperimentConfig? {
    guard
      let top = reader.fields(
        root, path: "", allowed: ExperimentConfig.sections, required: ["simulation", "populations"])
    else { return nil }
    let simulation = readSimulation(
      top.sub(
        "simulation", allowed: ["dt_ms", "duration_ms", "seed", "precision", "threads"], required: ["duration_ms"]))
    var populations: [Population] = []
    if let pops = top.node("populations") {
      if case .mapping(let pairs) = pops.kind {
        _ = reader.fields(pops, path: "populations", allowed: pairs.map(\.key))
        for (name, node) in pairs {
          if let p = readPopulation(name: name, node: node) { populations.append(p) }
        }
      } else {
        reader.fail("populations", "must map population names to their definitions", at: pops)
      }
    }
    let weightUnits = Dictionary(populations.map { ($0.name, $0.model.weightUnit) }, uniquingKeysWith: { a, _ in a })
    var projections: [Projection] = []
    if let projs = top.node("projections") {
      if case .mapping(let pairs) = projs.kind {
        _ = reader.fields(projs, path: "projections", allowed: pairs.map(\.key))
        for (name, node) in pairs {
          if let p = readProjection(name: name, node: node, weightUnits: weightUnits, dtMs: simulation?.dtMs ?? 0.1) {
            projections.append(p)
          }
        }
      } else {
        reader.fail("projections", "must map projection names to their definitions", at: projs)
      }
    }
    var injections: [CurrentInjection] = []
    if let inputs = top.node("inputs") {
      if case .mapping(let pairs) = inputs.kind {
        _ = reader.fields(inputs, path: "inputs", allowed: pairs.map(\.key))
        for (name, node) in pairs {
          if let i = readCurrent(name: name, node: node) { injections.append(i) }
        }
      } else {
        reader.fail("inputs", "must map input names to their definitions", at: inputs)
      }
    }
    let recording = readRecording(
      top.sub("record", allowed: ["spikes", "state", "weights", "traces", "inputs"]), populations: populations)
    let output = top.sub("output", allowed: ["path", "gzip", "flush_interval_ms"])
    let gzip = output?.int("gzip") ?? 4
    if !(0...9).contains(gzip) {
      reader.fail("output.gzip", "must be 0 (off) to 9, got \(gzip)", at: output?.node("gzip"))
    }
    let timescales = readTimescales(top.node("timescales"))
    guard var simulation else { return nil }
    if let flush = output?.double("flush_interval_ms") { simulation.flushIntervalMs = flush }
    var experiment = Experiment(
      simulation: simulation, populations: populations, projections: projections,
      currentInjections: injections, recording: recording)
    experiment.timescales = timescales
    experiment.memory = readMemory(top.node("memory"), durationMs: simulation.durationMs)
    var config = ExperimentConfig(
      experiment: experiment, outputPath: output?.string("path"), gzipLevel: gzip, text: text,
      overrides: overrides, warnings: [])
    if let sweep = top.node("sweep") { config.sweep = SweepSpec.read(sweep, reader: reader) }
    return config
  }

  private func readSimulation(_ f: Fields?) -> SimulationSettings? {
    guard let f, let duration = f.double("duration_ms") else { return nil }
    var s = SimulationSettings(durationMs: duration)
    if let dt = f.double("dt_ms") { s.dtMs = dt }
    if let seed = f.int("seed") {
      if seed < 0 { reader.fail("simulation.seed", "must be ≥ 0, got \(seed)", at: f.node("seed")) }
      s.seed = UInt64(max(seed, 0))
    }
    if let p = f.choice("precision", Precision.allCases.map(\.rawValue)) { s.precision = Precision(rawValue: p)! }
    if let threads = f.int("threads") { s.threads = threads }
    return s
  }

  /// Reports `synapse_shape` in the `params` of a model whose synapses are only exponential.
  private func refuseSynapseShape(_ params: Fields?, model: String) {
    let key = ModelParameterKeys.synapseShape
    guard let params, let node = params.node(key) else { return }
    let allowed = SynapseShape.allCases.map(\.rawValue).joined(separator: ", ")
    reader.fail(
      params.keyPath(key),
      "is not supported by \(model), whose synapses are exponential; synapse_shape (\(allowed)) is a parameter of "
        + "lif_cuba, lif_coba and adex (with synapse_type: conductance)",
      at: node)
  }

  /// `adex`'s parameters: the numeric table, `synapse_type`, `synapse_shape`; the reversal
  /// potentials only with conductance synapses.
  private func readAdEx(_ f: Fields) -> AdExParameters {
    let table = ModelParameterKeys.adex
    let textKeys = [ModelParameterKeys.synapseType, ModelParameterKeys.synapseShape]
    let params = f.sub("params", allowed: table.map(\.key) + ModelParameterKeys.adexConductance.map(\.key) + textKeys)
    var p = ModelParameterKeys.read(table, into: AdExParameters(), from: params)
    if let type = params?.option(ModelParameterKeys.synapseType, of: AdExSynapseType.self) { p.synapseType = type }
    if let shape = params?.option(ModelParameterKeys.synapseShape, of: SynapseShape.self) { p.synapseShape = shape }
    if p.synapseType == .conductance {
      p = ModelParameterKeys.read(ModelParameterKeys.adexConductance, into: p, from: params)
    } else if let params {
      for (key, _) in ModelParameterKeys.adexConductance {
        if let node = params.node(key) {
          reader.fail(params.keyPath(key), "applies only with synapse_type: conductance", at: node)
        }
      }
    }
    return p
  }

  private func readPopulation(name: String, node: ConfigNode) -> Population? {
    let path = "populations.\(name)"
    guard
      let f = reader.fields(
        node, path: path, allowed: ["size", "model", "params", "init", "homeostasis", "changes"],
        required: ["size", "model"]),
      let size = f.int("size"), let modelName = f.choice("model", NeuronModel.configNames)
    else { return nil }
    let model: NeuronModel
    var neuronModels: [NeuronModel]?
    var perNeuronKeys: [String] = []
    switch modelName {
    case "lif_cuba":
      (model, neuronModels, perNeuronKeys) = readLIF(
        ModelParameterKeys.lifCuba, LIFCubaParameters(), f, size: size, wrap: NeuronModel.lifCuba)
    case "lif_coba":
      (model, neuronModels, perNeuronKeys) = readLIF(
        ModelParameterKeys.lifCoba, LIFCobaParameters(), f, size: size, wrap: NeuronModel.lifCoba)
    case "alif":
      let table = ModelParameterKeys.alif
      let params = f.sub("params", allowed: table.map(\.key) + [ModelParameterKeys.synapseShape])
      refuseSynapseShape(params, model: modelName)
      model = .alif(ModelParameterKeys.read(table, into: ALIFParameters(), from: params))
    case "adex":
      model = .adex(readAdEx(f))
    case "loihi_cuba":
      guard let p = readLoihiCuba(f.sub("params", allowed: ["du", "dv", "vth", "bias_mant", "bias_exp"])) else {
        return nil
      }
      model = .loihiCuba(p)
    case "poisson":
      guard let p = readPoisson(f.sub("params", allowed: ["rate_Hz", "schedule"]), path: path + ".params", size: size)
      else { return nil }
      model = .poisson(p)
    case "memory_patterns":
      guard
        let params = f.sub(
          "params",
          allowed: [
            "patterns", "density", "period_ms", "start_ms", "recall_patterns", "mask_fraction", "recall_start_ms",
            "recall_period_ms",
          ], required: ["patterns"])
      else { return nil }
      var p = MemoryPatternParameters()
      if let v = params.int("patterns") { p.patterns = v }
      if let v = params.double("density") { p.density = v }
      if let v = params.double("period_ms") { p.periodMs = v }
      if let v = params.double("start_ms") { p.startMs = v }
      if let v = params.int("recall_patterns") { p.recallPatterns = v }
      if let v = params.double("mask_fraction") { p.maskFraction = v }
      p.recallStartMs = params.double("recall_start_ms")
      p.recallPeriodMs = params.double("recall_period_ms")
      model = .memoryPatterns(p)
    case "place_cells":
      let table = ModelParameterKeys.placeCells
      model = .placeCells(
        ModelParameterKeys.read(table, into: PlaceCellParameters(), from: f.sub("params", allowed: table.map(\.key))))
    default:
      guard
        let p = readSpikeSource(
          f.sub("params", allowed: ["spike_times_ms", "file", "population"]), path: path + ".params", size: size)
      else { return nil }
      model = .spikeSource(p)
    }
    var initial: [String: ValueDistribution] = [:]
    let variables = model.initialStateVariables
    if let initFields = f.sub("init", allowed: variables.map { "\($0.name)_\($0.unit)" }) {
      for v in variables {
        let key = "\(v.name)_\(v.unit)"
        if let list = initFields.node(key), case .sequence(let items) = list.kind {
          // One value per neuron.
          let keyPath = initFields.keyPath(key)
          guard items.count == size else {
            reader.fail(
              keyPath,
              "lists \(items.count) values; give exactly one per neuron (size \(size)), a constant or a "
                + "distribution", at: list)
            continue
          }
          if let values = numbers(list, path: keyPath) { initial[v.name] = .perNeuron(values) }
        } else if let d = initFields.distribution(key) {
          initial[v.name] = d
        }
      }
    }
    var population = Population(name: name, size: size, model: model, initialState: initial)
    population.neuronModels = neuronModels
    population.perNeuronParameterKeys = perNeuronKeys
    if let changes = f.node("changes") {
      population.parameterChanges = readChanges(
        changes, path: path + ".changes", model: model, neuronModels: neuronModels, size: size)
    }
    if f.node("homeostasis") != nil {
      guard let h = readHomeostasis(f.sub("homeostasis", allowed: HomeostasisKeys.allowed)) else { return nil }
      population.homeostasis = h
    }
    return population
  }

  /// A `lif_cuba`/`lif_coba` population's model, with `synapse_shape` and per-neuron parameters
  /// (every neuron's model, and the keys given as lists, when some key is a list).
  private func readLIF<Record: ShapedSynapseParameters>(
    _ table: [(key: String, field: WritableKeyPath<Record, Double>)], _ defaults: Record, _ f: Fields, size: Int,
    wrap: (Record) -> NeuronModel
  ) -> (NeuronModel, [NeuronModel]?, [String]) {
    let params = f.sub("params", allowed: table.map(\.key) + [ModelParameterKeys.synapseShape])
    var (p, perNeuron, keys) = readPerNeuron(table, into: defaults, from: params, size: size)
    if let shape = params?.option(ModelParameterKeys.synapseShape, of: SynapseShape.self) { p.synapseShape = shape }
    let models = perNeuron?.map { neuron -> NeuronModel in
      var q = neuron
      q.synapseShape = p.synapseShape
      return wrap(q)
    }
    return (wrap(p), models, keys)
  }

  /// `populations.<p>.changes`: a list of `{at_ms, params: {key: number or list}}`; each change
  /// applies its keys to the parameters in force (`lif_cuba`, `lif_coba`).
  private func readChanges(
    _ node: ConfigNode, path: String, model: NeuronModel, neuronModels: [NeuronModel]?, size: Int
  ) -> [ParameterChange] {
    guard case .sequence(let items) = node.kind else {
      reader.fail(path, "must be a list of {at_ms, params: {...}}", at: node)
      return []
    }
    var current = neuronModels ?? Array(repeating: model, count: size)
    var out: [ParameterChange] = []
    for (k, item) in items.enumerated() {
      let itemPath = "\(path)[\(k)]"
      guard let f = reader.fields(item, path: itemPath, allowed: ["at_ms", "params"], required: ["at_ms", "params"]),
        let at = f.double("at_ms")
      else { continue }
      var keys: [String] = []
      switch model {
      case .lifCuba:
        let base = current.map { if case .lifCuba(let p) = $0 { p } else { LIFCubaParameters() } }
        let (next, set) = applyChange(
          ModelParameterKeys.lifCuba, to: base, from: f.sub("params", allowed: ModelParameterKeys.lifCuba.map(\.key)))
        (current, keys) = (next.map(NeuronModel.lifCuba), set)
      case .lifCoba:
        let base = current.map { if case .lifCoba(let p) = $0 { p } else { LIFCobaParameters() } }
        let (next, set) = applyChange(
          ModelParameterKeys.lifCoba, to: base, from: f.sub("params", allowed: ModelParameterKeys.lifCoba.map(\.key)))
        (current, keys) = (next.map(NeuronModel.lifCoba), set)
      default:
        reader.fail(
          path, "parameter changes are supported for lif_cuba and lif_coba, not \(model.configName)", at: node)
        return []
      }
      out.append(ParameterChange(atMs: at, neuronModels: current, keys: keys))
    }
    return out
  }

  /// Sets each key of `fields` (a number, or a list with one value per neuron) on every neuron's
  /// parameters; returns them and the keys set.
  private func applyChange<Record>(
    _ table: [(key: String, field: WritableKeyPath<Record, Double>)], to base: [Record], from fields: Fields?
  ) -> ([Record], [String]) {
    guard let fields else { return (base, []) }
    var out = base
    var keys: [String] = []
    for (key, field) in table {
      guard let node = fields.node(key) else { continue }
      if case .sequence = node.kind {
        guard let values = perNeuronValues(node, path: fields.keyPath(key), size: base.count) else { continue }
        for i in out.indices { out[i][keyPath: field] = values[i] }
      } else if let v = fields.double(key) {
        for i in out.indices { out[i][keyPath: field] = v }
      } else {
        continue
      }
      keys.append(key)
    }
    return (out, keys)
  }

  /// A parameter given per neuron: a list of exactly `size` numbers (nil after an error).
  private func perNeuronValues(_ node: ConfigNode, path: String, size: Int) -> [Double]? {
    guard case .sequence(let items) = node.kind else { return nil }
    guard items.count == size else {
      reader.fail(
        path, "lists \(items.count) values; give one number or exactly one per neuron (size \(size))", at: node)
      return nil
    }
    return numbers(node, path: path)
  }

  /// Reads a model's parameters where each may be a number or a list of `size` numbers (one per
  /// neuron). Returns the parameters of neuron 0 (or the common ones), every neuron's parameters
  /// when some key was a list, and the keys given as lists.
  private func readPerNeuron<Record>(
    _ table: [(key: String, field: WritableKeyPath<Record, Double>)], into record: Record, from fields: Fields?,
    size: Int
  ) -> (Record, [Record]?, [String]) {
    guard let fields else { return (record, nil, []) }
    var keys: [String] = []
    var common = record
    var lists: [(field: WritableKeyPath<Record, Double>, values: [Double])] = []
    for (key, field) in table {
      guard let node = fields.node(key) else { continue }
      if case .sequence = node.kind {
        guard let values = perNeuronValues(node, path: fields.keyPath(key), size: size) else { continue }
        lists.append((field, values))
        keys.append(key)
        common[keyPath: field] = values[0]
      } else if let v = fields.double(key) {
        common[keyPath: field] = v
      }
    }
    guard !lists.isEmpty else { return (common, nil, []) }
    let perNeuron = (0..<size).map { i in
      var r = common
      for (field, values) in lists { r[keyPath: field] = values[i] }
      return r
    }
    return (common, perNeuron, keys)
  }

  /// `loihi_cuba`'s integer parameters (nil after an error: a value that is not an integer).
  private func readLoihiCuba(_ f: Fields?) -> LoihiCubaParameters? {
    var p = LoihiCubaParameters()
    guard let f else { return p }
    let fields: [(String, WritableKeyPath<LoihiCubaParameters, Int>)] = [
      ("du", \.du), ("dv", \.dv), ("vth", \.vth), ("bias_mant", \.biasMant), ("bias_exp", \.biasExp),
    ]
    for (key, field) in fields where f.node(key) != nil {
      guard let v = f.int(key) else { return nil }
      p[keyPath: field] = v
    }
    return p
  }

  /// A projection's `loihi:` settings (nil after an error).
  private func readLoihiSynapse(_ f: Fields?) -> LoihiSynapseSettings? {
    var settings = LoihiSynapseSettings()
    guard let f else { return settings }
    if f.node("weight_exp") != nil {
      guard let v = f.int("weight_exp") else { return nil }
      settings.weightExp = v
    }
    if f.node("num_weight_bits") != nil {
      guard let v = f.int("num_weight_bits") else { return nil }
      settings.numWeightBits = v
    }
    if f.node("sign_mode") != nil {
      guard let v = f.option("sign_mode", of: LoihiSynapseSettings.SignMode.self) else { return nil }
      settings.signMode = v
    }
    return settings
  }

  /// One number or a list of numbers.
  private func numbers(_ n: ConfigNode, path: String) -> [Double]? {
    if case .sequence(let items) = n.kind {
      let values = items.enumerated().compactMap { reader.number($1, path: "\(path)[\($0)]") }
      return values.count == items.count ? values : nil
    }
    return reader.number(n, path: path).map { [$0] }
  }

  private func readPoisson(_ f: Fields?, path: String, size: Int) -> PoissonSourceParameters? {
    guard let f else {
      reader.fail(path, "poisson needs params: {rate_Hz: …} or params: {schedule: […]}", at: nil)
      return nil
    }
    if let r = f.node("rate_Hz") {
      if f.node("schedule") != nil { reader.fail(path, "give rate_Hz or schedule, not both", at: f.node) }
      return numbers(r, path: path + ".rate_Hz").map {
        PoissonSourceParameters(schedule: [.init(startMs: 0, ratesHz: $0)])
      }
    }
    guard let s = f.node("schedule"), case .sequence(let items) = s.kind else {
      reader.fail(
        path, "poisson needs rate_Hz (one value or a list per neuron) or schedule: [{start_ms, rate_Hz}]", at: f.node)
      return nil
    }
    var segments: [PoissonSourceParameters.Segment] = []
    for (i, item) in items.enumerated() {
      let p = "\(path).schedule[\(i)]"
      guard
        let seg = reader.fields(item, path: p, allowed: ["start_ms", "rate_Hz"], required: ["start_ms", "rate_Hz"]),
        let start = seg.double("start_ms"), let r = seg.node("rate_Hz"), let values = numbers(r, path: p + ".rate_Hz")
      else { continue }
      segments.append(.init(startMs: start, ratesHz: values))
    }
    return PoissonSourceParameters(schedule: segments)
  }

  private func readSpikeSource(_ f: Fields?, path: String, size: Int) -> SpikeSourceParameters? {
    guard let f else {
      reader.fail(
        path, "spike_source needs params: {spike_times_ms: [[…], …]} or params: {file: datasets/….csv}", at: nil)
      return nil
    }
    if let file = f.string("file") {
      if f.node("spike_times_ms") != nil {
        reader.fail(path, "give spike_times_ms or file, not both", at: f.node)
        return nil
      }
      let url = DataFiles.resolve(file, relativeTo: configURL)
      if DataFiles.isHDF5(file) {
        do {
          let spikes = try DataFiles.readSpikeHDF5(url, population: f.string("population"))
          var times = Array(repeating: [Double](), count: size)
          for (t, id) in zip(spikes.timesMs, spikes.nodeIDs) {
            guard id < UInt64(size) else {
              reader.fail(
                path + ".file",
                "\(url.path): /spikes/\(spikes.population) names neuron \(id), outside 0..<\(size) (the population's size)",
                at: f.node("file"))
              return nil
            }
            times[Int(id)].append(t)
          }
          return SpikeSourceParameters(spikeTimesMs: times)
        } catch {
          reader.fail(path + ".file", "\(error)", at: f.node("file"))
          return nil
        }
      }
      if f.node("population") != nil {
        reader.fail(path + ".population", "applies to HDF5 spike files (.h5) only", at: f.node("population"))
        return nil
      }
      do {
        var times = Array(repeating: [Double](), count: size)
        for row in try DataFiles.readCSV(url, columns: ["neuron", "time_ms"]) {
          let neuron = Int(row[0]!)
          guard neuron >= 0 && neuron < size && Double(neuron) == row[0]! else {
            reader.fail(
              path + ".file", "\(url.path): neuron \(row[0]!) is not an index in 0..<\(size)", at: f.node("file"))
            return nil
          }
          times[neuron].append(row[1]!)
        }
        return SpikeSourceParameters(spikeTimesMs: times)
      } catch {
        reader.fail(path + ".file", "\(error)", at: f.node("file"))
        return nil
      }
    }
    guard let n = f.node("spike_times_ms"), case .sequence(let lists) = n.kind else {
      reader.fail(path, "spike_source needs spike_times_ms: [[t, …], …] (one list per neuron) or file: …", at: f.node)
      return nil
    }
    var times: [[Double]] = []
    for (i, list) in lists.enumerated() {
      guard let values = numbers(list, path: "\(path).spike_times_ms[\(i)]") else { return nil }
      times.append(values)
    }
    return SpikeSourceParameters(spikeTimesMs: times)
  }

  private func readProjection(
    name: String, node: ConfigNode, weightUnits: [String: String?], dtMs: Double
  ) -> Projection? {
    let path = "projections.\(name)"
    let allowed = [
      "source", "target", "connectivity", "weight_mV", "weight_nS", "weight_pA", "weight_int", "delay_ms", "receptor",
      "allow_autapses", "plasticity", "loihi", "consolidation", "short_term", "weight_changes",
    ]
    guard let f = reader.fields(node, path: path, allowed: allowed, required: ["source", "target", "connectivity"]),
      let source = f.string("source"), let target = f.string("target")
    else { return nil }
    guard let connectivity = readConnectivity(f) else { return nil }
    let unit = weightUnits[target] ?? nil
    let weightKeys = ["weight_mV", "weight_nS", "weight_pA", "weight_int"].filter { f.node($0) != nil }
    var weight = ValueDistribution.constant(0)
    if let unit {
      let key = "weight_\(unit)"
      if let other = weightKeys.first(where: { $0 != key }) {
        reader.fail(
          "\(path).\(other)",
          "the target \(target) takes weights in \(unit); write \(key) (check the value: it is a different quantity)",
          at: f.node(other))
        return nil
      }
      let hasExplicitWeights: Bool
      if case .explicit(let list) = connectivity {
        hasExplicitWeights = list.allSatisfy { $0.weight != nil }
      } else {
        hasExplicitWeights = false
      }
      guard let w = f.distribution(key, clipAtZero: true) ?? (hasExplicitWeights ? .constant(0) : nil) else {
        reader.fail("\(path).\(key)", "is required (synaptic weight in \(unit))", at: node)
        return nil
      }
      weight = w
    }
    let receptor = f.choice("receptor", Receptor.allCases.map(\.rawValue)).flatMap(Receptor.init) ?? .excitatory
    let loihiFields = f.sub("loihi", allowed: ["weight_exp", "num_weight_bits", "sign_mode"])
    if loihiFields != nil && unit != "int" {
      reader.fail("\(path).loihi", "applies only to projections onto loihi_cuba populations", at: f.node("loihi"))
      return nil
    }
    guard let loihi = readLoihiSynapse(loihiFields) else { return nil }
    var projection = Projection(
      name: name, source: source, target: target, connectivity: connectivity, weight: weight,
      delayMs: f.distribution("delay_ms") ?? .constant(dtMs), receptor: receptor,
      allowAutapses: f.bool("allow_autapses") ?? false,
      plasticity: f.node("plasticity").flatMap { readPlasticity($0, path: path + ".plasticity", unit: unit ?? "mV") })
    projection.loihi = loihi
    if f.node("consolidation") != nil {
      guard
        let c = readConsolidation(
          f.sub("consolidation", allowed: ConsolidationKeys.allowed(unit: unit ?? "mV")), unit: unit ?? "mV")
      else { return nil }
      projection.consolidation = c
    }
    if f.node("short_term") != nil {
      guard
        let g = f.sub(
          "short_term", allowed: ["model", "U", "tau_rec_ms", "tau_facil_ms", "u0", "x0"], required: ["model"]),
        g.choice("model", ["tsodyks_markram"]) != nil
      else { return nil }
      var p = TsodyksMarkramParameters()
      if let v = g.double("U") { p.utilization = v }
      if let v = g.double("tau_rec_ms") { p.tauRecoveryMs = v }
      if let v = g.double("tau_facil_ms") { p.tauFacilitationMs = v }
      p.initialU = g.double("u0")
      if let v = g.double("x0") { p.initialX = v }
      projection.shortTerm = p
    }
    if let changes = f.node("weight_changes") {
      projection.weightChanges = readWeightChanges(changes, path: path + ".weight_changes", unit: unit ?? "mV")
    }
    return projection
  }

  /// `weight_changes`: a list of `{at_ms, weight_<unit>}` (every synapse) or `{at_ms, from_file,
  /// dataset}` (an HDF5 dataset with one weight per synapse of the explicit list, in list order).
  private func readWeightChanges(_ node: ConfigNode, path: String, unit: String) -> [WeightChange] {
    guard case .sequence(let items) = node.kind else {
      reader.fail(path, "must be a list of {at_ms, weight_\(unit)} or {at_ms, from_file, dataset}", at: node)
      return []
    }
    var out: [WeightChange] = []
    for (k, item) in items.enumerated() {
      let itemPath = "\(path)[\(k)]"
      guard
        let f = reader.fields(
          item, path: itemPath, allowed: ["at_ms", "weight_\(unit)", "from_file", "dataset"], required: ["at_ms"]),
        let at = f.double("at_ms")
      else { continue }
      if let w = f.double("weight_\(unit)") {
        if f.node("from_file") != nil { reader.fail(itemPath, "give weight_\(unit) or from_file, not both", at: item) }
        out.append(WeightChange(atMs: at, weights: [w]))
      } else if let file = f.string("from_file") {
        guard let dataset = f.string("dataset") else {
          reader.fail(itemPath + ".dataset", "is required with from_file (the weights' dataset)", at: item)
          continue
        }
        let url = DataFiles.resolve(file, relativeTo: configURL)
        do {
          out.append(WeightChange(atMs: at, weights: try DataFiles.readNumbersHDF5(url, dataset: dataset)))
        } catch {
          reader.fail(itemPath + ".from_file", "\(error)", at: f.node("from_file"))
        }
      } else {
        reader.fail(
          itemPath, "give weight_\(unit) (every synapse) or from_file with dataset (one per synapse)", at: item)
      }
    }
    return out
  }

  private func readPlasticity(_ node: ConfigNode, path: String, unit: String) -> PlasticityRule? {
    guard case .mapping(let pairs) = node.kind, let ruleNode = pairs.first(where: { $0.key == "rule" })?.value,
      case .scalar(let rule, _) = ruleNode.kind
    else {
      reader.fail(path, "needs rule: one of \(PlasticityRule.configNames.joined(separator: ", "))", at: node)
      return nil
    }
    switch rule {
    case "pair_stdp":
      let keys = ModelParameterKeys.pairSTDP(unit: unit)
      guard let (f, wMax) = ruleFields(node, path: path, unit: unit, keys: keys.map(\.key), extra: ["pairing"])
      else { return nil }
      var p = ModelParameterKeys.read(keys, into: PairSTDPParameters(weightMax: wMax), from: f)
      if let pairing = f.option("pairing", of: PairSTDPParameters.Pairing.self) { p.pairing = pairing }
      return .pairSTDP(p)
    case "triplet_stdp":
      let keys = ModelParameterKeys.tripletSTDP(unit: unit)
      guard
        let (f, wMax) = ruleFields(
          node, path: path, unit: unit, keys: keys.map(\.key), extra: ["pairing", "parameter_set", "w_ref_\(unit)"])
      else { return nil }
      var start = TripletSTDPParameters(weightMax: wMax)
      if let set = f.option("parameter_set", of: TripletSTDPParameters.ParameterSet.self) {
        start = TripletSTDPParameters(set, weightMax: wMax)
      }
      var p = ModelParameterKeys.read(keys, into: start, from: f)
      p.weightReference = f.double("w_ref_\(unit)")
      if let pairing = f.option("pairing", of: PairSTDPParameters.Pairing.self) { p.pairing = pairing }
      return .tripletSTDP(p)
    case "btsp_milstein":
      let keys = ModelParameterKeys.bidirectionalBTSP(unit: unit)
      guard
        let (f, wMax) = ruleFields(
          node, path: path, unit: unit, keys: keys.map(\.key), extra: ["parameter_set", "plateaus", "integration"])
      else { return nil }
      var start = BidirectionalBTSPParameters(weightMax: wMax)
      f.option("parameter_set", of: BidirectionalBTSPParameters.ParameterSet.self)?.apply(to: &start)
      var p = ModelParameterKeys.read(keys, into: start, from: f)
      if f.node("plateaus") != nil {
        guard let plateaus = readPlateaus(f) else { return nil }
        p.plateaus = plateaus
      }
      if let mode = f.option("integration", of: BidirectionalBTSPParameters.Integration.self) { p.integration = mode }
      return .bidirectionalBTSP(p)
    case "btsp_binary":
      guard
        let (f, wMax) = ruleFields(
          node, path: path, unit: unit,
          keys: ["w_min_\(unit)", "window_before_ms", "window_after_ms", "increment_\(unit)"],
          extra: ["update", "plateaus"])
      else { return nil }
      var p = BinaryBTSPParameters(weightMax: wMax)
      if let v = f.double("w_min_\(unit)") { p.weightMin = v }
      if let v = f.double("window_before_ms") { p.windowBeforeMs = v }
      if let v = f.double("window_after_ms") { p.windowAfterMs = v }
      if let update = f.option("update", of: BinaryBTSPParameters.Update.self) { p.update = update }
      p.increment = f.double("increment_\(unit)")
      if f.node("plateaus") != nil {
        guard let plateaus = readPlateaus(f, durationMs: 1) else { return nil }
        p.plateaus = plateaus
      }
      return .binaryBTSP(p)
    case "stc":
      let keys = ModelParameterKeys.taggingCapture
      guard
        let f = reader.fields(
          node, path: path, allowed: ["rule", "clock", "clock_ms"] + keys.map(\.key), required: ["rule"])
      else { return nil }
      var p = ModelParameterKeys.read(keys, into: TaggingCaptureParameters(), from: f)
      if let clock = readClock(f) { p.clock = clock }
      return .taggingCapture(p)
    default:
      let hint = closestMatch(to: rule, in: PlasticityRule.configNames).map { "did you mean '\($0)'? " } ?? ""
      reader.fail(
        path + ".rule",
        "'\(rule)' is not a plasticity rule; \(hint)choose one of \(PlasticityRule.configNames.joined(separator: ", "))",
        at: ruleNode)
      return nil
    }
  }

  /// `plateaus: {duration_ms: 300, neurons: [0, 3], times_ms: [7480, 14960], rate_Hz: 0,
  /// probability: 0.005, period_ms: 10, start_ms: 0, stop_ms: 1000}`.
  private func readPlateaus(_ parent: Fields, durationMs: Double = 300) -> PlateauSchedule? {
    guard
      let f = parent.sub(
        "plateaus",
        allowed: ["duration_ms", "neurons", "times_ms", "rate_Hz", "probability", "period_ms", "start_ms", "stop_ms"])
    else { return nil }
    var schedule = PlateauSchedule(durationMs: durationMs)
    if let d = f.double("duration_ms") { schedule.durationMs = d }
    if let r = f.double("rate_Hz") { schedule.rateHz = r }
    if let v = f.double("probability") { schedule.probability = v }
    if let v = f.double("period_ms") { schedule.periodMs = v }
    if let v = f.double("start_ms") { schedule.startMs = v }
    schedule.stopMs = f.double("stop_ms")
    let neurons = f.ints("neurons") ?? []
    let times = f.doubles("times_ms") ?? []
    guard neurons.count == times.count else {
      reader.fail(
        f.keyPath("times_ms"),
        "needs one time per entry of neurons (\(neurons.count) neurons, \(times.count) times)", at: f.node("times_ms"))
      return nil
    }
    schedule.scheduled = zip(neurons, times).map { ($0, $1) }
    return schedule
  }

  /// The fields of a rule's mapping (`rule`, `extra` and `keys` allowed; `w_max_<unit>` required)
  /// and its w_max.
  private func ruleFields(
    _ node: ConfigNode, path: String, unit: String, keys: [String], extra: [String]
  ) -> (Fields, Double)? {
    guard
      let f = reader.fields(
        node, path: path, allowed: ["rule", "w_max_\(unit)"] + extra + keys, required: ["rule", "w_max_\(unit)"]),
      let wMax = f.double("w_max_\(unit)")
    else { return nil }
    return (f, wMax)
  }

  private func readConnectivity(_ f: Fields) -> Connectivity? {
    let path = f.keyPath("connectivity")
    guard let n = f.node("connectivity") else { return nil }
    if case .scalar(let s, _) = n.kind {
      switch s {
      case "all_to_all": return .allToAll
      case "one_to_one": return .oneToOne
      default:
        reader.fail(
          path,
          "'\(s)' is not a rule; use all_to_all, one_to_one, {fixed_probability: p}, {fixed_in_degree: k} or {from_file: path}",
          at: n)
        return nil
      }
    }
    guard
      let c = reader.fields(n, path: path, allowed: ["fixed_probability", "fixed_in_degree", "from_file", "group"])
    else {
      return nil
    }
    if c.node("group") != nil, c.node("from_file") == nil || !DataFiles.isHDF5(c.string("from_file") ?? "") {
      reader.fail(path + ".group", "only names the group of an HDF5 from_file (.h5, .hdf5)", at: c.node("group"))
      return nil
    }
    guard c.values.count == (c.node("group") == nil ? 1 : 2) else {
      reader.fail(path, "give exactly one rule", at: n)
      return nil
    }
    if let p = c.double("fixed_probability") { return .fixedProbability(p) }
    if let k = c.int("fixed_in_degree") { return .fixedInDegree(k) }
    if let file = c.string("from_file") {
      let url = DataFiles.resolve(file, relativeTo: configURL)
      if DataFiles.isHDF5(file) {
        do {
          return .explicit(try DataFiles.readConnectionsHDF5(url, group: c.string("group")))
        } catch {
          reader.fail(path + ".from_file", "\(error)", at: c.node("from_file"))
          return nil
        }
      }
      do {
        let rows = try DataFiles.readCSV(url, columns: ["source", "target"], optional: ["weight", "delay_ms"])
        if let bad = rows.firstIndex(where: { $0[0]! != $0[0]!.rounded() || $0[1]! != $0[1]!.rounded() }) {
          reader.fail(
            path + ".from_file", "\(url.path): row \(bad + 1): source and target must be whole neuron indices",
            at: c.node("from_file"))
          return nil
        }
        return .explicit(
          rows.map { ExplicitSynapse(source: Int($0[0]!), target: Int($0[1]!), weight: $0[2], delayMs: $0[3]) })
      } catch {
        reader.fail(path + ".from_file", "\(error)", at: c.node("from_file"))
      }
    }
    return nil
  }

  /// The keys of each input type (`inputs.<name>.type`), beside `type`, `population`, `neurons`.
  static let inputKeys: [(type: String, allowed: [String], required: [String])] = [
    ("current", ["amplitude_pA", "start_ms", "stop_ms", "schedule"], []),
    (
      "sine", ["amplitude_pA", "offset_pA", "frequency_Hz", "phase_deg", "start_ms", "stop_ms"],
      ["amplitude_pA", "frequency_Hz"]
    ),
    ("noise", ["mean_pA", "std_pA", "dt_ms", "start_ms", "stop_ms"], ["mean_pA", "std_pA"]),
  ]

  private func readCurrent(name: String, node: ConfigNode) -> CurrentInjection? {
    let path = "inputs.\(name)"
    // The allowed keys depend on the type; an unknown or missing type is reported by `choice` below.
    var declared = "current"
    if case .mapping(let pairs) = node.kind, let t = pairs.first(where: { $0.key == "type" }),
      case .scalar(let text, _) = t.value.kind, Self.inputKeys.contains(where: { $0.type == text })
    {
      declared = text
    }
    let keys = Self.inputKeys.first { $0.type == declared }!
    guard
      let f = reader.fields(
        node, path: path, allowed: ["type", "population", "neurons"] + keys.allowed,
        required: ["type", "population"] + keys.required),
      let type = f.choice("type", Self.inputKeys.map(\.type)), let population = f.string("population")
    else { return nil }
    let neurons = f.ints("neurons")
    switch type {
    case "sine":
      guard let amplitude = f.double("amplitude_pA"), let frequency = f.double("frequency_Hz") else { return nil }
      let sine = CurrentInjection.Sine(
        amplitudePA: amplitude, offsetPA: f.double("offset_pA") ?? 0, frequencyHz: frequency,
        phaseDegrees: f.double("phase_deg") ?? 0, startMs: f.double("start_ms") ?? 0, stopMs: f.double("stop_ms"))
      return CurrentInjection(name: name, population: population, neurons: neurons, waveform: .sine(sine))
    case "noise":
      guard let mean = f.double("mean_pA"), let std = f.double("std_pA") else { return nil }
      let noise = CurrentInjection.Noise(
        meanPA: mean, standardDeviationPA: std, intervalMs: f.double("dt_ms"), startMs: f.double("start_ms") ?? 0,
        stopMs: f.double("stop_ms"))
      return CurrentInjection(name: name, population: population, neurons: neurons, waveform: .noise(noise))
    default:
      break
    }
    var schedule: [CurrentInjection.Segment] = []
    if let s = f.node("schedule") {
      for key in ["amplitude_pA", "start_ms", "stop_ms"] where f.node(key) != nil {
        reader.fail(
          path + ".\(key)", "cannot be combined with schedule; put it into the schedule's segments", at: f.node(key))
      }
      guard case .sequence(let items) = s.kind else {
        reader.fail(path + ".schedule", "must be a list of {start_ms, amplitude_pA}", at: s)
        return nil
      }
      for (i, item) in items.enumerated() {
        guard
          let seg = reader.fields(
            item, path: "\(path).schedule[\(i)]", allowed: ["start_ms", "amplitude_pA"],
            required: ["start_ms", "amplitude_pA"]),
          let start = seg.double("start_ms"), let a = seg.node("amplitude_pA"),
          let amplitudes = numbers(a, path: "\(path).schedule[\(i)].amplitude_pA")
        else { continue }
        schedule.append(.init(startMs: start, amplitudesPA: amplitudes))
      }
    } else if let a = f.node("amplitude_pA") {
      guard let amplitudes = numbers(a, path: path + ".amplitude_pA") else { return nil }
      schedule.append(.init(startMs: f.double("start_ms") ?? 0, amplitudesPA: amplitudes))
      let start = schedule[0].startMs
      if let stop = f.double("stop_ms") {
        if stop <= start {
          reader.fail(
            path + ".stop_ms", "(\(stop) ms) must be later than start_ms (\(start) ms)", at: f.node("stop_ms"))
        }
        schedule.append(.init(startMs: stop, amplitudePA: 0))
      }
    } else {
      reader.fail(
        path, "give amplitude_pA (with optional start_ms, stop_ms) or schedule: [{start_ms, amplitude_pA}]", at: node)
      return nil
    }
    return CurrentInjection(name: name, population: population, neurons: neurons, schedule: schedule)
  }

  private func readRecording(_ f: Fields?, populations: [Population]) -> RecordingPlan {
    guard let f else { return RecordingPlan() }
    var plan = RecordingPlan()
    if let s = f.node("spikes") {
      if case .scalar("all", _) = s.kind {
        plan.spikePopulations = populations.map(\.name)
      } else {
        plan.spikePopulations = f.strings("spikes") ?? []
      }
    }
    if f.node("inputs") != nil { plan.inputs = f.strings("inputs") ?? [] }
    for r in listItems(
      f, "state", shape: "{population, variables, neurons, interval_ms}",
      allowed: ["population", "variables", "neurons", "interval_ms", "final_sample"],
      required: ["population", "variables", "neurons"])
    {
      guard let pop = r.string("population"), let vars = r.strings("variables"), let neurons = r.ints("neurons")
      else { continue }
      plan.state.append(
        StateRecording(
          population: pop, variables: vars, neurons: neurons, intervalMs: r.double("interval_ms") ?? 1.0,
          finalSample: r.bool("final_sample") ?? false))
    }
    for r in listItems(
      f, "traces", shape: "{projection, traces, neurons, interval_ms}",
      allowed: ["projection", "traces", "neurons", "interval_ms"], required: ["projection", "traces", "neurons"])
    {
      guard let projection = r.string("projection"), let traces = r.strings("traces"), let neurons = r.ints("neurons")
      else { continue }
      plan.traces.append(
        TraceRecording(
          projection: projection, traces: traces, neurons: neurons, intervalMs: r.double("interval_ms") ?? 1.0))
    }
    for r in listItems(
      f, "weights", shape: "{projection, interval_ms, synapses, bins}",
      allowed: ["projection", "interval_ms", "synapses", "bins"], required: ["projection"])
    {
      guard let projection = r.string("projection") else { continue }
      var sample: Int?
      if let s = r.node("synapses"), !(s.summary == "'all'") { sample = r.int("synapses") }
      plan.weights.append(
        WeightRecording(
          projection: projection, intervalMs: r.double("interval_ms") ?? 1000, sampleSize: sample,
          histogramBins: r.int("bins") ?? 50))
    }
    return plan
  }

  /// The items of the list `record.<key>`, each a mapping read with `allowed`/`required` keys; a
  /// value that is not a list is an error describing `shape`.
  private func listItems(_ f: Fields, _ key: String, shape: String, allowed: [String], required: [String])
    -> [Fields]
  {
    guard let node = f.node(key) else { return [] }
    guard case .sequence(let items) = node.kind else {
      reader.fail("record.\(key)", "must be a list of \(shape)", at: node)
      return []
    }
    return items.enumerated().compactMap { i, item in
      reader.fields(item, path: "record.\(key)[\(i)]", allowed: allowed, required: required)
    }
  }
}

/// Parameters of the models that take `synapse_shape` (read by one function).
protocol ShapedSynapseParameters {
  var synapseShape: SynapseShape { get set }
}

extension LIFCubaParameters: ShapedSynapseParameters {}
extension LIFCobaParameters: ShapedSynapseParameters {}
