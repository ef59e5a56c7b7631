import Foundation
import NDMLModel
import XCTest

@testable import NDMLEngine

/// `lif_cuba` against closed forms: first-passage times under constant current, the PSP as a
/// difference of exponentials, exact refractoriness.
final class LIFCubaKernelTests: XCTestCase {
  private func neuron(_ configure: (inout LIFCubaParameters) -> Void = { _ in }) -> LIFCubaParameters {
    var p = LIFCubaParameters()
    p.tauMembraneMs = 20
    p.restingPotentialMV = -70
    p.thresholdMV = -55
    p.resetMV = -70
    p.refractoryMs = 2
    p.capacitancePF = 250
    configure(&p)
    return p
  }

  /// v(t) = E_L + R·I·(1 − e^(−t/τ)) from rest reaches θ at T = −τ·ln(1 − (θ − E_L)/(R·I)); after a
  /// spike the neuron restarts from V_reset once the refractory period is over:
  /// T' = t_ref + τ·ln((E_L + R·I − V_r)/(E_L + R·I − θ)). On the grid a spike is stamped at the first
  /// step end at or after the crossing, and the refractory period is a whole number of steps.
  func testSpikeTimesEqualClosedFormFirstPassageTimes() throws {
    for (currentPA, precision) in [(400.0, Precision.float64), (537.0, .float64), (900.0, .float64)] {
      let p = neuron()
      let dt = 0.1
      let pop = Population(name: "n", size: 1, model: .lifCuba(p))
      let inj = CurrentInjection(
        name: "i", population: "n", neurons: nil, schedule: [.init(startMs: 0, amplitudePA: currentPA)])
      let e = Experiment(
        simulation: SimulationSettings(dtMs: dt, durationMs: 300, precision: precision), populations: [pop],
        currentInjections: [inj], recording: RecordingPlan(spikePopulations: ["n"]))
      let (obs, _) = try simulate(e)
      let times = obs.spikes["n"]!.timesMs
      let ri = p.resistanceMOhm * currentPA / 1000
      let first = -p.tauMembraneMs * log(1 - (p.thresholdMV - p.restingPotentialMV) / ri)
      let free =
        p.tauMembraneMs * log((p.restingPotentialMV + ri - p.resetMV) / (p.restingPotentialMV + ri - p.thresholdMV))
      var expected: [Double] = []
      var t = (first / dt).rounded(.up) * dt
      while t <= 300 + 1e-9 {
        expected.append(t)
        t += (p.refractoryMs / dt).rounded() * dt + (free / dt).rounded(.up) * dt
      }
      XCTAssertEqual(times.count, expected.count, "spike count at \(currentPA) pA")
      for (a, b) in zip(times, expected) { assertClose(a, b, tolerance: 1e-9, "spike time at \(currentPA) pA") }
    }
  }

  /// A subthreshold current leaves v at v∞ = E_L + R·I and produces no spike.
  func testSubthresholdCurrentRelaxesToSteadyState() throws {
    let p = neuron()
    let e = Experiment(
      simulation: SimulationSettings(durationMs: 500),
      populations: [Population(name: "n", size: 1, model: .lifCuba(p))],
      currentInjections: [
        .init(name: "i", population: "n", neurons: nil, schedule: [.init(startMs: 0, amplitudePA: 100)])
      ],
      recording: RecordingPlan(
        spikePopulations: ["n"], state: [.init(population: "n", variables: ["v"], neurons: [0], intervalMs: 10)]))
    let (obs, _) = try simulate(e)
    XCTAssertNil(obs.spikes["n"])
    let v = obs.samples["0/v"]!
    for (k, value) in v.enumerated() {
      let t = Double(k) * 10
      let expected = -70 + p.resistanceMOhm * 100 / 1000 * (1 - exp(-t / 20))
      assertClose(Double(value), expected, tolerance: 1e-4, "v at \(t) ms")  // reports store float32
    }
  }

