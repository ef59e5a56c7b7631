import NDMLModel

/// The one place that maps a population's model to its CPU kernel (an exhaustive switch: a new
/// model case does not compile until it is handled here).
enum KernelFactory {
  /// The ``PopulationKernel/emitsAtStepEnd`` and ``PopulationKernel/splitsAcrossThreads`` of the
  /// kernel ``make(population:dtMs:seed:initial:weightExponents:)`` makes for `model`, known
  /// before it is made (the partition is planned before anything is built).
  static func threading(of model: NeuronModel) -> (emitsAtStepEnd: Bool, splitsAcrossThreads: Bool) {
    switch model {
    case .lifCuba, .lifCoba, .alif, .adex, .loihiCuba: (true, true)
    case .poisson, .placeCells: (false, true)
    case .memoryPatterns, .spikeSource: (false, false)
    }
  }

  /// The kernel of `pop`; `weightExponents` are the `loihi.weight_exp` of the projections onto it
  /// (config order), used by `loihi_cuba` only.
  static func make<S: EngineScalar>(
    population pop: Population, dtMs: Double, seed: UInt64, initial: [String: (Int) -> Double],
    weightExponents: [Int] = []
  ) -> any PopulationKernel<S> {
    switch pop.model {
    case .lifCuba(let p) where p.synapseShape == .alpha:
      LIFCubaAlphaKernel<S>(
        parameters: p, size: pop.size, dtMs: dtMs, initial: initial,
        perNeuron: pop.neuronModels?.map { if case .lifCuba(let q) = $0 { q } else { p } })
    case .lifCuba(let p):
      LIFCubaKernel<S>(
        parameters: p, size: pop.size, dtMs: dtMs, initial: initial,
        perNeuron: pop.neuronModels?.map { if case .lifCuba(let q) = $0 { q } else { p } })
    case .lifCoba(let p) where p.synapseShape == .alpha:
      LIFCobaAlphaKernel<S>(
        parameters: p, size: pop.size, dtMs: dtMs, initial: initial,
        perNeuron: pop.neuronModels?.map { if case .lifCoba(let q) = $0 { q } else { p } })
    case .lifCoba(let p):
      LIFCobaKernel<S>(
        parameters: p, size: pop.size, dtMs: dtMs, initial: initial,
        perNeuron: pop.neuronModels?.map { if case .lifCoba(let q) = $0 { q } else { p } })
    case .alif(let p):
      ALIFKernel<S>(parameters: p, size: pop.size, dtMs: dtMs, initial: initial)
    case .adex(let p) where p.synapseType == .conductance:
      AdExConductanceKernel<S>(parameters: p, size: pop.size, dtMs: dtMs, initial: initial)
    case .adex(let p):
      AdExKernel<S>(parameters: p, size: pop.size, dtMs: dtMs, initial: initial)
    case .loihiCuba(let p):
      LoihiCubaKernel<S>(parameters: p, size: pop.size, weightExponents: weightExponents, initial: initial)
    case .poisson(let p):
      PoissonKernel<S>(
        parameters: p, size: pop.size, dtMs: dtMs,
        stream: RandomStream(seed: seed, purpose: "poisson/\(pop.name)"),
        gapStream: RandomStream(seed: seed, purpose: "poisson-gaps/\(pop.name)"))
    case .placeCells(let p):
      PoissonKernel<S>(
        parameters: PoissonSourceParameters(rateHz: p.peakRateHz), size: pop.size, dtMs: dtMs,
        stream: RandomStream(seed: seed, purpose: "poisson/\(pop.name)"),
        gapStream: RandomStream(seed: seed, purpose: "poisson-gaps/\(pop.name)"),
        modulation: { [size = pop.size] k, n in
          p.relativeRate(centreCm: p.centreCm(k, of: size), positionCm: p.positionCm(atMs: Double(n) * dtMs))
        },
        thinningStream: RandomStream(seed: seed, purpose: "poisson-thinning/\(pop.name)"))
    case .memoryPatterns(let p):
      MemoryPatternKernel<S>(parameters: p, size: pop.size, dtMs: dtMs, seed: seed, population: pop.name)
    case .spikeSource(let p):
      SpikeSourceKernel<S>(parameters: p, size: pop.size, dtMs: dtMs)
    }
  }
}
