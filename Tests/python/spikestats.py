"""Spike-train statistics shared by the Brian2 reference benchmark and the pytest suite.

One implementation, used by both `benchmarks/brian2_reference.py` (Brian2 spikes) and
`Tests/python/test_brian2_agreement.py` (NDML spikes read from the results HDF5 file),
so that both sides are measured with exactly the same definitions:

* mean rate (Hz) of a population = number of spikes in the analysis window
  / (population size x window length). Silent neurons count (they lower the mean).
* CV of ISI of one neuron = std(ISI) / mean(ISI) (population standard deviation,
  ddof = 0) over the neuron's inter-spike intervals inside the window; only neurons
  with at least `min_spikes` (default 3, i.e. >= 2 intervals) spikes get a CV.
* mean CV of a population = arithmetic mean of the single-neuron CVs of that population;
  "overall" pools the single-neuron CVs of all populations.
* synchrony chi (`synchrony_chi`) = Golomb's measure of synchrony (Golomb 2007, Scholarpedia
  2:1347) on spike counts: n_i(t) = spikes of neuron i (ids 0..n-1, default n = 1000) in bins of
  `bin_ms` (default 5 ms) tiling [t_start, t_stop) (a partial last bin is dropped);
  chi = sqrt( var_t(mean_i n_i(t)) / mean_i var_t(n_i(t)) ), population variances (ddof = 0);
  silent neurons count (variance 0). ~0 for asynchronous firing, 1 for full synchrony; for
  independent neurons it is ~1/sqrt(n) (0.03 for n = 1000).
* rate spectral peak (`rate_spectrum_peak_hz`) = frequency of the largest value above `min_hz`
  (default 20 Hz) of the power spectrum of the population rate (all spikes passed / n_neurons,
  in bins of `bin_ms`, default 0.1 ms) inside [t_start, t_stop). The spectrum is Welch's
  average over segments of `segment_ms` (default 100 ms, 50 % overlap, Hann window, each
  segment's mean removed), so its resolution is 1 / segment (10 Hz) and the peak is stable
  from run to run (a raw periodogram of one long window jumps between neighbouring noise
  peaks). `rate_power_spectrum` returns the whole averaged spectrum.

Times are in ms, node ids are 0-based and population-local (the SONATA convention NDML
writes). Only NumPy is needed here; `load_sonata_spikes` imports h5py lazily.
"""

from __future__ import annotations

import math
from typing import Dict, Iterable, Mapping, Optional, Tuple

import numpy as np

MIN_SPIKES_FOR_CV = 3


def _window(times_ms: np.ndarray, node_ids: np.ndarray, t_start_ms: float,
            t_stop_ms: float) -> Tuple[np.ndarray, np.ndarray]:
    times_ms = np.asarray(times_ms, dtype=np.float64)
    node_ids = np.asarray(node_ids, dtype=np.int64)
    if times_ms.shape != node_ids.shape:
        raise ValueError(f"timestamps {times_ms.shape} and node ids {node_ids.shape} differ in shape")
    keep = (times_ms >= t_start_ms) & (times_ms < t_stop_ms)
    return times_ms[keep], node_ids[keep]


def mean_rate_hz(n_spikes: int, n_neurons: int, window_ms: float) -> float:
    """Mean single-neuron rate in Hz."""
    if n_neurons <= 0 or window_ms <= 0:
        raise ValueError("n_neurons and window_ms must be positive")
    return float(n_spikes) / n_neurons / (window_ms * 1e-3)


