"""Helpers shared by the tests that compare a config's run with NEST 3 (test_alpha_synapses.py,
test_adex_conductance.py): running a NEST script in its own process, reading NDML's results, and
placing NEST's samples on NDML's time grid."""

from __future__ import annotations

import json
import subprocess
import sys

import h5py
import numpy as np


def run_nest_script(script: str, setup: dict) -> dict:
    """Runs `script` (Python source that reads its JSON setup from argv[1] and prints JSON as its
    last line) in a fresh interpreter, so NEST's kernel state never leaks between tests."""
    proc = subprocess.run([sys.executable, "-c", script, json.dumps(setup)], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def report(path, population, variable):
    """Neuron 0's recorded `variable` of `population` as float64."""
    with h5py.File(path, "r") as f:
        return f[f"report/{population}/{variable}/data"][:, 0].astype(np.float64)


def spikes(path, population):
    with h5py.File(path, "r") as f:
        return f[f"spikes/{population}/timestamps"][:].astype(np.float64)


def nest_on_grid(nest_pop, key, count, dt):
    """NEST's samples at t = k·dt placed at index k (NEST has none at t = 0, the initial state)."""
    t = np.asarray(nest_pop["times"])
    k = np.rint(t / dt).astype(int)
    keep = k < count
    out = np.full(count, np.nan)
    out[k[keep]] = np.asarray(nest_pop[key])[keep]
    return out
