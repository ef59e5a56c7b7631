import Foundation
import NDMLHDF5
import NDMLModel
import NDMLResults
import XCTest

/// The results file: layout, completion marker written last, atomic replacement, failure marking.
final class ResultsWriterTests: XCTestCase {
  private var dir: URL!

  override func setUpWithError() throws {
    dir = FileManager.default.temporaryDirectory.appendingPathComponent("ndml-results-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

  private let experiment = Experiment(
    simulation: SimulationSettings(dtMs: 0.1, durationMs: 1, seed: 9),
    populations: [Population(name: "exc", size: 4, model: .lifCuba(LIFCubaParameters()))],
    recording: RecordingPlan(
      spikePopulations: ["exc"], state: [.init(population: "exc", variables: ["v"], neurons: [1, 3], intervalMs: 0.5)]))

  private func writer(_ url: URL) throws -> ResultsWriter {
    try ResultsWriter(
      destination: url, experiment: experiment,
      metadata: RunMetadata(configText: "simulation: {}\n", configPath: "x.yaml", overrides: [], backend: "cpu"),
      gzipLevel: 4)
  }

  private let summary = RunSummary(
    spikeCounts: [("exc", 4, 3)], steps: 10, buildSeconds: 0, simulationSeconds: 0.1, synapseCount: 0, synapseBytes: 0,
    synapticEvents: 0)

  func testRoundTripAndCompletion() throws {
    let url = dir.appendingPathComponent("r.h5")
    let w = try writer(url)
    XCTAssertFalse(FileManager.default.fileExists(atPath: url.path), "nothing at the destination while running")
    XCTAssertEqual(try HDF5File.open(at: w.partialURL).root.openGroup("ndml").stringAttribute("status"), "running")
    try w.record(spikes: SpikeChunk(population: "exc", timesMs: [0.3, 0.3, 0.7], nodeIDs: [0, 2, 1]))
    try w.record(
      samples: StateSampleChunk(recordingIndex: 0, variable: "v", values: [-65, -64, -63, -62], rowCount: 2))
    try w.finish(summary: summary, wallSeconds: 0.2)
    XCTAssertFalse(FileManager.default.fileExists(atPath: w.partialURL.path))
    let r = try ResultsReader(url: url)
    XCTAssertEqual(try r.metadata("status"), "complete")
    XCTAssertEqual(try r.spikes(of: "exc").timesMs, [0.3, 0.3, 0.7])
    XCTAssertEqual(try r.spikes(of: "exc").nodeIDs, [0, 2, 1])
    let rep = try r.report(population: "exc", variable: "v")
    XCTAssertEqual(rep.shape, [2, 2])
    XCTAssertEqual(rep.units, "mV")
    XCTAssertEqual(rep.nodeIDs, [1, 3])
    XCTAssertEqual(rep.time, [0, 1.0, 0.5])
    XCTAssertEqual(try r.configText(), "simulation: {}\n")
    let file = try HDF5File.open(at: url)
    XCTAssertEqual(try file.root.openGroup("spikes/exc").enumAttribute("sorting").name, "by_time")
    XCTAssertEqual(try file.root.openDataset("spikes/exc/timestamps").stringAttribute("units"), "ms")
  }

  func testExistingFileIsReplacedOnlyAtTheEnd() throws {
    let url = dir.appendingPathComponent("r.h5")
    try Data("previous results".utf8).write(to: url)
    let w = try writer(url)
    XCTAssertEqual(try Data(contentsOf: url), Data("previous results".utf8))
    w.abandon(reason: "disk full")
    XCTAssertEqual(try Data(contentsOf: url), Data("previous results".utf8), "a failed run leaves the old file alone")
    let partial = try HDF5File.open(at: w.partialURL).root.openGroup("ndml")
    XCTAssertEqual(try partial.stringAttribute("status"), "failed")
    XCTAssertEqual(try partial.stringAttribute("failure"), "disk full")
  }

  func testUnwritableDestinationIsAClearError() {
    XCTAssertThrowsError(try writer(URL(fileURLWithPath: "/proc/ndml/r.h5"))) {
      XCTAssert("\($0)".contains("cannot write results to /proc/ndml/r.h5"), "\($0)")
    }
  }

  func testStandaloneSonataReport() throws {
    let url = dir.appendingPathComponent("r.h5")
    let w = try writer(url)
    try w.record(samples: StateSampleChunk(recordingIndex: 0, variable: "v", values: [1, 2, 3, 4], rowCount: 2))
    try w.finish(summary: summary, wallSeconds: 0)
    let out = dir.appendingPathComponent("rep.h5")
    try SonataReportExporter.export(from: ResultsReader(url: url), population: "exc", variable: "v", to: out)
    let f = try HDF5File.open(at: out)
    XCTAssertEqual(try f.root.openDataset("report/exc/data").read(as: Float.self), [1, 2, 3, 4])
    XCTAssertEqual(try f.root.openDataset("report/exc/mapping/index_pointers").read(as: UInt64.self), [0, 1, 2])
  }

  func testTruncatedFileIsRefusedClearly() throws {
    let url = dir.appendingPathComponent("r.h5")
    let w = try writer(url)
    try w.finish(summary: summary, wallSeconds: 0)
    let data = try Data(contentsOf: url)
    try data.prefix(data.count / 2).write(to: url)
    XCTAssertThrowsError(try ResultsReader(url: url)) {
      XCTAssert("\($0)".contains("is not a readable NDML results file"), "\($0)")
    }
  }
}
