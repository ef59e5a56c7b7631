/// A step-wise current injected into some or all neurons of a population.
///
/// The amplitude is a step function of time: each segment's amplitude (pA) holds from its start to
/// the next segment's start; before the first segment the current is 0. Start times are rounded to
/// the step grid, so the exact propagators stay exact.
public struct CurrentInjection: Sendable, Equatable {
  /// One segment: from `startMs` on, these amplitudes (one for all target neurons, or one per
  /// target neuron in the order of `neurons`).
  public struct Segment: Sendable, Equatable {
    /// Start of the segment in ms.
    public var startMs: Double
    /// Amplitudes in pA: one value, or one per target neuron.
    public var amplitudesPA: [Double]
    /// Creates a segment with one amplitude for every target neuron.
    public init(startMs: Double, amplitudePA: Double) {
      self.startMs = startMs
      self.amplitudesPA = [amplitudePA]
    }
    /// Creates a segment with one amplitude per target neuron.
    public init(startMs: Double, amplitudesPA: [Double]) {
      self.startMs = startMs
      self.amplitudesPA = amplitudesPA
    }
    /// The amplitude for the `k`-th target neuron.
    public func amplitude(forTarget k: Int) -> Double { amplitudesPA.count == 1 ? amplitudesPA[0] : amplitudesPA[k] }
  }

  /// Name of the input (its key in the config).
  public var name: String
  /// Target population.
  public var population: String
  /// Target neuron indices, or nil for all.
  public var neurons: [Int]?
  /// The amplitude schedule, sorted by start time.
  public var schedule: [Segment]

  /// Creates a current injection.
  public init(name: String, population: String, neurons: [Int]?, schedule: [Segment]) {
    self.name = name
    self.population = population
    self.neurons = neurons
    self.schedule = schedule
  }
}
