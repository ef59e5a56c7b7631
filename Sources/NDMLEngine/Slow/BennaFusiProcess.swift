import Foundation
import NDMLModel

/// CPU process of Benna–Fusi consolidation (equations, numerics and references:
/// `NDMLModel/Slow/BennaFusiChain.swift`).
///
/// Per synapse the m − 1 hidden variables (in the engine's precision, m − 1 scalars after the
/// weight); u₁ is the weight minus the resting weight, so every change the plasticity rule made
/// since the last tick is already in it. A tick applies the exact propagator to every synapse's
/// chain and writes u₁ back, clipped to the rule's bounds.
final class BennaFusiProcess<Scalar: EngineScalar>: SlowProcess {
  let name: String
  let clockSteps: Int
  let table: SynapseTable<Scalar>
  private let m: Int
  /// `exp(A·Δ)` row-major, in double precision.
  private let propagator: [Double]
  private let rest: Double
  private let bounds: ClosedRange<Double>
  /// Hidden variables u₂…u_m of synapse s at `s·(m − 1)`.
  private let hidden: UnsafeMutablePointer<Scalar>
  private var lastTick = 0
  private let dtMs: Double
  private let parameters: BennaFusiParameters

  init(
    table: SynapseTable<Scalar>, parameters p: BennaFusiParameters, bounds: ClosedRange<Double>, clockSteps: Int,
    dtMs: Double
  ) {
    name = "consolidation of \(table.projectionName)"
    self.table = table
    self.clockSteps = clockSteps
    self.dtMs = dtMs
    parameters = p
    m = p.variables
    propagator = p.propagator(periodMs: Double(clockSteps) * dtMs)
    rest = p.restingWeight ?? bounds.lowerBound
    self.bounds = bounds
    let count = max(table.count * (m - 1), 1)
    hidden = .allocate(capacity: count)
    hidden.initialize(repeating: 0, count: count)
    // The initial weights count as long consolidated: every hidden variable starts at u₁.
    for s in 0..<table.count {
      for k in 0..<(m - 1) { hidden[s * (m - 1) + k] = Scalar(Double(table.weights[s]) - rest) }
    }
  }

  deinit { hidden.deallocate() }

  /// Bytes of per-synapse state the chain adds.
  var bytes: Int { table.count * (m - 1) * MemoryLayout<Scalar>.stride }

  @_specialize(where Scalar == Double)
  @_specialize(where Scalar == Float)
  func tick(atStep n: Int) {
    guard n > lastTick else { return }
    let p = n - lastTick == clockSteps ? propagator : parameters.propagator(periodMs: Double(n - lastTick) * dtMs)
    lastTick = n
    let m = self.m
    let weights = table.weights
    let hidden = self.hidden
    let (lo, hi) = (bounds.lowerBound, bounds.upperBound)
    p.withUnsafeBufferPointer { p in
      withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * m) { u in
        for s in 0..<table.count {
          let h = hidden + s * (m - 1)
          u[0] = Double(weights[s]) - rest
          for k in 1..<m { u[k] = Double(h[k - 1]) }
          for i in 0..<m {
            var sum = 0.0
            for k in 0..<m { sum += p[i * m + k] * u[k] }
            u[m + i] = sum
          }
          weights[s] = Scalar(min(max(rest + u[m], lo), hi))
          for k in 1..<m { h[k - 1] = Scalar(u[m + k]) }
        }
      }
    }
  }

  func finish(atStep n: Int) { tick(atStep: n) }

  func saveState(to archive: inout StateArchiveWriter, step: Int) {
    archive.section("benna_fusi", shape: [table.count, m])
    archive.write(lastTick)
    archive.write(table.weights, count: table.count)
    archive.write(hidden, count: table.count * (m - 1))
  }

  func restoreState(from archive: inout StateArchiveReader, step: Int) throws {
    try archive.section("benna_fusi", shape: [table.count, m])
    lastTick = try archive.readInt()
    try archive.read(into: table.weights, count: table.count)
    try archive.read(into: hidden, count: table.count * (m - 1))
  }
}

extension BennaFusiProcess: MemoryVariableSource {
  /// `hidden`: the capacitance-weighted mean Σ_{k≥2} C_k u_k / Σ_{k≥2} C_k of the hidden
  /// variables — where the chain keeps a consolidated trace (none for m = 1).
  var memoryVariables: [MemoryVariable] {
    guard m > 1 else { return [] }
    let m = self.m
    let hidden = self.hidden
    let weights = (1..<m).map { pow(2, Double($0)) }
    let total = weights.reduce(0, +)
    return [
      MemoryVariable(name: "hidden", role: .slow) { s in
        var sum = 0.0
        for k in 0..<(m - 1) { sum += weights[k] * Double(hidden[s * (m - 1) + k]) }
        return sum / total
      }
    ]
  }
}
