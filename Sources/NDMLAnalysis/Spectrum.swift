import CBLAS
import Foundation

/// Welch power spectrum of a population's rate `r(t)` = spikes in `[t, t + bin)` / size / bin (Hz)
/// inside the window: segments of `segmentMs` with 50 % overlap, each segment's mean removed, a
/// Hann window (NumPy's `hanning`), `|DFT|²` averaged over segments, unnormalised — the definition
/// of `Tests/python/spikestats.py`. The DFTs of all segments are two matrix products (segments ×
/// cosines, segments × sines) done by OpenBLAS. Empty arrays when the window is shorter than one
/// segment.
func ratePowerSpectrum(_ spikes: PopulationSpikes, options o: AnalysisOptions) -> (
  frequencies: [Double], power: [Double]
) {
  let samples = Int(((o.stopMs - o.startMs) / o.spectrumBinMs + 1e-9).rounded(.down))
  let length = Int((o.segmentMs / o.spectrumBinMs).rounded())
  guard spikes.size > 0, length >= 4, samples >= length else { return ([], []) }
  let stop = o.startMs + Double(samples) * o.spectrumBinMs
  var rate = [Double](repeating: 0, count: samples)
  let scale = 1 / Double(spikes.size) / (o.spectrumBinMs * 1e-3)
  for t in spikes.timesMs where t >= o.startMs && t < stop {
    rate[min(max(binIndex(t, start: o.startMs, bin: o.spectrumBinMs), 0), samples - 1)] += scale
  }
  let step = max(length / 2, 1)
  let starts = Array(stride(from: 0, through: samples - length, by: step))
  let hann = (0..<length).map { 0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(length - 1)) }
  var segments = [Double](repeating: 0, count: starts.count * length)
  for (r, s) in starts.enumerated() {
    let mean = rate[s..<(s + length)].reduce(0, +) / Double(length)
    for k in 0..<length { segments[r * length + k] = (rate[s + k] - mean) * hann[k] }
  }
  let frequencies = length / 2 + 1
  var cosines = [Double](repeating: 0, count: length * frequencies)
  var sines = [Double](repeating: 0, count: length * frequencies)
  for n in 0..<length {
    for f in 0..<frequencies {
      let angle = 2 * Double.pi * Double((n * f) % length) / Double(length)
      cosines[n * frequencies + f] = cos(angle)
      sines[n * frequencies + f] = sin(angle)
    }
  }
  var real = [Double](repeating: 0, count: starts.count * frequencies)
  var imaginary = real
  let rows = Int32(starts.count)
  cblas_dgemm(
    CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, Int32(frequencies), Int32(length), 1, segments, Int32(length),
    cosines, Int32(frequencies), 0, &real, Int32(frequencies))
  cblas_dgemm(
    CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, Int32(frequencies), Int32(length), 1, segments, Int32(length),
    sines, Int32(frequencies), 0, &imaginary, Int32(frequencies))
  var power = [Double](repeating: 0, count: frequencies)
  for r in 0..<starts.count {
    for f in 0..<frequencies {
      let re = real[r * frequencies + f]
      let im = imaginary[r * frequencies + f]
      power[f] += re * re + im * im
    }
  }
  let binSeconds = o.spectrumBinMs * 1e-3
  return (
    (0..<frequencies).map { Double($0) / (Double(length) * binSeconds) }, power.map { $0 / Double(starts.count) }
  )
}

/// Pearson correlations of the binned counts of `neurons` (rows of `counts`, `bins` columns):
/// rows are centred and scaled to unit norm, the correlation matrix is their Gram matrix (OpenBLAS
/// `dsyrk`); neurons whose counts do not vary are left out. Mean and population std of the
/// off-diagonal coefficients, the number of pairs, and of neurons sampled.
func pairwiseCorrelations(counts: [Double], bins: Int, neurons: [Int]) -> (
  mean: Double, std: Double, pairs: Int, sampled: Int
) {
  var rows: [Double] = []
  var used = 0
  for i in neurons {
    let row = counts[(i * bins)..<((i + 1) * bins)]
    let mean = row.reduce(0, +) / Double(bins)
    let centred = row.map { $0 - mean }
    let norm = centred.reduce(0) { $0 + $1 * $1 }.squareRoot()
    guard norm > 0 else { continue }
    rows += centred.map { $0 / norm }
    used += 1
  }
  guard used >= 2 else { return (.nan, .nan, 0, neurons.count) }
  var gram = [Double](repeating: 0, count: used * used)
  cblas_dsyrk(
    CblasRowMajor, CblasUpper, CblasNoTrans, Int32(used), Int32(bins), 1, rows, Int32(bins), 0, &gram, Int32(used))
  var values: [Double] = []
  values.reserveCapacity(used * (used - 1) / 2)
  for a in 0..<used {
    for b in (a + 1)..<used { values.append(gram[a * used + b]) }
  }
  let (mean, std) = meanAndStd(values)
  return (mean, std, values.count, neurons.count)
}
