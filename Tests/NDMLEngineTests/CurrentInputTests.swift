import Foundation
import NDMLModel
import XCTest

@testable import NDMLEngine

/// Sine and noise currents: when they change, what a neuron gets, and that threads and
/// checkpoints do not change it.
final class CurrentInputTests: XCTestCase {
  /// `nextChange(after:)` is the first later step at which `changes(at:)` holds.
  func testNextChangeIsTheFirstLaterChange() {
    let windows = [
      PeriodicCurrentChanges.Window(injection: 0, startStep: 3, stopStep: 20, intervalSteps: 4),
      .init(injection: 0, startStep: 0, stopStep: Int.max, intervalSteps: 1),
      .init(injection: 0, startStep: 5, stopStep: 17, intervalSteps: 3),
      .init(injection: 0, startStep: 7, stopStep: 7, intervalSteps: 2),
    ]
    for w in windows {
      for n in -1..<40 {
        let expected = ((n + 1)..<60).first { w.startStep < w.stopStep && w.changes(at: $0) }
        XCTAssertEqual(w.nextChange(after: n), expected ?? Int.max, "\(w) after \(n)")
      }
    }
  }

  /// A neuron with τ_m = 1 ms and R = 1 mV/pA: the current of each step, recovered from v, is the
  /// sine at the step's start plus the noise value of its interval (keyed by neuron and interval).
  func testCurrentsEqualTheirDefinitions() throws {
    var p = LIFCubaParameters()
    p.tauMembraneMs = 1
    p.capacitancePF = 1
    p.restingPotentialMV = 0
    p.resetMV = 0
    p.thresholdMV = 1e6
    let sine = CurrentInjection.Sine(
      amplitudePA: 30, offsetPA: 5, frequencyHz: 70, phaseDegrees: 45, startMs: 1, stopMs: 8)
    let noise = CurrentInjection.Noise(meanPA: 2, standardDeviationPA: 10, intervalMs: 0.3, startMs: 2, stopMs: 9)
    let e = Experiment(
      simulation: SimulationSettings(dtMs: 0.1, durationMs: 10, seed: 4),
      populations: [Population(name: "n", size: 3, model: .lifCuba(p))],
      currentInjections: [
        .init(name: "ac", population: "n", neurons: [0, 2], waveform: .sine(sine)),
        .init(name: "nz", population: "n", neurons: [2, 1], waveform: .noise(noise)),
      ],
      recording: RecordingPlan(state: [.init(population: "n", variables: ["v"], neurons: [0, 1, 2], intervalMs: 0.1)]))
    let (observer, _) = try simulate(e)
    let v = observer.samples["0/v"]!.map(Double.init)
    let decay = exp(-0.1)
    let stream = RandomStream(seed: 4, purpose: "noise/nz")
    for n in 0..<99 {
      for neuron in 0..<3 {
        let current = (v[3 * (n + 1) + neuron] - decay * v[3 * n + neuron]) / (1 - decay)
        var expected = 0.0
        if neuron != 1 && n >= 10 && n < 80 { expected += sine.currentPA(atMs: Double(n) * 0.1) }
        if neuron != 0 && n >= 20 && n < 90 {
          expected += stream.sample(
            .normal(mean: 2, standardDeviation: 10, clipAtZero: false), UInt64(neuron), UInt64((n - 20) / 3))
        }
        assertClose(current, expected, tolerance: 1e-3, "step \(n), neuron \(neuron)")  // float32 samples
      }
    }
  }

  /// 1 and 3 threads give the same output; a run resumed from a checkpoint taken inside a noise
  /// interval too (see CheckpointTests for the general machinery).
  func testThreadsAndResumesDoNotChangeTheCurrents() throws {
    func experiment(_ threads: Int) -> Experiment {
      var simulation = SimulationSettings(dtMs: 0.1, durationMs: 200, seed: 9)
      simulation.threads = threads
      return Experiment(
        simulation: simulation,
        populations: [Population(name: "n", size: 37, model: .lifCuba(LIFCubaParameters()))],
        currentInjections: [
          .init(
            name: "ac", population: "n", neurons: nil,
            waveform: .sine(.init(amplitudePA: 200, offsetPA: 250, frequencyHz: 12, startMs: 10))),
          .init(
            name: "nz", population: "n", neurons: nil,
            waveform: .noise(.init(meanPA: 0, standardDeviationPA: 150, intervalMs: 1, stopMs: 150))),
        ],
        recording: RecordingPlan(
          spikePopulations: ["n"], state: [.init(population: "n", variables: ["v"], neurons: [0, 36], intervalMs: 0.1)]
        ))
    }
    let (reference, _) = try simulate(experiment(1))
    XCTAssertGreaterThan(reference.spikes["n"]?.timesMs.count ?? 0, 20)
    let (threaded, _) = try simulate(experiment(3))
    threaded.assertSameOutput(as: reference, "3 threads")
    let checkpointed = MemoryObserver()
    try CPUBackend().run(experiment(2), observer: checkpointed, options: RunOptions(checkpointEveryMs: 45.3))
    XCTAssertEqual(checkpointed.checkpoints.count, 4)
    for checkpoint in checkpointed.checkpoints {
      let resumed = checkpoint.recorded.copy()
      try CPUBackend().run(experiment(1), observer: resumed, options: RunOptions(resumeState: checkpoint.state))
      resumed.assertSameOutput(as: reference, "resumed at step \(checkpoint.step)")
    }
  }
}