def cv_isi_per_neuron(times_ms: np.ndarray, node_ids: np.ndarray, n_neurons: int,
                      min_spikes: int = MIN_SPIKES_FOR_CV) -> np.ndarray:
    """CV of ISI of every neuron with >= min_spikes spikes (array, neuron order)."""
    times_ms = np.asarray(times_ms, dtype=np.float64)
    node_ids = np.asarray(node_ids, dtype=np.int64)
    if node_ids.size and (node_ids.min() < 0 or node_ids.max() >= n_neurons):
        raise ValueError(f"node ids outside [0, {n_neurons})")
    # Stable sort by (id, time): lexsort sorts by the last key first.
    order = np.lexsort((times_ms, node_ids))
    t = times_ms[order]
    ids = node_ids[order]
    counts = np.bincount(ids, minlength=n_neurons)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    cvs = []
    for nid in np.nonzero(counts >= min_spikes)[0]:
        isi = np.diff(t[starts[nid]:starts[nid] + counts[nid]])
        m = isi.mean()
        if m > 0:
            cvs.append(isi.std() / m)
    return np.asarray(cvs, dtype=np.float64)


def population_stats(times_ms: np.ndarray, node_ids: np.ndarray, n_neurons: int,
                     t_start_ms: float, t_stop_ms: float,
                     min_spikes: int = MIN_SPIKES_FOR_CV) -> dict:
    """Rate and CV statistics of one population inside [t_start_ms, t_stop_ms)."""
    t, ids = _window(times_ms, node_ids, t_start_ms, t_stop_ms)
    cvs = cv_isi_per_neuron(t, ids, n_neurons, min_spikes)
    return {
        "size": int(n_neurons),
        "n_spikes": int(t.size),
        "rate_hz": mean_rate_hz(t.size, n_neurons, t_stop_ms - t_start_ms),
        "cv_isi_mean": float(cvs.mean()) if cvs.size else math.nan,
        "n_cv_neurons": int(cvs.size),
        "_cvs": cvs,  # removed by summarize(); kept for pooling
    }


def summarize(populations: Mapping[str, Tuple[np.ndarray, np.ndarray, int]],
              t_start_ms: float, t_stop_ms: float,
              min_spikes: int = MIN_SPIKES_FOR_CV) -> dict:
    """Statistics per population and overall.

    populations: name -> (timestamps_ms, node_ids, population_size).
    Returns {"window_ms": [start, stop], "min_spikes_for_cv": k,
             "populations": {name: {...}}, "overall": {...}}.
    """
    per_pop: Dict[str, dict] = {}
    all_cvs = []
    total_spikes = 0
    total_neurons = 0
    for name, (times_ms, node_ids, size) in populations.items():
        st = population_stats(times_ms, node_ids, size, t_start_ms, t_stop_ms, min_spikes)
        all_cvs.append(st.pop("_cvs"))
        total_spikes += st["n_spikes"]
        total_neurons += st["size"]
        per_pop[name] = st
    cvs = np.concatenate(all_cvs) if all_cvs else np.empty(0)
    overall = {
        "size": total_neurons,
        "n_spikes": total_spikes,
        "rate_hz": mean_rate_hz(total_spikes, total_neurons, t_stop_ms - t_start_ms),
        "cv_isi_mean": float(cvs.mean()) if cvs.size else math.nan,
        "n_cv_neurons": int(cvs.size),
    }
    return {
        "window_ms": [float(t_start_ms), float(t_stop_ms)],
        "min_spikes_for_cv": int(min_spikes),
        "populations": per_pop,
        "overall": overall,
    }


def _bin_index(times_ms: np.ndarray, t_start_ms: float, bin_ms: float) -> np.ndarray:
    # The 1e-6-bin nudge puts spikes stored as e.g. 204.99999999999997 ms (k * dt in floating
    # point) into the bin that starts at 205 ms, where they belong on the dt grid.
    return np.floor((times_ms - t_start_ms) / bin_ms + 1e-6).astype(np.int64)


