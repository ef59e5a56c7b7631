import Foundation

/// Weight snapshots of one projection and their statistics per snapshot.
public struct WeightSeries: Sendable {
  /// Projection name.
  public var projection: String
  /// Snapshot times in ms.
  public var timesMs: [Double]
  /// Row-major: snapshots × recorded synapses.
  public var values: [Double]
  /// Recorded synapses per snapshot.
  public var synapses: Int
  /// Weight unit (mV or nS).
  public var units: String
  /// Edges of the histogram of all the projection's synapses (empty without one).
  public var histogramEdges: [Double] = []
  /// Row-major: snapshots × bins, the counts of all synapses per bin.
  public var histogramCounts: [UInt64] = []

  /// Creates a series.
  public init(projection: String, timesMs: [Double], values: [Double], synapses: Int, units: String) {
    self.projection = projection
    self.timesMs = timesMs
    self.values = values
    self.synapses = synapses
    self.units = units
  }

  /// The histogram's counts, one row per snapshot (empty without a histogram).
  public var histogramRows: [[UInt64]] {
    let bins = histogramEdges.count - 1
    guard bins > 0, !histogramCounts.isEmpty else { return [] }
    return (0..<(histogramCounts.count / bins)).map { Array(histogramCounts[($0 * bins)..<(($0 + 1) * bins)]) }
  }

  /// Mean, population std, min and max over the recorded synapses, per snapshot.
  public var statistics: (mean: [Double], std: [Double], min: [Double], max: [Double]) {
    var out: ([Double], [Double], [Double], [Double]) = ([], [], [], [])
    guard synapses > 0 else { return out }
    for row in 0..<(values.count / synapses) {
      let w = Array(values[(row * synapses)..<((row + 1) * synapses)])
      let (mean, std) = meanAndStd(w)
      out.0.append(mean)
      out.1.append(std)
      out.2.append(w.min()!)
      out.3.append(w.max()!)
    }
    return out
  }
}

/// Everything `ndml analyze` computed for one file.
public struct AnalysisReport: Sendable {
  /// The results file analysed.
  public var file: String
  /// The settings used.
  public var options: AnalysisOptions
  /// One analysis per population.
  public var populations: [PopulationAnalysis]
  /// Weight snapshots per projection.
  public var weights: [WeightSeries]
  /// Plateau counts per BTSP projection.
  public var plateaus: [(projection: String, count: Int)]
  /// Firing-pattern classes per population (`--firing-patterns`; empty otherwise).
  public var firingPatterns: [PopulationFiringPatterns] = []
  /// Memory lifecycles (`/memory`), by projection.
  public var memory: [MemorySummary] = []

  /// Creates a report.
  public init(
    file: String, options: AnalysisOptions, populations: [PopulationAnalysis], weights: [WeightSeries],
    plateaus: [(projection: String, count: Int)]
  ) {
    self.file = file
    self.options = options
    self.populations = populations
    self.weights = weights
    self.plateaus = plateaus
  }

  /// A JSON-ready value: NaN and ∞ become null.
  private static func number(_ x: Double) -> Any { x.isFinite ? x : NSNull() }

