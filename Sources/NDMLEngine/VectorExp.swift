/// e^x on 8 lanes at once, for the kernels whose step needs an exponential per neuron
/// (`lif_coba`'s exponential Euler). Scalar `exp` per lane made that kernel 3× slower than Brian2.
///
/// Method (Cody & Waite 1980; as in Cephes): n = round(x/ln 2), r = x − n·ln 2 in two parts
/// (|r| ≤ ln 2 / 2), e^r by its Taylor polynomial evaluated with Estrin's scheme (degree 13 for Double, 7 for Float:
/// truncation error below 2^-60 / 2^-28), then the exact scaling by 2^n through the exponent bits.
/// Rounding uses the magic-number trick (adding 1.5·2^52, or 1.5·2^23, leaves n in the low bits),
/// so every operation is a plain vector instruction on concrete types — no lane loops.
/// Accuracy ≤ 2 ulp (tested against the C library over the whole range). x is clamped to the
/// normal range (e^-708…e^709 for Double, e^-87…e^88 for Float): smaller arguments give e^-708
/// instead of a subnormal or 0, larger ones e^709.
enum VectorExp {
  /// e^x for Double lanes.
  @inline(__always)
  static func exp(_ x: SIMD8<Double>) -> SIMD8<Double> {
    let lo = SIMD8<Double>(repeating: -708)
    let hi = SIMD8<Double>(repeating: 709)
    // Masked moves (`replace(with:where:)` on the concrete type); a select through integer masks
    // made LLVM rebuild each mask lane by lane (≈ 60 mask instructions per call, `perf annotate`).
    var clamped = x
    clamped.replace(with: lo, where: x .< lo)
    clamped.replace(with: hi, where: x .> hi)
    let magic = SIMD8<Double>(repeating: 6_755_399_441_055_744)  // 1.5·2^52
    let shifted = clamped * SIMD8(repeating: 1.442_695_040_888_963_4) + magic
    let n = shifted - magic
    let r =
      clamped - n * SIMD8(repeating: 6.931_471_803_691_238_2e-1) - n * SIMD8(repeating: 1.908_214_929_270_587_7e-10)
    // Estrin's scheme: dependency depth ~10 instead of Horner's 26.
    let r2 = r * r
    let r4 = r2 * r2
    let r8 = r4 * r4
    let q0 = SIMD8<Double>(repeating: 1.0) + SIMD8(repeating: 1.0) * r
    let q1 = SIMD8<Double>(repeating: 0.5) + SIMD8(repeating: 0.16666666666666666) * r
    let q2 = SIMD8<Double>(repeating: 0.041666666666666664) + SIMD8(repeating: 0.008333333333333333) * r
    let q3 = SIMD8<Double>(repeating: 0.001388888888888889) + SIMD8(repeating: 0.0001984126984126984) * r
    let q4 = SIMD8<Double>(repeating: 2.48015873015873e-05) + SIMD8(repeating: 2.7557319223985893e-06) * r
    let q5 = SIMD8<Double>(repeating: 2.755731922398589e-07) + SIMD8(repeating: 2.505210838544172e-08) * r
    let q6 = SIMD8<Double>(repeating: 2.08767569878681e-09) + SIMD8(repeating: 1.6059043836821613e-10) * r
    let s0 = q0 + q1 * r2
    let s1 = q2 + q3 * r2
    let s2 = q4 + q5 * r2
    let s3 = q6
    let t0 = s0 + s1 * r4
    let t1 = s2 + s3 * r4
    let u0 = t0 + t1 * r8
    let p = u0
    let k = unsafeBitCast(shifted, to: SIMD8<Int64>.self) &- unsafeBitCast(magic, to: SIMD8<Int64>.self)
    return p * unsafeBitCast((k &+ SIMD8(repeating: 1023)) &<< SIMD8(repeating: 52), to: SIMD8<Double>.self)
  }

  /// e^x for Float lanes.
  @inline(__always)
  static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
    let lo = SIMD8<Float>(repeating: -87)
    let hi = SIMD8<Float>(repeating: 88)
    var clamped = x
    clamped.replace(with: lo, where: x .< lo)
    clamped.replace(with: hi, where: x .> hi)
    let magic = SIMD8<Float>(repeating: 12_582_912)  // 1.5·2^23
    let shifted = clamped * SIMD8(repeating: 1.442_695_0) + magic
    let n = shifted - magic
    let r = clamped - n * SIMD8(repeating: 0.693_359_375) - n * SIMD8(repeating: -2.121_944_4e-4)
    // Estrin's scheme: dependency depth ~8 instead of Horner's 14.
    let r2 = r * r
    let r4 = r2 * r2
    let q0 = SIMD8<Float>(repeating: 1.0) + SIMD8(repeating: 1.0) * r
    let q1 = SIMD8<Float>(repeating: 0.5) + SIMD8(repeating: 0.16666666666666666) * r
    let q2 = SIMD8<Float>(repeating: 0.041666666666666664) + SIMD8(repeating: 0.008333333333333333) * r
    let q3 = SIMD8<Float>(repeating: 0.001388888888888889) + SIMD8(repeating: 0.0001984126984126984) * r
    let s0 = q0 + q1 * r2
    let s1 = q2 + q3 * r2
    let t0 = s0 + s1 * r4
    let p = t0
    let k = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- unsafeBitCast(magic, to: SIMD8<Int32>.self)
    return p * unsafeBitCast((k &+ SIMD8(repeating: 127)) &<< SIMD8(repeating: 23), to: SIMD8<Float>.self)
  }
}
