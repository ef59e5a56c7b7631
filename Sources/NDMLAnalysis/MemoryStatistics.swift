import Foundation

/// The memory lifecycle of one projection as read from `/memory/<projection>`.
public struct MemorySeries: Sendable {
  /// The projection.
  public var projection: String
  /// Per trace its storage time in ms (NaN if never stored).
  public var storedMs: [Double]
  /// Evaluation times in ms.
  public var snrTimesMs: [Double]
  /// The weight SNR, evaluations × traces, row-major.
  public var weightSNR: [Double]
  /// Weight SNR below which a trace counts as forgotten.
  public var snrForgotten: Double
  /// Per recall probe: its time in ms.
  public var recallTimeMs: [Double] = []
  /// Per recall probe: the index of its recall time (`recall.times_ms`).
  public var recallRounds: [Int] = []
  /// Per recall probe: the trace's age in ms.
  public var recallAgeMs: [Double]
  /// Per recall probe: the fraction of the stored pattern evoked.
  public var recallCompletion: [Double]
  /// Per recall probe: the fraction of the other target neurons evoked.
  public var recallSpurious: [Double]
  /// Per recall probe: completion − spurious.
  public var recallScore: [Double]
  /// Per transition (time order): the trace.
  public var transitionTraces: [Int]
  /// Per transition: the state entered.
  public var transitionStates: [String]

  /// Creates a series from the file's datasets.
  public init(
    projection: String, storedMs: [Double], snrTimesMs: [Double], weightSNR: [Double], snrForgotten: Double,
    recallAgeMs: [Double], recallCompletion: [Double], recallSpurious: [Double], recallScore: [Double],
    transitionTraces: [Int], transitionStates: [String]
  ) {
    self.projection = projection
    self.storedMs = storedMs
    self.snrTimesMs = snrTimesMs
    self.weightSNR = weightSNR
    self.snrForgotten = snrForgotten
    self.recallAgeMs = recallAgeMs
    self.recallCompletion = recallCompletion
    self.recallSpurious = recallSpurious
    self.recallScore = recallScore
    self.transitionTraces = transitionTraces
    self.transitionStates = transitionStates
  }
}

/// Forgetting curve and recall of a ``MemorySeries`` by age: mean weight SNR over the traces of
/// each age bin, mean recall score, final states and the lifetime (the first bin whose mean SNR,
/// over at least 5 (evaluation, trace) pairs, is below `snr_forgotten`).
public struct MemorySummary: Sendable {
  /// The projection.
  public var projection: String
  /// Traces stored.
  public var storedTraces: Int
  /// Final state of each stored trace, counted.
  public var finalStates: [(state: String, count: Int)]
  /// Age bin edges in s.
  public var ageEdgesS: [Double]
  /// Per bin: mean weight SNR (NaN for none).
  public var meanSNR: [Double]
  /// Per bin: the number of (evaluation, trace) pairs.
  public var snrSamples: [Int]
  /// Per bin: mean recall score (NaN for none).
  public var meanScore: [Double]
  /// Per bin: mean completion (NaN for none).
  public var meanCompletion: [Double]
  /// Per bin: the number of probes.
  public var probes: [Int]
  /// The lower edge of the first bin whose mean SNR is below the threshold, in s; nil if none is.
  public var lifetimeS: Double?
  /// Each recall time: the first probe's time in ms, the mean score over the traces probed, and
  /// their number.
  public var recalls: [(timeMs: Double, meanScore: Double, probes: Int)] = []

  /// Default age bins in s: 1, 5, 15, 30 min, 1, 2, 4, 8, 24 h.
  public static let defaultAgeEdgesS: [Double] = [0, 60, 300, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400]

  /// Summarises `series` in the default bins (those beyond the oldest age dropped).
  ///
  /// ```swift
  /// let summary = MemorySummary(try reader.memory(of: "chain"))
  /// for (b, snr) in summary.meanSNR.enumerated() {
  ///   print(summary.ageEdgesS[b], summary.ageEdgesS[b + 1], snr, summary.meanScore[b])
  /// }
  /// ```
  public init(_ series: MemorySeries, edgesS: [Double] = MemorySummary.defaultAgeEdgesS) {
    projection = series.projection
    storedTraces = series.storedMs.filter(\.isFinite).count
    var last: [Int: String] = [:]
    for (trace, state) in zip(series.transitionTraces, series.transitionStates) { last[trace] = state }
    finalStates = Dictionary(grouping: last.values, by: { $0 }).map { ($0.key, $0.value.count) }.sorted { $0.0 < $1.0 }
    let k = series.storedMs.count
    var oldest = 0.0
    for (i, t) in series.snrTimesMs.enumerated() {
      for j in 0..<k where series.weightSNR[i * k + j].isFinite {
        oldest = max(oldest, (t - series.storedMs[j]) / 1000)
      }
    }
    oldest = max(oldest, (series.recallAgeMs.max() ?? 0) / 1000)
    var edges = edgesS.filter { $0 <= oldest }
    if edges.count < 2 { edges = [0, max(oldest, 1)] } else if edges.last! < oldest { edges.append(oldest) }
    ageEdgesS = edges
    let bins = edges.count - 1
    func bin(_ ageS: Double) -> Int? {
      guard ageS >= 0, ageS <= edges.last! else { return nil }
      return min(bins - 1, (edges.lastIndex { $0 <= ageS } ?? 0))
    }
    var snrSum = [Double](repeating: 0, count: bins)
    var snrCount = [Int](repeating: 0, count: bins)
    for (i, t) in series.snrTimesMs.enumerated() {
      for j in 0..<k {
        let v = series.weightSNR[i * k + j]
        guard v.isFinite, let b = bin((t - series.storedMs[j]) / 1000) else { continue }
        snrSum[b] += v
        snrCount[b] += 1
      }
    }
    meanSNR = zip(snrSum, snrCount).map { $1 > 0 ? $0 / Double($1) : .nan }
    snrSamples = snrCount
    var scoreSum = [Double](repeating: 0, count: bins)
    var completionSum = [Double](repeating: 0, count: bins)
    var count = [Int](repeating: 0, count: bins)
    for (p, age) in series.recallAgeMs.enumerated() {
      guard let b = bin(age / 1000), series.recallScore[p].isFinite else { continue }
      scoreSum[b] += series.recallScore[p]
      completionSum[b] += series.recallCompletion[p]
      count[b] += 1
    }
    meanScore = zip(scoreSum, count).map { $1 > 0 ? $0 / Double($1) : .nan }
    meanCompletion = zip(completionSum, count).map { $1 > 0 ? $0 / Double($1) : .nan }
    probes = count
    var byRound: [Int: (timeMs: Double, sum: Double, probes: Int)] = [:]
    for (p, round) in series.recallRounds.enumerated() where series.recallTimeMs.indices.contains(p) {
      var entry = byRound[round] ?? (series.recallTimeMs[p], 0, 0)
      if series.recallScore[p].isFinite {
        entry.sum += series.recallScore[p]
        entry.probes += 1
      }
      byRound[round] = entry
    }
    recalls = byRound.keys.sorted().map { r in
      let e = byRound[r]!
      return (e.timeMs, e.probes > 0 ? e.sum / Double(e.probes) : .nan, e.probes)
    }
    lifetimeS = (0..<bins).first { snrCount[$0] >= 5 && meanSNR[$0] < series.snrForgotten }.map { edges[$0] }
  }
}
