import Foundation
import NDMLHDF5
import NDMLModel

/// A layered `loihi_cuba` network as a lava-dl netx HDF5 file (what `ndml export --format
/// lava-netx` writes; mapping, refusals and latencies in `docs/loihi-netx.md`).
///
/// The network must be one spike source (netx's `net.inp`) followed by a chain of `loihi_cuba`
/// populations: each takes exactly one feed-forward projection from the one before (`dense`) and
/// at most one projection onto itself (`dense_rec`). Everything netx cannot reproduce exactly is
/// refused with a ``LoihiExportError`` naming the config key: netx fixes `bias_exp = 6`, has no
/// initial state, takes delays only on `dense` layers (0 … 62), and rescales each layer's weights
/// itself (`optimize_weight_bits`); each layer is checked to keep NDML's effective integer input.
public struct NetxExport: Sendable {
  /// One netx `dense` or `dense_rec` layer (one `loihi_cuba` population).
  public struct Layer: Sendable {
    /// The population's name.
    public var name: String
    /// Number of neurons (netx `shape`).
    public var size: Int
    /// Size of the layer before (or of the input).
    public var inputSize: Int
    /// `du`, `dv` and `vth` (netx `iDecay − 1`, `vDecay`, `vThMant`); the bias is ``bias``.
    public var parameters: LoihiCubaParameters
    /// netx's `bias` (`bias_mant` with netx's fixed `bias_exp = 6`).
    public var bias: Int
    /// The file's weights, `size × inputSize`, row-major: the integer input each spike adds.
    public var weight: [Int]
    /// The file's recurrent weights, `size × size`, or nil for a `dense` layer.
    public var weightRecurrent: [Int]?
    /// netx delays (Lava `DelayDense` delays), `size × inputSize`, or nil when all are 0.
    public var delay: [Int]?
    /// The `num_weight_bits` netx's own scaling gives this layer's `Dense` processes.
    public var netxNumWeightBits: Int
    /// The `weight_exp` netx's own scaling gives this layer's `Dense` processes.
    public var netxWeightExp: Int
  }

  /// The spike source that drives `net.inp`, with the spikes NDML simulated (Lava steps).
  public var input: LavaBundle.InputPart
  /// The layers in netx order (`layer/1`, `layer/2`, …).
  public var layers: [Layer]
  /// Number of time steps NDML simulated.
  public var steps: Int
  /// The time step (ms); a spike of Lava step `t` is stamped `t · dtMs`.
  public var dtMs: Double
  /// NDML's own spikes of each layer (Lava steps, neuron ids).
  public var prediction: [String: (steps: [Int], nodeIDs: [Int])]
  /// The config the network came from.
  public var configText: String

  /// Checks that netx can express `experiment` exactly, simulates it with NDML's CPU backend and
  /// describes it layer by layer; throws ``LoihiExportError`` otherwise.
  public init(experiment: Experiment, configText: String) throws {
    try LavaBundle.checkExpressible(experiment)
    let chain = try Self.chain(experiment)
    let bundle = try LavaBundle(experiment: experiment, configText: configText)
    steps = bundle.steps
    dtMs = bundle.dtMs
    self.configText = configText
    input = bundle.inputs.first { $0.name == chain.input }!
    prediction = bundle.prediction
    layers = []
    var previous = input.size
    for (i, link) in chain.layers.enumerated() {
      let pop = bundle.populations.first { $0.name == link.population }!
      let ff = bundle.projections.first { $0.name == link.feedForward }!
      let rec = link.recurrent.map { name in bundle.projections.first { $0.name == name }! }
      layers.append(try Self.layer(pop, feedForward: ff, recurrent: rec, inputSize: previous, fromSource: i == 0))
      previous = pop.size
    }
  }

  // MARK: Topology

