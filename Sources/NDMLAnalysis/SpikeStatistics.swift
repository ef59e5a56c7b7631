import Foundation

/// The spikes of one population inside an analysis window.
public struct PopulationSpikes: Sendable {
  /// Population name.
  public var name: String
  /// Number of neurons (silent ones count).
  public var size: Int
  /// Spike times in ms, any order.
  public var timesMs: [Double]
  /// Population-local neuron id of each spike.
  public var nodeIDs: [Int]

  /// Creates the spikes of a population.
  public init(name: String, size: Int, timesMs: [Double], nodeIDs: [Int]) {
    self.name = name
    self.size = size
    self.timesMs = timesMs
    self.nodeIDs = nodeIDs
  }
}

/// Settings of ``analyzePopulation(_:options:)``; defaults match `Tests/python/spikestats.py`.
public struct AnalysisOptions: Sendable {
  /// Start of the analysis window in ms (inclusive).
  public var startMs: Double
  /// End of the analysis window in ms (exclusive).
  public var stopMs: Double
  /// Bin of spike counts for Fano factors and correlations, in ms.
  public var binMs = 10.0
  /// At most this many neurons (with spikes) enter the correlation matrix.
  public var correlationNeurons = 200
  /// Bin of Golomb's χ in ms.
  public var chiBinMs = 5.0
  /// χ uses neurons `0..<chiNeurons` (at most the population).
  public var chiNeurons = 1000
  /// Bin of the population rate whose spectrum is taken, in ms.
  public var spectrumBinMs = 0.1
  /// Welch segment length in ms (frequency resolution 1000/segment Hz).
  public var segmentMs = 100.0
  /// The spectral peak is searched above this frequency (Hz).
  public var minHz = 20.0
  /// Bins of the histogram of single-neuron rates.
  public var rateHistogramBins = 20

  /// Creates options for the window [startMs, stopMs).
  public init(startMs: Double, stopMs: Double) {
    self.startMs = startMs
    self.stopMs = stopMs
  }
}

/// Every statistic of one population (NaN where it is undefined, e.g. no spikes).
public struct PopulationAnalysis: Sendable {
  /// Population name.
  public var name: String
  /// Number of neurons.
  public var size: Int
  /// Spikes inside the window.
  public var spikes: Int
  /// Single-neuron rates (Hz): mean, std (ddof 0), median, 10th and 90th percentile (linear
  /// interpolation), fraction of neurons without a spike.
  public var rateMean, rateStd, rateMedian, rateP10, rateP90, silentFraction: Double
  /// Edges of the histogram of single-neuron rates (Hz).
  public var rateHistogramEdgesHz: [Double]
  /// Neurons per histogram bin.
  public var rateHistogramCounts: [Int]
  /// CV of inter-spike intervals over neurons with ≥ 3 spikes: mean, median.
  public var cvMean, cvMedian: Double
  /// Neurons with a CV.
  public var cvNeurons: Int
  /// Mean Fano factor of binned counts over neurons with spikes.
  public var fanoMean: Double
  /// Neurons with a Fano factor.
  public var fanoNeurons: Int
  /// Pairwise Pearson correlation of binned counts: mean, std.
  public var correlationMean, correlationStd: Double
  /// Number of pairs in the correlation statistics.
  public var correlationPairs: Int
  /// Neurons sampled for the correlations (before those with constant counts are left out).
  public var correlationNeuronsSampled: Int
  /// Golomb's synchrony χ.
  public var chi: Double
  /// Neurons χ used.
  public var chiNeurons: Int
  /// Frequencies of the Welch spectrum of the population rate (Hz).
  public var spectrumFrequenciesHz: [Double]
  /// Welch power at each frequency (unnormalised).
  public var spectrumPower: [Double]
  /// Frequency (Hz) of the largest power above `minHz`; NaN without power.
  public var spectrumPeakHz: Double
  /// The power at the peak.
  public var spectrumPeakPower: Double
}

