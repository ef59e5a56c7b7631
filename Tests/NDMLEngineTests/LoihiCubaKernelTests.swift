import NDMLModel
import XCTest

@testable import NDMLEngine

/// `loihi_cuba` and Loihi's Dense semantics against values computed by hand from Lava's code
/// (docs/loihi-numerics.md); the spike-for-spike comparison with real Lava is
/// Tests/python/test_loihi_lava.py.
final class LoihiCubaKernelTests: XCTestCase {
  private func cell(du: Int = 0, dv: Int = 0, vth: Int = 10, biasMant: Int = 0, biasExp: Int = 0)
    -> NeuronModel
  {
    var p = LoihiCubaParameters()
    (p.du, p.dv, p.vth, p.biasMant, p.biasExp) = (du, dv, vth, biasMant, biasExp)
    return .loihiCuba(p)
  }

  /// docs/loihi-numerics.md §4's worked example: a (bias 100 << 1, no leak, vth 10 → 640) spikes at
  /// steps 4, 8, …; b (du 4095: u = a_in << 6) gets 50 · 64 = 3200 one step after each, spikes when
  /// v = 9600 > 6400: at 13, 25, 37, 49. Lava step t ends at t ms here (dt 1 ms).
  func testChainSpikesAtTheHandComputedSteps() throws {
    let e = Experiment(
      simulation: SimulationSettings(dtMs: 1, durationMs: 60),
      populations: [
        Population(name: "a", size: 1, model: cell(biasMant: 100, biasExp: 1)),
        Population(name: "b", size: 1, model: cell(du: 4095, vth: 100)),
      ],
      projections: [
        Projection(
          name: "ab", source: "a", target: "b", connectivity: .allToAll, weight: .constant(50), delayMs: .constant(1),
          receptor: .excitatory)
      ],
      recording: RecordingPlan(spikePopulations: ["a", "b"]))
    XCTAssertEqual(e.validate().filter { !$0.isWarning }, [])
    let (obs, _) = try simulate(e)
    XCTAssertEqual(obs.spikes["a"]!.timesMs, stride(from: 4.0, through: 60, by: 4).map { $0 })
    XCTAssertEqual(obs.spikes["b"]!.timesMs, [13, 25, 37, 49])
  }

  /// Lava's clip and truncation (lava/utils/weightutils.py), case by case.
  func testWeightQuantisationMatchesLava() {
    func quantized(_ w: [Int], bits: Int = 8, mode: LoihiSynapseSettings.SignMode = .auto) -> [Int] {
      var w = w
      LoihiSynapseSettings(numWeightBits: bits, signMode: mode).quantize(&w)
      return w
    }
    XCTAssertEqual(quantized([7, -7, 255, -256, 300, -301]), [6, -8, 254, -256, 254, -256])  // mixed: LSB lost
    XCTAssertEqual(quantized([300, 7, 0]), [255, 7, 0])  // excitatory: clipped, kept
    XCTAssertEqual(quantized([-7, -255, -300, 0], bits: 6), [-4, -252, -252, 0])  // inhibitory, 2 bits lost
    XCTAssertEqual(quantized([-7, 5], mode: .inhibitory), [-7, 0])  // an explicit mode wins
    XCTAssertEqual(quantized([7, -7], bits: 9), [7, -7])  // 9 bits keep a mixed matrix whole
    XCTAssertEqual(quantized([7, 9], bits: 9), [0, 0])  // …and zero a single-signed one, as Lava does
    XCTAssertEqual(LoihiSynapseSettings.shift(-3, by: -1), -2)  // floor, not truncation
    XCTAssertEqual(LoihiSynapseSettings.shift(5, by: 2), 20)
  }

  /// The exponent applies to each step's summed input: two weights of 3 with weight_exp −1 give
  /// (3 + 3) >> 1 = 3 (not 1 + 1), so u = 3 · 64 = 192. With du 4095 and dv 4096 v = u each step.
  func testWeightExponentShiftsTheSum() throws {
    let e = Experiment(
      simulation: SimulationSettings(dtMs: 1, durationMs: 4),
      populations: [
        Population(name: "in", size: 2, model: .spikeSource(.init(spikeTimesMs: [[0], [0]]))),
        Population(name: "n", size: 1, model: cell(du: 4095, dv: 4096, vth: 1000)),
      ],
      projections: [
        Projection(
          name: "in_n", source: "in", target: "n", connectivity: .allToAll, weight: .constant(3),
          delayMs: .constant(2), receptor: .excitatory)
      ],
      recording: RecordingPlan(state: [StateRecording(population: "n", variables: ["u"], neurons: [0], intervalMs: 1)]))
    var shifted = e
    shifted.projections[0].loihi.weightExp = -1
    // Samples at t_n hold the state after step n − 1; the spikes at 0 ms arrive at 2 ms.
    XCTAssertEqual(try simulate(e).0.samples["0/u"]!, [0, 0, 384, 0])
    XCTAssertEqual(try simulate(shifted).0.samples["0/u"]!, [0, 0, 192, 0])
  }

  /// u wraps at 24 bits with Lava's asymmetric test (u = +2²³ is kept, one more wraps to −2²³ + 64),
  /// and v saturates at 2²³ − 1.
  func testCurrentWrapsAndVoltageSaturates() throws {
    let top = Double(1 << 23)
    let e = Experiment(
      simulation: SimulationSettings(dtMs: 1, durationMs: 4),
      populations: [
        Population(name: "in", size: 1, model: .spikeSource(.init(spikeTimesMs: [[0, 1]]))),
        Population(
          name: "n", size: 1, model: cell(du: -1, dv: 0, vth: 131_071),
          initialState: ["u": .constant(top - 64), "v": .constant(top - 1)]),
      ],
      projections: [
        Projection(
          name: "in_n", source: "in", target: "n", connectivity: .allToAll, weight: .constant(1),
          delayMs: .constant(2), receptor: .excitatory)
      ],
      recording: RecordingPlan(
        spikePopulations: ["n"],
        state: [StateRecording(population: "n", variables: ["u", "v"], neurons: [0], intervalMs: 1)]))
    XCTAssertEqual(e.validate().filter { !$0.isWarning }, [])
    let (obs, _) = try simulate(e)
    XCTAssertEqual(obs.samples["0/u"]!.map(Double.init), [top - 64, top - 64, top, -top + 64])
    // Steps 0 and 1: v = clip(v + u) = 2²³ − 1 = 8388607 > vth·64 = 8388544, a spike, v reset to 0;
    // step 2: v = 0 + (−2²³ + 64), no spike.
    XCTAssertEqual(obs.spikes["n"]!.timesMs, [1, 2])
    XCTAssertEqual(obs.samples["0/v"]!.map(Double.init), [top - 1, 0, 0, -top + 64])
  }
}
