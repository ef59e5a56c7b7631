import XCTest

@testable import NDMLEngine

/// The spike history's ring: a power-of-two ring read by mask, or (when rounding up would take too
/// much memory) one of exactly `slots` entries read by division — the same stamps either way.
final class SpikeHistoryTests: XCTestCase {
  /// Stores stamps 0 … 40 (stamp t: spikes of neurons t and t + 1 on part 0, neuron 100 + t on part
  /// 1 every third stamp) and checks what the newest `slots` stamps give back.
  private func check(slots: Int, roundingBytes: Int, file: StaticString = #filePath, line: UInt = #line) {
    let view = SpikeHistoryView(slots: slots, parts: 2, capacity: 4, roundingBytes: roundingBytes)
    defer { view.deallocate() }
    let spikes = SpikeBuffer(capacity: 8)
    let last = 40
    for t in 0...last {
      spikes.removeAll()
      spikes.append(t)
      spikes.append(t + 1)
      view.store(spikes, stamp: t, part: 0)
      spikes.removeAll()
      if t % 3 == 0 { spikes.append(100 + t) }
      view.store(spikes, stamp: t, part: 1)
    }
    for t in last - slots + 1...last {
      var seen: [Int32] = []
      view.forEachPart(stamp: t) { indices, count in seen += UnsafeBufferPointer(start: indices, count: count) }
      let expected: [Int32] = [Int32(t), Int32(t + 1)] + (t % 3 == 0 ? [Int32(100 + t)] : [])
      XCTAssertEqual(seen, expected, "stamp \(t)", file: file, line: line)
    }
    if roundingBytes == 0 {  // a ring of exactly `slots`: the stamp before them is overwritten
      var old: [Int32] = []
      view.forEachPart(stamp: last - slots) { indices, count in
        old += UnsafeBufferPointer(start: indices, count: count)
      }
      XCTAssertEqual(old, [], "a stamp older than the slots kept", file: file, line: line)
    }
    // A checkpoint saves the newest `slots` stamps, whatever the ring's length.
    XCTAssertEqual(view.merged().map(\.stamp), Array(last - slots + 1...last), file: file, line: line)
  }

  func testPowerOfTwoRingAndDivisionRingKeepTheSameStamps() {
    for slots in [2, 3, 5, 8, 17] {
      check(slots: slots, roundingBytes: 1 << 20)  // a power-of-two ring
      check(slots: slots, roundingBytes: 0)  // exactly `slots` (a power of two stays one)
    }
  }
}
