import Foundation

/// The machine's limit for spike propagation: random scatter-add throughput measured by a small
/// native kernel with NDML's synapse layout, so a benchmark can say how close the engine gets.
///
/// The kernel walks rows of `rowLength` synapses (target `UInt32`, weight `Scalar`, targets sorted
/// within a row, as NDML stores them) in a random row order, adding each weight into an array of
/// `targetCount` values — exactly NDML's delivery loop with nothing around it. Per event it
/// touches 4 + `Scalar` bytes of the rows and one `Scalar` at a random address (read and write).
/// Give it the network's synapse count, so that the rows are as large (and as cache-resident) as
/// the network's; it repeats passes until about 2²⁴ events are timed.
public enum ScatterProbe {
  /// What one probe measured.
  public struct Result: Sendable {
    /// Synaptic events (weight additions) per second.
    public var eventsPerSecond: Double
    /// Bytes each event touches (target index, weight, target value read and written).
    public var bytesPerEvent: Int
    /// Size of the target array in bytes (whether it fits a cache decides the limit).
    public var targetBytes: Int
  }

  /// Measures scatter-add throughput into `targetCount` values of `precision` (best of
  /// `repeats` passes over about 2²⁴ events).
  public static func measure(
    targetCount: Int, synapseCount: Int, rowLength: Int = 80, doublePrecision: Bool = true, repeats: Int = 5
  ) -> Result {
    doublePrecision
      ? run(Double.self, targetCount: targetCount, synapses: synapseCount, rowLength: rowLength, repeats: repeats)
      : run(Float.self, targetCount: targetCount, synapses: synapseCount, rowLength: rowLength, repeats: repeats)
  }

  private static func run<S: BinaryFloatingPoint>(
    _: S.Type, targetCount: Int, synapses: Int, rowLength: Int, repeats: Int
  ) -> Result {
    let rows = max(1, min(synapses, 1 << 26) / rowLength)
    let passes = max(1, (1 << 24) / (rows * rowLength))
    let n = max(targetCount, 1)
    var generator = SplitMix64(seed: 0x5EED)
    var targets = [UInt32](repeating: 0, count: rows * rowLength)
    let weights = [S](repeating: S(0.001), count: rows * rowLength)
    for r in 0..<rows {
      var row = (0..<rowLength).map { _ in UInt32(generator.next() % UInt64(n)) }
      row.sort()
      for k in 0..<rowLength { targets[r * rowLength + k] = row[k] }
    }
    let order = (0..<rows * passes).map { _ in Int(generator.next() % UInt64(rows)) }
    var state = [S](repeating: 0, count: n)
    var best = Double.infinity
    targets.withUnsafeBufferPointer { t in
      weights.withUnsafeBufferPointer { w in
        state.withUnsafeMutableBufferPointer { v in
          for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            for r in order {
              let base = r * rowLength
              for j in base..<base + rowLength { v[Int(t[j])] += w[j] }
            }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
          }
        }
      }
    }
    let size = MemoryLayout<S>.size
    // Keep the result observable so the loop is not removed.
    if state.reduce(0, +) == -1 { print("") }
    return Result(
      eventsPerSecond: Double(order.count * rowLength) / best, bytesPerEvent: 4 + 3 * size, targetBytes: n * size)
  }
}

/// SplitMix64 (Steele, Lea & Flood 2014): a tiny generator for benchmark inputs only.
struct SplitMix64 {
  private var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
