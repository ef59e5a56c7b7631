"""SIGINT and SIGTERM stop a run cleanly: exit 128 + signal, the data recorded up to the stop is
flushed into `<output>.partial`, which h5py reads and which says `interrupted` (and when); an
existing file at the destination is left untouched."""

from __future__ import annotations

import signal
import subprocess
import time

import h5py
import numpy as np
import pytest


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signal_stops_cleanly(sig, ndml_bin, repo_root, tmp_path):
    out = tmp_path / "brunel.h5"
    out.write_bytes(b"an older result")
    partial = tmp_path / "brunel.h5.partial"
    proc = subprocess.Popen([str(ndml_bin), "run", "experiments/brunel2000_ai.yaml", "-o", str(out), "-q",
                             "--set", "simulation.duration_ms=60000"],
                            cwd=repo_root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while not partial.exists() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.1)
    time.sleep(2.0)  # inside the simulation loop
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + sig, (proc.returncode, err)
    assert "interrupted at t =" in err and str(partial) in err
    assert out.read_bytes() == b"an older result", "the destination is not touched"
    with h5py.File(partial, "r") as f:
        meta = f["ndml"].attrs
        assert meta["status"] == "interrupted"
        assert f"signal {int(sig)}" in meta["failure"]
        stopped_ms = float(meta["failure"].split("t = ")[1].split(" ms")[0])
        times = f["spikes/exc/timestamps"][:]
    assert 0 < stopped_ms < 60000
    assert len(times) > 0 and times.max() <= stopped_ms, "every spike up to the stop is kept, none after"


def test_sigkill_leaves_a_readable_partial_file(ndml_bin, repo_root, tmp_path):
    """A run killed outright (no chance to clean up) leaves `<output>.partial`, readable by h5py,
    still saying `running`, with every spike and sample up to its last flush (every
    output.flush_interval_ms of biological time)."""
    out = tmp_path / "cuba.h5"
    partial = tmp_path / "cuba.h5.partial"
    proc = subprocess.Popen([str(ndml_bin), "run", "experiments/cuba.yaml", "-o", str(out), "-q",
                             "--set", "simulation.duration_ms=600000", "--set", "output.flush_interval_ms=100"],
                            cwd=repo_root, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    while not partial.exists() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.1)
    time.sleep(2.0)
    proc.kill()
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert not out.exists()
    with h5py.File(partial, "r") as f:
        assert f["ndml"].attrs["status"] == "running", "a killed run is never marked complete"
        times = f["spikes/exc/timestamps"][:]
        samples = f["report/exc/v/data"].shape[0]
    assert len(times) > 0, "data flushed before the kill is there"
    # HDF5 may write chunks and extents between explicit flushes (when its caches evict), so the
    # file can hold more than the last flush; what it holds must be a clean prefix of the run.
    assert np.all(np.isfinite(times)) and np.all(np.diff(times) >= 0), "spikes in time order, no garbage"
    assert times.min() >= 0
    last_flush_ms = 100 * np.floor(times.max() / 100)
    assert samples >= int(last_flush_ms) - 100, (samples, last_flush_ms)  # v every 1 ms up to a flush
