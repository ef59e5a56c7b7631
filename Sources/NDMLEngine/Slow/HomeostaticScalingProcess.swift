import Foundation
import NDMLModel

/// CPU process of homeostatic synaptic scaling (equations, numerics and references:
/// `NDMLModel/Slow/HomeostaticScaling.swift`).
///
/// Per neuron: the sensor ā (Hz), the step of its last update, and ∫ā dt since the last tick (Hz·ms),
/// all exact between spikes. A tick multiplies the scaled projections' weights onto each neuron by
/// `exp(β·(ν_target·Δ − ∫ā dt)/1000)`, keeping plastic weights within their bounds.
final class HomeostaticScalingProcess<Scalar: EngineScalar>: SpikeObservingProcess {
  let name: String
  let clockSteps: Int
  let observedPopulation: Int
  private let parameters: HomeostaticScalingParameters
  private let tables: [(table: SynapseTable<Scalar>, upperBound: Scalar)]
  private let dtMs: Double
  private var sensor: [Double]
  private var lastStep: [Int]
  private var integral: [Double]
  private var lastTick = 0
  /// This tick's factor per neuron (raw storage: the weight loop reads it without copy checks).
  private let factors: UnsafeMutablePointer<Scalar>

  init(
    population: Int, name: String, size: Int, parameters p: HomeostaticScalingParameters,
    tables: [(table: SynapseTable<Scalar>, upperBound: Double)], clockSteps: Int, dtMs: Double
  ) {
    self.name = "homeostasis of \(name)"
    observedPopulation = population
    parameters = p
    self.tables = tables.map { ($0.table, Scalar($0.upperBound)) }
    self.clockSteps = clockSteps
    self.dtMs = dtMs
    sensor = Array(repeating: p.initialRateHz ?? p.targetRateHz, count: size)
    lastStep = Array(repeating: 0, count: size)
    integral = Array(repeating: 0, count: size)
    factors = .allocate(capacity: max(size, 1))
    factors.initialize(repeating: 1, count: max(size, 1))
  }

  deinit { factors.deallocate() }

  /// Decays neuron `i`'s sensor to `step`, adding its integral over the interval.
  @inline(__always)
  private func advance(_ i: Int, to step: Int) {
    let elapsed = Double(step - lastStep[i]) * dtMs
    guard elapsed > 0 else { return }
    let tau = parameters.tauSensorMs
    let decay = exp(-elapsed / tau)
    integral[i] += sensor[i] * tau * (1 - decay)
    sensor[i] *= decay
    lastStep[i] = step
  }

  func observe(_ indices: UnsafePointer<Int32>, count: Int, step: Int) {
    let jump = 1000 / parameters.tauSensorMs
    for k in 0..<count {
      let i = Int(indices[k])
      advance(i, to: step)
      sensor[i] += jump
    }
  }

  @_specialize(where Scalar == Double)
  @_specialize(where Scalar == Float)
  func tick(atStep n: Int) {
    guard n > lastTick else { return }
    let periodMs = Double(n - lastTick) * dtMs
    let beta = parameters.beta / 1000  // Hz·ms → dimensionless
    let target = parameters.targetRateHz * periodMs
    let factors = self.factors
    for i in sensor.indices {
      advance(i, to: n)
      factors[i] = Scalar(exp(beta * (target - integral[i])))
      integral[i] = 0
    }
    lastTick = n
    for (table, upper) in tables {
      let targets = table.targets
      let weights = table.weights
      for s in 0..<table.count {
        weights[s] = min(weights[s] * factors[Int(targets[s])], upper)
      }
    }
  }

  func finish(atStep n: Int) { tick(atStep: n) }

  /// The sensor of neuron `i` at `step` (Hz), without changing the state.
  func sensorValue(_ i: Int, atStep step: Int) -> Double {
    sensor[i] * exp(-Double(step - lastStep[i]) * dtMs / parameters.tauSensorMs)
  }

  func saveState(to archive: inout StateArchiveWriter, step: Int) {
    archive.section("homeostasis", shape: [sensor.count] + tables.map(\.table.count))
    archive.write(sensor)
    archive.write(lastStep)
    archive.write(integral)
    archive.write(lastTick)
    for (table, _) in tables { archive.write(table.weights, count: table.count) }
  }

  func restoreState(from archive: inout StateArchiveReader, step: Int) throws {
    try archive.section("homeostasis", shape: [sensor.count] + tables.map(\.table.count))
    sensor = try archive.readArray(count: sensor.count)
    lastStep = try archive.readArray(count: lastStep.count)
    integral = try archive.readArray(count: integral.count)
    lastTick = try archive.readInt()
    for (table, _) in tables { try archive.read(into: table.weights, count: table.count) }
  }
}
