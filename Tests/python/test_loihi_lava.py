"""NDML's Loihi 2 emulation (`loihi_cuba`) against Intel's Lava, spike for spike.

For each of the four Loihi networks in experiments/ (feed-forward with Poisson input; recurrent
E/I with 200 neurons; bias-driven without spike input; per-synapse delays, including DelayDense
with a negative weight_exp), all with at least 1000 steps:

1. `ndml export CONFIG --format lava -o DIR` writes the bundle and its `run_lava.py`;
2. `run_lava.py` runs the network in real Lava 0.10 (`Loihi2SimCfg(select_tag='fixed_pt')`, the
   bit-accurate CPU models) in the project's Lava venv (lava/make_venv.sh, Python 3.10) and writes an
   NDML results file;
3. that file's spikes must equal, spike for spike, those of an independent `ndml run` of the same
   config (2 threads, both precisions), and the numpy emulation of the spec
   (lava/lava_reference.py emulate) run on the exported bundle.

The Lava interpreter comes from $NDML_LAVA_PYTHON (set by `make python-test`); a missing one fails.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import h5py
import pytest

from loihi_support import run_python, spikes

REPO = Path(__file__).resolve().parents[2]
NETWORKS = ["loihi_feedforward", "loihi_ei_network", "loihi_bias_only", "loihi_delays"]


@pytest.mark.parametrize("network", NETWORKS)
def test_lava_runs_the_export_spike_for_spike(network, tmp_path, run_ndml, lava_python):
    config = REPO / "experiments" / f"{network}.yaml"
    export = tmp_path / "export"
    run_ndml("export", config, "--format", "lava", "-o", export)
    with h5py.File(export / "network.h5", "r") as f:
        steps = int(f.attrs["steps"])
        populations = sorted(f["populations"])
    assert steps >= 1000

    lava_out = tmp_path / "lava.h5"
    proc = run_python(lava_python, export / "run_lava.py", "-o", lava_out)
    assert proc.returncode == 0, f"run_lava.py failed:\n{proc.stdout}\n{proc.stderr}"
    assert "every spike matches NDML's prediction" in proc.stdout

    # An independent NDML run of the config (2 threads, each precision) gives the same spikes.
    for precision in ["float64", "float32"]:
        ndml_out = tmp_path / f"ndml_{precision}.h5"
        run_ndml("run", config, "-o", ndml_out, "-q", "--threads", "2", "--set", f"simulation.precision={precision}")
        for pop in populations:
            ours, theirs = spikes(ndml_out, pop), spikes(lava_out, pop)
            assert len(ours) > 50, f"{pop} spikes too little ({len(ours)}) for the comparison to mean much"
            assert ours == theirs, f"{network}/{pop} ({precision}): NDML {len(ours)} spikes, Lava {len(theirs)}"

    # The numpy emulation of the spec (docs/loihi-numerics.md) agrees too.
    emulated = tmp_path / "emulate.h5"
    proc = run_python(lava_python, REPO / "lava" / "lava_reference.py", "emulate", export / "network.h5",
                      "-o", emulated)
    assert proc.returncode == 0, proc.stderr
    for pop in populations:
        assert spikes(emulated, pop) == spikes(lava_out, pop)

    # The Lava results file is an NDML results file.
    inspect = run_ndml("inspect", lava_out)
    assert "status complete" in inspect.stdout


def test_quantised_float_network_runs_in_lava(tmp_path, run_ndml, lava_python):
    """A float lif_cuba network is quantised by the export: the report gives every parameter's
    integer image, the quantised network's rates stay close to the float network's (both in NDML),
    and Lava runs the quantised network exactly as NDML predicted it."""
    export = tmp_path / "export"
    run_ndml("export", "experiments/loihi_from_float.yaml", "--format", "lava", "-o", export,
             "--set", "simulation.duration_ms=1000")
    report = json.loads((export / "quantization.json").read_text())
    keys = {p["key"] for p in report["parameters"]}
    assert {"populations.exc.params.tau_m_ms", "populations.exc.params.v_thresh_mV",
            "projections.ie.weight_mV"} <= keys
    for p in report["parameters"]:
        if p["key"].endswith("tau_m_ms") or p["key"].endswith("v_thresh_mV"):
            assert abs(p["effective"] - p["float"]) <= 0.01 * abs(p["float"]), p
    sizes = {"exc": 400, "inh": 100}
    for a in report["agreement"]:
        assert a["floatRateHz"] > 1
        # A recurrent network drifts apart spike by spike; its rates should not. 10 % for the
        # excitatory population (about 19 000 spikes), 25 % for the inhibitory one (about 300).
        spikes = a["floatRateHz"] * sizes[a["population"]]
        tolerance = 0.1 if spikes > 2000 else 0.25
        assert abs(a["quantizedRateHz"] - a["floatRateHz"]) <= tolerance * a["floatRateHz"], a
    with h5py.File(export / "network.h5", "r") as f:
        assert json.loads(f["quantization_report"][()]) == report
    proc = run_python(lava_python, export / "run_lava.py", "-o", tmp_path / "lava.h5")
    assert proc.returncode == 0, f"run_lava.py failed:\n{proc.stdout}\n{proc.stderr}"
    assert "every spike matches NDML's prediction" in proc.stdout


def test_resource_report(tmp_path, run_ndml):
    """The export states neurons, synapses, bits and a core estimate per population, consistent
    with the bundle, and warns when one step's input can wrap Loihi's 24-bit current."""
    export = tmp_path / "ei"
    proc = run_ndml("export", "experiments/loihi_ei_network.yaml", "--format", "lava", "-o", export)
    report = json.loads((export / "resources.json").read_text())
    with h5py.File(export / "network.h5", "r") as f:
        sizes = {n: int(g.attrs["size"]) for n, g in f["populations"].items()}
        counts = {n: g["pre"].shape[0] for n, g in f["projections"].items()}
        bits = {n: int(g.attrs["num_weight_bits"]) + (g.attrs["sign_mode"] == "mixed") for n, g in f["projections"].items()}
    assert {p["name"]: p["neurons"] for p in report["populations"]} == sizes
    assert {p["name"]: p["synapses"] for p in report["projections"]} == counts
    assert {p["name"]: p["bitsPerSynapse"] for p in report["projections"]} == bits
    assert report["cores"] == 2 and report["chips"] == 1 and report["warnings"] == []
    assert "Loihi 2 resources" in proc.stdout
    # 2^7-scaled sums of up to ~16 weights of 160: beyond 2^23 after the << 6 of the LIF.
    proc = run_ndml("export", "experiments/loihi_feedforward.yaml", "--format", "lava", "-o", tmp_path / "ff",
                    "--set", "projections.in_hidden.loihi.weight_exp=7")
    assert "population hidden: one step's input can reach" in proc.stderr


def test_resource_report_warns_beyond_one_chip(tmp_path, run_ndml):
    """Each population takes whole cores: 130 one-neuron populations need 130 of a chip's 128."""
    config = tmp_path / "many.yaml"
    config.write_text("simulation: {dt_ms: 1, duration_ms: 10}\npopulations:\n" + "".join(
        f"  p{i}: {{size: 1, model: loihi_cuba, params: {{bias_mant: 1}}}}\n" for i in range(130)))
    proc = run_ndml("export", config, "--format", "lava", "-o", tmp_path / "x")
    report = json.loads((tmp_path / "x" / "resources.json").read_text())
    assert report["cores"] == 130 and report["chips"] == 2
    assert "needs about 130 neuro-cores, more than one Loihi 2 chip's 128: 2 chips" in proc.stderr


