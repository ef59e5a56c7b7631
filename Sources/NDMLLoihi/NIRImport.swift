import Foundation
import NDMLEngine
import NDMLModel

/// A NIR graph read as a network of `loihi_cuba` populations (`ndml import-nir`;
/// `docs/loihi-nir.md`).
///
/// Supported nodes: `Input` (a spike source), `CubaLIF` (a population), `Linear` / `Affine` with
/// zero bias (a projection from the population or `Delay` before it into the `CubaLIF` after it),
/// `Delay` (between a population and `Linear` nodes) and `Output` (the spikes of the population
/// before it are recorded). A file NDML wrote carries its exact integers as metadata and is read
/// from them (after checking they agree with the graph); otherwise the continuous parameters are
/// quantised with ``LoihiNIRMapping``'s inverse, and ``notes`` says what was rounded.
public struct NIRImport: Sendable {
  /// A spike source (a NIR `Input`).
  public struct Source: Sendable {
    public var name: String
    public var size: Int
    /// The NDML model it had, when NDML wrote the file (e.g. `poisson`).
    public var ndmlModel: String?
  }

  /// A `loihi_cuba` population (a NIR `CubaLIF`).
  public struct Neurons: Sendable {
    public var name: String
    public var size: Int
    public var parameters: LoihiCubaParameters
    /// Initial `u` and `v` per neuron when the file states them (NDML metadata).
    public var initialU: [Int]?
    public var initialV: [Int]?
  }

  /// One population, in config order.
  public enum Population: Sendable {
    case source(Source)
    case neurons(Neurons)

    /// The population's name.
    public var name: String {
      switch self {
      case .source(let s): s.name
      case .neurons(let n): n.name
      }
    }

    /// The population's size.
    public var size: Int {
      switch self {
      case .source(let s): s.size
      case .neurons(let n): n.size
      }
    }
  }

  /// One synapse of a projection.
  public struct Synapse: Sendable, Equatable {
    public var pre: Int
    public var post: Int
    /// Integer weight (before Lava's quantisation, which ``Projection/settings`` describes).
    public var weight: Int
    /// Delay in NDML steps (≥ 1).
    public var delaySteps: Int
  }

  /// One projection onto a `loihi_cuba` population.
  public struct Projection: Sendable {
    public var name: String
    public var source: String
    public var target: String
    public var synapses: [Synapse]
    /// Weight exponent, precision and (explicit) sign mode.
    public var settings: LoihiSynapseSettings
    /// What the graph's weight matrices say each (pre, post, delay) pair delivers: the effective
    /// integer weight times 2^weight_exp (zeros left out).
    var expected: [SynapseKey: Double]
  }

  struct SynapseKey: Hashable {
    var pre: Int
    var post: Int
    var delaySteps: Int
  }

  /// Populations in config order (sources first unless NDML wrote the file).
  public var populations: [Population] = []
  /// Projections in config order.
  public var projections: [Projection] = []
  /// Populations whose spikes feed an `Output` node.
  public var recorded: [String] = []
  public var dtMs: Double
  public var steps: Int
  public var seed: Int
  /// The config NDML exported, with its `--set` overrides, when NDML wrote the file.
  public var ndmlConfig: (text: String, overrides: [String])?
  /// What was approximated (empty for an exact import).
  public var notes: [String] = []
  /// Whether every population and projection was read from NDML's exact metadata.
  public var isFromMetadata = true

