import Foundation

/// The processes of a distributed run (MPI ranks, `mpirun -np K ndml run`) as the engine sees
/// them: who this process is and the three collectives the step loop needs.
///
/// Rank `r` of `K` steps its own contiguous slice of every population (the threads of all ranks
/// together partition the network exactly as `K × T` threads of one process would), builds and
/// stores only the synapses onto those neurons (about 1/K of them; the connectivity's random draws
/// are keyed, so they are exactly those of the whole network), all-gathers the spike ids of every
/// minimum-delay interval so that every rank's spike history holds all spikes before any rank
/// reads them, and delivers them along its synapses. Results are therefore bit-identical for every
/// rank and thread count (docs/scaling.md). The `ndml` executable implements this protocol with
/// MPI; the engine itself does not link MPI.
public protocol RankCommunicator: AnyObject, Sendable {
  /// This process's rank, `0..<rankCount`.
  var rank: Int { get }
  /// Number of ranks.
  var rankCount: Int { get }
  /// Every rank sends `count` words; `receive` gets `rankCount × count` words in rank order.
  func allGather(_ send: UnsafePointer<Int32>, count: Int, into receive: UnsafeMutablePointer<Int32>) throws
  /// Every rank sends `count` words; `receive` gets `counts[r]` words of rank `r` at
  /// `displacements[r]`.
  func allGather(
    _ send: UnsafePointer<Int32>, count: Int, into receive: UnsafeMutablePointer<Int32>,
    counts: UnsafePointer<Int32>, displacements: UnsafePointer<Int32>) throws
  /// The element-wise sums of `values` over all ranks.
  func sum(_ values: [Int]) throws -> [Int]
  /// Every rank sends `count` words; on rank 0 `receive` gets `counts[r]` words of rank `r` at
  /// `displacements[r]` (the other ranks pass nothing and receive nothing). By default an
  /// all-gather; MPI gathers to rank 0 only.
  func gatherToFirst(
    _ send: UnsafePointer<Int32>, count: Int, into receive: UnsafeMutablePointer<Int32>?,
    counts: UnsafePointer<Int32>, displacements: UnsafePointer<Int32>) throws
}

extension RankCommunicator {
  public func gatherToFirst(
    _ send: UnsafePointer<Int32>, count: Int, into receive: UnsafeMutablePointer<Int32>?,
    counts: UnsafePointer<Int32>, displacements: UnsafePointer<Int32>
  ) throws {
    let total = (0..<rankCount).reduce(0) { max($0, Int(displacements[$1]) + Int(counts[$1])) }
    let all = receive ?? .allocate(capacity: max(total, 1))
    defer { if receive == nil { all.deallocate() } }
    try allGather(send, count: count, into: all, counts: counts, displacements: displacements)
  }

  /// Every rank's `bytes` (any length) on rank 0, in rank order; nil on the other ranks. For
  /// checkpoints: each rank's state goes to the one that writes the file.
  func gatheredToFirst(_ bytes: [UInt8]) throws -> [[UInt8]]? {
    let lengths = try allGathered([Int32(clamping: bytes.count)]).map(Int.init)
    guard lengths.allSatisfy({ $0 < Int(Int32.max) }) else {
      throw DistributedRunError.communication(
        operation: "gathering the checkpoint", message: "one rank's state exceeds 2 GiB")
    }
    let words = lengths.map { ($0 + 3) / 4 }
    var displacements = [Int32](repeating: 0, count: rankCount)
    for q in 1..<max(rankCount, 1) { displacements[q] = displacements[q - 1] + Int32(words[q - 1]) }
    guard words.reduce(0, +) < Int(Int32.max) else {
      throw DistributedRunError.communication(
        operation: "gathering the checkpoint", message: "the ranks' states exceed 8 GiB together")
    }
    var send = [Int32](repeating: 0, count: max(words[rank], 1))
    send.withUnsafeMutableBytes { to in bytes.withUnsafeBytes { to.copyMemory(from: $0) } }
    let counts = words.map(Int32.init)
    var receive = [Int32](repeating: 0, count: rank == 0 ? max(words.reduce(0, +), 1) : 0)
    try send.withUnsafeBufferPointer { s in
      try receive.withUnsafeMutableBufferPointer { r in
        try gatherToFirst(
          s.baseAddress!, count: words[rank], into: rank == 0 ? r.baseAddress! : nil, counts: counts,
          displacements: displacements)
      }
    }
    guard rank == 0 else { return nil }
    return receive.withUnsafeBytes { raw in
      (0..<rankCount).map { q in Array(raw[(4 * Int(displacements[q]))..<(4 * Int(displacements[q]) + lengths[q])]) }
    }
  }

