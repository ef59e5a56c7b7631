"""End-to-end tests of `ndml analyze FILE [options]` against known answers.

Every test runs the real CLI and compares its output with an answer known independently of NDML:

* synthetic spike files written here with h5py in NDML's results layout (`write_spike_file`), made of
  spike trains whose statistics are known in closed form (Poisson: CV = Fano = 1, correlation 0;
  regular trains: CV = 0, Fano exactly 0 or 0.8, correlations exactly +1 / -1/4; a shared "mother"
  process thinned with probability c: pairwise count correlation c, Golomb's chi = sqrt(c + (1-c)/N);
  a rate modulated at 40 Hz: spectral peak at 40 Hz);
* the reference statistics of `spikestats.py` (rates, CV of ISI, synchrony chi, Welch rate spectrum),
  which `ndml analyze` must reproduce to 1e-9 relative;
* `reference_population` below: a direct NumPy transcription of the statistics the `analyze` spec
  defines that spikestats does not have (rate percentiles, Fano factor, sampled pairwise correlation);
* real NDML runs (experiments/cuba.yaml, experiments/stdp_pair_window.yaml) read with h5py.

The spec these tests encode (`ndml analyze FILE [--json] [-o OUT.h5] [--population NAME ...]
[--start-ms] [--stop-ms] [--bin-ms 10] [--correlation-neurons 200] [--chi-bin-ms 5]
[--chi-neurons 1000] [--spectrum-bin-ms 0.1] [--segment-ms 100] [--min-hz 20]`): exit 0 on success;
on bad input one clear line on stderr naming the file (and population where relevant), exit 1, never
a crash (no signal, no Swift "Fatal error"/backtrace). JSON has NaN written as null.

Choices made where the spec is silent (each is marked "ASSUMPTION" where it is used):
* Fano/correlation bins use the same bin index as spikestats (floor((t - start)/bin + 1e-6)): NDML's
  spike times are k*dt in floating point (e.g. 204.99999999999997 ms belongs to the bin at 205 ms).
* "pairs" counts unordered pairs, m'(m'-1)/2, of the m' sampled neurons whose count varies;
  "neurons_sampled" is m = min(active neurons, --correlation-neurons), before the variance filter.
* rate p10/p90: any standard percentile definition is accepted (value between the order statistics
  that bracket the linear-interpolation position); the median must equal numpy's median exactly.
* rate histogram: the edge convention is free (a rate on an interior edge may count on either side);
  the counts must add up to the population size and cover every neuron's rate.
* weights "std" is the population standard deviation (ddof = 0), like every other std of the spec.
* -o attribute names are not fixed by the spec: every non-null scalar of the population's JSON must be
  an attribute of /analysis/<population> whose name holds the JSON key's words (and the section's
  word, e.g. "chi", when several attributes share the key); see `_attribute_candidates`.
* A population with no spike in the window: rate mean 0 and silent_fraction 1 (they are defined);
  cv/fano/correlation/chi null; the spectrum's power all 0 and its peak either null or spikestats'.
"""

from __future__ import annotations

import hashlib
import json
import math
import shutil
import subprocess
from pathlib import Path

import h5py
import numpy as np
import pytest

import spikestats

DT_MS = 0.1
REL = 1e-9  # relative tolerance of "equals the reference" comparisons

DEFAULTS = {"bin_ms": 10.0, "correlation_neurons": 200, "chi_bin_ms": 5.0, "chi_neurons": 1000,
            "spectrum_bin_ms": 0.1, "segment_ms": 100.0, "min_hz": 20.0}

CRASH_MARKERS = ("Fatal error", "fatal error", "Backtrace", "backtrace", "Stack dump", "Segmentation fault",
                 "Current stack trace", "Illegal instruction", "Thread 0 crashed")


# ---------------------------------------------------------------------------------------------------
# Helpers: synthetic files, running the CLI, reference statistics


def write_spike_file(path, populations, duration_ms, *, extra_populations=(), weights=None, plateaus=None):
    """Write a synthetic results file in NDML's layout (docs/results-format.md).

    populations: name -> (times_ms, node_ids, size). Spikes are stored under /spikes/<name>
    (timestamps float64 with units="ms", node_ids uint64, group attribute sorting = by_time enum),
    sorted by time then id; every population gets /ndml/populations/<name> with size (int64) and
    model="spike_source". /ndml carries status="complete", duration_ms, dt_ms=0.1, version="synthetic".
    extra_populations: names of (size, model) listed under /ndml/populations but not recorded.
    weights: projection -> (time_ms [n], weights [n, k], units): written as /weights/<projection>.
    plateaus: projection -> plateau times (ms): written as /plateaus/<projection>.
    """
    path = Path(path)
    str_t = h5py.string_dtype("utf-8")
    sorting_t = h5py.enum_dtype({"none": 0, "by_id": 1, "by_time": 2}, basetype="u1")
    with h5py.File(path, "w") as f:
        for name, (times, ids, size) in populations.items():
            times = np.asarray(times, dtype=np.float64)
            ids = np.asarray(ids, dtype=np.uint64)
            order = np.lexsort((ids, times))
            g = f.create_group(f"spikes/{name}")
            g.attrs.create("sorting", 2, dtype=sorting_t)
            ts = g.create_dataset("timestamps", data=times[order], dtype="f8")
            ts.attrs.create("units", "ms", dtype=str_t)
            g.create_dataset("node_ids", data=ids[order], dtype="u8")
        nd = f.create_group("ndml")
        for key, value in (("status", "complete"), ("version", "synthetic"), ("precision", "float64"),
                           ("backend", "cpu")):
            nd.attrs.create(key, value, dtype=str_t)
        nd.attrs.create("duration_ms", float(duration_ms), dtype="f8")
        nd.attrs.create("dt_ms", DT_MS, dtype="f8")
        nd.attrs.create("seed", 1, dtype="i8")
        nd.create_dataset("config", data="# synthetic file written by Tests/python/test_analyze.py\n",
                          dtype=str_t)
        pops = nd.create_group("populations")
        listed = {name: (size, "spike_source") for name, (_, _, size) in populations.items()}
        listed.update(dict(extra_populations))
        for name, (size, model) in listed.items():
            p = pops.create_group(name)
            p.attrs.create("size", int(size), dtype="i8")
            p.attrs.create("model", model, dtype=str_t)
        for proj, (t, w, units) in (weights or {}).items():
            g = f.create_group(f"weights/{proj}")
            w = np.asarray(w, dtype=np.float64)
            g.create_dataset("time", data=np.asarray(t, dtype=np.float64)).attrs.create("units", "ms", dtype=str_t)
            g.create_dataset("weights", data=w).attrs.create("units", units, dtype=str_t)
            g.create_dataset("source_ids", data=np.arange(w.shape[1], dtype=np.uint64))
            g.create_dataset("target_ids", data=np.arange(w.shape[1], dtype=np.uint64))
            edges = np.linspace(w.min(), w.max() + 1.0, 5)
            g.create_dataset("bin_edges", data=edges).attrs.create("units", units, dtype=str_t)
            g.create_dataset("histogram", data=np.stack([np.histogram(row, edges)[0] for row in w]).astype(np.uint64))
        for proj, times in (plateaus or {}).items():
            g = f.create_group(f"plateaus/{proj}")
            g.attrs.create("target", "post", dtype=str_t)
            g.attrs.create("duration_ms", 300.0, dtype="f8")
            g.create_dataset("timestamps", data=np.asarray(times, dtype=np.float64)).attrs.create(
                "units", "ms", dtype=str_t)
            g.create_dataset("node_ids", data=np.zeros(len(times), dtype=np.uint64))
    return path


