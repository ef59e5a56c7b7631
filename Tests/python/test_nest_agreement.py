"""NDML agrees with NEST on Brunel (2000) model A at the AI point (g = 5, eta = 2; Fig. 8C).

NDML runs `experiments/brunel2000_ai.yaml` (1000 ms) and NEST 3.10 runs the identical network read
from the same file by `benchmarks/nest_reference.py` (iaf_psc_delta; sources and deviations from
NEST's brunel_delta_nest.py example in its header), with the interpreter running this test. Both
spike sets are reduced by the same code (`spikestats.py`) over [TRANSIENT_MS, DURATION_MS) ms and
must agree:

* mean exc rate within RATE_REL_TOL of NEST's;
* mean CV of ISI of the exc neurons (>= 3 spikes) within CV_ABS_TOL;
* Golomb's synchrony chi (5 ms bins, exc neurons 0..999) within CHI_ABS_TOL, and both below
  CHI_MAX (asynchronous);
* peak of the exc population-rate spectrum above 20 Hz (Welch, 100 ms Hann segments: 10 Hz
  resolution) within PEAK_ABS_TOL_HZ.

Both simulators draw different random networks and inputs (NDML's seed and NEST's rng_seed are
both the config's seed 1, but the generators differ), so one realisation of each is compared; the
tolerances come from the spread over seeds measured on the development machine (1000 ms, window
[200, 1000) ms, NEST 3.10.0 rng_seed 1, 2, 3; NDML `--set simulation.seed=K`, K = 1..13):

                  NEST seeds 1 / 2 / 3     NDML seeds 1 / 2 / 3     NDML, 13 seeds: mean +- sd (range)
  exc rate (Hz)   38.04 / 37.76 / 37.82    37.45 / 37.94 / 37.89    37.64 +- 0.26 (37.03 .. 37.94)
  mean CV ISI     0.395 / 0.397 / 0.393    0.402 / 0.396 / 0.392    0.397 +- 0.004 (0.392 .. 0.403)
  chi             0.129 / 0.138 / 0.130    0.133 / 0.116 / 0.131    0.136 +- 0.013 (0.116 .. 0.162)
  peak (Hz)       130 / 140 / 100          130 / 130 / 130          128 +- 10 (110 .. 140)

Largest |NDML - NEST| over all 13 x 3 seed pairs (3 x 3 pairs in brackets): rate 2.7 % (1.6 %),
CV 0.010 (0.009), chi 0.033 (0.022), peak 40 Hz (30 Hz). Hence:

* RATE_REL_TOL = 5 %: ~5.5 sd of the difference (sd ~0.3 Hz = 0.8 %) away from the observed
  mean offset (NDML 0.6 % lower); a 10 % rate error in NDML leaves a difference of at least
  ~7 % even with the most unfavourable realisations above, so it fails.
* CV_ABS_TOL = 0.05: 5 x the largest observed difference.
* CHI_ABS_TOL = 0.06 (loosened from 0.05): chi scatters by 0.013 (sd) over NDML seeds, the
  difference by ~0.014-0.018; 0.05 would leave only ~3 sd, 0.06 leaves ~4. CHI_MAX = 0.2 is
  ~5 sd above NDML's mean.
* PEAK_ABS_TOL_HZ = 50 (loosened from 25): the fast oscillation is a broad band (half-maximum
  ~105-155 Hz) and with 800 ms of data its Welch peak (10 Hz grid) moves by +-10-20 Hz between
  realisations (NEST 100..140 Hz, NDML 110..140 Hz), so a 25 Hz band fails for some seed pairs
  (observed: 30 and 40 Hz). 50 Hz still separates this ~130 Hz oscillation from the slow
  ~40-50 Hz one of the (g = 6, eta = 1) state (docs/validation.md).

Cost here (2 cores): NEST ~5 s build + ~27 s simulation, NDML ~9 s; NEST runs in the background
while NDML runs, so the test takes ~40 s.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import h5py
import pytest

import spikestats

CONFIG = "experiments/brunel2000_ai.yaml"
DURATION_MS = 1000.0          # the config's duration; checked in the results file
TRANSIENT_MS = 200.0
DT_MS = 0.1
CHI_NEURONS = 1000
CHI_BIN_MS = 5.0
SPECTRUM_MIN_HZ = 20.0

RATE_REL_TOL = 0.05       # measured spread: see the module docstring
CV_ABS_TOL = 0.05
CHI_ABS_TOL = 0.06        # measured spread: see the module docstring
CHI_MAX = 0.2
PEAK_ABS_TOL_HZ = 50.0    # measured spread: see the module docstring
NEST_TIMEOUT_S = 900


def start_nest(repo_root: Path, out_json: Path) -> subprocess.Popen:
    cmd = [sys.executable, str(repo_root / "benchmarks" / "nest_reference.py"),
           "--config", str(repo_root / CONFIG), "--duration-ms", f"{DURATION_MS:g}",
           "--transient-ms", f"{TRANSIENT_MS:g}", "--threads", "1",
           "--out-json", str(out_json), "--quiet"]
    return subprocess.Popen(cmd, cwd=repo_root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish_nest(proc: subprocess.Popen, out_json: Path) -> dict:
    try:
        output, _ = proc.communicate(timeout=NEST_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        output, _ = proc.communicate()
        pytest.fail(f"NEST reference did not finish in {NEST_TIMEOUT_S} s:\n{output}", pytrace=False)
    if proc.returncode != 0:
        pytest.fail(f"NEST reference failed (exit {proc.returncode}):\n{output}", pytrace=False)
    return json.loads(out_json.read_text())


def ndml_figures(path: Path, n_exc: int) -> dict:
    with h5py.File(path, "r") as f:
        meta = f["ndml"].attrs
        assert meta["status"] == "complete", f"{path}: status {meta['status']!r}"
        assert float(meta["dt_ms"]) == pytest.approx(DT_MS), "the comparison assumes dt = 0.1 ms"
        assert float(meta["duration_ms"]) == pytest.approx(DURATION_MS), \
            f"{CONFIG} no longer runs {DURATION_MS:g} ms: the tolerances below were measured for that"
        size = int(f["ndml/populations/exc"].attrs["size"])
    assert size == n_exc, f"NDML exc size {size}, NEST built {n_exc}"
    t, i, n = spikestats.load_sonata_spikes(str(path), {"exc": n_exc})["exc"]
    st = spikestats.population_stats(t, i, n, TRANSIENT_MS, DURATION_MS)
    return {
        "rate": st["rate_hz"],
        "cv": st["cv_isi_mean"],
        "chi": spikestats.synchrony_chi(t, i, n_neurons_sampled=CHI_NEURONS, bin_ms=CHI_BIN_MS,
                                        t_start_ms=TRANSIENT_MS, t_stop_ms=DURATION_MS),
        "peak": spikestats.rate_spectrum_peak_hz(t, n, TRANSIENT_MS, DURATION_MS, bin_ms=DT_MS,
                                                 min_hz=SPECTRUM_MIN_HZ),
    }


def test_nest_agreement_brunel_ai(repo_root, run_ndml, tmp_path, validation):
    nest_json = tmp_path / "nest.json"
    nest = start_nest(repo_root, nest_json)
    try:
        out = tmp_path / "ndml_brunel.h5"
        run_ndml("run", CONFIG, "-o", out, timeout=900)
    except BaseException:  # includes pytest's Failed: do not leave NEST running
        nest.kill()
        nest.communicate()
        raise
    ref = finish_nest(nest, nest_json)
    assert ref["window_ms"] == [TRANSIENT_MS, DURATION_MS]
    n_exc = int(ref["parameters"]["N_E"])
    ndml = ndml_figures(out, n_exc)
    nest_fig = {"rate": ref["rate_hz"]["exc"], "cv": ref["cv_isi_mean"]["exc"], "chi": ref["chi"],
                "peak": ref["spectral_peak_hz"]}

    summary = (f"Brunel AI, exc, window [{TRANSIENT_MS:g}, {DURATION_MS:g}) ms, NEST {ref['nest_version']}\n"
               + "\n".join(f"  {k:5s} NDML {ndml[k]:8.3f}   NEST {nest_fig[k]:8.3f}" for k in ndml))
    print(summary)

    reference = f"NEST {ref['nest_version']}, same network"
    for key, name, tol, ok in [
        ("rate", "exc rate (Hz)", f"±{RATE_REL_TOL:.0%}", abs(ndml["rate"] - nest_fig["rate"]) <= RATE_REL_TOL * nest_fig["rate"]),
        ("cv", "exc mean CV of ISI", f"±{CV_ABS_TOL}", abs(ndml["cv"] - nest_fig["cv"]) <= CV_ABS_TOL),
        ("chi", "synchrony χ", f"±{CHI_ABS_TOL}", abs(ndml["chi"] - nest_fig["chi"]) <= CHI_ABS_TOL),
        ("peak", "rate spectrum peak (Hz)", f"±{PEAK_ABS_TOL_HZ:g} Hz", abs(ndml["peak"] - nest_fig["peak"]) <= PEAK_ABS_TOL_HZ),
    ]:
        validation.record("brunel2000_ai.yaml", name, reference, nest_fig[key], ndml[key], tol, ok)
    failures = []
    if not nest_fig["rate"] > 0 or abs(ndml["rate"] - nest_fig["rate"]) > RATE_REL_TOL * nest_fig["rate"]:
        failures.append(f"exc rate differs by more than {RATE_REL_TOL:.0%}")
    if not abs(ndml["cv"] - nest_fig["cv"]) <= CV_ABS_TOL:
        failures.append(f"mean CV of ISI differs by more than {CV_ABS_TOL}")
    if not abs(ndml["chi"] - nest_fig["chi"]) <= CHI_ABS_TOL:
        failures.append(f"synchrony chi differs by more than {CHI_ABS_TOL}")
    for who, fig in (("NDML", ndml), ("NEST", nest_fig)):
        if not fig["chi"] < CHI_MAX:
            failures.append(f"{who} chi = {fig['chi']:.3f} >= {CHI_MAX}: not asynchronous")
    if not abs(ndml["peak"] - nest_fig["peak"]) <= PEAK_ABS_TOL_HZ:
        failures.append(f"spectral peaks differ by more than {PEAK_ABS_TOL_HZ:g} Hz")
    assert not failures, "; ".join(failures) + "\n" + summary
