import NDMLModel
import XCTest

@testable import NDMLEngine

/// Compact synapse storage: a projection whose weights are all equal and never change keeps one
/// weight instead of one per synapse, and delivers exactly what per-synapse weights deliver.
final class SynapseStorageTests: XCTestCase {
  private func table(weights: [Double], sharing: Bool) -> SynapseTable<Double> {
    var rows = SynapseRows(offsets: [0, 2, 3])
    rows.targets = [0, 1, 1]
    rows.weights = weights
    rows.delaySteps = [1, 1, 1]
    return SynapseTable(
      projectionName: "p", sourcePopulation: 0, targetPopulation: 1, channel: .excitatory, rows: rows,
      sharingEqualWeights: sharing)
  }

  /// Equal weights are shared only when allowed, never when they differ (±0 included).
  func testEqualWeightsAreSharedOnlyWhenAllowedAndEqual() {
    let offsets = 3 * MemoryLayout<Int>.size
    let shared = table(weights: [0.5, 0.5, 0.5], sharing: true)
    XCTAssertTrue(shared.hasUniformWeight)
    XCTAssertEqual(shared.bytes, offsets + 3 * 4)
    XCTAssertEqual(shared.view.weights[0], 0.5)
    for (weights, sharing) in [([0.5, 0.5, 0.5], false), ([0.5, 0.5, 0.25], true), ([0.0, -0.0, 0.0], true)] {
      let t = table(weights: weights, sharing: sharing)
      XCTAssertFalse(t.hasUniformWeight, "\(weights), sharing \(sharing)")
      XCTAssertEqual(t.bytes, offsets + 3 * 12)
      XCTAssertEqual((0..<3).map { t.weights[$0] }, weights)
    }
  }

  /// The mixed network's two constant-weight static projections (`ce`: uniform delay, delivered
  /// directly; `re`: per-synapse delays, delivered through the ring) share their weight; recording
  /// their weights forces per-synapse storage. Both runs give the same spikes and samples, on one
  /// and on two threads, and the shared form saves 8 bytes per synapse of the two.
  func testSharedWeightDeliversLikePerSynapseWeights() throws {
    for threads in [1, 2] {
      let compact = mixedNetwork(threads: threads, precision: .float64)
      var stored = compact
      stored.recording.weights += [.init(projection: "ce", intervalMs: 100), .init(projection: "re", intervalMs: 100)]
      let (a, summaryA) = try simulate(compact)
      let (b, summaryB) = try simulate(stored)
      for (population, recorded) in b.spikes {
        XCTAssertEqual(a.spikes[population]?.timesMs, recorded.timesMs, "\(population), \(threads) threads")
        XCTAssertEqual(a.spikes[population]?.nodeIDs, recorded.nodeIDs, "\(population), \(threads) threads")
      }
      XCTAssertEqual(a.samples, b.samples, "\(threads) threads")
      XCTAssertGreaterThan(b.spikes["e"]?.timesMs.count ?? 0, 0)
      let sharedSynapses = 461 * 10 + 3 * 461  // ce: in-degree 10 onto e; re: all-to-all
      XCTAssertEqual(summaryB.synapseBytes - summaryA.synapseBytes, sharedSynapses * MemoryLayout<Double>.size)
    }
  }
}
