import Foundation
import NDMLModel
import XCTest

/// Triplet STDP on short protocols whose weight change is a hand-written sum of exponentials.
final class TripletSTDPKernelTests: XCTestCase {
  private func rule(_ configure: (inout TripletSTDPParameters) -> Void = { _ in }) -> TripletSTDPParameters {
    var p = TripletSTDPParameters(weightMax: 1)
    (p.tauPlusMs, p.tauMinusMs, p.tauXMs, p.tauYMs) = (16.8, 33.7, 101, 125)
    (p.a2Plus, p.a3Plus, p.a2Minus, p.a3Minus) = (0.004, 0.006, 0.007, 0.002)
    configure(&p)
    return p
  }

  /// Pre arrival at 11 ms, post spikes at 20 and 30 ms, a second arrival at 41 ms: the second post
  /// spike sees the first through o₂ (triplet potentiation), the late arrival sees both post spikes
  /// through o₁ and the first arrival through r₂ (triplet depression).
  func testTripletTermsUseTheSlowTracesBeforeTheirIncrement() throws {
    let p = rule()
    let result = try runPlasticPair(.tripletSTDP(p), pre: [10, 40], kick: [19.8, 29.8], weight: 0.5)
    XCTAssertEqual(result.post.count, 2)
    let potentiation =
      exp(-9 / p.tauPlusMs) * p.a2Plus + exp(-19 / p.tauPlusMs) * (p.a2Plus + p.a3Plus * exp(-10 / p.tauYMs))
    let depression =
      (exp(-21 / p.tauMinusMs) + exp(-11 / p.tauMinusMs)) * (p.a2Minus + p.a3Minus * exp(-30 / p.tauXMs))
    assertClose(result.final - result.initial, potentiation - depression, tolerance: 1e-14, "Δw")
  }

  /// Nearest-spike pairing: traces are set to 1, so only the latest presynaptic arrival counts.
  func testNearestSpikeTracesResetToOne() throws {
    let all = try runPlasticPair(.tripletSTDP(rule()), pre: [10, 15], kick: [19.8])
    let nearest = try runPlasticPair(.tripletSTDP(rule { $0.pairing = .nearest }), pre: [10, 15], kick: [19.8])
    let p = rule()
    assertClose(all.final - all.initial, (exp(-9 / p.tauPlusMs) + exp(-4 / p.tauPlusMs)) * p.a2Plus, tolerance: 1e-14)
    assertClose(nearest.final - nearest.initial, exp(-4 / p.tauPlusMs) * p.a2Plus, tolerance: 1e-14)
  }

  /// The reference weight scales the amplitudes; the bounds still clip.
  func testReferenceWeightScalesAndBoundsClip() throws {
    let scaled = try runPlasticPair(.tripletSTDP(rule { $0.weightReference = 0.25 }), pre: [10], kick: [19.8])
    assertClose(scaled.final - scaled.initial, 0.25 * exp(-9 / 16.8) * 0.004, tolerance: 1e-14)
    let clipped = try runPlasticPair(.tripletSTDP(rule { $0.a2Plus = 10 }), pre: [10], kick: [19.8], weight: 0.9)
    XCTAssertEqual(clipped.final, 1)
  }

  /// Named sets carry the paper's rows and their pairing scheme.
  func testParameterSets() {
    let visual = TripletSTDPParameters(.visualCortexAllToAllMinimal, weightMax: 1)
    XCTAssertEqual(
      [visual.a2Plus, visual.a3Plus, visual.a2Minus, visual.a3Minus, visual.tauYMs], [0, 6.5e-3, 7.1e-3, 0, 114])
    XCTAssertEqual(visual.pairing, .allToAll)
    let nearest = TripletSTDPParameters(.hippocampalNearest, weightMax: 1)
    XCTAssertEqual(nearest.pairing, .nearest)
    XCTAssertEqual([nearest.tauXMs, nearest.tauYMs], [575, 47])
    for set in TripletSTDPParameters.ParameterSet.allCases {
      XCTAssertEqual(TripletSTDPParameters(set, weightMax: 1).violations(unit: "mV"), [], set.rawValue)
    }
  }

  /// Recorded traces are the closed-form decays: r₁ and r₂ after one arrival at 11 ms, o₁ after
  /// the post spike at 20 ms, sampled every ms.
  func testTracesAreRecorded() throws {
    let p = rule()
    var neuron = LIFCubaParameters()
    neuron.tauSynapticExcitatoryMs = 0
    let e = Experiment(
      simulation: SimulationSettings(durationMs: 40),
      populations: [
        Population(name: "pre", size: 1, model: .spikeSource(.init(spikeTimesMs: [[10]]))),
        Population(name: "kick", size: 1, model: .spikeSource(.init(spikeTimesMs: [[19.8]]))),
        Population(name: "post", size: 1, model: .lifCuba(neuron)),
      ],
      projections: [
        Projection(
          name: "stdp", source: "pre", target: "post", connectivity: .oneToOne, weight: .constant(0.5),
          delayMs: .constant(1), receptor: .excitatory, plasticity: .tripletSTDP(p)),
        Projection(
          name: "kick", source: "kick", target: "post", connectivity: .oneToOne, weight: .constant(30),
          delayMs: .constant(0.1), receptor: .excitatory),
      ],
      recording: RecordingPlan(traces: [
        .init(projection: "stdp", traces: ["r1", "r2", "o1"], neurons: [0], intervalMs: 1)
      ]))
    XCTAssertEqual(e.validate().filter { !$0.isWarning }, [])
    let (obs, _) = try simulate(e)
    let r1 = obs.traces["0/r1"]!
    let r2 = obs.traces["0/r2"]!
    let o1 = obs.traces["0/o1"]!
    XCTAssertEqual(r1.count, 40)
    XCTAssertEqual(r1[11], 1)
    XCTAssertEqual(r1[10], 0)
    assertClose(Double(r1[30]), exp(-19 / p.tauPlusMs), tolerance: 1e-6)
    assertClose(Double(r2[30]), exp(-19 / p.tauXMs), tolerance: 1e-6)
    assertClose(Double(o1[35]), exp(-15 / p.tauMinusMs), tolerance: 1e-6)
    XCTAssertEqual(o1[19], 0)
  }
}
