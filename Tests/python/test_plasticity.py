"""Pair STDP against its closed form, read back from the results file with h5py only.

experiments/stdp_pair_window.yaml makes 41 independent pre/post pairs, one spike each; the final
weight change of each synapse must equal the analytic window
    Δw = a_plus·(w_max − w_min)·exp(−Δt/tau_plus)    (Δt = t_post − t_arrival ≥ 0)
    Δw = −a_minus·(w_max − w_min)·exp(Δt/tau_minus)  (Δt < 0)
with t_arrival = presynaptic spike time + delay, computed from the spike times NDML recorded.
"""

from __future__ import annotations

import math

import h5py
import numpy as np
import yaml


def test_pair_window_matches_closed_form(run_ndml, repo_root, tmp_path):
    out = tmp_path / "stdp.h5"
    run_ndml("run", "experiments/stdp_pair_window.yaml", "-o", out)
    cfg = yaml.safe_load((repo_root / "experiments/stdp_pair_window.yaml").read_text())
    proj = cfg["projections"]["stdp"]
    rule = proj["plasticity"]
    span = rule["w_max_mV"] - rule["w_min_mV"]
    with h5py.File(out, "r") as f:
        w = f["weights/stdp/weights"][:]
        t = f["weights/stdp/time"][:]
        src = f["weights/stdp/source_ids"][:].astype(int)
        dst = f["weights/stdp/target_ids"][:].astype(int)
        pre_t, pre_i = f["spikes/pre/timestamps"][:], f["spikes/pre/node_ids"][:].astype(int)
        post_t, post_i = f["spikes/post/timestamps"][:], f["spikes/post/node_ids"][:].astype(int)
        assert f["weights/stdp/weights"].attrs["units"] == "mV"
        hist = f["weights/stdp/histogram"][:]
    assert t[0] == 0 and math.isclose(t[-1], cfg["simulation"]["duration_ms"])
    assert (hist.sum(axis=1) == len(src)).all()
    assert np.array_equal(src, dst) and len(src) == cfg["populations"]["pre"]["size"]
    arrival = {i: ti + proj["delay_ms"] for ti, i in zip(pre_t, pre_i)}
    post = {i: ti for ti, i in zip(post_t, post_i)}
    assert len(arrival) == len(post) == len(src), "one spike per neuron"
    signs = set()
    for k, (s, d) in enumerate(zip(src, dst)):
        dt = post[d] - arrival[s]
        if dt >= 0:
            expected = rule["a_plus"] * span * math.exp(-dt / rule["tau_plus_ms"])
        else:
            expected = -rule["a_minus"] * span * math.exp(dt / rule["tau_minus_ms"])
        signs.add(np.sign(expected))
        change = w[-1, k] - w[0, k]
        assert abs(change - expected) < 1e-12, f"Δt = {dt:.2f} ms: Δw {change!r}, closed form {expected!r}"
    assert signs == {1.0, -1.0}, "the window covers potentiation and depression"
