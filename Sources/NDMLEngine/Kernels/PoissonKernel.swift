import Foundation
import NDMLModel

/// CPU kernel of `poisson` sources (definition: `NDMLModel/Inputs/PoissonSource.swift`).
///
/// In step `n` neuron `k` emits `m ~ Poisson(λ)`, `λ = rate_k(t_n)·dt`, drawn by inversion from one
/// uniform of the stream `poisson/<population>` at counter (k, n); spikes are stamped `t_n`.
final class PoissonKernel<Scalar: EngineScalar>: SourceKernel {
  let size: Int
  private let stream: RandomStream
  /// (first step, λ per neuron, e^−λ per neuron) per schedule segment.
  private let segments: [(firstStep: Int, lambda: [Double], expNegLambda: [Double])]
  private var segmentIndex = 0

  init(parameters p: PoissonSourceParameters, size: Int, dtMs: Double, stream: RandomStream) {
    self.size = size
    self.stream = stream
    segments = p.schedule.map { seg in
      let rates = seg.ratesHz.count == 1 ? Array(repeating: seg.ratesHz[0], count: size) : seg.ratesHz
      let lambda = rates.map { $0 * dtMs / 1000 }
      return (Int((seg.startMs / dtMs).rounded()), lambda, lambda.map { exp(-$0) })
    }
  }

  @_specialize(where Scalar == Double)
  @_specialize(where Scalar == Float)
  func step(_ n: Int, spikes: SpikeBuffer) {
    while segmentIndex + 1 < segments.count && segments[segmentIndex + 1].firstStep <= n {
      segmentIndex += 1
    }
    let segment = segments[segmentIndex]
    segment.expNegLambda.withUnsafeBufferPointer { expNeg in
      segment.lambda.withUnsafeBufferPointer { lambda in
        for k in 0..<size where lambda[k] > 0 {
          let u = stream.uniform(UInt64(k), UInt64(n))
          var probability = expNeg[k]
          var cumulative = probability
          var count = 0
          while u > cumulative && count < 10_000 {
            count += 1
            probability *= lambda[k] / Double(count)
            cumulative += probability
          }
          for _ in 0..<count { spikes.append(k) }
        }
      }
    }
  }
}
