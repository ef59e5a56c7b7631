import Foundation
import NDMLModel

/// The per-step contract every population kernel implements (neuron models and spike sources).
///
/// A kernel owns its population's state as structure-of-arrays and advances all of it by one step.
/// Synaptic input does not pass through the kernel: the simulation adds arriving weights straight
/// into the arrays ``synapticVariable(_:)`` exposes, between steps, at their arrival time (or one
/// step earlier, see ``inputLeadSteps``).
protocol PopulationKernel<Scalar>: Checkpointable {
  associatedtype Scalar: EngineScalar
  /// Number of neurons.
  var size: Int { get }
  /// Whether spikes of step `n` happen at the step's end (`t_{n+1}`, neurons) or start (`t_n`,
  /// sources).
  var emitsAtStepEnd: Bool { get }
  /// Whether threads may step disjoint neuron ranges of the population at once (otherwise one
  /// thread steps all of it).
  var splitsAcrossThreads: Bool { get }
  /// Prepares per-thread state: thread `k` will step `ranges[k]` (whole SIMD chunks: bounds are
  /// multiples of ``blockCount``, the last range ends at the padded count, ranges may be empty).
  /// Called once, before the first step.
  func prepare(ranges: [Range<Int>])
  // Stepping is not a protocol requirement: the loop calls each concrete kernel's `step` or
  // `emit` through ``KernelHandle``, specialised and without reference counting.
  /// The synaptic variable (`s_e`/`s_i`, `g_e`/`g_i`, or a `loihi_cuba` projection's input sum)
  /// an input channel's weights add to, one value per neuron; nil for sources, which take no input.
  func synapticVariable(_ channel: InputChannel) -> UnsafeMutablePointer<Scalar>?
  /// Number of input channels (2 receptors for the float LIF models, 0 for sources).
  var inputChannelCount: Int { get }
  /// How many steps before its arrival time an input must be in the channel: 0 when step `n`
  /// integrates what arrived at `t_n` (the float models), 1 when it uses what arrives at `t_{n+1}`
  /// (Loihi, whose step adds the input that arrives at the time it computes).
  var inputLeadSteps: Int { get }
  /// Sets the total injected current (bias included) of one neuron, in pA.
  func setCurrent(_ currentPA: Double, neuron: Int)
  /// The current value of recordable variable `variable` (index into the model's
  /// `recordableVariables`) of `neuron`.
  func value(ofVariable variable: Int, neuron: Int) -> Scalar
  /// After a step reported a fault: the first neuron with a NaN, infinite or run-away variable,
  /// the variable's name and its value.
  func faultyNeuron() -> (neuron: Int, variable: String, value: Double)?
}

extension PopulationKernel {
  var inputLeadSteps: Int { 0 }
  func faultyNeuron() -> (neuron: Int, variable: String, value: Double)? { nil }
}

/// A neuron kernel whose whole state is per-neuron arrays (the LIF kernels): checkpoints save them
/// and the fault scan reads them.
protocol ArrayStateKernel: NeuronKernel {
  /// The model's name in checkpoints (`lif_cuba`).
  static var stateName: String { get }
  /// Every per-neuron array: the recordable variables, then `refractory`, then the drive last.
  var stateArrays: [(name: String, values: UnsafeMutablePointer<Scalar>)] { get }
}

extension ArrayStateKernel {
  func saveState(to archive: inout StateArchiveWriter, step: Int) {
    archive.section(Self.stateName, shape: [size, MemoryLayout<Scalar>.size])
    for array in stateArrays { archive.write(array.values, count: size) }
  }

  func restoreState(from archive: inout StateArchiveReader, step: Int) throws {
    try archive.section(Self.stateName, shape: [size, MemoryLayout<Scalar>.size])
    for array in stateArrays { try archive.read(into: array.values, count: size) }
  }

  /// The variables first (neuron by neuron), the drive only if they are all sound.
  func faultyNeuron() -> (neuron: Int, variable: String, value: Double)? {
    let checked = stateArrays.filter { $0.name != "refractory" }
    return firstFault(size: size, checked.dropLast().map { ($0.name, $0.values) })
      ?? firstFault(size: size, checked.suffix(1).map { ($0.name, $0.values) })
  }
}

