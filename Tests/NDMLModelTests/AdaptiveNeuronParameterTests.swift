import NDMLModel
import XCTest

/// Defaults, validation messages (every broken rule, each naming its key) and the recordable
/// variables of `alif` and `adex`.
final class AdaptiveNeuronParameterTests: XCTestCase {
  func testDefaultsAreValid() {
    XCTAssertEqual(ALIFParameters().violations(), [])
    XCTAssertEqual(AdExParameters().violations(), [])
    let adex = AdExParameters()
    // Brette & Gerstner 2005's regular-spiking cell.
    XCTAssertEqual(
      [
        adex.capacitancePF, adex.leakConductanceNS, adex.restingPotentialMV, adex.exponentialThresholdMV,
        adex.slopeFactorMV, adex.subthresholdAdaptationNS, adex.tauAdaptationMs, adex.spikeAdaptationPA,
      ], [281, 30, -70.6, -50.4, 2, 4, 144, 80.5])
  }

  func testAdExReportsEveryBrokenRuleByKey() {
    var p = AdExParameters()
    p.slopeFactorMV = 0
    p.resetMV = 5
    p.exponentialThresholdMV = 1
    p.capacitancePF = -1
    p.tauAdaptationMs = .nan
    p.refractoryMs = -2
    let keys = Set(p.violations().map(\.key))
    XCTAssertEqual(keys, ["delta_t_mV", "v_reset_mV", "v_t_mV", "c_m_pF", "tau_w_ms", "tau_ref_ms"])
    XCTAssert(p.violations().first { $0.key == "v_reset_mV" }!.message.contains("must be below v_peak_mV"))
  }

  func testALIFReportsEveryBrokenRuleByKey() {
    var p = ALIFParameters()
    p.thresholdIncrementMV = -1
    p.tauAdaptationMs = 0
    p.tauCurrentMs = -3
    p.resetMV = -40
    let keys = Set(p.violations().map(\.key))
    XCTAssertEqual(keys, ["beta_mV", "tau_a_ms", "tau_w_ms", "v_reset_mV"])
  }

  func testRecordableVariablesAndWeightUnits() {
    var alif = ALIFParameters()
    XCTAssertEqual(NeuronModel.alif(alif).recordableVariables.map(\.name), ["v", "s_e", "s_i", "a"])
    alif.currentIncrementPA = 10
    XCTAssertEqual(NeuronModel.alif(alif).recordableVariables.map(\.name), ["v", "s_e", "s_i", "a", "w"])
    XCTAssertEqual(NeuronModel.adex(AdExParameters()).recordableVariables.map(\.unit), ["mV", "pA", "pA", "pA"])
    XCTAssertEqual(NeuronModel.alif(alif).weightUnit, "mV")
    XCTAssertEqual(NeuronModel.adex(AdExParameters()).weightUnit, "pA")
  }
}
