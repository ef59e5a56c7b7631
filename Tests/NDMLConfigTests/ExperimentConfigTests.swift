import Foundation
import NDMLConfig
import NDMLModel
import XCTest

/// The config schema: every error names file, line and key and says how to fix it.
final class ExperimentConfigTests: XCTestCase {
  private let valid = """
    simulation: {dt_ms: 0.1, duration_ms: 100, seed: 3}
    populations:
      exc:
        size: 10
        model: lif_cuba
        params: {tau_m_ms: 20, v_thresh_mV: -50, v_reset_mV: -60}
        init: {v_mV: {uniform: [-60, -50]}}
      noise: {size: 10, model: poisson, params: {rate_Hz: 5}}
    projections:
      ne: {source: noise, target: exc, connectivity: one_to_one, weight_mV: 2, delay_ms: 1}
    record: {spikes: all}
    """

  private func errors(_ text: String, overrides: [String] = []) -> [ConfigError] {
    do {
      _ = try ExperimentConfig.parse(text: text, overrides: overrides)
      XCTFail("expected errors for:\n\(text)")
      return []
    } catch let e as ConfigErrors {
      return e.errors
    } catch {
      XCTFail("unexpected error type \(error)")
      return []
    }
  }

  func testValidConfigReadsEverything() throws {
    let c = try ExperimentConfig.parse(text: valid)
    XCTAssertEqual(c.experiment.simulation.seed, 3)
    XCTAssertEqual(c.experiment.populations.map(\.name), ["exc", "noise"])
    guard case .lifCuba(let p) = c.experiment.populations[0].model else { return XCTFail("model") }
    XCTAssertEqual(p.thresholdMV, -50)
    XCTAssertEqual(p.tauSynapticExcitatoryMs, LIFCubaParameters().tauSynapticExcitatoryMs, "defaults fill the rest")
    XCTAssertEqual(c.experiment.populations[0].initialState["v"], .uniform(low: -60, high: -50))
    XCTAssertEqual(c.experiment.recording.spikePopulations, ["exc", "noise"])
    XCTAssertEqual(c.experiment.projections[0].delayMs, .constant(1))
  }

  func testMisspelledKeySuggestsTheRightOneWithItsLine() {
    let e = errors(valid.replacingOccurrences(of: "tau_m_ms: 20", with: "tau_m: 20"))
    XCTAssertEqual(e.count, 1)
    XCTAssertEqual(e[0].keyPath, "populations.exc.params.tau_m")
    XCTAssertEqual(e[0].line, 6)
    XCTAssert(e[0].message.contains("did you mean 'tau_m_ms'"), e[0].message)
  }

  func testUnitsInValuesAreRejectedWithAHint() {
    let e = errors(valid.replacingOccurrences(of: "tau_m_ms: 20", with: "tau_m_ms: 20 ms"))
    XCTAssertEqual(e.first?.keyPath, "populations.exc.params.tau_m_ms")
    XCTAssert(e.first?.message.contains("the unit is part of the key name") == true, e.first?.message ?? "")
  }

  func testWrongUnitKeyForTheTargetModel() {
    let e = errors(valid.replacingOccurrences(of: "weight_mV: 2", with: "weight_nS: 2"))
    XCTAssertEqual(e.first?.keyPath, "projections.ne.weight_nS")
    XCTAssert(e.first?.message.contains("write weight_mV") == true, e.first?.message ?? "")
  }

  func testNegativeTimeConstantAndResetAboveThresholdAreAllReported() {
    let e = errors(
      valid.replacingOccurrences(
        of: "tau_m_ms: 20, v_thresh_mV: -50, v_reset_mV: -60", with: "tau_m_ms: -20, v_thresh_mV: -50, v_reset_mV: -40")
    )
    XCTAssertEqual(Set(e.map(\.keyPath)), ["populations.exc.params.tau_m_ms", "populations.exc.params.v_reset_mV"])
    XCTAssert(e.allSatisfy { $0.line == 6 }, "\(e)")
  }

  func testMalformedYAMLNamesTheLine() {
    let e = errors("simulation: {dt_ms: 0.1\npopulations: [")
    XCTAssertEqual(e.count, 1)
    XCTAssertNotNil(e[0].line)
    XCTAssert(e[0].message.contains("YAML syntax error"), e[0].message)
  }

