import Foundation
import NDMLModel
import XCTest

@testable import NDMLEngine

/// `alif` against `lif_cuba` (identical without spikes or without adaptation) and against closed
/// forms of the adaptation variable and of spike times under a moving threshold.
final class ALIFKernelTests: XCTestCase {
  private func cell(_ configure: (inout ALIFParameters) -> Void = { _ in }) -> ALIFParameters {
    var p = ALIFParameters()
    p.restingPotentialMV = -70
    p.thresholdMV = -55
    p.resetMV = -70
    p.refractoryMs = 2
    configure(&p)
    return p
  }

  private func lif(_ p: ALIFParameters) -> LIFCubaParameters {
    var q = LIFCubaParameters()
    q.tauMembraneMs = p.tauMembraneMs
    q.tauSynapticExcitatoryMs = p.tauSynapticExcitatoryMs
    q.tauSynapticInhibitoryMs = p.tauSynapticInhibitoryMs
    q.restingPotentialMV = p.restingPotentialMV
    q.thresholdMV = p.thresholdMV
    q.resetMV = p.resetMV
    q.refractoryMs = p.refractoryMs
    q.capacitancePF = p.capacitancePF
    q.biasCurrentPA = p.biasCurrentPA
    return q
  }

  /// A neuron driven by a current and by excitatory and inhibitory input spikes, recording v, s_e, s_i.
  private func run(_ model: NeuronModel, currentPA: Double, precision: Precision) throws -> MemoryObserver {
    let source = Population(
      name: "s", size: 1, model: .spikeSource(.init(spikeTimesMs: [[5, 20, 21, 22, 60, 61, 62, 63, 64, 120]])))
    let e = Experiment(
      simulation: SimulationSettings(dtMs: 0.1, durationMs: 200, precision: precision),
      populations: [source, Population(name: "n", size: 1, model: model)],
      projections: [
        Projection(
          name: "e", source: "s", target: "n", connectivity: .oneToOne, weight: .constant(3),
          delayMs: .constant(1), receptor: .excitatory),
        Projection(
          name: "i", source: "s", target: "n", connectivity: .oneToOne, weight: .constant(-1),
          delayMs: .constant(2), receptor: .inhibitory),
      ],
      currentInjections: [
        .init(name: "c", population: "n", neurons: nil, schedule: [.init(startMs: 10, amplitudePA: currentPA)])
      ],
      recording: RecordingPlan(
        spikePopulations: ["n"],
        state: [.init(population: "n", variables: ["v", "s_e", "s_i"], neurons: [0], intervalMs: 0.1)]))
    return try simulate(e).0
  }

  /// Without adaptation (β = 0, b = 0) `alif` is `lif_cuba`: the same spikes and the same v, s_e,
  /// s_i to the last bit, in both precisions. Subthreshold (no spike, so a stays 0) the same holds
  /// for any β.
  func testEqualsLIFCubaWithoutAdaptationAndBelowThreshold() throws {
    for precision in [Precision.float64, .float32] {
      for (beta, currentPA) in [(0.0, 500.0), (0.0, 900.0), (3.0, 100.0)] {
        let p = cell { $0.thresholdIncrementMV = beta }
        let a = try run(.alif(p), currentPA: currentPA, precision: precision)
        let b = try run(.lifCuba(lif(p)), currentPA: currentPA, precision: precision)
        if beta > 0 { XCTAssertNil(a.spikes["n"], "the subthreshold case must stay subthreshold") }
        XCTAssertEqual(a.spikes["n"]?.timesMs, b.spikes["n"]?.timesMs, "spikes, β = \(beta), \(currentPA) pA")
        for v in ["v", "s_e", "s_i"] {
          XCTAssertEqual(a.samples["0/\(v)"], b.samples["0/\(v)"], "\(v), β = \(beta), \(currentPA) pA, \(precision)")
        }
      }
    }
  }