/// The first of `arrays` (named) holding a NaN, an infinity or a magnitude of at least
/// ``SpikeResetRule/runawayMV`` in its first `size` entries, neuron by neuron.
func firstFault<S: EngineScalar>(size: Int, _ arrays: [(String, UnsafeMutablePointer<S>)]) -> (
  neuron: Int, variable: String, value: Double
)? {
  for i in 0..<size {
    for (name, array) in arrays where !(abs(Double(array[i])) < SpikeResetRule<S>.runawayMV) {
      return (i, name, Double(array[i]))
    }
  }
  return nil
}

/// A population that only emits spikes: stamped at the start of their step, no current, no state.
protocol SourceKernel: PopulationKernel {}

extension SourceKernel {
  var splitsAcrossThreads: Bool { false }
  func prepare(ranges: [Range<Int>]) {}
  var emitsAtStepEnd: Bool { false }
  func synapticVariable(_ channel: InputChannel) -> UnsafeMutablePointer<Scalar>? { nil }
  var inputChannelCount: Int { 0 }
  func setCurrent(_ currentPA: Double, neuron: Int) {}
  func value(ofVariable variable: Int, neuron: Int) -> Scalar { 0 }
}

/// A kernel whose neurons are independent within a step (the LIF models): any thread can step any
/// range.
protocol NeuronKernel: PopulationKernel {}

extension NeuronKernel {
  var emitsAtStepEnd: Bool { true }
  var splitsAcrossThreads: Bool { true }
  func prepare(ranges: [Range<Int>]) {}
}

/// A neuron kernel with the two float receptors (`s_e`/`s_i` or `g_e`/`g_i`) as its input channels.
protocol TwoReceptorKernel: NeuronKernel {
  /// The excitatory synaptic variable, one value per neuron.
  var excitatoryInput: UnsafeMutablePointer<Scalar> { get }
  /// The inhibitory synaptic variable, one value per neuron.
  var inhibitoryInput: UnsafeMutablePointer<Scalar> { get }
}

extension TwoReceptorKernel {
  var inputChannelCount: Int { 2 }

  func synapticVariable(_ channel: InputChannel) -> UnsafeMutablePointer<Scalar>? {
    channel == .excitatory ? excitatoryInput : inhibitoryInput
  }
}

/// A reusable list of spiking neuron indices for one step (no allocation once warmed up).
final class SpikeBuffer {
  private(set) var indices: UnsafeMutablePointer<Int32>
  private(set) var count = 0
  private var capacity: Int

  init(capacity: Int) {
    self.capacity = max(capacity, 16)
    indices = .allocate(capacity: self.capacity)
  }

  deinit { indices.deallocate() }

  /// A writer with room for `extra` more spikes: kernels append through it in their SIMD loops,
  /// which then hold no call (a growth check's call made the compiler keep the loop's vectors and
  /// pointers on the stack), and hand it back with ``commit(_:)``.
  func writer(reserving extra: Int) -> SpikeWriter {
    while count + extra > capacity { grow() }
    return SpikeWriter(indices: indices, count: count)
  }

  /// Takes the spikes a ``writer(reserving:)`` appended.
  @inline(__always)
  func commit(_ writer: SpikeWriter) {
    precondition(writer.indices == indices && writer.count <= capacity, "a spike writer outlived its buffer")
    count = writer.count
  }

  @inline(__always)
  func append(_ i: Int) {
    if count == capacity { grow() }
    indices[count] = Int32(truncatingIfNeeded: i)
    count += 1
  }

  @inline(__always)
  func removeAll() { count = 0 }

  /// Keeps one of each run of equal indices (a source that repeated a neuron within a step).
  func removeAdjacentDuplicates() {
    guard count > 1 else { return }
    var kept = 1
    for k in 1..<count where indices[k] != indices[kept - 1] {
      indices[kept] = indices[k]
      kept += 1
    }
    count = kept
  }

  private func grow() {
    let newCapacity = capacity * 2
    let bigger = UnsafeMutablePointer<Int32>.allocate(capacity: newCapacity)
    bigger.update(from: indices, count: count)
    indices.deallocate()
    indices = bigger
    capacity = newCapacity
  }
}

