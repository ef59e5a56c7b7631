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

  /// ``block(_:)`` for eight counters at once, lane `i` holding the counter
  /// `(low, high, third[i], fourth[i])`; every lane holds a 32-bit word in 64 bits.
  ///
  /// The same values as eight calls of ``block(_:)``, in about an eighth of the instructions: each
  /// round is two 32 × 32 → 64-bit vector multiplies (`vpmuludq`) and a few shifts and exclusive ors.
  @inline(__always)
  public func blocks(
    low: UInt32, high: UInt32, third: SIMD8<UInt64>, fourth: SIMD8<UInt64>
  ) -> (SIMD8<UInt64>, SIMD8<UInt64>, SIMD8<UInt64>, SIMD8<UInt64>) {
    let mask = SIMD8<UInt64>(repeating: 0xFFFF_FFFF)
    let m0 = SIMD8<UInt64>(repeating: 0xD251_1F53)
    let m1 = SIMD8<UInt64>(repeating: 0xCD9E_8D57)
    var c0 = SIMD8<UInt64>(repeating: UInt64(low))
    var c1 = SIMD8<UInt64>(repeating: UInt64(high))
    var c2 = third & mask
    var c3 = fourth & mask
    var k0 = key.0
    var k1 = key.1
    for _ in 0..<10 {
      // The masks tell LLVM the factors fit in 32 bits (one `vpmuludq` each, not a 64-bit product).
      let p0 = m0 &* (c0 & mask)
      let p1 = m1 &* (c2 & mask)
      let next0 = (p1 &>> 32) ^ c1 ^ SIMD8(repeating: UInt64(k0))
      let next2 = (p0 &>> 32) ^ c3 ^ SIMD8(repeating: UInt64(k1))
      c1 = p1 & mask
      c3 = p0 & mask
      c0 = next0
      c2 = next2
      k0 &+= 0x9E37_79B9
      k1 &+= 0xBB67_AE85
    }
    return (c0, c1, c2, c3)
  }
}

/// Uniforms in (0, 1] from 64 random bits per lane, as ``RandomStream/uniformPair(_:_:)`` makes
/// them: `((bits >> 11) + 1) · 2^−53`, exactly (the 53-bit integer is converted in two exact halves,
/// as AVX2 has no 64-bit integer conversion).
@inline(__always)
func uniforms(_ bits: SIMD8<UInt64>) -> SIMD8<Double> {
  let x = bits &>> 11
  let magic = SIMD8<UInt64>(repeating: 0x4330_0000_0000_0000)  // 2^52: its low bits hold an integer
  let twoTo52 = SIMD8<Double>(repeating: 4_503_599_627_370_496)
  let high = unsafeBitCast(x &>> 26 | magic, to: SIMD8<Double>.self) - twoTo52
  let low = unsafeBitCast(x & SIMD8(repeating: 0x3FF_FFFF) | magic, to: SIMD8<Double>.self) - twoTo52
  let whole = high * SIMD8(repeating: 67_108_864) + low  // < 2^53: exact
  return (whole + 1) * SIMD8(repeating: 1.0 / 9_007_199_254_740_992.0)
}

/// ln x on 8 lanes, x normal and at most 1 (the uniforms of ``uniforms(_:)``), within 10⁻¹⁴ of
/// the true value — for callers that check the result against a tolerance and fall back to `log`
/// when it matters (``exponentialFloor(_:approximate:lambda:inverse:)``).
///
/// Method (as fdlibm/musl `log`, all in vector integer and floating-point operations): x = m·2^e
/// with m in [√½, √2) (by an integer offset that carries into the exponent), ln m = 2 atanh(s),
/// s = (m − 1)/(m + 1), |s| ≤ 0.172, by its series to s¹⁹ (truncation below 10⁻¹⁶), plus e·ln 2 in
/// two parts (the first exact).
@inline(__always)
func approximateLog(_ x: SIMD8<Double>) -> SIMD8<Double> {
  // Adding 1 − 0x3FE6A09E·2^32 (√½'s high word) moves m ≥ √2's mantissas into the next exponent.
  let t = unsafeBitCast(x, to: SIMD8<UInt64>.self) &+ SIMD8(repeating: 0x0009_5F62_0000_0000)
  let m = unsafeBitCast(
    t & SIMD8(repeating: 0x000F_FFFF_FFFF_FFFF) &+ SIMD8(repeating: 0x3FE6_A09E_0000_0000), to: SIMD8<Double>.self)
  // The biased exponent (< 2^11) as a double, through the 2^52 magic number.
  let biased = unsafeBitCast(t &>> 52 | SIMD8(repeating: 0x4330_0000_0000_0000), to: SIMD8<Double>.self)
  let e = biased - SIMD8(repeating: 4_503_599_627_371_519)  // 2^52 + 1023
  let f = m - 1
  let s = f / (f + 2)
  let z = s * s
  // Estrin's scheme over z: 1 + z/3 + z²/5 + … + z⁹/19.
  let z2 = z * z
  let z4 = z2 * z2
  let a0 = 1 + z * (1.0 / 3)
  let a1 = 1.0 / 5 + z * (1.0 / 7)
  let a2 = 1.0 / 9 + z * (1.0 / 11)
  let a3 = 1.0 / 13 + z * (1.0 / 15)
  let a4 = 1.0 / 17 + z * (1.0 / 19)
  let series = (a0 + z2 * a1) + z4 * ((a2 + z2 * a3) + z4 * a4)
  // ln 2 = 6.93147180369123816490e−1 (33 bits: e·that is exact) + 1.90821492927058770002e−10.
  return e * 6.931_471_803_691_238_164_9e-1 + (e * 1.908_214_929_270_587_700_02e-10 + 2 * s * series)
}

/// `(ln u / −λ).rounded(.down)` for u in (0, 1] — the floor of an exponential variate, as the
/// geometric gaps of ``PoissonKernel`` need it — bit for bit what
/// `(log(u) / -lambda).rounded(.down)` gives with the C library's `log`, given
/// `q = −approximateLog(u) · inverse` and `inverse` = 1/λ.
///
/// q lies within a known distance of the quotient the C library's `log` (≤ 1 ulp) and the division
/// give; when no integer lies within that distance (all but ≈ 10⁻⁹ of draws) both floors agree,
/// otherwise `log` and the division are done.
@inline(__always)
func exponentialFloor(_ u: Double, approximate q: Double, lambda: Double, inverse: Double) -> Double {
  // |ln u − approximation| ≤ 10⁻¹⁴ and the C library's error ≤ 1 ulp ≤ 10⁻¹⁴: 10⁻¹² leaves 50×
  // margin; the relative part covers the roundings of 1/λ, the product and the division (q ≥ 0
  // but for u within 10⁻¹⁴ of 1, where the absolute part dominates).
  let slack = 1e-12 * inverse + q * 1e-15
  let lower = (q - slack).rounded(.down)
  if lower == (q + slack).rounded(.down) { return lower }
  return (log(u) / -lambda).rounded(.down)
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
