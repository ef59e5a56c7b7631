import Foundation
import NDMLEngine
import NDMLModel

/// How NDML reads a NIR `CubaLIF` in discrete time, and so how `loihi_cuba`'s integers map onto
/// its continuous parameters (`docs/loihi-nir.md`). With step `dt` (seconds),
/// `β_syn = e^(−dt/τ_syn)` and `β_mem = e^(−dt/τ_mem)`, each step is
///
///     I ← β_syn·I + w_in·(Σ of the step's weighted input spikes)
///     v ← β_mem·v + (1 − β_mem)·(v_leak + r·I);  spike if v > v_threshold, then v ← v_reset
///
/// (the input jumps `I`; `v` integrates `I` held over the step). Loihi's `u` is `I`, and:
/// `β_syn = 1 − (du + 1)/4096`, `β_mem = 1 − dv/4096`, `w_in = 64` (Loihi's `a_in << 6`),
/// `(1 − β_mem)·r = 1`, `(1 − β_mem)·v_leak = bias_mant << bias_exp`, `v_threshold = vth·64`,
/// `v_reset = 0`. A `Linear` weight is the effective integer weight times `2^weight_exp`.
public enum LoihiNIRMapping {
  /// Loihi's `a_in << 6`, as `CubaLIF.w_in`.
  public static let inputWeight = 64.0

  /// `τ_syn` in seconds: `−dt/ln(1 − (du + 1)/4096)`; 0 for `du = 4095`, ∞ for `du = −1`.
  public static func synapticTimeConstant(du: Int, dtSeconds dt: Double) -> Double {
    timeConstant(decay: Double(du + 1) / 4096, dt: dt)
  }

  /// `τ_mem` in seconds: `−dt/ln(1 − dv/4096)`; 0 for `dv = 4096`, ∞ for `dv = 0`.
  public static func membraneTimeConstant(dv: Int, dtSeconds dt: Double) -> Double {
    timeConstant(decay: Double(dv) / 4096, dt: dt)
  }

  /// `r = 4096/dv` (∞ for `dv = 0`).
  public static func resistance(dv: Int) -> Double { dv == 0 ? .infinity : 4096 / Double(dv) }

  /// `v_leak = bias·4096/dv` (0 for `dv = 0`, where `CubaLIF` cannot carry a bias).
  public static func leakPotential(bias: Int, dv: Int) -> Double {
    dv == 0 ? 0 : Double(bias) * 4096 / Double(dv)
  }

  /// The fraction of its value a variable loses per step for time constant `tau` (1 − e^(−dt/τ)).
  public static func decay(tau: Double, dtSeconds dt: Double) -> Double {
    if tau == 0 { return 1 }
    if tau == .infinity { return 0 }
    return -expm1(-dt / tau)
  }

  /// `du` for a synaptic time constant (rounded, within −1 … 4095).
  public static func du(tauSyn: Double, dtSeconds dt: Double) -> Int {
    min(max(Int((4096 * decay(tau: tauSyn, dtSeconds: dt)).rounded()) - 1, -1), 4095)
  }

  /// `dv` for a membrane time constant (rounded, within 0 … 4096).
  public static func dv(tauMem: Double, dtSeconds dt: Double) -> Int {
    min(max(Int((4096 * decay(tau: tauMem, dtSeconds: dt)).rounded()), 0), 4096)
  }

  private static func timeConstant(decay: Double, dt: Double) -> Double {
    if decay >= 1 { return 0 }
    if decay <= 0 { return .infinity }
    return -dt / log1p(-decay)
  }
}

/// A `loihi_cuba` network as a NIR graph (`ndml export --format nir`; `docs/loihi-nir.md`).
///
/// Nodes: an `Input` per spike source and a `CubaLIF` per `loihi_cuba` population (both named
/// after the population), an `Output` per `CubaLIF` (`<population>__output`), and per projection
/// and Lava delay `d` a `Linear` (`<projection>`, or `<projection>__d<d>` when the projection has
/// several delays) preceded by a `Delay` of `d·dt` seconds when `d > 0` (`<projection>__delay…`).
/// `d` is Lava's `DelayDense` delay, the latency beyond the one step every `Dense` has
/// (``LavaBundle``). Times are in seconds. The exact integers (parameters, initial state, weights
/// as drawn, delays in steps, the config) are node and graph metadata.
public struct NIRExport: Sendable {
  /// The graph.
  public var graph: NIRGraph