/// Appends spike indices into a ``SpikeBuffer``'s reserved room (no growth, no call).
struct SpikeWriter {
  fileprivate let indices: UnsafeMutablePointer<Int32>
  fileprivate(set) var count: Int

  @inline(__always)
  mutating func append(_ i: Int) {
    indices[count] = Int32(truncatingIfNeeded: i)
    count += 1
  }
}

/// A zero-initialised array of `count` scalars padded to whole blocks, 64-byte aligned (see
/// ``blockCount``).
func allocateState<S: EngineScalar>(_ count: Int, filling value: S = 0) -> UnsafeMutablePointer<S> {
  allocateAligned(paddedCount(count), filling: value)
}

/// `count` scalars set to `value`, 64-byte aligned (free with `deallocate()`).
func allocateAligned<S: EngineScalar>(_ count: Int, filling value: S) -> UnsafeMutablePointer<S> {
  let p = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<S>.stride, alignment: 128)
    .bindMemory(to: S.self, capacity: max(count, 1))
  p.initialize(repeating: value, count: count)
  return p
}

extension UnsafeMutablePointer where Pointee: EngineScalar {
  /// Loads 8 lanes starting at `i`.
  @inline(__always)
  func lanes(_ i: Int) -> SIMD8<Pointee> {
    UnsafeMutableRawPointer(self + i).loadUnaligned(as: SIMD8<Pointee>.self)
  }

  /// Stores 8 lanes starting at `i`.
  @inline(__always)
  func setLanes(_ i: Int, _ value: SIMD8<Pointee>) {
    UnsafeMutableRawPointer(self + i).storeBytes(of: value, as: SIMD8<Pointee>.self)
  }
}

/// Exact-integration propagators of a leaky membrane driven by an exponentially decaying input.
enum Propagator {
  /// `e^(−h/τ)`, and 0 for τ = 0 (a delta synapse forgets its input after the step it arrives in).
  static func decay(hMs h: Double, tauMs tau: Double) -> Double { tau == 0 ? 0 : exp(-h / tau) }

  /// `τ_s/(τ_s − τ_m)·(e^(−h/τ_s) − e^(−h/τ_m))`: the voltage response after `h` to a unit
  /// voltage-like synaptic variable (the `P21` entry of Rotter & Diesmann 1999), stable for
  /// `τ_s ≈ τ_m` (limit `(h/τ_m)·e^(−h/τ_m)`).
  static func synapticToMembrane(hMs h: Double, tauMembraneMs tm: Double, tauSynapseMs ts: Double)
    -> Double
  {
    // τ_s/(τ_s − τ_m)·e^(−h/τ_m)·(e^(h/τ_m − h/τ_s) − 1) = e^(−h/τ_m)·expm1(hδ)/(δ·τ_m),
    // δ = 1/τ_m − 1/τ_s; expm1 keeps full precision as δ → 0.
    // A delta synapse (τ_s = 0) is the limit: the input jumps v, which then decays with P22.
    if ts == 0 { return exp(-h / tm) }
    let delta = 1 / tm - 1 / ts
    let ratio = delta == 0 ? h : expm1(h * delta) / delta
    return exp(-h / tm) * ratio / tm
  }

  /// `h·e^(−h/τ)`: the alpha synapse's variable after `h` when its rate variable `y` was 1 and the
  /// variable 0 (`ds/dt = −s/τ + y`, `dy/dt = −y/τ`).
  static func rateToSynaptic(hMs h: Double, tauMs tau: Double) -> Double { h * exp(-h / tau) }

