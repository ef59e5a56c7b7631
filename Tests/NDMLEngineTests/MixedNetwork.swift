import NDMLModel

/// A network exercising every path the threads split: neuron populations of both LIF kernels
/// (sizes not a multiple of the SIMD width), Poisson and replayed sources, uniform and
/// per-synapse delays, pair and triplet STDP, a current step, state/weight/trace recording.
func mixedNetwork(threads: Int, precision: Precision) -> Experiment {
  var cuba = LIFCubaParameters()
  cuba.restingPotentialMV = -49
  cuba.thresholdMV = -50
  cuba.resetMV = -60
  cuba.refractoryMs = 2
  var pair = PairSTDPParameters(weightMax: 2)
  pair.aPlus = 0.05
  pair.aMinus = 0.055
  var triplet = TripletSTDPParameters(weightMax: 3)
  triplet.pairing = .nearest
  var simulation = SimulationSettings(durationMs: 300, seed: 11, precision: precision)
  simulation.threads = threads
  return Experiment(
    simulation: simulation,
    populations: [
      Population(name: "e", size: 461, model: .lifCuba(cuba), initialState: ["v": .uniform(low: -60, high: -50)]),
      Population(name: "c", size: 77, model: .lifCoba(LIFCobaParameters())),
      Population(name: "x", size: 120, model: .poisson(.init(rateHz: 15))),
      Population(
        name: "r", size: 3, model: .spikeSource(.init(spikeTimesMs: [[1, 50, 51], [2], [100, 200]]))),
    ],
    projections: [
      Projection(
        name: "ee", source: "e", target: "e", connectivity: .fixedProbability(0.05),
        weight: .uniform(low: 0, high: 2),
        delayMs: .constant(0.5), receptor: .excitatory, plasticity: .pairSTDP(pair)),
      Projection(
        name: "ec", source: "e", target: "c", connectivity: .fixedProbability(0.1),
        weight: .normal(mean: 2, standardDeviation: 1, clipAtZero: true), delayMs: .uniform(low: 0.1, high: 3),
        receptor: .excitatory),
      Projection(
        name: "ce", source: "c", target: "e", connectivity: .fixedInDegree(10), weight: .constant(-0.2),
        delayMs: .constant(1), receptor: .inhibitory),
      Projection(
        name: "xe", source: "x", target: "e", connectivity: .fixedInDegree(8), weight: .uniform(low: 0.5, high: 2.5),
        delayMs: .constant(0.1), receptor: .excitatory, plasticity: .tripletSTDP(triplet)),
      Projection(
        name: "re", source: "r", target: "e", connectivity: .allToAll, weight: .constant(3),
        delayMs: .uniform(low: 0.1, high: 1), receptor: .excitatory),
    ],
    currentInjections: [
      CurrentInjection(
        name: "step", population: "c", neurons: nil,
        schedule: [.init(startMs: 20, amplitudePA: 500), .init(startMs: 150, amplitudePA: 200)])
    ],
    recording: RecordingPlan(
      spikePopulations: ["e", "c", "x", "r"],
      state: [
        .init(population: "e", variables: ["v", "s_e"], neurons: [0, 230, 460], intervalMs: 0.3),
        .init(population: "c", variables: ["v", "g_e"], neurons: [0, 76], intervalMs: 1),
      ],
      weights: [.init(projection: "ee", intervalMs: 50), .init(projection: "xe", intervalMs: 25)],
      traces: [.init(projection: "ee", traces: ["x", "y"], neurons: [1, 2], intervalMs: 1)]))
}
