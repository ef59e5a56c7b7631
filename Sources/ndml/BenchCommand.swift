import ArgumentParser
import Foundation
import Logging
import NDMLConfig
import NDMLEngine
import NDMLModel

/// `ndml bench cuba`: times NDML on a benchmark config and, when Brian2 is installed, Brian2
/// `cpp_standalone` on the same network in the same run, and prints the ratio.
struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Benchmark NDML against Brian2 cpp_standalone on the same network, side by side.")

  /// Benchmark cases: a config in `experiments/` and its Brian2 twin.
  enum Case: String, ExpressibleByArgument, CaseIterable {
    case cuba
    case coba
    /// CUBA with pair STDP on excitatory→excitatory synapses.
    case cubaSTDP = "cuba_stdp"
    /// Song, Miller & Abbott (2000): 1000 plastic Poisson inputs onto one COBA neuron.
    case song2000
    /// CUBA with a fixed in-degree of 80, at several sizes (`--neurons`): the scaling case.
    case cubaK80 = "cuba_k80"

    /// The NDML config.
    var configPath: String { self == .song2000 ? "experiments/stdp_song2000.yaml" : "experiments/\(rawValue).yaml" }
    /// The Brian2 script that runs the same model.
    var brian2Script: String {
      switch self {
      case .cuba, .coba, .cubaK80: "benchmarks/brian2_reference.py"
      case .cubaSTDP, .song2000: "benchmarks/brian2_stdp_reference.py"
      }
    }
    /// Durations timed when `--durations-ms` is not given.
    var defaultDurationsMs: String {
      switch self {
      case .song2000: "100000"
      case .cubaSTDP, .cubaK80: "1000"
      case .cuba, .coba: "1000,10000"
      }
    }
    /// The Brian2 script's `--model`.
    var brian2Model: String { self == .cubaK80 ? "cuba" : rawValue }
  }

  @Argument(help: "Which benchmark network (\(Case.allCases.map(\.rawValue).joined(separator: ", "))).")
  var benchCase: Case = .cuba

  @Option(
    help:
      "Biological durations to time, in ms (comma-separated; default per case: 100000 for song2000, 1000 for cuba_stdp, 1000,10000 otherwise)."
  )
  var durationsMs: String?

  @Option(help: "Repetitions per duration (the median is reported).")
  var repeats: Int = 3

  @Option(help: "Python with Brian2 installed (default: .venv/bin/python if present).")
  var python: String?

  @Flag(help: "Time NDML only.")
  var noPeers = false

  @Option(help: "Network sizes for cuba_k80 (comma-separated; 80 % excitatory).")
  var neurons: String = "4000,16000,64000"

  @Flag(help: "Skip the random-scatter bandwidth probe.")
  var noProbe = false

  @Option(help: "NDML thread counts to time (comma-separated, e.g. 1,2); results are identical for all.")
  var threads: String = "1"

  @Option(help: "Precision for NDML (float64 matches Brian2's doubles).")
  var precision: Precision = .float64

  @Option(help: "Write all figures as JSON to this file.")
  var json: String?

  @OptionGroup var logging: LoggingOptions

  func validate() throws {
    guard !durations.isEmpty, durations.allSatisfy({ $0 > 0 }) else {
      throw ValidationError("--durations-ms takes positive numbers, e.g. 1000,10000")
    }
    guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
    guard !threadCounts.isEmpty, threadCounts.allSatisfy({ (1...SimulationSettings.maximumThreads).contains($0) })
    else {
      throw ValidationError("--threads takes thread counts from 1 to \(SimulationSettings.maximumThreads), e.g. 1,2")
    }
  }

  private var threadCounts: [Int] { threads.split(separator: ",").compactMap { Int($0) } }

  private var durations: [Double] {
    (durationsMs ?? benchCase.defaultDurationsMs).split(separator: ",").compactMap { Double($0) }
  }

  func run() throws {
    let logger = Console.logger(logging)
    let configPath = benchCase.configPath
    guard FileManager.default.fileExists(atPath: configPath) else {
      // The cases are the repository's configs, found relative to the working directory.
      throw ValidationError(
        "\(configPath) not found in \(FileManager.default.currentDirectoryPath): run `ndml bench` from the repository root"
      )
    }
    var rows: [[String: Any]] = []
    Console.out(
      "case            duration thr  NDML loop (s)  events/s     B/syn  B/plastic  peak RSS   Brian2 loop (s)  NDML/Brian2"
    )
    var brianLoops: [String: Double?] = [:]
    var probes: [Int: ScatterProbe.Result] = [:]
    let sizes: [Int?] = benchCase == .cubaK80 ? neurons.split(separator: ",").compactMap { Int($0) } : [nil]
    for size in sizes {
      for duration in durations {
        for threadCount in threadCounts {
          var overrides = [
            "simulation.duration_ms=\(duration)", "simulation.precision=\(precision.rawValue)",
            "simulation.threads=\(threadCount)",
          ]
          if let size {
            let exc = size * 4 / 5
            overrides += ["populations.exc.size=\(exc)", "populations.inh.size=\(size - exc)"]
          }
          let loaded = try ConfigLoading.load(configPath, overrides: overrides, logger: logger)
          var loops: [Double] = []
          var summary: RunSummary?
          for _ in 0..<repeats {
            let s = try CPUBackend().run(loaded.experiment, observer: SpikeCounter())
            loops.append(s.simulationSeconds)
            summary = s
          }
          let ndml = median(loops)
          let s = summary!
          var phased = CPUBackend()
          phased.measurePhases = true
          let phases = try phased.run(loaded.experiment, observer: SpikeCounter()).phaseSeconds
          let largest = loaded.experiment.populations.map(\.size).max() ?? 1
          var row: [String: Any] = [
            "case": benchCase.rawValue, "duration_ms": duration, "ndml_loop_s": ndml, "ndml_loops_s": loops,
            "synapses": s.synapseCount, "bytes_per_synapse": Double(s.synapseBytes) / Double(max(s.synapseCount, 1)),
            "synaptic_events": s.synapticEvents, "peak_rss_bytes": Platform.peakResidentBytes(),
            "spikes": s.spikeCounts.reduce(0) { $0 + $1.spikes }, "precision": precision.rawValue,
            "threads": s.threads, "threads_requested": threadCount,
            "neurons": loaded.experiment.populations.reduce(0) { $0 + $1.size },
            "real_time_factor": ndml / (duration / 1000), "phase_seconds_thread0": phases,
            "rates_hz": Dictionary(
              uniqueKeysWithValues: s.spikeCounts.map {
                ($0.population, Double($0.spikes) / Double($0.size) / (duration / 1000))
              }),
          ]
          if let delivery = phases["delivery"], delivery > 0 {
            row["delivery_events_per_s"] = Double(s.synapticEvents) / delivery
          }
          row["largest_population"] = largest
          if s.plasticSynapseCount > 0 {
            row["plastic_synapses"] = s.plasticSynapseCount
            row["bytes_per_plastic_synapse"] = Double(s.plasticSynapseBytes) / Double(s.plasticSynapseCount)
          }
          var peerText = "      (skipped)            "
          if !noPeers {
            let key = "\(duration)/\(size ?? 0)"
            if brianLoops[key] == nil {
              brianLoops[key] = try brian2(duration: duration, neurons: size, logger: logger)
            }
            if let brian = brianLoops[key] ?? nil {
              row["brian2_loop_s"] = brian
              row["ratio_ndml_over_brian2"] = ndml / brian
              peerText = String(format: "%14.3f  %11.3f", brian, ndml / brian)
            } else {
              peerText = "   (Brian2 unavailable)   "
            }
          }
          rows.append(row)
          Console.out(
            (benchCase.rawValue + (size.map { "/\($0 / 1000)k" } ?? "")).padding(
              toLength: 12, withPad: " ", startingAt: 0)
              + String(
                format: "%9.0f ms %3d %12.3f %10.3g %9.1f %@ %7.0f MiB", duration, s.threads, ndml,
                Double(s.synapticEvents) / ndml, row["bytes_per_synapse"] as! Double,
                rightAligned(
                  (row["bytes_per_plastic_synapse"] as? Double).map { String(format: "%.1f", $0) } ?? "-", 10),
                Double(Platform.peakResidentBytes()) / 1_048_576)
              + "  " + peerText)
        }
      }
    }
    // Probes last: their arrays (≈ 200 MB) must not count in the runs' peak RSS.
    if !noProbe {
      for r in rows.indices {
        let largest = rows[r]["largest_population"] as! Int
        let synapses = rows[r]["synapses"] as! Int
        if probes[largest] == nil {
          probes[largest] = ScatterProbe.measure(
            targetCount: largest, synapseCount: synapses, doublePrecision: precision == .float64)
        }
        let probe = probes[largest]!
        rows[r]["probe_events_per_s"] = probe.eventsPerSecond
        rows[r]["probe_bytes_per_event"] = probe.bytesPerEvent
        if let rate = rows[r]["delivery_events_per_s"] as? Double {
          rows[r]["delivery_over_probe"] = rate / probe.eventsPerSecond
        }
      }
      for (size, probe) in probes.sorted(by: { $0.key < $1.key }) {
        Console.out(
          String(
            format: "probe: random scatter-add into %d values (%.0f KiB): %.3g events/s, %d B per event", size,
            Double(probe.targetBytes) / 1024, probe.eventsPerSecond, probe.bytesPerEvent))
      }
    }
    if let json {
      let data = try JSONSerialization.data(withJSONObject: ["results": rows], options: [.prettyPrinted, .sortedKeys])
      try data.write(to: URL(fileURLWithPath: json))
    }
  }

  /// Runs the case's Brian2 script in cpp_standalone mode, one thread; returns the median
  /// loop time over `repeats` runs, or nil when Brian2 cannot be run.
  private func brian2(duration: Double, neurons: Int?, logger: Logger) throws -> Double? {
    let python =
      self.python ?? (FileManager.default.fileExists(atPath: ".venv/bin/python") ? ".venv/bin/python" : "python3")
    var loops: [Double] = []
    for _ in 0..<repeats {
      let out = FileManager.default.temporaryDirectory.appendingPathComponent("ndml-bench-\(UUID().uuidString).json")
      defer { try? FileManager.default.removeItem(at: out) }
      let p = Process()
      p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
      p.arguments =
        [
          python, benchCase.brian2Script, "--model", benchCase.brian2Model, "--duration-ms", "\(duration)",
          "--device", "cpp_standalone", "--threads", "1", "--quiet", "--out-json", out.path,
        ] + (neurons.map { ["--neurons", "\($0)", "--in-degree", "80"] } ?? [])
      p.standardOutput = FileHandle.nullDevice
      let err = Pipe()
      p.standardError = err
      do { try p.run() } catch {
        logger.warning("cannot start \(python): \(error); Brian2 figures skipped")
        return nil
      }
      let errText = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      p.waitUntilExit()
      guard p.terminationStatus == 0, let data = try? Data(contentsOf: out),
        let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any],
        let timing = obj["timing_s"] as? [String: Any], let loop = timing["sim_loop"] as? Double
      else {
        logger.warning("Brian2 run failed (\(python)); figures skipped: \(errText.suffix(400))")
        return nil
      }
      loops.append(loop)
    }
    return median(loops)
  }
}

extension Precision: ExpressibleByArgument {}

/// Counts spikes and discards them: the benchmark measures the loop with spike recording on, but
/// without file output.
final class SpikeCounter: SimulationObserver {
  private(set) var spikes = 0
  func record(spikes chunk: SpikeChunk) throws { spikes += chunk.timesMs.count }
  func record(samples: StateSampleChunk) throws {}
  func record(weights: WeightSampleChunk) throws {}
  func progress(completedSteps: Int, totalSteps: Int) {}
}

/// `text` padded on the left to `width` characters.
func rightAligned(_ text: String, _ width: Int) -> String {
  String(repeating: " ", count: max(0, width - text.count)) + text
}

/// The median of a non-empty list.
func median(_ xs: [Double]) -> Double {
  let s = xs.sorted()
  return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}
