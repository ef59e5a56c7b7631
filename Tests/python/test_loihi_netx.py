"""NDML's lava-netx export against lava-dl netx and Intel's Lava, spike for spike.

experiments/loihi_netx_layers.yaml is a layered loihi_cuba network (Poisson input -> 128 hidden
(dense) -> 64 recurrent (dense_rec) -> 24 output (dense), 1200 steps, |w| <= 127):

1. `ndml export CONFIG --format lava-netx -o DIR/layers.net` writes the netx file (slayer's layout),
   `layers.inputs.h5` (input spikes, NDML's prediction) and `run_netx.py` beside it;
2. `run_netx.py` loads the file unchanged with `netx.hdf5.Network` in the project's Lava venv
   (lava-nc 0.10, lava-dl 0.6), drives `net.inp` from a RingBuffer, runs
   `Loihi2SimCfg(select_tag='fixed_pt')` and writes an NDML results file;
3. every layer's spikes must equal those of an independent `ndml run` of the config (2 threads,
   both precisions); lava_reference.py's netx_dense_params/effective_weights must find every exported
   layer's weights reproduced exactly.

The same is done with per-synapse delays (netx's 2-D `delay`, Lava DelayDense). Configs netx cannot
express must be refused with an error naming the config key. The Lava interpreter comes from
$NDML_LAVA_PYTHON (set by `make python-test`); a missing one fails, never skips.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import h5py
import numpy as np
import pytest
import yaml

from loihi_support import run_python, spikes

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "experiments" / "loihi_netx_layers.yaml"
LAYERS = ["hidden", "recurrent", "output"]

# Checks, in the Lava venv, that netx's own weight scaling plus Lava's Dense reproduce every layer's
# file weights exactly (lava_reference.py's netx_dense_params and effective_weights).
EXACT_CHECK = """
import sys
sys.path.insert(0, sys.argv[1])
import numpy as np
import lava_reference as ref
b = ref.bundle_from_netx(sys.argv[2], np.zeros(0, np.int64), np.zeros(0, np.int64), 10)
for pr in b.projections.values():
    print(pr.name, pr.num_weight_bits, pr.weight_exp, ref.netx_weights_exact(pr))
