import Foundation
import NDMLEngine
import NDMLHDF5
import NDMLModel

/// A `loihi_cuba` network in Lava's integer terms: what `ndml export --format lava` writes (the
/// "NDML Lava bundle", version 1, documented in `docs/loihi-export.md`) and what the generated
/// `run_lava.py` builds from `LIF`, `Dense`/`DelayDense` and `RingBuffer` processes.
///
/// Time: NDML step `n` is Lava time step `n + 1`. A neuron spike stamped `t_{n+1}` is Lava's spike
/// of step `n + 1`; a source spike stamped `t_n` is emitted by a `RingBuffer` at step `n + 1`. A
/// projection of `D` steps becomes a Lava delay `d = D − 1` from a neuron and `d = D − 2` from a
/// source (a `RingBuffer` adds the step a neuron's spike spends in its own step), so both arrive in
/// the same Lava step as in NDML.
public struct LavaBundle: Sendable {
  /// One LIF process.
  public struct LIFPart: Sendable {
    public var name: String
    public var size: Int
    public var parameters: LoihiCubaParameters
    /// Initial state per neuron (the values before Lava's step 1).
    public var u: [Int]
    public var v: [Int]
  }

  /// One spike source (a `RingBuffer`): Lava steps (1-based) and neuron of each spike.
  public struct InputPart: Sendable {
    public var name: String
    public var size: Int
    public var steps: [Int]
    public var nodeIDs: [Int]
  }

  /// One `Dense` (or `DelayDense`) process, in sparse form.
  public struct DensePart: Sendable {
    public var name: String
    public var source: String
    public var target: String
    public var pre: [Int]
    public var post: [Int]
    /// Integer weights as NDML drew and rounded them (Lava quantises them as ``signMode`` says,
    /// exactly as NDML does).
    public var weights: [Int]
    /// Lava delays `d` (0 … 63) per synapse.
    public var delays: [Int]
    public var weightExp: Int
    public var numWeightBits: Int
    /// The sign mode NDML resolved (never `auto`, so Lava cannot decide otherwise).
    public var signMode: LoihiSynapseSettings.SignMode
  }

  public var steps: Int
  public var dtMs: Double
  public var populations: [LIFPart]
  public var inputs: [InputPart]
  public var projections: [DensePart]
  /// NDML's own spikes of each LIF population (Lava steps, neuron ids), for the runner's
  /// comparison.
  public var prediction: [String: (steps: [Int], nodeIDs: [Int])]
  /// The config the network came from.
  public var configText: String
  /// When the network was quantised from float models: the ``QuantizationReport`` as JSON.
  public var quantizationReport: String?