  /// The input and the chain of layers (population, its feed-forward and recurrent projection).
  static func chain(_ experiment: Experiment) throws -> (
    input: String, layers: [(population: String, feedForward: String, recurrent: String?)]
  ) {
    let sources = experiment.populations.filter(\.model.isSource)
    guard let input = sources.first else {
      throw LoihiExportError.unsupported(
        key: "populations", reason: "has no spike source; a netx network is driven by one input (net.inp)")
    }
    if sources.count > 1 {
      throw LoihiExportError.unsupported(
        key: "populations.\(sources[1].name)",
        reason: "is a second spike source (after \(input.name)); a netx network has exactly one input")
    }
    var outgoing: [String: String] = [:]
    var incoming: [String: String] = [:]
    var recurrent: [String: String] = [:]
    for proj in experiment.projections {
      if proj.plasticity != nil {
        throw LoihiExportError.unsupported(
          key: "projections.\(proj.name).plasticity", reason: "is set; netx weights are static")
      }
      if proj.source == proj.target {
        if let other = recurrent[proj.target] {
          throw LoihiExportError.unsupported(
            key: "projections.\(proj.name)",
            reason:
              "is a second recurrent projection onto \(proj.target) (after \(other)); a netx dense_rec layer has "
              + "one weight_rec")
        }
        recurrent[proj.target] = proj.name
        continue
      }
      if let other = outgoing[proj.source] {
        throw LoihiExportError.unsupported(
          key: "projections.\(proj.name).source",
          reason:
            "\(proj.source) already feeds \(other); netx layers form a chain (each layer feeds only the next, no "
            + "branches)")
      }
      if let other = incoming[proj.target] {
        throw LoihiExportError.unsupported(
          key: "projections.\(proj.name).target",
          reason:
            "\(proj.target) already takes \(other); a netx layer has exactly one feed-forward input (no merging "
            + "branches)")
      }
      outgoing[proj.source] = proj.name
      incoming[proj.target] = proj.name
    }
    var layers: [(population: String, feedForward: String, recurrent: String?)] = []
    var current = input.name
    while let name = outgoing[current] {
      let target = experiment.projections.first { $0.name == name }!.target
      layers.append((target, name, recurrent[target]))
      current = target
    }
    if layers.isEmpty {
      throw LoihiExportError.unsupported(
        key: "projections", reason: "has no projection from the input \(input.name); netx needs at least one layer")
    }
    let onChain = Set(layers.map(\.population))
    if let stray = experiment.populations.first(where: { !$0.model.isSource && !onChain.contains($0.name) }) {
      throw LoihiExportError.unsupported(
        key: "populations.\(stray.name)",
        reason: "is not on the chain of layers fed by \(input.name); netx layers form a single chain")
    }
    return (input.name, layers)
  }

  // MARK: Layers

  /// Converts one population and its projections, refusing what netx would compute differently.
  static func layer(
    _ pop: LavaBundle.LIFPart, feedForward ff: LavaBundle.DensePart, recurrent rec: LavaBundle.DensePart?,
    inputSize: Int, fromSource: Bool
  ) throws -> Layer {
    let key = "populations.\(pop.name)"
    let p = pop.parameters
    let ranges: [(String, Int, ClosedRange<Int>, String)] = [
      ("du", p.du, -1...4095, "netx writes iDecay = du + 1 in 0…4096"),
      ("dv", p.dv, 0...4096, "netx's vDecay lies in 0…4096"),
      ("vth", p.vth, 0...131_071, "netx's vThMant is 17-bit unsigned"),
    ]
    for (name, value, range, why) in ranges where !range.contains(value) {
      throw LoihiExportError.unsupported(
        key: "\(key).params.\(name)", reason: "is \(value), outside \(range.lowerBound)…\(range.upperBound) (\(why))")
    }
    if p.bias % 64 != 0 {
      throw LoihiExportError.unsupported(
        key: "\(key).params.bias_mant",
        reason:
          "with bias_exp gives a bias of \(p.biasMant) << \(p.biasExp) = \(p.bias), not a multiple of 64: netx fixes "
          + "bias_exp = 6 (bias = bias_mant << 6)")
    }
    for (name, values) in [("u", pop.u), ("v", pop.v)] where values.contains(where: { $0 != 0 }) {
      throw LoihiExportError.unsupported(
        key: "\(key).init.\(name)_int", reason: "is not 0 for every neuron; netx layers start from u = v = 0")
    }
    // Delays: netx clips them to 0…62 and takes none on a dense_rec layer or its recurrent part.
    let firstStep = fromSource ? 2 : 1
    let checks: [(LavaBundle.DensePart, Int, Int, String)] =
      [
        rec == nil
          ? (ff, firstStep, 62, "netx clips delays to 0…62")
          : (ff, firstStep, 0, "netx's dense_rec layer takes no delay")
      ] + (rec.map { [($0, 1, 0, "netx's recurrent Dense has one step of latency")] } ?? [])
    for (part, first, allowed, why) in checks {
      if let d = part.delays.first(where: { $0 > allowed }) {
        throw LoihiExportError.unsupported(
          key: "projections.\(part.name).delay_ms",
          reason: "gives a synapse \(d + first) steps; netx needs \(first)…\(first + allowed) steps here (\(why))")
      }
    }
    let weight = try fileWeights(ff, rows: pop.size, columns: inputSize)
    let weightRec = try rec.map { try fileWeights($0, rows: pop.size, columns: pop.size) }
    let scaling = try checkNetxScaling(
      [(ff.name, weight, inputSize)] + (weightRec.map { [(rec!.name, $0, pop.size)] } ?? []), rows: pop.size)
    var delay: [Int]?
    if ff.delays.contains(where: { $0 != 0 }) {
      var d = Array(repeating: 0, count: pop.size * inputSize)
      for k in ff.pre.indices { d[ff.post[k] * inputSize + ff.pre[k]] = ff.delays[k] }
      delay = d
    }
    return Layer(
      name: pop.name, size: pop.size, inputSize: inputSize, parameters: p, bias: p.bias / 64, weight: weight,
      weightRecurrent: weightRec, delay: delay, netxNumWeightBits: scaling.numWeightBits,
      netxWeightExp: scaling.weightExp)
  }

