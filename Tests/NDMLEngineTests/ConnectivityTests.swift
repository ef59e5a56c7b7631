import NDMLModel
import XCTest

@testable import NDMLEngine

/// Connectivity rules against their definitions: counts, distinctness, autapses, determinism.
final class ConnectivityTests: XCTestCase {
  private func rows(
    _ c: Connectivity, source: Int = 500, target: Int = 400, same: Bool = false, autapses: Bool = false,
    targets: Range<Int>? = nil
  ) -> SynapseRows {
    let p = Projection(
      name: "p", source: "a", target: same ? "a" : "b", connectivity: c,
      weight: .normal(mean: 1, standardDeviation: 2, clipAtZero: true),
      delayMs: .uniform(low: 0.1, high: 3), receptor: .excitatory, allowAutapses: autapses)
    return ConnectivityBuilder(
      projection: p, sourceSize: source, targetSize: same ? source : target, dtMs: 0.1, seed: 3
    ).build(targets: targets)
  }

  /// A build restricted to a range of targets (one MPI rank's) gives exactly the whole build's
  /// synapses onto that range: the same rows, targets, weights and delays, in the same order.
  func testBuildOfTargetRangeIsTheWholeBuildsPart() {
    let list = (0..<300).map { ExplicitSynapse(source: ($0 * 7) % 50, target: ($0 * 13) % 40, weight: Double($0)) }
    // (rule, same population, autapses)
    let rules: [(Connectivity, Bool, Bool)] = [
      (.fixedProbability(0.1), false, false), (.fixedProbability(0.1), true, false), (.fixedInDegree(9), true, false),
      (.fixedInDegree(9), false, false), (.allToAll, true, false), (.oneToOne, true, true),
      (.explicit(list), false, false),
    ]
    for (rule, same, autapses) in rules {
      let whole = rows(rule, source: 50, target: 40, same: same, autapses: autapses)
      for range in [0..<0, 0..<16, 16..<40, 5..<6, 40..<40, 30..<90] {
        let part = rows(rule, source: 50, target: 40, same: same, autapses: autapses, targets: range)
        XCTAssertEqual(part.offsets.count, whole.offsets.count, "\(rule) \(range): a row per source")
        for s in 0..<whole.offsets.count - 1 {
          let kept = (whole.offsets[s]..<whole.offsets[s + 1]).filter { range.contains(Int(whole.targets[$0])) }
          let mine = part.offsets[s]..<part.offsets[s + 1]
          XCTAssertEqual(Array(part.targets[mine]), kept.map { whole.targets[$0] }, "\(rule) \(range) row \(s)")
          XCTAssertEqual(Array(part.weights[mine]), kept.map { whole.weights[$0] }, "\(rule) \(range) row \(s)")
          XCTAssertEqual(Array(part.delaySteps[mine]), kept.map { whole.delaySteps[$0] }, "\(rule) \(range) row \(s)")
        }
      }
    }
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
