import Foundation
import NDMLEngine
import NDMLModel

/// Converts a float `lif_cuba` network into Loihi 2 integers (`loihi_cuba`), keeping every synapse
/// NDML built, and describes each conversion in a ``QuantizationReport``.
///
/// ## The mapping (per `lif_cuba` population; voltages relative to `v_rest`)
/// * Scale: `scale = vth·64 / (v_thresh − v_rest)` integer units per mV, with the threshold
///   mantissa `vth` = ``thresholdMantissa`` (2¹³ by default: the threshold sits at 2¹⁹, leaving
///   16× headroom below Loihi's 24-bit range for `u` and `v`).
/// * Leak: `dv = round(4096·(1 − e^(−dt/τ_m)))`; current decay: `du = round(4096·(1 − e^(−dt/τ_s))) − 1`
///   (Lava keeps `4096 − (du + 1)`; τ_s = 0, a delta synapse, gives du = 4095). Loihi has one current
///   per neuron, so both receptors must share τ_s unless one is unused.
/// * Synapses: NDML's exact propagator adds `s·P21` to v each step from a synaptic variable `s`
///   (mV), which decays by `P11`; Loihi adds `u`, which decays by `1 − (du + 1)/4096`. So a weight
///   `w` mV becomes the current jump `w·P21·scale = w_int·64·2^weight_exp`, with one exponent per
///   projection (the smallest that keeps every |w_int| ≤ 255) and `w_int` rounded per synapse.
/// * Delays: Loihi's input moves `v` in the step it arrives, NDML's float models one step later,
///   so each delay grows by one step (`D + 1` steps; at most 64 from a neuron, 65 from a source).
/// * Bias: the drive `R·I_bias` (mV) adds `R·I·(1 − P22)` per step: `bias_mant·2^bias_exp`, the
///   smallest exponent that keeps |bias_mant| ≤ 4095.
/// * Initial state: `v_int = (v − v_rest)·scale`; a synaptic variable `s` starts `u = s·P21·scale`.
///
/// Refused, naming the key: conductance-based models, a reset other than the resting potential
/// (Loihi resets to 0), refractory periods (Lava's fixed-point LIF has none), receptors with
/// different time constants, injected currents that change in time, delays beyond Loihi's 6 bits.
public struct LoihiQuantizer: Sendable {
  /// The threshold mantissa every quantised population gets (`vth`; 17-bit unsigned).
  public var thresholdMantissa = 1 << 13

  /// The quantiser with the default threshold mantissa.
  public init() {}

