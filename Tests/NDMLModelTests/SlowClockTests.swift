import NDMLModel
import XCTest

/// Named timescales and slow clocks: defaults, order, the step grid.
final class SlowClockTests: XCTestCase {
  func testDefaultsAreTheFiveTimescalesInOrder() {
    let t = Timescales()
    XCTAssertEqual(Timescales.names.map { t.periodMs($0)! }, [5, 500, 60_000, 3_600_000, 86_400_000])
    XCTAssertEqual(t.violations(), [])
  }

  func testOutOfOrderTimescaleNamesBoth() {
    var t = Timescales()
    t.set("calcium", periodMs: 120_000)
    let v = t.violations()
    XCTAssertEqual(v.map(\.key), ["protein_synthesis_ms"])
    XCTAssertTrue(v[0].message.contains("60000.0 ms, the default"), v[0].message)
    XCTAssertTrue(v[0].message.contains("calcium_ms (120000.0 ms)"), v[0].message)
  }

  func testClocksMustLieOnTheStepGrid() {
    let t = Timescales()
    XCTAssertEqual(SlowClock.named("homeostatic").violations(timescales: t, dtMs: 0.1), [])
    XCTAssertEqual(SlowClock.named("homeostatic").steps(timescales: t, dtMs: 0.1), 36_000_000)
    XCTAssertEqual(SlowClock.periodMs(0.3).violations(timescales: t, dtMs: 0.1), [])
    XCTAssertEqual(SlowClock.periodMs(0.3).steps(timescales: t, dtMs: 0.1), 3)
    let off = SlowClock.periodMs(0.25).violations(timescales: t, dtMs: 0.1)
    XCTAssertEqual(off.map(\.key), ["clock_ms"])
    XCTAssertTrue(off[0].message.contains("choose 0.2 or 0.3 ms"), off[0].message)
    XCTAssertEqual(SlowClock.periodMs(0.05).violations(timescales: t, dtMs: 0.1).count, 1)
    XCTAssertEqual(SlowClock.named("weekly").violations(timescales: t, dtMs: 0.1).map(\.key), ["clock"])
    XCTAssertEqual(
      SlowClock.named("synaptic").violations(timescales: t, dtMs: 0.3).map(\.key),
      [
        "clock (timescales.synaptic_ms)"
      ])
  }

  func testHomeostasisIsValidatedWithTheNetwork() {
    var cells = Population(name: "cells", size: 4, model: .lifCuba(LIFCubaParameters()))
    var h = HomeostaticScalingParameters(targetRateHz: 5, beta: 1e-5, tauSensorMs: 1000)
    h.clock = .periodMs(1000)
    cells.homeostasis = h
    var e = Experiment(
      simulation: SimulationSettings(dtMs: 0.1, durationMs: 10),
      populations: [Population(name: "in", size: 3, model: .poisson(.init(rateHz: 1))), cells],
      projections: [
        Projection(
          name: "inh", source: "in", target: "cells", connectivity: .allToAll, weight: .constant(-1),
          delayMs: .constant(1), receptor: .inhibitory)
      ])
    XCTAssertEqual(
      e.validate().filter { !$0.isWarning }.map(\.keyPath), ["populations.cells.homeostasis.projections"])
    e.projections.append(
      Projection(
        name: "exc", source: "in", target: "cells", connectivity: .allToAll, weight: .constant(1),
        delayMs: .constant(1), receptor: .excitatory))
    XCTAssertEqual(e.validate().filter { !$0.isWarning }, [])
    e.populations[1].homeostasis?.projections = ["inh"]
    XCTAssertTrue(e.validate().contains { $0.message.contains("inh is inhibitory") })
  }
}
