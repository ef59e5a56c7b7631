"""`final_sample: true` on a state recording (PyNN's sample convention: duration/interval + 1
samples): the extra sample is the state at t = duration — the same values a run one interval
longer records at that time — and the SONATA mapping counts it; a duration that is not a whole
number of intervals is refused."""

from __future__ import annotations

import json
import subprocess

import h5py
import numpy as np


def _config(duration, final, interval=0.5):
    return {"simulation": {"dt_ms": 0.1, "duration_ms": duration, "seed": 2},
            "populations": {"drive": {"size": 50, "model": "poisson", "params": {"rate_Hz": 40}},
                            "n": {"size": 20, "model": "lif_coba"}},
            "projections": {"p": {"source": "drive", "target": "n", "connectivity": {"fixed_probability": 0.3},
                                  "weight_nS": 3.0}},
            "record": {"spikes": ["n"], "state": [{"population": "n", "variables": ["v", "g_e"],
                                                   "neurons": [0, 3, 7], "interval_ms": interval,
                                                   "final_sample": final}]}}


def test_final_sample_is_the_state_at_the_end(run_config):
    with h5py.File(run_config("final", _config(100.0, True))) as a, \
            h5py.File(run_config("longer", _config(100.5, False))) as b:
        for variable in ("v", "g_e"):
            data = a[f"report/n/{variable}/data"][:]
            assert data.shape == (201, 3), "duration/interval + 1 samples"
            np.testing.assert_array_equal(data, b[f"report/n/{variable}/data"][:201])
            np.testing.assert_allclose(a[f"report/n/{variable}/mapping/time"][:], [0.0, 100.5, 0.5])
        assert np.ptp(a["report/n/v/data"][:]) > 1.0
        assert len(a["spikes/n/timestamps"]) > 0


def test_final_sample_needs_a_whole_number_of_intervals(ndml_bin, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(_config(100.2, True)))
    proc = subprocess.run([str(ndml_bin), "validate", str(path)], capture_output=True, text=True)
    assert proc.returncode != 0
    assert "record.state[0].final_sample" in proc.stderr and "whole number of intervals" in proc.stderr, proc.stderr
