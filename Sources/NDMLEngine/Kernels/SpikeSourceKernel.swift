import NDMLModel

/// CPU kernel of `spike_source` (definition: `NDMLModel/Inputs/SpikeSource.swift`): replays given
/// spike times, each rounded to the nearest step and stamped `t_n`.
final class SpikeSourceKernel<Scalar: EngineScalar>: SourceKernel {
  let size: Int
  /// (step, neuron) events sorted by step then neuron.
  private let events: [(step: Int, neuron: Int)]
  private var next = 0

  init(parameters p: SpikeSourceParameters, size: Int, dtMs: Double) {
    self.size = size
    var events: [(step: Int, neuron: Int)] = []
    for (neuron, times) in p.spikeTimesMs.enumerated() {
      for t in times { events.append((Int((t / dtMs).rounded()), neuron)) }
    }
    self.events = events.sorted { ($0.step, $0.neuron) < ($1.step, $1.neuron) }
  }

  @_specialize(where Scalar == Double)
  @_specialize(where Scalar == Float)
  func emit(_ n: Int, spikes: SpikeBuffer) {
    while next < events.count && events[next].step < n { next += 1 }
    while next < events.count && events[next].step == n {
      spikes.append(events[next].neuron)
      next += 1
    }
  }
}

extension SpikeSourceKernel {
  func saveState(to archive: inout StateArchiveWriter, step: Int) {
    archive.section("spike_source", shape: [size, events.count])
    archive.write(next)
  }

  func restoreState(from archive: inout StateArchiveReader, step: Int) throws {
    try archive.section("spike_source", shape: [size, events.count])
    next = try archive.readInt()
  }
}
