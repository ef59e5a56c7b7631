import NDMLModel

/// The synapses and initial state exactly as the CPU backend builds them for an experiment (same
/// seed, same keyed random draws), for exporters that must describe the very network NDML
/// simulates.
public struct BuiltNetwork: Sendable {
  /// One projection's synapses, grouped by source neuron and sorted by target within a source.
  public struct Synapses: Sendable {
    /// Projection name.
    public var projection: String
    /// Presynaptic neuron of each synapse.
    public var sources: [Int]
    /// Postsynaptic neuron of each synapse.
    public var targets: [Int]
    /// Weights as drawn from the config, in the target model's weight unit (for a `loihi_cuba`
    /// target before rounding and Lava's quantisation: see `LoihiSynapseSettings`).
    public var weights: [Double]
    /// Delays in steps (≥ 1).
    public var delaySteps: [Int]
  }

  /// Per projection, in config order.
  public var projections: [Synapses]
  /// Per population (config order), the initial value of each state variable the config sets,
  /// per neuron; variables the config leaves out start at the model's default.
  public var initialState: [[String: [Double]]]

  /// Builds the synapses and draws the initial state of `experiment` (which must be valid).
  public init(_ experiment: Experiment) {
    let seed = experiment.simulation.seed
    projections = experiment.projections.map { proj in
      let s = experiment.population(named: proj.source)!
      let t = experiment.population(named: proj.target)!
      let rows = ConnectivityBuilder(
        projection: proj, sourceSize: s.size, targetSize: t.size, dtMs: experiment.simulation.dtMs, seed: seed
      ).build()
      var sources: [Int] = []
      sources.reserveCapacity(rows.targets.count)
      for k in 0..<s.size { sources += repeatElement(k, count: rows.offsets[k + 1] - rows.offsets[k]) }
      return Synapses(
        projection: proj.name, sources: sources, targets: rows.targets.map(Int.init), weights: rows.weights,
        delaySteps: rows.delaySteps.map(Int.init))
    }
    initialState = experiment.populations.map { pop in
      initialDraws(pop, seed: seed).mapValues { draw in (0..<pop.size).map(draw) }
    }
  }
}

/// The initial-state draws of `pop`'s configured variables, by name: neuron index → value (keyed by
/// (seed, population, variable), independent of everything else).
func initialDraws(_ pop: Population, seed: UInt64) -> [String: (Int) -> Double] {
  var draws: [String: (Int) -> Double] = [:]
  for (name, dist) in pop.initialState {
    let stream = RandomStream(seed: seed, purpose: "init/\(pop.name)/\(name)")
    draws[name] = { stream.sample(dist, UInt64($0), 0) }
  }
  return draws
}
