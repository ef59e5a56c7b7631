import NDMLModel

extension SchemaReader {
  /// `memory:`: per plastic projection its lifecycle (see ``MemoryTracking``).
  func readMemory(_ node: ConfigNode?, durationMs: Double) -> [MemoryTracking] {
    guard let node else { return [] }
    guard case .mapping(let pairs) = node.kind else {
      reader.fail("memory", "must map plastic projection names to their memory tracking", at: node)
      return []
    }
    _ = reader.fields(node, path: "memory", allowed: pairs.map(\.key))
    return pairs.compactMap { name, value in readTracking(name: name, node: value, durationMs: durationMs) }
  }

  private func readTracking(name: String, node: ConfigNode, durationMs: Double) -> MemoryTracking? {
    let path = "memory.\(name)"
    guard
      let f = reader.fields(
        node, path: path,
        allowed: ["items", "storage_window_ms", "clock", "clock_ms", "snr_threshold", "snr_forgotten", "recall"],
        required: ["items"])
    else { return nil }
    var items: [Int]?
    if case .mapping = f.node("items")?.kind {
      if let g = f.sub("items", allowed: ["first", "every", "count"], required: ["every", "count"]),
        let every = g.int("every"), let count = g.int("count")
      {
        let first = g.int("first") ?? 0
        if every < 1 || count < 1 {
          reader.fail(path + ".items", "every and count must be ≥ 1, got \(every) and \(count)", at: g.node)
        } else {
          items = (0..<count).map { first + $0 * every }
        }
      }
    } else {
      items = f.ints("items")
    }
    guard let items else { return nil }
    var m = MemoryTracking(projection: name, items: items.sorted())
    if let w = f.double("storage_window_ms") { m.storageWindowMs = w }
    if let clock = readClock(f) { m.clock = clock }
    if let t = f.double("snr_threshold") { m.snrThreshold = t }
    if let t = f.double("snr_forgotten") { m.snrForgotten = t }
    if f.node("recall") != nil {
      guard
        let r = f.sub(
          "recall",
          allowed: ["times_ms", "start_ms", "every_ms", "spacing_ms", "window_ms", "mask_fraction", "noise_fraction"])
      else { return nil }
      let times: [Double]
      if let list = r.doubles("times_ms") {
        if r.node("every_ms") != nil || r.node("start_ms") != nil {
          reader.fail(r.keyPath("times_ms"), "give times_ms or start_ms/every_ms, not both", at: r.node("times_ms"))
        }
        times = list
      } else if let every = r.double("every_ms") {
        guard every > 0 else {
          reader.fail(r.keyPath("every_ms"), "must be > 0, got \(every)", at: r.node("every_ms"))
          return nil
        }
        let start = r.double("start_ms") ?? every
        // At least the first time: one after the run is then a warning (probes not made), not an empty list.
        times = [start] + stride(from: start + every, to: durationMs, by: every).map { $0 }
      } else {
        reader.fail(r.keyPath("times_ms"), "is required (or start_ms and every_ms)", at: r.node)
        return nil
      }
      var recall = MemoryRecall(timesMs: times)
      if let s = r.double("spacing_ms") { recall.spacingMs = s }
      recall.windowMs = r.double("window_ms")
      if let x = r.double("mask_fraction") { recall.maskFraction = x }
      if let x = r.double("noise_fraction") { recall.noiseFraction = x }
      m.recall = recall
    }
    return m
  }
}
