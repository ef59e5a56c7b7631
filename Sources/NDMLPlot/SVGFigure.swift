import Foundation

/// A self-contained SVG figure with one set of axes: data-space marks (points, lines, bands,
/// bars), nice ticks, axis labels with units, a title, a subtitle and a legend.
public struct SVGFigure {
  /// One series or mark set, drawn in data coordinates.
  public enum Mark {
    /// Small squares (raster plots).
    case points(x: [Double], y: [Double], color: String, size: Double)
    /// A polyline.
    case line(x: [Double], y: [Double], color: String, width: Double)
    /// A filled band between two lines.
    case band(x: [Double], low: [Double], high: [Double], color: String)
    /// Bars from 0 between consecutive edges.
    case bars(edges: [Double], heights: [Double], color: String)
  }

  /// Title above the axes.
  public var title: String
  /// A grey line under the title (what was drawn, from which file).
  public var subtitle = ""
  /// Label of the x axis, with its unit.
  public var xLabel: String
  /// Label of the y axis, with its unit.
  public var yLabel: String
  /// The marks in drawing order, each with an optional legend label.
  public var marks: [(mark: Mark, label: String?)] = []
  /// The x range; nil means from the data.
  public var xRange: ClosedRange<Double>?
  /// The y range; nil means from the data (padded by 5 %).
  public var yRange: ClosedRange<Double>?
  /// Whether an automatic y range starts at (or includes) 0 — rates, densities, counts.
  public var yIncludesZero = false
  /// Figure width in pixels.
  public var width = 800.0
  /// Figure height in pixels.
  public var height = 480.0

