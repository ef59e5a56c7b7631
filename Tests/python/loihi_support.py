"""Helpers of the Loihi tests (test_loihi_lava.py, test_loihi_netx.py, test_loihi_nir.py)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import h5py

REPO = Path(__file__).resolve().parents[2]


def spikes(path: Path, population: str):
    """A population's spikes in a results file as a list of (time in ms, node id)."""
    with h5py.File(path, "r") as f:
        g = f[f"spikes/{population}"]
        return list(zip(g["timestamps"][()].tolist(), g["node_ids"][()].tolist()))


def run_python(python: str, *args, timeout=900) -> subprocess.CompletedProcess:
    """`python args…` from the repository root, output captured (the caller checks the status)."""
    return subprocess.run([python, *map(str, args)], cwd=REPO, capture_output=True, text=True, timeout=timeout)
