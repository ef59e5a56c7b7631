"""NDML agrees with Brian2 on the Vogels-Abbott CUBA and COBA networks (SCIENCE.md section 6.2).

For each model, NDML runs `experiments/<model>.yaml` for 2000 ms (`--set simulation.duration_ms=2000`)
with several seeds (`--set simulation.seed=K`), and Brian2 runs the same network
(`benchmarks/brian2_reference.py`, equations, parameters and sources in its header) with several
seeds. Both spike sets are reduced by the same code (`spikestats.py`) over the same window
[TRANSIENT_MS, 2000) ms, and the seed-averaged statistics must agree:

* mean rate of exc, of inh and overall: within 10 % of Brian2's;
* mean CV of ISI (neurons with >= 3 spikes) of exc, of inh and overall: within 0.1 of Brian2's.

Why several seeds: at 2 s, the rates of single network realisations scatter around the ensemble
mean with a standard deviation (measured with Brian2, window [100, 2000) ms) of 5.0 % (CUBA exc),
1.2 % (CUBA inh) over 100 seeds and 7.8 % (COBA exc), 3.0 % (COBA inh) over 30 seeds; the mean CVs
scatter by 0.01-0.04.
A single-seed comparison against a 10 % band would often fail by chance (COBA exc: about 1 run in
3 even if NDML were Brian2 itself). With 10 NDML seeds and 20 Brian2 seeds the standard deviation of the
difference of the means is 3.0 % for COBA exc (10 % = 3.3 sigma) and 1.9 % for CUBA exc.

Brian2 device: the runtime device (Cython). Measured here (2 cores) for the 2 s runs: with a warm
Cython cache (~/.cython/brian_extensions) a CUBA seed costs ~0.6 s and the first one ~2.5 s; a
cold cache adds ~35 s once (CUBA ~40 s, COBA ~9 s for 5 seeds). cpp_standalone recompiles the
project for every seed (~7 s each, ~6 s of it `make`), i.e. ~140 s per model for 20 seeds. Runtime is
therefore the faster one end to end. The Brian2 runs start in the background while NDML runs.

Environment overrides: NDML_AGREEMENT_NDML_SEEDS (default 10), NDML_AGREEMENT_BRIAN2_SEEDS
(default 20), NDML_AGREEMENT_BRIAN2_DEVICE (runtime | cpp_standalone).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

import spikestats

DURATION_MS = 2000.0
TRANSIENT_MS = 100.0
DT_MS = 0.1
RATE_REL_TOL = 0.10
CV_ABS_TOL = 0.10
POP_SIZES = {"exc": 3200, "inh": 800}
NDML_SEEDS = int(os.environ.get("NDML_AGREEMENT_NDML_SEEDS", "10"))
BRIAN2_SEEDS = int(os.environ.get("NDML_AGREEMENT_BRIAN2_SEEDS", "20"))
BRIAN2_DEVICE = os.environ.get("NDML_AGREEMENT_BRIAN2_DEVICE", "runtime")
BRIAN2_FIRST_SEED = 1001  # disjoint from NDML's seeds 1..N (different generators anyway)
BRIAN2_TIMEOUT_S = 900


def start_brian2(repo_root: Path, model: str, out_json: Path) -> subprocess.Popen:
    cmd = [sys.executable, str(repo_root / "benchmarks" / "brian2_reference.py"),
           "--model", model, "--duration-ms", f"{DURATION_MS:g}", "--device", BRIAN2_DEVICE,
           "--seed", str(BRIAN2_FIRST_SEED), "--n-seeds", str(BRIAN2_SEEDS),
           "--transient-ms", f"{TRANSIENT_MS:g}", "--out-json", str(out_json), "--quiet"]
    return subprocess.Popen(cmd, cwd=repo_root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


def finish_brian2(proc: subprocess.Popen, out_json: Path) -> list:
    try:
        output, _ = proc.communicate(timeout=BRIAN2_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        output, _ = proc.communicate()
        pytest.fail(f"Brian2 reference did not finish in {BRIAN2_TIMEOUT_S} s:\n{output}", pytrace=False)
    if proc.returncode != 0:
        pytest.fail(f"Brian2 reference failed (exit {proc.returncode}):\n{output}", pytrace=False)
    result = json.loads(out_json.read_text())
    runs = result["runs"] if "runs" in result else [result]
    return [r["stats"] for r in runs]


def ndml_stats(path: Path) -> dict:
    """Check the run's metadata, then reduce its spikes with spikestats."""
    with h5py.File(path, "r") as f:
        meta = f["ndml"].attrs
        assert meta["status"] == "complete", f"{path}: status {meta['status']!r}"
        assert float(meta["dt_ms"]) == pytest.approx(DT_MS), "the comparison assumes dt = 0.1 ms"
        assert float(meta["duration_ms"]) == pytest.approx(DURATION_MS), "--set duration did not apply"
        sizes = {p: int(f[f"ndml/populations/{p}"].attrs["size"]) for p in POP_SIZES}
    assert sizes == POP_SIZES, f"{path}: population sizes {sizes}, Brian2 reference uses {POP_SIZES}"
    spikes = spikestats.load_sonata_spikes(str(path), sizes)
    return spikestats.summarize(spikes, TRANSIENT_MS, DURATION_MS)


