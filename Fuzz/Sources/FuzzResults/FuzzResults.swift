import Foundation
import FuzzSupport
import NDMLResults

/// The file each input is written to (one per process: libFuzzer's fork mode runs several).
private let scratch = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(
  "ndml-fuzz-results-\(getpid()).h5")

/// libFuzzer entry point: one input = one results file. Opening it and reading everything the CLI
/// reads (metadata, config, populations, spikes, reports, weights, plateaus, the outline) must end
/// with values or thrown errors — never a trap or a hang. Faults inside HDF5 itself are reported
/// by libFuzzer like any crash; `Fuzz/README.md` says how they are triaged.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzResults(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  guard (try? Data(bytes: data, count: size).write(to: scratch)) != nil else { return 0 }
  guard let reader = try? ResultsReader(url: scratch) else { return 0 }
  _ = try? reader.metadata("status")
  _ = try? reader.numericMetadata("dt_ms")
  _ = try? reader.configText()
  _ = try? reader.populations()
  _ = try? reader.outline()
  for population in (try? reader.spikePopulations()) ?? [] { _ = try? reader.spikes(of: population) }
  for name in (try? reader.reports()) ?? [] {
    let parts = name.split(separator: "/", maxSplits: 1).map(String.init)
    if parts.count == 2 { _ = try? reader.report(population: parts[0], variable: parts[1]) }
  }
  for projection in (try? reader.weightProjections()) ?? [] { _ = try? reader.weights(of: projection) }
  _ = try? reader.plateauCounts()
  try? reader.close()
  return 0
}

/// SwiftPM links an executable's entry point as `<target>_main`; hand control to libFuzzer.
@_cdecl("FuzzResults_main")
public func fuzzMain(
  _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> CInt {
  runLibFuzzer(argc, argv) { fuzzResults($0, $1) }
}