  /// `a` decays exactly and jumps by 1 per spike: a(t) = a0·e^(−t/τ_a) + Σ_{t_k ≤ t} e^(−(t − t_k)/τ_a)
  /// (spikes stamped t_k; a sample at t_k already includes that spike's jump). Likewise the
  /// adaptation current, w(t) = Σ b·e^(−(t − t_k)/τ_w).
  func testAdaptationVariablesDecayExactlyAndJumpPerSpike() throws {
    let p = cell {
      $0.thresholdIncrementMV = 2
      $0.tauAdaptationMs = 150
      $0.currentIncrementPA = 40
      $0.tauCurrentMs = 60
    }
    let e = Experiment(
      simulation: SimulationSettings(dtMs: 0.1, durationMs: 400),
      populations: [Population(name: "n", size: 1, model: .alif(p), initialState: ["a": .constant(3)])],
      currentInjections: [
        .init(
          name: "c", population: "n", neurons: nil,
          schedule: [.init(startMs: 50, amplitudePA: 900), .init(startMs: 250, amplitudePA: 0)])
      ],
      recording: RecordingPlan(
        spikePopulations: ["n"], state: [.init(population: "n", variables: ["a", "w"], neurons: [0], intervalMs: 0.1)]))
    let (obs, _) = try simulate(e)
    let spikes = obs.spikes["n"]!.timesMs
    XCTAssertGreaterThan(spikes.count, 5)
    let a = obs.samples["0/a"]!
    let w = obs.samples["0/w"]!
    for k in stride(from: 0, to: a.count, by: 3) {
      let t = Double(k) * 0.1
      let fired = spikes.filter { $0 <= t + 1e-9 }
      let expectedA = 3 * exp(-t / 150) + fired.reduce(0) { $0 + exp(-(t - $1) / 150) }
      let expectedW = fired.reduce(0) { $0 + 40 * exp(-(t - $1) / 60) }
      assertClose(Double(a[k]), expectedA, tolerance: 2e-6 * max(1, expectedA), "a at \(t) ms")
      assertClose(Double(w[k]), expectedW, tolerance: 2e-5 * max(1, expectedW), "w at \(t) ms")
    }
  }

  /// Spike times under the moving threshold A(t) = θ + β·a(t): with constant current and no
  /// synaptic input, v(t) relaxes exactly towards v∞ = E_L + R·I, so the first two spikes fall at the
  /// first grid times where v(t_n) > θ + β·a(t_n), a taken before the step's jump — computed here
  /// from the closed forms, step by step.
  func testSpikeTimesFollowTheMovingThreshold() throws {
    for precision in [Precision.float64, .float32] {
      let p = cell {
        $0.thresholdIncrementMV = 1.5
        $0.tauAdaptationMs = 300
        $0.refractoryMs = 2
      }
      let dt = 0.1
      let current = 700.0
      let e = Experiment(
        simulation: SimulationSettings(dtMs: dt, durationMs: 120, precision: precision),
        populations: [Population(name: "n", size: 1, model: .alif(p), initialState: ["a": .constant(2)])],
        currentInjections: [
          .init(name: "c", population: "n", neurons: nil, schedule: [.init(startMs: 0, amplitudePA: current)])
        ],
        recording: RecordingPlan(spikePopulations: ["n"]))
      let (obs, _) = try simulate(e)
      let times = obs.spikes["n"]!.timesMs
      let vInf = p.restingPotentialMV + p.resistanceMOhm * current / 1000
      var expected: [Double] = []
      var start = 0  // step from which v evolves freely
      var vStart = p.restingPotentialMV
      var aStart = 2.0
      var aStep = 0
      for n in 1...1200 where expected.count < 2 && n > start {
        let t = Double(n - start) * dt
        let v = vInf + (vStart - vInf) * exp(-t / p.tauMembraneMs)
        let a = aStart * exp(-Double(n - aStep) * dt / p.tauAdaptationMs)
        if v > p.thresholdMV + p.thresholdIncrementMV * a {
          expected.append(Double(n) * dt)
          aStart = a + 1
          aStep = n
          start = n + Int((p.refractoryMs / dt).rounded())
          vStart = p.resetMV
        }
      }
      XCTAssertEqual(expected.count, 2)
      for (observed, wanted) in zip(times, expected) {
        assertClose(observed, wanted, tolerance: 1e-9, "spike time (\(precision))")
      }
    }
  }

  /// A larger β slows the steady rate and lengthens the last interval relative to the first.
  func testStrongerAdaptationLowersTheRate() throws {
    var counts: [Int] = []
    for beta in [0.0, 0.5, 2.0] {
      let p = cell { $0.thresholdIncrementMV = beta }
      let e = Experiment(
        simulation: SimulationSettings(durationMs: 1000),
        populations: [Population(name: "n", size: 1, model: .alif(p))],
        currentInjections: [
          .init(name: "c", population: "n", neurons: nil, schedule: [.init(startMs: 0, amplitudePA: 800)])
        ],
        recording: RecordingPlan(spikePopulations: ["n"]))
      counts.append(try simulate(e).0.spikes["n"]!.timesMs.count)
    }
    XCTAssertGreaterThan(counts[0], counts[1])
    XCTAssertGreaterThan(counts[1], counts[2])
  }
}
