"""Parameter and weight changes during a run (`populations.<p>.changes`, what PyNN's `Population.set` between
`run()` calls becomes): the membrane follows the closed-form solution with the old parameters
before the change and the new ones after it (the injected current carried over), the threshold
change shows in the spikes, the run before the change is that of a run without it, 1 and 2
threads agree, a run killed and resumed after the change equals the uninterrupted one, and bad
changes are refused with the key named."""

from __future__ import annotations

import json
import random
import subprocess

import h5py
import numpy as np
import pytest

DT = 0.1
T_CHANGE = 40.0


def _relax(v0, v_inf, tau, t):
    return v_inf + (v0 - v_inf) * np.exp(-t / tau)


@pytest.mark.parametrize("model", ["lif_cuba", "lif_coba"])
def test_membrane_follows_old_then_new_parameters(model, run_config, tmp_path):
    current = 150.0  # pA, i_bias (carried over the change)
    if model == "lif_cuba":
        before = {"tau_m_ms": 20.0, "c_m_pF": 250.0, "v_rest_mV": -65.0}
        after = {"tau_m_ms": 8.0, "c_m_pF": 100.0, "v_rest_mV": -70.0}

        def steady(p):
            r = p["tau_m_ms"] / p["c_m_pF"]  # GΩ: R·I[pA] in mV
            return p["v_rest_mV"] + r * current, p["tau_m_ms"]
    else:
        before = {"c_m_pF": 200.0, "g_leak_nS": 10.0, "v_rest_mV": -60.0}
        after = {"c_m_pF": 200.0, "g_leak_nS": 25.0, "v_rest_mV": -65.0}

        def steady(p):
            return p["v_rest_mV"] + current / p["g_leak_nS"], p["c_m_pF"] / p["g_leak_nS"]
    params = {**before, "v_thresh_mV": 1000.0, "v_reset_mV": -70.0, "i_bias_pA": current}
    config = {"simulation": {"dt_ms": DT, "duration_ms": 100.0},
              "populations": {"n": {"size": 2, "model": model, "params": params,
                                    "changes": [{"at_ms": T_CHANGE, "params": after}]}},
              "record": {"state": [{"population": "n", "variables": ["v"], "neurons": [0, 1], "interval_ms": DT}]}}
    with h5py.File(run_config(model, config)) as f:
        v = f["report/n/v/data"][:, 0].astype(float)
    t = np.arange(v.size) * DT
    k = int(round(T_CHANGE / DT))
    v_inf, tau = steady(before)
    expected_before = _relax(before["v_rest_mV"], v_inf, tau, t[: k + 1])
    v_inf2, tau2 = steady(after)
    expected_after = _relax(expected_before[-1], v_inf2, tau2, t[k:] - T_CHANGE)
    # lif_cuba is exact (float32 storage only); lif_coba's exponential Euler is exact for constant
    # conductances too (no synaptic input here).
    np.testing.assert_allclose(v[: k + 1], expected_before, atol=2e-5)
    np.testing.assert_allclose(v[k:], expected_after, atol=2e-5)
    assert abs(v_inf2 - v_inf) > 1.0, "the change moves the steady state"


def _network(duration_ms=2000.0, changes=True, weight_change=False):
    rng = np.random.default_rng(3)
    n = 300
    cells = {"size": n, "model": "lif_cuba",
             "params": {"tau_m_ms": 20.0, "v_thresh_mV": -50.0, "i_bias_pA": 120.0},
             "init": {"v_mV": rng.uniform(-65, -50, n).round(3).tolist()}}
    if changes:
        cells["changes"] = [{"at_ms": duration_ms * 0.3, "params": {"v_thresh_mV": -45.0}},
                            {"at_ms": duration_ms * 0.6, "params": {"tau_m_ms": rng.uniform(10, 30, n).round(3).tolist(),
                                                                   "v_thresh_mV": -52.0}}]
    return {"simulation": {"dt_ms": DT, "duration_ms": duration_ms, "seed": 4},
            "populations": {"drive": {"size": 100, "model": "poisson", "params": {"rate_Hz": 30}}, "cells": cells},
            "projections": {"in": {"source": "drive", "target": "cells", "connectivity": {"fixed_probability": 0.1},
                                   "weight_mV": 1.5},
                            "rec": {"source": "cells", "target": "cells", "connectivity": {"fixed_probability": 0.05},
                                    "weight_mV": -0.5, "receptor": "inhibitory"}},
            "record": {"spikes": ["cells"]}} if not weight_change else {
        "simulation": {"dt_ms": DT, "duration_ms": duration_ms, "seed": 4},
        "populations": {"drive": {"size": 100, "model": "poisson", "params": {"rate_Hz": 30}}, "cells": cells},
        "projections": {"in": {"source": "drive", "target": "cells", "connectivity": {"fixed_probability": 0.1},
                               "weight_mV": 1.5, "weight_changes": [{"at_ms": duration_ms * 0.45, "weight_mV": 2.5}]},
                        "rec": {"source": "cells", "target": "cells", "connectivity": {"fixed_probability": 0.05},
                                "weight_mV": -0.5, "receptor": "inhibitory"}},
        "record": {"spikes": ["cells"], "weights": [{"projection": "in", "interval_ms": duration_ms / 4}]}}


