"""Per-neuron parameters (`params` keys as lists, `lif_cuba` and `lif_coba`): a population whose
neurons differ behaves exactly — bit for bit — like one single-neuron population per neuron with
that neuron's parameters (the uniform kernels, a separate code path), under the same spike input,
injected currents and initial values; bad lists are refused with the key and neuron named."""

from __future__ import annotations

import json
import subprocess

import h5py
import numpy as np
import pytest
import yaml

N = 5
SPIKES = [[2.0, 9.5, 20.0], [3.0, 4.0], [1.0, 30.0, 31.0, 32.0], [15.0], [5.0, 6.0, 7.0, 8.0]]
CASES = {
    "lif_cuba": ({"tau_m_ms": [10, 15, 20, 25, 8], "tau_syn_e_ms": [2, 5, 5, 0, 3], "tau_syn_i_ms": 10,
                  "v_rest_mV": [-65, -60, -70, -65, -65], "v_thresh_mV": [-50, -52, -55, -50, -58],
                  "v_reset_mV": [-65, -61, -70, -66, -65], "tau_ref_ms": [2, 0.5, 5, 1, 0],
                  "c_m_pF": [250, 200, 300, 250, 100], "i_bias_pA": [300, 350, 0, 200, 180]},
                 "weight_mV", 6.0, ["v", "s_e"]),
    "lif_coba": ({"c_m_pF": [200, 250, 150, 200, 300], "g_leak_nS": [10, 12, 8, 10, 20],
                  "v_rest_mV": [-60, -65, -60, -70, -60], "tau_syn_e_ms": [5, 2, 8, 5, 5],
                  "v_thresh_mV": [-50, -52, -48, -55, -50], "v_reset_mV": -60, "tau_ref_ms": [5, 2, 1, 0, 3],
                  "e_rev_e_mV": [0, 0, -10, 0, 0], "i_bias_pA": [250, 300, 120, 200, 400]},
                 "weight_nS", 4.0, ["v", "g_e"]),
}
CASES["lif_cuba_alpha"] = ({**CASES["lif_cuba"][0], "tau_syn_e_ms": [2, 5, 5, 1, 3], "synapse_shape": "alpha"},
                           "weight_mV", 6.0, ["v", "s_e"])
CASES["lif_coba_alpha"] = ({**CASES["lif_coba"][0], "synapse_shape": "alpha"}, "weight_nS", 4.0, ["v", "g_e"])


@pytest.mark.parametrize("model", sorted(CASES))
def test_a_varied_population_equals_one_population_per_neuron(model, run_config, tmp_path):
    params, weight_key, weight, variables = CASES[model]
    model = model.removesuffix("_alpha")
    init = [-64.0, -58.0, -69.0, -60.0, -62.0]
    sim = {"dt_ms": 0.1, "duration_ms": 60, "seed": 1}
    source = {"size": N, "model": "spike_source", "params": {"spike_times_ms": SPIKES}}
    together = {
        "simulation": sim,
        "populations": {"src": source, "cells": {"size": N, "model": model, "params": params,
                                                  "init": {"v_mV": init}}},
        "projections": {"p": {"source": "src", "target": "cells", "connectivity": "one_to_one",
                              weight_key: weight, "delay_ms": 1.0}},
        "record": {"spikes": ["cells"], "state": [{"population": "cells", "variables": variables,
                                                   "neurons": list(range(N)), "interval_ms": 0.1}]},
    }
    apart = {"simulation": sim, "populations": {"src": source}, "projections": {}, "record": {"spikes": [], "state": []}}
    for i in range(N):
        own = {k: (v[i] if isinstance(v, list) else v) for k, v in params.items()}
        name = f"c{i}"
        apart["populations"][name] = {"size": 1, "model": model, "params": own, "init": {"v_mV": init[i]}}
        conn = tmp_path / f"conn{i}.csv"
        conn.write_text(f"source,target\n{i},0\n")
        apart["projections"][name] = {"source": "src", "target": name, "connectivity": {"from_file": str(conn)},
                                      weight_key: weight, "delay_ms": 1.0}
        apart["record"]["spikes"].append(name)
        apart["record"]["state"].append({"population": name, "variables": variables, "neurons": [0],
                                         "interval_ms": 0.1})
    with h5py.File(run_config("together", together)) as a, h5py.File(run_config("apart", apart)) as b:
        t, ids = a["spikes/cells/timestamps"][:], a["spikes/cells/node_ids"][:]
        counts = []
        for i in range(N):
            np.testing.assert_array_equal(t[ids == i], b[f"spikes/c{i}/timestamps"][:])
            counts.append(int((ids == i).sum()))
            for var in variables:
                np.testing.assert_array_equal(a[f"report/cells/{var}/data"][:, i], b[f"report/c{i}/{var}/data"][:, 0])
        assert len(set(counts)) > 1 and max(counts) > 0, f"the neurons should differ: spike counts {counts}"