  /// The `loihi_cuba` version of `experiment` (populations other than `lif_cuba` are kept; every
  /// projection onto a quantised population becomes an explicit list of the synapses NDML built),
  /// and the report of every parameter's float value and integer image.
  public func quantize(_ experiment: Experiment) throws -> (experiment: Experiment, report: QuantizationReport) {
    let dt = experiment.simulation.dtMs
    var out = experiment
    var report = QuantizationReport()
    var scales: [String: (scale: Double, p21: Double)] = [:]
    for (i, pop) in experiment.populations.enumerated() {
      let path = "populations.\(pop.name)"
      if pop.homeostasis != nil {
        throw LoihiExportError.unsupported(
          key: path + ".homeostasis",
          reason:
            "is set; Loihi weights are fixed integers on the chip (remove homeostasis, or export its final weights)")
      }
      switch pop.model {
      case .lifCoba:
        throw LoihiExportError.unsupported(
          key: path + ".model",
          reason: "is lif_coba; Loihi 2's neurons are current-based (conductance synapses cannot be expressed)")
      case .alif, .adex:
        throw LoihiExportError.unsupported(
          key: path + ".model", reason: LoihiExportError.adaptiveModelReason(pop.model))
      case .lifCuba(let p):
        if !pop.parameterChanges.isEmpty {
          throw LoihiExportError.unsupported(
            key: path + ".changes", reason: "changes parameters during the run; a Loihi network's parameters are fixed")
        }
        if let key = pop.perNeuronParameterKeys.first {
          throw LoihiExportError.unsupported(
            key: path + ".params.\(key)",
            reason:
              "is given per neuron; the export quantises one parameter set per population (split the population "
              + "by parameter values)")
        }
        guard p.synapseShape == .exponential else {
          throw LoihiExportError.unsupported(
            key: path + ".params.synapse_shape",
            reason:
              "is \(p.synapseShape.rawValue); Loihi 2's CUBA neuron has one exponentially decaying synaptic current "
              + "(use synapse_shape: exponential)")
        }
        let used = experiment.projections.filter { $0.target == pop.name }.map(\.receptor)
        let tauSyn: Double
        switch (used.contains(.excitatory), used.contains(.inhibitory)) {
        case (true, true):
          guard p.tauSynapticExcitatoryMs == p.tauSynapticInhibitoryMs else {
            throw LoihiExportError.unsupported(
              key: path + ".params.tau_syn_i_ms",
              reason:
                "(\(p.tauSynapticInhibitoryMs) ms) differs from tau_syn_e_ms (\(p.tauSynapticExcitatoryMs) ms); a Loihi "
                + "neuron has one synaptic current")
          }
          tauSyn = p.tauSynapticExcitatoryMs
        case (false, true): tauSyn = p.tauSynapticInhibitoryMs
        default: tauSyn = p.tauSynapticExcitatoryMs
        }
        guard p.resetMV == p.restingPotentialMV else {
          throw LoihiExportError.unsupported(
            key: path + ".params.v_reset_mV",
            reason: "(\(p.resetMV) mV) must equal v_rest_mV (\(p.restingPotentialMV) mV): Loihi resets v to its rest, 0"
          )
        }
        guard p.refractoryMs == 0 else {
          throw LoihiExportError.unsupported(
            key: path + ".params.tau_ref_ms",
            reason:
              "is \(p.refractoryMs) ms; Lava's bit-accurate LIF has no refractory period (set it to 0, e.g. --set "
              + "\(path).params.tau_ref_ms=0, and compare the two in the quantization report)")
        }
        let scale = Double(thresholdMantissa * 64) / (p.thresholdMV - p.restingPotentialMV)
        let p22 = exp(-dt / p.tauMembraneMs)
        let p21 = Self.synapticToMembrane(dt, p.tauMembraneMs, tauSyn)
        let p11 = tauSyn == 0 ? 0 : exp(-dt / tauSyn)
        var q = LoihiCubaParameters()
        q.vth = thresholdMantissa
        q.dv = Int((4096 * (1 - p22)).rounded())
        q.du = Int((4096 * (1 - p11)).rounded()) - 1
        let biasFloat = p.resistanceMOhm * p.biasCurrentPA / 1000 * (1 - p22) * scale
        (q.biasMant, q.biasExp) = Self.mantissaExponent(biasFloat, mantissaLimit: 4095, exponents: 0...7)
        scales[pop.name] = (scale, p21)
        out.populations[i].model = .loihiCuba(q)
        var initial: [String: ValueDistribution] = [:]
        if let v = pop.initialState["v"] {
          initial["v"] = v.affine(scale: scale, offset: -p.restingPotentialMV * scale)
        }
        if let s = pop.initialState["s_e"] ?? pop.initialState["s_i"] {
          initial["u"] = s.affine(scale: p21 * scale, offset: 0)
        }
        out.populations[i].initialState = initial
        report.parameters += [
          .init(
            key: path + ".params.tau_m_ms", float: p.tauMembraneMs, integer: "dv = \(q.dv)",
            effective: -dt / log(1 - Double(q.dv) / 4096)),
          .init(
            key: path + ".params.tau_syn_ms", float: tauSyn, integer: "du = \(q.du)",
            effective: q.du >= 4095 ? 0 : -dt / log(1 - Double(q.du + 1) / 4096)),
          .init(
            key: path + ".params.v_thresh_mV", float: p.thresholdMV - p.restingPotentialMV,
            integer: "vth = \(q.vth) (scale \(String(format: "%.6g", scale)) per mV)",
            effective: Double(q.vth * 64) / scale),
          .init(
            key: path + ".params.i_bias_pA", float: biasFloat / scale,
            integer: "bias_mant = \(q.biasMant), bias_exp = \(q.biasExp)",
            effective: Double(q.bias) / scale),
        ]
      default:
        continue
      }
    }
    if let inj = experiment.currentInjections.first(where: { scales[$0.population] != nil }) {
      throw LoihiExportError.unsupported(
        key: "inputs.\(inj.name)",
        reason: "injects a current into a quantised population; use its i_bias_pA (a constant)")
    }
    let built = BuiltNetwork(experiment)
    for (k, proj) in experiment.projections.enumerated() {
      guard let (scale, p21) = scales[proj.target] else { continue }
      let path = "projections.\(proj.name)"
      let synapses = built.projections[k]
      let jumps = synapses.weights.map { $0 * p21 * scale / 64 }
      let largest = jumps.map(abs).max() ?? 0
      let exponent = (-8...7).first { largest / pow(2, Double($0)) <= 255 } ?? 7
      guard largest / pow(2, Double(exponent)) <= 255 else {
        throw LoihiExportError.unsupported(
          key: path + ".weight_mV",
          reason: "reaches a current jump beyond Loihi's 255·2⁷ (lower the weights or the scale)")
      }
      let mantissas = jumps.map { Int(($0 / pow(2, Double(exponent))).rounded()) }
      let fromSource = experiment.population(named: proj.source)!.model.isSource
      let longest = fromSource ? 65 : 64
      if let bad = synapses.delaySteps.first(where: { $0 + 1 > longest }) {
        throw LoihiExportError.unsupported(
          key: path + ".delay_ms", reason: "reaches \(bad) steps; Loihi 2 delays allow at most \(longest - 1) here")
      }
      let list = synapses.sources.indices.map { j in
        ExplicitSynapse(
          source: synapses.sources[j], target: synapses.targets[j], weight: Double(mantissas[j]),
          delayMs: Double(synapses.delaySteps[j] + 1) * dt)
      }
      out.projections[k].connectivity = .explicit(list)
      out.projections[k].weight = .constant(0)
      out.projections[k].delayMs = .constant(Double((synapses.delaySteps.first ?? 1) + 1) * dt)
      out.projections[k].receptor = .excitatory
      out.projections[k].loihi = LoihiSynapseSettings(weightExp: exponent)
      let unit = pow(2, Double(exponent)) * 64 / (p21 * scale)
      let errors = zip(synapses.weights, mantissas).map { abs(Double($1) * unit - $0) }
      report.parameters.append(
        .init(
          key: path + ".weight_mV", float: synapses.weights.map(abs).max() ?? 0,
          integer: "weight mantissas \(mantissas.min() ?? 0)…\(mantissas.max() ?? 0), weight_exp = \(exponent)",
          effective: (mantissas.map { abs(Double($0)) }.max() ?? 0) * unit,
          maximumError: errors.max() ?? 0))
    }
    return (out, report)
  }