  /// Reads `graph`; `dtMs` and `durationMs` are used when the graph does not state them.
  public init(graph: NIRGraph, dtMs defaultDtMs: Double, durationMs: Double) throws {
    let supported = ["Input", "CubaLIF", "Linear", "Affine", "Delay", "Output"]
    let unsupported = graph.nodes.filter { !supported.contains($0.type) }
    if !unsupported.isEmpty {
      throw NIRImportError.unsupportedNodes(unsupported.map { ($0.name, $0.type) })
    }
    let meta = graph.metadata
    let fromNDML = meta["ndml_format"]?.text == "ndml-nir"
    dtMs = meta["dt_ms"]?.doubles?.first ?? defaultDtMs
    steps = meta["steps"]?.ints?.first ?? Int((durationMs / dtMs).rounded())
    seed = meta["seed"]?.ints?.first ?? 1
    if fromNDML, let text = meta["config"]?.text {
      let overrides = meta["overrides"]?.text ?? ""
      ndmlConfig = (text, overrides.isEmpty ? [] : overrides.components(separatedBy: "\n"))
    }
    let dt = dtMs / 1000
    var byName: [String: NIRGraph.Node] = [:]
    for node in graph.nodes { byName[node.name] = node }
    var incoming: [String: [String]] = [:]
    var outgoing: [String: [String]] = [:]
    for edge in graph.edges {
      guard byName[edge.from] != nil, byName[edge.to] != nil else {
        throw NIRImportError.invalid("edge \(edge.from) → \(edge.to) names a node the graph does not have")
      }
      incoming[edge.to, default: []].append(edge.from)
      outgoing[edge.from, default: []].append(edge.to)
    }
    func type(_ name: String) -> String { byName[name]!.type }
    let placeholders = Set(graph.nodes.filter { $0.metadata["ndml_placeholder"] != nil }.map(\.name))

    // Populations.
    var entries: [(index: Int, population: Population)] = []
    var inputScale: [String: [Double]] = [:]  // per CubaLIF neuron: a_in units per unit of Linear output
    for node in graph.nodes where !placeholders.contains(node.name) {
      let index = node.metadata["ndml_population_index"]?.ints?.first ?? Int.max
      if node.type == "Input" {
        if let from = incoming[node.name]?.first {
          throw NIRImportError.invalid("Input '\(node.name)' has an incoming edge from '\(from)'")
        }
        let size = node.fields["shape"]?.ints?.reduce(1, *) ?? 0
        entries.append(
          (index, .source(Source(name: node.name, size: size, ndmlModel: node.metadata["ndml_model"]?.text))))
      } else if node.type == "CubaLIF" {
        let (neurons, scale, notes) = try Self.neurons(node, dt: dt)
        if !["du", "dv", "vth", "bias_mant", "bias_exp"].allSatisfy({ node.metadata[$0] != nil }) {
          isFromMetadata = false
        }
        entries.append((index, .neurons(neurons)))
        inputScale[node.name] = scale
        self.notes += notes
        for from in incoming[node.name] ?? [] where !["Linear", "Affine"].contains(type(from)) {
          throw NIRImportError.unsupportedEdge(
            from, type(from), node.name, "CubaLIF", "a CubaLIF takes input through Linear or Affine nodes only")
        }
      }
    }
    let sortKey = { (e: (index: Int, population: Population)) -> (Int, Int, String) in
      (e.index, { if case .source = e.population { 0 } else { 1 } }(), e.population.name)
    }
    populations = entries.sorted { sortKey($0) < sortKey($1) }.map(\.population)
    let sizes = Dictionary(uniqueKeysWithValues: populations.map { ($0.name, $0.size) })

    // Outputs and delays.
    for node in graph.nodes where node.type == "Output" && !placeholders.contains(node.name) {
      for from in incoming[node.name] ?? [] {
        guard ["CubaLIF", "Input"].contains(type(from)) else {
          throw NIRImportError.unsupportedEdge(
            from, type(from), node.name, "Output", "an Output records the spikes of an Input or CubaLIF")
        }
        if !recorded.contains(from) { recorded.append(from) }
      }
    }
    for node in graph.nodes where node.type == "Delay" {
      let from = incoming[node.name] ?? []
      guard from.count == 1, ["CubaLIF", "Input"].contains(type(from[0])) else {
        throw NIRImportError.invalid("Delay '\(node.name)' must have one incoming edge, from an Input or CubaLIF")
      }
      for to in outgoing[node.name] ?? [] where !["Linear", "Affine"].contains(type(to)) {
        throw NIRImportError.unsupportedEdge(
          node.name, "Delay", to, type(to), "a Delay may feed Linear or Affine nodes only")
      }
    }

    // Projections: one per Linear/Affine, or per NDML projection when the metadata names one.
    var groups: [(key: String, index: Int, parts: [ProjectionPart])] = []
    for node in graph.nodes where ["Linear", "Affine"].contains(node.type) && !placeholders.contains(node.name) {
      let from = incoming[node.name] ?? []
      let to = outgoing[node.name] ?? []
      guard from.count == 1, to.count == 1, type(to[0]) == "CubaLIF" else {
        throw NIRImportError.invalid(
          "\(node.type) '\(node.name)' must have one incoming edge (from an Input, CubaLIF or Delay) and one "
            + "outgoing edge (to a CubaLIF); it has \(from.count) and \(to.count)")
      }
      var source = from[0]
      var delay: NIRGraph.Node?
      if type(source) == "Delay" {
        delay = byName[source]
        source = incoming[source]![0]
      }
      guard type(source) == "Input" || type(source) == "CubaLIF" else {
        throw NIRImportError.unsupportedEdge(
          source, type(source), node.name, node.type, "a projection starts at a population")
      }
      if node.type == "Affine", let bias = node.fields["bias"]?.doubles, bias.contains(where: { $0 != 0 }) {
        throw NIRImportError.invalid(
          "Affine '\(node.name)' has a non-zero bias; loihi_cuba takes a constant input only as its own bias (v_leak)")
      }
      guard let weight = node.fields["weight"], let w = weight.doubles, weight.shape.count == 2,
        weight.shape == [sizes[to[0]]!, sizes[source]!]
      else {
        throw NIRImportError.invalid(
          "\(node.type) '\(node.name)' needs a weight matrix of shape [\(sizes[to[0]]!), \(sizes[source]!)] "
            + "(target × source)")
      }
      let part = ProjectionPart(
        node: node, source: source, target: to[0], weights: w, delay: delay,
        latency: type(source) == "Input" ? 2 : 1)
      let key = fromNDML ? (node.metadata["ndml_projection"]?.text ?? node.name) : node.name
      let index = node.metadata["ndml_projection_index"]?.ints?.first ?? Int.max
      if let g = groups.firstIndex(where: { $0.key == key }) {
        groups[g].parts.append(part)
      } else {
        groups.append((key, index, [part]))
      }
    }
    groups.sort { ($0.index, $0.key) < ($1.index, $1.key) }
    for group in groups {
      if group.parts.contains(where: { $0.node.metadata["weight_int"] == nil }) { isFromMetadata = false }
      projections.append(
        try Self.projection(
          named: group.key, group.parts, scale: inputScale[group.parts[0].target]!, dt: dt, notes: &notes))
    }
  }

