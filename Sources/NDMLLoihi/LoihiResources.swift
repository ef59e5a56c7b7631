import Foundation
import NDMLEngine
import NDMLModel

/// What an exported network needs of Loihi 2: neurons, synapses, synaptic memory, and an estimate
/// of the neuro-cores and chips, with a warning for every published limit it exceeds.
///
/// The limits are Intel's published figures for Loihi 2 (Intel Labs, "Taking Neuromorphic
/// Computing to the Next Level with Loihi 2", Technology Brief, 2021; Orchard G et al., "Efficient
/// Neuromorphic Signal Processing with Loihi 2", IEEE SiPS 2021, doi:10.1109/SiPS52927.2021.00053):
/// 128 neuro-cores per chip, up to 1 million neurons and 120 million synapses per chip, and
/// 128 KiB of synaptic memory per core. Per core that gives at most 8192 neurons (1 M / 128).
///
/// The estimate is a lower bound, not a placement: each population gets whole cores of its own
/// (Lava maps a process onto cores), enough for its neurons (8192 per core) and for the synapses
/// onto it, each costing its weight's bits (`num_weight_bits` plus a sign bit for mixed-sign
/// projections) plus 6 bits when the projection has delays, packed into 128 KiB per core. Intel's
/// compiler also spends memory on routing and compression tables that this does not model.
public struct LoihiResourceReport: Sendable, Codable {
  /// Loihi 2's published per-chip and per-core limits (see the type's documentation).
  public enum Limits {
    public static let coresPerChip = 128
    public static let neuronsPerChip = 1 << 20
    public static let synapsesPerChip = 120_000_000
    public static let neuronsPerCore = 8192
    public static let synapticMemoryBitsPerCore = 128 * 1024 * 8
  }

  /// One population's share.
  public struct Population: Sendable, Codable {
    public var name: String
    public var neurons: Int
    /// Synapses onto the population and the bits they take.
    public var incomingSynapses: Int
    public var synapticMemoryBits: Int
    public var cores: Int
    /// The largest input one neuron can receive in a step, `Σ|w|·2^weight_exp·64` over its
    /// synapses; at 2²³ or more `u` can wrap within one step.
    public var largestInputPerStep: Int
  }

  /// One projection's share.
  public struct Projection: Sendable, Codable {
    public var name: String
    public var synapses: Int
    public var bitsPerSynapse: Int
  }

  public var populations: [Population] = []
  public var projections: [Projection] = []
  public var cores = 0
  public var chips = 0
  public var warnings: [String] = []

  /// The report of `experiment`'s `loihi_cuba` populations and the projections onto them, with the
  /// synapses NDML builds (the experiment must be valid).
  public init(_ experiment: Experiment) {
    var bits: [String: Int] = [:]
    var synapses: [String: Int] = [:]
    var largest: [String: [Int]] = [:]
    let loihi = experiment.populations.filter { if case .loihiCuba = $0.model { true } else { false } }
    for pop in loihi { largest[pop.name] = Array(repeating: 0, count: pop.size) }
    let built = BuiltNetwork(experiment)
    for (proj, part) in zip(experiment.projections, built.projections) where largest[proj.target] != nil {
      let weights = part.weights.map { Int($0.rounded()) }
      let shortest = experiment.population(named: proj.source)!.model.isSource ? 2 : 1
      let mode = proj.loihi.resolvedSignMode(weights)
      let perSynapse =
        proj.loihi.numWeightBits + (mode == .mixed ? 1 : 0) + (part.delaySteps.contains { $0 > shortest } ? 6 : 0)
      projections.append(.init(name: proj.name, synapses: part.sources.count, bitsPerSynapse: perSynapse))
      bits[proj.target, default: 0] += perSynapse * part.sources.count
      synapses[proj.target, default: 0] += part.sources.count
      let quantized = proj.loihi.effectiveWeights(part.weights)
      var sums = Array(repeating: 0, count: largest[proj.target]!.count)
      for (post, w) in zip(part.targets, quantized) { sums[post] += abs(w) }
      for (post, sum) in sums.enumerated() {
        largest[proj.target]![post] += LoihiSynapseSettings.shift(sum, by: proj.loihi.weightExp) << 6
      }
    }
    for pop in loihi {
      let memory = bits[pop.name, default: 0]
      let cores = max(
        (pop.size + Limits.neuronsPerCore - 1) / Limits.neuronsPerCore,
        (memory + Limits.synapticMemoryBitsPerCore - 1) / Limits.synapticMemoryBitsPerCore, 1)
      let input = largest[pop.name]!.max() ?? 0
      populations.append(
        .init(
          name: pop.name, neurons: pop.size, incomingSynapses: synapses[pop.name, default: 0],
          synapticMemoryBits: memory, cores: cores, largestInputPerStep: input))
      if input >= 1 << 23 {
        warnings.append(
          "population \(pop.name): one step's input can reach \(input) (Σ|w|·2^weight_exp·64), beyond Loihi's 24-bit "
            + "current; u may wrap (lower the weights or the fan-in)")
      }
    }
    cores = populations.reduce(0) { $0 + $1.cores }
    chips = (cores + Limits.coresPerChip - 1) / Limits.coresPerChip
    let neurons = populations.reduce(0) { $0 + $1.neurons }
    let allSynapses = projections.reduce(0) { $0 + $1.synapses }
    if chips > 1 {
      warnings.append(
        "needs about \(cores) neuro-cores, more than one Loihi 2 chip's \(Limits.coresPerChip): \(chips) chips")
    }
    if neurons > Limits.neuronsPerChip * max(chips, 1) {
      warnings.append("\(neurons) neurons exceed \(Limits.neuronsPerChip) per chip")
    }
    if allSynapses > Limits.synapsesPerChip * max(chips, 1) {
      warnings.append("\(allSynapses) synapses exceed \(Limits.synapsesPerChip) per chip")
    }
  }

  /// The report as text.
  public var text: String {
    var lines = ["Loihi 2 resources (estimate; limits from Intel's Loihi 2 brief, docs/loihi-export.md):"]
    for p in populations {
      lines.append(
        "  \(p.name): \(p.neurons) neurons, \(p.incomingSynapses) synapses in (\(p.synapticMemoryBits / 8) bytes), "
          + "≥ \(p.cores) core\(p.cores == 1 ? "" : "s"), largest input per step \(p.largestInputPerStep)")
    }
    for p in projections { lines.append("  \(p.name): \(p.synapses) synapses × \(p.bitsPerSynapse) bits") }
    lines.append("  total: ≥ \(cores) of \(Limits.coresPerChip) cores per chip, \(chips) chip\(chips == 1 ? "" : "s")")
    lines += warnings.map { "  warning: \($0)" }
    return lines.joined(separator: "\n")
  }
}