  /// The integer input each synapse of `part` adds in NDML (its quantised weight shifted by
  /// `weight_exp`), as a dense `rows × columns` matrix; throws when a negative `weight_exp` floors
  /// a sum that no per-synapse integer reproduces.
  static func fileWeights(_ part: LavaBundle.DensePart, rows: Int, columns: Int) throws -> [Int] {
    var q = part.weights
    LoihiSynapseSettings(weightExp: part.weightExp, numWeightBits: part.numWeightBits, signMode: part.signMode)
      .quantize(&q)
    let e = part.weightExp
    if e < 0, let k = q.firstIndex(where: { $0 % (1 << -e) != 0 }) {
      throw LoihiExportError.unsupported(
        key: "projections.\(part.name).loihi.weight_exp",
        reason:
          "is \(e), but the effective weight \(q[k]) (\(part.source) \(part.pre[k]) → \(part.target) \(part.post[k])) "
          + "is not a multiple of 2^\(-e); NDML floors each step's summed input, netx adds integer weights, so they "
          + "agree only when every effective weight is a multiple of 2^\(-e)")
    }
    var w = Array(repeating: 0, count: rows * columns)
    for k in q.indices { w[part.post[k] * columns + part.pre[k]] = LoihiSynapseSettings.shift(q[k], by: e) }
    return w
  }

  /// What netx's `optimize_weight_bits` (`lava/lib/dl/netx/utils.py`) makes of an integer matrix:
  /// the weights it passes to Lava's `Dense`, its `num_weight_bits` and `weight_exp`. nil where netx
  /// clips the matrix, cannot scale it (all zeros) or shifts by a negative count (|w| too large).
  public static func netxScaling(_ weights: [Int]) -> (weights: [Int], numWeightBits: Int, weightExp: Int)? {
    guard let maximum = weights.max(), let minimum = weights.min() else { return nil }
    if (maximum > 254 && minimum < 0) || (minimum < -256 && maximum > 0) { return nil }
    let isSigned: Int
    let scale: Double
    if maximum < 0 {
      isSigned = 0
      scale = -256 / Double(minimum)
    } else if minimum >= 0 {
      guard maximum > 0 else { return nil }
      isSigned = 0
      scale = 255 / Double(maximum)
    } else {
      isSigned = 1
      scale = min(127 / Double(maximum), -128 / Double(minimum))
    }
    let scaleBits = Int(log2(scale).rounded(.down)) + isSigned
    guard scaleBits >= 0 else { return nil }
    var n = 8
    while n > 0 && weights.contains(where: { $0 % (1 << n) != 0 }) { n -= 1 }
    n -= isSigned
    return (weights.map { $0 << scaleBits }, 8 - scaleBits - n, -scaleBits)
  }

  /// Applies netx's scaling to one layer's matrices (side by side, as netx does for `dense_rec`)
  /// and Lava's quantisation to each (each `Dense` picks its own sign mode); throws unless Lava's
  /// effective weights times `2^weight_exp` give back every file weight.
  static func checkNetxScaling(_ parts: [(name: String, weights: [Int], columns: Int)], rows: Int) throws -> (
    numWeightBits: Int, weightExp: Int
  ) {
    var combined: [Int] = []
    combined.reserveCapacity(parts.reduce(0) { $0 + $1.weights.count })
    for r in 0..<rows {
      for part in parts { combined += part.weights[(r * part.columns)..<((r + 1) * part.columns)] }
    }
    guard let (scaled, bits, exponent) = netxScaling(combined) else {
      let range = "\(combined.min() ?? 0)…\(combined.max() ?? 0)"
      throw LoihiExportError.unsupported(
        key: "projections.\(parts[0].name).weight_int",
        reason:
          "(quantised, shifted by loihi.weight_exp) gives this layer integer weights in \(range); netx scales only "
          + "nonzero matrices within −256…254 (docs/loihi-numerics.md §5)")
    }
    let total = parts.reduce(0) { $0 + $1.columns }
    var offset = 0
    for part in parts {
      var lava = (0..<rows).flatMap { r in scaled[(r * total + offset)..<(r * total + offset + part.columns)] }
      offset += part.columns
      LoihiSynapseSettings(numWeightBits: bits).quantize(&lava)
      let exact = { (k: Int) in
        exponent >= 0 ? lava[k] << exponent == part.weights[k] : lava[k] == part.weights[k] << -exponent
      }
      if let k = lava.indices.first(where: { !exact($0) }) {
        let example = ": \(part.weights[k]) would enter as \(Double(lava[k]) * pow(2, Double(exponent)))"
        throw LoihiExportError.unsupported(
          key: "projections.\(part.name).weight_int",
          reason:
            "holds weights that netx's own scaling (num_weight_bits \(bits), weight_exp \(exponent)) and Lava's "
            + "Dense (sign mode \(LoihiSynapseSettings().resolvedSignMode(lava).rawValue)) would not reproduce"
            + "\(example); see the netx pitfalls in docs/loihi-numerics.md §5 (e.g. no positive weight with "
            + "min = −2^m, or a dense_rec layer mixing signs)")
      }
    }
    return (bits, exponent)
  }
}

