import Foundation

/// Firing-pattern classes of a neuron under a step current (Naud et al. 2008, Fig. 4; Markram et
/// al. 2004's electrophysiological classes), plus the cases the criteria cannot name.
public enum FiringPattern: String, Sendable, CaseIterable {
  /// No spike in the window.
  case silent
  /// Fires, then stops well before the window ends (Naud's transient spiking).
  case transient
  /// Too few spikes to judge (one or two, the last one late).
  case unclassified
  /// Constant interspike intervals.
  case tonic
  /// Interspike intervals lengthen (spike-frequency adaptation).
  case adapting
  /// Interspike intervals shorten.
  case accelerating
  /// A burst of ≥ 2 short intervals at onset, then single spikes.
  case initialBurst = "initial_burst"
  /// Bursts repeating throughout.
  case regularBursting = "regular_bursting"
  /// Irregular intervals without two distinct interval modes.
  case irregular
  /// A long first-spike latency, then constant intervals.
  case delayedTonic = "delayed_tonic"
  /// A long first-spike latency, then lengthening intervals.
  case delayedAdapting = "delayed_adapting"
  /// A long first-spike latency, then shortening intervals.
  case delayedAccelerating = "delayed_accelerating"
  /// A long first-spike latency, then repeating bursts.
  case delayedRegularBursting = "delayed_regular_bursting"
}

/// The thresholds of ``classifyFiringPattern(spikeTimesMs:startMs:stopMs:criteria:)``; the
/// defaults separate Naud et al. 2008's eight patterns with a margin of at least 1.28× on every
/// criterion at dt = 0.1 ms (measured on `experiments/adex_firing_patterns.yaml`).
public struct FiringPatternCriteria: Sendable, Equatable {
  /// Interval modes are distinct (bursting) when the largest ratio of consecutive sorted
  /// intervals reaches this.
  public var burstGapRatio = 3.0
  /// Delayed: first-spike latency above this many mean intervals.
  public var delayFactor = 2.0
  /// Irregular: coefficient of variation of the intervals in the window's second half above this.
  public var irregularCV = 0.3
  /// Adapting (accelerating): last steady interval at least this many times longer (shorter)
  /// than the first.
  public var adaptationRatio = 1.5
  /// Transient: silence after the last spike longer than this fraction of the window …
  public var transientWindowFraction = 0.2
  /// … and longer than this many times the longest interval.
  public var transientIntervalFactor = 3.0

  /// The defaults.
  public init() {}
}

/// A classified spike train: the class, its two parts and the features behind them (NaN where
/// undefined, e.g. intervals of a train with one spike).
public struct FiringPatternClassification: Sendable, Equatable {
  /// The class.
  public var pattern: FiringPattern
  /// Onset: `none`, `delayed` or `burst` (empty for silent, transient and unclassified trains).
  public var onset: String
  /// Steady state: `tonic`, `adapting`, `accelerating`, `bursting` or `irregular` (empty as above).
  public var steadyState: String
  /// Spikes in the window.
  public var spikes: Int
  /// First spike time minus the window start, ms.
  public var latencyMs: Double
  /// Mean interspike interval, ms.
  public var meanIntervalMs: Double
  /// Naud et al.'s adaptation index: the mean of `(ISI_{k+1} − ISI_k)/(ISI_{k+1} + ISI_k)` over the
  /// steady intervals (after an initial burst); > 0 adapting, < 0 accelerating.
  public var adaptationIndex: Double
  /// Last steady interval over the first.
  public var intervalRatio: Double
  /// Largest ratio of consecutive sorted intervals (bimodality).
  public var gapRatio: Double
  /// Runs of short intervals (bursts), when the intervals are bimodal; 0 otherwise.
  public var bursts: Int
  /// Coefficient of variation of the intervals between spikes in the window's second half.
  public var lateCV: Double
  /// Window stop minus the last spike, ms.
  public var silenceAfterLastMs: Double
}