def synchrony_chi(times_ms: np.ndarray, node_ids: np.ndarray, n_neurons_sampled: int = 1000,
                  bin_ms: float = 5.0, *, t_start_ms: float, t_stop_ms: float) -> float:
    """Golomb's synchrony measure chi of neurons 0..n_neurons_sampled-1 (see module docstring).

    Spike counts in bins of bin_ms tiling [t_start_ms, t_stop_ms) (a partial last bin is
    dropped); spikes of neurons with id >= n_neurons_sampled are ignored. Returns NaN if no
    sampled neuron's count varies.
    """
    if n_neurons_sampled <= 0 or bin_ms <= 0:
        raise ValueError("n_neurons_sampled and bin_ms must be positive")
    n_bins = int(math.floor((t_stop_ms - t_start_ms) / bin_ms + 1e-9))
    if n_bins < 2:
        raise ValueError(f"window [{t_start_ms}, {t_stop_ms}) ms holds fewer than 2 bins of {bin_ms} ms")
    t, ids = _window(times_ms, node_ids, t_start_ms, t_start_ms + n_bins * bin_ms)
    if ids.size and ids.min() < 0:
        raise ValueError("negative node ids")
    sel = ids < n_neurons_sampled
    b = np.clip(_bin_index(t[sel], t_start_ms, bin_ms), 0, n_bins - 1)
    counts = np.zeros((n_neurons_sampled, n_bins))
    np.add.at(counts, (ids[sel], b), 1.0)
    denom = counts.var(axis=1).mean()            # mean_i var_t(n_i(t))
    if denom == 0:
        return math.nan
    return float(math.sqrt(counts.mean(axis=0).var() / denom))   # var_t(mean_i n_i(t))


