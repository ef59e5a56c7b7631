import ArgumentParser
import Foundation
import Logging
import NDMLAnalysis
import NDMLHDF5
import NDMLResults

/// `ndml analyze FILE`: the standard statistics of a results file — per population rates, CV of
/// ISIs, Fano factors, pairwise correlations, Golomb's χ and the population-rate spectrum; weight
/// statistics over time; plateau counts; memory lifecycles by age (SNR, recall) — as a table, JSON, and optionally a separate HDF5 file.
/// Definitions: `NDMLAnalysis/SpikeStatistics.swift` (the same as `Tests/python/spikestats.py`).
struct AnalyzeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "analyze",
    abstract: "Statistics of a results file: rates, CV, Fano, correlations, synchrony, spectra, weights.",
    discussion: "The results file is only read; -o writes the analysis to a separate HDF5 file.")

  @Argument(help: "An NDML results file (.h5), or a sweep's index.json (or its directory).")
  var file: String

  @OptionGroup var window: WindowOptions

  @Option(help: "Bin for Fano factors and correlations, in ms.")
  var binMs = 10.0

  @Option(help: "At most this many neurons (with spikes, spread evenly) enter the correlation matrix.")
  var correlationNeurons = 200

  @Option(help: "Bin of Golomb's synchrony χ, in ms.")
  var chiBinMs = 5.0

  @Option(help: "χ uses neurons 0 … n−1.")
  var chiNeurons = 1000

  @Option(help: "Bin of the population rate for the spectrum, in ms.")
  var spectrumBinMs = 0.1

  @Option(help: "Welch segment length, in ms (frequency resolution 1000/segment Hz).")
  var segmentMs = 100.0

  @Option(help: "Lowest frequency of the spectral peak search, in Hz.")
  var minHz = 20.0

  @Flag(
    help: ArgumentHelp(
      "Also classify each neuron's firing pattern (Naud et al. 2008: tonic, adapting, bursting, …).",
      discussion: "The analysis window (--start-ms, --stop-ms) is taken as the step current's duration."))
  var firingPatterns = false

  @Flag(help: "Print JSON instead of a table.")
  var json = false

  @Option(
    help: ArgumentHelp(
      "Sweeps: the statistic of the grid view (\(SweepAnalysis.GridStatistic.allCases.map(\.rawValue).joined(separator: ", ")))."
    ))
  var gridStat = SweepAnalysis.GridStatistic.state

  @Option(
    help: ArgumentHelp("Sweeps: also write an SVG of the network states over the first two axes.", valueName: "FILE"))
  var figure: String?

  @Option(
    help: "Sweeps: relative amplitude of the population rate's largest peak ≥ 60 Hz from which it oscillates fast.")
  var fastAmplitude = NetworkStateCriteria().fastAmplitude

  @Option(help: "Sweeps: relative amplitude of its largest peak in [5, 60) Hz from which it oscillates slowly.")
  var slowAmplitude = NetworkStateCriteria().slowAmplitude

  @Option(help: "Sweeps: mean CV of ISI below which single cells count as regular.")
  var regularCv = NetworkStateCriteria().regularCV

  @Option(name: [.short, .customLong("output")], help: "Also write the analysis to this HDF5 file.")
  var output: String?

  @OptionGroup var logging: LoggingOptions

  func validate() throws {
    for (name, value) in [
      ("--bin-ms", binMs), ("--chi-bin-ms", chiBinMs), ("--spectrum-bin-ms", spectrumBinMs),
      ("--segment-ms", segmentMs),
    ] where !(value > 0) || !value.isFinite {
      throw ValidationError("\(name) must be a positive number of ms, got \(value)")
    }
    if correlationNeurons < 0 || chiNeurons < 1 {
      throw ValidationError("--correlation-neurons must be ≥ 0 and --chi-neurons ≥ 1")
    }
  }

  func run() throws {
    let logger = Console.logger(logging)
    if let index = SweepAnalysis.indexURL(for: file) { return try analyzeSweep(index, logger: logger) }
    if figure != nil {
      logger.error("--figure draws a sweep's states: give a sweep's index.json, not \(file)")
      throw ExitCode(2)
    }
    if let output,
      URL(fileURLWithPath: output).standardizedFileURL.resolvingSymlinksInPath()
        == URL(fileURLWithPath: file).standardizedFileURL.resolvingSymlinksInPath()
    {
      logger.error("-o \(output) is the results file itself; recorded data is never modified: choose another path")
      throw ExitCode(1)
    }
    try ResultsFileAccess.read(file, logger: logger) { r in
      let status = try r.metadata("status")
      if status != "complete" {
        logger.warning("\(file) is not complete (status '\(status)'): statistics cover what was written")
      }
      let duration = try r.numericMetadata("duration_ms") ?? 0
      var options = AnalysisOptions(startMs: window.startMs ?? 0, stopMs: window.stopMs ?? duration)
      guard options.stopMs > options.startMs else {
        throw CommandError(
          "\(file): the analysis window [\(options.startMs), \(options.stopMs)) ms is empty (the run lasted "
            + "\(duration) ms); set --start-ms/--stop-ms inside it")
      }
      options.binMs = binMs
      options.correlationNeurons = correlationNeurons
      options.chiBinMs = chiBinMs
      options.chiNeurons = chiNeurons
      options.spectrumBinMs = spectrumBinMs
      options.segmentMs = segmentMs
      options.minHz = minHz
      var analyses: [PopulationAnalysis] = []
      var patterns: [PopulationFiringPatterns] = []
      for population in try Self.spikes(in: r, file: file, populations: window.populations) {
        analyses.append(analyzePopulation(population, options: options))
        if firingPatterns {
          patterns.append(PopulationFiringPatterns(population, startMs: options.startMs, stopMs: options.stopMs))
        }
      }
      let weights = try r.weightProjections().map { projection in
        let w = try r.weights(of: projection)
        var series = WeightSeries(
          projection: projection, timesMs: w.timesMs, values: w.values, synapses: w.synapses, units: w.units)
        let histogram = try r.weightHistogram(of: projection)
        if histogram.edges.count > 1 && histogram.counts.count == w.timesMs.count * (histogram.edges.count - 1) {
          (series.histogramEdges, series.histogramCounts) = histogram
        }
        return series
      }
      let plateaus = try r.plateauCounts()
      let memory = try r.memoryProjections().map { MemorySummary(try r.memory(of: $0)) }
      if analyses.isEmpty && weights.isEmpty && plateaus.isEmpty && memory.isEmpty {
        throw CommandError(
          "\(file) holds nothing to analyse: no recorded spikes (/spikes), weights (/weights), plateaus (/plateaus) "
            + "or memory lifecycle (/memory)")
      }
      var report = AnalysisReport(
        file: file, options: options, populations: analyses, weights: weights, plateaus: plateaus)
      report.firingPatterns = patterns
      report.memory = memory
      if json {
        Console.out(try report.jsonText())
      } else {
        for line in report.table() { Console.out(line) }
      }
      if let output {
        try writeAtomically(to: URL(fileURLWithPath: output)) { try report.write(to: $0) }
        logger.info("analysis written to \(output)")
      }
    }
  }

  /// The recorded spikes of `populations` (all recorded ones if empty), checked against the
  /// populations' sizes.
  static func spikes(in r: ResultsReader, file: String, populations: [String]) throws -> [PopulationSpikes] {
    let sizes = Dictionary(try r.populations().map { ($0.name, $0.size) }, uniquingKeysWith: { a, _ in a })
    let recorded = try r.spikePopulations()
    for name in populations where !recorded.contains(name) {
      throw ResultsError.notFound(path: file, what: "spikes of '\(name)'", available: recorded)
    }
    return try (populations.isEmpty ? recorded : populations).map { name in
      guard let size = sizes[name] else {
        throw CommandError("\(file): population '\(name)' has spikes but no /ndml/populations/\(name) entry (its size)")
      }
      let spikes = try r.spikes(of: name)
      if let bad = spikes.nodeIDs.first(where: { $0 >= UInt64(size) }) {
        throw CommandError("\(file): spikes of '\(name)' name neuron \(bad), outside the population (0..<\(size))")
      }
      if spikes.timesMs.count != spikes.nodeIDs.count {
        throw CommandError(
          "\(file): spikes of '\(name)' have \(spikes.timesMs.count) times but \(spikes.nodeIDs.count) ids")
      }
      return PopulationSpikes(name: name, size: size, timesMs: spikes.timesMs, nodeIDs: spikes.nodeIDs.map { Int($0) })
    }
  }

  /// Analyses every complete point of a sweep.
  private func analyzeSweep(_ indexURL: URL, logger: Logger) throws {
    if window.populations.count > 1 || output != nil || firingPatterns {
      logger.error("a sweep's analysis takes at most one --population, and no -o or --firing-patterns")
      throw ExitCode(2)
    }
    var criteria = NetworkStateCriteria()
    criteria.fastAmplitude = fastAmplitude
    criteria.slowAmplitude = slowAmplitude
    criteria.regularCV = regularCv
    do {
      let sweep = try SweepAnalysis(indexURL: indexURL, displayPath: file)
      let (population, rows) = try sweep.rows(
        population: window.populations.first, startMs: window.startMs, stopMs: window.stopMs,
        configure: { o in
          o.binMs = binMs
          o.correlationNeurons = correlationNeurons
          o.chiBinMs = chiBinMs
          o.chiNeurons = chiNeurons
          o.spectrumBinMs = spectrumBinMs
          o.segmentMs = segmentMs
          o.minHz = minHz
        }, criteria: criteria, logger: logger)
      if json {
        Console.out(try sweep.json(population: population, rows: rows, criteria: criteria))
      } else {
        for line in sweep.table(population: population, rows: rows, gridStatistic: gridStat) { Console.out(line) }
      }
      if let figure {
        let svg = try sweep.figure(population: population, rows: rows)
        do {
          try svg.write(toFile: figure, atomically: true, encoding: .utf8)
        } catch {
          throw CommandError("--figure \(figure): cannot be written (\(error.localizedDescription))")
        }
        logger.info("state figure written to \(figure)")
      }
    } catch let error as CommandError {
      logger.error("\(error)")
      throw ExitCode(1)
    }
  }
}
