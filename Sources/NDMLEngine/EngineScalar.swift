import Foundation

/// The floating-point types the CPU kernels are specialised for (`Double`, `Float`).
///
/// The lane-wise comparisons and selects are requirements, implemented once per concrete type: in
/// generic code the standard library resolves them to its generic lane-by-lane loops, while on the
/// concrete `SIMD8<Double>`/`SIMD8<Float>` it uses vector instructions (measured: the neuron loop
/// ran 3× slower the generic way).
public protocol EngineScalar: BinaryFloatingPoint, SIMDScalar, Sendable, Codable {
  /// A lane mask of 8 lanes of this type.
  typealias Mask = SIMDMask<SIMD8<Self>.MaskStorage>
  /// e^x in this precision.
  static func exponential(_ x: Self) -> Self
  /// `x` converted to `Int` (toward zero), without the generic conversion's slow path.
  static func integer(_ x: Self) -> Int
  /// Lane-wise `a <= b`.
  static func lanesLessOrEqual(_ a: SIMD8<Self>, _ b: SIMD8<Self>) -> Mask
  /// Lane-wise `a > b`.
  static func lanesGreater(_ a: SIMD8<Self>, _ b: SIMD8<Self>) -> Mask
  /// Lane-wise `a && b`.
  static func lanesAnd(_ a: Mask, _ b: Mask) -> Mask
  /// Lane-wise `a || b`.
  static func lanesOr(_ a: Mask, _ b: Mask) -> Mask
  /// Lane-wise `|a| < b`: false for NaN, ±∞ and magnitudes of `b` or more (|a| by clearing the
  /// sign bit: one AND, one compare).
  static func lanesBelow(magnitude a: SIMD8<Self>, _ b: SIMD8<Self>) -> Mask
  /// Whether every lane of `mask` is true.
  static func allLanes(_ mask: Mask) -> Bool
  /// `ifTrue` where `mask` is set, else `ifFalse`.
  static func select(_ mask: Mask, _ ifTrue: SIMD8<Self>, _ ifFalse: SIMD8<Self>) -> SIMD8<Self>
  /// Whether any lane of `mask` is set.
  static func anyLane(_ mask: Mask) -> Bool
  /// `x` with the lanes of `mask` set to `value`: ``select(_:_:_:)`` as a masked move, for values
  /// that feed an 8-lane exponential (there, LLVM lowered the select's integer-mask form by
  /// rebuilding the mask lane by lane).
  static func replacing(_ x: SIMD8<Self>, with value: SIMD8<Self>, where mask: Mask) -> SIMD8<Self>
  /// e^x lane-wise (the 8-lane polynomial of `VectorExp.swift`, ≤ 2 ulp).
  static func exponential(_ x: SIMD8<Self>) -> SIMD8<Self>
}

extension Double: EngineScalar {
  /// e^x.
  public static func exponential(_ x: Double) -> Double { Foundation.exp(x) }
  @inline(__always) public static func integer(_ x: Double) -> Int { Int(x) }
  @inline(__always) public static func exponential(_ x: SIMD8<Double>) -> SIMD8<Double> { VectorExp.exp(x) }
  @inline(__always) public static func replacing(
    _ x: SIMD8<Double>, with value: SIMD8<Double>, where mask: Mask
  ) -> SIMD8<Double> {
    var out = x
    out.replace(with: value, where: mask)
    return out
  }
  @inline(__always) public static func lanesLessOrEqual(_ a: SIMD8<Double>, _ b: SIMD8<Double>) -> Mask { a .<= b }
  @inline(__always) public static func lanesGreater(_ a: SIMD8<Double>, _ b: SIMD8<Double>) -> Mask { a .> b }
  @inline(__always) public static func lanesAnd(_ a: Mask, _ b: Mask) -> Mask { a .& b }
  @inline(__always) public static func lanesOr(_ a: Mask, _ b: Mask) -> Mask { a .| b }
  @inline(__always) public static func lanesBelow(magnitude a: SIMD8<Double>, _ b: SIMD8<Double>) -> Mask {
    let bits = unsafeBitCast(a, to: SIMD8<Int64>.self) & SIMD8(repeating: Int64.max)
    return unsafeBitCast(bits, to: SIMD8<Double>.self) .< b
  }
  @inline(__always) public static func allLanes(_ mask: Mask) -> Bool {
    let m = mask._storage
    let h = m.lowHalf & m.highHalf
    let q = h.lowHalf & h.highHalf
    return (q[0] & q[1]) != 0
  }
  @inline(__always) public static func select(_ mask: Mask, _ ifTrue: SIMD8<Double>, _ ifFalse: SIMD8<Double>) -> SIMD8<
    Double
  > {
    let m = mask._storage
    let t = unsafeBitCast(ifTrue, to: SIMD8<Int64>.self)
    let f = unsafeBitCast(ifFalse, to: SIMD8<Int64>.self)
    return unsafeBitCast((t & m) | (f & ~m), to: SIMD8<Double>.self)
  }
  @inline(__always) public static func anyLane(_ mask: Mask) -> Bool {
    let m = mask._storage
    let h = m.lowHalf | m.highHalf
    let q = h.lowHalf | h.highHalf
    return (q[0] | q[1]) != 0
  }
}

