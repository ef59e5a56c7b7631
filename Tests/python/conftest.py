"""Shared fixtures of NDML's Python test suite (run with the project venv: `.venv/bin/pytest Tests/python`).

* `repo_root`: the repository root (two levels above this file).
* `ndml_bin`: the NDML executable: `$NDML_BIN` if set (relative paths are taken relative to the
  repository root), else `.build/release/ndml`. A missing binary FAILS the tests that need it, with
  a message saying how to build it: a skipped proof proves nothing.
* `run_ndml`: runs `ndml <args...>` from the repository root and fails the test with NDML's
  output if the exit status is not 0.
* `run_config`: runs a config given as a dict (written to a temporary file) and returns the
  results path.
* `layout_run`: one short CUBA run (200 ms) with a config written to a temporary directory that
  also records `v` of exc neurons [0, 1, 2] every 1 ms; shared by test_results_layout.py and
  test_libsonata.py.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_NDML_BIN = ".build/release/ndml"

# Let tests `import spikestats` whatever the working directory.
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def ndml_bin() -> Path:
    raw = os.environ.get("NDML_BIN", DEFAULT_NDML_BIN)
    path = Path(raw)
    if not path.is_absolute():
        path = REPO_ROOT / path
    if not path.is_file():
        pytest.fail(
            f"NDML binary not found at {path} (NDML_BIN={os.environ.get('NDML_BIN', '<unset>')}). "
            "Build it first (`swift build -c release`, which writes .build/release/ndml) or point "
            "the NDML_BIN environment variable at the executable. These tests never skip: "
            "a skipped proof proves nothing.",
            pytrace=False,
        )
    if not os.access(path, os.X_OK):
        pytest.fail(f"NDML binary {path} is not executable", pytrace=False)
    return path


@pytest.fixture(scope="session")
def run_ndml(ndml_bin):
    """Return run(*args, timeout=...) -> CompletedProcess; fails the test on a non-zero exit."""

    def run(*args, timeout: float = 600.0) -> subprocess.CompletedProcess:
        cmd = [str(ndml_bin), *map(str, args)]
        try:
            proc = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True,
                                  timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            pytest.fail(f"`{shlex.join(cmd)}` did not finish within {timeout} s:\n{exc.stdout}\n{exc.stderr}",
                        pytrace=False)
        if proc.returncode != 0:
            pytest.fail(
                f"`{shlex.join(cmd)}` exited with status {proc.returncode}\n"
                f"--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}",
                pytrace=False,
            )
        return proc

    return run


# The small run shared by the layout and libsonata tests.
LAYOUT_DURATION_MS = 200.0
LAYOUT_STATE_NEURONS = [0, 1, 2]
LAYOUT_INTERVAL_MS = 1.0


@dataclass(frozen=True)
class LayoutRun:
    config_path: Path
    config: dict
    results: Path
    duration_ms: float
    state_neurons: list
    interval_ms: float


@pytest.fixture()
def run_config(run_ndml, tmp_path):
    """Return run(name, config, *args) -> Path: writes `config` (a dict) as JSON (which is YAML)
    to tmp_path/<name>.json, runs it quietly into tmp_path/<name>.h5 and returns that path."""

    def run(name, config, *args):
        import json

        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(config))
        out = tmp_path / f"{name}.h5"
        run_ndml("run", path, "-o", out, "-q", *args)
        return out

    return run


@pytest.fixture(scope="session")
def layout_run(tmp_path_factory, run_ndml) -> LayoutRun:
    src = REPO_ROOT / "experiments" / "cuba.yaml"
    if not src.is_file():
        pytest.fail(f"{src} is missing", pytrace=False)
    config = yaml.safe_load(src.read_text())
    config["record"] = {
        "spikes": ["exc", "inh"],
        "state": [{"population": "exc", "variables": ["v"], "neurons": LAYOUT_STATE_NEURONS,
                   "interval_ms": LAYOUT_INTERVAL_MS}],
    }
    tmp = tmp_path_factory.mktemp("layout")
    out = tmp / "results.h5"
    config.setdefault("output", {})["path"] = str(out)
    config_path = tmp / "cuba_layout.yaml"
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    # The duration comes from --set, so the test also checks that the override reaches the file.
    run_ndml("run", config_path, "-o", out, "--set", f"simulation.duration_ms={LAYOUT_DURATION_MS:g}")
    if not out.is_file():
        pytest.fail(f"ndml run exited 0 but wrote no {out}", pytrace=False)
    return LayoutRun(config_path, config, out, LAYOUT_DURATION_MS, list(LAYOUT_STATE_NEURONS),
                     LAYOUT_INTERVAL_MS)


# Every reproduction test records what it compared (experiment, quantity, reference, NDML's value,
# tolerance) as one JSON line; docs/make_validation_table.py turns the file into
# docs/validation-table.md. Default file: results/validation.jsonl (NDML_VALIDATION_OUT overrides).
VALIDATION_OUT = Path(os.environ.get("NDML_VALIDATION_OUT", REPO_ROOT / "results" / "validation.jsonl"))


@pytest.fixture(scope="session")
def validation():
    import json
    import time

    VALIDATION_OUT.parent.mkdir(parents=True, exist_ok=True)
    if VALIDATION_OUT.exists():
        VALIDATION_OUT.unlink()

    class Recorder:
        def record(self, experiment: str, quantity: str, reference: str, expected, result, tolerance: str,
                   passed: bool = True):
            row = {"experiment": experiment, "quantity": quantity, "reference": reference,
                   "expected": expected, "result": result, "tolerance": tolerance, "passed": bool(passed),
                   "time": time.strftime("%Y-%m-%d")}
            with VALIDATION_OUT.open("a") as f:
                f.write(json.dumps(row, default=float) + "\n")

    return Recorder()


@pytest.fixture(scope="session")
def lava_python() -> str:
    """The Lava venv's python (Python 3.10 with lava-nc, lava-dl, nir: lava/make_venv.sh), from
    $NDML_LAVA_PYTHON, which `make python-test` sets. Missing: the test FAILS (never skips)."""
    py = os.environ.get("NDML_LAVA_PYTHON", "")
    if not py or not Path(py).is_file():
        pytest.fail("NDML_LAVA_PYTHON is not set to the Lava venv's python: run `make python-test`, or "
                    "export NDML_LAVA_PYTHON=$(lava/make_venv.sh | tail -n 1). These tests never skip.",
                    pytrace=False)
    return py