  /// Simulates `experiment` with NDML's CPU backend (recording every population's spikes) and
  /// describes it for Lava; throws ``LoihiExportError`` for what Lava cannot express.
  public init(experiment: Experiment, configText: String) throws {
    try Self.checkExpressible(experiment)
    let collector = try SpikeCollector(simulating: experiment)
    let dt = experiment.simulation.dtMs
    let built = BuiltNetwork(experiment)
    steps = experiment.simulation.stepCount
    dtMs = dt
    self.configText = configText
    populations = []
    inputs = []
    prediction = [:]
    for (p, pop) in experiment.populations.enumerated() {
      let spikes = collector.spikes[pop.name, default: ([], [])]
      // Stamps are multiples of dt: a neuron's t_{n+1} is Lava step n + 1, a source's t_n too.
      let stamps = spikes.times.map { Int(($0 / dt).rounded()) }
      if case .loihiCuba(let parameters) = pop.model {
        let initial = built.initialState[p]
        populations.append(
          LIFPart(
            name: pop.name, size: pop.size, parameters: parameters,
            u: initial["u"]?.map { Int($0.rounded()) } ?? Array(repeating: 0, count: pop.size),
            v: initial["v"]?.map { Int($0.rounded()) } ?? Array(repeating: 0, count: pop.size)))
        prediction[pop.name] = (stamps, spikes.ids)
      } else {
        var seen = Set<Int>()
        if let k = stamps.indices.first(where: { !seen.insert(stamps[$0] * pop.size + spikes.ids[$0]).inserted }) {
          throw LoihiExportError.unsupported(
            key: "populations.\(pop.name)",
            reason:
              "emits neuron \(spikes.ids[k]) twice in the step at \(spikes.times[k]) ms; Lava's spike sources are "
              + "binary (lower the rate or dt_ms)")
        }
        inputs.append(InputPart(name: pop.name, size: pop.size, steps: stamps.map { $0 + 1 }, nodeIDs: spikes.ids))
      }
    }
    projections = zip(experiment.projections, built.projections).map { proj, synapses in
      let fromSource = experiment.population(named: proj.source)!.model.isSource
      let weights = synapses.weights.map { Int($0.rounded()) }
      return DensePart(
        name: proj.name, source: proj.source, target: proj.target, pre: synapses.sources, post: synapses.targets,
        weights: weights, delays: synapses.delaySteps.map { $0 - (fromSource ? 2 : 1) },
        weightExp: proj.loihi.weightExp, numWeightBits: proj.loihi.numWeightBits,
        signMode: proj.loihi.resolvedSignMode(weights))
    }
    for part in projections {
      var seen = Set<Int>()
      let sourceSize = experiment.population(named: part.source)!.size
      if let k = part.pre.indices.first(where: { !seen.insert(part.post[$0] * sourceSize + part.pre[$0]).inserted }) {
        throw LoihiExportError.unsupported(
          key: "projections.\(part.name)",
          reason:
            "connects \(part.source) \(part.pre[k]) → \(part.target) \(part.post[k]) twice; a Lava Dense holds one "
            + "synapse per pair (merge them in the connection list)")
      }
    }
  }

  /// Refuses what the Lava bundle cannot express, naming the config key and the limit.
  static func checkExpressible(_ experiment: Experiment) throws {
    for pop in experiment.populations {
      switch pop.model {
      case .loihiCuba, .poisson, .spikeSource, .placeCells, .memoryPatterns: continue
      case .lifCuba:
        throw LoihiExportError.unsupported(
          key: "populations.\(pop.name).model",
          reason: "is lif_cuba, not loihi_cuba: quantise it first (ndml export --format lava does that by itself)")
      case .lifCoba:
        throw LoihiExportError.unsupported(
          key: "populations.\(pop.name).model",
          reason: "is lif_coba; Loihi 2's neurons are current-based (conductance synapses cannot be expressed)")
      case .alif, .adex:
        throw LoihiExportError.unsupported(
          key: "populations.\(pop.name).model", reason: LoihiExportError.adaptiveModelReason(pop.model))
      }
    }
    if let inj = experiment.currentInjections.first {
      throw LoihiExportError.unsupported(
        key: "inputs.\(inj.name)", reason: "injects a current; Loihi neurons take only a constant bias")
    }
    for proj in experiment.projections {
      if proj.shortTerm != nil {
        throw LoihiExportError.unsupported(
          key: "projections.\(proj.name).short_term", reason: "Lava's Dense synapses have no short-term plasticity")
      }
      guard case .loihiCuba = experiment.population(named: proj.target)?.model else {
        throw LoihiExportError.unsupported(
          key: "projections.\(proj.name).target", reason: "must be a loihi_cuba population")
      }
    }
  }