extension Float: EngineScalar {
  /// e^x.
  public static func exponential(_ x: Float) -> Float { Foundation.expf(x) }
  @inline(__always) public static func integer(_ x: Float) -> Int { Int(x) }
  @inline(__always) public static func exponential(_ x: SIMD8<Float>) -> SIMD8<Float> { VectorExp.exp(x) }
  @inline(__always) public static func replacing(
    _ x: SIMD8<Float>, with value: SIMD8<Float>, where mask: Mask
  ) -> SIMD8<Float> {
    var out = x
    out.replace(with: value, where: mask)
    return out
  }
  @inline(__always) public static func lanesLessOrEqual(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> Mask { a .<= b }
  @inline(__always) public static func lanesGreater(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> Mask { a .> b }
  @inline(__always) public static func lanesAnd(_ a: Mask, _ b: Mask) -> Mask { a .& b }
  @inline(__always) public static func lanesOr(_ a: Mask, _ b: Mask) -> Mask { a .| b }
  @inline(__always) public static func lanesBelow(magnitude a: SIMD8<Float>, _ b: SIMD8<Float>) -> Mask {
    let bits = unsafeBitCast(a, to: SIMD8<Int32>.self) & SIMD8(repeating: Int32.max)
    return unsafeBitCast(bits, to: SIMD8<Float>.self) .< b
  }
  @inline(__always) public static func allLanes(_ mask: Mask) -> Bool {
    let m = mask._storage
    let h = m.lowHalf & m.highHalf
    let q = h.lowHalf & h.highHalf
    return (q[0] & q[1]) != 0
  }
  @inline(__always) public static func select(_ mask: Mask, _ ifTrue: SIMD8<Float>, _ ifFalse: SIMD8<Float>) -> SIMD8<
    Float
  > {
    let m = mask._storage
    let t = unsafeBitCast(ifTrue, to: SIMD8<Int32>.self)
    let f = unsafeBitCast(ifFalse, to: SIMD8<Int32>.self)
    return unsafeBitCast((t & m) | (f & ~m), to: SIMD8<Float>.self)
  }
  @inline(__always) public static func anyLane(_ mask: Mask) -> Bool {
    let m = mask._storage
    let h = m.lowHalf | m.highHalf
    let q = h.lowHalf | h.highHalf
    return (q[0] | q[1]) != 0
  }
}

/// Lane width of the SIMD kernels: 8 lanes (two AVX registers of doubles, one of floats).
typealias Lanes<S: EngineScalar> = SIMD8<S>

/// Number of lanes per SIMD chunk.
let laneCount = 8

/// Elements per block that threads split state by: 16, so that a block of either precision fills
/// whole 64-byte cache lines (state arrays are 64-byte aligned) and no two threads ever write the
/// same line — at a shared boundary line each step's writes would bounce it between the cores.
let blockCount = 32

/// `n` rounded up to whole blocks (hence whole SIMD chunks).
func paddedCount(_ n: Int) -> Int { (n + blockCount - 1) / blockCount * blockCount }