  struct ProjectionPart {
    var node: NIRGraph.Node
    var source: String
    var target: String
    var weights: [Double]
    var delay: NIRGraph.Node?
    var latency: Int
  }

  /// A CubaLIF as a `loihi_cuba` population, and the factor turning its input into `a_in` units.
  static func neurons(_ node: NIRGraph.Node, dt: Double) throws -> (Neurons, [Double], [String]) {
    let keys = ["tau_syn", "tau_mem", "r", "v_leak", "v_threshold", "w_in"]
    var f: [String: [Double]] = [:]
    for key in keys {
      guard let values = node.fields[key]?.doubles else {
        throw NIRImportError.invalid("CubaLIF '\(node.name)' has no field \(key)")
      }
      f[key] = values
    }
    let n = f["v_threshold"]!.count
    guard keys.allSatisfy({ f[$0]!.count == n }) else {
      throw NIRImportError.invalid("CubaLIF '\(node.name)': its parameters differ in size")
    }
    if let reset = node.fields["v_reset"]?.doubles, reset.contains(where: { $0 != 0 }) {
      throw NIRImportError.invalid(
        "CubaLIF '\(node.name)' resets to v_reset ≠ 0; a loihi_cuba neuron always resets v to 0")
    }
    let m = node.metadata
    let exact = ["du", "dv", "vth", "bias_mant", "bias_exp"].allSatisfy { m[$0]?.ints?.count == 1 }
    var notes: [String] = []
    var q = LoihiCubaParameters()
    var scale: [Double]
    if exact {
      q.du = m["du"]!.ints![0]
      q.dv = m["dv"]!.ints![0]
      q.vth = m["vth"]!.ints![0]
      q.biasMant = m["bias_mant"]!.ints![0]
      q.biasExp = m["bias_exp"]!.ints![0]
      // The metadata must describe the same neuron as the continuous fields.
      let expected: [String: Double] = [
        "tau_syn": LoihiNIRMapping.synapticTimeConstant(du: q.du, dtSeconds: dt),
        "tau_mem": LoihiNIRMapping.membraneTimeConstant(dv: q.dv, dtSeconds: dt),
        "r": LoihiNIRMapping.resistance(dv: q.dv), "v_leak": LoihiNIRMapping.leakPotential(bias: q.bias, dv: q.dv),
        "v_threshold": Double(q.vth * 64), "w_in": LoihiNIRMapping.inputWeight,
      ]
      for (key, value) in expected where f[key]!.contains(where: { !close($0, value) }) {
        throw NIRImportError.invalid(
          "CubaLIF '\(node.name)': its NDML metadata (du \(q.du), dv \(q.dv), vth \(q.vth), bias_mant "
            + "\(q.biasMant), bias_exp \(q.biasExp)) disagrees with its \(key) (\(f[key]![0]), expected \(value))")
      }
      scale = Array(repeating: 1, count: n)
    } else {
      // Loihi units when w_in is 64 everywhere (as NDML writes); otherwise v is scaled by a power
      // of two that makes the threshold mantissa about 1000.
      let loihiUnits = f["w_in"]!.allSatisfy { $0 == LoihiNIRMapping.inputWeight }
      let top = f["v_threshold"]!.map(abs).max() ?? 0
      let kappa = loihiUnits || top == 0 ? 1 : pow(2, (log2(64_000 / top)).rounded())
      if kappa != 1 { notes.append("CubaLIF '\(node.name)': v is scaled by \(kappa) into Loihi units") }
      var values: [[Int]] = []
      var rounded: [String] = []
      scale = []
      for i in 0..<n {
        let memDecay = LoihiNIRMapping.decay(tau: f["tau_mem"]![i], dtSeconds: dt)
        let gain = memDecay == 0 && f["r"]![i] == .infinity ? 1 : memDecay * f["r"]![i]
        let factor = kappa * gain * f["w_in"]![i] / LoihiNIRMapping.inputWeight
        scale.append(close(factor, factor.rounded()) ? factor.rounded() : factor)
        let bias = kappa * memDecay * f["v_leak"]![i]
        var exponent = 0
        while exponent < 7 && abs((bias / Double(1 << exponent)).rounded()) > 4095 { exponent += 1 }
        let mantissa = min(max(Int((bias / Double(1 << exponent)).rounded()), -4096), 4095)
        let vth = min(max(Int((kappa * f["v_threshold"]![i] / 64).rounded()), 0), 131_071)
        values.append([
          LoihiNIRMapping.du(tauSyn: f["tau_syn"]![i], dtSeconds: dt),
          LoihiNIRMapping.dv(tauMem: f["tau_mem"]![i], dtSeconds: dt), vth, mantissa, exponent,
        ])
        let du = values[i][0]
        let dv = values[i][1]
        let lost = [
          (Double(mantissa << exponent), bias, "bias"), (Double(vth * 64), kappa * f["v_threshold"]![i], "threshold"),
          (LoihiNIRMapping.synapticTimeConstant(du: du, dtSeconds: dt), f["tau_syn"]![i], "tau_syn"),
          (LoihiNIRMapping.membraneTimeConstant(dv: dv, dtSeconds: dt), f["tau_mem"]![i], "tau_mem"),
        ].filter { !close($0.0, $0.1) }.map(\.2)
        for what in lost where !rounded.contains(what) { rounded.append(what) }
      }
      guard let first = values.first, values.allSatisfy({ $0 == first }) else {
        throw NIRImportError.invalid(
          "CubaLIF '\(node.name)': its neurons quantise to different du/dv/vth/bias; a loihi_cuba population "
            + "shares one set (split the node)")
      }
      (q.du, q.dv, q.vth, q.biasMant, q.biasExp) = (first[0], first[1], first[2], first[3], first[4])
      if !rounded.isEmpty {
        notes.append("CubaLIF '\(node.name)': \(rounded.joined(separator: ", ")) rounded to Loihi's integers")
      }
    }
    let neurons = Neurons(
      name: node.name, size: n, parameters: q, initialU: m["u_init"]?.ints, initialV: m["v_init"]?.ints)
    return (neurons, scale, notes)
  }

