"""Tsodyks–Markram short-term plasticity (`short_term:`) through the real CLI:
experiments/short_term_plasticity.yaml — a depressing and a facilitating synapse type driven by a
20 Hz train and a recovery spike, onto non-leaky delta-synapse targets, so each jump of v is the
weight the spike delivered, w·u·x. Checked against (1) numpy's recursion of the update and (2) NEST
3's `tsodyks2_synapse` on the same spike train (in a subprocess, onto `iaf_psc_delta`); then the
same results for 1 and 2 threads, and bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import h5py
import numpy as np
import pytest
import yaml

CONFIG = "experiments/short_term_plasticity.yaml"


def tm_weights(spikes_ms, w, U, tau_rec, tau_facil, u0=None, x0=1.0):
    """w·u·x delivered by each spike: u, x start at (u0 or U, x0); then per interval Δ
    x ← 1 + (x − u x − 1) e^(−Δ/τ_rec), u ← U + u (1 − U) e^(−Δ/τ_facil)."""
    u, x, out = (U if u0 is None else u0), x0, []
    for k, t in enumerate(spikes_ms):
        if k:
            d = t - spikes_ms[k - 1]
            u, x = U + u * (1 - U) * (np.exp(-d / tau_facil) if tau_facil > 0 else 0.0), 1 + (x - u * x - 1) * np.exp(-d / tau_rec)
        out.append(w * u * x)
    return np.array(out)


NEST_SCRIPT = r"""
import json, sys
import nest
cfg = json.loads(sys.argv[1])
nest.verbosity = nest.VerbosityLevel.ERROR
nest.ResetKernel()
nest.resolution = 0.1
out = {}
for name, p in cfg["synapses"].items():
    gen = nest.Create("spike_generator", params={"spike_times": cfg["spikes"]})
    parrots = nest.Create("parrot_neuron", cfg["inputs"])
    cell = nest.Create("iaf_psc_delta", params={"tau_m": 1e9, "V_th": 1e6, "E_L": 0.0, "V_reset": 0.0, "V_m": 0.0,
                                                 "t_ref": 0.0, "C_m": 250.0})
    nest.Connect(gen, parrots)
    nest.Connect(parrots, cell, syn_spec={"synapse_model": "tsodyks2_synapse", "weight": cfg["weight"], "delay": 1.0,
                                          "U": p["U"], "tau_rec": p["tau_rec_ms"], "tau_fac": p["tau_facil_ms"],
                                          "u": p["U"], "x": 1.0})
    mm = nest.Create("multimeter", params={"record_from": ["V_m"], "interval": 0.1})
    nest.Connect(mm, cell)
    out[name] = mm
nest.Simulate(cfg["duration_ms"])
print(json.dumps({k: [list(map(float, m.events["times"])), list(map(float, m.events["V_m"]))] for k, m in out.items()}))
"""


@pytest.fixture(scope="module")
def stp(run_ndml, repo_root, tmp_path_factory):
    out = tmp_path_factory.mktemp("stp") / "stp.h5"
    run_ndml("run", CONFIG, "-o", out)
    return out, yaml.safe_load((repo_root / CONFIG).read_text())


def jumps(path, population, spikes_ms, delay_ms=1.0, dt=0.1):
    """v after minus v before each arrival (t + delay), from the recorded v (sampled every dt)."""
    with h5py.File(path, "r") as f:
        v = f[f"report/{population}/v/data"][:, 0].astype(np.float64)
    steps = np.rint((np.asarray(spikes_ms) + delay_ms) / dt).astype(int)
    return v[steps + 1] - v[steps]


def test_delivered_weights_follow_the_recursion_and_nest(stp, repo_root, validation):
    path, config = stp
    spikes = config["populations"]["inputs"]["params"]["spike_times_ms"][0]
    inputs = config["populations"]["inputs"]["size"]
    synapses = {"depressing": config["projections"]["depression"], "facilitating": config["projections"]["facilitation"]}
    nest_cfg = {"spikes": [float(t) for t in spikes], "inputs": inputs, "weight": 10.0,
                "duration_ms": config["simulation"]["duration_ms"],
                "synapses": {name: proj["short_term"] for name, proj in synapses.items()}}
    proc = subprocess.run([sys.executable, "-c", NEST_SCRIPT, json.dumps(nest_cfg)], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    nest_out = json.loads(proc.stdout.strip().splitlines()[-1])
    for name, proj in synapses.items():
        p = proj["short_term"]
        expected = inputs * tm_weights(spikes, proj["weight_mV"], p["U"], p["tau_rec_ms"], p["tau_facil_ms"])
        got = jumps(path, name, spikes)
        # v is stored in float32: 1e-5 relative of up to 60 mV.
        np.testing.assert_allclose(got, expected, atol=2e-4, err_msg=name)
        # NEST: V_m every 0.1 ms, the jumps where they are (parrots add 1 ms; the membrane is flat to
        # 1e-8 mV between them). NEST's `u`, `x` are the state the next spike uses: u = U, x = 1 is
        # NDML's default start (the first spike delivers w·U).
        times, vm = map(np.asarray, nest_out[name])
        steps = np.diff(vm)
        nest_jumps = steps[np.abs(steps) > 1e-6]
        assert len(nest_jumps) == len(spikes), (name, times[1:][np.abs(steps) > 1e-6])
        np.testing.assert_allclose(nest_jumps, expected, rtol=0, atol=1e-7, err_msg=f"NEST {name}")  # V_m leak 1e-9
        np.testing.assert_allclose(got, nest_jumps, atol=2e-4, err_msg=f"NDML vs NEST {name}")
        validation.record("short_term_plasticity.yaml", f"{name}: weight of spike 8 / spike 1",
                          "NEST 3 tsodyks2_synapse, same train", float(nest_jumps[7] / nest_jumps[0]),
                          float(got[7] / got[0]), "1e-5 rel. (float32 v)",
                          abs(got[7] / got[0] - nest_jumps[7] / nest_jumps[0]) < 1e-4)
    dep, fac = jumps(path, "depressing", spikes), jumps(path, "facilitating", spikes)
    assert np.all(np.diff(dep[:8]) < 0) and np.all(np.diff(fac[:8]) > 0)  # depression vs facilitation
    assert dep[8] > dep[7]  # recovery over the 500 ms pause


NETWORK = """\
simulation: {dt_ms: 0.1, duration_ms: 2000, seed: 4}
populations:
  drive: {size: 400, model: poisson, params: {rate_Hz: 15}}
  cells: {size: 300, model: lif_cuba, params: {tau_syn_e_ms: 2}}
