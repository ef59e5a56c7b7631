import CMPI
import Foundation
import NDMLEngine

/// MPI_COMM_WORLD of a run started by `mpirun -np K ndml run` (Open MPI), as the engine's
/// ``RankCommunicator``.
///
/// MPI is initialised only when the process was started by mpirun (or srun with PMIx): plain
/// runs, the other commands and the Swift tests never call `MPI_Init`. Collectives return their
/// errors (`MPI_ERRORS_RETURN`) so that a rank can write its message before the job ends.
final class MPIWorld: RankCommunicator, @unchecked Sendable {
  let rank: Int
  let rankCount: Int
  /// Whether an MPI call failed (then ``finish()`` aborts the job instead of finalising: the
  /// other ranks may wait in a collective for ever).
  private var failed = false

  private init(rank: Int, rankCount: Int) {
    self.rank = rank
    self.rankCount = rankCount
  }

  /// Whether the environment says mpirun (or a PMIx launcher such as srun) started this process.
  static var isLaunched: Bool {
    let environment = ProcessInfo.processInfo.environment
    return environment["OMPI_COMM_WORLD_SIZE"] != nil || environment["PMIX_RANK"] != nil
  }

  /// Initialises MPI when launched by mpirun; nil otherwise.
  static func startIfLaunched() throws -> MPIWorld? {
    guard isLaunched else { return nil }
    let code = ndml_mpi_init()
    guard code == 0 else {
      throw DistributedRunError.communication(operation: "MPI_Init", message: "error code \(code)")
    }
    return MPIWorld(rank: Int(ndml_mpi_rank()), rankCount: Int(ndml_mpi_size()))
  }

  /// Finalises MPI (aborts the job after a failed MPI call); call once, last.
  func finish() {
    if failed {
      ndml_mpi_abort(1)
    } else {
      _ = ndml_mpi_finalize()
    }
  }

  func allGather(_ send: UnsafePointer<Int32>, count: Int, into receive: UnsafeMutablePointer<Int32>) throws {
    try check(ndml_mpi_allgather_int32(send, Int32(count), receive), "MPI_Allgather")
  }

  func allGather(
    _ send: UnsafePointer<Int32>, count: Int, into receive: UnsafeMutablePointer<Int32>,
    counts: UnsafePointer<Int32>, displacements: UnsafePointer<Int32>
  ) throws {
    try check(ndml_mpi_allgatherv_int32(send, Int32(count), receive, counts, displacements), "MPI_Allgatherv")
  }

  func gatherToFirst(
    _ send: UnsafePointer<Int32>, count: Int, into receive: UnsafeMutablePointer<Int32>?,
    counts: UnsafePointer<Int32>, displacements: UnsafePointer<Int32>
  ) throws {
    try check(ndml_mpi_gatherv_int32(send, Int32(count), receive, counts, displacements), "MPI_Gatherv")
  }

  func sum(_ values: [Int]) throws -> [Int] {
    let send = values.map(Int64.init)
    var receive = [Int64](repeating: 0, count: values.count)
    try check(ndml_mpi_allreduce_sum_int64(send, &receive, Int32(values.count)), "MPI_Allreduce")
    return receive.map { Int($0) }
  }

  /// Whether every rank is ready (`ready` here): the lowest rank that is not, or nil. Every rank
  /// must call it at the same point, so that none waits in the run for one that gave up.
  func firstRankNotReady(_ ready: Bool) throws -> Int? {
    var flag: Int32 = ready ? 0 : 1
    var flags = [Int32](repeating: 0, count: rankCount)
    try flags.withUnsafeMutableBufferPointer { try allGather(&flag, count: 1, into: $0.baseAddress!) }
    return flags.firstIndex { $0 != 0 }
  }

  private func check(_ code: Int32, _ operation: String) throws {
    guard code != 0 else { return }
    failed = true
    let capacity = Int(ndml_mpi_max_error_string()) + 1
    var buffer = [CChar](repeating: 0, count: capacity)
    ndml_mpi_error_string(code, &buffer, Int32(capacity))
    throw DistributedRunError.communication(
      operation: "\(operation) on rank \(rank)",
      message: String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
  }
}
