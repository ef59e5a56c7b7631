"""Determinism matrix (docs/determinism.md): every shipped experiment, shortened to at most
300 ms, run with 1, 2, 3 and 4 threads (odd counts included; float64, and 1 vs 3 threads in
float32) gives bit-identical results files: every dataset under /spikes, /report, /weights,
/traces and /plateaus equal byte for byte. Also: the same seed twice gives identical files and
another seed does not (so the comparison can fail)."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
# Sweep configs (a `sweep:` section) are many runs into a directory; their points are plain runs
# of networks covered here (brunel2000_phase_diagram.yaml is brunel2000_ai.yaml's network), and
# test_sweeps.py checks that a point is exactly the run with its overrides.
EXPERIMENTS = sorted(p for p in (REPO / "experiments").glob("*.yaml") if "sweep" not in yaml.safe_load(p.read_text()))
MAX_DURATION_MS = 300.0
DATA_GROUPS = ("spikes", "report", "weights", "traces", "plateaus")


def datasets(path: Path) -> dict[str, np.ndarray]:
    """Every dataset under the data groups, by HDF5 path."""
    out: dict[str, np.ndarray] = {}
    with h5py.File(path, "r") as f:
        assert f["ndml"].attrs["status"] == "complete"

        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                out[name] = obj[()]

        for group in DATA_GROUPS:
            if group in f:
                f[group].visititems(lambda name, obj, g=group: visit(f"{g}/{name}", obj))
    return out


def run(run_ndml, config: Path, out: Path, threads: int, precision: str, seed: int | None = None) -> dict:
    duration = min(yaml.safe_load(config.read_text())["simulation"]["duration_ms"], MAX_DURATION_MS)
    args = ["run", config, "-o", out, "--quiet", "--threads", threads,
            "--set", f"simulation.duration_ms={duration:g}", "--set", f"simulation.precision={precision}"]
    if seed is not None:
        args += ["--set", f"simulation.seed={seed}"]
    run_ndml(*args)
    return datasets(out)


def assert_identical(a: dict, b: dict, what: str):
    assert sorted(a) == sorted(b), f"{what}: different datasets"
    for name in a:
        assert a[name].dtype == b[name].dtype and a[name].shape == b[name].shape, f"{what}: {name}"
        assert a[name].tobytes() == b[name].tobytes(), f"{what}: {name} differs"


@pytest.mark.parametrize("config", EXPERIMENTS, ids=lambda p: p.stem)
def test_thread_count_does_not_change_results(config, run_ndml, tmp_path):
    reference = run(run_ndml, config, tmp_path / "t1.h5", 1, "float64")
    assert any(name.startswith("spikes/") for name in reference), "nothing recorded"
    for threads in (2, 3, 4):
        assert_identical(reference, run(run_ndml, config, tmp_path / f"t{threads}.h5", threads, "float64"),
                         f"{config.stem}, {threads} threads vs 1")
    single = run(run_ndml, config, tmp_path / "f1.h5", 1, "float32")
    assert_identical(single, run(run_ndml, config, tmp_path / "f3.h5", 3, "float32"),
                     f"{config.stem}, float32, 3 threads vs 1")


def test_the_comparison_can_fail(run_ndml, tmp_path):
    config = REPO / "experiments" / "cuba.yaml"
    a = run(run_ndml, config, tmp_path / "a.h5", 2, "float64", seed=5)
    b = run(run_ndml, config, tmp_path / "b.h5", 2, "float64", seed=5)
    c = run(run_ndml, config, tmp_path / "c.h5", 2, "float64", seed=6)
    assert_identical(a, b, "same seed")
    with pytest.raises(AssertionError):
        assert_identical(a, c, "other seed")
