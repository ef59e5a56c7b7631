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
