import NDMLAnalysis
import NDMLHDF5

extension AnalysisReport {
  /// Writes `/analysis/<population>/` (scalars as attributes; rate histogram and spectrum as
  /// datasets), `/analysis_weights/<projection>/` and `/analysis_memory/<projection>/` into a new HDF5
  /// file.
  func write(to file: HDF5File) throws {
    let root = try file.root.createGroup("analysis")
    try root.setAttribute("source_file", self.file)
    try root.setAttribute("window_ms", [options.startMs, options.stopMs])
    for a in populations {
      let g = try root.createGroup(a.name)
      let scalars: [(String, Double)] = [
        ("rate_mean_hz", a.rateMean), ("rate_std_hz", a.rateStd), ("rate_median_hz", a.rateMedian),
        ("rate_p10_hz", a.rateP10), ("rate_p90_hz", a.rateP90), ("silent_fraction", a.silentFraction),
        ("cv_isi_mean", a.cvMean), ("cv_isi_median", a.cvMedian), ("fano_mean", a.fanoMean),
        ("correlation_mean", a.correlationMean), ("correlation_std", a.correlationStd), ("chi", a.chi),
        ("spectrum_peak_hz", a.spectrumPeakHz), ("spectrum_peak_power", a.spectrumPeakPower),
        ("fano_bin_ms", options.binMs), ("correlation_bin_ms", options.binMs), ("chi_bin_ms", options.chiBinMs),
        ("spectrum_bin_ms", options.spectrumBinMs),
        ("segment_ms", options.segmentMs), ("min_hz", options.minHz),
      ]
      for (name, value) in scalars { try g.setAttribute(name, value) }
      for (name, value) in [
        ("size", a.size), ("spikes", a.spikes), ("cv_isi_neurons", a.cvNeurons), ("fano_neurons", a.fanoNeurons),
        ("correlation_pairs", a.correlationPairs), ("correlation_neurons_sampled", a.correlationNeuronsSampled),
        ("chi_neurons", a.chiNeurons),
      ] {
        try g.setAttribute(name, Int64(value))
      }
      try g.writeDataset("rate_histogram_counts", a.rateHistogramCounts.map { Int64($0) })
      try g.writeDataset("rate_histogram_edges_hz", a.rateHistogramEdgesHz).setAttribute("units", "Hz")
      try g.writeDataset("spectrum_frequencies_hz", a.spectrumFrequenciesHz).setAttribute("units", "Hz")
      try g.writeDataset("spectrum_power", a.spectrumPower)
    }
    for w in weights {
      let g = try file.root.createGroup("analysis_weights/\(w.projection)")
      let s = w.statistics
      try g.writeDataset("time", w.timesMs).setAttribute("units", "ms")
      for (name, values) in [("mean", s.mean), ("std", s.std), ("min", s.min), ("max", s.max)] {
        try g.writeDataset(name, values).setAttribute("units", w.units)
      }
      if !w.histogramEdges.isEmpty {
        try g.writeDataset("histogram_edges", w.histogramEdges).setAttribute("units", w.units)
        try g.writeDataset("histogram", w.histogramCounts, shape: [w.timesMs.count, w.histogramEdges.count - 1])
      }
    }
    for m in memory {
      let g = try file.root.createGroup("analysis_memory/\(m.projection)")
      try g.setAttribute("stored_traces", Int64(m.storedTraces))
      try g.setAttribute("lifetime_s", m.lifetimeS ?? .infinity)
      try g.writeDataset("age_edges", m.ageEdgesS).setAttribute("units", "s")
      try g.writeDataset("mean_snr", m.meanSNR)
      try g.writeDataset("snr_samples", m.snrSamples.map { Int64($0) })
      try g.writeDataset("recall_score", m.meanScore)
      try g.writeDataset("recall_completion", m.meanCompletion)
      try g.writeDataset("probes", m.probes.map { Int64($0) })
      try g.writeDataset("recall_time", m.recalls.map(\.timeMs)).setAttribute("units", "ms")
      try g.writeDataset("recall_time_score", m.recalls.map(\.meanScore))
    }
  }
}