  /// One input spike of weight w at t0 gives v(t) − E_L = w·τ_s/(τ_s − τ_m)·(e^(−Δ/τ_s) − e^(−Δ/τ_m)),
  /// Δ = t − t0 (the difference of exponentials), and s_e(t) = w·e^(−Δ/τ_s); also for τ_s = τ_m,
  /// where the PSP is w·(Δ/τ_m)·e^(−Δ/τ_m).
  func testPostsynapticPotentialIsDifferenceOfExponentials() throws {
    for tauSyn in [5.0, 20.0, 19.999999] {
      let p = neuron { $0.tauSynapticExcitatoryMs = tauSyn }
      let w = 2.5
      let source = Population(name: "s", size: 1, model: .spikeSource(.init(spikeTimesMs: [[10]])))
      let target = Population(name: "n", size: 1, model: .lifCuba(p))
      let proj = Projection(
        name: "sn", source: "s", target: "n", connectivity: .oneToOne, weight: .constant(w), delayMs: .constant(1.0),
        receptor: .excitatory)
      let e = Experiment(
        simulation: SimulationSettings(durationMs: 100), populations: [source, target], projections: [proj],
        recording: RecordingPlan(state: [
          .init(population: "n", variables: ["v", "s_e"], neurons: [0], intervalMs: 0.1)
        ]))
      let (obs, _) = try simulate(e)
      let v = obs.samples["0/v"]!
      let s = obs.samples["0/s_e"]!
      let arrival = 11.0  // spike at 10 ms + 1 ms delay
      for k in stride(from: 0, to: v.count, by: 7) {
        let t = Double(k) * 0.1
        let d = t - arrival
        // Samples at t include input arriving at t (s_e jumps at arrival; v is continuous).
        let psp: Double
        let se: Double
        if d < -1e-9 {
          psp = 0
          se = 0
        } else if d < 1e-9 {
          psp = 0
          se = w
        } else if abs(tauSyn - 20) < 1e-12 {
          psp = w * d / 20 * exp(-d / 20)
          se = w * exp(-d / tauSyn)
        } else {
          psp = w * tauSyn / (tauSyn - 20) * (exp(-d / tauSyn) - exp(-d / 20))
          se = w * exp(-d / tauSyn)
        }
        assertClose(Double(v[k]) + 70, psp, tolerance: 2e-5, "PSP at \(t) ms (τ_s = \(tauSyn))")
        assertClose(Double(s[k]), se, tolerance: 2e-6, "s_e at \(t) ms")
      }
    }
  }

  /// Inputs that arrive while the neuron is refractory do not move v (held at reset), but they do
  /// change s_e, which acts once the period is over.
  func testInputDuringRefractoryPeriodDoesNotMoveVoltage() throws {
    let p = neuron { $0.refractoryMs = 5 }
    // Neuron driven to spike by a strong first input at 1 ms, then hit again at 3 ms (refractory).
    let source = Population(name: "s", size: 1, model: .spikeSource(.init(spikeTimesMs: [[1.0, 3.0]])))
    let target = Population(name: "n", size: 1, model: .lifCuba(p))
    let proj = Projection(
      name: "sn", source: "s", target: "n", connectivity: .oneToOne, weight: .constant(400), delayMs: .constant(0.1),
      receptor: .excitatory)
    let e = Experiment(
      simulation: SimulationSettings(durationMs: 12), populations: [source, target], projections: [proj],
      recording: RecordingPlan(
        spikePopulations: ["n"], state: [.init(population: "n", variables: ["v"], neurons: [0], intervalMs: 0.1)]))
    let (obs, _) = try simulate(e)
    let spike = obs.spikes["n"]!.timesMs[0]
    let v = obs.samples["0/v"]!
    let firstFree = Int(((spike + 5) / 0.1).rounded())
    for k in Int((spike / 0.1).rounded())..<firstFree {
      XCTAssertEqual(Double(v[k]), -70, accuracy: 1e-6, "v during refractoriness at \(Double(k) * 0.1) ms")
    }
    XCTAssertGreaterThan(Double(v[firstFree + 1]), -70, "input received during refractoriness acts afterwards")
  }

