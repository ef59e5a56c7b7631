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

  /// Sparse mode (λ < 0.1 per step): spike counts per step follow Poisson(λ) — multiple spikes in a
  /// step included — and inter-spike intervals are exponential (CV 1), for neurons of a population
  /// whose other neurons are drawn densely; spikes of a step come in ascending neuron order.
  func testSparseAndDenseNeuronsArePoissonAndOrdered() throws {
    let n = 200
    let lambda = 0.05  // 500 Hz at dt = 0.1 ms: sparse, with frequent double spikes
    let rates = (0..<n).map { $0 % 2 == 0 ? lambda * 10_000 : 2_000.0 }  // odd neurons dense (λ = 0.2)
    let e = Experiment(
      simulation: SimulationSettings(durationMs: 2000, seed: 5),
      populations: [
        Population(name: "p", size: n, model: .poisson(.init(schedule: [.init(startMs: 0, ratesHz: rates)])))
      ],
      recording: RecordingPlan(spikePopulations: ["p"]))
    let (obs, _) = try simulate(e)
    let times = obs.spikes["p"]!.timesMs
    let ids = obs.spikes["p"]!.nodeIDs.map(Int.init)
    for k in 1..<ids.count where times[k] == times[k - 1] {
      XCTAssertLessThanOrEqual(ids[k - 1], ids[k], "ascending neuron order within a step")
    }
    var perStep: [Int: Int] = [:]  // (neuron, step) → count, even neurons only
    var lastTime: [Int: Double] = [:]
    var intervals: [Double] = []
    for (t, id) in zip(times, ids) where id % 2 == 0 {
      perStep[id * 100_000 + Int((t / 0.1).rounded()), default: 0] += 1
      if let last = lastTime[id], t > last { intervals.append(t - last) }
      lastTime[id] = t
    }
    let steps = Double(n / 2) * 20_000
    let atLeastOne = Double(perStep.count) / steps
    let atLeastTwo = Double(perStep.values.filter { $0 >= 2 }.count) / steps
    XCTAssertEqual(atLeastOne, -expm1(-lambda), accuracy: 5 * (atLeastOne / steps).squareRoot(), "P(m ≥ 1)")
    let expectedTwo = 1 - exp(-lambda) * (1 + lambda)
    XCTAssertEqual(atLeastTwo, expectedTwo, accuracy: 5 * (expectedTwo / steps).squareRoot(), "P(m ≥ 2)")
    // Intervals between distinct spike steps are geometric in steps: mean dt/(1 − e^−λ), CV ≈ 1.
    let mean = intervals.reduce(0, +) / Double(intervals.count)
    let sd = (intervals.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(intervals.count - 1)).squareRoot()
    XCTAssertEqual(mean, 0.1 / -expm1(-lambda), accuracy: 0.02 * mean, "mean gap")
    XCTAssertEqual(sd / mean, (exp(-lambda)).squareRoot(), accuracy: 0.02, "CV of a geometric gap")
    let dense = ids.filter { $0 % 2 == 1 }.count
    XCTAssertEqual(
      Double(dense), 0.2 * 20_000 * Double(n / 2), accuracy: 5 * (0.2 * 20_000 * Double(n / 2)).squareRoot())
  }

  /// Place cells: the spike count of each neuron equals the integral of its rate over the run, and
  /// spikes fall where its field is (circular mean position at the field centre).
  func testPlaceCellsFireInTheirFields() throws {
    var p = PlaceCellParameters()
    p.trackLengthCm = 100
    p.speedCmPerS = 50  // 2 s per lap
    p.fieldSDCm = 5
    p.peakRateHz = 100
    let n = 10
    let e = Experiment(
      simulation: SimulationSettings(durationMs: 40_000, seed: 9),
      populations: [Population(name: "pc", size: n, model: .placeCells(p))],
      recording: RecordingPlan(spikePopulations: ["pc"]))
    let (obs, _) = try simulate(e)
    let times = obs.spikes["pc"]!.timesMs
    let ids = obs.spikes["pc"]!.nodeIDs.map(Int.init)
    // Expected count: peak · ∫ exp(−d²/2sd²) over 20 laps = peak · sd·√(2π) / speed · laps.
    let expected = 100 * 5 * (2 * Double.pi).squareRoot() / 50 * 20
    for k in 0..<n {
      let mine = zip(times, ids).filter { $0.1 == k }.map(\.0)
      XCTAssertEqual(Double(mine.count), expected, accuracy: 5 * expected.squareRoot(), "neuron \(k) count")
      let angles = mine.map { 2 * Double.pi * p.positionCm(atMs: $0) / p.trackLengthCm }
      let meanAngle = atan2(angles.map(sin).reduce(0, +), angles.map(cos).reduce(0, +))
      var meanCm = meanAngle / (2 * Double.pi) * p.trackLengthCm
      if meanCm < 0 { meanCm += p.trackLengthCm }
      XCTAssertEqual(meanCm, p.centreCm(k, of: n), accuracy: 1, "neuron \(k) field centre")
    }
  }
}
