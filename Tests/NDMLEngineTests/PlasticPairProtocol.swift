import Foundation
import NDMLModel
import XCTest

/// Runs one plastic synapse with a 1 ms delay; pre spikes at `pre` (ms), the post neuron kicked to fire
/// one step after each `kick`; returns the first and last recorded weight and the post spike times.
func runPlasticPair(_ rule: PlasticityRule, pre: [Double], kick: [Double], weight: Double = 0.5) throws -> (
  initial: Double, final: Double, post: [Double]
) {
  var neuron = LIFCubaParameters()
  neuron.tauSynapticExcitatoryMs = 0
  neuron.restingPotentialMV = -70
  neuron.resetMV = -70
  neuron.thresholdMV = -55
  let e = Experiment(
    simulation: SimulationSettings(durationMs: 200),
    populations: [
      Population(name: "pre", size: 1, model: .spikeSource(.init(spikeTimesMs: [pre]))),
      Population(name: "kick", size: 1, model: .spikeSource(.init(spikeTimesMs: [kick]))),
      Population(name: "post", size: 1, model: .lifCuba(neuron)),
    ],
    projections: [
      Projection(
        name: "stdp", source: "pre", target: "post", connectivity: .oneToOne, weight: .constant(weight),
        delayMs: .constant(1), receptor: .excitatory, plasticity: rule),
      Projection(
        name: "kick", source: "kick", target: "post", connectivity: .oneToOne, weight: .constant(30),
        delayMs: .constant(0.1), receptor: .excitatory),
    ],
    recording: RecordingPlan(
      spikePopulations: ["post"], weights: [.init(projection: "stdp", intervalMs: 1000)]))
  XCTAssertEqual(e.validate().filter { !$0.isWarning }, [])
  let (obs, _) = try simulate(e)
  let w = obs.weights[0]!.values
  return (w.first!, w.last!, obs.spikes["post"]?.timesMs ?? [])
}