  /// The report as a JSON object (layout: docs/cli.md).
  public var jsonObject: [String: Any] {
    let o = options
    var pops: [String: Any] = [:]
    for a in populations {
      pops[a.name] =
        [
          "size": a.size, "spikes": a.spikes,
          "rate_hz": [
            "mean": Self.number(a.rateMean), "std": Self.number(a.rateStd), "median": Self.number(a.rateMedian),
            "p10": Self.number(a.rateP10), "p90": Self.number(a.rateP90),
            "silent_fraction": Self.number(a.silentFraction),
          ],
          "rate_histogram": ["bin_edges_hz": a.rateHistogramEdgesHz, "counts": a.rateHistogramCounts],
          "cv_isi": ["mean": Self.number(a.cvMean), "median": Self.number(a.cvMedian), "neurons": a.cvNeurons],
          "fano": ["mean": Self.number(a.fanoMean), "bin_ms": o.binMs, "neurons": a.fanoNeurons],
          "correlation": [
            "mean": Self.number(a.correlationMean), "std": Self.number(a.correlationStd), "pairs": a.correlationPairs,
            "neurons_sampled": a.correlationNeuronsSampled, "bin_ms": o.binMs,
          ],
          "chi": ["value": Self.number(a.chi), "bin_ms": o.chiBinMs, "neurons": a.chiNeurons],
          "spectrum": [
            "peak_hz": Self.number(a.spectrumPeakHz), "peak_power": Self.number(a.spectrumPeakPower),
            "bin_ms": o.spectrumBinMs, "segment_ms": o.segmentMs, "min_hz": o.minHz,
            "frequencies_hz": a.spectrumFrequenciesHz, "power": a.spectrumPower,
          ],
        ] as [String: Any]
    }
    var weightObject: [String: Any] = [:]
    for w in weights {
      let s = w.statistics
      weightObject[w.projection] =
        [
          "time_ms": w.timesMs, "mean": s.mean.map(Self.number), "std": s.std.map(Self.number),
          "min": s.min.map(Self.number), "max": s.max.map(Self.number), "units": w.units, "synapses": w.synapses,
          "histogram": [
            "bin_edges": w.histogramEdges,
            "counts": w.histogramRows.map { $0.map { Int($0) } },
          ] as [String: Any],
        ] as [String: Any]
    }
    var object: [String: Any] = [
      "file": file, "window_ms": [o.startMs, o.stopMs], "populations": pops, "weights": weightObject,
      "plateaus": Dictionary(uniqueKeysWithValues: plateaus.map { ($0.projection, ["count": $0.count]) }),
    ]
    if !firingPatterns.isEmpty {
      object["firing_patterns"] = Dictionary(
        uniqueKeysWithValues: firingPatterns.map { population in
          (
            population.name,
            [
              "class": population.majority.rawValue,
              "counts": Dictionary(uniqueKeysWithValues: population.counts.map { ($0.key.rawValue, $0.value) }),
              "neurons": population.neurons.map(Self.firingPatternObject),
            ] as [String: Any]
          )
        })
    }
    if !memory.isEmpty {
      object["memory"] = Dictionary(
        uniqueKeysWithValues: memory.map { m in
          (
            m.projection,
            [
              "stored_traces": m.storedTraces,
              "final_states": Dictionary(uniqueKeysWithValues: m.finalStates.map { ($0.state, $0.count) }),
              "lifetime_s": m.lifetimeS.map { $0 as Any } ?? NSNull(), "age_edges_s": m.ageEdgesS,
              "mean_snr": m.meanSNR.map(Self.number), "snr_samples": m.snrSamples,
              "recall_score": m.meanScore.map(Self.number), "recall_completion": m.meanCompletion.map(Self.number),
              "probes": m.probes,
              "recalls": [
                "time_ms": m.recalls.map(\.timeMs), "mean_score": m.recalls.map { Self.number($0.meanScore) },
                "probes": m.recalls.map(\.probes),
              ] as [String: Any],
            ] as [String: Any]
          )
        })
    }
    return object
  }

  /// One neuron's firing-pattern class and features as JSON.
  private static func firingPatternObject(_ c: FiringPatternClassification) -> [String: Any] {
    [
      "class": c.pattern.rawValue, "onset": c.onset, "steady_state": c.steadyState, "spikes": c.spikes,
      "latency_ms": number(c.latencyMs), "mean_isi_ms": number(c.meanIntervalMs),
      "adaptation_index": number(c.adaptationIndex), "isi_ratio_last_first": number(c.intervalRatio),
      "isi_gap_ratio": number(c.gapRatio), "bursts": c.bursts, "late_cv_isi": number(c.lateCV),
      "silence_after_last_ms": number(c.silenceAfterLastMs),
    ]
  }

  /// The report as pretty-printed JSON.
  public func jsonText() throws -> String {
    let data = try JSONSerialization.data(withJSONObject: jsonObject, options: [.prettyPrinted, .sortedKeys])
    return String(decoding: data, as: UTF8.self)
  }