  /// Every rank's `values` (the same count on each), concatenated in rank order.
  func allGathered(_ values: [Int32]) throws -> [Int32] {
    var all = [Int32](repeating: 0, count: values.count * rankCount)
    try values.withUnsafeBufferPointer { send in
      try all.withUnsafeMutableBufferPointer {
        try allGather(send.baseAddress!, count: values.count, into: $0.baseAddress!)
      }
    }
    return all
  }
}

/// The synapses each rank of a distributed run holds — those onto the neurons it steps — in rank
/// order: counts and bytes (as ``Simulation/synapseBytes`` counts them), and the plastic ones'
/// totals over all ranks.
struct RankSynapses: Equatable {
  var counts: [Int]
  var bytes: [Int]
  var plasticCount: Int
  var plasticBytes: Int
}

/// Why a distributed run cannot run or stopped; each message names the rank or the config key.
public enum DistributedRunError: Error, CustomStringConvertible, Equatable {
  /// The config uses something that is not split across ranks yet.
  case unsupported(keyPath: String, reason: String)
  /// Another rank stopped the run at `timeMs` (its own log has the reason).
  case peerStopped(rank: Int, timeMs: Double)
  /// Another rank found a numerical fault in the step ending at `timeMs` (its log names the neuron).
  case peerFault(rank: Int, timeMs: Double)
  /// An MPI call failed (e.g. a rank died).
  case communication(operation: String, message: String)

  /// The message as printed.
  public var description: String {
    switch self {
    case .unsupported(let key, let reason):
      return "\(key): \(reason); this is not split across MPI ranks yet — run it without mpirun "
        + "(threads give the same results), or remove it (docs/scaling.md lists what runs on ranks)"
    case .peerStopped(let rank, let t):
      return "rank \(rank) stopped the run at t = \(String(format: "%.10g", t)) ms (its own message says why); "
        + "the data recorded up to there is kept"
    case .peerFault(let rank, let t):
      return
        "rank \(rank) found a numerical fault in the step ending at t = \(String(format: "%.10g", t)) ms (its own message names "
        + "the neuron); the run was stopped there and the data recorded before is kept"
    case .communication(let operation, let message):
      return "\(operation) failed: \(message) (did a rank die? mpirun's message names it)"
    }
  }
}

/// The spike exchange of a distributed run (see ``RankCommunicator``): the ranks' spikes of the
/// steps since the last exchange, per step, population and part, gathered into every rank's spike
/// histories.
///
/// As in NEST, the ranks exchange once per interval of ``Simulation`` steps that the shortest
/// delay between ranks allows (a spike stamped in the interval is read by no other rank before its
/// end), not every step: a fixed all-gather of headers (the step of the rank's first numerical
/// fault or −1, then per step and population the count of each of the rank's parts), then a
/// variable all-gather of the spike ids. Buffers grow geometrically and are reused, so
/// steady-state exchanges allocate nothing.
final class RankExchange {
  let communicator: any RankCommunicator
  private let rank: Int
  private let ranks: Int
  private let threads: Int
  private let histories: [SpikeHistoryView]
  /// Per population: added to the step to give the stamp of its spikes (1 neurons, 0 sources).
  private let stampOffsets: [Int]
  /// Header words per step: one count per population and part of a rank.
  private let wordsPerStep: Int
  /// The most steps one exchange carries.
  let maximumSteps: Int
  private let header: UnsafeMutablePointer<Int32>
  private let headers: UnsafeMutablePointer<Int32>
  private let counts: UnsafeMutablePointer<Int32>
  private let displacements: UnsafeMutablePointer<Int32>
  private var send: UnsafeMutablePointer<Int32>
  private var sendCapacity = 1024
  private var receive: UnsafeMutablePointer<Int32>
  private var receiveCapacity = 1024
  /// Spike ids this rank sent and received, for the run summary's communication volume.
  private(set) var sentSpikes = 0
  private(set) var receivedSpikes = 0
  /// Number of spike exchanges (collective pairs) so far.
  private(set) var exchanges = 0