  /// Writes the bundle (HDF5, sparse projections) to `url`, replacing a file there.
  public func write(to url: URL) throws {
    let file = try HDF5File.create(at: url)
    let root = file.root
    try root.setAttribute("format", "ndml-lava-bundle")
    try root.setAttribute("version", Int64(1))
    try root.setAttribute("steps", Int64(steps))
    try root.setAttribute("dt_ms", dtMs)
    try root.setAttribute("ndml_version", NDMLVersion.current)
    try root.writeStringDataset("config", configText)
    if let quantizationReport { try root.writeStringDataset("quantization_report", quantizationReport) }
    let pops = try root.createGroup("populations")
    for part in populations {
      let g = try pops.createGroup(part.name)
      let p = part.parameters
      try g.setAttribute("size", Int64(part.size))
      try g.setAttribute("du", Int64(p.du))
      try g.setAttribute("dv", Int64(p.dv))
      try g.setAttribute("vth", Int64(p.vth))
      try g.writeDataset("bias_mant", Array(repeating: Int32(p.biasMant), count: part.size))
      try g.writeDataset("bias_exp", Array(repeating: Int32(p.biasExp), count: part.size))
      try g.writeDataset("u", part.u.map(Int32.init))
      try g.writeDataset("v", part.v.map(Int32.init))
    }
    let ins = try root.createGroup("inputs")
    for part in inputs {
      let g = try ins.createGroup(part.name)
      try g.setAttribute("size", Int64(part.size))
      try g.writeDataset("steps", part.steps.map(Int64.init))
      try g.writeDataset("node_ids", part.nodeIDs.map(Int64.init))
    }
    let projs = try root.createGroup("projections")
    for part in projections {
      let g = try projs.createGroup(part.name)
      try g.setAttribute("source", part.source)
      try g.setAttribute("target", part.target)
      try g.setAttribute("num_weight_bits", Int64(part.numWeightBits))
      try g.setAttribute("weight_exp", Int64(part.weightExp))
      try g.setAttribute("sign_mode", part.signMode.rawValue)
      try g.writeDataset("pre", part.pre.map(Int64.init))
      try g.writeDataset("post", part.post.map(Int64.init))
      try g.writeDataset("weight", part.weights.map(Int32.init))
      if part.delays.contains(where: { $0 != 0 }) { try g.writeDataset("delay", part.delays.map(Int64.init)) }
    }
    let expected = try root.createGroup("ndml_prediction")
    for (name, spikes) in prediction.sorted(by: { $0.key < $1.key }) {
      let g = try expected.createGroup(name)
      try g.writeDataset("steps", spikes.steps.map(Int64.init))
      try g.writeDataset("node_ids", spikes.nodeIDs.map(Int64.init))
    }
    try file.close()
  }
}

/// What the Lava export cannot express.
public enum LoihiExportError: Error, CustomStringConvertible {
  /// A config key holds something Loihi or Lava cannot express.
  case unsupported(key: String, reason: String)

  public var description: String {
    switch self {
    case .unsupported(let key, let reason): "\(key) \(reason)"
    }
  }

  /// Why `alif` and `adex` populations are refused: Loihi 2's LIF neuron has a fixed threshold, no
  /// adaptation variable and no exponential term.
  static func adaptiveModelReason(_ model: NeuronModel) -> String {
    let what =
      if case .adex = model { "exponential spike initiation and an adaptation current" } else {
        "a spike-triggered threshold adaptation"
      }
    return "is \(model.configName) (\(what)); Loihi 2's LIF neuron cannot express it and NDML does not export "
      + "\(model.configName) populations (use lif_cuba)"
  }
}

/// Keeps every spike a run reports, per population.
final class SpikeCollector: SimulationObserver {
  var spikes: [String: (times: [Double], ids: [Int])] = [:]

  /// Runs `experiment` on NDML's CPU backend, recording every population's spikes.
  init(simulating experiment: Experiment) throws {
    var recorded = experiment
    recorded.recording = RecordingPlan(spikePopulations: experiment.populations.map(\.name))
    _ = try CPUBackend().run(recorded, observer: self)
  }

  func record(spikes chunk: SpikeChunk) throws {
    spikes[chunk.population, default: ([], [])].times += chunk.timesMs
    spikes[chunk.population, default: ([], [])].ids += chunk.nodeIDs.map { Int($0) }
  }
  func record(samples: StateSampleChunk) throws {}
  func record(weights: WeightSampleChunk) throws {}
  func progress(completedSteps: Int, totalSteps: Int) {}
}

extension LavaBundle {
  /// The `run_lava.py` module for this bundle, saved as `bundleName` beside it.
  public func runnerScript(bundleName: String, config: String) -> String {
    LavaRunnerScript.text(bundleName: bundleName, version: NDMLVersion.current, config: config)
  }
}