"""


@pytest.mark.parametrize("overrides", [
    [],
    # per-synapse delays from the source (2..6 steps) and one of 3 steps into the output layer
    ["--set", "projections.in_hidden.delay_ms={uniform: [2, 6]}", "--set", "projections.recurrent_output.delay_ms=3"],
], ids=["plain", "delays"])
def test_netx_runs_the_export_spike_for_spike(overrides, tmp_path, run_ndml, lava_python):
    net = tmp_path / "export" / "layers.net"
    run_ndml("export", CONFIG, "--format", "lava-netx", "-o", net, *overrides)
    assert (net.parent / "layers.inputs.h5").is_file() and (net.parent / "run_netx.py").is_file()

    # slayer's layout: input layer without a neuron, then dense / dense_rec CUBA layers.
    with h5py.File(net, "r") as f:
        types = [f[f"layer/{i}/type"][0].decode("ascii") for i in range(len(f["layer"]))]
        assert types == ["input", "dense", "dense_rec", "dense"]
        assert f["layer/0/type"].dtype == np.dtype("S10") and f["layer/0/type"].shape == (1,)
        assert int(f["layer/1/shape"][0]) >= 100
        for i in (1, 2, 3):
            g = f[f"layer/{i}"]
            assert g["weight"].dtype == np.float32
            assert np.all(np.abs(g["weight"][()]) <= 127)
            assert g["neuron/type"][()] in (b"CUBA", "CUBA")
            assert int(g["neuron/refDelay"][()]) == 1 and not bool(g["neuron/gradedSpike"][()])
        assert f["layer/2/weight_rec"].shape == (64, 64)
        assert ("delay" in f["layer/1"]) == bool(overrides) and "delay" not in f["layer/2"]
    with h5py.File(net.parent / "layers.inputs.h5", "r") as f:
        assert int(f.attrs["steps"]) >= 1000

    if not overrides:
        proc = run_python(lava_python, "-c", EXACT_CHECK, REPO / "lava", net)
        assert proc.returncode == 0, proc.stderr
        rows = [line.split() for line in proc.stdout.splitlines() if line.startswith("layer")]
        assert len(rows) == 4 and all(r[-1] == "True" for r in rows), proc.stdout

    lava_out = tmp_path / "netx.h5"
    proc = run_python(lava_python, net.parent / "run_netx.py", "-o", lava_out)
    assert proc.returncode == 0, f"run_netx.py failed:\n{proc.stdout}\n{proc.stderr}"
    assert "every spike matches NDML's prediction" in proc.stdout

    # An independent NDML run of the config (2 threads, each precision) gives the same spikes.
    for precision in ["float64", "float32"]:
        ndml_out = tmp_path / f"ndml_{precision}.h5"
        run_ndml("run", CONFIG, "-o", ndml_out, "-q", "--threads", "2", "--set", f"simulation.precision={precision}",
                 *overrides)
        for layer in LAYERS:
            ours, theirs = spikes(ndml_out, layer), spikes(lava_out, layer)
            assert len(ours) > 50, f"{layer} spikes too little ({len(ours)}) for the comparison to mean much"
            assert ours == theirs, f"{layer} ({precision}): NDML {len(ours)} spikes, netx/Lava {len(theirs)}"

    inspect = run_ndml("inspect", lava_out)
    assert "status complete" in inspect.stdout


def export_error(ndml_bin, config, tmp_path, *overrides) -> str:
    net = tmp_path / "refused" / "x.net"
    proc = subprocess.run([str(ndml_bin), "export", str(config), "--format", "lava-netx", "-o", str(net),
                           *overrides], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert not net.exists()
    return proc.stderr


@pytest.mark.parametrize("override,key,limit", [
    ("populations.hidden.params.bias_mant=3", "populations.hidden.params.bias_mant", "multiple of 64"),
    # pitfall 3 of docs/loihi-numerics.md §5: no positive weight and min = -64
    ("projections.recurrent_output.weight_int=-64", "projections.recurrent_output.weight_int", "netx's own scaling"),
    ("projections.recurrent_output.weight_int={uniform: [-64, -1]}", "projections.recurrent_output.weight_int",
     "netx's own scaling"),
    ("projections.recurrent_output.loihi.weight_exp=2", "projections.recurrent_output.weight_int", "−256…254"),
    ("projections.in_hidden.loihi.num_weight_bits=8", "projections.in_hidden.loihi.weight_exp", "multiple of 2^1"),
    ("projections.hidden_recurrent.delay_ms=2", "projections.hidden_recurrent.delay_ms", "dense_rec"),
    ("projections.recurrent_recurrent.delay_ms=2", "projections.recurrent_recurrent.delay_ms", "one step"),
    ("projections.recurrent_output.delay_ms=64", "projections.recurrent_output.delay_ms", "0…62"),
    ("populations.hidden.init.u_int=5", "populations.hidden.init.u_int", "u = v = 0"),
])
def test_netx_export_refuses_with_the_key(ndml_bin, tmp_path, override, key, limit):
    err = export_error(ndml_bin, CONFIG, tmp_path, "--set", override)
    assert key in err and limit in err, err


def modified_config(tmp_path, change) -> Path:
    config = yaml.safe_load(CONFIG.read_text())
    change(config)
    path = tmp_path / "modified.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def test_netx_export_refuses_a_branch(ndml_bin, tmp_path):
    def branch(config):
        config["projections"]["hidden_output"] = dict(
            source="hidden", target="output", connectivity={"fixed_probability": 0.1},
            weight_int={"uniform": [1, 50]}, delay_ms=1)
    err = export_error(ndml_bin, modified_config(tmp_path, branch), tmp_path)
    assert "projections.hidden_output.source" in err and "chain" in err, err


def test_netx_export_refuses_a_second_input(ndml_bin, tmp_path):
    def second_input(config):
        config["populations"]["noise"] = {"size": 10, "model": "poisson", "params": {"rate_Hz": 5}}
        config["projections"]["noise_output"] = dict(
            source="noise", target="output", connectivity={"fixed_probability": 0.5},
            weight_int={"uniform": [1, 50]}, delay_ms=2)
    err = export_error(ndml_bin, modified_config(tmp_path, second_input), tmp_path)
    assert "populations.noise" in err and "one input" in err, err


def test_netx_export_refuses_a_float_network(ndml_bin, tmp_path):
    err = export_error(ndml_bin, REPO / "experiments" / "cuba.yaml", tmp_path)
    assert "populations.exc.model" in err and "loihi_cuba" in err, err
