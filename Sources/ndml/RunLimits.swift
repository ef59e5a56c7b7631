import ArgumentParser
import Foundation
import Logging
import NDMLEngine
import NDMLModel

#if canImport(Glibc)
  import Glibc
#endif

/// Resource limits of `ndml run` and `ndml resume`: memory, and the disk space to keep free.
struct RunLimits: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Memory the run may use, e.g. 8G, 512M or bytes (default: the machine's physical memory); a network whose estimate exceeds 90 % of it is refused before anything is built.",
      valueName: "SIZE"))
  var maxMemory: String?

  @Option(
    help: ArgumentHelp(
      "MiB to keep free on the results file's disk: a write that would leave less stops the run cleanly, its data kept.",
      valueName: "MiB"))
  var diskReserveMb: Int = 64

  func validate() throws {
    if let maxMemory, Self.bytes(maxMemory) == nil {
      throw ValidationError("--max-memory \(maxMemory): give a size such as 8G, 512M, 100K or a number of bytes.")
    }
    if diskReserveMb < 0 { throw ValidationError("--disk-reserve-mb must be 0 or more.") }
  }

  /// The backend with the memory limit applied.
  var backend: CPUBackend {
    maxMemory.flatMap(Self.bytes).map { CPUBackend(availableMemoryBytes: $0) } ?? CPUBackend()
  }

  /// `8G`, `512M`, `100K`, `1.5G` or plain bytes (powers of 1024).
  static func bytes(_ text: String) -> Double? {
    let units: [Character: Double] = ["K": 0x1p10, "M": 0x1p20, "G": 0x1p30, "T": 0x1p40]
    var digits = text.uppercased()
    if digits.hasSuffix("B") && digits.count > 1 && units[digits.dropLast().last!] != nil { digits.removeLast() }
    let scale = digits.last.flatMap { units[$0] }
    if scale != nil { digits.removeLast() }
    guard let value = Double(digits), value > 0, value.isFinite else { return nil }
    return value * (scale ?? 1)
  }

  /// Warns when the recordings are estimated to need more space than the results disk has free.
  /// Samples, traces and weight snapshots are counted exactly; spikes at an assumed mean rate of
  /// 20 Hz (16 bytes each), as the real rate is known only after the run.
  func warnAboutDisk(_ experiment: Experiment, destination: URL, logger: Logger) {
    let need = Self.estimatedRecordingBytes(experiment)
    var stats = statvfs()
    guard statvfs(destination.deletingLastPathComponent().path, &stats) == 0 else { return }
    let free = Double(stats.f_bavail) * Double(stats.f_frsize)
    logger.debug("estimated results size \(formatBytes(need)), \(formatBytes(free)) free")
    if need + Double(diskReserveMb << 20) > free {
      logger.warning(
        "the recordings may need about \(formatBytes(need)) (spikes counted at 20 Hz) but only \(formatBytes(free)) is free on the disk of \(destination.path); the run stops cleanly if the disk fills up, keeping the data written so far"
      )
    }
  }

  static func estimatedRecordingBytes(_ experiment: Experiment) -> Double {
    let s = experiment.simulation
    func samples(_ intervalMs: Double) -> Double {
      Double(s.stepCount) / max(1, (intervalMs / s.dtMs).rounded())
    }
    let plan = experiment.recording
    var bytes = 0.0
    for name in plan.spikePopulations {
      bytes += 16 * 20 * s.durationMs / 1000 * Double(experiment.population(named: name)?.size ?? 0)
    }
    for rec in plan.state { bytes += 4 * samples(rec.intervalMs) * Double(rec.neurons.count * rec.variables.count) }
    for rec in plan.traces { bytes += 4 * samples(rec.intervalMs) * Double(rec.neurons.count * rec.traces.count) }
    for rec in plan.weights {
      let synapses = experiment.projections.first { $0.name == rec.projection }.map {
        experiment.expectedSynapseCount(of: $0)
      }
      let sampled = Double(rec.sampleSize.map(Double.init) ?? synapses ?? 0)
      bytes += 8 * samples(rec.intervalMs) * (sampled + Double(rec.histogramBins) + 1)
    }
    return bytes
  }
}