  /// Describes `experiment` (its text `configText`, with `overrides` applied) as a NIR graph;
  /// throws ``LoihiExportError`` for what NIR or Loihi cannot express.
  ///
  /// ```swift
  /// let config = try ExperimentConfig.load(contentsOf: URL(fileURLWithPath: "experiments/loihi_ei_network.yaml"))
  /// try NIRExport(experiment: config.experiment, configText: config.text).write(to: URL(fileURLWithPath: "net.nir"))
  /// ```
  public init(experiment: Experiment, configText: String, overrides: [String] = []) throws {
    try LavaBundle.checkExpressible(experiment)
    let built = BuiltNetwork(experiment)
    let dtMs = experiment.simulation.dtMs
    let dt = dtMs / 1000
    var graph = NIRGraph()
    graph.metadata = [
      "ndml_format": .string("ndml-nir"), "ndml_format_version": .integer(1),
      "ndml_version": .string(NDMLVersion.current), "dt_ms": .number(dtMs),
      "steps": .integer(experiment.simulation.stepCount), "seed": .integer(Int(experiment.simulation.seed)),
      "time_unit": .string("s"), "config": .string(configText),
      "overrides": .string(overrides.joined(separator: "\n")),
    ]
    var taken = Set<String>()
    func claim(_ name: String, for key: String) throws -> String {
      guard taken.insert(name).inserted, !name.isEmpty, !name.contains("/"), !name.contains(".") else {
        throw LoihiExportError.unsupported(
          key: key, reason: "gives the NIR node name '\(name)', which is empty, contains '/' or '.', or is taken")
      }
      return name
    }
    for (p, pop) in experiment.populations.enumerated() {
      let name = try claim(pop.name, for: "populations.\(pop.name)")
      let index: [String: NIRGraph.Value] = ["ndml_population_index": .integer(p)]
      guard case .loihiCuba(let q) = pop.model else {
        var meta = index
        meta["ndml_model"] = .string(pop.model.configName)
        graph.nodes.append(.init(name: name, type: "Input", fields: ["shape": .vector([pop.size])], metadata: meta))
        continue
      }
      func fill(_ x: Double) -> NIRGraph.Value { .vector(Array(repeating: x, count: pop.size)) }
      let initial = built.initialState[p]
      var meta = index
      meta["du"] = .integer(q.du)
      meta["dv"] = .integer(q.dv)
      meta["vth"] = .integer(q.vth)
      meta["bias_mant"] = .integer(q.biasMant)
      meta["bias_exp"] = .integer(q.biasExp)
      meta["u_init"] = .vector(initial["u"]?.map { Int($0.rounded()) } ?? Array(repeating: 0, count: pop.size))
      meta["v_init"] = .vector(initial["v"]?.map { Int($0.rounded()) } ?? Array(repeating: 0, count: pop.size))
      graph.nodes.append(
        .init(
          name: name, type: "CubaLIF",
          fields: [
            "tau_syn": fill(LoihiNIRMapping.synapticTimeConstant(du: q.du, dtSeconds: dt)),
            "tau_mem": fill(LoihiNIRMapping.membraneTimeConstant(dv: q.dv, dtSeconds: dt)),
            "r": fill(LoihiNIRMapping.resistance(dv: q.dv)),
            "v_leak": fill(LoihiNIRMapping.leakPotential(bias: q.bias, dv: q.dv)),
            "v_threshold": fill(Double(q.vth * 64)), "v_reset": fill(0), "w_in": fill(LoihiNIRMapping.inputWeight),
          ],
          metadata: meta))
      let output = try claim("\(pop.name)__output", for: "populations.\(pop.name)")
      graph.nodes.append(.init(name: output, type: "Output", fields: ["shape": .vector([pop.size])]))
      graph.edges.append((name, output))
    }
    for (j, (proj, synapses)) in zip(experiment.projections, built.projections).enumerated() {
      let source = experiment.population(named: proj.source)!
      let target = experiment.population(named: proj.target)!
      let rounded = synapses.weights.map { Int($0.rounded()) }
      let mode = proj.loihi.resolvedSignMode(rounded)
      var settings = proj.loihi
      settings.signMode = mode
      var effective = rounded
      settings.quantize(&effective)
      let scale = Double(sign: .plus, exponent: proj.loihi.weightExp, significand: 1)
      let latency = source.model.isSource ? 2 : 1
      let lavaDelays = synapses.delaySteps.map { $0 - latency }
      let groups = Set(lavaDelays).sorted()
      for d in groups {
        let members = lavaDelays.indices.filter { lavaDelays[$0] == d }
        let suffix = groups.count == 1 ? "" : "\(d)"
        let linear = try claim(proj.name + (suffix.isEmpty ? "" : "__d\(d)"), for: "projections.\(proj.name)")
        var matrix = [Double](repeating: 0, count: target.size * source.size)
        var seen = Set<Int>()
        for k in members {
          let cell = synapses.targets[k] * source.size + synapses.sources[k]
          guard seen.insert(cell).inserted else {
            throw LoihiExportError.unsupported(
              key: "projections.\(proj.name)",
              reason:
                "connects \(proj.source) \(synapses.sources[k]) → \(proj.target) \(synapses.targets[k]) twice with "
                + "the same delay; a NIR Linear holds one weight per pair (merge them in the connection list)")
          }
          matrix[cell] = Double(effective[k]) * scale
        }
        graph.nodes.append(
          .init(
            name: linear, type: "Linear", fields: ["weight": .numbers(matrix, shape: [target.size, source.size])],
            metadata: [
              "ndml_projection": .string(proj.name), "ndml_projection_index": .integer(j),
              "source": .string(proj.source), "target": .string(proj.target),
              "weight_exp": .integer(proj.loihi.weightExp), "num_weight_bits": .integer(proj.loihi.numWeightBits),
              "sign_mode": .string(mode.rawValue), "pre": .vector(members.map { synapses.sources[$0] }),
              "post": .vector(members.map { synapses.targets[$0] }), "weight_int": .vector(members.map { rounded[$0] }),
              "delay_steps": .vector(members.map { synapses.delaySteps[$0] }),
            ]))
        if d > 0 {
          let delay = try claim(proj.name + "__delay" + suffix, for: "projections.\(proj.name)")
          graph.nodes.append(
            .init(
              name: delay, type: "Delay",
              fields: ["delay": .vector(Array(repeating: Double(d) * dt, count: source.size))],
              metadata: ["delay_steps": .integer(d)]))
          graph.edges += [(proj.source, delay), (delay, linear), (linear, proj.target)]
        } else {
          graph.edges += [(proj.source, linear), (linear, proj.target)]
        }
      }
    }
    // nir.read's type inference starts from the edges leaving Input nodes: a network without
    // spike input (driven by bias alone) gets a silent placeholder input.
    let inputs = Set(graph.nodes.filter { $0.type == "Input" }.map(\.name))
    if !graph.edges.contains(where: { inputs.contains($0.from) }) {
      let name = try claim("ndml_no_input", for: "populations")
      graph.nodes.append(
        .init(name: name, type: "Input", fields: ["shape": .vector([1])], metadata: ["ndml_placeholder": .integer(1)]))
      if let first = graph.nodes.first(where: { $0.type == "CubaLIF" }) {
        let size = first.fields["v_threshold"]?.shape.first ?? 1
        let linear = try claim("ndml_no_input__linear", for: "populations")
        graph.nodes.append(
          .init(
            name: linear, type: "Linear",
            fields: ["weight": .numbers(Array(repeating: 0, count: size), shape: [size, 1])],
            metadata: ["ndml_placeholder": .integer(1)]))
        graph.edges += [(name, linear), (linear, first.name)]
      } else {
        let output = try claim("ndml_no_input__output", for: "populations")
        graph.nodes.append(.init(name: output, type: "Output", fields: ["shape": .vector([1])]))
        graph.edges.append((name, output))
      }
    }
    self.graph = graph
  }

  /// Writes the graph (HDF5, as `nir.write` does) to `url`, replacing a file there.
  public func write(to url: URL) throws { try graph.write(to: url) }
}