  /// One projection from its Linear/Affine nodes (several when NDML split it by delay).
  static func projection(
    named name: String, _ parts: [ProjectionPart], scale: [Double], dt: Double, notes: inout [String]
  ) throws -> Projection {
    let first = parts[0]
    guard parts.allSatisfy({ $0.source == first.source && $0.target == first.target }) else {
      throw NIRImportError.invalid("the nodes of projection '\(name)' do not share one source and target")
    }
    let sourceSize = first.weights.count / max(scale.count, 1)
    let m = first.node.metadata
    let exact = ["pre", "post", "weight_int", "delay_steps", "weight_exp", "num_weight_bits", "sign_mode"]
      .allSatisfy { key in parts.allSatisfy { $0.node.metadata[key] != nil } }
    var synapses: [Synapse] = []
    var expected: [SynapseKey: Double] = [:]
    var settings = LoihiSynapseSettings()
    if exact {
      settings.weightExp = m["weight_exp"]!.ints![0]
      settings.numWeightBits = m["num_weight_bits"]!.ints![0]
      guard let mode = LoihiSynapseSettings.SignMode(rawValue: m["sign_mode"]!.text ?? "") else {
        throw NIRImportError.invalid("projection '\(name)': unknown sign_mode in its metadata")
      }
      settings.signMode = mode
      let factor = Double(sign: .plus, exponent: settings.weightExp, significand: 1)
      for part in parts {
        let pm = part.node.metadata
        guard let pre = pm["pre"]?.ints, let post = pm["post"]?.ints, let w = pm["weight_int"]?.ints,
          let d = pm["delay_steps"]?.ints, pre.count == post.count, w.count == pre.count, d.count == pre.count
        else { throw NIRImportError.invalid("\(part.node.type) '\(part.node.name)': malformed NDML metadata") }
        var effective = w
        settings.quantize(&effective)
        var matrix = [Double](repeating: 0, count: part.weights.count)
        for k in pre.indices {
          synapses.append(Synapse(pre: pre[k], post: post[k], weight: w[k], delaySteps: d[k]))
          matrix[post[k] * sourceSize + pre[k]] += Double(effective[k]) * factor
          let lavaDelay = d[k] - part.latency
          let stated = part.delay.flatMap { $0.fields["delay"]?.doubles?[pre[k]] } ?? 0
          guard lavaDelay >= 0, abs(stated - Double(lavaDelay) * dt) <= 1e-9 * max(1, stated) else {
            throw NIRImportError.invalid(
              "\(part.node.type) '\(part.node.name)': its NDML metadata says \(d[k]) steps for synapse "
                + "\(pre[k]) → \(post[k]) but the graph's Delay gives \(stated) s")
          }
          if matrix[post[k] * sourceSize + pre[k]] != 0 {
            expected[SynapseKey(pre: pre[k], post: post[k], delaySteps: d[k])] = matrix[post[k] * sourceSize + pre[k]]
          }
        }
        guard matrix == part.weights else {
          throw NIRImportError.invalid(
            "\(part.node.type) '\(part.node.name)': its NDML metadata (weights, weight_exp, sign_mode) disagrees "
              + "with its weight matrix")
        }
      }
    } else {
      // Weights in a_in units, then the exponent that represents them best.
      var values: [(pre: Int, post: Int, a: Double, delay: Int)] = []
      for part in parts {
        for i in 0..<scale.count {
          for j in 0..<sourceSize where part.weights[i * sourceSize + j] != 0 {
            let seconds = part.delay.flatMap { $0.fields["delay"]?.doubles?[j] } ?? 0
            guard seconds >= 0, seconds.isFinite else {
              throw NIRImportError.invalid("Delay before '\(part.node.name)' holds a negative or infinite delay")
            }
            let steps = Int((seconds / dt).rounded()) + part.latency
            values.append((j, i, part.weights[i * sourceSize + j] * scale[i], steps))
          }
        }
      }
      let minimum = values.map(\.a).min() ?? 0
      let maximum = values.map(\.a).max() ?? 0
      let mode: LoihiSynapseSettings.SignMode = minimum >= 0 ? .excitatory : maximum <= 0 ? .inhibitory : .mixed
      let (low, high) = mode == .excitatory ? (0.0, 255.0) : mode == .inhibitory ? (-255.0, 0.0) : (-256.0, 255.0)
      func fits(_ e: Int, exactly: Bool) -> Bool {
        values.allSatisfy {
          let x = $0.a / Double(sign: .plus, exponent: e, significand: 1)
          return x.rounded() >= low && x.rounded() <= high && (!exactly || close(x, x.rounded()))
        }
      }
      let exponent = (-8...7).first { fits($0, exactly: true) } ?? (-8...7).first { fits($0, exactly: false) } ?? 7
      if !fits(exponent, exactly: true) {
        notes.append("projection '\(name)': weights rounded to 8-bit mantissas with weight_exp \(exponent)")
      }
      settings = LoihiSynapseSettings(weightExp: exponent, numWeightBits: mode == .mixed ? 9 : 8, signMode: mode)
      let factor = Double(sign: .plus, exponent: exponent, significand: 1)
      for v in values {
        let w = min(max(Int((v.a / factor).rounded()), Int(low)), Int(high))
        synapses.append(Synapse(pre: v.pre, post: v.post, weight: w, delaySteps: v.delay))
        if w != 0 {
          expected[SynapseKey(pre: v.pre, post: v.post, delaySteps: v.delay), default: 0] += Double(w) * factor
        }
      }
    }
    return Projection(
      name: name, source: first.source, target: first.target, synapses: synapses, settings: settings,
      expected: expected)
  }

