import NDMLModel

/// Keys of a population's `homeostasis:` block.
enum HomeostasisKeys {
  static let allowed = [
    "target_rate_Hz", "beta", "tau_sensor_ms", "clock", "clock_ms", "projections", "initial_rate_Hz",
  ]
}

/// Keys of a projection's `consolidation:` block.
enum ConsolidationKeys {
  static func allowed(unit: String) -> [String] {
    ["model", "variables", "tau_1_ms", "leak", "w_rest_\(unit)", "clock", "clock_ms"]
  }
}

extension SchemaReader {
  /// `timescales:`: each named clock as `<name>_ms` or `<name>_s`.
  func readTimescales(_ node: ConfigNode?) -> Timescales {
    var timescales = Timescales()
    guard let node else { return timescales }
    let allowed = Timescales.names.flatMap { [$0 + "_ms", $0 + "_s"] }
    guard let f = reader.fields(node, path: "timescales", allowed: allowed) else { return timescales }
    for name in Timescales.names {
      let ms = f.double(name + "_ms")
      let s = f.double(name + "_s")
      if ms != nil && s != nil {
        reader.fail("timescales.\(name)_s", "give \(name)_ms or \(name)_s, not both", at: f.node(name + "_s"))
      }
      if let value = ms ?? s.map({ $0 * 1000 }) { timescales.set(name, periodMs: value) }
    }
    return timescales
  }

  /// A slow process's `clock:` (a timescale name) or `clock_ms:`; nil when neither is given.
  func readClock(_ f: Fields) -> SlowClock? {
    if f.node("clock") != nil && f.node("clock_ms") != nil {
      reader.fail(f.keyPath("clock_ms"), "give clock (a timescale) or clock_ms, not both", at: f.node("clock_ms"))
      return nil
    }
    if let name = f.choice("clock", Timescales.names) { return .named(name) }
    return f.double("clock_ms").map(SlowClock.periodMs)
  }

  /// A population's `homeostasis:` (nil after an error).
  func readHomeostasis(_ f: Fields?) -> HomeostaticScalingParameters? {
    guard let f else { return nil }
    let required = ["target_rate_Hz", "beta", "tau_sensor_ms"]
    for key in required where f.node(key) == nil {
      reader.fail(f.keyPath(key), "is required (\(required.joined(separator: ", ")) define the scaling)", at: f.node)
    }
    guard let rate = f.double("target_rate_Hz"), let beta = f.double("beta"), let tau = f.double("tau_sensor_ms")
    else { return nil }
    var p = HomeostaticScalingParameters(targetRateHz: rate, beta: beta, tauSensorMs: tau)
    if let clock = readClock(f) { p.clock = clock }
    if let names = f.strings("projections") { p.projections = names }
    p.initialRateHz = f.double("initial_rate_Hz")
    return p
  }

  /// A projection's `consolidation:` (nil after an error).
  func readConsolidation(_ f: Fields?, unit: String) -> BennaFusiParameters? {
    guard let f else { return nil }
    guard f.choice("model", ["benna_fusi"]) != nil else {
      if f.node("model") == nil { reader.fail(f.keyPath("model"), "is required: benna_fusi", at: f.node) }
      return nil
    }
    guard let tau = f.double("tau_1_ms") else {
      if f.node("tau_1_ms") == nil {
        reader.fail(f.keyPath("tau_1_ms"), "is required (the fastest time constant of the chain)", at: f.node)
      }
      return nil
    }
    var p = BennaFusiParameters(tauFastestMs: tau)
    if let m = f.int("variables") { p.variables = m }
    if let leak = f.bool("leak") { p.leak = leak }
    p.restingWeight = f.double("w_rest_\(unit)")
    if let clock = readClock(f) { p.clock = clock }
    return p
  }
}