  func testUnknownPopulationListsTheDefinedOnes() {
    let e = errors(valid.replacingOccurrences(of: "source: noise", with: "source: nosie"))
    XCTAssertEqual(e.first?.keyPath, "projections.ne.source")
    XCTAssert(e.first?.message.contains("defined: exc, noise") == true, e.first?.message ?? "")
  }

  func testNaNAndInfinityAreRejected() {
    XCTAssertEqual(
      errors(valid.replacingOccurrences(of: "rate_Hz: 5", with: "rate_Hz: .nan")).first?.message,
      "is NaN; give a finite number")
    XCTAssert(
      errors(valid.replacingOccurrences(of: "duration_ms: 100", with: "duration_ms: .inf")).first?.message.contains(
        "infinite") == true)
  }

  func testDelayShorterThanOneStepIsAnError() {
    let e = errors(valid.replacingOccurrences(of: "delay_ms: 1", with: "delay_ms: 0.01"))
    XCTAssertEqual(e.first?.keyPath, "projections.ne.delay_ms")
  }

  func testDtLargerThanATimeConstantIsAWarning() throws {
    let c = try ExperimentConfig.parse(text: valid, overrides: ["simulation.dt_ms=8", "projections.ne.delay_ms=8"])
    XCTAssertEqual(c.warnings.count, 1)
    XCTAssertEqual(c.warnings.first?.keyPath, "simulation.dt_ms")
  }

  func testSetOverridesAndCreatesKeys() throws {
    let c = try ExperimentConfig.parse(
      text: valid,
      overrides: ["simulation.duration_ms=2000", "populations.exc.params.tau_ref_ms=3", "simulation.precision=float32"])
    XCTAssertEqual(c.experiment.simulation.durationMs, 2000)
    XCTAssertEqual(c.experiment.simulation.precision, .float32)
    guard case .lifCuba(let p) = c.experiment.populations[0].model else { return XCTFail("model") }
    XCTAssertEqual(p.refractoryMs, 3)
    XCTAssertEqual(errors(valid, overrides: ["simulation.duration_ms"]).first?.keyPath, "simulation.duration_ms")
    let misspelt = errors(valid, overrides: ["simulaton.duration_ms=5"])
    XCTAssert(misspelt.first?.message.contains("did you mean 'simulation'") == true, "\(misspelt)")
  }

  func testMissingFileIsNamed() {
    XCTAssertThrowsError(try ExperimentConfig.load(contentsOf: URL(fileURLWithPath: "/nonexistent/x.yaml"))) {
      XCTAssert("\($0)".contains("/nonexistent/x.yaml: config file not found"), "\($0)")
    }
  }

  func testMissingSpikeFileIsNamed() {
    let text = valid.replacingOccurrences(of: "params: {rate_Hz: 5}", with: "params: {file: no/such.csv}")
      .replacingOccurrences(of: "model: poisson", with: "model: spike_source")
    let e = errors(text)
    XCTAssertEqual(e.first?.keyPath, "populations.noise.params.file")
    XCTAssert(e.first?.message.contains("no/such.csv") == true, "\(e)")
  }