  /// The propagator stays accurate as τ_s → τ_m (no cancellation).
  /// A whole population spiking in one step (1003 neurons: far more than a spike buffer's first
  /// capacity, not a multiple of the SIMD width) is reported complete and in order, on 1 and 2
  /// threads: the kernels append through room reserved before their SIMD loops.
  func testWholePopulationSpikingInOneStepIsRecordedInOrder() throws {
    let p = neuron { $0.restingPotentialMV = -40 }
    for threads in [1, 2] {
      var settings = SimulationSettings(dtMs: 0.1, durationMs: 5)
      settings.threads = threads
      let pop = Population(name: "n", size: 1003, model: .lifCuba(p), initialState: ["v": .constant(-55.5)])
      let e = Experiment(simulation: settings, populations: [pop], recording: RecordingPlan(spikePopulations: ["n"]))
      let (obs, summary) = try simulate(e)
      XCTAssertEqual(summary.threads, threads)
      let spikes = obs.spikes["n"]!
      XCTAssertEqual(spikes.nodeIDs.map(Int.init), Array(0..<1003), "\(threads) threads")
      XCTAssertEqual(Set(spikes.timesMs).count, 1, "one step, \(threads) threads")
    }
  }

  func testPropagatorIsContinuousAtEqualTimeConstants() {
    let h = 0.1
    let limit = h / 20 * exp(-h / 20)
    for tau in [20.0, 20 + 1e-9, 20 - 1e-7, 20.001] {
      let naive = tau == 20 ? limit : tau / (tau - 20) * (exp(-h / tau) - exp(-h / 20))
      let p = Propagator.synapticToMembrane(hMs: h, tauMembraneMs: 20, tauSynapseMs: tau)
      assertClose(p, tau == 20 || abs(tau - 20) < 1e-6 ? limit : naive, tolerance: 1e-9, "P21 at τ_s = \(tau)")
    }
  }

  /// Per-synapse delays (the ring-buffer path): two synapses from one source with delays 1 ms and
  /// 2.5 ms give s_e(t) = w1·e^(−(t−11)/τ_e)·[t ≥ 11] + w2·e^(−(t−12.5)/τ_e)·[t ≥ 12.5].
  func testPerSynapseDelaysArriveOnTime() throws {
    let source = Population(name: "s", size: 1, model: .spikeSource(.init(spikeTimesMs: [[10]])))
    let target = Population(name: "n", size: 1, model: .lifCuba(neuron()))
    let proj = Projection(
      name: "sn", source: "s", target: "n",
      connectivity: .explicit([
        .init(source: 0, target: 0, weight: 1.5, delayMs: 1.0), .init(source: 0, target: 0, weight: 0.7, delayMs: 2.5),
      ]), weight: .constant(0), delayMs: .constant(0.1), receptor: .excitatory)
    let e = Experiment(
      simulation: SimulationSettings(durationMs: 30), populations: [source, target], projections: [proj],
      recording: RecordingPlan(state: [.init(population: "n", variables: ["s_e"], neurons: [0], intervalMs: 0.1)]))
    let (obs, _) = try simulate(e)
    let s = obs.samples["0/s_e"]!
    for (k, value) in s.enumerated() {
      let t = Double(k) * 0.1
      var expected = 0.0
      if t >= 11 - 1e-9 { expected += 1.5 * exp(-(t - 11) / 5) }
      if t >= 12.5 - 1e-9 { expected += 0.7 * exp(-(t - 12.5) / 5) }
      assertClose(Double(value), expected, tolerance: 2e-6, "s_e at \(t) ms")
    }
  }
}

