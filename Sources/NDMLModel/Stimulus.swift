import Foundation

/// A current injected into some or all neurons of a population (`inputs:` in a config).
///
/// Three waveforms: step-wise (`type: current`), a sinusoid (`type: sine`, NEST's
/// `ac_generator`) and Gaussian noise held over fixed intervals (`type: noise`, NEST's
/// `noise_generator`). Every waveform is piecewise constant over the simulation steps: the value
/// in force during step `[t_n, t_{n+1})` is a function of `n` alone (see ``Waveform``). A
/// neuron's total current is its model's bias plus the value of every injection that targets it.
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

  /// A sinusoidal current, as NEST's `ac_generator` (PyNN's `ACSource`):
  /// `I(t) = offsetPA + amplitudePA·sin(2π·frequencyHz·t/1000 + phaseDegrees·π/180)` for
  /// `startMs ≤ t < stopMs`, 0 outside; `t` is the absolute time in ms. During step
  /// `[t_n, t_{n+1})` the current is `I(t_n)`; `startMs` and `stopMs` are rounded to whole steps.
  public struct Sine: Sendable, Equatable {
    /// Amplitude of the oscillation in pA.
    public var amplitudePA: Double
    /// Constant added while the input is on, in pA.
    public var offsetPA: Double
    /// Frequency in Hz (≥ 0).
    public var frequencyHz: Double
    /// Phase at t = 0 in degrees.
    public var phaseDegrees: Double
    /// When the current switches on, in ms.
    public var startMs: Double
    /// When it switches off, in ms (nil: never).
    public var stopMs: Double?

    /// Creates a sinusoid.
    public init(
      amplitudePA: Double, offsetPA: Double = 0, frequencyHz: Double, phaseDegrees: Double = 0,
      startMs: Double = 0, stopMs: Double? = nil
    ) {
      self.amplitudePA = amplitudePA
      self.offsetPA = offsetPA
      self.frequencyHz = frequencyHz
      self.phaseDegrees = phaseDegrees
      self.startMs = startMs
      self.stopMs = stopMs
    }

    /// The current at absolute time `timeMs`, ignoring the on/off window.
    public func currentPA(atMs timeMs: Double) -> Double {
      offsetPA + amplitudePA * sin(2 * Double.pi * frequencyHz * timeMs / 1000 + phaseDegrees * Double.pi / 180)
    }
  }

  /// Gaussian noise, as NEST's `noise_generator` (PyNN's `NoisyCurrentSource`): from `startMs`
  /// on, every `intervalMs` each target neuron independently gets a new value
  /// `meanPA + standardDeviationPA·N(0, 1)`, held until the next; 0 before `startMs` and from
  /// `stopMs` on. Draws are keyed by (seed, input name, neuron, interval index).
  public struct Noise: Sendable, Equatable {
    /// Mean in pA.
    public var meanPA: Double
    /// Standard deviation in pA (≥ 0).
    public var standardDeviationPA: Double
    /// How long each value is held, in ms: a whole multiple of the simulation step (nil: one step).
    public var intervalMs: Double?
    /// When the noise switches on (the first interval starts), in ms.
    public var startMs: Double
    /// When it switches off, in ms (nil: never); the last interval may be cut short.
    public var stopMs: Double?

    /// Creates a noise input.
    public init(
      meanPA: Double, standardDeviationPA: Double, intervalMs: Double? = nil, startMs: Double = 0,
      stopMs: Double? = nil
    ) {
      self.meanPA = meanPA
      self.standardDeviationPA = standardDeviationPA
      self.intervalMs = intervalMs
      self.startMs = startMs
      self.stopMs = stopMs
    }
  }

  /// The time course of an injection.
  public enum Waveform: Sendable, Equatable {
    /// Step-wise: each segment's amplitude holds from its start to the next segment's start; before
    /// the first segment the current is 0. Start times are rounded to the step grid.
    case steps([Segment])
    /// A sinusoid.
    case sine(Sine)
    /// Gaussian noise held over fixed intervals.
    case noise(Noise)
  }

  /// Name of the input (its key in the config).
  public var name: String
  /// Target population.
  public var population: String
  /// Target neuron indices, or nil for all.
  public var neurons: [Int]?
  /// The time course.
  public var waveform: Waveform

  /// The segments of a step-wise injection, sorted by start time (empty for other waveforms).
  public var schedule: [Segment] {
    get {
      if case .steps(let segments) = waveform { return segments }
      return []
    }
    set { waveform = .steps(newValue) }
  }

  /// The config's name of the waveform (`current`, `sine`, `noise`).
  public var typeName: String {
    switch waveform {
    case .steps: "current"
    case .sine: "sine"
    case .noise: "noise"
    }
  }

  /// Creates a step-wise current injection.
  public init(name: String, population: String, neurons: [Int]?, schedule: [Segment]) {
    self.init(name: name, population: population, neurons: neurons, waveform: .steps(schedule))
  }

  /// Creates a current injection with any waveform.
  public init(name: String, population: String, neurons: [Int]?, waveform: Waveform) {
    self.name = name
    self.population = population
    self.neurons = neurons
    self.waveform = waveform
  }
}
