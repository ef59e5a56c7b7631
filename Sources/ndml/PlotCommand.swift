import ArgumentParser
import Foundation
import NDMLAnalysis
import NDMLPlot
import NDMLResults

/// `ndml plot FILE --kind K -o FIG.svg`: a self-contained SVG figure of a results file.
struct PlotCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plot", abstract: "Draw a figure of a results file as a self-contained SVG.",
    discussion: """
      Kinds: raster (spikes; large rasters are thinned to at most --max-neurons rows and --max-spikes \
      marks, said in the subtitle), rate (population rates in --bin-ms bins), isi (distributions of \
      inter-spike intervals), weights (mean ± std, min and max of recorded weights over time), voltage \
      (recorded v of up to --max-neurons neurons), recall (recall scores of memory experiments).
      """)

  enum Kind: String, ExpressibleByArgument, CaseIterable {
    case raster, rate, isi, weights, voltage, recall
  }

  @Argument(help: "An NDML results file (.h5).")
  var file: String

  @Option(help: "What to draw (\(Kind.allCases.map(\.rawValue).joined(separator: ", "))).")
  var kind: Kind

  @Option(name: [.short, .customLong("output")], help: "The SVG file to write.")
  var output: String

  @OptionGroup var window: WindowOptions

  @Option(help: "Projection for --kind weights or recall (default: every projection with snapshots or /memory).")
  var projection: String?

  @Option(help: "Bin of --kind rate, in ms.")
  var binMs = 5.0

  @Option(help: "Most rows of a raster (neurons evenly spread) and traces of a voltage plot.")
  var maxNeurons = 400

  @Option(help: "Most marks of a raster (spikes evenly thinned beyond that).")
  var maxSpikes = 60_000

  @OptionGroup var logging: LoggingOptions

  func validate() throws {
    guard binMs > 0, maxNeurons > 0, maxSpikes > 0 else {
      throw ValidationError("--bin-ms, --max-neurons and --max-spikes must be positive")
    }
  }

  func run() throws {
    let logger = Console.logger(logging)
    try ResultsFileAccess.read(file, logger: logger) { r in
      let duration = try r.numericMetadata("duration_ms") ?? 0
      let start = window.startMs ?? 0
      let figure: SVGFigure
      switch kind {
      case .raster:
        figure = try raster(r, start: start, stop: window.stopMs ?? min(duration, start + 1000))
      case .rate:
        figure = try rate(r, start: start, stop: window.stopMs ?? duration)
      case .isi:
        figure = try isi(r, start: start, stop: window.stopMs ?? duration)
      case .weights:
        figure = try weights(r)
      case .voltage:
        figure = try voltage(r, start: start, stop: window.stopMs ?? duration)
      case .recall:
        figure = try recall(r)
      }
      let url = URL(fileURLWithPath: output)
      do {
        try figure.svg().write(to: url, atomically: true, encoding: .utf8)
      } catch {
        throw CommandError("cannot write \(output): \(error.localizedDescription)")
      }
      logger.info("\(kind.rawValue) plot written to \(output)")
    }
  }

  private func chosenPopulations(_ r: ResultsReader) throws -> [(name: String, size: Int)] {
    let recorded = try r.spikePopulations()
    guard !recorded.isEmpty else { throw CommandError("\(file) has no recorded spikes (record.spikes was empty)") }
    for name in window.populations where !recorded.contains(name) {
      throw ResultsError.notFound(path: file, what: "spikes of '\(name)'", available: recorded)
    }
    let sizes = Dictionary(try r.populations().map { ($0.name, $0.size) }, uniquingKeysWith: { a, _ in a })
    return (window.populations.isEmpty ? recorded : window.populations).map { ($0, sizes[$0] ?? 0) }
  }

  private func color(_ k: Int) -> String { SVGFigure.palette[k % SVGFigure.palette.count] }

  private func raster(_ r: ResultsReader, start: Double, stop: Double) throws -> SVGFigure {
    var fig = SVGFigure(title: "Spike raster", xLabel: "time (ms)", yLabel: "neuron (stacked by population)")
    let pops = try chosenPopulations(r)
    let total = pops.reduce(0) { $0 + $1.size }
    var offset = 0.0
    var shownRows = 0
    var shownSpikes = 0
    var allSpikes = 0
    for (k, pop) in pops.enumerated() {
      let rows = max(1, min(pop.size, maxNeurons * pop.size / max(total, 1)))
      let stride = Double(pop.size) / Double(rows)  // keep neuron i when it starts a stride
      let spikes = try r.spikes(of: pop.name)
      var xs: [Double] = []
      var ys: [Double] = []
      for (t, id) in zip(spikes.timesMs, spikes.nodeIDs) where t >= start && t < stop {
        allSpikes += 1
        let row = (Double(id) / stride).rounded(.down)
        guard Int((row * stride).rounded(.up)) == Int(id) || stride <= 1 else { continue }
        xs.append(t)
        ys.append(offset + row)
      }
      shownRows += rows
      let keepEvery = max(1, Int((Double(xs.count) * Double(pops.count) / Double(maxSpikes)).rounded(.up)))
      if keepEvery > 1 {
        xs = Swift.stride(from: 0, to: xs.count, by: keepEvery).map { xs[$0] }
        ys = Swift.stride(from: 0, to: ys.count, by: keepEvery).map { ys[$0] }
      }
      shownSpikes += xs.count
      fig.add(.points(x: xs, y: ys, color: color(k), size: rows > 200 ? 1.5 : 2.5), label: "\(pop.name) (\(pop.size))")
      offset += Double(rows)
    }
    fig.xRange = start...stop
    fig.yRange = 0...max(offset, 1)
    fig.subtitle =
      "\(file): \(shownSpikes) of \(allSpikes) spikes in [\(SVGFigure.label(start)), \(SVGFigure.label(stop))) ms, "
      + "\(shownRows) of \(total) neurons" + (shownRows < total || shownSpikes < allSpikes ? " (thinned evenly)" : "")
    return fig
  }

  private func rate(_ r: ResultsReader, start: Double, stop: Double) throws -> SVGFigure {
    var fig = SVGFigure(title: "Population rate", xLabel: "time (ms)", yLabel: "rate (Hz per neuron)")
    let bins = max(1, Int(((stop - start) / binMs).rounded(.down)))
    for (k, pop) in try chosenPopulations(r).enumerated() {
      var counts = [Double](repeating: 0, count: bins)
      for t in try r.spikes(of: pop.name).timesMs where t >= start && t < start + Double(bins) * binMs {
        counts[min(Int(((t - start) / binMs + 1e-6).rounded(.down)), bins - 1)] += 1
      }
      let scale = 1000 / binMs / Double(max(pop.size, 1))
      fig.add(
        .line(
          x: (0..<bins).map { start + (Double($0) + 0.5) * binMs }, y: counts.map { $0 * scale }, color: color(k),
          width: 1.5),
        label: pop.name)
    }
    fig.xRange = start...stop
    fig.yIncludesZero = true
    fig.subtitle = "\(file): spikes per neuron in \(SVGFigure.label(binMs)) ms bins"
    return fig
  }

  private func isi(_ r: ResultsReader, start: Double, stop: Double) throws -> SVGFigure {
    var fig = SVGFigure(title: "Inter-spike intervals", xLabel: "interval (ms)", yLabel: "probability density (1/ms)")
    var series: [(String, [Double])] = []
    for pop in try chosenPopulations(r) {
      let spikes = try r.spikes(of: pop.name)
      var last: [UInt64: Double] = [:]
      var intervals: [Double] = []
      for (t, id) in zip(spikes.timesMs, spikes.nodeIDs) where t >= start && t < stop {
        if let previous = last[id] { intervals.append(t - previous) }
        last[id] = t
      }
      series.append((pop.name, intervals))
    }
    let pooled = series.flatMap(\.1).sorted()
    guard !pooled.isEmpty else { throw CommandError("\(file): no inter-spike intervals in the window") }
    let top = max(pooled[min(pooled.count - 1, Int(0.99 * Double(pooled.count)))], 1e-9)
    let bins = 60
    let edges = (0...bins).map { top * Double($0) / Double(bins) }
    for (k, (name, intervals)) in series.enumerated() where !intervals.isEmpty {
      var counts = [Double](repeating: 0, count: bins)
      for v in intervals where v <= top { counts[min(Int(v / top * Double(bins)), bins - 1)] += 1 }
      let density = counts.map { $0 / Double(intervals.count) / (top / Double(bins)) }
      if series.count == 1 {
        fig.add(.bars(edges: edges, heights: density, color: color(k)), label: "\(name) (\(intervals.count) intervals)")
      } else {
        fig.add(
          .line(x: (0..<bins).map { (edges[$0] + edges[$0 + 1]) / 2 }, y: density, color: color(k), width: 2),
          label: "\(name) (\(intervals.count) intervals)")
      }
    }
    fig.xRange = 0...top
    fig.yIncludesZero = true
    fig.subtitle = "\(file): intervals up to the 99th percentile (\(SVGFigure.label(top)) ms), \(bins) bins"
    return fig
  }

  private func weights(_ r: ResultsReader) throws -> SVGFigure {
    let available = try r.weightProjections()
    let names = projection.map { [$0] } ?? available
    guard !names.isEmpty else { throw CommandError("\(file) has no weight snapshots (record.weights was empty)") }
    var units = ""
    var fig = SVGFigure(title: "Synaptic weights", xLabel: "time (ms)", yLabel: "weight")
    for (k, name) in names.enumerated() {
      let w = try r.weights(of: name)
      units = w.units
      let (mean, std, low, high) = WeightSeries(
        projection: name, timesMs: w.timesMs, values: w.values, synapses: w.synapses, units: w.units
      ).statistics
      let c = color(k)
      fig.add(.band(x: w.timesMs, low: zip(mean, std).map { $0 - $1 }, high: zip(mean, std).map { $0 + $1 }, color: c))
      fig.add(.line(x: w.timesMs, y: low, color: c, width: 0.8))
      fig.add(.line(x: w.timesMs, y: high, color: c, width: 0.8))
      fig.add(.line(x: w.timesMs, y: mean, color: c, width: 2.2), label: "\(name): mean ± std (\(w.synapses) synapses)")
    }
    fig.yLabel = "weight (\(units))"
    fig.subtitle = "\(file): thin lines are the smallest and largest recorded weight"
    return fig
  }

  /// Recall score (completion − spurious) of every probe against the trace's age, per memory
  /// projection, with the mean per age bin.
  private func recall(_ r: ResultsReader) throws -> SVGFigure {
    let available = try r.memoryProjections()
    guard !available.isEmpty else {
      throw CommandError(
        "\(file) has no /memory group: recall plots need the recall scores of a memory experiment (a config "
          + "with a memory: section, e.g. experiments/memory_lifecycle.yaml)")
    }
    let names = projection.map { [$0] } ?? available
    var fig = SVGFigure(title: "Recall from partial cues", xLabel: "age of the trace (s)", yLabel: "recall score")
    let series = try names.map { try r.memory(of: $0) }
    guard series.contains(where: { !$0.recallAgeMs.isEmpty }) else {
      throw CommandError(
        "\(file): /memory/\(names.joined(separator: ", ")) holds no recall probes (the config has no "
          + "memory.<projection>.recall, or no probe fell inside the run); `ndml analyze` shows the forgetting curve")
    }
    for (k, (name, m)) in zip(names, series).enumerated() {
      let ages = m.recallAgeMs.map { $0 / 1000 }
      let c = color(k)
      fig.add(.points(x: ages, y: m.recallScore, color: c, size: 3))
      let oldest = ages.max() ?? 0
      let edges = [0.0] + (0...40).map { 30 * pow(2, Double($0) / 4) }.filter { $0 < oldest } + [oldest]
      let summary = MemorySummary(m, edgesS: edges)
      let kept = summary.meanScore.indices.filter { summary.probes[$0] > 0 }
      fig.add(
        .line(
          x: kept.map { (summary.ageEdgesS[$0] + summary.ageEdgesS[$0 + 1]) / 2 },
          y: kept.map { summary.meanScore[$0] },
          color: c, width: 2.2),
        label: "\(name): mean per age bin (\(ages.count) probes)")
    }
    fig.yIncludesZero = true
    fig.subtitle = "\(file): score = completion − spurious (0 is chance); points are single probes"
    return fig
  }

  private func voltage(_ r: ResultsReader, start: Double, stop: Double) throws -> SVGFigure {
    let reports = try r.reports().filter { $0.hasSuffix("/v") }
    let chosen = window.populations.isEmpty ? reports : window.populations.map { "\($0)/v" }
    guard let first = chosen.first else { throw CommandError("\(file) has no recorded v (record.state)") }
    let population = String(first.dropLast(2))
    let report = try r.report(population: population, variable: "v")
    var fig = SVGFigure(title: "Membrane potential", xLabel: "time (ms)", yLabel: "v (\(report.units))")
    let (rows, columns) = (report.shape[0], report.shape.count > 1 ? report.shape[1] : 1)
    let times = (0..<rows).map { report.time[0] + Double($0) * report.time[2] }
    let keep = times.indices.filter { times[$0] >= start && times[$0] < stop }
    for c in 0..<min(columns, maxNeurons, 8) {
      fig.add(
        .line(
          x: keep.map { times[$0] }, y: keep.map { Double(report.values[$0 * columns + c]) }, color: color(c),
          width: 1.2),
        label: "\(population) neuron \(report.nodeIDs[c])")
    }
    fig.subtitle =
      "\(file): \(min(columns, 8)) of \(columns) recorded neurons, sampled every \(SVGFigure.label(report.time[2])) ms"
    return fig
  }
}