def on_grid(times_ms):
    """Spike times as NDML stamps them: multiples k*dt of the time step, computed as k * 0.1."""
    return np.round(np.asarray(times_ms) / DT_MS) * DT_MS


def poisson_population(rng, n, rate_hz, duration_ms):
    """Independent Poisson trains on the dt grid (at most one spike per neuron and step), times in (0, T]."""
    times, ids = [], []
    for i in range(n):
        k = rng.poisson(rate_hz * duration_ms * 1e-3)
        steps = np.unique(rng.integers(1, int(round(duration_ms / DT_MS)) + 1, size=k))
        times.append(steps * DT_MS)
        ids.append(np.full(steps.size, i))
    return np.concatenate(times), np.concatenate(ids), n


def thinned_mother(rng, neuron_ids, rate_hz, c, duration_ms):
    """Neurons `neuron_ids` each keep every spike of one shared Poisson "mother" train of rate rate_hz/c
    independently with probability c: each is Poisson at rate_hz, and the count correlation of any
    pair in any bin is exactly c in expectation."""
    n_steps = int(round(duration_ms / DT_MS))
    mother = np.unique(rng.integers(1, n_steps + 1, size=rng.poisson(rate_hz / c * duration_ms * 1e-3)))
    times, ids = [], []
    for i in neuron_ids:
        kept = mother[rng.random(mother.size) < c]
        times.append(kept * DT_MS)
        ids.append(np.full(kept.size, i))
    return np.concatenate(times), np.concatenate(ids)


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def ndml(ndml_bin, repo_root, *args, timeout=300):
    """Run `ndml <args>` and return the CompletedProcess whatever its status."""
    return subprocess.run([str(ndml_bin), *map(str, args)], cwd=repo_root, capture_output=True, text=True,
                          timeout=timeout)


def _no_nan_tokens(token):
    raise AssertionError(f"analyze --json printed {token!r}: the spec writes NaN as null")


def analyze_json(run_ndml, path, *options):
    """`ndml analyze PATH --json OPTIONS`, parsed (exit 0 required; NaN/Infinity tokens are refused)."""
    proc = run_ndml("analyze", path, "--json", *options)
    try:
        return json.loads(proc.stdout, parse_constant=_no_nan_tokens)
    except json.JSONDecodeError as exc:
        pytest.fail(f"analyze --json printed no valid JSON ({exc}):\n{proc.stdout[:2000]}\n{proc.stderr}",
                    pytrace=False)


def assert_close(actual, expected, what, rel=REL, abs_tol=0.0):
    """actual == expected to `rel` relative (None stands for NaN on both sides)."""
    if expected is None or (isinstance(expected, float) and math.isnan(expected)):
        assert actual is None, f"{what}: {actual!r}, expected null (NaN)"
        return
    assert actual is not None, f"{what}: null, expected {expected!r}"
    assert math.isclose(actual, expected, rel_tol=rel, abs_tol=abs_tol), f"{what}: {actual!r}, expected {expected!r}"


def _bin_counts(times, ids, size, start, stop, bin_ms):
    """Spike counts (size x n_bins) in bins of bin_ms tiling [start, stop); a partial last bin is
    dropped. ASSUMPTION: the bin index is spikestats' (with its 1e-6-bin nudge for k*dt times)."""
    n_bins = int(math.floor((stop - start) / bin_ms + 1e-9))
    times = np.asarray(times, dtype=np.float64)
    ids = np.asarray(ids, dtype=np.int64)
    keep = (times >= start) & (times < start + n_bins * bin_ms)
    b = np.clip(spikestats._bin_index(times[keep], start, bin_ms), 0, n_bins - 1)
    counts = np.zeros((size, n_bins))
    np.add.at(counts, (ids[keep], b), 1.0)
    return counts


