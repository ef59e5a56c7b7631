"""Explicit connection lists from HDF5 (`connectivity: {from_file: x.h5, group: g}`): the same
synapses as the CSV form give the same network — identical spikes and weights — and malformed
files are refused with the file, the dataset and the problem named."""

from __future__ import annotations

import subprocess

import h5py
import numpy as np
import yaml


def _network(tmp_path, connectivity, weight_key=None):
    proj = {"source": "inp", "target": "cells", "connectivity": connectivity, "delay_ms": 1.0}
    if weight_key:
        proj.update(weight_key)
    cfg = {"simulation": {"dt_ms": 0.1, "duration_ms": 200, "seed": 3},
           "populations": {"inp": {"size": 40, "model": "poisson", "params": {"rate_Hz": 80}},
                           "cells": {"size": 25, "model": "lif_cuba"}},
           "projections": {"p": proj},
           "record": {"spikes": ["cells"], "weights": [{"projection": "p", "interval_ms": 100}]}}
    path = tmp_path / f"net_{len(list(tmp_path.iterdir()))}.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


def _synapses(seed=1, n=400):
    rng = np.random.default_rng(seed)
    src, tgt = rng.integers(0, 40, n), rng.integers(0, 25, n)
    src[:5], tgt[:5] = 7, 3  # a repeated pair: five synapses
    return src, tgt, rng.uniform(2.0, 6.0, n).round(6), rng.integers(1, 30, n) / 10


def test_hdf5_list_equals_the_csv_list(run_ndml, tmp_path):
    src, tgt, w, d = _synapses()
    csv = tmp_path / "c.csv"
    np.savetxt(csv, np.column_stack([src, tgt, w, d]), delimiter=",", header="source,target,weight,delay_ms",
               comments="", fmt=["%d", "%d", "%.6f", "%.1f"])
    side = tmp_path / "side.h5"
    with h5py.File(side, "w") as f:
        g = f.create_group("lists/p")
        g["source"], g["target"] = src.astype(np.uint32), tgt.astype(np.int64)
        g["weight"], g["delay_ms"] = w, d
    outs = []
    for conn in ({"from_file": str(csv)}, {"from_file": str(side), "group": "lists/p"}):
        out = tmp_path / f"r{len(outs)}.h5"
        run_ndml("run", _network(tmp_path, conn), "-o", out, "-q")
        outs.append(out)
    with h5py.File(outs[0]) as a, h5py.File(outs[1]) as b:
        for key in ("spikes/cells/timestamps", "spikes/cells/node_ids", "weights/p/weights",
                    "weights/p/source_ids", "weights/p/target_ids"):
            assert np.array_equal(a[key][:], b[key][:]), key
        assert len(a["spikes/cells/timestamps"]) > 0
        assert a["weights/p/weights"].shape[1] == len(src)
        pairs = list(zip(b["weights/p/source_ids"][:], b["weights/p/target_ids"][:]))
        repeated = int(np.sum((src == 7) & (tgt == 3)))
        assert repeated >= 5 and pairs.count((7, 3)) == repeated, "repeated pairs stay separate synapses"


def test_hdf5_list_without_weights_uses_the_projection_weight(run_ndml, tmp_path):
    src, tgt, _, _ = _synapses(2)
    side = tmp_path / "side.h5"
    with h5py.File(side, "w") as f:
        f["source"], f["target"] = src, tgt
    out = tmp_path / "r.h5"
    run_ndml("run", _network(tmp_path, {"from_file": str(side)}, {"weight_mV": 1.25}), "-o", out, "-q")
    with h5py.File(out) as f:
        assert np.all(f["weights/p/weights"][:] == 1.25)


def test_bad_hdf5_lists_are_named(ndml_bin, tmp_path):
    def refused(make, conn_extra=None, expect=(), names_file=True):
        side = tmp_path / f"bad{len(list(tmp_path.iterdir()))}.h5"
        with h5py.File(side, "w") as f:
            make(f)
        conn = {"from_file": str(side), **(conn_extra or {})}
        proc = subprocess.run([str(ndml_bin), "validate", str(_network(tmp_path, conn, {"weight_mV": 1.0}))],
                              capture_output=True, text=True)
        assert proc.returncode != 0
        for text in ((side.name,) if names_file else ()) + ("connectivity.from_file",) + tuple(expect):
            assert text in proc.stderr, (text, proc.stderr)

    refused(lambda f: f.create_dataset("source", data=[0, 1]), expect=("target is missing",))
    refused(lambda f: (f.create_dataset("source", data=[0, 1]), f.create_dataset("target", data=[0])),
            expect=("target has 1 entries",))
    refused(lambda f: (f.create_dataset("source", data=[0, -1]), f.create_dataset("target", data=[0, 1])),
            expect=("source[1] = -1.0 is not a neuron index",))
    refused(lambda f: (f.create_dataset("source", data=[0, 1]), f.create_dataset("target", data=[0, 1]),
                       f.create_dataset("weight", data=[1.0, np.nan])), expect=("weight[1] is not finite",))
    refused(lambda f: (f.create_dataset("source", data=[0, 1]), f.create_dataset("target", data=[0, 1])),
            {"group": "nowhere"}, expect=("has no group /nowhere",))
    refused(lambda f: (f.create_dataset("source", data=[0, 99]), f.create_dataset("target", data=[0, 1])),
            expect=("99",), names_file=False)
    # `group` belongs to HDF5 lists only.
    csv = tmp_path / "c.csv"
    csv.write_text("source,target\n0,0\n")
    proc = subprocess.run([str(ndml_bin), "validate", str(_network(tmp_path, {"from_file": str(csv), "group": "g"},
                                                                   {"weight_mV": 1.0}))],
                          capture_output=True, text=True)
    assert proc.returncode != 0 and "group" in proc.stderr and "HDF5" in proc.stderr, proc.stderr