def _validate(ndml_bin, tmp_path, params, model="lif_cuba", extra=None):
    cfg = {"simulation": {"duration_ms": 10}, "populations": {"cells": {"size": 3, "model": model, "params": params}}}
    if extra:
        cfg.update(extra)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return subprocess.run([str(ndml_bin), "validate", str(path)], capture_output=True, text=True)


@pytest.mark.parametrize("params, model, needle", [
    ({"tau_m_ms": [10, 20]}, "lif_cuba", "populations.cells.params.tau_m_ms: lists 2 values; give one number or exactly one per neuron (size 3)"),
    ({"tau_m_ms": [10, -20, 5]}, "lif_cuba", "populations.cells.params.tau_m_ms[1]: (neuron 1)"),
    ({"v_reset_mV": [-65, -40, -65]}, "lif_cuba", "populations.cells.params.v_reset_mV[1]: (neuron 1)"),
    ({"tau_m_ms": [10, "x", 5]}, "lif_cuba", "populations.cells.params.tau_m_ms"),
    ({"tau_syn_e_ms": [2, 0, 3], "synapse_shape": "alpha"}, "lif_cuba", "populations.cells.params.tau_syn_e_ms[1]: (neuron 1)"),
    ({"g_leak_nS": [10, 0, 5]}, "lif_coba", "populations.cells.params.g_leak_nS[1]: (neuron 1)"),
    ({"tau_m_ms": [10, 20, 30]}, "alif", "populations.cells.params.tau_m_ms"),
])
def test_bad_per_neuron_parameters_are_refused(params, model, needle, ndml_bin, tmp_path):
    proc = _validate(ndml_bin, tmp_path, params, model)
    assert proc.returncode != 0
    assert needle in proc.stderr, proc.stderr


def test_loihi_export_refuses_per_neuron_parameters(ndml_bin, tmp_path):
    cfg = {"simulation": {"duration_ms": 10, "dt_ms": 1.0},
           "populations": {"cells": {"size": 3, "model": "lif_cuba",
                                     "params": {"tau_ref_ms": 0, "v_reset_mV": -65, "tau_m_ms": [10, 20, 30]}}}}
    path = tmp_path / "loihi.yaml"
    path.write_text(yaml.safe_dump(cfg))
    proc = subprocess.run([str(ndml_bin), "export", str(path), "--format", "lava", "-o", str(tmp_path / "x")],
                          capture_output=True, text=True)
    assert proc.returncode != 0
    assert "populations.cells.params.tau_m_ms" in proc.stderr and "per neuron" in proc.stderr, proc.stderr


def test_threads_give_the_same_result(run_ndml, tmp_path):
    rng = np.random.default_rng(7)
    n = 600
    cfg = {"simulation": {"dt_ms": 0.1, "duration_ms": 200, "seed": 2},
           "populations": {"drive": {"size": 100, "model": "poisson", "params": {"rate_Hz": 20}},
                           "cells": {"size": n, "model": "lif_cuba",
                                     "params": {"tau_m_ms": rng.uniform(10, 30, n).round(3).tolist(),
                                                "v_thresh_mV": rng.uniform(-55, -48, n).round(3).tolist(),
                                                "i_bias_pA": rng.uniform(100, 250, n).round(2).tolist()}}},
           "projections": {"in": {"source": "drive", "target": "cells", "connectivity": {"fixed_probability": 0.1},
                                  "weight_mV": 2.0},
                           "rec": {"source": "cells", "target": "cells", "connectivity": {"fixed_probability": 0.02},
                                   "weight_mV": -1.0, "receptor": "inhibitory"}},
           "record": {"spikes": ["cells"]}}
    path = tmp_path / "threads.yaml"
    path.write_text(json.dumps(cfg))
    runs = []
    for threads in (1, 2):
        out = tmp_path / f"t{threads}.h5"
        run_ndml("run", path, "-o", out, "-q", "--threads", str(threads))
        with h5py.File(out) as f:
            runs.append((f["spikes/cells/timestamps"][:], f["spikes/cells/node_ids"][:]))
    assert len(runs[0][0]) > 100
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)