projections:
  p:
    source: drive
    target: cells
    connectivity: {fixed_probability: 0.2}
    weight_mV: 40
    delay_ms: 1
    short_term: {model: tsodyks_markram, U: 0.2, tau_rec_ms: 300, tau_facil_ms: 100}
record: {spikes: [cells]}
"""


def test_threads_give_the_same_spikes(run_ndml, tmp_path):
    config = tmp_path / "net.yaml"
    config.write_text(NETWORK)
    files = []
    for threads in (1, 2):
        out = tmp_path / f"t{threads}.h5"
        run_ndml("run", config, "-o", out, "--threads", threads)
        files.append(out)
    with h5py.File(files[0], "r") as a, h5py.File(files[1], "r") as b:
        assert a["ndml"].attrs["threads"] == 1 and b["ndml"].attrs["threads"] == 2
        for key in ("timestamps", "node_ids"):
            np.testing.assert_array_equal(a[f"spikes/cells/{key}"][:], b[f"spikes/cells/{key}"][:])
        assert a["spikes/cells/timestamps"].size > 1000


@pytest.mark.parametrize(
    "old, new, expected",
    [
        ("U: 0.2,", "U: 1.5,", "projections.p.short_term.U: must be in (0, 1], got 1.5"),
        ("tau_rec_ms: 300", "tau_rec_ms: 0", "projections.p.short_term.tau_rec_ms"),
        ("delay_ms: 1\n", "delay_ms: {uniform: [1, 3]}\n", "projections.p.short_term: needs one delay"),
        ("    short_term:", "    plasticity: {rule: pair_stdp, w_max_mV: 3}\n    short_term:",
         "projections.p.short_term: cannot be combined with plasticity"),
        ("model: tsodyks_markram", "model: tsodyks", "projections.p.short_term.model"),
        ("tau_facil_ms: 100}", "tau_facil_ms: 100, tau_fac: 1}", "projections.p.short_term.tau_fac"),
    ],
)
def test_bad_short_term_input(ndml_bin, tmp_path, old, new, expected):
    assert old in NETWORK
    config = tmp_path / "bad.yaml"
    config.write_text(NETWORK.replace(old, new))
    r = subprocess.run([str(ndml_bin), "validate", str(config)], capture_output=True, text=True, timeout=60)
    out = r.stdout + r.stderr
    assert r.returncode != 0 and expected in out, out


def test_killed_and_resumed_run_equals_the_uninterrupted_run(ndml_bin, repo_root, tmp_path):
    """u, x and the last spike of every source are in the checkpoint (killed after a checkpoint,
    resumed on another thread count)."""
    import random

    from test_checkpoint import assert_same_results, kill_after_checkpoint

    config = tmp_path / "net.yaml"
    config.write_text(NETWORK.replace("duration_ms: 2000", "duration_ms: 60000"))
    reference = tmp_path / "reference.h5"
    subprocess.run([str(ndml_bin), "run", str(config), "-q", "-o", str(reference)], check=True, timeout=600)
    out, checkpoint = tmp_path / "run.h5", tmp_path / "run.h5.ckpt"
    first = [str(ndml_bin), "run", str(config), "-q", "-o", str(out), "--threads", "2", "--checkpoint-every-ms", "7000"]
    assert kill_after_checkpoint(first, repo_root, checkpoint, random.Random(3), None), "killed after a checkpoint"
    done = subprocess.run([str(ndml_bin), "resume", str(checkpoint), "-q", "--threads", "1"], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert_same_results(reference, out)