def test_threshold_change_shows_and_threads_agree(run_config, tmp_path):
    spikes = []
    for threads in (1, 2):
        with h5py.File(run_config(f"net{threads}", _network(), "--threads", str(threads))) as f:
            spikes.append((f["spikes/cells/timestamps"][:], f["spikes/cells/node_ids"][:]))
    for a, b in zip(*spikes):
        np.testing.assert_array_equal(a, b)
    with h5py.File(run_config("unchanged", _network(changes=False))) as f:
        plain = f["spikes/cells/timestamps"][:]
    t = spikes[0][0]
    np.testing.assert_array_equal(t[t < 600.0], plain[plain < 600.0])
    rate = [np.sum((t >= lo) & (t < hi)) for lo, hi in ((0, 600), (600, 1200), (1200, 2000))]
    rate = [r / w for r, w in zip(rate, (600, 600, 800))]
    assert rate[1] < 0.7 * rate[0], f"a higher threshold lowers the rate: {rate}"
    assert rate[2] > rate[1], f"a lower threshold raises it again: {rate}"


def test_killed_and_resumed_run_equals_the_uninterrupted_run(ndml_bin, repo_root, tmp_path):
    from test_checkpoint import assert_same_results, kill_after_checkpoint

    config = tmp_path / "net.json"
    # The checkpoint (200 s) falls after every change (90, 135 and 180 s): the resumed run makes them again
    # from the config; the reference crosses them in one go.
    config.write_text(json.dumps(_network(duration_ms=300000.0, weight_change=True)))
    reference = tmp_path / "reference.h5"
    subprocess.run([str(ndml_bin), "run", str(config), "-q", "-o", str(reference)], check=True, timeout=600)
    out, checkpoint = tmp_path / "run.h5", tmp_path / "run.h5.ckpt"
    first = [str(ndml_bin), "run", str(config), "-q", "-o", str(out), "--threads", "2", "--checkpoint-every-ms", "200000"]
    assert kill_after_checkpoint(first, repo_root, checkpoint, random.Random(2), None), "killed after a checkpoint"
    done = subprocess.run([str(ndml_bin), "resume", str(checkpoint), "-q", "--threads", "1"], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert_same_results(reference, out)


@pytest.mark.parametrize("changes, needle", [
    ([{"at_ms": 0, "params": {"tau_m_ms": 10}}], "populations.n.changes[0].at_ms"),
    ([{"at_ms": 5, "params": {"tau_m_ms": 10}}, {"at_ms": 3, "params": {"tau_m_ms": 12}}],
     "populations.n.changes[1].at_ms"),
    ([{"at_ms": 5, "params": {"tau_m_ms": -1}}], "populations.n.changes[0].params.tau_m_ms"),
    ([{"at_ms": 5, "params": {"tau_m_ms": [1, 2, 3]}}], "populations.n.changes[0].params.tau_m_ms: lists 3 values"),
    ([{"at_ms": 5, "params": {"bogus": 1}}], "populations.n.changes[0].params.bogus"),
    ([{"at_ms": 5}], "populations.n.changes[0]"),
])
def test_bad_changes_are_refused(changes, needle, ndml_bin, tmp_path):
    config = {"simulation": {"duration_ms": 10}, "populations": {"n": {"size": 2, "model": "lif_cuba",
                                                                       "changes": changes}}}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(config))
    proc = subprocess.run([str(ndml_bin), "validate", str(path)], capture_output=True, text=True)
    assert proc.returncode != 0
    assert needle in proc.stderr, proc.stderr


def test_changes_on_other_models_are_refused(ndml_bin, tmp_path):
    config = {"simulation": {"duration_ms": 10},
              "populations": {"n": {"size": 2, "model": "adex", "changes": [{"at_ms": 5, "params": {"b_pA": 1}}]}}}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(config))
    proc = subprocess.run([str(ndml_bin), "validate", str(path)], capture_output=True, text=True)
    assert proc.returncode != 0 and "lif_cuba and lif_coba" in proc.stderr, proc.stderr


