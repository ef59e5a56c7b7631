import Foundation
import NDMLModel

/// Philox4x32-10, the counter-based generator of Salmon et al. (2011), "Parallel random numbers:
/// as easy as 1, 2, 3", SC'11, doi:10.1145/2063384.2063405.
///
/// Output is a pure function of (key, counter): a value drawn for neuron 17 at step 400 is the same
/// whatever order, thread or partition generated it. NDML keys each purpose separately (see
/// ``RandomStream``).
public struct Philox4x32: Sendable {
  /// The 64-bit key, as two 32-bit words.
  public var key: (UInt32, UInt32)

  /// Creates a generator with the given key.
  public init(key: (UInt32, UInt32)) { self.key = key }

  /// The four 32-bit outputs for a 128-bit counter.
  @inline(__always)
  public func block(_ counter: (UInt32, UInt32, UInt32, UInt32)) -> (UInt32, UInt32, UInt32, UInt32) {
    var c = counter
    var k = key
    for _ in 0..<10 {
      let p0 = UInt64(0xD251_1F53) &* UInt64(c.0)
      let p1 = UInt64(0xCD9E_8D57) &* UInt64(c.2)
      c = (
        UInt32(truncatingIfNeeded: p1 >> 32) ^ c.1 ^ k.0, UInt32(truncatingIfNeeded: p1),
        UInt32(truncatingIfNeeded: p0 >> 32) ^ c.3 ^ k.1, UInt32(truncatingIfNeeded: p0)
      )
      k.0 &+= 0x9E37_79B9
      k.1 &+= 0xBB67_AE85
    }
    return c
  }
}

/// One independent random stream of a run, keyed by (seed, purpose); values are indexed by two
/// 64-bit counters (e.g. neuron and step, or source and target).
public struct RandomStream: Sendable {
  let generator: Philox4x32

  /// Creates the stream for `purpose` (e.g. `"poisson/exc"`) under `seed`.
  public init(seed: UInt64, purpose: String) {
    let k = splitMix64(seed ^ splitMix64(fnv1a(purpose)))
    generator = Philox4x32(key: (UInt32(truncatingIfNeeded: k), UInt32(truncatingIfNeeded: k >> 32)))
  }

  /// Two independent uniforms in (0, 1] for the index pair (a, b), 53 bits each.
  @inline(__always)
  public func uniformPair(_ a: UInt64, _ b: UInt64) -> (Double, Double) {
    let r = generator.block(
      (
        UInt32(truncatingIfNeeded: a), UInt32(truncatingIfNeeded: a >> 32),
        UInt32(truncatingIfNeeded: b), UInt32(truncatingIfNeeded: b >> 32)
      ))
    let x = (UInt64(r.0) << 32 | UInt64(r.1)) >> 11
    let y = (UInt64(r.2) << 32 | UInt64(r.3)) >> 11
    let scale = 1.0 / 9_007_199_254_740_992.0  // 2^-53
    return ((Double(x) + 1) * scale, (Double(y) + 1) * scale)
  }

  /// One uniform in (0, 1] for the index pair (a, b).
  @inline(__always)
  public func uniform(_ a: UInt64, _ b: UInt64) -> Double { uniformPair(a, b).0 }

  /// A draw of `distribution` for the index pair (a, b).
  public func sample(_ distribution: ValueDistribution, _ a: UInt64, _ b: UInt64) -> Double {
    if case .constant(let v) = distribution { return v }
    if case .perNeuron(let values) = distribution { return values[Int(a)] }
    let (u1, u2) = uniformPair(a, b)
    return distribution.sample(u1, u2)
  }
}

extension ValueDistribution {
  /// Draws one value from two uniforms in (0, 1] (Box–Muller for the normal).
  func sample(_ u1: Double, _ u2: Double) -> Double {
    switch self {
    case .constant(let v):
      return v
    case .uniform(let lo, let hi):
      return lo + (hi - lo) * (1 - u1)
    case .normal(let m, let sd, let clip):
      let x = m + sd * (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
      if clip, (m >= 0 && x < 0) || (m < 0 && x > 0) { return 0 }
      return x
    case .perNeuron:
      preconditionFailure("per-neuron values are looked up by index, not drawn")
    }
  }
}

/// SplitMix64's finaliser (Steele, Lea & Flood 2014): a bijective 64-bit mix.
func splitMix64(_ x: UInt64) -> UInt64 {
  var z = x &+ 0x9E37_79B9_7F4A_7C15
  z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
  z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
  return z ^ (z >> 31)
}

/// 64-bit FNV-1a hash of a string's UTF-8 bytes (stable across runs and platforms).
func fnv1a(_ s: String) -> UInt64 {
  var h: UInt64 = 0xCBF2_9CE4_8422_2325
  for b in s.utf8 {
    h ^= UInt64(b)
    h = h &* 0x100_0000_01B3
  }
  return h
}
