/// Loihi 2's fixed-point current-based LIF neuron (`loihi_cuba`), bit-exact with Lava's
/// `PyLifModelBitAcc` (lava-nc 0.10, `lava/proc/lif/models.py`).
///
/// ## Equations (integers throughout; one NDML step is one Loihi time step)
/// With `a_in` the step's summed synaptic input (see ``LoihiSynapseSettings``):
///
///     u ← sign(u·(4096 − (du + 1)))·(|u·(4096 − (du + 1))| >> 12) + (a_in << 6)
///         then wrap: u > 2²³ → u − 2²⁴;  u ≤ −2²³ → u + 2²⁴
///     v ← clip(sign(v·(4096 − dv))·(|v·(4096 − dv)| >> 12) + u + bias, −(2²³ − 1), 2²³ − 1)
///     bias = bias_mant << bias_exp
///     spike if v > vth << 6;  then v ← 0 (u keeps its value; no refractory period)
///
/// Products are 64-bit; the decays truncate toward zero (not floor). The new `u` enters `v` in the
/// same step, so input that arrives at step `t` moves `v` at step `t`.
///
/// ## Timing
/// A spike of step `n` is stamped `t_{n+1}` (as every NDML neuron's). A projection of delay `D`
/// steps onto a `loihi_cuba` population delivers a spike stamped `t_s` into the `a_in` of the step
/// that computes the state at `t_s + D·dt`: from a neuron, `D = 1` is Lava's `Dense` (one step of
/// latency) and `D = 1 + d` its `DelayDense` with delay `d`; from a spike source (stamped at the
/// start of its step) `D ≥ 2`. The exporter maps both onto Lava (`docs/loihi-export.md`).
///
/// ## Parameters (`params:`; Lava's names, integers)
/// | config key  | Swift name   | default | range | meaning |
/// |-------------|--------------|---------|-------|---------|
/// | `du`        | `du`         | 0       | −1 … 4095 | current decay (4095: u forgets each step; −1: no decay) |
/// | `dv`        | `dv`         | 0       | 0 … 4096  | voltage decay (0: no leak; 4096: v forgets each step) |
/// | `vth`       | `vth`        | 10      | 0 … 131071 | threshold mantissa (17 bit); spike when v > vth·64 |
/// | `bias_mant` | `biasMant`   | 0       | −4096 … 4095 | bias mantissa (13-bit signed on Loihi 2) |
/// | `bias_exp`  | `biasExp`    | 0       | 0 … 7 | bias exponent (3-bit unsigned on Loihi 2) |
///
/// State: `u`, `v` (integers, config `init.u_int`, `init.v_int`, default 0; drawn values are
/// rounded to the nearest integer and must lie within ±2²³).
///
/// ## References
/// 1. Davies M et al. (2018) Loihi: a neuromorphic manycore processor with on-chip learning. IEEE
///    Micro 38:82–99. doi:10.1109/MM.2018.112130359
/// 2. Intel Labs, Lava 0.10.0: `lava/proc/lif/models.py` (`PyLifModelBitAcc`),
///    `lava/proc/dense/models.py` (`PyDenseModelBitAcc`, `PyDelayDenseModelBitAcc`),
///    `lava/utils/weightutils.py`; read line by line in `docs/loihi-numerics.md`.
public struct LoihiCubaParameters: Sendable, Equatable {
  /// Current decay: the current keeps `4096 − (du + 1)` 4096ths per step.
  public var du = 0
  /// Voltage decay: the voltage keeps `4096 − dv` 4096ths per step.
  public var dv = 0
  /// Threshold mantissa: a neuron spikes when `v > vth << 6`.
  public var vth = 10
  /// Bias mantissa (added to `v` each step, shifted by ``biasExp``).
  public var biasMant = 0
  /// Bias exponent.
  public var biasExp = 0

  /// Lava's defaults (the table above).
  public init() {}

  /// The constant bias added to `v` each step: `bias_mant << bias_exp`.
  public var bias: Int { biasMant << biasExp }

  /// Every broken rule: each value must fit its Loihi 2 register.
  public func violations() -> [ParameterViolation] {
    let rules: [(String, Int, ClosedRange<Int>, String)] = [
      ("du", du, -1...4095, "the current keeps 4096 − (du + 1) of 4096 per step"),
      ("dv", dv, 0...4096, "the voltage keeps 4096 − dv of 4096 per step"),
      ("vth", vth, 0...131_071, "Loihi 2's threshold mantissa is 17-bit unsigned"),
      ("bias_mant", biasMant, -4096...4095, "Loihi 2's bias mantissa is 13-bit signed"),
      ("bias_exp", biasExp, 0...7, "Loihi 2's bias exponent is 3-bit unsigned"),
    ]
    return rules.compactMap { key, value, range, why in
      range.contains(value)
        ? nil
        : ParameterViolation(
          key: key, message: "must be an integer in \(range.lowerBound)…\(range.upperBound) (\(why)), got \(value)")
    }
  }