/// The spike-count bin of a time (the 1e-6-bin nudge puts spikes stored as k·dt with rounding
/// error into the bin they belong to on the dt grid, as spikestats.py does).
@inline(__always)
func binIndex(_ t: Double, start: Double, bin: Double) -> Int { Int(((t - start) / bin + 1e-6).rounded(.down)) }

/// Linear-interpolation percentile of sorted values (NumPy's default).
func percentile(_ sorted: [Double], _ q: Double) -> Double {
  guard !sorted.isEmpty else { return .nan }
  let position = q * Double(sorted.count - 1)
  let low = Int(position.rounded(.down))
  let high = min(low + 1, sorted.count - 1)
  return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
}

/// Mean and population standard deviation (NaN for no values).
func meanAndStd(_ xs: [Double]) -> (Double, Double) {
  guard !xs.isEmpty else { return (.nan, .nan) }
  let mean = xs.reduce(0, +) / Double(xs.count)
  let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(xs.count)
  return (mean, variance.squareRoot())
}

/// Spike counts of neurons `0..<neurons` (rows) in `bins` bins of `binMs` from `startMs`, for the
/// spikes inside [start, start + bins·bin), row-major.
func binnedCounts(_ spikes: PopulationSpikes, neurons: Int, startMs: Double, binMs: Double, bins: Int) -> [Double] {
  var counts = [Double](repeating: 0, count: neurons * bins)
  let stop = startMs + Double(bins) * binMs
  for (t, i) in zip(spikes.timesMs, spikes.nodeIDs) where t >= startMs && t < stop && i < neurons {
    counts[i * bins + min(max(binIndex(t, start: startMs, bin: binMs), 0), bins - 1)] += 1
  }
  return counts
}

/// The spikes of each neuron inside [startMs, stopMs), in file order.
func spikeTrains(_ spikes: PopulationSpikes, startMs: Double, stopMs: Double) -> [[Double]] {
  var perNeuron = [[Double]](repeating: [], count: spikes.size)
  for (t, i) in zip(spikes.timesMs, spikes.nodeIDs) where t >= startMs && t < stopMs && i >= 0 && i < spikes.size {
    perNeuron[i].append(t)
  }
  return perNeuron
}

/// The CV of the interspike intervals of every train with at least 3 spikes (and intervals of
/// positive mean).
func isiCVs(_ trains: [[Double]]) -> [Double] {
  var cvs: [Double] = []
  for var train in trains where train.count >= 3 {
    train.sort()
    let isis = zip(train.dropFirst(), train).map { $0 - $1 }
    let (mean, std) = meanAndStd(isis)
    if mean > 0 { cvs.append(std / mean) }
  }
  return cvs
}

