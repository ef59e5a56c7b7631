import Foundation
import XCTest

@testable import NDMLAnalysis

/// The firing-pattern classifier on synthetic spike trains whose class is known by construction
/// (window [0, 600) ms, as in `experiments/adex_firing_patterns.yaml`).
final class FiringPatternClassifierTests: XCTestCase {
  /// Spike times from a first-spike latency and a list of intervals.
  private func train(latency: Double, intervals: [Double]) -> [Double] {
    var t = [latency]
    for isi in intervals { t.append(t.last! + isi) }
    return t.filter { $0 < 600 }
  }

  /// Bursts of `size` spikes `intra` ms apart, starting at `first` and every `period` ms.
  private func bursts(first: Double, period: Double, size: Int, intra: Double) -> [Double] {
    stride(from: first, to: 600, by: period).flatMap { start in (0..<size).map { start + Double($0) * intra } }
      .filter { $0 < 600 }
  }

  private func classify(_ t: [Double]) -> FiringPatternClassification {
    classifyFiringPattern(spikeTimesMs: t, startMs: 0, stopMs: 600)
  }

  func testEachClassOnItsSyntheticTrain() {
    // Deterministic "irregular" intervals: uniform on [5, 40) from a linear congruential sequence.
    var state: UInt64 = 12345
    let irregular = (0..<60).map { _ -> Double in
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return 5 + 35 * Double(state >> 11) / Double(1 << 53)
    }
    let cases: [(String, [Double], FiringPattern)] = [
      ("tonic", train(latency: 10, intervals: Array(repeating: 10, count: 60)), .tonic),
      ("adapting", train(latency: 10, intervals: (0..<40).map { 10 + 60 * (1 - exp(-Double($0) / 3)) }), .adapting),
      (
        "accelerating", train(latency: 5, intervals: (0..<60).map { 10 + 10 * exp(-Double($0) / 10) }),
        .accelerating
      ),
      (
        "delayed accelerating", train(latency: 40, intervals: (0..<60).map { 10 + 10 * exp(-Double($0) / 10) }),
        .delayedAccelerating
      ),
      ("delayed tonic", train(latency: 50, intervals: Array(repeating: 10, count: 60)), .delayedTonic),
      ("initial burst", [5, 8, 12] + stride(from: 60.0, to: 600, by: 60), .initialBurst),
      ("regular bursting", bursts(first: 10, period: 100, size: 3, intra: 4), .regularBursting),
      ("delayed regular bursting", bursts(first: 150, period: 50, size: 3, intra: 3), .delayedRegularBursting),
      ("irregular", train(latency: 10, intervals: irregular), .irregular),
      ("transient", [10, 15, 25], .transient),
      ("silent", [], .silent),
    ]
    for (name, spikes, expected) in cases {
      let c = classify(spikes)
      XCTAssertEqual(c.pattern, expected, "\(name): \(c)")
    }
  }

  func testFeaturesOfKnownTrains() {
    let tonic = classify(train(latency: 10, intervals: Array(repeating: 10, count: 60)))
    XCTAssertEqual(tonic.spikes, 59)
    XCTAssertEqual(tonic.latencyMs, 10)
    XCTAssertEqual(tonic.meanIntervalMs, 10, accuracy: 1e-12)
    XCTAssertEqual(tonic.adaptationIndex, 0, accuracy: 1e-12)
    XCTAssertEqual(tonic.intervalRatio, 1, accuracy: 1e-12)
    XCTAssertEqual(tonic.onset, "none")
    XCTAssertEqual(tonic.steadyState, "tonic")
    // Two intervals 10 and 30: A = (30 − 10)/(30 + 10) = 0.5.
    let two = classify([100, 110, 140])
    XCTAssertEqual(two.adaptationIndex, 0.5, accuracy: 1e-12)
    XCTAssertEqual(two.intervalRatio, 3, accuracy: 1e-12)
    let bursting = classify(bursts(first: 10, period: 100, size: 3, intra: 4))
    XCTAssertEqual(bursting.bursts, 6)
    XCTAssertEqual(bursting.gapRatio, 92 / 4, accuracy: 1e-9)
    XCTAssertEqual(bursting.steadyState, "bursting")
  }

  func testEdgeCases() {
    let none = classify([])
    XCTAssertEqual(none.pattern, .silent)
    XCTAssert(none.latencyMs.isNaN && none.meanIntervalMs.isNaN && none.adaptationIndex.isNaN)
    // One spike, then 580 ms of silence: firing stopped (transient); one spike near the end, or two
    // late ones: too few to judge.
    XCTAssertEqual(classify([20]).pattern, .transient)
    XCTAssertEqual(classify([590]).pattern, .unclassified)
    XCTAssertEqual(classify([500, 560]).pattern, .unclassified)
    // Spikes outside the window are ignored.
    let shifted = classifyFiringPattern(
      spikeTimesMs: [-5, 1000] + train(latency: 10, intervals: Array(repeating: 10, count: 60)), startMs: 0,
      stopMs: 600)
    XCTAssertEqual(shifted.pattern, .tonic)
    XCTAssertEqual(shifted.spikes, 59)
  }

  func testPopulationClassifiesEachNeuronAndTakesTheMajority() {
    let tonic = train(latency: 10, intervals: Array(repeating: 10, count: 60))
    let times = tonic + tonic + [20]
    let ids = Array(repeating: 0, count: tonic.count) + Array(repeating: 2, count: tonic.count) + [3]
    let population = PopulationFiringPatterns(
      PopulationSpikes(name: "p", size: 5, timesMs: times, nodeIDs: ids), startMs: 0, stopMs: 600)
    XCTAssertEqual(population.neurons.map(\.pattern), [.tonic, .silent, .tonic, .transient, .silent])
    XCTAssertEqual(population.counts, [.tonic: 2, .silent: 2, .transient: 1])
    XCTAssertEqual(population.majority, .silent, "ties go to the first class in declaration order")
  }
}
