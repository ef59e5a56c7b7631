import NDMLModel

/// CPU kernel of `loihi_cuba`: Loihi 2's fixed-point CUBA LIF, bit-exact with Lava's
/// `PyLifModelBitAcc` (equations: `NDMLModel/Neurons/LoihiCuba.swift`; every detail with its
/// Lava source line: `docs/loihi-numerics.md`).
///
/// A sibling of the float LIF kernels, not a mode of them: the state is integer (`u`, `v` in
/// `Int32`), there is no refractory period, and each incoming projection has its own input
/// channel, because Lava shifts each `Dense`'s summed input by that projection's `weight_exp`
/// before the projections add up. The simulation adds each projection's integer weights into its
/// channel in the engine's precision; the sums are exact integers (|w| ≤ 256, at most 65 536 inputs
/// per projection in single precision, checked by validation). Step `n` consumes the channels —
/// everything that arrives at `t_{n+1}` (``PopulationKernel/inputLeadSteps`` = 1) — then updates
/// `u` and `v` in Lava's order and stamps spikes `t_{n+1}`.
final class LoihiCubaKernel<Scalar: EngineScalar>: NeuronKernel {
  let size: Int
  private let u: UnsafeMutablePointer<Int32>
  private let v: UnsafeMutablePointer<Int32>
  /// Per incoming projection (config order), its summed weights per target neuron.
  private let channels: UnsafeMutablePointer<UnsafeMutablePointer<Scalar>>
  private let channelExponents: UnsafeMutablePointer<Int>
  let inputChannelCount: Int
  /// `4096 − (du + 1)` and `4096 − dv`.
  private let currentFactor, voltageFactor: Int
  private let bias: Int
  /// `vth << 6`.
  private let threshold: Int

  /// A population of `size` neurons whose incoming projections (config order) use
  /// `weightExponents`.
  init(parameters p: LoihiCubaParameters, size: Int, weightExponents: [Int], initial: [String: (Int) -> Double]) {
    self.size = size
    currentFactor = 4096 - (p.du + 1)
    voltageFactor = 4096 - p.dv
    bias = p.bias
    threshold = p.vth << 6
    u = .allocate(capacity: paddedCount(size))
    v = .allocate(capacity: paddedCount(size))
    for i in 0..<paddedCount(size) {
      (u + i).initialize(to: i < size ? Int32((initial["u"]?(i) ?? 0).rounded()) : 0)
      (v + i).initialize(to: i < size ? Int32((initial["v"]?(i) ?? 0).rounded()) : 0)
    }
    inputChannelCount = weightExponents.count
    channels = .allocate(capacity: max(1, weightExponents.count))
    channelExponents = .allocate(capacity: max(1, weightExponents.count))
    for (c, e) in weightExponents.enumerated() {
      (channels + c).initialize(to: allocateState(size))
      (channelExponents + c).initialize(to: e)
    }
  }

  deinit {
    for c in 0..<inputChannelCount { channels[c].deallocate() }
    channels.deallocate()
    channelExponents.deallocate()
    u.deallocate()
    v.deallocate()
  }

  var inputLeadSteps: Int { 1 }

  func synapticVariable(_ channel: InputChannel) -> UnsafeMutablePointer<Scalar>? {
    channel.rawValue < inputChannelCount ? channels[channel.rawValue] : nil
  }

  /// Currents do not apply (validation refuses them; the bias is a parameter).
  func setCurrent(_ currentPA: Double, neuron: Int) {}

  func value(ofVariable variable: Int, neuron: Int) -> Scalar {
    Scalar(variable == 0 ? Double(u[neuron]) : Double(v[neuron]))
  }

  /// `sign(x·f)·(|x·f| >> 12)`: Loihi's decay, truncating toward zero.
  @inline(__always)
  private static func decay(_ x: Int32, _ factor: Int) -> Int {
    let p = Int(x) * factor
    return p >= 0 ? p >> 12 : -((-p) >> 12)
  }

  @_specialize(where Scalar == Double)
  @_specialize(where Scalar == Float)
  func step(_ n: Int, neurons: Range<Int>, spikes: SpikeBuffer) -> Bool {
    let top = LoihiCubaParameters.stateLimit
    let span = 2 * top
    let limit = top - 1
    for i in neurons.clamped(to: 0..<size) {
      var input = 0
      for c in 0..<inputChannelCount {
        let channel = channels[c]
        input += LoihiSynapseSettings.shift(Scalar.integer(channel[i]), by: channelExponents[c])
        channel[i] = 0
      }
      var x = Self.decay(u[i], currentFactor) + (input << 6)
      if x > top { x -= span } else if x <= -top { x += span }
      let newU = Int32(truncatingIfNeeded: x)
      u[i] = newU
      var y = Self.decay(v[i], voltageFactor) + Int(newU) + bias
      y = min(max(y, -limit), limit)
      if y > threshold {
        v[i] = 0
        spikes.append(i)
      } else {
        v[i] = Int32(y)
      }
    }
    return false
  }
}

extension LoihiCubaKernel {
  func saveState(to archive: inout StateArchiveWriter, step: Int) {
    archive.section("loihi_cuba", shape: [size, inputChannelCount, MemoryLayout<Scalar>.size])
    archive.write(u, count: size)
    archive.write(v, count: size)
    for c in 0..<inputChannelCount { archive.write(channels[c], count: size) }
  }

  func restoreState(from archive: inout StateArchiveReader, step: Int) throws {
    try archive.section("loihi_cuba", shape: [size, inputChannelCount, MemoryLayout<Scalar>.size])
    try archive.read(into: u, count: size)
    try archive.read(into: v, count: size)
    for c in 0..<inputChannelCount { try archive.read(into: channels[c], count: size) }
  }
}