def reference_population(times, ids, size, start, stop, **options):
    """The analyze statistics of one population, transcribed from the spec with NumPy/spikestats.

    Returns a dict shaped like the JSON's population entry (NaN where the JSON has null).
    """
    o = {**DEFAULTS, **options}
    times = np.asarray(times, dtype=np.float64)
    ids = np.asarray(ids, dtype=np.int64)
    keep = (times >= start) & (times < stop)
    tw, iw = times[keep], ids[keep]
    window_s = (stop - start) * 1e-3
    per_neuron = np.bincount(iw, minlength=size).astype(np.float64)
    rates = per_neuron / window_s
    cvs = spikestats.cv_isi_per_neuron(tw, iw, size)

    counts = _bin_counts(times, ids, size, start, stop, o["bin_ms"])
    means = counts.mean(axis=1)
    fanos = counts[means > 0].var(axis=1) / means[means > 0]

    active = np.nonzero(per_neuron > 0)[0]
    m = min(active.size, int(o["correlation_neurons"]))
    sampled = active[(np.arange(m) * active.size) // m] if m else active[:0]
    sc = counts[sampled]
    sc = sc[sc.var(axis=1) > 0]
    if sc.shape[0] >= 2:
        r = np.corrcoef(sc)
        off = r[~np.eye(sc.shape[0], dtype=bool)]
        corr_mean, corr_std = float(off.mean()), float(off.std())
    else:
        corr_mean = corr_std = math.nan
    n_chi = min(size, int(o["chi_neurons"]))
    chi = spikestats.synchrony_chi(times, ids, n_chi, o["chi_bin_ms"], t_start_ms=start, t_stop_ms=stop)
    freqs, power = spikestats.rate_power_spectrum(times, size, start, stop, o["spectrum_bin_ms"], o["segment_ms"])
    peak = spikestats.rate_spectrum_peak_hz(times, size, start, stop, o["spectrum_bin_ms"], o["min_hz"],
                                            o["segment_ms"])
    return {
        "size": size, "spikes": int(tw.size),
        "rate_hz": {"mean": float(rates.mean()), "std": float(rates.std()), "median": float(np.median(rates)),
                    "silent_fraction": float(np.mean(per_neuron == 0)), "_rates": rates},
        "cv_isi": {"mean": float(cvs.mean()) if cvs.size else math.nan,
                   "median": float(np.median(cvs)) if cvs.size else math.nan, "neurons": int(cvs.size)},
        "fano": {"mean": float(fanos.mean()) if fanos.size else math.nan, "bin_ms": o["bin_ms"],
                 "neurons": int(fanos.size)},
        "correlation": {"mean": corr_mean, "std": corr_std, "pairs": sc.shape[0] * (sc.shape[0] - 1) // 2,
                        "neurons_sampled": int(m), "bin_ms": o["bin_ms"]},
        "chi": {"value": chi, "bin_ms": o["chi_bin_ms"], "neurons": n_chi},
        "spectrum": {"peak_hz": peak, "peak_power": float(power[freqs == peak][0]), "bin_ms": o["spectrum_bin_ms"],
                     "segment_ms": o["segment_ms"], "min_hz": o["min_hz"], "frequencies_hz": freqs, "power": power},
    }


def check_rate_histogram(got, rates, name):
    """Counts add up to the population and agree with the edges (any edge convention)."""
    edges = np.asarray(got["bin_edges_hz"], dtype=float)
    counts = np.asarray(got["counts"])
    assert edges.size == counts.size + 1 and counts.size >= 1, f"{name}: {edges.size} edges for {counts.size} bins"
    assert np.all(np.diff(edges) > 0), f"{name}: bin edges not increasing: {edges}"
    assert counts.sum() == rates.size, f"{name}: histogram holds {counts.sum()} neurons, population {rates.size}"
    tol = 1e-9 * max(1.0, abs(edges[-1]))
    assert rates.min() >= edges[0] - tol and rates.max() <= edges[-1] + tol, \
        f"{name}: rates [{rates.min()}, {rates.max()}] outside the edges [{edges[0]}, {edges[-1]}]"
    for k in range(counts.size):
        inside = np.sum((rates > edges[k] + tol) & (rates < edges[k + 1] - tol))
        closed = np.sum((rates >= edges[k] - tol) & (rates <= edges[k + 1] + tol))
        assert inside <= counts[k] <= closed, \
            f"{name}: bin [{edges[k]}, {edges[k + 1]}) counts {counts[k]}, holds {inside}..{closed} rates"


def check_percentile(value, rates, q, what):
    """ASSUMPTION: any standard percentile definition: between the bracketing order statistics."""
    s = np.sort(rates)
    pos = q * (s.size - 1)
    lo, hi = s[max(int(math.floor(pos)) - 1, 0)], s[min(int(math.ceil(pos)) + 1, s.size - 1)]
    assert value is not None and lo - 1e-9 <= value <= hi + 1e-9, f"{what}: {value}, expected in [{lo}, {hi}]"


def check_population(got, ref, name):
    """Every statistic of a JSON population entry equals the reference (to REL)."""
    assert got["size"] == ref["size"], f"{name}: size {got['size']} != {ref['size']}"
    assert got["spikes"] == ref["spikes"], f"{name}: spikes {got['spikes']} != {ref['spikes']}"
    for key in ("mean", "std", "median", "silent_fraction"):
        assert_close(got["rate_hz"][key], ref["rate_hz"][key], f"{name} rate_hz.{key}", abs_tol=1e-12)
    rates = ref["rate_hz"]["_rates"]
    check_percentile(got["rate_hz"]["p10"], rates, 0.1, f"{name} rate_hz.p10")
    check_percentile(got["rate_hz"]["p90"], rates, 0.9, f"{name} rate_hz.p90")
    check_rate_histogram(got["rate_histogram"], rates, name)
    for section, keys in (("cv_isi", ("mean", "median", "neurons")), ("fano", ("mean", "bin_ms", "neurons")),
                          ("correlation", ("mean", "std", "pairs", "neurons_sampled", "bin_ms")),
                          ("chi", ("value", "bin_ms", "neurons")),
                          ("spectrum", ("peak_hz", "bin_ms", "segment_ms", "min_hz"))):
        for key in keys:
            # Values near 0 (a correlation mean, the CV of regular trains: rounding noise ~1e-15)
            # are compared absolutely; all these statistics are O(0.01) or larger when nonzero.
            assert_close(got[section][key], ref[section][key], f"{name} {section}.{key}", abs_tol=1e-12)
    f_ref, p_ref = ref["spectrum"]["frequencies_hz"], ref["spectrum"]["power"]
    f_got = np.asarray(got["spectrum"]["frequencies_hz"], dtype=float)
    p_got = np.asarray(got["spectrum"]["power"], dtype=float)
    assert f_got.shape == f_ref.shape, f"{name}: {f_got.size} spectrum frequencies, spikestats {f_ref.size}"
    np.testing.assert_allclose(f_got, f_ref, rtol=REL, atol=1e-9, err_msg=f"{name} spectrum frequencies")
    # The DFT's rounding is relative to the largest power, so small entries get an absolute slack.
    np.testing.assert_allclose(p_got, p_ref, rtol=REL, atol=REL * max(p_ref.max(), 1e-300),
                               err_msg=f"{name} spectrum power")
    assert_close(got["spectrum"]["peak_power"], ref["spectrum"]["peak_power"], f"{name} spectrum.peak_power",
                 abs_tol=REL * p_ref.max())


def check_error(proc, *needles):
    """A refused input: exit 1 (not a signal), one line on stderr naming `needles`, no crash text."""
    where = f"exit {proc.returncode}\n--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"
    assert proc.returncode == 1, where
    for marker in CRASH_MARKERS:
        assert marker not in proc.stderr and marker not in proc.stdout, f"crash text {marker!r}: {where}"
    for needle in needles:
        assert str(needle) in proc.stderr, f"stderr does not name {needle!r}: {where}"
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, f"expected a one-line error, got {len(lines)} lines: {where}"


# ---------------------------------------------------------------------------------------------------
# Synthetic files (built once per module)

POISSON_N, POISSON_HZ, POISSON_T = 200, 20.0, 20_000.0
REGULAR_N, REGULAR_PERIOD, REGULAR_T = 100, 50.0, 10_000.0
CORR_N, CORR_HZ, CORR_C, CORR_T = 100, 10.0, 0.3, 20_000.0
OSC_N, OSC_T, OSC_F = 500, 5_000.0, 40.0


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """Synthetic files: name -> (path, populations dict as passed to write_spike_file)."""
    tmp = tmp_path_factory.mktemp("analyze")
    files = {}

    # 1. Poisson, plus a population listed in /ndml/populations but never recorded.
    rng = np.random.default_rng(20240601)
    pops = {"poisson": poisson_population(rng, POISSON_N, POISSON_HZ, POISSON_T)}
    files["poisson"] = (write_spike_file(tmp / "poisson.h5", pops, POISSON_T,
                                         extra_populations=[("unrecorded", (50, "lif_cuba"))]), pops)

    # 2. Regular trains of period 50 ms; neuron i's phase lies strictly inside 10 ms slot i % 5
    #    (never on a 10 ms or 50 ms bin edge), so every neuron has exactly 200 spikes in [0, T).
    rng = np.random.default_rng(7)
    slot = np.arange(REGULAR_N) % 5
    phase_steps = slot * 100 + rng.integers(1, 100, size=REGULAR_N)   # in (slot*10, slot*10+10) ms
    k = np.arange(int(REGULAR_T / REGULAR_PERIOD))
    times = ((phase_steps[:, None] + 500 * k[None, :]) * DT_MS).ravel()
    ids = np.repeat(np.arange(REGULAR_N), k.size)
    pops = {"regular": (times, ids, REGULAR_N)}
    files["regular"] = (write_spike_file(tmp / "regular.h5", pops, REGULAR_T), pops)

    # 3. Correlated pairs: "pairs" = one mother for all; "groups" = 120 neurons, every 6th silent,
    #    active neuron j in group j % 4 (4 mothers): sampling every 4th active neuron picks one group.
    rng = np.random.default_rng(31337)
    t_pairs, i_pairs = thinned_mother(rng, range(CORR_N), CORR_HZ, CORR_C, CORR_T)
    active = [i for i in range(120) if i % 6 != 5]
    t_groups, i_groups = [], []
    for g in range(4):
        t, i = thinned_mother(rng, active[g::4], CORR_HZ, CORR_C, CORR_T)
        t_groups.append(t)
        i_groups.append(i)
    pops = {"pairs": (t_pairs, i_pairs, CORR_N),
            "groups": (np.concatenate(t_groups), np.concatenate(i_groups), 120)}
    files["correlated"] = (write_spike_file(tmp / "correlated.h5", pops, CORR_T), pops)

    # 4. Rate 20 (1 + 0.8 sin(2 pi 40 t)) Hz by thinning a 36 Hz Poisson process.
    rng = np.random.default_rng(4040)
    t, i, _ = poisson_population(rng, OSC_N, 36.0, OSC_T)
    rate = 20.0 * (1 + 0.8 * np.sin(2 * np.pi * OSC_F * t * 1e-3))
    keep = rng.random(t.size) < rate / 36.0
    pops = {"osc": (t[keep], i[keep], OSC_N)}
    files["osc"] = (write_spike_file(tmp / "osc.h5", pops, OSC_T), pops)
    return files


# ---------------------------------------------------------------------------------------------------
# 1. Poisson trains


def test_poisson_known_answers_and_reference(run_ndml, synthetic):
    """Independent 20 Hz Poisson trains (200 neurons, 20 s): rate 20 Hz within 3 standard errors,
    CV ~ 1, Fano ~ 1, pairwise correlation ~ 0 with spread 1/sqrt(n_bins); every statistic equals the
    NumPy/spikestats reference (chi and spectrum to 1e-9 relative)."""
    path, pops = synthetic["poisson"]
    out = analyze_json(run_ndml, path)
    assert out["window_ms"] == [0.0, POISSON_T]
    assert Path(out["file"]).name == path.name
    assert set(out["populations"]) == {"poisson"}, "default: every population with recorded spikes only"
    got = out["populations"]["poisson"]
    check_population(got, reference_population(*pops["poisson"], 0.0, POISSON_T), "poisson")

    sem = math.sqrt(POISSON_HZ / (POISSON_T * 1e-3)) / math.sqrt(POISSON_N)
    assert abs(got["rate_hz"]["mean"] - POISSON_HZ) < 3 * sem, got["rate_hz"]
    assert abs(got["cv_isi"]["mean"] - 1.0) < 0.05 and got["cv_isi"]["neurons"] == POISSON_N, got["cv_isi"]
    assert abs(got["fano"]["mean"] - 1.0) < 0.05 and got["fano"]["neurons"] == POISSON_N, got["fano"]
    corr = got["correlation"]
    assert abs(corr["mean"]) < 0.01, corr
    n_bins = POISSON_T / 10.0
    assert abs(corr["std"] - 1 / math.sqrt(n_bins)) < 0.1 / math.sqrt(n_bins), corr
    assert corr["neurons_sampled"] == POISSON_N and corr["pairs"] == POISSON_N * (POISSON_N - 1) // 2, corr
    assert got["rate_hz"]["silent_fraction"] == 0.0
    assert got["chi"]["neurons"] == POISSON_N and got["chi"]["value"] < 3 / math.sqrt(POISSON_N), got["chi"]


def test_options_reach_every_statistic(run_ndml, synthetic):
    """Non-default --bin-ms, --correlation-neurons, --chi-bin-ms, --chi-neurons, --spectrum-bin-ms,
    --segment-ms and --min-hz: the statistics follow the reference computed with the same options."""
    path, pops = synthetic["poisson"]
    opts = {"bin_ms": 20.0, "correlation_neurons": 50, "chi_bin_ms": 2.0, "chi_neurons": 120,
            "spectrum_bin_ms": 0.5, "segment_ms": 200.0, "min_hz": 50.0}
    args = [a for k, v in opts.items() for a in (f"--{k.replace('_', '-')}", f"{v:g}")]
    got = analyze_json(run_ndml, path, *args)["populations"]["poisson"]
    check_population(got, reference_population(*pops["poisson"], 0.0, POISSON_T, **opts), "poisson")
    assert got["correlation"]["neurons_sampled"] == 50 and got["chi"]["neurons"] == 120
    assert got["spectrum"]["peak_hz"] > 50.0 and math.isclose(got["spectrum"]["frequencies_hz"][1], 5.0)


# ---------------------------------------------------------------------------------------------------
# 2. Regular trains


def test_regular_trains_exact_values(run_ndml, synthetic):
    """Period-50 ms trains: CV exactly 0; Fano exactly 0 with 50 ms bins (one spike per bin) and exactly
    0.8 with 10 ms bins (0/1 counts of mean 0.2); all rates 20 Hz; with 50 ms bins no count varies, so
    no correlation pair exists (null); with 10 ms bins neurons in the same 10 ms slot correlate +1 and
    in different slots -1/4, which fixes the mean and std of the coefficients exactly."""
    path, pops = synthetic["regular"]
    ref10 = reference_population(*pops["regular"], 0.0, REGULAR_T)
    out10 = analyze_json(run_ndml, path)["populations"]["regular"]
    check_population(out10, ref10, "regular")
    assert out10["cv_isi"]["mean"] < 1e-9 and out10["cv_isi"]["neurons"] == REGULAR_N, out10["cv_isi"]
    assert math.isclose(out10["fano"]["mean"], 0.8, rel_tol=1e-12), out10["fano"]
    for key in ("mean", "median", "p10", "p90"):
        assert math.isclose(out10["rate_hz"][key], 20.0, rel_tol=1e-12), out10["rate_hz"]
    assert out10["rate_hz"]["std"] < 1e-9 and out10["rate_hz"]["silent_fraction"] == 0.0
    slot = np.arange(REGULAR_N) % 5
    same = (slot[:, None] == slot[None, :])[~np.eye(REGULAR_N, dtype=bool)]
    coeffs = np.where(same, 1.0, -0.25)
    assert math.isclose(out10["correlation"]["mean"], coeffs.mean(), rel_tol=1e-9), out10["correlation"]
    assert math.isclose(out10["correlation"]["std"], coeffs.std(), rel_tol=1e-9), out10["correlation"]

    out50 = analyze_json(run_ndml, path, "--bin-ms", "50")["populations"]["regular"]
    assert out50["fano"]["mean"] == 0.0 and out50["fano"]["neurons"] == REGULAR_N, out50["fano"]
    corr = out50["correlation"]
    assert corr["mean"] is None and corr["std"] is None and corr["pairs"] == 0, corr
    assert corr["neurons_sampled"] == REGULAR_N and corr["bin_ms"] == 50.0, corr


# ---------------------------------------------------------------------------------------------------
# 3. Correlated trains


def test_correlated_population_matches_set_correlation(run_ndml, synthetic):
    """Thinned-mother trains with set pairwise correlation c = 0.3: mean count correlation within 0.03
    of c, Fano ~ 1, rate ~ 10 Hz, and Golomb's chi ~ sqrt(c + (1 - c)/N); all equal the reference."""
    path, pops = synthetic["correlated"]
    got = analyze_json(run_ndml, path, "--population", "pairs")["populations"]
    assert set(got) == {"pairs"}, "--population restricts the output"
    got = got["pairs"]
    check_population(got, reference_population(*pops["pairs"], 0.0, CORR_T), "pairs")
    assert abs(got["correlation"]["mean"] - CORR_C) < 0.03, got["correlation"]
    assert abs(got["fano"]["mean"] - 1.0) < 0.05, got["fano"]
    assert abs(got["rate_hz"]["mean"] - CORR_HZ) < 0.5, got["rate_hz"]
    chi_expected = math.sqrt(CORR_C + (1 - CORR_C) / CORR_N)
    assert abs(got["chi"]["value"] - chi_expected) < 0.03, (got["chi"], chi_expected)


def test_correlation_sampling_spreads_over_active_neurons(run_ndml, synthetic):
    """120 neurons, every 6th silent; active neuron j belongs to correlated group j % 4 (groups are
    mutually independent). With --correlation-neurons 25 the spec samples active[floor(k*100/25)] =
    active[4k]: all of group 0, mean correlation ~ c. With the default (all 100 active neurons) only
    1200 of 4950 pairs share a group: mean ~ c*1200/4950. Both equal the reference exactly."""
    path, pops = synthetic["correlated"]
    sampled = analyze_json(run_ndml, path, "--population", "groups", "--correlation-neurons", "25")
    got = sampled["populations"]["groups"]
    check_population(got, reference_population(*pops["groups"], 0.0, CORR_T, correlation_neurons=25), "groups")
    assert got["correlation"]["neurons_sampled"] == 25 and got["correlation"]["pairs"] == 300, got["correlation"]
    assert abs(got["correlation"]["mean"] - CORR_C) < 0.03, got["correlation"]
    assert math.isclose(got["rate_hz"]["silent_fraction"], 20 / 120, rel_tol=1e-12)

    full = analyze_json(run_ndml, path, "--population", "groups")["populations"]["groups"]
    check_population(full, reference_population(*pops["groups"], 0.0, CORR_T), "groups")
    assert full["correlation"]["neurons_sampled"] == 100 and full["correlation"]["pairs"] == 4950
    assert abs(full["correlation"]["mean"] - CORR_C * 1200 / 4950) < 0.01, full["correlation"]


# ---------------------------------------------------------------------------------------------------
# 4. Oscillation


def test_oscillating_population_spectral_peak(run_ndml, synthetic):
    """A rate modulated at 40 Hz (500 neurons, 5 s): the spectral peak is 40 Hz and the whole Welch
    spectrum equals spikestats'."""
    path, pops = synthetic["osc"]
    got = analyze_json(run_ndml, path)["populations"]["osc"]
    check_population(got, reference_population(*pops["osc"], 0.0, OSC_T), "osc")
    assert got["spectrum"]["peak_hz"] == OSC_F, got["spectrum"]["peak_hz"]
    # Rate-modulated Poisson neurons share the modulation: chi well above the 1/sqrt(N) of independence.
    assert got["chi"]["value"] > 3 / math.sqrt(OSC_N), got["chi"]


# ---------------------------------------------------------------------------------------------------
# 5. A real NDML run


@pytest.fixture(scope="module")
def cuba_run(run_ndml, tmp_path_factory):
    out = tmp_path_factory.mktemp("analyze_cuba") / "cuba.h5"
    run_ndml("run", "experiments/cuba.yaml", "-o", out, "-q")
    return out


def _load(path):
    with h5py.File(path, "r") as f:
        sizes = {n: int(g.attrs["size"]) for n, g in f["ndml/populations"].items()}
        duration = float(f["ndml"].attrs["duration_ms"])
    return spikestats.load_sonata_spikes(str(path), sizes, names=None), sizes, duration


def test_cuba_run_matches_spikestats(run_ndml, cuba_run):
    """experiments/cuba.yaml (1 s): per population, rates and CV equal spikestats.population_stats,
    chi and the spectrum equal spikestats, and every other statistic equals the reference."""
    spikes, sizes, duration = _load(cuba_run)
    out = analyze_json(run_ndml, cuba_run)
    assert out["window_ms"] == [0.0, duration]
    assert set(out["populations"]) == {"exc", "inh"}
    for name, (t, i, size) in spikes.items():
        got = out["populations"][name]
        st = spikestats.population_stats(t, i, size, 0.0, duration)
        assert got["spikes"] == st["n_spikes"] and got["size"] == size
        assert_close(got["rate_hz"]["mean"], st["rate_hz"], f"{name} rate")
        assert_close(got["cv_isi"]["mean"], st["cv_isi_mean"], f"{name} CV")
        assert got["cv_isi"]["neurons"] == st["n_cv_neurons"]
        chi = spikestats.synchrony_chi(t, i, min(size, 1000), 5.0, t_start_ms=0.0, t_stop_ms=duration)
        assert_close(got["chi"]["value"], chi, f"{name} chi")
        assert got["spectrum"]["peak_hz"] == spikestats.rate_spectrum_peak_hz(t, size, 0.0, duration)
        check_population(got, reference_population(t, i, size, 0.0, duration), name)


def test_table_output(ndml_bin, repo_root, cuba_run):
    """Without --json: exit 0, a table naming each population with (case-insensitive) "rate" and "CV"."""
    proc = ndml(ndml_bin, repo_root, "analyze", cuba_run)
    assert proc.returncode == 0, proc.stderr
    for name in ("exc", "inh"):
        assert name in proc.stdout, proc.stdout
    assert "rate" in proc.stdout.lower() and "cv" in proc.stdout.lower(), proc.stdout
    for marker in CRASH_MARKERS:
        assert marker not in proc.stderr


# ---------------------------------------------------------------------------------------------------
# 6. Weights and plateaus


def test_weights_of_stdp_run(run_ndml, tmp_path):
    """experiments/stdp_pair_window.yaml: the weights section equals per-snapshot mean/std (ddof 0)/
    min/max of /weights/stdp/weights computed with NumPy; units "mV"; no plateaus (no BTSP)."""
    path = tmp_path / "stdp.h5"
    run_ndml("run", "experiments/stdp_pair_window.yaml", "-o", path, "-q")
    with h5py.File(path, "r") as f:
        w = f["weights/stdp/weights"][()]
        t = f["weights/stdp/time"][()]
        edges = f["weights/stdp/bin_edges"][()]
        counts = f["weights/stdp/histogram"][()]
    out = analyze_json(run_ndml, path)
    assert set(out["weights"]) == {"stdp"}
    got = out["weights"]["stdp"]
    assert got["units"] == "mV"
    np.testing.assert_allclose(got["time_ms"], t, rtol=0, atol=0)
    for key, ref in (("mean", w.mean(axis=1)), ("std", w.std(axis=1)), ("min", w.min(axis=1)),
                     ("max", w.max(axis=1))):
        np.testing.assert_allclose(got[key], ref, rtol=1e-12, atol=1e-15, err_msg=f"weights.{key}")
    assert got["std"][0] == 0.0 and got["std"][-1] > 0.0, "all start at 0.5 mV, STDP spreads them"
    # The histogram of all synapses over time, passed through unchanged.
    assert got["histogram"]["bin_edges"] == edges.tolist() and got["histogram"]["counts"] == counts.tolist()
    assert out["plateaus"] == {}
    assert set(out["populations"]) == {"pre", "post"}


def test_synthetic_weights_and_plateaus(run_ndml, tmp_path):
    """Known weights (3 snapshots x 4 synapses) and a BTSP-style /plateaus group with 3 plateaus (plus
    an empty one): exact statistics and counts."""
    rng = np.random.default_rng(5)
    t, ids, size = poisson_population(rng, 10, 20.0, 1000.0)
    w = np.array([[1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 0.0, 8.0], [-1.0, 1.0, -1.0, 1.0]])
    path = write_spike_file(tmp_path / "w.h5", {"src": (t, ids, size)}, 1000.0,
                            weights={"btsp": ([0.0, 500.0, 1000.0], w, "nS")},
                            plateaus={"btsp": [100.0, 400.0, 800.0], "quiet": []})
    out = analyze_json(run_ndml, path)
    got = out["weights"]["btsp"]
    assert got["units"] == "nS" and got["time_ms"] == [0.0, 500.0, 1000.0]
    assert got["mean"] == [2.5, 2.0, 0.0] and got["min"] == [1.0, 0.0, -1.0] and got["max"] == [4.0, 8.0, 1.0]
    np.testing.assert_allclose(got["std"], [math.sqrt(1.25), math.sqrt(12.0), 1.0], rtol=1e-12)
    edges = np.linspace(-1.0, 9.0, 5)  # as write_spike_file makes them
    assert got["histogram"]["bin_edges"] == edges.tolist()
    assert got["histogram"]["counts"] == [np.histogram(row, edges)[0].tolist() for row in w]
    assert out["plateaus"] == {"btsp": {"count": 3}, "quiet": {"count": 0}}


# ---------------------------------------------------------------------------------------------------
# 7. Window


@pytest.mark.parametrize("start, stop", [(2000.0, 7000.0), (1234.5, 9876.5)])
def test_window_restricts_spikes(run_ndml, synthetic, start, stop):
    """--start-ms/--stop-ms: only spikes in [start, stop) count; rates divide by the window length;
    statistics equal spikestats/the reference on the window (the second window ends in partial bins
    of 10 ms, 5 ms and the spectrum's segments, which must be dropped)."""
    path, pops = synthetic["poisson"]
    out = analyze_json(run_ndml, path, "--start-ms", f"{start:g}", "--stop-ms", f"{stop:g}")
    assert out["window_ms"] == [start, stop]
    t, i, size = pops["poisson"]
    got = out["populations"]["poisson"]
    st = spikestats.population_stats(t, i, size, start, stop)
    assert got["spikes"] == st["n_spikes"] == int(np.sum((t >= start) & (t < stop)))
    assert_close(got["rate_hz"]["mean"], st["rate_hz"], "windowed rate")
    assert_close(got["cv_isi"]["mean"], st["cv_isi_mean"], "windowed CV")
    check_population(got, reference_population(t, i, size, start, stop), "poisson")


def test_window_defaults_to_duration_not_last_spike(run_ndml, tmp_path):
    """The default stop is /ndml duration_ms, not the last spike: 5 spikes of one neuron in a 2 s run
    (all before 1 s) give a rate of 2.5 Hz."""
    path = write_spike_file(tmp_path / "short.h5", {"one": ([100.0, 200.0, 300.0, 400.0, 500.0], [0] * 5, 1)},
                            2000.0)
    out = analyze_json(run_ndml, path)
    assert out["window_ms"] == [0.0, 2000.0]
    got = out["populations"]["one"]
    assert got["rate_hz"]["mean"] == 2.5 and got["spikes"] == 5
    assert got["cv_isi"]["mean"] == 0.0 or got["cv_isi"]["mean"] < 1e-12


# ---------------------------------------------------------------------------------------------------
# 8. The -o analysis file


def _json_scalars(entry, prefix=""):
    for key, value in entry.items():
        if isinstance(value, dict):
            yield from _json_scalars(value, f"{prefix}{key}.")
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            yield f"{prefix}{key}", value


SECTION_WORD = {"rate_hz": "rate", "cv_isi": "cv", "fano": "fano", "correlation": "correlation", "chi": "chi",
                "spectrum": "spectrum"}


def _attribute_candidates(key, attrs):
    """The attributes of /analysis/<population> that may hold JSON scalar `key` ("section.leaf").

    ASSUMPTION (the spec fixes no names): an attribute's name contains the words of the JSON leaf key
    ("neurons_sampled" -> neurons, sampled; "value" -> none), split at "_"; where some of those
    attributes also contain the section's word (rate, cv, fano, correlation, chi, spectrum) only those
    count. So chi.neurons must be e.g. chi_neurons (not fano_neurons), rate_hz.mean e.g. rate_mean_hz,
    while correlation.bin_ms may share fano's bin attribute (both are --bin-ms)."""
    section, _, leaf = key.rpartition(".")
    words = {w for w in leaf.split("_") if w != "value"}
    found = [a for a in attrs if words <= set(a.lower().split("_"))]
    word = SECTION_WORD.get(section)
    if word is not None:
        narrowed = [a for a in found if word in a.lower().split("_")]
        found = narrowed or found
    return found


def test_output_file(ndml_bin, repo_root, run_ndml, synthetic, tmp_path):
    """-o writes /analysis/<population> with every JSON scalar as an attribute (ASSUMPTION on the names:
    see _attribute_candidates) and the datasets rate_histogram_counts, rate_histogram_edges_hz,
    spectrum_frequencies_hz, spectrum_power equal to the JSON arrays; the input is byte-identical."""
    src, _ = synthetic["correlated"]
    path = tmp_path / "in.h5"
    shutil.copyfile(src, path)
    before = sha256(path)
    out_h5 = tmp_path / "analysis.h5"
    js = analyze_json(run_ndml, path, "-o", out_h5)
    assert sha256(path) == before, "analyze modified its input file"
    assert out_h5.is_file() and not Path(str(out_h5) + ".partial").exists()
    with h5py.File(out_h5, "r") as f:
        assert set(f["analysis"]) == set(js["populations"]) == {"pairs", "groups"}
        for name, entry in js["populations"].items():
            g = f[f"analysis/{name}"]
            attrs = {}
            for key, value in g.attrs.items():
                arr = np.asarray(value)
                if arr.dtype.kind in "fiu" and arr.size == 1:
                    attrs[key] = float(arr.reshape(()))
            for key, value in _json_scalars(entry):
                candidates = _attribute_candidates(key, attrs)
                assert candidates, f"/analysis/{name}: no attribute for {key} = {value!r}; attributes: {attrs}"
                assert any(math.isclose(value, attrs[a], rel_tol=1e-12, abs_tol=1e-15) for a in candidates), \
                    f"/analysis/{name}: {key} = {value!r} but {{{', '.join(f'{a}: {attrs[a]!r}' for a in candidates)}}}"
            for dataset, ref in (("rate_histogram_counts", entry["rate_histogram"]["counts"]),
                                 ("rate_histogram_edges_hz", entry["rate_histogram"]["bin_edges_hz"]),
                                 ("spectrum_frequencies_hz", entry["spectrum"]["frequencies_hz"]),
                                 ("spectrum_power", entry["spectrum"]["power"])):
                assert dataset in g, f"/analysis/{name}/{dataset} missing: {list(g)}"
                np.testing.assert_allclose(g[dataset][()], ref, rtol=1e-12, atol=0, err_msg=f"{name}/{dataset}")
    # Table mode with -o writes the same file and still leaves the input alone.
    out2 = tmp_path / "analysis2.h5"
    proc = ndml(ndml_bin, repo_root, "analyze", path, "-o", out2)
    assert proc.returncode == 0 and out2.is_file(), proc.stderr
    assert sha256(path) == before


@pytest.mark.parametrize("spelling", ["same", "dotdot"])
def test_output_equal_to_input_is_refused(ndml_bin, repo_root, synthetic, tmp_path, spelling):
    """-o naming the input file (literally, or through sub/../) is refused with exit 1; the input is
    byte-identical afterwards."""
    src, _ = synthetic["regular"]
    path = tmp_path / "in.h5"
    shutil.copyfile(src, path)
    (tmp_path / "sub").mkdir()
    before = sha256(path)
    target = path if spelling == "same" else tmp_path / "sub" / ".." / "in.h5"
    proc = ndml(ndml_bin, repo_root, "analyze", path, "-o", target)
    check_error(proc, path.name)
    assert sha256(path) == before


# ---------------------------------------------------------------------------------------------------
# 9. Bad input


def test_not_hdf5(ndml_bin, repo_root, tmp_path):
    """A text file: exit 1, one line naming the file."""
    path = tmp_path / "notes.h5"
    path.write_text("this is not an HDF5 file\n")
    check_error(ndml(ndml_bin, repo_root, "analyze", path, "--json"), path)


def test_truncated_file(ndml_bin, repo_root, synthetic, tmp_path):
    """The first half of a valid file's bytes: exit 1, one line naming the file, no crash."""
    src, _ = synthetic["poisson"]
    data = src.read_bytes()
    path = tmp_path / "truncated.h5"
    path.write_bytes(data[: len(data) // 2])
    check_error(ndml(ndml_bin, repo_root, "analyze", path, "--json"), path)


def test_no_spikes_group(ndml_bin, repo_root, tmp_path):
    """An HDF5 file with /ndml but no /spikes: exit 1, one line naming the file."""
    path = write_spike_file(tmp_path / "nospikes.h5", {}, 1000.0, extra_populations=[("exc", (10, "lif_cuba"))])
    check_error(ndml(ndml_bin, repo_root, "analyze", path, "--json"), path)


def test_missing_file(ndml_bin, repo_root, tmp_path):
    """A path that does not exist: exit 1, one line naming it."""
    path = tmp_path / "absent.h5"
    check_error(ndml(ndml_bin, repo_root, "analyze", path, "--json"), path)


def test_unknown_population(ndml_bin, repo_root, synthetic):
    """--population that is not in the file: exit 1 naming the file and the population, and listing
    the available ones."""
    path, _ = synthetic["correlated"]
    proc = ndml(ndml_bin, repo_root, "analyze", path, "--json", "--population", "nosuchpop")
    check_error(proc, path.name, "nosuchpop", "pairs", "groups")


def test_population_without_spikes_in_window(run_ndml, tmp_path):
    """A population silent in the window (spikes only after --stop-ms) and one recorded but never
    spiking (empty datasets): exit 0, valid JSON, rate 0 Hz, silent fraction 1, cv/fano/correlation/
    chi null, zero spectral power; a spiking population in the same file is analysed normally."""
    rng = np.random.default_rng(99)
    t, i, size = poisson_population(rng, 20, 20.0, 3000.0)
    path = write_spike_file(tmp_path / "silent.h5", {
        "late": (np.array([2500.0, 2600.0, 2700.0]), np.array([0, 1, 2]), 5),
        "never": (np.empty(0), np.empty(0, dtype=np.uint64), 7),
        "busy": (t, i, size)}, 3000.0)
    out = analyze_json(run_ndml, path, "--stop-ms", "2000", "--population", "late", "--population", "never",
                       "--population", "busy")
    assert set(out["populations"]) == {"late", "never", "busy"}
    for name, n in (("late", 5), ("never", 7)):
        got = out["populations"][name]
        assert got["size"] == n and got["spikes"] == 0, got
        assert got["rate_hz"]["mean"] == 0.0 and got["rate_hz"]["silent_fraction"] == 1.0, got["rate_hz"]
        assert got["cv_isi"]["mean"] is None and got["cv_isi"]["neurons"] == 0, got["cv_isi"]
        assert got["fano"]["mean"] is None and got["fano"]["neurons"] == 0, got["fano"]
        assert got["correlation"]["mean"] is None and got["correlation"]["pairs"] == 0, got["correlation"]
        assert got["chi"]["value"] is None, got["chi"]
        assert all(p == 0 for p in got["spectrum"]["power"]), "no spikes, no power"
        ref_peak = spikestats.rate_spectrum_peak_hz(np.empty(0), n, 0.0, 2000.0)
        assert got["spectrum"]["peak_hz"] in (None, ref_peak), got["spectrum"]["peak_hz"]
        assert sum(got["rate_histogram"]["counts"]) == n
    check_population(out["populations"]["busy"], reference_population(t, i, size, 0.0, 2000.0), "busy")


def test_node_id_out_of_range_is_refused(ndml_bin, repo_root, tmp_path):
    """(Beyond the listed cases, under "never a crash".) A node id >= the population size is bad
    input: exit 1 naming the file and the population, not an index-out-of-range trap."""
    path = write_spike_file(tmp_path / "badids.h5", {"bad": ([10.0, 20.0, 30.0], [0, 1, 9], 3)}, 100.0)
    check_error(ndml(ndml_bin, repo_root, "analyze", path, "--json"), path.name, "bad")


def test_mismatched_spike_datasets_are_refused(ndml_bin, repo_root, tmp_path):
    """(Beyond the listed cases, under "never a crash".) timestamps and node_ids of different lengths:
    exit 1 naming the file and the population."""
    path = write_spike_file(tmp_path / "ragged.h5", {"ragged": ([10.0, 20.0, 30.0], [0, 1, 2], 3)}, 100.0)
    with h5py.File(path, "a") as f:
        del f["spikes/ragged/node_ids"]
        f["spikes/ragged"].create_dataset("node_ids", data=np.array([0, 1], dtype=np.uint64))
    check_error(ndml(ndml_bin, repo_root, "analyze", path, "--json"), path.name, "ragged")


@pytest.mark.parametrize("window", [("--start-ms", "500", "--stop-ms", "100"),
                                    ("--start-ms", "100", "--stop-ms", "100"), ("--stop-ms", "nan")])
def test_bad_window_is_refused(ndml_bin, repo_root, synthetic, window):
    """(Beyond the listed cases.) An empty (stop <= start) or NaN window is bad input: exit 1, one line
    naming the file."""
    path, _ = synthetic["regular"]
    check_error(ndml(ndml_bin, repo_root, "analyze", path, "--json", *window), path.name)