  /// The voltage response after `h` of `τ_m dv/dt = −v + s` to an alpha synapse's rate variable
  /// `y = 1` at the start (`s = 0`): `(e^(−h/τ_m)/τ_m)·∫₀ʰ u·e^(uδ) du`, `δ = 1/τ_m − 1/τ_s` (the
  /// `P31` entry of NEST's `iaf_psc_alpha`); its limit `h²·e^(−h/τ_m)/(2τ_m)` for `τ_s = τ_m`.
  static func alphaToMembrane(hMs h: Double, tauMembraneMs tm: Double, tauSynapseMs ts: Double) -> Double {
    let delta = 1 / tm - 1 / ts
    let x = h * delta
    // ∫₀ʰ u·e^(uδ) du = (x·e^x − (e^x − 1))/δ² = h²·Σ_{m≥2} x^(m−2)·(m−1)/m!; the series avoids
    // the cancellation of the closed form for small |x|.
    let integral: Double
    if abs(x) < 0.1 {
      var sum = 0.0
      var power = 1.0
      var factorial = 2.0
      for m in 2...14 {
        sum += power * Double(m - 1) / factorial
        power *= x
        factorial *= Double(m + 1)
      }
      integral = h * h * sum
    } else {
      integral = (x * exp(x) - expm1(x)) / (delta * delta)
    }
    return exp(-h / tm) * integral / tm
  }
}

/// Threshold, reset and absolute refractoriness shared by the LIF kernels, applied to one SIMD
/// chunk: a neuron whose refractory count is 0 takes its freely integrated voltage and spikes if it
/// exceeds the threshold (then `v ← v_reset` and the count restarts); a refractory neuron keeps its
/// voltage and counts down. Counts are floats so that they share the voltage's mask type; padding
/// lanes hold +∞ and never spike.
struct SpikeResetRule<Scalar: EngineScalar> {
  let threshold: SIMD8<Scalar>
  let reset: SIMD8<Scalar>
  let refractorySteps: SIMD8<Scalar>
  /// |v| (mV) from which a membrane potential counts as run away (``isSound(_:)``).
  static var runawayMV: Double { 1e6 }
  private let runaway = SIMD8<Scalar>(repeating: Scalar(runawayMV))

  init(thresholdMV: Double, resetMV: Double, refractoryMs: Double, dtMs: Double) {
    threshold = SIMD8(repeating: Scalar(thresholdMV))
    reset = SIMD8(repeating: Scalar(resetMV))
    refractorySteps = SIMD8(repeating: Scalar((refractoryMs / dtMs).rounded()))
  }

  /// A refractory-count array for `size` neurons: 0, and +∞ in the padding lanes.
  static func makeCounts(size: Int) -> UnsafeMutablePointer<Scalar> {
    let counts: UnsafeMutablePointer<Scalar> = allocateState(size)
    for i in size..<paddedCount(size) { counts[i] = .infinity }
    return counts
  }

  /// The lanes of a freely integrated voltage that are sound: finite and within ±``runawayMV``. A
  /// fault in the voltage, the synaptic variables or the drive shows there (as a false lane)
  /// within the step; kernels AND the masks of a step's chunks and test them once.
  @inline(__always)
  func isSound(_ vFree: SIMD8<Scalar>) -> Scalar.Mask { Scalar.lanesBelow(magnitude: vFree, runaway) }

  /// Stores chunk `i`'s new voltage and counts given its old and freely integrated voltage, and
  /// appends its spiking neurons.
  @inline(__always)
  func apply(
    chunk i: Int, old vOld: SIMD8<Scalar>, free vFree: SIMD8<Scalar>, v: UnsafeMutablePointer<Scalar>,
    counts: UnsafeMutablePointer<Scalar>, spikes: inout SpikeWriter
  ) {
    apply(chunk: i, old: vOld, free: vFree, threshold: threshold, v: v, counts: counts, spikes: &spikes)
  }

  /// ``apply(chunk:old:free:v:counts:spikes:)`` with a threshold per lane (`alif`'s adaptive
  /// threshold); returns the spiking lanes.
  @inline(__always) @discardableResult
  func apply(
    chunk i: Int, old vOld: SIMD8<Scalar>, free vFree: SIMD8<Scalar>, threshold: SIMD8<Scalar>,
    v: UnsafeMutablePointer<Scalar>, counts: UnsafeMutablePointer<Scalar>, spikes: inout SpikeWriter
  ) -> Scalar.Mask {
    Self.apply(
      chunk: i, old: vOld, free: vFree, threshold: threshold, reset: reset, refractorySteps: refractorySteps, v: v,
      counts: counts, spikes: &spikes)
  }

