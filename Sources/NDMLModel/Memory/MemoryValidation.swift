import Foundation

extension Experiment {
  /// The rules of `memory:`: a plastic projection fed by `memory_patterns`, tracked items that are
  /// presented during the run, storage windows free of slow ticks, probes clear of storage.
  func validateMemory() -> [ExperimentIssue] {
    var issues: [ExperimentIssue] = []
    let dt = simulation.dtMs
    for m in memory {
      let path = "memory.\(m.projection)"
      func add(_ key: String, _ message: String, warning: Bool = false) {
        issues.append(
          ExperimentIssue(keyPath: path + (key.isEmpty ? "" : "." + key), message: message, isWarning: warning))
      }
      for v in m.violations() { add(v.key, v.message) }
      for v in m.clock.violations(timescales: timescales, dtMs: dt) { add(v.key, v.message) }
      guard let proj = projections.first(where: { $0.name == m.projection }) else {
        add(
          "",
          "names projection '\(m.projection)', which is not defined; memory traces live in a plastic projection ("
            + (projections.filter { $0.plasticity != nil }.map(\.name).joined(separator: ", ")) + ")")
        continue
      }
      guard let rule = proj.plasticity else {
        add(
          "",
          "projection \(proj.name) has no plasticity: a memory trace is what a plasticity rule writes, so there is "
            + "nothing to track or recall — add projections.\(proj.name).plasticity or remove memory.\(proj.name)")
        continue
      }
      guard case .memoryPatterns(let patterns) = population(named: proj.source)?.model else {
        add(
          "",
          "projection \(proj.name)'s source \(proj.source) is not a memory_patterns population: traces are the "
            + "items it presents")
        continue
      }
      let duration = simulation.durationMs
      if let bad = m.items.first(where: { $0 >= patterns.patterns }) {
        add("items", "item \(bad) is not stored: \(proj.source) presents items 0..<\(patterns.patterns)")
      } else if let late = m.items.first(where: { m.presentationMs($0, patterns) + m.storageWindowMs > duration }) {
        let count = m.items.filter { m.presentationMs($0, patterns) + m.storageWindowMs > duration }.count
        add(
          "items",
          "\(count) of \(m.items.count) tracked items (from item \(late), at \(m.presentationMs(late, patterns)) ms) are "
            + "not stored before the run ends (\(duration) ms); they are not tracked (traces/stored_ms NaN)",
          warning: true)
      }
      if m.storageWindowMs >= patterns.periodMs {
        add(
          "storage_window_ms",
          "(\(m.storageWindowMs) ms) must be shorter than the items' period (\(patterns.periodMs) ms), or the next item "
            + "would count as part of the trace")
      }
      // Slow ticks that change weights must not fall inside a storage window (they would count
      // as the item's changes).
      var ticks: [(String, SlowClock)] = []
      if let c = proj.consolidation { ticks.append(("consolidation", c.clock)) }
      if case .taggingCapture(let p) = rule { ticks.append(("stc", p.clock)) }
      let windowSteps = Int((m.storageWindowMs / dt).rounded())
      for (what, clock) in ticks where clock.violations(timescales: timescales, dtMs: dt).isEmpty {
        let c = clock.steps(timescales: timescales, dtMs: dt)
        for item in m.items {
          let n = Int((m.presentationMs(item, patterns) / dt).rounded())
          let nextTick = (n / c + 1) * c
          if nextTick <= n + windowSteps {
            add(
              "items",
              "item \(item)'s storage window (\(m.presentationMs(item, patterns)) ms + storage_window_ms) contains a tick "
                + "of \(proj.name)'s \(what) clock (at \(Double(nextTick) * dt) ms), which would count as the item's "
                + "change; track items presented at least storage_window_ms before a tick, or shorten storage_window_ms"
            )
            break
          }
        }
      }
      // stc writes every weight, tag and late phase at its ticks: evaluate on them.
      if case .taggingCapture(let p) = rule, p.clock.violations(timescales: timescales, dtMs: dt).isEmpty,
        m.clock.violations(timescales: timescales, dtMs: dt).isEmpty,
        m.clock.steps(timescales: timescales, dtMs: dt) % p.clock.steps(timescales: timescales, dtMs: dt) != 0
      {
        add(
          m.clock == .named("protein_synthesis") ? "clock" : "clock_ms",
          "must be a whole multiple of \(proj.name)'s stc clock (\(p.clock.periodMs(in: timescales)!) ms), at whose "
            + "ticks stc writes its weights, tags and late phase")
      }
      guard let recall = m.recall else { continue }
      if recall.effectiveWindowMs > recall.spacingMs {
        add("recall.window_ms", "(\(recall.effectiveWindowMs) ms) must not exceed spacing_ms (\(recall.spacingMs) ms)")
      }
      let probes = m.probes(patterns)
      if probes.isEmpty {
        add("recall.times_ms", "no tracked item is stored before the first recall time; recall after the items")
      }
      var previousEnd = -Double.infinity
      for probe in probes {
        let (a, b) = (probe.timeMs, probe.timeMs + recall.effectiveWindowMs)
        if b > duration {
          add(
            "recall.times_ms",
            "the probes from \(a) ms on end after the run (\(duration) ms) and are not made", warning: true)
          break
        }
        if a < previousEnd {
          add("recall.times_ms", "the probes of one recall run into the next recall time (at \(a) ms)")
          break
        }
        previousEnd = a + recall.spacingMs
        // Items ν whose storage window [t_ν, t_ν + w] meets [a, b].
        let p = patterns.periodMs
        let first = max(0, Int(((a - m.storageWindowMs - patterns.startMs) / p).rounded(.up)))
        let last = min(patterns.patterns - 1, Int(((b - patterns.startMs) / p).rounded(.down)))
        if first <= last {
          add(
            "recall.times_ms",
            "the probe at \(a) ms (window \(recall.effectiveWindowMs) ms) overlaps the storage of item \(first) at "
              + "\(m.presentationMs(first, patterns)) ms; place recall times between items (items every \(p) ms, "
              + "storage_window_ms \(m.storageWindowMs))")
          break
        }
      }
    }
    issues += validateSharedSources()
    return issues
  }