  /// The largest magnitude `u` and `v` hold (2²³).
  public static let stateLimit = 1 << 23
}

/// How a projection onto a `loihi_cuba` population turns its integer weights into input, as Lava's
/// bit-accurate `Dense` does (config key `loihi:` of the projection).
///
/// Once, before the first step, the projection's weights (rounded to integers) are clipped by the
/// sign mode — excitatory to 0…255, inhibitory to −255…0, mixed to −256…255 — and lose their
/// `k = 8 − num_weight_bits + (mixed ? 1 : 0)` low bits (floor; `k < 0` zeroes every weight, as in
/// Lava). So **with the default 8 bits a mixed-sign projection loses each weight's lowest bit**
/// (7 → 6, −7 → −8). Every step, each projection's input is summed per target and arrival step and
/// the sum is shifted by `weight_exp` (left if positive, arithmetic right — floor — if negative).
public struct LoihiSynapseSettings: Sendable, Equatable {
  /// The sign mode of Lava's weight quantisation.
  public enum SignMode: String, Sendable, Equatable, CaseIterable {
    /// From the weights: all ≥ 0 excitatory, else all ≤ 0 inhibitory, else mixed (Lava's rule).
    case auto
    /// Clip to −256…255 and drop one more bit.
    case mixed
    /// Clip to 0…255.
    case excitatory
    /// Clip to −255…0.
    case inhibitory
  }

  /// Exponent applied to each step's summed input (`weight_exp`, −8 … 7).
  public var weightExp = 0
  /// Weight precision (`num_weight_bits`, 1 … 9; 9 keeps every bit of a mixed-sign projection and
  /// zeroes a single-signed one, as in Lava).
  public var numWeightBits = 8
  /// Sign mode (`sign_mode`).
  public var signMode = SignMode.auto

  /// Lava's defaults: exponent 0, 8 bits, sign mode from the weights.
  public init(weightExp: Int = 0, numWeightBits: Int = 8, signMode: SignMode = .auto) {
    self.weightExp = weightExp
    self.numWeightBits = numWeightBits
    self.signMode = signMode
  }

  /// Every broken rule (key relative to `loihi`).
  public func violations() -> [ParameterViolation] {
    var out: [ParameterViolation] = []
    if !(-8...7).contains(weightExp) {
      out.append(.init(key: "weight_exp", message: "must be in −8…7 (Loihi 2's weight exponent), got \(weightExp)"))
    }
    if !(1...9).contains(numWeightBits) {
      out.append(.init(key: "num_weight_bits", message: "must be in 1…9, got \(numWeightBits)"))
    }
    return out
  }

  /// The sign mode Lava uses for `weights`: the given one, or derived from them.
  public func resolvedSignMode(_ weights: some Sequence<Int>) -> SignMode {
    guard signMode == .auto else { return signMode }
    var minimum = 0
    var maximum = 0
    for w in weights {
      minimum = min(minimum, w)
      maximum = max(maximum, w)
    }
    if minimum >= 0 { return .excitatory }
    return maximum <= 0 ? .inhibitory : .mixed
  }

  /// The integer weights Lava's `Dense` uses for weights as drawn from the config: rounded to the
  /// nearest integer (ties away from zero), then ``quantize(_:)``.
  public func effectiveWeights(_ weights: [Double]) -> [Int] {
    var w = weights.map { Int($0.rounded()) }
    quantize(&w)
    return w
  }

  /// The weights Lava's `Dense` actually uses (clip, then truncate), in place.
  public func quantize(_ weights: inout [Int]) {
    let mode = resolvedSignMode(weights)
    let mixed = mode == .mixed ? 1 : 0
    let k = 8 - numWeightBits + mixed
    for i in weights.indices {
      var w = weights[i]
      switch mode {
      case .inhibitory:
        w = -Self.truncate(min(max(-w, 0), 255), bits: k)
      case .excitatory, .auto:
        w = Self.truncate(min(max(w, 0), 255), bits: k)
      case .mixed:
        w = Self.truncate(min(max(w, -256), 255), bits: k)
      }
      weights[i] = w
    }
  }

  /// `(w >> k) << k` with an arithmetic shift; 0 for `k < 0` (numpy's shift by a negative count).
  private static func truncate(_ w: Int, bits k: Int) -> Int { k < 0 ? 0 : (w >> k) << k }

  /// `sum << weightExp`, or `sum >> −weightExp` (floor) for a negative exponent.
  @inlinable
  public static func shift(_ sum: Int, by exponent: Int) -> Int {
    exponent >= 0 ? sum << exponent : sum >> -exponent
  }
}