  /// The report as a readable table, one block per population.
  public func table() -> [String] {
    func f(_ x: Double, _ digits: Int = 3) -> String { x.isFinite ? String(format: "%.\(digits)g", x) : "—" }
    let o = options
    var lines = ["\(file): window [\(f(o.startMs, 10)), \(f(o.stopMs, 10))) ms"]
    for a in populations {
      lines.append("population \(a.name): \(a.size) neurons, \(a.spikes) spikes")
      lines.append(
        "  rate (Hz)       mean \(f(a.rateMean))  std \(f(a.rateStd))  median \(f(a.rateMedian))  "
          + "p10 \(f(a.rateP10))  p90 \(f(a.rateP90))  silent \(f(100 * a.silentFraction)) %")
      lines.append(
        "  CV of ISI       mean \(f(a.cvMean))  median \(f(a.cvMedian))  (\(a.cvNeurons) neurons with ≥ 3 spikes)")
      lines.append("  Fano factor     mean \(f(a.fanoMean))  (\(f(o.binMs)) ms bins, \(a.fanoNeurons) neurons)")
      lines.append(
        "  correlation     mean \(f(a.correlationMean))  std \(f(a.correlationStd))  "
          + "(\(a.correlationPairs) pairs of \(a.correlationNeuronsSampled) sampled neurons, \(f(o.binMs)) ms bins)")
      lines.append("  synchrony χ     \(f(a.chi))  (\(a.chiNeurons) neurons, \(f(o.chiBinMs)) ms bins)")
      lines.append(
        "  rate spectrum   peak \(f(a.spectrumPeakHz)) Hz  (above \(f(o.minHz)) Hz; Welch \(f(o.segmentMs)) ms "
          + "segments of \(f(o.spectrumBinMs)) ms bins)")
    }
    for w in weights {
      let s = w.statistics
      guard let first = s.mean.first, let last = s.mean.last else { continue }
      lines.append(
        "weights \(w.projection): \(w.timesMs.count) snapshots of \(w.synapses) synapses, t = \(f(w.timesMs.first!)) … "
          + "\(f(w.timesMs.last!, 6)) ms; mean \(f(first)) → \(f(last)) \(w.units), std \(f(s.std.first!)) → "
          + "\(f(s.std.last!)) \(w.units)")
      let rows = w.histogramRows
      if let first = rows.first, let last = rows.last, let lo = w.histogramEdges.first, let hi = w.histogramEdges.last {
        let total = Double(first.reduce(0, +))
        func share(_ row: [UInt64], _ k: Int) -> String { f(100 * Double(row[k]) / max(total, 1)) }
        lines.append(
          "  all \(Int(total)) synapses (histogram, \(first.count) bins over [\(f(lo)), \(f(hi))] \(w.units)): "
            + "lowest bin \(share(first, 0)) → \(share(last, 0)) %, highest bin \(share(first, first.count - 1)) → "
            + "\(share(last, last.count - 1)) %")
      }
    }
    for p in plateaus { lines.append("plateaus \(p.projection): \(p.count)") }
    for m in memory {
      lines.append(
        "memory \(m.projection): \(m.storedTraces) traces stored; final states "
          + (m.finalStates.isEmpty ? "none" : m.finalStates.map { "\($0.state) \($0.count)" }.joined(separator: ", "))
          + "; lifetime (mean SNR below "
          + "threshold) " + (m.lifetimeS.map { "from \(f($0)) s of age" } ?? "beyond the oldest age"))
      lines.append("  age (s)            mean SNR   recall score   completion   probes")
      for b in m.meanSNR.indices {
        let range = "\(f(m.ageEdgesS[b], 6))–\(f(m.ageEdgesS[b + 1], 6))"
        lines.append(
          "  " + range.padding(toLength: 18, withPad: " ", startingAt: 0)
            + " \(f(m.meanSNR[b]).padding(toLength: 10, withPad: " ", startingAt: 0))"
            + " \(f(m.meanScore[b]).padding(toLength: 14, withPad: " ", startingAt: 0))"
            + " \(f(m.meanCompletion[b]).padding(toLength: 12, withPad: " ", startingAt: 0)) \(m.probes[b])")
      }
      if !m.recalls.isEmpty {
        lines.append(
          "  recall over time (min: mean score): "
            + m.recalls.map { "\(f($0.timeMs / 60000)): \(f($0.meanScore, 2))" }.joined(separator: ", "))
      }
    }
    for population in firingPatterns {
      let counts = population.counts.sorted { $0.key.rawValue < $1.key.rawValue }
      lines.append(
        "firing pattern \(population.name): \(population.majority.rawValue)"
          + (population.neurons.count > 1
            ? " (" + counts.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ") + ")" : ""))
      for (k, c) in population.neurons.prefix(10).enumerated() {
        lines.append(
          "  neuron \(k): \(c.pattern.rawValue)  spikes \(c.spikes)  latency \(f(c.latencyMs)) ms  mean ISI "
            + "\(f(c.meanIntervalMs)) ms  A \(f(c.adaptationIndex))  ISI last/first \(f(c.intervalRatio))  gap "
            + "\(f(c.gapRatio))  bursts \(c.bursts)  late CV \(f(c.lateCV))  silence at end \(f(c.silenceAfterLastMs)) ms"
        )
      }
      if population.neurons.count > 10 {
        lines.append("  … \(population.neurons.count - 10) more neurons (--json lists all)")
      }
    }
    return lines
  }
}
