import Foundation
import NDMLModel
import XCTest

@testable import NDMLEngine

/// `adex` against closed forms: the linear regime (Δ_T → 0 below V_T: a linear 2-D system with a
/// matrix-exponential solution), the LIF limit of spike times, the reset and the jump of w, the
/// refractory clamp, and a finite crossing step in both precisions.
final class AdExKernelTests: XCTestCase {
  private func cell(_ configure: (inout AdExParameters) -> Void = { _ in }) -> AdExParameters {
    var p = AdExParameters()
    p.capacitancePF = 200
    p.leakConductanceNS = 10
    p.restingPotentialMV = -70
    p.exponentialThresholdMV = -50
    p.slopeFactorMV = 2
    p.peakMV = 0
    p.resetMV = -58
    configure(&p)
    return p
  }

  private func experiment(
    _ p: AdExParameters, currentPA: Double, durationMs: Double, precision: Precision = .float64,
    variables: [String] = ["v", "w"]
  ) -> Experiment {
    Experiment(
      simulation: SimulationSettings(dtMs: 0.1, durationMs: durationMs, precision: precision),
      populations: [Population(name: "n", size: 1, model: .adex(p))],
      currentInjections: [
        .init(name: "c", population: "n", neurons: nil, schedule: [.init(startMs: 0, amplitudePA: currentPA)])
      ],
      recording: RecordingPlan(
        spikePopulations: ["n"], state: [.init(population: "n", variables: variables, neurons: [0], intervalMs: 0.1)]))
  }

  /// With Δ_T = 0.01 mV and V far below V_T the exponential term is below e^(−700): the model is
  /// the linear system d(V, w)/dt = M·(V, w) + c, whose solution from rest is
  /// x(t) = x* + e^(Mt)(x0 − x*), e^(Mt) = (e^(λ1 t)(M − λ2) − e^(λ2 t)(M − λ1))/(λ1 − λ2) (real
  /// eigenvalues here). RK4's error at h/τ ≈ 0.01 is ~1e-12 relative; the tolerance is the float32
  /// of the recorded samples.
  func testLinearRegimeMatchesMatrixExponential() throws {
    let p = cell {
      $0.slopeFactorMV = 0.01
      $0.exponentialThresholdMV = -40
      $0.subthresholdAdaptationNS = 2
      $0.tauAdaptationMs = 100
      $0.spikeAdaptationPA = 0
    }
    let current = 100.0
    let (obs, _) = try simulate(experiment(p, currentPA: current, durationMs: 300))
    XCTAssertNil(obs.spikes["n"])
    let c = p.capacitancePF
    let g = p.leakConductanceNS
    let a = p.subthresholdAdaptationNS
    let tw = p.tauAdaptationMs
    // Deviations from rest: x = (V − E_L, w); dx/dt = M x + (I/C, 0).
    let m = [[-g / c, -1 / c], [a / tw, -1 / tw]]
    let trace = m[0][0] + m[1][1]
    let det = m[0][0] * m[1][1] - m[0][1] * m[1][0]
    let root = (trace * trace - 4 * det).squareRoot()
    let (l1, l2) = ((trace + root) / 2, (trace - root) / 2)
    let vStar = current / (g + a)
    let star = [vStar, a * vStar]
    let x0 = [-star[0], -star[1]]
    let v = obs.samples["0/v"]!
    let w = obs.samples["0/w"]!
    for k in stride(from: 0, to: v.count, by: 11) {
      let t = Double(k) * 0.1
      let (e1, e2) = (exp(l1 * t), exp(l2 * t))
      var x = star
      for i in 0..<2 {
        for j in 0..<2 {
          let identity = i == j ? 1.0 : 0.0
          let entry = (e1 * (m[i][j] - l2 * identity) - e2 * (m[i][j] - l1 * identity)) / (l1 - l2)
          x[i] += entry * x0[j]
        }
      }
      assertClose(Double(v[k]), p.restingPotentialMV + x[0], tolerance: 1e-5, "V at \(t) ms")
      assertClose(Double(w[k]), x[1], tolerance: 1e-5, "w at \(t) ms")
    }
  }