def rate_power_spectrum(times_ms: np.ndarray, n_neurons: int, t_start_ms: float,
                        t_stop_ms: float, bin_ms: float = 0.1,
                        segment_ms: float = 100.0) -> Tuple[np.ndarray, np.ndarray]:
    """Welch power spectrum of the population rate (Hz) of `n_neurons` neurons.

    Rate r(t) = spikes in [t, t + bin_ms) / n_neurons / bin_ms inside [t_start_ms, t_stop_ms)
    (all spikes passed are counted); segments of segment_ms, 50 % overlap, Hann window, each
    segment's mean removed; returns (frequencies_hz, mean |FFT|^2 over segments), unnormalised.
    """
    if n_neurons <= 0 or bin_ms <= 0:
        raise ValueError("n_neurons and bin_ms must be positive")
    times_ms = np.asarray(times_ms, dtype=np.float64)
    n_samples = int(math.floor((t_stop_ms - t_start_ms) / bin_ms + 1e-9))
    seg = int(round(segment_ms / bin_ms))
    if seg < 4 or n_samples < seg:
        raise ValueError(f"window [{t_start_ms}, {t_stop_ms}) ms is shorter than one "
                         f"{segment_ms} ms segment (or the segment is under 4 bins)")
    t = times_ms[(times_ms >= t_start_ms) & (times_ms < t_start_ms + n_samples * bin_ms)]
    b = np.clip(_bin_index(t, t_start_ms, bin_ms), 0, n_samples - 1)
    rate = np.bincount(b, minlength=n_samples) / n_neurons / (bin_ms * 1e-3)
    step = max(seg // 2, 1)
    window = np.hanning(seg)
    power = np.zeros(seg // 2 + 1)
    n_seg = 0
    for s in range(0, n_samples - seg + 1, step):
        x = rate[s:s + seg]
        power += np.abs(np.fft.rfft((x - x.mean()) * window)) ** 2
        n_seg += 1
    return np.fft.rfftfreq(seg, d=bin_ms * 1e-3), power / n_seg


def rate_spectrum_peak_hz(times_ms: np.ndarray, n_neurons: int, t_start_ms: float,
                          t_stop_ms: float, bin_ms: float = 0.1, min_hz: float = 20.0,
                          segment_ms: float = 100.0) -> float:
    """Frequency (Hz) of the largest Welch power of the population rate above min_hz.

    See `rate_power_spectrum`; the result is a multiple of 1000 / segment_ms Hz (10 Hz).
    """
    f, p = rate_power_spectrum(times_ms, n_neurons, t_start_ms, t_stop_ms, bin_ms, segment_ms)
    above = f > min_hz
    if not above.any():
        raise ValueError(f"no frequency above {min_hz} Hz (Nyquist {f[-1]} Hz)")
    return float(f[above][np.argmax(p[above])])


def load_sonata_spikes(path: str, population_sizes: Mapping[str, int],
                       names: Optional[Iterable[str]] = None
                       ) -> Dict[str, Tuple[np.ndarray, np.ndarray, int]]:
    """Read /spikes/<pop>/{timestamps,node_ids} from a SONATA/NDML file with h5py.

    Returns the mapping `summarize` takes. A population listed in `names` (default: all of
    `population_sizes`) with no group in the file raises KeyError.
    """
    import h5py  # local import: the Brian2 benchmark does not need h5py

    out = {}
    with h5py.File(path, "r") as f:
        for name in (names if names is not None else population_sizes.keys()):
            grp = f["spikes"][name]
            out[name] = (grp["timestamps"][()].astype(np.float64),
                         grp["node_ids"][()].astype(np.int64),
                         int(population_sizes[name]))
    return out


def json_safe(obj):
    """The same structure with NaN/inf floats replaced by None (JSON has no NaN)."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_safe(v) for v in obj]
    return obj


def ks_2samp(a, b) -> tuple[float, float]:
    """Two-sample Kolmogorov–Smirnov test: (D, asymptotic p-value) with the Kolmogorov series
    Q(λ) = 2 Σ (−1)^(k−1) e^(−2k²λ²), λ = (√n_e + 0.12 + 0.11/√n_e)·D, n_e = n·m/(n + m)
    (Numerical Recipes' form; scipy's 'asymp' mode agrees to a few 1e-3 at these sizes)."""
    a = np.sort(np.asarray(a, dtype=float))
    b = np.sort(np.asarray(b, dtype=float))
    grid = np.concatenate([a, b])
    cdf_a = np.searchsorted(a, grid, side="right") / len(a)
    cdf_b = np.searchsorted(b, grid, side="right") / len(b)
    d = float(np.max(np.abs(cdf_a - cdf_b)))
    ne = len(a) * len(b) / (len(a) + len(b))
    lam = (np.sqrt(ne) + 0.12 + 0.11 / np.sqrt(ne)) * d
    if lam < 1e-3:
        return d, 1.0
    k = np.arange(1, 101)
    p = float(2 * np.sum((-1.0) ** (k - 1) * np.exp(-2 * k**2 * lam**2)))
    return d, min(max(p, 0.0), 1.0)


def oscillation_index(times_ms: np.ndarray, n_neurons: int, t_start_ms: float, t_stop_ms: float,
                      bin_ms: float = 0.5, segment_ms: float = 200.0, min_hz: float = 5.0) -> dict:
    """The population-oscillation measures of NDML's network-state classifier (written
    independently of it, with NumPy's FFT), for the spikes in [t_start_ms, t_stop_ms):

    * peak_hz: frequency of the largest Welch power (`rate_power_spectrum`) at or above min_hz;
    * index: that power over the flat spectrum of n_neurons independent Poisson neurons at the
      measured mean rate nu, nu / (n_neurons * bin) * sum(hann^2);
    * amplitude: the relative amplitude a of r(t) = nu (1 + a cos 2 pi f t) that gives that peak,
      2 sqrt(power) / (nu * sum(hann)).
    """
    times_ms = np.asarray(times_ms, dtype=np.float64)
    f, p = rate_power_spectrum(times_ms, n_neurons, t_start_ms, t_stop_ms, bin_ms, segment_ms)
    window_s = (t_stop_ms - t_start_ms) / 1000
    nu = np.count_nonzero((times_ms >= t_start_ms) & (times_ms < t_stop_ms)) / n_neurons / window_s
    keep = f >= min_hz
    k = int(np.argmax(p[keep]))
    peak, power = float(f[keep][k]), float(p[keep][k])
    hann = np.hanning(int(round(segment_ms / bin_ms)))
    floor = nu / (n_neurons * bin_ms * 1e-3) * float(np.sum(hann ** 2))
    return {"peak_hz": peak, "index": power / floor if floor > 0 else 0.0,
            "amplitude": 2 * math.sqrt(power) / (nu * float(np.sum(hann))) if nu > 0 else 0.0, "rate_hz": nu}
