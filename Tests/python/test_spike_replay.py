"""Bring your own spike data: a `spike_source` replays `/spikes/<population>` of an HDF5 file in
NDML's or SONATA's layout — NDML's own results (bit-identical replay) and a file written here with
h5py as another tool would (timestamps in seconds, int64 ids)."""

from __future__ import annotations

import subprocess

import h5py
import numpy as np
import yaml


def _config(tmp_path, params, size, duration_ms):
    cfg = {"simulation": {"dt_ms": 0.1, "duration_ms": duration_ms, "seed": 1},
           "populations": {"replay": {"size": size, "model": "spike_source", "params": params}},
           "record": {"spikes": ["replay"]}}
    path = tmp_path / "replay.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


def test_replays_ndml_results_exactly(run_ndml, tmp_path):
    original = tmp_path / "cuba.h5"
    run_ndml("run", "experiments/cuba.yaml", "-o", original, "-q")
    # A spike stamped at the end of the last step (t = duration) lies outside a replay of the same
    # length: replay one step longer.
    config = _config(tmp_path, {"file": str(original), "population": "exc"}, 3200, 1000.1)
    replay = tmp_path / "replay.h5"
    run_ndml("run", config, "-o", replay, "-q")
    with h5py.File(original) as a, h5py.File(replay) as b:
        assert np.array_equal(a["spikes/exc/timestamps"][:], b["spikes/replay/timestamps"][:])
        assert np.array_equal(a["spikes/exc/node_ids"][:], b["spikes/replay/node_ids"][:])


def test_replays_a_sonata_file_in_seconds(run_ndml, tmp_path):
    rng = np.random.default_rng(4)
    times_s = np.sort(rng.uniform(0, 0.5, 300)).round(4)  # on the 0.1 ms grid
    ids = rng.integers(0, 20, 300).astype(np.int64)
    data = tmp_path / "external.h5"
    with h5py.File(data, "w") as f:
        g = f.create_group("spikes/cortex")
        g.create_dataset("timestamps", data=times_s).attrs["units"] = "s"
        g.create_dataset("node_ids", data=ids)
    out = tmp_path / "replay.h5"
    run_ndml("run", _config(tmp_path, {"file": str(data)}, 20, 600), "-o", out, "-q")
    with h5py.File(out) as f:
        t, i = f["spikes/replay/timestamps"][:], f["spikes/replay/node_ids"][:]
    expected = sorted(zip(np.round(times_s * 1000, 6), ids))
    got = sorted(zip(np.round(t, 6), i))
    assert [(a, int(b)) for a, b in expected] == [(a, int(b)) for a, b in got]


def test_bad_spike_files_are_named(ndml_bin, tmp_path):
    data = tmp_path / "two.h5"
    with h5py.File(data, "w") as f:
        for name in ("a", "b"):
            f.create_dataset(f"spikes/{name}/timestamps", data=[1.0, 2.0])
            f.create_dataset(f"spikes/{name}/node_ids", data=np.array([0, 5], dtype=np.uint64))
    cases = [({"file": str(data)}, 10, "choose one with params.population"),
             ({"file": str(data), "population": "c"}, 10, "has no /spikes/c; it holds a, b"),
             ({"file": str(data), "population": "a"}, 3, "names neuron 5, outside 0..<3"),
             ({"file": str(tmp_path / "none.h5")}, 3, "none.h5")]
    for params, size, expected in cases:
        config = _config(tmp_path, params, size, 10)
        done = subprocess.run([str(ndml_bin), "validate", str(config)], capture_output=True, text=True)
        assert done.returncode != 0 and expected in done.stderr, (params, done.stderr)
        assert "populations.replay.params" in done.stderr
