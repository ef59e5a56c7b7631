import Foundation
import NDMLModel
import XCTest

/// Binary BTSP (Wu & Maass 2025): eligibility windows, once-per-plateau updates, both update rules.
final class BinaryBTSPKernelTests: XCTestCase {
  /// Inputs (arrivals 1 ms after the spikes): 0 at 61 ms, 1 at 121 and 131 ms, 2 at 31 ms, 3 at
  /// 181 ms. Plateaus: target 0 at 100 ms, target 1 at 200 ms; windows 50 ms before and after.
  /// Eligible: (0→0), (1→0) (once, although it arrives twice), (3→1); not (2→·), (0→1), (1→1).
  private func run(_ update: BinaryBTSPParameters.Update, seed: UInt64 = 1) throws -> [[Double]] {
    var rule = BinaryBTSPParameters(weightMax: 1)
    rule.windowBeforeMs = 50
    rule.windowAfterMs = 50
    rule.update = update
    rule.plateaus = PlateauSchedule(durationMs: 1, scheduled: [(0, 100), (1, 200)])
    var cell = LIFCubaParameters()
    cell.thresholdMV = 100
    let e = Experiment(
      simulation: SimulationSettings(durationMs: 300, seed: seed),
      populations: [
        Population(name: "in", size: 4, model: .spikeSource(.init(spikeTimesMs: [[60], [120, 130], [30], [180]]))),
        Population(name: "ca1", size: 2, model: .lifCuba(cell)),
      ],
      projections: [
        Projection(
          name: "btsp", source: "in", target: "ca1", connectivity: .allToAll, weight: .constant(0),
          delayMs: .constant(1), receptor: .excitatory, plasticity: .binaryBTSP(rule))
      ],
      recording: RecordingPlan(weights: [.init(projection: "btsp", intervalMs: 300)]))
    XCTAssertEqual(e.validate().filter { !$0.isWarning }, [])
    let (obs, _) = try simulate(e)
    let layout = obs.weights[0]!.layout
    let final = obs.weights[0]!.values.suffix(layout.sourceIDs.count)
    var w = [[Double]](repeating: [0, 0], count: 4)
    for (k, value) in zip(0..., final) { w[Int(layout.sourceIDs[k])][Int(layout.targetIDs[k])] = value }
    XCTAssertEqual(obs.plateaus["btsp"]!.timesMs, [100, 200])
    return w
  }

  func testFlipChangesEligibleSynapsesOnce() throws {
    let w = try run(.flip)
    XCTAssertEqual(w, [[1, 0], [1, 0], [0, 0], [0, 1]])
  }

  func testSetResetSharesOneCoinPerNeuronAndPlateau() throws {
    var seen: Set<[Double]> = []
    for seed: UInt64 in 1...12 {
      let w = try run(.setReset, seed: seed)
      XCTAssertEqual(w[0][0], w[1][0], "one coin for target 0's plateau")
      XCTAssertEqual([w[2][0], w[2][1], w[0][1], w[1][1]], [0, 0, 0, 0], "ineligible synapses unchanged")
      seen.insert([w[0][0], w[3][1]])
    }
    XCTAssertEqual(seen.count, 4, "both outcomes occur for both neurons")
  }
}