/// `lif_cuba` and `lif_coba` with `synapse_shape: alpha` against the closed form of the alpha PSP.
final class AlphaSynapseKernelTests: XCTestCase {
  /// One spike of weight w arriving at t0 gives s_e(t) = w·(Δ/τ)·e^(1−Δ/τ) and
  /// v(t) − E_L = (w·e/τ)·(e^(−Δ/τ_m)/τ_m)·∫₀^Δ u·e^(u(1/τ_m − 1/τ)) du, Δ = t − t0 (for τ = τ_m:
  /// (w·e/τ)·Δ²·e^(−Δ/τ_m)/(2τ_m)); s_e peaks at w one time constant after arrival.
  func testPostsynapticPotentialIsTheAlphaClosedForm() throws {
    let (tm, w, arrival) = (20.0, 2.5, 11.0)
    for tauSyn in [2.0, 20.0, 19.9999, 35.0] {
      var p = LIFCubaParameters()
      p.tauMembraneMs = tm
      p.restingPotentialMV = -70
      p.thresholdMV = 1000
      p.resetMV = -70
      p.tauSynapticExcitatoryMs = tauSyn
      p.synapseShape = .alpha
      let source = Population(name: "s", size: 1, model: .spikeSource(.init(spikeTimesMs: [[10]])))
      let target = Population(name: "n", size: 1, model: .lifCuba(p))
      let proj = Projection(
        name: "sn", source: "s", target: "n", connectivity: .oneToOne, weight: .constant(w), delayMs: .constant(1.0),
        receptor: .excitatory)
      let e = Experiment(
        simulation: SimulationSettings(durationMs: 150), populations: [source, target], projections: [proj],
        recording: RecordingPlan(state: [
          .init(population: "n", variables: ["v", "s_e"], neurons: [0], intervalMs: 0.1)
        ]))
      let (obs, _) = try simulate(e)
      let v = obs.samples["0/v"]!
      let s = obs.samples["0/s_e"]!
      let delta = 1 / tm - 1 / tauSyn
      for k in 0..<v.count {
        let d = max(0, Double(k) * 0.1 - arrival)
        let integral =
          abs(delta * d) < 1e-6 ? d * d / 2 : (delta * d * exp(delta * d) - expm1(delta * d)) / (delta * delta)
        let psp = w * exp(1) / tauSyn * exp(-d / tm) / tm * integral
        let se = w * d / tauSyn * exp(1 - d / tauSyn)
        assertClose(Double(v[k]) + 70, psp, tolerance: 2e-5, "PSP at \(Double(k) * 0.1) ms (τ_s = \(tauSyn))")
        assertClose(Double(s[k]), se, tolerance: 2e-6, "s_e at \(Double(k) * 0.1) ms (τ_s = \(tauSyn))")
      }
      if tauSyn == 2 || tauSyn == 20 {
        let peak = Int(((arrival + tauSyn) / 0.1).rounded())
        XCTAssertEqual(s.indices.max { s[$0] < s[$1] }, peak, "s_e peaks at t0 + τ")
        assertClose(Double(s[peak]), w, tolerance: 1e-6, "s_e peak equals the weight")
      }
    }
  }

  /// The y → v propagator stays accurate as τ_s → τ_m (series vs closed form) and matches a fine
  /// quadrature of its integral.
  func testAlphaPropagatorIsContinuousAtEqualTimeConstants() {
    let h = 0.1
    for tau in [20.0, 20 + 1e-9, 20 - 1e-7, 20.01, 21, 3, 0.5] {
      let p = Propagator.alphaToMembrane(hMs: h, tauMembraneMs: 20, tauSynapseMs: tau)
      // Midpoint rule with 10⁵ points: (1/τ_m)∫₀ʰ e^(−(h−u)/τ_m)·u·e^(−u/τ) du.
      let n = 100_000
      var sum = 0.0
      for j in 0..<n {
        let u = (Double(j) + 0.5) * h / Double(n)
        sum += exp(-(h - u) / 20) * u * exp(-u / tau)
      }
      assertClose(p, sum * h / Double(n) / 20, tolerance: 1e-12, "P31 at τ_s = \(tau)")
    }
  }

  /// lif_coba: g_e(t) = w·(Δ/τ)·e^(1−Δ/τ) exactly.
  func testConductanceIsTheAlphaFunction() throws {
    var p = LIFCobaParameters()
    p.thresholdMV = 1000
    p.tauSynapticExcitatoryMs = 3
    p.synapseShape = .alpha
    let source = Population(name: "s", size: 1, model: .spikeSource(.init(spikeTimesMs: [[10]])))
    let target = Population(name: "n", size: 1, model: .lifCoba(p))
    let proj = Projection(
      name: "sn", source: "s", target: "n", connectivity: .oneToOne, weight: .constant(4), delayMs: .constant(1.0),
      receptor: .excitatory)
    let e = Experiment(
      simulation: SimulationSettings(durationMs: 60), populations: [source, target], projections: [proj],
      recording: RecordingPlan(state: [.init(population: "n", variables: ["g_e"], neurons: [0], intervalMs: 0.1)]))
    let (obs, _) = try simulate(e)
    for (k, g) in obs.samples["0/g_e"]!.enumerated() {
      let d = max(0, Double(k) * 0.1 - 11)
      assertClose(Double(g), 4 * d / 3 * exp(1 - d / 3), tolerance: 2e-6, "g_e at \(Double(k) * 0.1) ms")
    }
  }
}