  /// The rule with every parameter per lane (populations with per-neuron parameters).
  @inline(__always) @discardableResult
  static func apply(
    chunk i: Int, old vOld: SIMD8<Scalar>, free vFree: SIMD8<Scalar>, threshold: SIMD8<Scalar>,
    reset: SIMD8<Scalar>, refractorySteps: SIMD8<Scalar>, v: UnsafeMutablePointer<Scalar>,
    counts: UnsafeMutablePointer<Scalar>, spikes: inout SpikeWriter
  ) -> Scalar.Mask {
    let zero = SIMD8<Scalar>.zero
    let r = counts.lanes(i)
    let active = Scalar.lanesLessOrEqual(r, zero)
    let vNew = Scalar.select(active, vFree, vOld)
    let spiking = Scalar.lanesAnd(active, Scalar.lanesGreater(vNew, threshold))
    v.setLanes(i, Scalar.select(spiking, reset, vNew))
    counts.setLanes(i, Scalar.select(spiking, refractorySteps, Scalar.select(active, zero, r - 1)))
    if Scalar.anyLane(spiking) {
      for lane in 0..<laneCount where spiking[lane] { spikes.append(i + lane) }
    }
    return spiking
  }
}

/// A kernel whose parameters a `changes:` entry sets during the run (serial work, between steps).
protocol ParameterChangingKernel: AnyObject {
  /// Takes every neuron's new parameters. With `carryingCurrent` each neuron's drive is recomputed
  /// so that the current injected into it stays the same; without (restoring a checkpoint, whose
  /// drives are already those of the new parameters) only the coefficients change.
  func setParameters(_ models: [NeuronModel], carryingCurrent: Bool)
}

/// Per-neuron threshold, reset and refractory steps of a population whose neurons differ
/// (``SpikeResetRule`` with arrays instead of one value); padding lanes copy neuron 0's values.
struct PerNeuronResetRule<Scalar: EngineScalar> {
  let threshold: UnsafeMutablePointer<Scalar>
  let reset: UnsafeMutablePointer<Scalar>
  let refractorySteps: UnsafeMutablePointer<Scalar>

  init(size: Int, dtMs: Double, _ values: (Int) -> (thresholdMV: Double, resetMV: Double, refractoryMs: Double)) {
    threshold = allocateState(size)
    reset = allocateState(size)
    refractorySteps = allocateState(size)
    for i in 0..<paddedCount(size) {
      let p = values(i < size ? i : 0)
      threshold[i] = Scalar(p.thresholdMV)
      reset[i] = Scalar(p.resetMV)
      refractorySteps[i] = Scalar((p.refractoryMs / dtMs).rounded())
    }
  }

  func deallocate() {
    for p in [threshold, reset, refractorySteps] { p.deallocate() }
  }

  @inline(__always)
  func apply(
    chunk i: Int, old vOld: SIMD8<Scalar>, free vFree: SIMD8<Scalar>, v: UnsafeMutablePointer<Scalar>,
    counts: UnsafeMutablePointer<Scalar>, spikes: inout SpikeWriter
  ) {
    SpikeResetRule.apply(
      chunk: i, old: vOld, free: vFree, threshold: threshold.lanes(i), reset: reset.lanes(i),
      refractorySteps: refractorySteps.lanes(i), v: v, counts: counts, spikes: &spikes)
  }
}

/// Fills a per-neuron coefficient array (padding lanes copy neuron 0's value, so they stay finite).
func perNeuronArray<Scalar: EngineScalar>(size: Int, _ value: (Int) -> Double) -> UnsafeMutablePointer<Scalar> {
  let out: UnsafeMutablePointer<Scalar> = allocateState(size)
  for i in 0..<paddedCount(size) { out[i] = Scalar(value(i < size ? i : 0)) }
  return out
}