  /// Simulates `float` and its quantised version `quantized` with NDML and adds the per-population
  /// spike agreement (of the populations the quantiser converted) to `report`.
  public func compare(float: Experiment, quantized: Experiment, report: inout QuantizationReport) throws {
    let a = try SpikeCollector(simulating: float).spikes
    let b = try SpikeCollector(simulating: quantized).spikes
    let seconds = float.simulation.durationMs / 1000
    for (pop, converted) in zip(float.populations, quantized.populations) {
      guard case .lifCuba = pop.model, case .loihiCuba = converted.model else { continue }
      let x = a[pop.name, default: ([], [])]
      let y = b[pop.name, default: ([], [])]
      let window = QuantizationReport.coincidenceWindowMs
      report.agreement.append(
        .init(
          population: pop.name, floatRateHz: Double(x.times.count) / Double(pop.size) / seconds,
          quantizedRateHz: Double(y.times.count) / Double(pop.size) / seconds,
          floatSpikesMatched: Self.matchedFraction(x, in: y, size: pop.size, windowMs: window),
          quantizedSpikesMatched: Self.matchedFraction(y, in: x, size: pop.size, windowMs: window), windowMs: window))
    }
  }

  /// The fraction of spikes of `a` with a spike of the same neuron in `b` within ±`windowMs` (1 if
  /// `a` is empty).
  static func matchedFraction(
    _ a: (times: [Double], ids: [Int]), in b: (times: [Double], ids: [Int]), size: Int, windowMs: Double
  ) -> Double {
    guard !a.times.isEmpty else { return 1 }
    var byNeuron = Array(repeating: [Double](), count: size)
    for (t, i) in zip(b.times, b.ids) { byNeuron[i].append(t) }
    var matched = 0
    for (t, i) in zip(a.times, a.ids) {
      let times = byNeuron[i]
      // First time ≥ t − window (times are sorted).
      var lo = 0
      var hi = times.count
      while lo < hi {
        let mid = (lo + hi) / 2
        if times[mid] < t - windowMs - 1e-9 { lo = mid + 1 } else { hi = mid }
      }
      if lo < times.count && times[lo] <= t + windowMs + 1e-9 { matched += 1 }
    }
    return Double(matched) / Double(a.times.count)
  }

