import Foundation

/// Place-cell-like Poisson inputs of an animal running laps on a circular track (`place_cells`).
///
/// The animal starts at `start_cm` and runs at a constant `speed_cm_per_s`, so its position is
/// `x(t) = (start + v·t) mod L`. Neuron k of N has a Gaussian place field centred at
/// `c_k = (k + ½)·L/N` and fires as an inhomogeneous Poisson process with rate
/// `r_k(t) = peak · Σ_{m∈{−1,0,1}} exp(−(x(t) − c_k + mL)² / (2·sd²))` (the field wraps around the
/// track). Milstein et al. (2021) use L = 187 cm, N = 200, peak 40 Hz, s.d. 15 cm (their "90 cm
/// field width" is ±3 s.d.) and 25 cm/s, which are the defaults. Drawn like `poisson` (spike
/// counts per step with mean r_k(t_n)·dt), by thinning a process of rate `peak`.
public struct PlaceCellParameters: Sendable, Equatable {
  /// Track length L in cm.
  public var trackLengthCm = 187.0
  /// Running speed in cm/s.
  public var speedCmPerS = 25.0
  /// Position at t = 0 in cm.
  public var startCm = 0.0
  /// Peak firing rate in Hz.
  public var peakRateHz = 40.0
  /// Standard deviation of the Gaussian field in cm.
  public var fieldSDCm = 15.0

  /// Creates the defaults above.
  public init() {}

  /// Position on the track at `timeMs`.
  public func positionCm(atMs timeMs: Double) -> Double {
    let x = (startCm + speedCmPerS * timeMs / 1000).truncatingRemainder(dividingBy: trackLengthCm)
    return x < 0 ? x + trackLengthCm : x
  }

  /// Field centre of neuron `k` of `size`.
  public func centreCm(_ k: Int, of size: Int) -> Double { (Double(k) + 0.5) * trackLengthCm / Double(size) }

  /// Rate of a neuron with field centre `centre` at position `x`, as a fraction of the peak.
  public func relativeRate(centreCm centre: Double, positionCm x: Double) -> Double {
    var sum = 0.0
    for m in -1...1 {
      let d = x - centre + Double(m) * trackLengthCm
      sum += exp(-d * d / (2 * fieldSDCm * fieldSDCm))
    }
    return min(sum, 1)
  }

  /// Every broken rule.
  public func violations() -> [ParameterViolation] {
    var out = requirePositive([
      ("track_length_cm", trackLengthCm), ("field_sd_cm", fieldSDCm), ("peak_rate_Hz", peakRateHz),
    ])
    out += requireNonNegative([("speed_cm_per_s", speedCmPerS)])
    out += requireFinite([("start_cm", startCm)])
    return out
  }
}