/// A population kernel of a known type, unretained: the step loop's way to call it. A switch over
/// concrete types gives specialised direct calls (an existential call on a generic class runs
/// unspecialised code with runtime metadata lookups), and `Unmanaged` payloads make the handle a
/// plain value — no reference counting of the kernel that all threads share, no value-witness
/// copies. The simulation keeps every kernel alive for the run. A new kernel type gets a case
/// here (the initialiser stops with a clear message otherwise).
enum KernelHandle<Scalar: EngineScalar> {
  case lifCuba(Unmanaged<LIFCubaKernel<Scalar>>)
  case lifCoba(Unmanaged<LIFCobaKernel<Scalar>>)
  case lifCubaAlpha(Unmanaged<LIFCubaAlphaKernel<Scalar>>)
  case lifCobaAlpha(Unmanaged<LIFCobaAlphaKernel<Scalar>>)
  case alif(Unmanaged<ALIFKernel<Scalar>>)
  case adex(Unmanaged<AdExKernel<Scalar>>)
  case adexConductance(Unmanaged<AdExConductanceKernel<Scalar>>)
  case loihiCuba(Unmanaged<LoihiCubaKernel<Scalar>>)
  case poisson(Unmanaged<PoissonKernel<Scalar>>)
  case spikeSource(Unmanaged<SpikeSourceKernel<Scalar>>)
  case memoryPatterns(Unmanaged<MemoryPatternKernel<Scalar>>)

  init(_ kernel: any PopulationKernel<Scalar>) {
    switch kernel {
    case let k as LIFCubaKernel<Scalar>: self = .lifCuba(.passUnretained(k))
    case let k as LIFCobaKernel<Scalar>: self = .lifCoba(.passUnretained(k))
    case let k as LIFCubaAlphaKernel<Scalar>: self = .lifCubaAlpha(.passUnretained(k))
    case let k as LIFCobaAlphaKernel<Scalar>: self = .lifCobaAlpha(.passUnretained(k))
    case let k as ALIFKernel<Scalar>: self = .alif(.passUnretained(k))
    case let k as AdExKernel<Scalar>: self = .adex(.passUnretained(k))
    case let k as AdExConductanceKernel<Scalar>: self = .adexConductance(.passUnretained(k))
    case let k as LoihiCubaKernel<Scalar>: self = .loihiCuba(.passUnretained(k))
    case let k as PoissonKernel<Scalar>: self = .poisson(.passUnretained(k))
    case let k as SpikeSourceKernel<Scalar>: self = .spikeSource(.passUnretained(k))
    case let k as MemoryPatternKernel<Scalar>: self = .memoryPatterns(.passUnretained(k))
    default: preconditionFailure("KernelHandle has no case for \(type(of: kernel))")
    }
  }

  /// Advances thread `part`'s neurons `neurons` over step `n` (`[t_n, t_{n+1})`), appending
  /// their spikes in ascending order (a neuron appears once per spike; sources may repeat one);
  /// returns whether some neuron's state became NaN, infinite or ran away in this step (the
  /// kernel's ``PopulationKernel/faultyNeuron()`` then names it).
  @inline(__always)
  func step(_ n: Int, part: Int, neurons: Range<Int>, spikes: SpikeBuffer) -> Bool {
    switch self {
    case .lifCuba(let k): return k._withUnsafeGuaranteedRef { $0.step(n, neurons: neurons, spikes: spikes) }
    case .lifCoba(let k): return k._withUnsafeGuaranteedRef { $0.step(n, neurons: neurons, spikes: spikes) }
    case .lifCubaAlpha(let k): return k._withUnsafeGuaranteedRef { $0.step(n, neurons: neurons, spikes: spikes) }
    case .lifCobaAlpha(let k): return k._withUnsafeGuaranteedRef { $0.step(n, neurons: neurons, spikes: spikes) }
    case .alif(let k): return k._withUnsafeGuaranteedRef { $0.step(n, neurons: neurons, spikes: spikes) }
    case .adex(let k): return k._withUnsafeGuaranteedRef { $0.step(n, neurons: neurons, spikes: spikes) }
    case .adexConductance(let k):
      return k._withUnsafeGuaranteedRef { $0.step(n, neurons: neurons, spikes: spikes) }
    case .loihiCuba(let k): return k._withUnsafeGuaranteedRef { $0.step(n, neurons: neurons, spikes: spikes) }
    case .poisson(let k): k._withUnsafeGuaranteedRef { $0.emit(n, part: part, spikes: spikes) }
    case .spikeSource(let k): k._withUnsafeGuaranteedRef { $0.emit(n, spikes: spikes) }
    case .memoryPatterns(let k): k._withUnsafeGuaranteedRef { $0.emit(n, spikes: spikes) }
    }
    return false
  }
}
