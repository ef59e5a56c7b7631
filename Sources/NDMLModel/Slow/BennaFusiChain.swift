import Foundation

/// Synaptic consolidation by a chain of coupled variables (Benna & Fusi 2016), the `consolidation:`
/// block of a plastic projection.
///
/// ## Equations
/// Each synapse carries m variables u₁…u_m ("beakers"); u₁ is the expressed weight, relative to
/// a resting weight: `w = w_rest + u₁`. The plasticity rule writes into u₁ (every change it makes
/// to the weight); the chain spreads it into the slower, hidden variables and back:
///
///     C_k du_k/dt = g_{k−1,k}(u_{k−1} − u_k) + g_{k,k+1}(u_{k+1} − u_k),   k = 1…m
///     C_k = 2^(k−1),   g_{k,k+1} = g₁₂ · 2^(−(k−1)),   g₁₂ = 1/τ₁,   u_{m+1} = 0 (leak)
///
/// (no g₀₁ term for k = 1). Each variable's own time constant C_k/g_{k,k+1} = 4^(k−1)·τ₁ grows
/// ×4 per level: after a write, u₁ decays as a power law ≈ t^(−1/2) between τ₁ and 4^(m−1)·τ₁,
/// then exponentially — the memory curve behind the model's near-linear capacity. With `leak:
/// false` the last variable has no path to ground (Σ C_k u_k is conserved).
///
/// ## Numerics (multi-rate)
/// The chain is linear, so its update over one clock period Δ is the exact matrix exponential
/// `P = exp(A·Δ)`, computed once (scaling and squaring of a Taylor series, in double precision).
/// The initial weights count as long consolidated: every hidden variable starts equal to u₁.
/// Writes of the plasticity rule between two ticks enter u₁ at the next tick (Lie splitting): a
/// write is shifted by at most one clock period, so choose a clock well below τ₁ (a warning says
/// when it is not). Expressed weights stay within the rule's bounds.
///
/// ## Parameters (keys under `projections.<name>.consolidation`)
/// | key | Swift name | default | meaning |
/// |---|---|---|---|
/// | `model` | — | required | `benna_fusi` |
/// | `variables` | `variables` | 8 | m, the chain length (1 = one leaky variable: exponential forgetting) |
/// | `tau_1_ms` | `tauFastestMs` | required | τ₁ = C₁/g₁₂, the fastest time constant |
/// | `leak` | `leak` | true | u_m leaks to 0 through g_{m,m+1} |
/// | `w_rest_<unit>` | `restingWeight` | the rule's `w_min` | the weight at u₁ = 0 |
/// | `clock` / `clock_ms` | `clock` | `calcium` | update clock (see ``Timescales``) |
///
/// The geometric prescription (C ×2, g ÷2 per level) follows three independent public
/// transcriptions of the paper (the Methods were not available to check; see
/// `docs/validation.md`); the leak of the last variable differs between them and is therefore a
/// flag.
///
/// ## References
/// 1. Benna MK, Fusi S (2016) Computational principles of synaptic memory consolidation. Nat
///    Neurosci 19:1697–1706. doi:10.1038/nn.4401
/// 2. Fusi S, Drew PJ, Abbott LF (2005) Cascade models of synaptically stored memories. Neuron
///    45:599–611. doi:10.1016/j.neuron.2005.02.001
public struct BennaFusiParameters: Sendable, Equatable {
  /// The number of variables m.
  public var variables = 8
  /// τ₁ in ms.
  public var tauFastestMs: Double
  /// Whether u_m leaks to ground.
  public var leak = true
  /// The expressed weight at u₁ = 0; nil for the rule's lower bound.
  public var restingWeight: Double?
  /// The update clock.
  public var clock = SlowClock.named("calcium")

  /// Creates parameters with the defaults above.
  public init(tauFastestMs: Double) { self.tauFastestMs = tauFastestMs }

  /// The largest chain length accepted.
  public static var maximumVariables: Int { 16 }

  /// The capacitances C_k and the conductances g_{k,k+1} (k = 1…m; the last is the leak, 0
  /// without it), in units where C₁ = 1 and time is in ms.
  public var capacitancesAndConductances: (c: [Double], g: [Double]) {
    let c = (0..<variables).map { pow(2, Double($0)) }
    var g = (0..<variables).map { pow(2, -Double($0)) / tauFastestMs }
    if !leak { g[variables - 1] = 0 }
    return (c, g)
  }

  /// The generator A of `du/dt = A·u` (row-major m×m).
  public var generator: [Double] {
    let (c, g) = capacitancesAndConductances
    let m = variables
    var a = [Double](repeating: 0, count: m * m)
    for k in 0..<m {
      if k > 0 {
        a[k * m + k - 1] += g[k - 1] / c[k]
        a[k * m + k] -= g[k - 1] / c[k]
      }
      a[k * m + k] -= g[k] / c[k]
      if k + 1 < m { a[k * m + k + 1] += g[k] / c[k] }
    }
    return a
  }

  /// The exact propagator `exp(A·periodMs)` (row-major m×m).
  public func propagator(periodMs: Double) -> [Double] {
    matrixExponential(generator.map { $0 * periodMs }, size: variables)
  }

  /// Every broken rule (keys relative to `consolidation`).
  public func violations() -> [ParameterViolation] {
    var out = requirePositive([("tau_1_ms", tauFastestMs)])
    if !(1...Self.maximumVariables).contains(variables) {
      out.append(.init(key: "variables", message: "must be 1 to \(Self.maximumVariables), got \(variables)"))
    }
    if let w = restingWeight, !w.isFinite { out.append(.init(key: "w_rest", message: "must be finite, got \(w)")) }
    return out
  }
}

/// `exp(M)` of a row-major `size`×`size` matrix: scaling and squaring of a 24-term Taylor series
/// (the norm is scaled below 1/2 first), accurate to double precision for the chain's generators.
func matrixExponential(_ m: [Double], size n: Int) -> [Double] {
  func multiply(_ a: [Double], _ b: [Double]) -> [Double] {
    var out = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
      for k in 0..<n where a[i * n + k] != 0 {
        for j in 0..<n { out[i * n + j] += a[i * n + k] * b[k * n + j] }
      }
    }
    return out
  }
  let norm = (0..<n).map { i in (0..<n).reduce(0) { $0 + abs(m[i * n + $1]) } }.max() ?? 0
  var squarings = 0
  while norm / pow(2, Double(squarings)) > 0.5 { squarings += 1 }
  let scaled = m.map { $0 / pow(2, Double(squarings)) }
  var result = [Double](repeating: 0, count: n * n)
  var term = [Double](repeating: 0, count: n * n)
  for i in 0..<n {
    result[i * n + i] = 1
    term[i * n + i] = 1
  }
  for k in 1...24 {
    term = multiply(term, scaled).map { $0 / Double(k) }
    for i in result.indices { result[i] += term[i] }
  }
  for _ in 0..<squarings { result = multiply(result, result) }
  return result
}
