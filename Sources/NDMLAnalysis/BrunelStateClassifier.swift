import Foundation

/// The dynamical states of Brunel (2000)'s sparse excitatory–inhibitory network, as named in its
/// phase diagrams (Fig. 2), plus the two cases a finite simulation adds.
public enum NetworkState: String, Sendable, CaseIterable {
  /// No (or almost no) activity.
  case quiescent = "Q"
  /// Synchronous regular: neurons fire regularly, in step, at high rates.
  case synchronousRegular = "SR"
  /// Asynchronous irregular: stationary population activity, irregular single cells.
  case asynchronousIrregular = "AI"
  /// Synchronous irregular with a fast global oscillation (above ``NetworkStateCriteria/fastHz``).
  case synchronousIrregularFast = "SI_fast"
  /// Synchronous irregular with a slow global oscillation.
  case synchronousIrregularSlow = "SI_slow"
  /// Asynchronous but regular single cells (not a state of the paper's diagram).
  case asynchronousRegular = "AR"
  /// Active, but the window is shorter than one spectral segment: no spectrum to judge by.
  case undetermined = "?"
}

/// The thresholds of ``classifyNetworkState(_:startMs:stopMs:criteria:)``; the defaults and
/// their derivation are in `docs/validation.md` ("Brunel (2000) phase diagram").
public struct NetworkStateCriteria: Sendable, Equatable {
  /// Below this mean rate (Hz) the network is quiescent.
  public var quiescentRateHz = 0.5
  /// Single cells are regular when the mean CV of their ISIs is below this.
  public var regularCV = 0.2
  /// The population oscillates slowly when the relative amplitude of its largest spectral peak
  /// in [``minHz``, ``fastHz``) reaches this (finite networks at low rates fluctuate slowly and
  /// strongly without oscillating, hence the higher threshold) …
  public var slowAmplitude = 0.8
  /// … else fast when the relative amplitude of its largest peak at or above ``fastHz`` reaches
  /// this (see ``NetworkStateReport/fastAmplitude``).
  public var fastAmplitude = 0.4
  /// The border between slow and fast oscillations (Hz).
  public var fastHz = 60.0
  /// Slow peaks are searched from this frequency (Hz); fast ones up to 1 / (2 · bin).
  public var minHz = 5.0
  /// Bin of the population rate (ms) and Welch segment length (ms) of the spectrum.
  public var binMs = 0.5
  public var segmentMs = 200.0

  /// The defaults.
  public init() {}
}

/// The measures behind a state, and the state.
public struct NetworkStateReport: Sendable {
  /// Mean rate over neurons and window (Hz).
  public var rateHz: Double
  /// Mean CV of ISI over neurons with at least 3 spikes (NaN if none).
  public var cvMean: Double
  /// Frequency of the largest spectral peak at or above ``NetworkStateCriteria/minHz`` (Hz; NaN
  /// without spikes).
  public var peakHz: Double
  /// That peak's power over the power independent Poisson neurons at the same mean rate would
  /// give: how much the network amplifies its finite-size noise at that frequency.
  public var oscillationIndex: Double
  /// Frequency and relative amplitude a of the largest peak at or above
  /// ``NetworkStateCriteria/fastHz``: the a of r(t) = ν (1 + a cos 2πft) that would give its
  /// power, 2 √power / (ν Σ hann).
  public var fastPeakHz: Double
  public var fastAmplitude: Double
  /// The same for the largest peak in [``NetworkStateCriteria/minHz``, ``NetworkStateCriteria/fastHz``).
  public var slowPeakHz: Double
  public var slowAmplitude: Double
  /// The state these measures give.
  public var state: NetworkState
}

/// Classifies a population's activity in [startMs, stopMs) into Brunel (2000)'s states:
///
/// 1. quiescent if the mean rate is below `quiescentRateHz`; undetermined if the window is
///    shorter than one spectral segment;
/// 2. the population-rate spectrum (Welch, Hann segments of `segmentMs`, bins of `binMs`) gives
///    the relative amplitude of its largest fast peak (at or above `fastHz`) and of its largest
///    slow one (from `minHz`); the population oscillates slowly if the second reaches
///    `slowAmplitude` (a slow oscillation far from a sinusoid has strong harmonics above
///    `fastHz`), else fast if the first reaches `fastAmplitude`;
/// 3. regular cells (mean CV of ISI below `regularCV`): SR if it oscillates, else AR;
///    irregular cells: SI fast or SI slow if it oscillates, else AI.
public func classifyNetworkState(
  _ spikes: PopulationSpikes, startMs: Double, stopMs: Double, criteria c: NetworkStateCriteria = .init()
) -> NetworkStateReport {
  var options = AnalysisOptions(startMs: startMs, stopMs: stopMs)
  options.spectrumBinMs = c.binMs
  options.segmentMs = c.segmentMs
  let window = (stopMs - startMs) / 1000
  let perNeuron = spikeTrains(spikes, startMs: startMs, stopMs: stopMs)
  let total = perNeuron.reduce(0) { $0 + $1.count }
  let rate = spikes.size > 0 && window > 0 ? Double(total) / Double(spikes.size) / window : 0
  let cv = meanAndStd(isiCVs(perNeuron)).0
  let spectrum = ratePowerSpectrum(spikes, options: options)
  func peak(from low: Double, below high: Double) -> (hz: Double, power: Double) {
    var best = (hz: Double.nan, power: 0.0)
    for (f, p) in zip(spectrum.frequencies, spectrum.power) where f >= low && f < high && p > best.power {
      best = (f, p)
    }
    return best
  }
  let all = peak(from: c.minHz, below: .infinity)
  let fast = peak(from: c.fastHz, below: .infinity)
  let slow = peak(from: c.minHz, below: c.fastHz)
  let length = Int((c.segmentMs / c.binMs).rounded())
  let hann = (0..<max(length, 2)).map { 0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(length - 1)) }
  let floor = rate / (Double(max(spikes.size, 1)) * c.binMs * 1e-3) * hann.reduce(0) { $0 + $1 * $1 }
  let hannSum = hann.reduce(0, +)
  func amplitude(_ power: Double) -> Double { rate > 0 ? 2 * power.squareRoot() / (rate * hannSum) : 0 }
  // Slow first: a slow oscillation far from a sinusoid has strong harmonics above `fastHz`.
  let oscillation: NetworkState? =
    amplitude(slow.power) >= c.slowAmplitude
    ? .synchronousIrregularSlow : amplitude(fast.power) >= c.fastAmplitude ? .synchronousIrregularFast : nil
  let state: NetworkState
  if !(rate >= c.quiescentRateHz) {
    state = .quiescent
  } else if spectrum.power.isEmpty {
    state = .undetermined
  } else if cv < c.regularCV {
    state = oscillation == nil ? .asynchronousRegular : .synchronousRegular
  } else {
    state = oscillation ?? .asynchronousIrregular
  }
  return NetworkStateReport(
    rateHz: rate, cvMean: cv, peakHz: all.hz, oscillationIndex: floor > 0 ? all.power / floor : 0,
    fastPeakHz: fast.hz, fastAmplitude: amplitude(fast.power), slowPeakHz: slow.hz,
    slowAmplitude: amplitude(slow.power), state: state)
}
