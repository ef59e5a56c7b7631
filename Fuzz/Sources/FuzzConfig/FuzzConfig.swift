import Foundation
import FuzzSupport
import NDMLConfig

/// libFuzzer entry point: one input = one config text. Parsing, schema checks and the
/// experiment's own validation must end with a value or a thrown error — never a trap or a hang.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  if let config = try? ExperimentConfig.parse(text: text) {
    let problems = config.experiment.validate()
    if problems.allSatisfy(\.isWarning) {
      _ = config.experiment.simulation.stepCount
      _ = config.experiment.expectedSynapseCount()
    }
  }
  return 0
}

/// SwiftPM links an executable's entry point as `<target>_main`; hand control to libFuzzer.
@_cdecl("FuzzConfig_main")
public func fuzzMain(
  _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> CInt {
  runLibFuzzer(argc, argv) { fuzzConfig($0, $1) }
}