def _list_network(tmp_path, weight_changes, receptor="excitatory", sign=1.0):
    rng = np.random.default_rng(9)
    n = 40
    src, tgt = rng.integers(0, 5, n), rng.integers(0, 3, n)
    src[:3], tgt[:3] = 1, 2  # a repeated pair: three synapses
    side = tmp_path / "side.h5"
    with h5py.File(side, "w") as f:
        f["p/source"], f["p/target"] = src, tgt
        f["p/weight"] = sign * rng.uniform(0.5, 1.5, n)
        f["p/weight_1"] = sign * rng.uniform(2.0, 3.0, n)
    spikes = [[2.0 + 10 * k + i for k in range(10)] for i in range(5)]
    config = {"simulation": {"dt_ms": DT, "duration_ms": 100.0},
              "populations": {"src": {"size": 5, "model": "spike_source", "params": {"spike_times_ms": spikes}},
                              "n": {"size": 3, "model": "lif_cuba", "params": {"v_thresh_mV": 1000.0}}},
              "projections": {"p": {"source": "src", "target": "n", "receptor": receptor,
                                    "connectivity": {"from_file": str(side), "group": "p"}, "delay_ms": 1.0,
                                    "weight_changes": weight_changes}},
              "record": {"weights": [{"projection": "p", "interval_ms": 10.0}]}}
    with h5py.File(side) as f:
        return config, src, tgt, f["p/weight"][:], f["p/weight_1"][:], side


def test_weight_changes_set_every_synapse_or_each_one(run_config, tmp_path):
    """A scalar change sets every synapse; a per-synapse change (HDF5 dataset, list order) sets each
    synapse of the explicit list to its value — repeated pairs included — from its time on."""
    config, src, tgt, w0, w1, side = _list_network(tmp_path, [])
    config["projections"]["p"]["weight_changes"] = [{"at_ms": 35.0, "weight_mV": 4.0},
                                                    {"at_ms": 62.0, "from_file": str(side), "dataset": "p/weight_1"}]
    with h5py.File(run_config("wlist", config)) as f:
        t = f["weights/p/time"][:]
        w = f["weights/p/weights"][:]
        s_ids, t_ids = f["weights/p/source_ids"][:], f["weights/p/target_ids"][:]
    # the file's columns: the list sorted by (source, target, index) — match them to the list
    order = sorted(range(len(src)), key=lambda i: (src[i], tgt[i], i))
    assert list(s_ids) == [src[i] for i in order] and list(t_ids) == [tgt[i] for i in order]
    for row, time in enumerate(t):
        expected = w0 if time < 35.0 else (np.full(len(src), 4.0) if time < 62.0 else w1)
        np.testing.assert_array_equal(w[row], [expected[i] for i in order], err_msg=f"t = {time}")


@pytest.mark.parametrize("change, receptor, sign, needle", [
    ({"at_ms": 10.0, "weight_mV": -1.0}, "excitatory", 1.0, "breaks the sign rule"),
    ({"at_ms": 10.0, "weight_mV": 1.0}, "inhibitory", -1.0, "breaks the sign rule"),
    ({"at_ms": 10.0, "from_file": "SIDE", "dataset": "p/source"}, "excitatory", 1.0, None),
    ({"at_ms": 10.0, "from_file": "SIDE", "dataset": "p/nothing"}, "excitatory", 1.0, "has no dataset /p/nothing"),
    ({"at_ms": 10.0, "from_file": "SIDE"}, "excitatory", 1.0, "dataset: is required"),
    ({"at_ms": 0.0, "weight_mV": 1.0}, "excitatory", 1.0, "weight_changes[0].at_ms"),
])
def test_bad_weight_changes_are_refused(change, receptor, sign, needle, ndml_bin, tmp_path):
    config, *_, side = _list_network(tmp_path, [], receptor=receptor, sign=sign)
    change = {k: (str(side) if v == "SIDE" else v) for k, v in change.items()}
    config["projections"]["p"]["weight_changes"] = [change]
    if needle is None:  # a dataset of the wrong length: 40 sources are 40 values, so cut it
        with h5py.File(side, "a") as f:
            f["p/short"] = np.ones(7)
        config["projections"]["p"]["weight_changes"][0]["dataset"] = "p/short"
        needle = "holds 7 weights; the projection's list has 40 synapses"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(config))
    proc = subprocess.run([str(ndml_bin), "validate", str(path)], capture_output=True, text=True)
    assert proc.returncode != 0
    assert needle in proc.stderr and "projections.p.weight_changes" in proc.stderr, proc.stderr


def test_per_synapse_weight_changes_need_an_explicit_list(ndml_bin, tmp_path):
    config = _network(duration_ms=100.0, weight_change=True)
    side = tmp_path / "w.h5"
    with h5py.File(side, "w") as f:
        f["w"] = np.ones(10)
    config["projections"]["in"]["weight_changes"] = [{"at_ms": 10.0, "from_file": str(side), "dataset": "w"}]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(config))
    proc = subprocess.run([str(ndml_bin), "validate", str(path)], capture_output=True, text=True)
    assert proc.returncode != 0 and "need an explicit list" in proc.stderr, proc.stderr
