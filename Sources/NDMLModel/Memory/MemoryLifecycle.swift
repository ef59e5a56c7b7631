import Foundation

/// The memory lifecycle of one plastic projection (`memory.<projection>`): which stored items are
/// tracked as memory traces, how their state is read from the synapses, and when they are recalled.
///
/// ## Traces
/// The projection's source is a `memory_patterns` population; item μ is presented at
/// `t_μ = start + μ·period`. For each tracked item the engine keeps the weights of the item's
/// source rows just before `t_μ` and compares them `storage_window_ms` later: the synapses that
/// changed are the trace's synapses S_μ, each with the sign σ_s of its change; the target neurons
/// whose summed change was positive are the trace's stored pattern P_μ (for BTSP: the neurons
/// with a plateau whose coin set their synapses on).
///
/// ## Signal-to-noise ratio (Benna & Fusi 2016; Fusi, Drew & Abbott 2005)
/// At every tick of `clock`, for each per-synapse variable x of the projection (the weight; with
/// a Benna–Fusi chain the hidden variables' capacitance-weighted mean; with `stc` the tag and the
/// late phase):
///
///     signal = mean_{s∈S_μ} σ_s (x_s − x̄),   noise = sd(x)/√|S_μ|,   SNR = signal/noise
///
/// with x̄ and sd(x) over all synapses of the projection — the ideal observer's SNR: for random
/// ongoing storage the SNR of a trace the synapses no longer remember is a unit normal.
///
/// ## States (recorded as transitions)
/// `stored` (at storage) → `tagged` (stc: SNR of the tags ≥ `snr_threshold`) → `consolidated`
/// (SNR of the slow variable — Benna–Fusi hidden variables, stc late phase — ≥ `snr_threshold`
/// and above the weight's) or `decaying` (weight SNR below half its value at storage, not
/// consolidated) → `forgotten` (weight SNR below `snr_forgotten`, final). A state is entered at
/// the first tick its condition holds; states a synapse model has no variable for are skipped.
///
/// ## Recall
/// At each recall time every trace stored before it is probed, one after another
/// `spacing_ms` apart: the item's cue (the item without ⌊|item|·mask_fraction⌋ of its neurons,
/// plus ⌊|item|·noise_fraction⌋ random non-members; the same cue for every probe of the item)
/// is presented by the source population, and the target neurons that spike within `window_ms`
/// form the evoked pattern E:
///
///     completion = |E ∩ P_μ|/|P_μ|,   spurious = |E \ P_μ|/(N − |P_μ|),   score = completion − spurious
///
/// (score 1: perfect completion; 0: chance). Probes are real presentations: a rule that learns
/// from them does. Their windows must not overlap an item's storage window.
///
/// `stc` advances synapses lazily: the tracker has it bring an item's rows up to date before the
/// copy and the comparison, ignores changes below 1e-3 mV (its own relaxation), and evaluates on
/// its ticks (the clock must be a multiple of the rule's).
public struct MemoryTracking: Sendable, Equatable {
  /// The plastic projection that stores the traces.
  public var projection: String
  /// The tracked items (indices into the source's `memory_patterns`), ascending.
  public var items: [Int]
  /// Time after an item's presentation by which its synapses have changed, in ms.
  public var storageWindowMs = 10.0
  /// When trace states are evaluated.
  public var clock = SlowClock.named("protein_synthesis")
  /// SNR above which a variable holds the trace (tagged, consolidated).
  public var snrThreshold = 3.0
  /// Weight SNR below which a trace is forgotten (Benna & Fusi: 1).
  public var snrForgotten = 1.0
  /// Recall probes; nil for none.
  public var recall: MemoryRecall?

  /// Creates a tracking of `items` of `projection`'s source.
  public init(projection: String, items: [Int]) {
    self.projection = projection
    self.items = items
  }

  /// Every broken rule of the block alone (keys relative to `memory.<projection>`).
  public func violations() -> [ParameterViolation] {
    var out = requirePositive([("storage_window_ms", storageWindowMs)])
    out += requireFinite([("snr_threshold", snrThreshold), ("snr_forgotten", snrForgotten)])
    if items.isEmpty {
      out.append(.init(key: "items", message: "tracks no item; list item indices or give every/count"))
    }
    if let bad = items.first(where: { $0 < 0 }) { out.append(.init(key: "items", message: "must be ≥ 0, got \(bad)")) }
    if Set(items).count != items.count { out.append(.init(key: "items", message: "lists an item twice")) }
    if let r = recall { out += r.violations().map { .init(key: "recall." + $0.key, message: $0.message) } }
    return out
  }
}

/// When and how the traces of a ``MemoryTracking`` are recalled (`memory.<projection>.recall`).
public struct MemoryRecall: Sendable, Equatable {
  /// Recall times in ms, ascending.
  public var timesMs: [Double]
  /// Time between two probes of one recall in ms.
  public var spacingMs = 10.0
  /// Time after a probe in which target spikes count as its response, in ms; nil for the spacing.
  public var windowMs: Double?
  /// Fraction of an item's neurons left out of its cue.
  public var maskFraction = 0.33
  /// Random non-members added to the cue, as a fraction of the item's size.
  public var noiseFraction = 0.0

