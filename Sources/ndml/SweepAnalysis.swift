import ArgumentParser
import Foundation
import Logging
import NDMLAnalysis
import NDMLPlot
import NDMLResults

/// `ndml analyze <sweep>/index.json`: the statistics of one population at every point of a sweep,
/// with the network state of Brunel (2000) — a table, a phase-diagram grid for two-axis sweeps,
/// JSON, and optionally an SVG figure of the states over the first two axes.
struct SweepAnalysis {
  let indexURL: URL
  let index: SweepIndex
  /// The index's path as the user gave it (tables and figures show this one).
  let displayPath: String

  /// The index a path names: a `.json` file, or a directory holding `index.json`.
  static func indexURL(for path: String) -> URL? {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return nil }
    let url = URL(fileURLWithPath: path)
    if isDirectory.boolValue {
      let candidate = url.appendingPathComponent(SweepIndex.fileName)
      return FileManager.default.fileExists(atPath: candidate.path) ? candidate : nil
    }
    return url.pathExtension == "json" ? url : nil
  }

  init(indexURL: URL, displayPath: String) throws {
    self.indexURL = indexURL
    self.displayPath = displayPath
    index = try SweepIndex.read(indexURL)
  }

  /// One point's figures (nil for a point without a complete results file).
  struct Row {
    var point: SweepIndex.Point
    var analysis: PopulationAnalysis?
    var state: NetworkStateReport?
  }

  /// Analyses `population` (the first recorded one if nil) of every complete point.
  func rows(
    population: String?, startMs: Double?, stopMs: Double?, configure: (inout AnalysisOptions) -> Void,
    criteria: NetworkStateCriteria, logger: Logger
  ) throws -> (population: String, rows: [Row]) {
    var chosen = population
    var rows: [Row] = []
    let directory = indexURL.deletingLastPathComponent()
    for point in index.points {
      guard point.status == "complete" else {
        logger.warning("sweep point \(point.name) is \(point.status): left out (run the sweep again to finish it)")
        rows.append(Row(point: point))
        continue
      }
      let file = directory.appendingPathComponent(point.file).path
      var row = Row(point: point)
      try ResultsFileAccess.read(file, logger: logger) { r in
        let spikes = try AnalyzeCommand.spikes(in: r, file: file, populations: chosen.map { [$0] } ?? [])
        guard let first = spikes.first else { throw CommandError("\(file): no recorded spikes to analyse") }
        chosen = first.name
        let duration = try r.numericMetadata("duration_ms") ?? 0
        var options = AnalysisOptions(startMs: startMs ?? 0, stopMs: stopMs ?? duration)
        guard options.stopMs > options.startMs else {
          throw CommandError(
            "\(file): the analysis window [\(options.startMs), \(options.stopMs)) ms is empty (the run lasted \(duration) ms)"
          )
        }
        configure(&options)
        row.analysis = analyzePopulation(first, options: options)
        row.state = classifyNetworkState(first, startMs: options.startMs, stopMs: options.stopMs, criteria: criteria)
      }
      rows.append(row)
    }
    guard let name = chosen else {
      throw CommandError("\(indexURL.path): no point of the sweep is complete yet; run the sweep first")
    }
    return (name, rows)
  }

  /// What the grid view of a two-axis sweep shows (`--grid-stat`).
  enum GridStatistic: String, CaseIterable, ExpressibleByArgument {
    case state, rate, cv, fano, correlation, chi
    case fastAmplitude = "fast_amplitude"
    case slowAmplitude = "slow_amplitude"
    case peak

    /// The statistic of one analysed point, formatted.
    func value(_ a: PopulationAnalysis, _ s: NetworkStateReport) -> String {
      switch self {
      case .state: s.state.rawValue
      case .rate: format(a.rateMean)
      case .cv: format(a.cvMean)
      case .fano: format(a.fanoMean)
      case .correlation: format(a.correlationMean)
      case .chi: format(a.chi)
      case .fastAmplitude: format(s.fastAmplitude)
      case .slowAmplitude: format(s.slowAmplitude)
      case .peak: format(a.spectrumPeakHz)
      }
    }
  }

  /// The table: one line per point, then (for two or more axes) `gridStatistic` as a grid over
  /// the first two axes, the second axis upwards as in Brunel's phase diagrams.
  func table(population: String, rows: [Row], gridStatistic: GridStatistic = .state) -> [String] {
    let axisNames = index.axes.map(\.name)
    let parameterNames = axisNames.isEmpty ? Array(Set(index.points.flatMap(\.parameters.keys))).sorted() : axisNames
    var lines = ["\(displayPath): \(rows.count) points, population \(population)"]
    let header =
      ["point"] + parameterNames + [
        "rate (Hz)", "CV ISI", "chi", "fast peak (Hz)", "amplitude", "slow peak (Hz)", "amplitude", "state",
      ]
    var table: [[String]] = [header]
    for row in rows {
      var cells = [row.point.name] + parameterNames.map { row.point.parameters[$0] ?? "" }
      if let a = row.analysis, let s = row.state {
        cells += [
          format(a.rateMean), format(a.cvMean), format(a.chi), format(s.fastPeakHz), format(s.fastAmplitude),
          format(s.slowPeakHz), format(s.slowAmplitude), s.state.rawValue,
        ]
      } else {
        cells += ["", "", "", "", "", "", "", "(\(row.point.status))"]
      }
      table.append(cells)
    }
    lines += aligned(table)
    if index.axes.count >= 2 {
      let (x, y) = (index.axes[0], index.axes[1])
      lines.append("")
      lines.append(
        "\(gridStatistic.rawValue): \(y.name) (rows) against \(x.name) (columns)"
          + (index.axes.count > 2 ? ", first value of the other axes" : ""))
      var grid = [[y.name] + x.values]
      for yValue in y.values.reversed() {
        grid.append(
          [yValue]
            + x.values.map { xValue in
              let row = rows.first { r in
                r.point.parameters[x.name] == xValue && r.point.parameters[y.name] == yValue
                  && index.axes.dropFirst(2).allSatisfy { r.point.parameters[$0.name] == $0.values.first }
              }
              guard let a = row?.analysis, let s = row?.state else { return "-" }
              return gridStatistic.value(a, s)
            })
      }
      lines += aligned(grid)
    }
    return lines
  }

  /// Rows of cells, each column padded to its widest cell.
  private func aligned(_ table: [[String]]) -> [String] {
    let widths = table[0].indices.map { c in table.map { $0[c].count }.max() ?? 0 }
    return table.map { cells in
      zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
    }
  }

  /// The JSON form of the table.
  func json(population: String, rows: [Row], criteria: NetworkStateCriteria) throws -> String {
    let points: [[String: Any]] = rows.map { row in
      var entry: [String: Any] = [
        "name": row.point.name, "parameters": row.point.parameters, "status": row.point.status, "file": row.point.file,
      ]
      if let a = row.analysis, let s = row.state {
        entry["statistics"] = [
          "rate_Hz": jsonNumber(a.rateMean), "cv_isi": jsonNumber(a.cvMean), "fano": jsonNumber(a.fanoMean),
          "correlation": jsonNumber(a.correlationMean), "chi": jsonNumber(a.chi),
          "spectrum_peak_Hz": jsonNumber(a.spectrumPeakHz), "oscillation_index": jsonNumber(s.oscillationIndex),
          "oscillation_peak_Hz": jsonNumber(s.peakHz), "fast_peak_Hz": jsonNumber(s.fastPeakHz),
          "fast_amplitude": jsonNumber(s.fastAmplitude), "slow_peak_Hz": jsonNumber(s.slowPeakHz),
          "slow_amplitude": jsonNumber(s.slowAmplitude), "state": s.state.rawValue,
        ]
      }
      return entry
    }
    let object: [String: Any] = [
      "index": indexURL.path, "population": population,
      "axes": index.axes.map { ["name": $0.name, "values": $0.values] },
      "state_criteria": [
        "quiescent_rate_Hz": criteria.quiescentRateHz, "regular_cv": criteria.regularCV,
        "fast_amplitude": criteria.fastAmplitude, "slow_amplitude": criteria.slowAmplitude,
        "fast_Hz": criteria.fastHz, "min_Hz": criteria.minHz,
        "bin_ms": criteria.binMs, "segment_ms": criteria.segmentMs,
      ],
      "points": points,
    ]
    let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    return String(decoding: data, as: UTF8.self)
  }

  /// An SVG of the states over the first two axes (numeric values), one colour per state; the
  /// grid's points only.
  func figure(population: String, rows: [Row]) throws -> String {
    guard index.axes.count >= 2 else {
      throw CommandError(
        "\(indexURL.path): a state figure needs a grid sweep with two axes (this one has \(index.axes.count))")
    }
    let (x, y) = (index.axes[0], index.axes[1])
    var figure = SVGFigure(title: "Network states of \(population)", xLabel: x.name, yLabel: y.name)
    figure.subtitle = displayPath
    for (k, state) in NetworkState.allCases.enumerated() {
      var xs: [Double] = []
      var ys: [Double] = []
      // Listed points (not on the grid) have no axis values and are left out.
      for row in rows where row.state?.state == state {
        guard let xText = row.point.parameters[x.name], let yText = row.point.parameters[y.name] else { continue }
        guard let a = Double(xText), let b = Double(yText) else {
          throw CommandError("\(indexURL.path): axis values must be numbers to be plotted (point \(row.point.name))")
        }
        xs.append(a)
        ys.append(b)
      }
      if !xs.isEmpty {
        figure.add(
          .points(x: xs, y: ys, color: SVGFigure.palette[k % SVGFigure.palette.count], size: 14), label: state.rawValue)
      }
    }
    let xValues = x.values.compactMap(Double.init)
    let yValues = y.values.compactMap(Double.init)
    if let lo = xValues.min(), let hi = xValues.max() { figure.xRange = (lo - 0.5)...(hi + 0.5) }
    if let lo = yValues.min(), let hi = yValues.max() { figure.yRange = (lo - 0.5)...(hi + 0.5) }
    return figure.svg()
  }

  private func jsonNumber(_ v: Double) -> Any { v.isFinite ? v : NSNull() }
}

/// Three significant digits, `nan` for a missing value.
private func format(_ v: Double) -> String { v.isFinite ? String(format: "%.3g", v) : "nan" }