  /// Every way `experiment` (the imported config, loaded back) differs from the graph: parameters,
  /// initial state, and the (pre, post, delay) → effective weight of every synapse.
  public func mismatches(in experiment: Experiment) -> [String] {
    var out: [String] = []
    let built = BuiltNetwork(experiment)
    for population in populations {
      guard let p = experiment.populationIndex(named: population.name) else {
        out.append("population \(population.name) is missing")
        continue
      }
      let pop = experiment.populations[p]
      if pop.size != population.size {
        out.append("population \(pop.name) has \(pop.size) neurons, not \(population.size)")
      }
      guard case .neurons(let n) = population else { continue }
      guard case .loihiCuba(let q) = pop.model, q == n.parameters else {
        out.append("population \(pop.name) is not loihi_cuba with the graph's parameters")
        continue
      }
      for (variable, stated) in [("u", n.initialU), ("v", n.initialV)] {
        guard let stated else { continue }
        let drawn = built.initialState[p][variable]?.map { Int($0.rounded()) } ?? Array(repeating: 0, count: pop.size)
        if drawn != stated { out.append("population \(pop.name): the initial \(variable) differs from the graph's") }
      }
    }
    for projection in projections {
      guard let j = experiment.projections.firstIndex(where: { $0.name == projection.name }) else {
        out.append("projection \(projection.name) is missing")
        continue
      }
      let proj = experiment.projections[j]
      let synapses = built.projections[j]
      var effective = synapses.weights.map { Int($0.rounded()) }
      proj.loihi.quantize(&effective)
      let factor = Double(sign: .plus, exponent: proj.loihi.weightExp, significand: 1)
      var delivered: [SynapseKey: Double] = [:]
      for k in effective.indices where effective[k] != 0 {
        let key = SynapseKey(pre: synapses.sources[k], post: synapses.targets[k], delaySteps: synapses.delaySteps[k])
        delivered[key, default: 0] += Double(effective[k]) * factor
      }
      if delivered != projection.expected {
        let differing =
          Set(delivered.keys).symmetricDifference(projection.expected.keys).count
          + delivered.keys.filter { projection.expected[$0] != nil && projection.expected[$0] != delivered[$0] }.count
        out.append("projection \(projection.name): \(differing) synapses differ from the graph's weights or delays")
      }
    }
    return out
  }
}

/// A NIR graph `ndml import-nir` cannot turn into a `loihi_cuba` network.
public enum NIRImportError: Error, CustomStringConvertible {
  /// Nodes of types NDML does not support (name, type).
  case unsupportedNodes([(name: String, type: String)])
  /// An edge between nodes that NDML cannot connect that way.
  case unsupportedEdge(String, String, String, String, String)
  /// Anything else, described.
  case invalid(String)

  public var description: String {
    switch self {
    case .unsupportedNodes(let nodes):
      let list = nodes.map { "node '\($0.name)' of type \($0.type)" }.joined(separator: ", ")
      return "unsupported NIR \(nodes.count == 1 ? "node" : "nodes"): \(list) (ndml import-nir supports Input, "
        + "CubaLIF, Linear, Affine, Delay and Output)"
    case .unsupportedEdge(let from, let fromType, let to, let toType, let why):
      return "unsupported edge from node '\(from)' (\(fromType)) to node '\(to)' (\(toType)): \(why)"
    case .invalid(let why):
      return why
    }
  }
}

/// Whether two parameters agree to rounding (∞ equals ∞).
private func close(_ a: Double, _ b: Double) -> Bool {
  a == b || abs(a - b) <= 1e-9 * max(abs(a), abs(b))
}
