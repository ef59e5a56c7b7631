import Foundation
import NDMLModel
import XCTest

/// `lif_coba` against closed forms where its exponential-Euler scheme is exact: with constant
/// conductances the membrane is linear, so spike times under a constant current are the LIF
/// first-passage times with τ = C/g_tot and v∞ = (g_L·E_L + g_e·E_e + I)/g_tot.
final class LIFCobaKernelTests: XCTestCase {
  func testSpikeTimesWithConstantCurrentEqualClosedForm() throws {
    var p = LIFCobaParameters()
    p.refractoryMs = 2
    p.biasCurrentPA = 250  // v∞ = −60 + 250/10 = −35 mV
    let e = Experiment(
      simulation: SimulationSettings(dtMs: 0.1, durationMs: 200),
      populations: [Population(name: "n", size: 1, model: .lifCoba(p))],
      recording: RecordingPlan(spikePopulations: ["n"]))
    let (obs, _) = try simulate(e)
    let tau = p.capacitancePF / p.leakConductanceNS
    let vInf = p.restingPotentialMV + p.biasCurrentPA / p.leakConductanceNS
    let passage = tau * log((vInf - p.resetMV) / (vInf - p.thresholdMV))  // from rest = reset = −60 mV
    var expected: [Double] = []
    var t = (passage / 0.1).rounded(.up) * 0.1
    while t <= 200 + 1e-9 {
      expected.append(t)
      t += 2 + (passage / 0.1).rounded(.up) * 0.1
    }
    let times = obs.spikes["n"]!.timesMs
    XCTAssertEqual(times.count, expected.count)
    for (a, b) in zip(times, expected) { assertClose(a, b, tolerance: 1e-9, "spike time") }
  }

  /// A conductance input decays exactly: g_e(t) = w·e^(−Δ/τ_e) after an input of weight w.
  func testConductanceDecaysExactly() throws {
    let w = 3.0
    let e = Experiment(
      simulation: SimulationSettings(durationMs: 40),
      populations: [
        Population(name: "s", size: 1, model: .spikeSource(.init(spikeTimesMs: [[5]]))),
        Population(name: "n", size: 1, model: .lifCoba(LIFCobaParameters())),
      ],
      projections: [
        Projection(
          name: "sn", source: "s", target: "n", connectivity: .oneToOne, weight: .constant(w),
          delayMs: .constant(1), receptor: .excitatory)
      ],
      recording: RecordingPlan(state: [.init(population: "n", variables: ["g_e"], neurons: [0], intervalMs: 0.1)]))
    let (obs, _) = try simulate(e)
    let g = obs.samples["0/g_e"]!
    for k in 60..<g.count {
      let d = Double(k) * 0.1 - 6
      assertClose(Double(g[k]), w * exp(-d / 5), tolerance: 1e-6, "g_e at \(Double(k) * 0.1) ms")
    }
    XCTAssertEqual(g[59], 0, "nothing before the arrival at 6 ms")
  }
}
