"""Helpers shared by the tests that compare a config's run with NEST 3 (test_alpha_synapses.py,
test_adex_conductance.py): running a NEST script in its own process, reading NDML's results, and
placing NEST's samples on NDML's time grid."""

from __future__ import annotations

import json
import subprocess
import sys

import h5py
import numpy as np

# One NEST cell per population driven by spike generators, recorded by a multimeter and a spike
# recorder. Setup (argv[1], JSON): dt_ms, duration_ms, delay_ms, inputs {name: spike times},
# populations {name: {model, params, weights {input: weight}, record [variables]}}.
SPIKE_GENERATOR_SCRIPT = r"""
import json, sys
import nest
cfg = json.loads(sys.argv[1])
nest.verbosity = nest.VerbosityLevel.ERROR
nest.ResetKernel()
nest.resolution = cfg["dt_ms"]
gens = {name: nest.Create("spike_generator", params={"spike_times": times}) for name, times in cfg["inputs"].items()}
out = {}
for name, pop in cfg["populations"].items():
    cell = nest.Create(pop["model"], params=pop["params"])
    for source, weight in pop["weights"].items():
        nest.Connect(gens[source], cell, syn_spec={"weight": weight, "delay": cfg["delay_ms"]})
    mm = nest.Create("multimeter", params={"record_from": pop["record"], "interval": cfg["dt_ms"]})
    nest.Connect(mm, cell)
    sr = nest.Create("spike_recorder")
    nest.Connect(cell, sr)
    out[name] = (mm, sr, pop["record"])
nest.Simulate(cfg["duration_ms"])
result = {}
for name, (mm, sr, record) in out.items():
    ev = mm.events
    result[name] = {"times": list(map(float, ev["times"])), "spikes": list(map(float, sr.events["times"]))}
    for r in record:
        result[name][r] = list(map(float, ev[r]))
print(json.dumps(result))
"""


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