// MARK: Writing

extension NetxExport {
  /// Writes the netx file (`layer/0` the input, then one `dense`/`dense_rec` layer per
  /// population, as lava-dl's slayer writes them) to `url`, replacing a file there.
  public func writeNetwork(to url: URL) throws {
    let file = try HDF5File.create(at: url)
    let root = try file.root.createGroup("layer")
    let inputLayer = try root.createGroup("0")
    try inputLayer.writeFixedStringDataset("type", ["input"], length: 10)
    try inputLayer.writeDataset("shape", [Int64(input.size)])
    for (i, layer) in layers.enumerated() {
      let g = try root.createGroup("\(i + 1)")
      try g.writeFixedStringDataset("type", [layer.weightRecurrent == nil ? "dense" : "dense_rec"], length: 10)
      try g.writeDataset("shape", [Int64(layer.size)])
      try g.writeDataset("inFeatures", [Int64(layer.inputSize)], shape: [])
      try g.writeDataset("outFeatures", [Int64(layer.size)], shape: [])
      try g.writeDataset("weight", layer.weight.map(Float.init), shape: [layer.size, layer.inputSize])
      if let rec = layer.weightRecurrent {
        try g.writeDataset("weight_rec", rec.map(Float.init), shape: [layer.size, layer.size])
      }
      if layer.bias != 0 { try g.writeDataset("bias", Array(repeating: Float(layer.bias), count: layer.size)) }
      if let delay = layer.delay {
        try g.writeDataset("delay", delay.map(Float.init), shape: [layer.size, layer.inputSize])
      }
      let neuron = try g.createGroup("neuron")
      try neuron.writeStringDataset("type", "CUBA")
      let p = layer.parameters
      for (key, value) in [("iDecay", p.du + 1), ("vDecay", p.dv), ("vThMant", p.vth), ("refDelay", 1)] {
        try neuron.writeDataset(key, [Int64(value)], shape: [])
      }
      try neuron.writeBooleanDataset("gradedSpike", false)
    }
    try file.close()
  }

  /// Writes what `run_netx.py` needs besides the netx file: the input spikes NDML simulated (Lava
  /// steps), NDML's spikes of every layer, the layer names in order, steps, dt and the config.
  public func writeInputs(to url: URL, networkName: String) throws {
    let file = try HDF5File.create(at: url)
    let root = file.root
    try root.setAttribute("format", "ndml-netx-inputs")
    try root.setAttribute("version", Int64(1))
    try root.setAttribute("network", networkName)
    try root.setAttribute("steps", Int64(steps))
    try root.setAttribute("dt_ms", dtMs)
    try root.setAttribute("ndml_version", NDMLVersion.current)
    try root.setAttribute("layers", layers.map(\.name).joined(separator: "\n"))
    try root.writeStringDataset("config", configText)
    let g = try root.createGroup("input")
    try g.setAttribute("name", input.name)
    try g.setAttribute("size", Int64(input.size))
    try g.writeDataset("steps", input.steps.map(Int64.init))
    try g.writeDataset("node_ids", input.nodeIDs.map(Int64.init))
    let expected = try root.createGroup("ndml_prediction")
    for layer in layers {
      let spikes = prediction[layer.name, default: ([], [])]
      let p = try expected.createGroup(layer.name)
      try p.setAttribute("size", Int64(layer.size))
      try p.writeDataset("steps", spikes.steps.map(Int64.init))
      try p.writeDataset("node_ids", spikes.nodeIDs.map(Int64.init))
    }
    try file.close()
  }

  /// The `run_netx.py` module for files named `networkName` and `inputsName` beside it.
  public func runnerScript(networkName: String, inputsName: String, config: String) -> String {
    NetxRunnerScript.text(
      networkName: networkName, inputsName: inputsName, version: NDMLVersion.current, config: config)
  }
}