  /// Δ_T → 0 is the LIF with threshold V_T and reset V_r: spikes at the LIF first-passage times
  /// T1 = τ ln(R I/(R I − (V_T − E_L))), then every τ ln((E_L + R I − V_r)/(E_L + R I − V_T)). With
  /// Δ_T = 0.01 mV the escape from V_T to V_peak takes at most two steps, so the first spike is
  /// stamped within two steps after the grid time following T1, and each interval is within one
  /// step below and three above the LIF one (grid rounding of both ends plus the escape).
  func testSmallSlopeFactorGivesLIFSpikeTimes() throws {
    for precision in [Precision.float64, .float32] {
      let p = cell {
        $0.slopeFactorMV = 0.01
        $0.subthresholdAdaptationNS = 0
        $0.spikeAdaptationPA = 0
      }
      let current = 300.0
      let (obs, _) = try simulate(experiment(p, currentPA: current, durationMs: 500, precision: precision))
      let times = obs.spikes["n"]!.timesMs
      let tau = p.capacitancePF / p.leakConductanceNS
      let ri = current / p.leakConductanceNS
      let first = tau * log(ri / (ri - (p.exponentialThresholdMV - p.restingPotentialMV)))
      let period =
        tau * log((p.restingPotentialMV + ri - p.resetMV) / (p.restingPotentialMV + ri - p.exponentialThresholdMV))
      XCTAssertGreaterThan(times.count, 10)
      XCTAssertGreaterThanOrEqual(times[0], first)
      XCTAssertLessThanOrEqual(times[0], (first / 0.1).rounded(.up) * 0.1 + 0.2 + 1e-9, "first spike (\(precision))")
      for (a, b) in zip(times.dropFirst(), times) {
        XCTAssertGreaterThanOrEqual(a - b, period - 0.1, "interval (\(precision))")
        XCTAssertLessThanOrEqual(a - b, period + 0.3 + 1e-9, "interval (\(precision))")
      }
    }
  }

  /// At a spike V is reset to V_r and w jumps by b; with a = 0, w only decays between spikes, so
  /// w(t) = Σ_{t_k ≤ t} b·e^(−(t − t_k)/τ_w) (RK4 reproduces the decay to ~1e-13 per step). The
  /// sample at a spike's stamp is V_r.
  func testResetAndAdaptationJump() throws {
    let p = cell {
      $0.subthresholdAdaptationNS = 0
      $0.spikeAdaptationPA = 60
      $0.tauAdaptationMs = 120
    }
    let (obs, _) = try simulate(experiment(p, currentPA: 500, durationMs: 400))
    let spikes = obs.spikes["n"]!.timesMs
    XCTAssertGreaterThan(spikes.count, 5)
    let v = obs.samples["0/v"]!
    let w = obs.samples["0/w"]!
    for t in spikes where t < 400 - 1e-9 {
      XCTAssertEqual(Double(v[Int((t / 0.1).rounded())]), -58, "V at the spike stamp \(t) ms is V_r")
    }
    for k in stride(from: 0, to: w.count, by: 5) {
      let t = Double(k) * 0.1
      let expected = spikes.filter { $0 <= t + 1e-9 }.reduce(0) { $0 + 60 * exp(-(t - $1) / 120) }
      assertClose(Double(w[k]), expected, tolerance: 1e-4, "w at \(t) ms")
    }
  }

  /// During the refractory period V stays at V_r while w keeps evolving with V = V_r.
  func testRefractoryPeriodHoldsVoltage() throws {
    let p = cell {
      $0.refractoryMs = 3
      $0.subthresholdAdaptationNS = 4
      $0.spikeAdaptationPA = 20
    }
    let (obs, _) = try simulate(experiment(p, currentPA: 600, durationMs: 100))
    let spikes = obs.spikes["n"]!.timesMs
    let v = obs.samples["0/v"]!
    let w = obs.samples["0/w"]!
    let k0 = Int((spikes[0] / 0.1).rounded())
    for k in k0...(k0 + 30) { XCTAssertEqual(Double(v[k]), -58, "V during refractoriness, step \(k)") }
    XCTAssertGreaterThan(Double(v[k0 + 31]), -58)
    // w keeps evolving (towards a·(V_r − E_L) = 48 pA).
    XCTAssertNotEqual(w[k0], w[k0 + 30])
  }

  /// The crossing step stays finite in both precisions even when (V_peak − V_T)/Δ_T is huge (the
  /// exponent cap), and Float and Double give the same spikes for a Naud et al. pattern (tonic).
  func testCrossingIsFiniteAndPrecisionsAgree() throws {
    for slope in [2.0, 0.05] {
      var counts: [Int] = []
      var firsts: [Double] = []
      for precision in [Precision.float64, .float32] {
        let p = cell {
          $0.slopeFactorMV = slope
          $0.subthresholdAdaptationNS = 2
          $0.tauAdaptationMs = 30
          $0.spikeAdaptationPA = 0
        }
        let (obs, _) = try simulate(experiment(p, currentPA: 500, durationMs: 600, precision: precision))
        let times = obs.spikes["n"]!.timesMs
        counts.append(times.count)
        firsts.append(times[0])
        XCTAssert(obs.samples["0/w"]!.allSatisfy { $0.isFinite && abs($0) < 1e4 }, "w stays bounded")
      }
      XCTAssertEqual(counts[0], counts[1], "spike counts, Δ_T = \(slope)")
      XCTAssertEqual(firsts[0], firsts[1], accuracy: 0.1 + 1e-9, "first spike, Δ_T = \(slope)")
    }
  }
}