def seed_mean(stats_list: list, key: str) -> dict:
    """Mean over seeds of `key` (rate_hz or cv_isi_mean) per population and overall."""
    out = {}
    for pop in list(POP_SIZES) + ["overall"]:
        vals = [(s["overall"] if pop == "overall" else s["populations"][pop])[key] for s in stats_list]
        out[pop] = float(np.mean(vals))
    return out


@pytest.mark.parametrize("model", ["cuba", "coba"])
def test_brian2_agreement(model, repo_root, run_ndml, tmp_path, validation):
    config = repo_root / "experiments" / f"{model}.yaml"
    if not config.is_file():
        pytest.fail(f"{config} is missing", pytrace=False)

    brian_json = tmp_path / f"brian2_{model}.json"
    brian = start_brian2(repo_root, model, brian_json)
    try:
        ndml = []
        for seed in range(1, NDML_SEEDS + 1):
            out = tmp_path / f"ndml_{model}_seed{seed}.h5"
            run_ndml("run", config, "-o", out, "--set", f"simulation.duration_ms={DURATION_MS:g}",
                     "--set", f"simulation.seed={seed}")
            ndml.append(ndml_stats(out))
    except BaseException:  # includes pytest's Failed: do not leave Brian2 running
        brian.kill()
        brian.communicate()
        raise
    ref = finish_brian2(brian, brian_json)

    rate_n, rate_b = seed_mean(ndml, "rate_hz"), seed_mean(ref, "rate_hz")
    cv_n, cv_b = seed_mean(ndml, "cv_isi_mean"), seed_mean(ref, "cv_isi_mean")
    table = "\n".join(
        f"  {pop:8s} rate NDML {rate_n[pop]:7.3f} Hz  Brian2 {rate_b[pop]:7.3f} Hz "
        f"({100 * (rate_n[pop] / rate_b[pop] - 1):+5.1f} %)   CV NDML {cv_n[pop]:.3f}  Brian2 {cv_b[pop]:.3f}"
        for pop in rate_n)
    summary = (f"{model.upper()}: {NDML_SEEDS} NDML seeds vs {BRIAN2_SEEDS} Brian2 seeds ({BRIAN2_DEVICE}), "
               f"window [{TRANSIENT_MS:g}, {DURATION_MS:g}) ms\n{table}")
    print(summary)

    reference = f"Brian2 {BRIAN2_DEVICE}, {BRIAN2_SEEDS} seeds (NDML {NDML_SEEDS})"
    for pop in rate_n:
        validation.record(f"{model}.yaml", f"{pop} rate (Hz)", reference, rate_b[pop], rate_n[pop],
                          f"±{RATE_REL_TOL:.0%}", abs(rate_n[pop] - rate_b[pop]) <= RATE_REL_TOL * rate_b[pop])
        validation.record(f"{model}.yaml", f"{pop} mean CV of ISI", reference, cv_b[pop], cv_n[pop],
                          f"±{CV_ABS_TOL}", abs(cv_n[pop] - cv_b[pop]) <= CV_ABS_TOL)
    failures = []
    for pop in rate_n:
        if not rate_b[pop] > 0:
            failures.append(f"Brian2 {pop} rate is {rate_b[pop]}")
        elif abs(rate_n[pop] - rate_b[pop]) > RATE_REL_TOL * rate_b[pop]:
            failures.append(f"{pop} rate differs by more than {RATE_REL_TOL:.0%}")
        if not np.isfinite(cv_n[pop]) or abs(cv_n[pop] - cv_b[pop]) > CV_ABS_TOL:
            failures.append(f"{pop} CV of ISI differs by more than {CV_ABS_TOL}")
    assert not failures, "; ".join(failures) + "\n" + summary