  /// Creates probes at `timesMs`.
  public init(timesMs: [Double]) { self.timesMs = timesMs }

  /// The response window in ms.
  public var effectiveWindowMs: Double { windowMs ?? spacingMs }

  /// Every broken rule (keys relative to `recall`).
  public func violations() -> [ParameterViolation] {
    var out = requirePositive([("spacing_ms", spacingMs)])
    if let w = windowMs { out += requirePositive([("window_ms", w)]) }
    for (key, value) in [("mask_fraction", maskFraction), ("noise_fraction", noiseFraction)]
    where !(value >= 0 && value <= 1) {
      out.append(.init(key: key, message: "must be in [0, 1], got \(value)"))
    }
    if timesMs.isEmpty { out.append(.init(key: "times_ms", message: "gives no recall time")) }
    if timesMs.contains(where: { !$0.isFinite || $0 < 0 }) {
      out.append(.init(key: "times_ms", message: "must be finite and ≥ 0"))
    }
    if zip(timesMs, timesMs.dropFirst()).contains(where: { $0 >= $1 }) {
      out.append(.init(key: "times_ms", message: "must be ascending"))
    }
    return out
  }
}

/// The state of a memory trace (see ``MemoryTracking``).
public enum MemoryTraceState: String, Sendable, CaseIterable {
  /// Written by the plasticity rule.
  case stored
  /// Its synapses' tags hold it (`stc`).
  case tagged
  /// A slow variable holds it, more strongly than the weight.
  case consolidated
  /// Its weight SNR fell below half its value at storage, not consolidated.
  case decaying
  /// Its weight SNR fell below `snr_forgotten` (final).
  case forgotten
}

/// What the memory lifecycle of one projection produced (written to `/memory/<projection>`).
public struct MemoryReport: Sendable {
  /// The projection.
  public var projection: String
  /// Per trace: the tracked item.
  public var items: [Int] = []
  /// Per trace: its presentation time in ms (NaN if it was never stored).
  public var storedMs: [Double] = []
  /// Per trace: the synapses the item changed.
  public var synapseCounts: [Int] = []
  /// Per trace: how many of them increased.
  public var potentiatedCounts: [Int] = []
  /// Per trace: the stored pattern (target neurons whose summed change was positive).
  public var patterns: [[Int32]] = []
  /// The variables whose SNR is recorded (`weight`, `hidden`, `tag`, `late`).
  public var variables: [String] = []
  /// Evaluation times in ms.
  public var snrTimesMs: [Double] = []
  /// Per variable, per evaluation, per trace the SNR, row-major (NaN before storage).
  public var snr: [[Double]] = []
  /// Transition times in ms.
  public var transitionTimesMs: [Double] = []
  /// The trace of each transition.
  public var transitionTraces: [Int] = []
  /// The state each transition enters.
  public var transitionStates: [MemoryTraceState] = []
  /// Probe times in ms.
  public var recallTimesMs: [Double] = []
  /// The trace each probe recalls.
  public var recallTraces: [Int] = []
  /// The recall time (index into `recall.times_ms`) each probe belongs to.
  public var recallRounds: [Int] = []
  /// The number of neurons in each probe's cue.
  public var recallCueSizes: [Int] = []
  /// The number of target neurons each probe evoked.
  public var recallEvoked: [Int] = []
  /// Fraction of the stored pattern evoked.
  public var recallCompletion: [Double] = []
  /// Fraction of the other target neurons evoked.
  public var recallSpurious: [Double] = []
  /// `snr_threshold` of the tracking.
  public var snrThreshold = 3.0
  /// `snr_forgotten` of the tracking.
  public var snrForgotten = 1.0
  /// `storage_window_ms` of the tracking.
  public var storageWindowMs = 10.0
  /// Neurons in the target population.
  public var targetSize = 0

  /// An empty report for `projection`.
  public init(projection: String) { self.projection = projection }
}

extension MemoryTracking {
  /// Time of item `item`'s presentation in ms.
  public func presentationMs(_ item: Int, _ patterns: MemoryPatternParameters) -> Double {
    patterns.startMs + Double(item) * patterns.periodMs
  }

  /// Every recall probe in time order: its time (ms), the index of the probed trace (into
  /// ``items``) and of its recall time. At recall time T the traces stored by T are probed in item
  /// order, `spacing_ms` apart.
  public func probes(_ patterns: MemoryPatternParameters) -> [(timeMs: Double, trace: Int, round: Int)] {
    guard let recall else { return [] }
    var out: [(timeMs: Double, trace: Int, round: Int)] = []
    for (round, time) in recall.timesMs.enumerated() {
      let stored = items.indices.filter { presentationMs(items[$0], patterns) + storageWindowMs <= time }
      for (k, trace) in stored.enumerated() { out.append((time + Double(k) * recall.spacingMs, trace, round)) }
    }
    return out
  }
}