  /// Trackers of projections from one source present their cues through it: a probe of one may
  /// coincide with another's only as the same cue (same item, step and fractions), and must not
  /// fall inside another's response window otherwise.
  private func validateSharedSources() -> [ExperimentIssue] {
    var issues: [ExperimentIssue] = []
    var seen: [String: [(name: String, item: Int, start: Double, end: Double, cue: [Double])]] = [:]
    for m in memory {
      guard let proj = projections.first(where: { $0.name == m.projection }), proj.plasticity != nil,
        case .memoryPatterns(let patterns) = population(named: proj.source)?.model, let recall = m.recall
      else { continue }
      let mine = m.probes(patterns).map {
        (
          name: m.projection, item: m.items[$0.trace], start: $0.timeMs, end: $0.timeMs + recall.effectiveWindowMs,
          cue: [recall.maskFraction, recall.noiseFraction]
        )
      }
      for other in seen[proj.source] ?? [] {
        if let clash = mine.first(where: { p in
          p.start < other.end && other.start < p.end
            && !(p.start == other.start && p.item == other.item && p.cue == other.cue)
        }) {
          issues.append(
            ExperimentIssue(
              keyPath: "memory.\(m.projection).recall.times_ms",
              message:
                "the probe at \(clash.start) ms overlaps a different probe of memory.\(other.name) (item \(other.item) at "
                + "\(other.start) ms) through the shared source \(proj.source); give both the same recall schedule and "
                + "items, or separate their recall times"))
          break
        }
      }
      seen[proj.source, default: []] += mine
    }
    return issues
  }
}
