import Foundation
import XCTest

@testable import NDMLAnalysis

/// The network-state classifier on spike trains whose state is known by construction: independent
/// Poisson neurons (AI), a population rate modulated by a known amplitude (SI; the measured
/// amplitude must recover it), neurons firing together like clockwork (SR), silence (Q).
final class BrunelStateClassifierTests: XCTestCase {
  private let neurons = 1000
  private let window = (startMs: 0.0, stopMs: 1000.0)

  /// Spikes of `neurons` neurons, each an inhomogeneous Poisson process of rate
  /// ν (1 + a cos 2πft) (Hz), drawn by thinning on a 0.1 ms grid.
  private func modulated(rateHz: Double, amplitude: Double, frequencyHz: Double, seed: UInt64) -> PopulationSpikes {
    var generator = SplitMix(seed: seed)
    var times: [Double] = []
    var ids: [Int] = []
    let dt = 0.1
    for step in 0..<Int(window.stopMs / dt) {
      let t = Double(step) * dt
      let p = rateHz * (1 + amplitude * cos(2 * Double.pi * frequencyHz * t / 1000)) * dt / 1000
      for i in 0..<neurons where Double(generator.next() >> 11) * 0x1p-53 < p {
        times.append(t)
        ids.append(i)
      }
    }
    return PopulationSpikes(name: "p", size: neurons, timesMs: times, nodeIDs: ids)
  }

  func testIndependentPoissonNeuronsAreAsynchronousIrregular() {
    let report = classifyNetworkState(
      modulated(rateHz: 20, amplitude: 0, frequencyHz: 0, seed: 1), startMs: window.startMs, stopMs: window.stopMs)
    XCTAssertEqual(report.state, .asynchronousIrregular)
    XCTAssertEqual(report.rateHz, 20, accuracy: 0.5)
    XCTAssertEqual(report.cvMean, 1, accuracy: 0.1)
    // Independent neurons: the spectrum is the Poisson level (index ~1, up to Welch's noise).
    XCTAssertGreaterThan(report.oscillationIndex, 1)
    XCTAssertLessThan(report.oscillationIndex, 5)
    XCTAssertLessThan(report.fastAmplitude, 0.1)
  }

  func testAModulatedRateGivesItsAmplitudeAndState() {
    // 170 Hz and 20 Hz are bin frequencies of the 200 ms segments (5 Hz grid).
    for (a, hz, expected) in [
      (0.6, 170.0, NetworkState.synchronousIrregularFast), (1.0, 20.0, .synchronousIrregularSlow),
      (0.25, 170.0, .asynchronousIrregular),
    ] {
      let report = classifyNetworkState(
        modulated(rateHz: 30, amplitude: a, frequencyHz: hz, seed: 7), startMs: window.startMs, stopMs: window.stopMs)
      XCTAssertEqual(report.state, expected, "a = \(a), \(hz) Hz")
      let (peak, measured) =
        hz >= 60 ? (report.fastPeakHz, report.fastAmplitude) : (report.slowPeakHz, report.slowAmplitude)
      XCTAssertEqual(peak, hz, "a = \(a)")
      // The amplitude is recovered up to the Poisson noise and the Hann window's bias (< 10 %).
      XCTAssertEqual(measured, a, accuracy: 0.1 * a + 0.03, "a = \(a), \(hz) Hz")
    }
  }

  func testSynchronousClockworkIsSynchronousRegular() {
    // Every neuron fires every 4 ms, all within the same 0.1 ms: 250 Hz, CV 0.
    var times: [Double] = []
    var ids: [Int] = []
    for k in 0..<250 {
      for i in 0..<neurons {
        times.append(Double(k) * 4 + 0.1 * Double(i % 2))
        ids.append(i)
      }
    }
    let report = classifyNetworkState(
      PopulationSpikes(name: "p", size: neurons, timesMs: times, nodeIDs: ids), startMs: 0, stopMs: 1000)
    XCTAssertEqual(report.state, .synchronousRegular)
    // A pulse train has every harmonic of 250 Hz at the same power.
    XCTAssertEqual(report.fastPeakHz.truncatingRemainder(dividingBy: 250), 0)
    XCTAssertLessThan(report.cvMean, 0.05)
  }

  func testSilenceAndShortWindows() {
    let silent = PopulationSpikes(name: "p", size: 100, timesMs: [3], nodeIDs: [0])
    XCTAssertEqual(classifyNetworkState(silent, startMs: 0, stopMs: 1000).state, .quiescent)
    let short = modulated(rateHz: 20, amplitude: 0, frequencyHz: 0, seed: 2)
    XCTAssertEqual(classifyNetworkState(short, startMs: 0, stopMs: 150).state, .undetermined)
  }
}
