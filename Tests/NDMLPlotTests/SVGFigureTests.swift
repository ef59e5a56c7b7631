import Foundation
import XCTest

@testable import NDMLPlot

#if canImport(FoundationXML)
  import FoundationXML
#endif

final class SVGFigureTests: XCTestCase {
  /// Ticks step by 1, 2 or 5 × 10^k and cover the range.
  func testNiceTicks() {
    XCTAssertEqual(SVGFigure.ticks(0...1000), [0, 200, 400, 600, 800, 1000])
    XCTAssertEqual(SVGFigure.ticks(-70 ... -50), [-70, -65, -60, -55, -50])
    XCTAssertEqual(SVGFigure.ticks(0.1478...0.46), [0.2, 0.3, 0.4])
  }

  /// The document is well-formed XML with the labels escaped, and every mark is drawn.
  func testSVGIsWellFormed() throws {
    var figure = SVGFigure(title: "A < B & C", xLabel: "time (ms)", yLabel: "rate (Hz)")
    figure.add(.line(x: [0, 1, 2], y: [1, 3, 2], color: "#000", width: 1), label: "line")
    figure.add(.points(x: [0.5], y: [2], color: "#f00", size: 2))
    figure.add(.bars(edges: [0, 1, 2], heights: [1, 2], color: "#0f0"), label: "bars")
    figure.add(.band(x: [0, 2], low: [0, 1], high: [2, 3], color: "#00f"))
    let svg = figure.svg()
    XCTAssert(svg.contains("A &lt; B &amp; C"))
    XCTAssertNotNil(try XMLDocument(xmlString: svg))
    XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 1)
    XCTAssertEqual(svg.components(separatedBy: "<polygon").count - 1, 1)
  }
}