  init(
    communicator: any RankCommunicator, threads: Int, histories: [SpikeHistoryView], stampOffsets: [Int],
    maximumSteps: Int
  ) {
    self.communicator = communicator
    rank = communicator.rank
    ranks = communicator.rankCount
    self.threads = threads
    self.histories = histories
    self.stampOffsets = stampOffsets
    self.maximumSteps = max(1, maximumSteps)
    wordsPerStep = histories.count * threads
    let headerCapacity = 1 + self.maximumSteps * wordsPerStep
    header = .allocate(capacity: headerCapacity)
    headers = .allocate(capacity: headerCapacity * ranks)
    counts = .allocate(capacity: ranks)
    displacements = .allocate(capacity: ranks)
    send = .allocate(capacity: sendCapacity)
    receive = .allocate(capacity: receiveCapacity)
  }

  deinit {
    for p in [header, headers, counts, displacements, send, receive] { p.deallocate() }
  }

  /// Sends this rank's spikes of `steps` (at most ``maximumSteps``; every rank passes the same)
  /// and stores every other rank's in the histories. `faultStep` is the step of this rank's first
  /// numerical fault among `steps`, if any; returns the earliest fault step of all ranks and the
  /// lowest rank that found a fault in it, or nil.
  func exchange(steps: ClosedRange<Int>, faultStep: Int?) throws -> (rank: Int, step: Int)? {
    precondition(steps.count <= maximumSteps, "an exchange carries at most \(maximumSteps) steps")
    let headerCount = 1 + steps.count * wordsPerStep
    header[0] = Int32(clamping: faultStep ?? -1)
    var total = 0
    for (k, n) in steps.enumerated() {
      for (p, history) in histories.enumerated() {
        for i in 0..<threads {
          var count = 0
          history.withSpikes(stamp: n + stampOffsets[p], part: rank * threads + i) { indices, c in
            if total + c > sendCapacity {
              sendCapacity = 2 * (total + c)
              let grown = UnsafeMutablePointer<Int32>.allocate(capacity: sendCapacity)
              grown.update(from: send, count: total)
              send.deallocate()
              send = grown
            }
            (send + total).update(from: indices, count: c)
            count = c
          }
          header[1 + k * wordsPerStep + p * threads + i] = Int32(count)
          total += count
        }
      }
    }
    sentSpikes += total
    exchanges += 1
    try communicator.allGather(header, count: headerCount, into: headers)
    var all = 0
    for q in 0..<ranks {
      var c = 0
      for k in 1..<headerCount { c += Int(headers[q * headerCount + k]) }
      counts[q] = Int32(c)
      displacements[q] = Int32(all)
      all += c
    }
    if all > receiveCapacity {
      receive.deallocate()
      receiveCapacity = 2 * all
      receive = .allocate(capacity: receiveCapacity)
    }
    try communicator.allGather(send, count: total, into: receive, counts: counts, displacements: displacements)
    receivedSpikes += all - total
    var fault: (rank: Int, step: Int)?
    for q in 0..<ranks {
      let step = Int(headers[q * headerCount])
      if step >= 0 && step < (fault?.step ?? .max) { fault = (q, step) }
      guard q != rank else { continue }
      var offset = Int(displacements[q])
      for (k, n) in steps.enumerated() {
        for (p, history) in histories.enumerated() {
          for i in 0..<threads {
            let c = Int(headers[q * headerCount + 1 + k * wordsPerStep + p * threads + i])
            history.store(receive + offset, count: c, stamp: n + stampOffsets[p], part: q * threads + i)
            offset += c
          }
        }
      }
    }
    return fault
  }

  /// Every rank's `code` (0: carry on); returns the lowest rank with a non-zero code and that
  /// code, or nil. Called at the same steps on every rank (the steps with serial work).
  func agree(code: Int32) throws -> (rank: Int, code: Int32)? {
    header[0] = code
    try communicator.allGather(header, count: 1, into: headers)
    for q in 0..<ranks where headers[q] != 0 { return (q, headers[q]) }
    return nil
  }
}
