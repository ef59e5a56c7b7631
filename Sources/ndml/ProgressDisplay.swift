import Foundation

/// Progress of a run on stderr: a redrawn bar on a terminal, a plain line every 10 % otherwise.
final class ProgressDisplay {
  private let enabled: Bool
  private let durationMs: Double
  private let terminal = Console.stderrIsTerminal
  private let start = ContinuousClock.now
  private var lastDecile = 0
  private var drawn = false

  init(enabled: Bool, durationMs: Double) {
    self.enabled = enabled
    self.durationMs = durationMs
  }

  /// Called by the writer with steps done / total.
  func update(_ done: Int, _ total: Int) {
    guard enabled, total > 0 else { return }
    let fraction = Double(done) / Double(total)
    let wall = (ContinuousClock.now - start).secondsValue
    let bio = fraction * durationMs
    let factor = bio > 0 ? wall / (bio / 1000) : 0
    let text = String(
      format: "%7.1f / %.1f ms biological, %.1f s wall, real-time factor %.3g", bio, durationMs, wall, factor)
    if terminal {
      let width = 30
      let filled = Int(fraction * Double(width))
      let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
      FileHandle.standardError.write(Data("\r\(bar) \(String(format: "%3.0f%%", fraction * 100)) \(text)".utf8))
      drawn = true
    } else if Int(fraction * 10) > lastDecile {
      lastDecile = Int(fraction * 10)
      FileHandle.standardError.write(Data("ndml: \(String(format: "%3.0f%%", fraction * 100)) \(text)\n".utf8))
    }
  }

  /// Ends the bar's line.
  func finish() {
    if drawn { FileHandle.standardError.write(Data("\n".utf8)) }
    drawn = false
  }
}
