import Foundation
import NDMLModel

/// Builds the synapses of a projection from its connectivity rule.
///
/// Every random choice is keyed, not sequential: the existence of a candidate synapse uses the
/// stream `connect/<projection>` at counter (source, draw), a fixed in-degree draw the same stream at
/// (target, draw), a weight `weight/<projection>` and a delay `delay/<projection>` at counter
/// (source, target) — or (list index, 0) for explicit lists. The network is therefore a function of
/// the seed and the config alone, and a build restricted to a range of targets
/// (``build(targets:)``) gives exactly that range's synapses of the whole build.
struct ConnectivityBuilder {
  let projection: Projection
  let sourceSize: Int
  let targetSize: Int
  let dtMs: Double
  let seed: UInt64

  /// Builds the rows: every synapse, or only those onto `targets` (the same synapses, weights,
  /// delays and row order as in the whole build; row offsets still cover every source).
  /// `fixed_probability` walks every row's draws to find them; the other rules draw only the
  /// range's.
  func build(targets: Range<Int>? = nil) -> SynapseRows {
    let own = (targets ?? 0..<targetSize).clamped(to: 0..<targetSize)
    let excludeSelf = projection.source == projection.target && !projection.allowAutapses
    var rows = SynapseRows(offsets: [0])
    rows.offsets.reserveCapacity(sourceSize + 1)
    let weightStream = RandomStream(seed: seed, purpose: "weight/\(projection.name)")
    let delayStream = RandomStream(seed: seed, purpose: "delay/\(projection.name)")
    func add(_ s: Int, _ t: Int, weight: Double? = nil, delayMs: Double? = nil, key: (UInt64, UInt64)) {
      rows.targets.append(UInt32(t))
      rows.weights.append(weight ?? weightStream.sample(projection.weight, key.0, key.1))
      let d = delayMs ?? delayStream.sample(projection.delayMs, key.0, key.1)
      let steps = min(max(1, Int((d / dtMs).rounded())), Int(UInt16.max))
      rows.delaySteps.append(UInt16(steps))
    }
    switch projection.connectivity {
    case .allToAll:
      for s in 0..<sourceSize {
        for t in own where !(excludeSelf && s == t) {
          add(s, t, key: (UInt64(s), UInt64(t)))
        }
        rows.offsets.append(rows.targets.count)
      }
    case .oneToOne:
      for s in 0..<sourceSize {
        if !excludeSelf && own.contains(s) { add(s, s, key: (UInt64(s), UInt64(s))) }
        rows.offsets.append(rows.targets.count)
      }
    case .fixedProbability(let p):
      let stream = RandomStream(seed: seed, purpose: "connect/\(projection.name)")
      let logNotP = log1p(-p)
      for s in 0..<sourceSize {
        if p > 0 {
          // Geometric skipping: the gap to the next connected target is Geometric(p).
          var t = -1
          var draw: UInt64 = 0
          while true {
            let u = stream.uniform(UInt64(s), draw)
            draw += 1
            let gap = p >= 1 ? 0 : Int(min((log(u) / logNotP).rounded(.down), Double(targetSize)))
            t += gap + 1
            if t >= own.upperBound { break }  // later draws of the row land beyond `own`
            if (excludeSelf && t == s) || !own.contains(t) { continue }
            add(s, t, key: (UInt64(s), UInt64(t)))
          }
        }
        rows.offsets.append(rows.targets.count)
      }
    case .fixedInDegree(let k):
      let stream = RandomStream(seed: seed, purpose: "connect/\(projection.name)")
      // Only the targets of `own` draw; `sourcesOf` holds theirs from `own.lowerBound`.
      var sourcesOf = [UInt32](repeating: 0, count: k * own.count)
      let available = sourceSize - (excludeSelf ? 1 : 0)
      var chosen = Set<Int>()
      for t in own {
        // Floyd's algorithm: k distinct values of 0..<available in k draws.
        chosen.removeAll(keepingCapacity: true)
        for (draw, j) in ((available - k)..<available).enumerated() {
          let r = Int(stream.uniform(UInt64(t), UInt64(draw)) * Double(j + 1)) % (j + 1)
          chosen.insert(chosen.contains(r) ? j : r)
        }
        for (slot, c) in chosen.sorted().enumerated() {
          // Skip over the target itself when autapses are excluded.
          sourcesOf[(t - own.lowerBound) * k + slot] = UInt32(excludeSelf && c >= t ? c + 1 : c)
        }
      }
      var counts = [Int](repeating: 0, count: sourceSize + 1)
      for s in sourcesOf { counts[Int(s) + 1] += 1 }
      for s in 0..<sourceSize { counts[s + 1] += counts[s] }
      var fill = Array(counts.dropLast())
      var targetOf = [UInt32](repeating: 0, count: sourcesOf.count)
      for t in own {
        for slot in 0..<k {
          let s = Int(sourcesOf[(t - own.lowerBound) * k + slot])
          targetOf[fill[s]] = UInt32(t)
          fill[s] += 1
        }
      }
      for s in 0..<sourceSize {
        for j in counts[s]..<counts[s + 1] {
          add(s, Int(targetOf[j]), key: (UInt64(s), UInt64(targetOf[j])))
        }
        rows.offsets.append(rows.targets.count)
      }
    case .explicit(let list):
      let order = list.indices.sorted {
        (list[$0].source, list[$0].target, $0) < (list[$1].source, list[$1].target, $1)
      }
      var next = 0
      for s in 0..<sourceSize {
        while next < order.count && list[order[next]].source == s {
          let syn = list[order[next]]
          if own.contains(syn.target) {
            add(s, syn.target, weight: syn.weight, delayMs: syn.delayMs, key: (UInt64(order[next]), 0))
          }
          next += 1
        }
        rows.offsets.append(rows.targets.count)
      }
    }
    return rows
  }
}