  func testSpikeTimesAndConnectionsFromFiles() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ndml-config-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try "neuron,time_ms\n0,5.0\n3,7.5\n0,9\n".write(
      to: dir.appendingPathComponent("spikes.csv"), atomically: true, encoding: .utf8)
    try "source,target,weight\n0,1,0.5\n3,2,1.5\n".write(
      to: dir.appendingPathComponent("conn.csv"), atomically: true, encoding: .utf8)
    let text = valid.replacingOccurrences(of: "params: {rate_Hz: 5}", with: "params: {file: spikes.csv}")
      .replacingOccurrences(of: "model: poisson", with: "model: spike_source")
      .replacingOccurrences(of: "connectivity: one_to_one, weight_mV: 2", with: "connectivity: {from_file: conn.csv}")
    let url = dir.appendingPathComponent("x.yaml")
    try text.write(to: url, atomically: true, encoding: .utf8)
    let c = try ExperimentConfig.load(contentsOf: url)
    guard case .spikeSource(let s) = c.experiment.populations[1].model else { return XCTFail("model") }
    XCTAssertEqual(s.spikeTimesMs[0], [5, 9])
    XCTAssertEqual(s.spikeTimesMs[3], [7.5])
    guard case .explicit(let list) = c.experiment.projections[0].connectivity else { return XCTFail("connectivity") }
    XCTAssertEqual(list, [.init(source: 0, target: 1, weight: 0.5), .init(source: 3, target: 2, weight: 1.5)])
  }

  // Regressions found in review.

  func testRequiredKeyGivenAsNullIsReported() {
    let e = errors(valid.replacingOccurrences(of: "duration_ms: 100", with: "duration_ms: ~"))
    XCTAssertEqual(e.map(\.keyPath), ["simulation.duration_ms"])
    XCTAssert(e[0].message.contains("has no value"), e[0].message)
  }

  func testZeroTimeConstantsWithInvalidMembraneDoNotCrash() {
    let e = errors(
      valid.replacingOccurrences(
        of: "tau_m_ms: 20,", with: "tau_m_ms: -1, tau_syn_e_ms: 0, tau_syn_i_ms: 0,"))
    XCTAssertEqual(e.map(\.keyPath), ["populations.exc.params.tau_m_ms"])
  }

  /// `synapse_shape` is read for lif_cuba (default exponential), a wrong value names the valid
  /// ones, alpha needs τ_syn > 0, and alif refuses the key.
  func testSynapseShapeIsReadAndChecked() throws {
    let alpha = valid.replacingOccurrences(
      of: "params: {tau_m_ms: 20,", with: "params: {synapse_shape: alpha, tau_m_ms: 20,")
    guard case .lifCuba(let p) = try ExperimentConfig.parse(text: alpha).experiment.populations[0].model,
      case .lifCuba(let q) = try ExperimentConfig.parse(text: valid).experiment.populations[0].model
    else { return XCTFail("model") }
    XCTAssertEqual(p.synapseShape, .alpha)
    XCTAssertEqual(q.synapseShape, .exponential)
    let wrong = errors(alpha.replacingOccurrences(of: "synapse_shape: alpha", with: "synapse_shape: gauss"))
    XCTAssertEqual(wrong.map(\.keyPath), ["populations.exc.params.synapse_shape"])
    XCTAssert(wrong[0].message.contains("choose one of exponential, alpha"), wrong[0].message)
    let delta = errors(alpha.replacingOccurrences(of: "tau_m_ms: 20,", with: "tau_m_ms: 20, tau_syn_i_ms: 0,"))
    XCTAssertEqual(delta.map(\.keyPath), ["populations.exc.params.tau_syn_i_ms"])
    let alif = errors(alpha.replacingOccurrences(of: "model: lif_cuba", with: "model: alif"))
    XCTAssertEqual(alif.map(\.keyPath), ["populations.exc.params.synapse_shape"])
    XCTAssert(alif[0].message.contains("not supported by alif"), alif[0].message)
  }

  func testNormalDelaysAreAccepted() throws {
    let c = try ExperimentConfig.parse(
      text: valid.replacingOccurrences(of: "delay_ms: 1", with: "delay_ms: {normal: {mean: 2, std: 0.5}}"))
    XCTAssertEqual(c.experiment.projections[0].delayMs, .normal(mean: 2, standardDeviation: 0.5, clipAtZero: false))
  }

  func testZeroMeanNormalWeightIsNotInhibitory() {
    let e = errors(
      valid.replacingOccurrences(
        of: "weight_mV: 2, delay_ms: 1",
        with: "weight_mV: {normal: {mean: 0, std: 1}}, delay_ms: 1, receptor: inhibitory"))
    XCTAssertEqual(e.first?.keyPath, "projections.ne.weight_mV")
  }

  func testOneToOneOntoItselfNeedsAutapses() {
    let e = errors(valid.replacingOccurrences(of: "source: noise, target: exc", with: "source: exc, target: exc"))
    XCTAssertEqual(e.first?.keyPath, "projections.ne.connectivity")
    XCTAssert(e.first?.message.contains("allow_autapses: true") == true)
  }

  func testScheduleCannotBeCombinedWithAmplitude() {
    let text =
      valid + """

        inputs:
          step: {type: current, population: exc, amplitude_pA: 5, schedule: [{start_ms: 0, amplitude_pA: 1}]}
        """
    XCTAssertEqual(errors(text).first?.keyPath, "inputs.step.amplitude_pA")
  }

  func testSineNoiseAndInitListsAreRead() throws {
    let text =
      valid.replacingOccurrences(
        of: "init: {v_mV: {uniform: [-60, -50]}}",
        with: "init: {v_mV: [-60, -59, -58, -57, -56, -55, -54, -53, -52, -51]}")
        + """

        inputs:
          ac: {type: sine, population: exc, amplitude_pA: 50, frequency_Hz: 10, phase_deg: 90, stop_ms: 80}
          nz: {type: noise, population: exc, neurons: [1, 2], mean_pA: 5, std_pA: 20, dt_ms: 0.5, start_ms: 10}
        """
    let c = try ExperimentConfig.parse(text: text)
    XCTAssertEqual(c.experiment.populations[0].initialState["v"], .perNeuron((0..<10).map { -60 + Double($0) }))
    let inputs = c.experiment.currentInjections
    XCTAssertEqual(inputs.map(\.typeName), ["sine", "noise"])
    XCTAssertEqual(
      inputs[0].waveform,
      .sine(.init(amplitudePA: 50, offsetPA: 0, frequencyHz: 10, phaseDegrees: 90, startMs: 0, stopMs: 80)))
    XCTAssertEqual(
      inputs[1].waveform, .noise(.init(meanPA: 5, standardDeviationPA: 20, intervalMs: 0.5, startMs: 10, stopMs: nil)))
    XCTAssertEqual(inputs[1].neurons, [1, 2])
  }

  func testBadSineNoiseAndInitListsNameTheirKeys() {
    let cases: [(String, String, String)] = [
      ("inputs: {ac: {type: sine, population: exc, amplitude_pA: 5}}", "inputs.ac.frequency_Hz", "is required"),
      (
        "inputs: {nz: {type: noise, population: exc, mean_pA: 0, std_pA: -2}}", "inputs.nz.std_pA",
        "must be ≥ 0"
      ),
      (
        "inputs: {nz: {type: noise, population: exc, mean_pA: 0, std_pA: 2, dt_ms: 0.15}}", "inputs.nz.dt_ms",
        "whole multiple"
      ),
      (
        "inputs: {ac: {type: sine, population: exc, amplitude_pA: 5, frequency_Hz: 1, start_ms: 9, stop_ms: 3}}",
        "inputs.ac.stop_ms", "later than start_ms"
      ),
      (
        "inputs: {ac: {type: sine, population: noise, amplitude_pA: 5, frequency_Hz: 1}}", "inputs.ac.population",
        "takes no current"
      ),
      (
        "inputs: {ac: {type: sine, population: exc, amplitude_pA: 5, frequency_Hz: 1, mean_pA: 2}}",
        "inputs.ac.mean_pA", "unknown key"
      ),
    ]
    for (input, key, message) in cases {
      let e = errors(valid + "\n" + input)
      XCTAssertEqual(e.first?.keyPath, key, input)
      XCTAssert(e.first?.message.contains(message) == true, "\(input): \(e.first?.message ?? "")")
    }
    let short = errors(valid.replacingOccurrences(of: "{uniform: [-60, -50]}", with: "[-60, -50]"))
    XCTAssertEqual(short.first?.keyPath, "populations.exc.init.v_mV")
    XCTAssert(short.first?.message.contains("lists 2 values; give exactly one per neuron (size 10)") == true)
  }

  func testExplicitRowsAreChecked() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ndml-rows-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let base = valid.replacingOccurrences(
      of: "connectivity: one_to_one, weight_mV: 2", with: "connectivity: {from_file: conn.csv}, weight_mV: 2")
    let url = dir.appendingPathComponent("x.yaml")
    try base.write(to: url, atomically: true, encoding: .utf8)
    for (rows, expected) in [
      ("source,target,weight\n0,1,-0.5\n", "has weight -0.5"),
      ("source,target,delay_ms\n0,1,0.01\n", "has delay 0.01 ms"),
      ("source,target\n0,1.5\n", "must be whole neuron indices"),
      ("source,target\n0,10\n", "is outside 10 × 10"),
    ] {
      try rows.write(to: dir.appendingPathComponent("conn.csv"), atomically: true, encoding: .utf8)
      XCTAssertThrowsError(try ExperimentConfig.load(contentsOf: url)) {
        XCTAssert("\($0)".contains(expected), "expected '\(expected)' in \($0)")
      }
    }
  }

  // Plasticity.

  private var plastic: String {
    valid.replacingOccurrences(
      of: "weight_mV: 2, delay_ms: 1}",
      with: "weight_mV: 0.5, delay_ms: 1, plasticity: {rule: pair_stdp, w_max_mV: 1, a_plus: 0.02, pairing: nearest}}")
  }

  func testPlasticityIsRead() throws {
    let c = try ExperimentConfig.parse(text: plastic)
    guard case .pairSTDP(let p) = c.experiment.projections[0].plasticity else { return XCTFail("rule") }
    XCTAssertEqual(p.weightMax, 1)
    XCTAssertEqual(p.aPlus, 0.02)
    XCTAssertEqual(p.pairing, .nearest)
    XCTAssertEqual(p.tauPlusMs, PairSTDPParameters(weightMax: 1).tauPlusMs)
    let mixed = try ExperimentConfig.parse(
      text: plastic.replacingOccurrences(of: "pairing: nearest", with: "mu: 0.5, mu_minus: 1"))
    guard case .pairSTDP(let m) = mixed.experiment.projections[0].plasticity else { return XCTFail("rule") }
    XCTAssertEqual([m.muPlus, m.muMinus], [0.5, 1])
    XCTAssert(
      errors(plastic.replacingOccurrences(of: "pairing: nearest", with: "mu_plus: 2")).contains {
        $0.keyPath == "projections.ne.plasticity.mu_plus"
      })
  }

  func testPlasticityErrorsNameProjectionAndKey() {
    let cases: [(String, String, String)] = [
      ("rule: pair_stdp", "rule: pair_stpd", "projections.ne.plasticity.rule"),
      ("w_max_mV: 1", "w_max_mV: 1, w_min_mV: 2", "projections.ne.plasticity.w_min_mV"),
      ("w_max_mV: 1", "w_max_mV: 1, tau_plus_ms: -5", "projections.ne.plasticity.tau_plus_ms"),
      ("w_max_mV: 1", "w_max_nS: 1", "projections.ne.plasticity.w_max_nS"),
      ("delay_ms: 1,", "delay_ms: {uniform: [1, 2]},", "projections.ne.delay_ms"),
      ("weight_mV: 0.5", "weight_mV: 1.5", "projections.ne.weight_mV"),
    ]
    for (old, new, key) in cases {
      let e = errors(plastic.replacingOccurrences(of: old, with: new))
      XCTAssert(e.contains { $0.keyPath == key }, "expected an error at \(key), got \(e)")
    }
    let suggestion = errors(plastic.replacingOccurrences(of: "rule: pair_stdp", with: "rule: pair_stpd"))
    XCTAssert(suggestion.first?.message.contains("did you mean 'pair_stdp'") == true, "\(suggestion)")
  }

  private var triplet: String {
    plastic.replacingOccurrences(
      of: "rule: pair_stdp, w_max_mV: 1, a_plus: 0.02, pairing: nearest",
      with: "rule: triplet_stdp, parameter_set: hippocampal_all_to_all, w_max_mV: 1, a3_minus: 0, w_ref_mV: 0.5")
  }

  func testTripletParameterSetIsLoadedAndOverridden() throws {
    let c = try ExperimentConfig.parse(text: triplet)
    guard case .tripletSTDP(let p) = c.experiment.projections[0].plasticity else { return XCTFail("rule") }
    var expected = TripletSTDPParameters(.hippocampalAllToAll, weightMax: 1)
    expected.a3Minus = 0
    expected.weightReference = 0.5
    XCTAssertEqual(p, expected)
    XCTAssertEqual(p.tauXMs, 946)
  }

  func testTripletErrorsNameProjectionAndKey() {
    let cases: [(String, String, String)] = [
      (
        "parameter_set: hippocampal_all_to_all", "parameter_set: hippocampal", "projections.ne.plasticity.parameter_set"
      ),
      ("w_ref_mV: 0.5", "w_ref_mV: -1", "projections.ne.plasticity.w_ref_mV"),
      ("a3_minus: 0", "a3_minus: -0.1", "projections.ne.plasticity.a3_minus"),
      ("a3_minus: 0", "tau_y_ms: 0", "projections.ne.plasticity.tau_y_ms"),
      ("a3_minus: 0", "a_plus: 0.1", "projections.ne.plasticity.a_plus"),
    ]
    for (old, new, key) in cases {
      let e = errors(triplet.replacingOccurrences(of: old, with: new))
      XCTAssert(e.contains { $0.keyPath == key }, "expected an error at \(key), got \(e)")
    }
  }

  private var btsp: String {
    plastic.replacingOccurrences(
      of: "rule: pair_stdp, w_max_mV: 1, a_plus: 0.02, pairing: nearest",
      with: "rule: btsp_milstein, parameter_set: experimental, w_max_mV: 1, k_plus_per_s: 2, integration: continuous, "
        + "plateaus: {duration_ms: 200, neurons: [3, 1], times_ms: [50, 20], rate_Hz: 0.1}")
  }

  func testBTSPIsRead() throws {
    let c = try ExperimentConfig.parse(text: btsp)
    guard case .bidirectionalBTSP(let p) = c.experiment.projections[0].plasticity else { return XCTFail("rule") }
    var expected = BidirectionalBTSPParameters(weightMax: 1)
    BidirectionalBTSPParameters.ParameterSet.experimental.apply(to: &expected)
    expected.kPlusPerS = 2
    expected.integration = .continuous
    expected.plateaus = PlateauSchedule(durationMs: 200, scheduled: [(3, 50), (1, 20)], rateHz: 0.1)
    XCTAssertEqual(p, expected)
    XCTAssertEqual(p.tauEligibilityMs, 872.04)
  }

  func testBTSPErrorsNameProjectionAndKey() {
    let cases: [(String, String, String)] = [
      ("neurons: [3, 1]", "neurons: [3, 10]", "projections.ne.plasticity.plateaus.neurons"),
      ("times_ms: [50, 20]", "times_ms: [50]", "projections.ne.plasticity.plateaus.times_ms"),
      ("times_ms: [50, 20]", "times_ms: [50, -20]", "projections.ne.plasticity.plateaus.times_ms"),
      ("duration_ms: 200", "duration_ms: 0", "projections.ne.plasticity.plateaus.duration_ms"),
      ("rate_Hz: 0.1", "rate_Hz: -1", "projections.ne.plasticity.plateaus.rate_Hz"),
      ("integration: continuous", "integration: lap", "projections.ne.plasticity.integration"),
      ("k_plus_per_s: 2", "k_plus_per_s: -2", "projections.ne.plasticity.k_plus_per_s"),
      ("k_plus_per_s: 2", "tau_eligibility_ms: 0", "projections.ne.plasticity.tau_eligibility_ms"),
      ("k_plus_per_s: 2", "half_width_plus: 0", "projections.ne.plasticity.half_width_plus"),
      ("k_plus_per_s: 2", "plateau: {}", "projections.ne.plasticity.plateau"),
    ]
    for (old, new, key) in cases {
      let e = errors(btsp.replacingOccurrences(of: old, with: new))
      XCTAssert(e.contains { $0.keyPath == key }, "expected an error at \(key), got \(e)")
    }
  }

  private var binary: String {
    plastic.replacingOccurrences(
      of: "rule: pair_stdp, w_max_mV: 1, a_plus: 0.02, pairing: nearest",
      with: "rule: btsp_binary, w_max_mV: 1, update: flip, window_before_ms: 5, "
        + "plateaus: {probability: 0.01, period_ms: 10, stop_ms: 50}"
    ).replacingOccurrences(
      of: "noise: {size: 10, model: poisson, params: {rate_Hz: 5}}",
      with: "noise: {size: 10, model: memory_patterns, params: {patterns: 5, density: 0.2, recall_patterns: 2}}")
  }

  func testBinaryBTSPAndMemoryPatternsAreRead() throws {
    let c = try ExperimentConfig.parse(text: binary)
    guard case .binaryBTSP(let p) = c.experiment.projections[0].plasticity else { return XCTFail("rule") }
    XCTAssertEqual(p.update, .flip)
    XCTAssertEqual(p.windowBeforeMs, 5)
    XCTAssertEqual(p.plateaus.probability, 0.01)
    XCTAssertEqual(p.plateaus.stopMs, 50)
    XCTAssertEqual(p.plateaus.durationMs, 1)
    guard case .memoryPatterns(let m) = c.experiment.populations[1].model else { return XCTFail("model") }
    XCTAssertEqual([m.patterns, m.recallPatterns], [5, 2])
    XCTAssertEqual(m.recallTimeMs(1), 50 + 20)
  }

  func testBinaryBTSPAndMemoryPatternErrorsNameTheKey() {
    let cases: [(String, String, String)] = [
      ("update: flip", "update: coin", "projections.ne.plasticity.update"),
      ("window_before_ms: 5", "window_before_ms: -5", "projections.ne.plasticity.window_before_ms"),
      ("probability: 0.01", "probability: 1.5", "projections.ne.plasticity.plateaus.probability"),
      ("period_ms: 10, stop_ms: 50", "stop_ms: 50", "projections.ne.plasticity.plateaus.period_ms"),
      ("stop_ms: 50", "stop_ms: 50, start_ms: 60", "projections.ne.plasticity.plateaus.stop_ms"),
      ("recall_patterns: 2", "recall_patterns: 9", "populations.noise.params.recall_patterns"),
      ("density: 0.2", "density: 0", "populations.noise.params.density"),
      ("patterns: 5, ", "", "populations.noise.params.patterns"),
    ]
    for (old, new, key) in cases {
      let e = errors(binary.replacingOccurrences(of: old, with: new))
      XCTAssert(e.contains { $0.keyPath == key }, "expected an error at \(key), got \(e)")
    }
  }

  func testTraceRecordingsAreCheckedAgainstTheRule() throws {
    let traced = plastic.replacingOccurrences(
      of: "record: {spikes: all}",
      with: "record: {spikes: all, traces: [{projection: ne, traces: [x, y], neurons: [0, 9], interval_ms: 0.5}]}")
    let c = try ExperimentConfig.parse(text: traced)
    XCTAssertEqual(
      c.experiment.recording.traces,
      [TraceRecording(projection: "ne", traces: ["x", "y"], neurons: [0, 9], intervalMs: 0.5)])
    let cases: [(String, String, String)] = [
      ("traces: [x, y]", "traces: [x, z]", "record.traces[0].traces"),
      ("neurons: [0, 9]", "neurons: [0, 10]", "record.traces[0].neurons"),
      ("interval_ms: 0.5", "interval_ms: 0.05", "record.traces[0].interval_ms"),
      ("projection: ne, traces", "projection: en, traces", "record.traces[0].projection"),
    ]
    for (old, new, key) in cases {
      let e = errors(traced.replacingOccurrences(of: old, with: new))
      XCTAssert(e.contains { $0.keyPath == key }, "expected an error at \(key), got \(e)")
    }
    let static_ = valid.replacingOccurrences(
      of: "record: {spikes: all}", with: "record: {traces: [{projection: ne, traces: [x], neurons: [0]}]}")
    XCTAssert(errors(static_).contains { $0.keyPath == "record.traces[0].projection" })
  }

  func testFlushIntervalIsReadAndChecked() throws {
    let c = try ExperimentConfig.parse(text: valid + "\noutput: {flush_interval_ms: 250}")
    XCTAssertEqual(c.experiment.simulation.flushIntervalMs, 250)
    XCTAssert(
      errors(valid + "\noutput: {flush_interval_ms: 0.01}").contains { $0.keyPath == "output.flush_interval_ms" })
  }
}
