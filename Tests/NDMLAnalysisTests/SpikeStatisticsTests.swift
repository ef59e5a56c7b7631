import Foundation
import XCTest

@testable import NDMLAnalysis

/// Statistics on spike trains whose answers are known exactly.
final class SpikeStatisticsTests: XCTestCase {
  private func options(_ stopMs: Double) -> AnalysisOptions { AnalysisOptions(startMs: 0, stopMs: stopMs) }

  /// Regular trains: CV 0; counts in bins of one period are all 1: Fano 0; rates exact.
  func testRegularTrains() {
    var times: [Double] = []
    var ids: [Int] = []
    for i in 0..<10 {
      for k in 0..<100 {
        times.append(Double(k) * 50 + Double(i))  // 20 Hz, phase i ms
        ids.append(i)
      }
    }
    var o = options(5000)
    o.binMs = 50
    let a = analyzePopulation(PopulationSpikes(name: "p", size: 12, timesMs: times, nodeIDs: ids), options: o)
    XCTAssertEqual(a.spikes, 1000)
    XCTAssertEqual(a.cvMean, 0, accuracy: 1e-12)
    XCTAssertEqual(a.cvNeurons, 10)
    XCTAssertEqual(a.fanoMean, 0, accuracy: 1e-12)
    XCTAssertEqual(a.rateMedian, 20, accuracy: 1e-12)
    XCTAssertEqual(a.silentFraction, 2.0 / 12, accuracy: 1e-12)
    XCTAssertEqual(a.rateMean, 1000 / 12 / 5.0, accuracy: 1e-12)
    XCTAssertEqual(a.rateHistogramCounts.reduce(0, +), 12)
  }

  /// Identical trains: every correlation is 1 and χ is 1 (full synchrony).
  func testIdenticalTrainsAreFullyCorrelatedAndSynchronous() {
    var generator = SplitMix(seed: 3)
    let base = (0..<200).map { _ in Double(generator.next() % 10_000) / 10 }
    var times: [Double] = []
    var ids: [Int] = []
    for i in 0..<5 {
      times += base
      ids += Array(repeating: i, count: base.count)
    }
    let a = analyzePopulation(
      PopulationSpikes(name: "p", size: 5, timesMs: times, nodeIDs: ids), options: options(1000))
    XCTAssertEqual(a.correlationMean, 1, accuracy: 1e-12)
    XCTAssertEqual(a.correlationPairs, 10)
    XCTAssertEqual(a.chi, 1, accuracy: 1e-12)
  }

  /// A rate modulated at 50 Hz puts the spectrum's peak at 50 Hz (10 Hz resolution).
  func testSpectrumPeakOfAPeriodicRate() {
    var generator = SplitMix(seed: 5)
    func uniform() -> Double { (Double(generator.next() >> 11) + 0.5) / 9_007_199_254_740_992 }
    var times: [Double] = []
    var ids: [Int] = []
    for cycle in 0..<100 {  // 2 s of 20 ms cycles: every neuron fires once per cycle, jittered (sd 2 ms)
      for i in 0..<50 {
        let jitter = 2 * (-2 * log(uniform())).squareRoot() * cos(2 * Double.pi * uniform())
        times.append(max(0, Double(cycle) * 20 + 10 + jitter))
        ids.append(i)
      }
    }
    let a = analyzePopulation(
      PopulationSpikes(name: "p", size: 50, timesMs: times, nodeIDs: ids), options: options(2000))
    XCTAssertEqual(a.spectrumPeakHz, 50)
    XCTAssertEqual(a.spectrumFrequenciesHz.count, 501)
    XCTAssertEqual(a.spectrumFrequenciesHz[1], 10, accuracy: 1e-9)
  }

  /// The BLAS DFT equals a direct sum.
  func testSpectrumMatchesADirectDFT() {
    var generator = SplitMix(seed: 9)
    let times = (0..<3000).map { _ in Double(generator.next() % 3000) / 10 }
    var o = options(300)
    o.spectrumBinMs = 1
    o.segmentMs = 100
    let spikes = PopulationSpikes(name: "p", size: 7, timesMs: times, nodeIDs: times.map { _ in 0 })
    let (frequencies, power) = ratePowerSpectrum(spikes, options: o)
    var rate = [Double](repeating: 0, count: 300)
    for t in times { rate[Int(t + 1e-9)] += 1 / 7.0 / 1e-3 }
    var expected = [Double](repeating: 0, count: 51)
    let starts = [0, 50, 100, 150, 200]
    for s in starts {
      let segment = Array(rate[s..<(s + 100)])
      let mean = segment.reduce(0, +) / 100
      for f in 0...50 {
        var re = 0.0
        var im = 0.0
        for n in 0..<100 {
          let x = (segment[n] - mean) * (0.5 - 0.5 * cos(2 * Double.pi * Double(n) / 99))
          re += x * cos(2 * Double.pi * Double(f * n) / 100)
          im -= x * sin(2 * Double.pi * Double(f * n) / 100)
        }
        expected[f] += (re * re + im * im) / Double(starts.count)
      }
    }
    XCTAssertEqual(frequencies.count, 51)
    for f in 0...50 { XCTAssertEqual(power[f], expected[f], accuracy: 1e-9 * max(expected[f], 1)) }
  }

  /// No spikes: statistics are NaN, nothing traps.
  func testSilentPopulation() {
    let a = analyzePopulation(PopulationSpikes(name: "p", size: 4, timesMs: [], nodeIDs: []), options: options(1000))
    XCTAssertEqual(a.spikes, 0)
    XCTAssertEqual(a.rateMean, 0)
    XCTAssert(a.cvMean.isNaN && a.fanoMean.isNaN && a.correlationMean.isNaN && a.chi.isNaN)
    XCTAssertEqual(a.silentFraction, 1)
  }

  func testPercentileMatchesNumPy() {
    XCTAssertEqual(percentile([1, 2, 3, 4], 0.1), 1.3, accuracy: 1e-12)
    XCTAssertEqual(percentile([1, 2, 3, 4], 0.5), 2.5, accuracy: 1e-12)
  }
}

/// A small deterministic generator for test data.
struct SplitMix {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