/// Classifies one neuron's spikes during a step current that lasts the window [`startMs`,
/// `stopMs`), after Naud et al. 2008 (SCIENCE.md 4.2), in this order:
/// 1. no spike: silent;
/// 2. silence after the last spike longer than both `transientWindowFraction` of the window and
///    `transientIntervalFactor` × the longest interval: transient;
/// 3. fewer than 3 spikes: unclassified;
/// 4. intervals bimodal (largest sorted-neighbour ratio ≥ `burstGapRatio`; short = below the
///    geometric mean at that gap): ≥ 2 runs of short intervals is bursting, one run of ≥ 2 at the
///    start an initial burst (the steady state is then judged on the intervals after it);
/// 5. otherwise a latency above `delayFactor` mean intervals makes the onset delayed;
/// 6. steady state: irregular if the intervals of the window's second half have a CV above
///    `irregularCV`, else adapting / accelerating / tonic by the last-over-first steady interval
///    ratio against `adaptationRatio`.
///
/// Step 6 uses the interval ratio rather than a threshold on Naud's adaptation index `A` (which is
/// reported): `A` is roughly `ln(ratio)/(2N)` for a smooth trend over N intervals, so its
/// threshold would depend on the firing rate (Naud's delayed-accelerating cell has A ≈ −0.008,
/// the tonic one +0.0006, the adapting one +0.09).
public func classifyFiringPattern(
  spikeTimesMs: [Double], startMs: Double, stopMs: Double, criteria c: FiringPatternCriteria = .init()
) -> FiringPatternClassification {
  let t = spikeTimesMs.filter { $0 >= startMs && $0 < stopMs }.sorted()
  let intervals = zip(t.dropFirst(), t).map { $0 - $1 }
  var out = FiringPatternClassification(
    pattern: .silent, onset: "", steadyState: "", spikes: t.count, latencyMs: t.first.map { $0 - startMs } ?? .nan,
    meanIntervalMs: intervals.isEmpty ? .nan : intervals.reduce(0, +) / Double(intervals.count),
    adaptationIndex: .nan, intervalRatio: .nan, gapRatio: .nan, bursts: 0, lateCV: .nan,
    silenceAfterLastMs: t.last.map { stopMs - $0 } ?? .nan)
  guard !t.isEmpty else { return out }
  // Features first (all of them, whatever the class), then the decisions.
  var onset = "none"
  var steady: String?
  var steadyIntervals = intervals[...]
  if intervals.count >= 2 {
    // Bimodality: the largest ratio between neighbours in the sorted intervals.
    let sorted = intervals.sorted()
    var gapIndex = 0
    var gap = 0.0
    for k in 0..<(sorted.count - 1) where sorted[k + 1] / sorted[k] > gap {
      gap = sorted[k + 1] / sorted[k]
      gapIndex = k
    }
    out.gapRatio = gap
    if gap >= c.burstGapRatio {
      let split = (sorted[gapIndex] * sorted[gapIndex + 1]).squareRoot()
      let short = intervals.map { $0 < split }
      let runs = zip(short, [false] + short.dropLast()).filter { $0 && !$1 }.count
      if runs >= 2 {
        steady = "bursting"
        out.bursts = runs
      } else if runs == 1 && short.count >= 3 && short[0] && short[1] {
        onset = "burst"
        out.bursts = 1
        steadyIntervals = intervals[(short.firstIndex(of: false) ?? intervals.count)...]
      }
    }
  }
  if onset == "none" && out.latencyMs > c.delayFactor * out.meanIntervalMs { onset = "delayed" }
  let middle = (startMs + stopMs) / 2
  let late = t.filter { $0 >= middle }
  if late.count >= 4 {
    let lateIntervals = zip(late.dropFirst(), late).map { $0 - $1 }
    let mean = lateIntervals.reduce(0, +) / Double(lateIntervals.count)
    let variance = lateIntervals.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(lateIntervals.count)
    out.lateCV = variance.squareRoot() / mean
  }
  if steadyIntervals.count >= 2 {
    let s = Array(steadyIntervals)
    out.adaptationIndex = zip(s.dropFirst(), s).map { ($0 - $1) / ($0 + $1) }.reduce(0, +) / Double(s.count - 1)
    out.intervalRatio = s.last! / s.first!
  }
  let quiet = max(c.transientWindowFraction * (stopMs - startMs), c.transientIntervalFactor * (intervals.max() ?? 0))
  if out.silenceAfterLastMs > quiet {
    out.pattern = .transient
    return out
  }
  guard t.count >= 3 else {
    out.pattern = .unclassified
    return out
  }
  if steady == nil {
    if out.lateCV > c.irregularCV {
      steady = "irregular"
    } else if out.intervalRatio >= c.adaptationRatio {
      steady = "adapting"
    } else if out.intervalRatio <= 1 / c.adaptationRatio {
      steady = "accelerating"
    } else {
      steady = "tonic"
    }
  }
  out.onset = onset
  out.steadyState = steady!
  out.pattern = pattern(onset: onset, steadyState: steady!)
  return out
}

/// Naud et al.'s names for an (onset, steady state) pair.
private func pattern(onset: String, steadyState: String) -> FiringPattern {
  switch (onset, steadyState) {
  case (_, "irregular"): .irregular
  case ("delayed", "bursting"): .delayedRegularBursting
  case (_, "bursting"): .regularBursting
  case ("burst", _): .initialBurst
  case ("delayed", "adapting"): .delayedAdapting
  case ("delayed", "accelerating"): .delayedAccelerating
  case ("delayed", _): .delayedTonic
  case (_, "adapting"): .adapting
  case (_, "accelerating"): .accelerating
  default: .tonic
  }
}

/// The firing patterns of one population's neurons.
public struct PopulationFiringPatterns: Sendable {
  /// Population name.
  public var name: String
  /// One classification per neuron, in neuron order.
  public var neurons: [FiringPatternClassification]

  /// Classifies every neuron of `spikes` over [`startMs`, `stopMs`).
  public init(
    _ spikes: PopulationSpikes, startMs: Double, stopMs: Double, criteria: FiringPatternCriteria = .init()
  ) {
    name = spikes.name
    var perNeuron = Array(repeating: [Double](), count: spikes.size)
    for (time, id) in zip(spikes.timesMs, spikes.nodeIDs) where id >= 0 && id < spikes.size {
      perNeuron[id].append(time)
    }
    neurons = perNeuron.map {
      classifyFiringPattern(spikeTimesMs: $0, startMs: startMs, stopMs: stopMs, criteria: criteria)
    }
  }

  /// The most frequent class (ties: the first in ``FiringPattern`` order).
  public var majority: FiringPattern {
    let counts = self.counts
    return FiringPattern.allCases.max { (counts[$0] ?? 0) < (counts[$1] ?? 0) } ?? .silent
  }

  /// Neurons per class.
  public var counts: [FiringPattern: Int] {
    neurons.reduce(into: [:]) { $0[$1.pattern, default: 0] += 1 }
  }
}