@pytest.mark.parametrize("config,override,key,words", [
    ("experiments/cuba.yaml", None, "populations.exc.params.tau_syn_i_ms", "one synaptic current"),
    ("experiments/coba.yaml", None, "populations.exc.model", "conductance"),
    ("experiments/loihi_from_float.yaml", "populations.exc.params.tau_ref_ms=2", "populations.exc.params.tau_ref_ms",
     "refractory"),
    ("experiments/loihi_from_float.yaml", "populations.inh.params.v_reset_mV=-70", "populations.inh.params.v_reset_mV",
     "rest"),
    ("experiments/loihi_from_float.yaml", "projections.ee.delay_ms=64", "projections.ee.delay_ms", "at most 63"),
])
def test_export_refuses_what_loihi_cannot_express(ndml_bin, tmp_path, config, override, key, words):
    cmd = [str(ndml_bin), "export", config, "--format", "lava", "-o", str(tmp_path / "x")]
    if override:
        cmd += ["--set", override]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 1
    assert key in proc.stderr and words in proc.stderr, proc.stderr
    assert not (tmp_path / "x" / "network.h5").exists()


@pytest.mark.parametrize("override,key", [
    ("projections.hidden_out.delay_ms=65", "projections.hidden_out.delay_ms"),       # 65 steps > 64
    ("projections.in_hidden.delay_ms=1", "projections.in_hidden.delay_ms"),         # source: at least 2
    ("projections.hidden_out.receptor=inhibitory", "projections.hidden_out.receptor"),
    ("projections.hidden_out.loihi.weight_exp=9", "projections.hidden_out.loihi.weight_exp"),
    ("populations.hidden.params.bias_mant=5000", "populations.hidden.params.bias_mant"),
    ("populations.hidden.params.vth=2.5", "populations.hidden.params.vth"),
])
def test_loihi_config_errors_name_the_key(ndml_bin, override, key):
    proc = subprocess.run([str(ndml_bin), "validate", "experiments/loihi_feedforward.yaml", "--set", override],
                          cwd=REPO, capture_output=True, text=True)
    assert proc.returncode != 0
    assert key in proc.stderr, proc.stderr
