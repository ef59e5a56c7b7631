import Foundation
import NDMLConfig
import XCTest

/// The `sweep:` section: grid points, listed points, their overrides, and config fingerprints.
final class SweepConfigTests: XCTestCase {
  private let base = """
    simulation: {dt_ms: 0.1, duration_ms: 100, seed: 3}
    populations:
      exc:
        size: 10
        model: lif_cuba
        params: {tau_m_ms: 20, v_thresh_mV: -50, v_reset_mV: -60}
      noise: {size: 10, model: poisson, params: {rate_Hz: 5}}
    projections:
      ne: {source: noise, target: exc, connectivity: one_to_one, weight_mV: 2, delay_ms: 1}
    record: {spikes: all}

    """

  func testGridIsTheProductWithTheFirstAxisSlowest() throws {
    let config = try ExperimentConfig.parse(
      text: base + """
        sweep:
          grid:
            w:
              values: [1.5, 2]
              set: {projections.ne.weight_mV: [1.5, 2.0], populations.noise.params.rate_Hz: [5, 8]}
            simulation.seed: [1, 2, 3]
          points:
            - {name: named, set: {populations.exc.params.tau_m_ms: 10, record.spikes: [exc]}}
        """)
    let sweep = try XCTUnwrap(config.sweep)
    XCTAssertEqual(sweep.axes.map(\.name), ["w", "simulation.seed"])
    XCTAssertEqual(
      sweep.points.map(\.name),
      ["w1.5_seed1", "w1.5_seed2", "w1.5_seed3", "w2_seed1", "w2_seed2", "w2_seed3", "named"])
    let point = try XCTUnwrap(sweep.point(named: "w2_seed3"))
    XCTAssertEqual(
      point.overrides,
      ["projections.ne.weight_mV=2.0", "populations.noise.params.rate_Hz=8", "simulation.seed=3"])
    XCTAssertEqual(point.parameters.map(\.name), ["w", "simulation.seed"])
    XCTAssertEqual(point.parameters.map(\.value), ["2", "3"])
    XCTAssertEqual(
      sweep.point(named: "named")?.overrides, ["populations.exc.params.tau_m_ms=10", "record.spikes=[exc]"])
    // A point's overrides load as --set values and change what they name.
    let loaded = try ExperimentConfig.parse(text: config.text, overrides: point.overrides)
    XCTAssertEqual(loaded.experiment.simulation.seed, 3)
    XCTAssertEqual(loaded.experiment.projections[0].weight.mean, 2.0)
  }

  func testQuotedAndStructuredValuesSurviveAsOverrides() throws {
    let config = try ExperimentConfig.parse(
      text: base + """
        sweep:
          grid:
            record.spikes: [[exc], "all", {a: 1}]
        """)
    XCTAssertEqual(
      config.sweep?.points.map(\.overrides),
      [["record.spikes=[exc]"], ["record.spikes=\"all\""], ["record.spikes={a: 1}"]])
    XCTAssertEqual(config.sweep?.points.map(\.name), ["spikes-exc-", "spikes-all-", "spikes-a--1-"])
  }

  func testBadSweepsNameTheKey() throws {
    let cases: [(String, String)] = [
      ("sweep: {}", "needs `grid:`"),
      ("sweep: {grid: {simulation.seed: []}}", "sweep.grid.simulation.seed: is an empty list"),
      ("sweep: {grid: {a: {values: [1, 2], set: {simulation.seed: [1]}}}}", "must be a list of 2 values"),
      (
        "sweep: {grid: {a: {values: [1], set: {simulation.seed: [1]}}, simulation.seed: [2]}}",
        "which axis 'a' sets too"
      ),
      ("sweep: {grid: {simulation.seed: [1, 1]}}", "would both be named 'seed1'"),
      ("sweep: {points: [{name: 'a/b', set: {simulation.seed: 1}}]}", "not a usable file name"),
      ("sweep: {grid: {simulation.seed: [1]}, gird: 2}", "sweep.gird: unknown key"),
    ]
    for (text, fragment) in cases {
      do {
        _ = try ExperimentConfig.parse(text: base + text)
        XCTFail("accepted: \(text)")
      } catch let errors as ConfigErrors {
        XCTAssertTrue(errors.errors.contains { "\($0)".contains(fragment) }, "\(text): \(errors.errors)")
      }
    }
  }

  func testFingerprintIgnoresOnlyWhatCannotChangeResults() throws {
    let a = try ExperimentConfig.parse(text: base)
    let threads = try ExperimentConfig.parse(text: base, overrides: ["simulation.threads=2", "output.path=x.h5"])
    let swept = try ExperimentConfig.parse(text: base + "sweep: {grid: {simulation.seed: [1, 2]}}")
    let seed = try ExperimentConfig.parse(text: base, overrides: ["simulation.seed=4"])
    let weight = try ExperimentConfig.parse(text: base, overrides: ["projections.ne.weight_mV=2.5"])
    XCTAssertFalse(a.fingerprint.isEmpty)
    XCTAssertEqual(a.fingerprint, threads.fingerprint)
    XCTAssertEqual(a.fingerprint, swept.fingerprint)
    XCTAssertNotEqual(a.fingerprint, seed.fingerprint)
    XCTAssertNotEqual(a.fingerprint, weight.fingerprint)
    XCTAssertNotEqual(seed.fingerprint, weight.fingerprint)
  }
}