/// Analyses one population inside the options' window.
///
/// ```swift
/// let spikes = PopulationSpikes(name: "exc", size: 3200, timesMs: times, nodeIDs: ids)
/// var options = AnalysisOptions(startMs: 200, stopMs: 1000)
/// options.binMs = 5
/// let stats = analyzePopulation(spikes, options: options)
/// print(stats.rateMean, stats.cvMean, stats.chi, stats.spectrumPeakHz)
/// ```
public func analyzePopulation(_ spikes: PopulationSpikes, options o: AnalysisOptions) -> PopulationAnalysis {
  let window = o.stopMs - o.startMs
  let n = spikes.size
  let perNeuron = spikeTrains(spikes, startMs: o.startMs, stopMs: o.stopMs)
  let total = perNeuron.reduce(0) { $0 + $1.count }
  let rates = perNeuron.map { Double($0.count) / (window / 1000) }
  let sortedRates = rates.sorted()
  let (rateMean, rateStd) = meanAndStd(rates)
  let maxRate = max(sortedRates.last ?? 0, 1e-12)
  let bins = max(1, o.rateHistogramBins)
  let edges = (0...bins).map { maxRate * Double($0) / Double(bins) }
  var histogram = [Int](repeating: 0, count: bins)
  for r in rates { histogram[min(Int(r / maxRate * Double(bins)), bins - 1)] += 1 }

  let cvs = isiCVs(perNeuron)

  let countBins = Int(((window) / o.binMs + 1e-9).rounded(.down))
  var fanos: [Double] = []
  var correlation = (mean: Double.nan, std: Double.nan, pairs: 0, sampled: 0)
  if countBins >= 2 {
    let counts = binnedCounts(spikes, neurons: n, startMs: o.startMs, binMs: o.binMs, bins: countBins)
    for i in 0..<n {
      let row = counts[(i * countBins)..<((i + 1) * countBins)]
      let (mean, std) = meanAndStd(Array(row))
      if mean > 0 { fanos.append(std * std / mean) }
    }
    let active = (0..<n).filter { !perNeuron[$0].isEmpty }
    let m = min(active.count, max(o.correlationNeurons, 0))
    let sampled = (0..<m).map { active[$0 * active.count / m] }
    correlation = pairwiseCorrelations(counts: counts, bins: countBins, neurons: sampled)
  }

  let chiNeurons = min(n, o.chiNeurons)
  let chi = synchronyChi(spikes, neurons: chiNeurons, options: o)
  let spectrum = ratePowerSpectrum(spikes, options: o)
  var peak = (hz: Double.nan, power: Double.nan)
  for (f, p) in zip(spectrum.frequencies, spectrum.power) where f > o.minHz && p > 0 && !(p <= peak.power) {
    peak = (f, p)
  }
  return PopulationAnalysis(
    name: spikes.name, size: n, spikes: total, rateMean: rateMean, rateStd: rateStd,
    rateMedian: percentile(sortedRates, 0.5), rateP10: percentile(sortedRates, 0.1),
    rateP90: percentile(sortedRates, 0.9),
    silentFraction: n > 0 ? Double(perNeuron.filter(\.isEmpty).count) / Double(n) : .nan,
    rateHistogramEdgesHz: edges, rateHistogramCounts: histogram, cvMean: meanAndStd(cvs).0,
    cvMedian: percentile(cvs.sorted(), 0.5), cvNeurons: cvs.count, fanoMean: meanAndStd(fanos).0,
    fanoNeurons: fanos.count, correlationMean: correlation.mean, correlationStd: correlation.std,
    correlationPairs: correlation.pairs, correlationNeuronsSampled: correlation.sampled, chi: chi,
    chiNeurons: chiNeurons, spectrumFrequenciesHz: spectrum.frequencies, spectrumPower: spectrum.power,
    spectrumPeakHz: peak.hz, spectrumPeakPower: peak.power)
}

/// Golomb's χ of neurons `0..<neurons`: `sqrt(var_t(mean_i n_i(t)) / mean_i var_t(n_i(t)))` on
/// counts in bins of `chiBinMs` tiling the window (partial last bin dropped); NaN when no count
/// varies or the window holds fewer than 2 bins.
func synchronyChi(_ spikes: PopulationSpikes, neurons: Int, options o: AnalysisOptions) -> Double {
  let bins = Int(((o.stopMs - o.startMs) / o.chiBinMs + 1e-9).rounded(.down))
  guard bins >= 2, neurons > 0 else { return .nan }
  let counts = binnedCounts(spikes, neurons: neurons, startMs: o.startMs, binMs: o.chiBinMs, bins: bins)
  var populationMean = [Double](repeating: 0, count: bins)
  var meanVariance = 0.0
  for i in 0..<neurons {
    let row = Array(counts[(i * bins)..<((i + 1) * bins)])
    meanVariance += pow(meanAndStd(row).1, 2)
    for b in 0..<bins { populationMean[b] += row[b] }
  }
  meanVariance /= Double(neurons)
  guard meanVariance > 0 else { return .nan }
  let averaged = populationMean.map { $0 / Double(neurons) }
  return (pow(meanAndStd(averaged).1, 2) / meanVariance).squareRoot()
}