  /// A palette that stays readable for colour-blind readers (Okabe & Ito).
  public static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]

  /// Creates an empty figure.
  ///
  /// ```swift
  /// var fig = SVGFigure(title: "Forgetting", xLabel: "age (s)", yLabel: "SNR")
  /// fig.add(.line(x: [10, 100, 1000], y: [20, 6.3, 2], color: SVGFigure.palette[0], width: 2), label: "chain")
  /// fig.add(.points(x: [10, 100, 1000], y: [21, 6, 2.2], color: SVGFigure.palette[0], size: 3))
  /// try fig.svg().write(toFile: "forgetting.svg", atomically: true, encoding: .utf8)
  /// ```
  public init(title: String, xLabel: String, yLabel: String) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
  }

  /// Adds a mark, with a legend entry when `label` is given.
  public mutating func add(_ mark: Mark, label: String? = nil) { marks.append((mark, label)) }

  private var margins: (left: Double, right: Double, top: Double, bottom: Double) { (78, 24, 64, 58) }

  /// The data range of all marks along x or y.
  private func dataRange(x: Bool) -> ClosedRange<Double> {
    var low = Double.infinity
    var high = -Double.infinity
    func take(_ values: [Double]) {
      for v in values where v.isFinite {
        low = min(low, v)
        high = max(high, v)
      }
    }
    for (mark, _) in marks {
      switch mark {
      case .points(let xs, let ys, _, _), .line(let xs, let ys, _, _): take(x ? xs : ys)
      case .band(let xs, let lo, let hi, _): take(x ? xs : lo + hi)
      case .bars(let edges, let heights, _): take(x ? edges : heights + [0])
      }
    }
    guard low.isFinite else { return 0...1 }
    return low < high ? low...high : (low - 0.5)...(high + 0.5)
  }

  /// "Nice" tick positions (1, 2, 5 × 10^k steps) covering a range with about `count` ticks.
  static func ticks(_ range: ClosedRange<Double>, count: Int = 6) -> [Double] {
    let span = range.upperBound - range.lowerBound
    guard span > 0, span.isFinite else { return [range.lowerBound] }
    let raw = span / Double(count)
    var exponent = Int(floor(log10(raw)))
    var mantissa = [1, 2, 5, 10].first { Double($0) * pow(10, Double(exponent)) >= raw } ?? 10
    if mantissa == 10 {
      mantissa = 1
      exponent += 1
    }
    let step = Double(mantissa) * pow(10, Double(exponent))
    // Tick k is k·mantissa·10^exponent, parsed from its decimal text so that 3 × 0.1 is 0.3.
    func tick(_ k: Int) -> Double { Double("\(k * mantissa)e\(exponent)")! }
    var out: [Double] = []
    var k = Int((range.lowerBound / step - 1e-9).rounded(.up))
    while tick(k) <= range.upperBound + step * 1e-9 {
      out.append(tick(k))
      k += 1
    }
    return out
  }

  /// A short number label for ticks and subtitles.
  public static func label(_ v: Double) -> String {
    if v == 0 { return "0" }
    if abs(v) >= 1e5 || abs(v) < 1e-3 { return String(format: "%.1e", v) }
    let s = String(format: "%.6g", v)
    return s
  }

  static func escape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;")
  }

  /// The figure as an SVG document.
  public func svg() -> String {
    let m = margins
    let xr = xRange ?? dataRange(x: true)
    let yr =
      yRange
      ?? {
        let data = dataRange(x: false)
        let low = yIncludesZero ? min(0, data.lowerBound) : data.lowerBound
        let pad = 0.05 * (data.upperBound - low)
        return (yIncludesZero && low == 0 ? 0 : low - pad)...(data.upperBound + pad)
      }()
    let plotW = width - m.left - m.right
    let plotH = height - m.top - m.bottom
    func px(_ x: Double) -> Double { m.left + (x - xr.lowerBound) / (xr.upperBound - xr.lowerBound) * plotW }
    func py(_ y: Double) -> Double { m.top + plotH - (y - yr.lowerBound) / (yr.upperBound - yr.lowerBound) * plotH }
    func f(_ v: Double) -> String { String(format: "%.2f", v) }
    var out = """
      <?xml version="1.0" encoding="UTF-8"?>
      <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
      viewBox="0 0 \(Int(width)) \(Int(height))" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">
      <rect width="100%" height="100%" fill="white"/>
      <text x="\(f(m.left))" y="26" font-size="17" font-weight="bold">\(Self.escape(title))</text>
      <text x="\(f(m.left))" y="46" font-size="12" fill="#555">\(Self.escape(subtitle))</text>
      <defs><clipPath id="plot"><rect x="\(f(m.left))" y="\(f(m.top))" width="\(f(plotW))" height="\(f(plotH))"/></clipPath></defs>

      """
    // Grid and ticks.
    for t in Self.ticks(xr) {
      out +=
        "<line x1=\"\(f(px(t)))\" y1=\"\(f(m.top))\" x2=\"\(f(px(t)))\" y2=\"\(f(m.top + plotH))\" stroke=\"#eee\"/>\n"
      out +=
        "<text x=\"\(f(px(t)))\" y=\"\(f(m.top + plotH + 18))\" font-size=\"12\" text-anchor=\"middle\">\(Self.label(t))</text>\n"
    }
    for t in Self.ticks(yr) {
      out +=
        "<line x1=\"\(f(m.left))\" y1=\"\(f(py(t)))\" x2=\"\(f(m.left + plotW))\" y2=\"\(f(py(t)))\" stroke=\"#eee\"/>\n"
      out +=
        "<text x=\"\(f(m.left - 8))\" y=\"\(f(py(t) + 4))\" font-size=\"12\" text-anchor=\"end\">\(Self.label(t))</text>\n"
    }
    out += "<g clip-path=\"url(#plot)\">\n"
    for (mark, _) in marks {
      switch mark {
      case .points(let xs, let ys, let color, let size):
        out += "<g fill=\"\(color)\">"
        for (x, y) in zip(xs, ys) where x.isFinite && y.isFinite {
          out +=
            "<rect x=\"\(f(px(x) - size / 2))\" y=\"\(f(py(y) - size / 2))\" width=\"\(f(size))\" height=\"\(f(size))\"/>"
        }
        out += "</g>\n"
      case .line(let xs, let ys, let color, let width):
        let points = zip(xs, ys).filter { $0.0.isFinite && $0.1.isFinite }.map { "\(f(px($0.0))),\(f(py($0.1)))" }
        out +=
          "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(f(width))\" points=\"\(points.joined(separator: " "))\"/>\n"
      case .band(let xs, let lo, let hi, let color):
        let upper = zip(xs, hi).map { "\(f(px($0.0))),\(f(py($0.1)))" }
        let lower = zip(xs, lo).reversed().map { "\(f(px($0.0))),\(f(py($0.1)))" }
        out +=
          "<polygon fill=\"\(color)\" fill-opacity=\"0.25\" stroke=\"none\" points=\"\((upper + lower).joined(separator: " "))\"/>\n"
      case .bars(let edges, let heights, let color):
        out += "<g fill=\"\(color)\" stroke=\"white\" stroke-width=\"0.5\">"
        for (k, h) in heights.enumerated() where k + 1 < edges.count && h.isFinite {
          let x0 = px(edges[k])
          let x1 = px(edges[k + 1])
          let top = py(max(h, yr.lowerBound))
          let base = py(max(0, yr.lowerBound))
          out +=
            "<rect x=\"\(f(x0))\" y=\"\(f(min(top, base)))\" width=\"\(f(max(x1 - x0, 0.5)))\" height=\"\(f(abs(base - top)))\"/>"
        }
        out += "</g>\n"
      }
    }
    out += "</g>\n"
    // Axes box and labels.
    out +=
      "<rect x=\"\(f(m.left))\" y=\"\(f(m.top))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\" fill=\"none\" stroke=\"#333\"/>\n"
    out +=
      "<text x=\"\(f(m.left + plotW / 2))\" y=\"\(f(height - 14))\" font-size=\"14\" text-anchor=\"middle\">\(Self.escape(xLabel))</text>\n"
    out +=
      "<text transform=\"translate(20 \(f(m.top + plotH / 2))) rotate(-90)\" font-size=\"14\" text-anchor=\"middle\">\(Self.escape(yLabel))</text>\n"
    // Legend, top right inside the plot.
    let entries = marks.compactMap { entry -> (String, String)? in
      guard let label = entry.label else { return nil }
      switch entry.mark {
      case .points(_, _, let c, _), .line(_, _, let c, _), .band(_, _, _, let c), .bars(_, _, let c): return (label, c)
      }
    }
    if !entries.isEmpty {
      let boxW = 24 + 7.5 * Double(entries.map(\.0.count).max()!)
      let x0 = m.left + plotW - boxW - 8
      out +=
        "<rect x=\"\(f(x0))\" y=\"\(f(m.top + 8))\" width=\"\(f(boxW))\" height=\"\(f(Double(entries.count) * 18 + 8))\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#ccc\"/>\n"
      for (k, (label, color)) in entries.enumerated() {
        let y = m.top + 22 + Double(k) * 18
        out += "<rect x=\"\(f(x0 + 6))\" y=\"\(f(y - 9))\" width=\"12\" height=\"10\" fill=\"\(color)\"/>"
        out += "<text x=\"\(f(x0 + 22))\" y=\"\(f(y))\" font-size=\"12\">\(Self.escape(label))</text>\n"
      }
    }
    out += "</svg>\n"
    return out
  }
}
