import NDMLModel
import XCTest

@testable import NDMLEngine

/// Poisson sources: counts per window have mean = variance = rate·T (Fano factor 1), also when
/// rate·dt exceeds 1 (multiple spikes per step), and the schedule switches rates on time.
final class PoissonKernelTests: XCTestCase {
  func testCountsArePoisson() throws {
    for rate in [20.0, 15_000.0] {
      let n = 400
      let e = Experiment(
        simulation: SimulationSettings(durationMs: 1000, seed: 11),
        populations: [Population(name: "p", size: n, model: .poisson(.init(rateHz: rate)))],
        recording: RecordingPlan(spikePopulations: ["p"]))
      let (obs, _) = try simulate(e)
      var counts = [Double](repeating: 0, count: n)
      for id in obs.spikes["p"]!.nodeIDs { counts[Int(id)] += 1 }
      let mean = counts.reduce(0, +) / Double(n)
      let variance = counts.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
      XCTAssertEqual(mean, rate, accuracy: 5 * (rate / Double(n)).squareRoot(), "mean count at \(rate) Hz")
      // The sample variance of n Poisson counts has sd ≈ λ·sqrt(2/(n−1)).
      XCTAssertEqual(variance / mean, 1, accuracy: 5 * (2.0 / Double(n - 1)).squareRoot(), "Fano factor at \(rate) Hz")
    }
  }

  func testScheduleSwitchesRate() throws {
    let schedule = PoissonSourceParameters(schedule: [
      .init(startMs: 0, ratesHz: [0]), .init(startMs: 500, ratesHz: [100]),
    ])
    let e = Experiment(
      simulation: SimulationSettings(durationMs: 1000),
      populations: [Population(name: "p", size: 100, model: .poisson(schedule))],
      recording: RecordingPlan(spikePopulations: ["p"]))
    let (obs, _) = try simulate(e)
    let times = obs.spikes["p"]!.timesMs
    XCTAssert(times.allSatisfy { $0 >= 500 })
    XCTAssertEqual(Double(times.count), 5000, accuracy: 5 * 5000.0.squareRoot())
  }
}