  /// `P21` of NDML's exact propagator (see `Propagator.synapticToMembrane` in NDMLEngine).
  static func synapticToMembrane(_ h: Double, _ tm: Double, _ ts: Double) -> Double {
    if ts == 0 { return exp(-h / tm) }
    let delta = 1 / tm - 1 / ts
    let ratio = delta == 0 ? h : expm1(h * delta) / delta
    return exp(-h / tm) * ratio / tm
  }

  /// The mantissa and the smallest exponent in `exponents` with |mantissa| ≤ `mantissaLimit`.
  static func mantissaExponent(_ value: Double, mantissaLimit: Int, exponents: ClosedRange<Int>) -> (Int, Int) {
    for e in exponents {
      let m = (value / pow(2, Double(e))).rounded()
      if abs(m) <= Double(mantissaLimit) { return (Int(m), e) }
    }
    let e = exponents.upperBound
    let m = min(max((value / pow(2, Double(e))).rounded(), -Double(mantissaLimit)), Double(mantissaLimit))
    return (Int(m), e)
  }
}

extension ValueDistribution {
  /// `scale·x + offset` of a draw `x`, as a distribution of the same kind.
  func affine(scale: Double, offset: Double) -> ValueDistribution {
    switch self {
    case .constant(let v): return .constant(v * scale + offset)
    case .uniform(let lo, let hi): return .uniform(low: lo * scale + offset, high: hi * scale + offset)
    case .normal(let m, let sd, let clip):
      return .normal(mean: m * scale + offset, standardDeviation: sd * scale, clipAtZero: clip && offset == 0)
    case .perNeuron(let values): return .perNeuron(values.map { $0 * scale + offset })
    }
  }
}

/// What quantisation did to each parameter, and how the quantised network's spikes compare with
/// the float network's (both simulated by NDML).
public struct QuantizationReport: Sendable, Codable {
  /// One parameter: its float value, its integer image, and the float value that image stands for.
  public struct Parameter: Sendable, Codable {
    public var key: String
    public var float: Double
    public var integer: String
    public var effective: Double
    /// For weights: the largest |effective − float| over the synapses.
    public var maximumError: Double?
  }

  /// Spike statistics of one population in the float and the quantised run.
  public struct Agreement: Sendable, Codable {
    public var population: String
    public var floatRateHz: Double
    public var quantizedRateHz: Double
    /// Fraction of float spikes with a quantised spike of the same neuron within ±`windowMs`, and
    /// the other way round.
    public var floatSpikesMatched: Double
    public var quantizedSpikesMatched: Double
    public var windowMs: Double
  }

  /// The coincidence window of ``Agreement`` (ms).
  public static let coincidenceWindowMs = 2.0

  public var parameters: [Parameter] = []
  public var agreement: [Agreement] = []

  /// The report as aligned text.
  public var text: String {
    var lines = ["quantization (float → Loihi integers → the float value the integers stand for):"]
    for p in parameters {
      var line =
        "  \(p.key): \(String(format: "%.6g", p.float)) → \(p.integer) → \(String(format: "%.6g", p.effective))"
      if let e = p.maximumError { line += " (largest error \(String(format: "%.3g", e)))" }
      lines.append(line)
    }
    if !agreement.isEmpty {
      lines.append("spikes, float lif_cuba vs quantised loihi_cuba (both simulated by NDML):")
      for a in agreement {
        lines.append(
          "  \(a.population): rate \(String(format: "%.3f", a.floatRateHz)) Hz → \(String(format: "%.3f", a.quantizedRateHz)) Hz; "
            + "\(String(format: "%.1f", 100 * a.floatSpikesMatched)) % of float spikes and "
            + "\(String(format: "%.1f", 100 * a.quantizedSpikesMatched)) % of quantised spikes have a partner within "
            + "±\(a.windowMs) ms")
      }
    }
    return lines.joined(separator: "\n")
  }
}
