import NDMLModel
import XCTest

@testable import NDMLEngine

/// Connectivity rules against their definitions: counts, distinctness, autapses, determinism.
final class ConnectivityTests: XCTestCase {
  private func rows(_ c: Connectivity, source: Int = 500, target: Int = 400, same: Bool = false, autapses: Bool = false)
    -> SynapseRows
  {
    let p = Projection(
      name: "p", source: "a", target: same ? "a" : "b", connectivity: c,
      weight: .normal(mean: 1, standardDeviation: 2, clipAtZero: true),
      delayMs: .uniform(low: 0.1, high: 3), receptor: .excitatory, allowAutapses: autapses)
    return ConnectivityBuilder(
      projection: p, sourceSize: source, targetSize: same ? source : target, dtMs: 0.1, seed: 3
    ).build()
  }

  /// The number of synapses of fixed_probability is Binomial(N·M, p): within 5 standard deviations.
  func testFixedProbabilityCountIsBinomial() {
    let p = 0.05
    let r = rows(.fixedProbability(p))
    let pairs = 500.0 * 400
    XCTAssertEqual(Double(r.targets.count), pairs * p, accuracy: 5 * (pairs * p * (1 - p)).squareRoot())
    for s in 0..<500 {
      let row = r.targets[r.offsets[s]..<r.offsets[s + 1]]
      XCTAssertEqual(Array(row), row.sorted(), "row \(s) sorted by target")
      XCTAssertEqual(Set(row).count, row.count, "row \(s) has no duplicate")
    }
  }

  /// fixed_in_degree gives every target exactly k distinct sources and no autapse.
  func testFixedInDegreeIsExactAndDistinct() {
    let k = 37
    let r = rows(.fixedInDegree(k), same: true)
    var sourcesOf = [[Int]](repeating: [], count: 500)
    for s in 0..<500 {
      for j in r.offsets[s]..<r.offsets[s + 1] { sourcesOf[Int(r.targets[j])].append(s) }
    }
    for (t, sources) in sourcesOf.enumerated() {
      XCTAssertEqual(sources.count, k, "in-degree of \(t)")
      XCTAssertEqual(Set(sources).count, k, "distinct sources of \(t)")
      XCTAssertFalse(sources.contains(t), "no autapse at \(t)")
    }
  }

  /// Weights drawn from a normal clipped at zero keep the sign; delays are whole steps ≥ 1.
  func testWeightsKeepSignAndDelaysAreWholeSteps() {
    let r = rows(.allToAll, source: 50, target: 40)
    XCTAssertEqual(r.targets.count, 2000)
    XCTAssert(r.weights.allSatisfy { $0 >= 0 })
    XCTAssert(r.weights.contains(0), "some draws were clipped")
    XCTAssert(r.delaySteps.allSatisfy { $0 >= 1 && $0 <= 30 })
  }

  /// one_to_one without autapses on the same population gives nothing; with autapses, the diagonal.
  func testOneToOneAndAutapses() {
    XCTAssertEqual(rows(.oneToOne, same: true).targets.count, 0)
    let r = rows(.oneToOne, same: true, autapses: true)
    XCTAssertEqual(r.targets.map(Int.init), Array(0..<500))
  }

  /// The network is a function of seed and config: building twice gives identical arrays.
  func testBuildIsDeterministic() {
    let a = rows(.fixedProbability(0.1))
    let b = rows(.fixedProbability(0.1))
    XCTAssertEqual(a.targets, b.targets)
    XCTAssertEqual(a.weights, b.weights)
    XCTAssertEqual(a.delaySteps, b.delaySteps)
  }
}
