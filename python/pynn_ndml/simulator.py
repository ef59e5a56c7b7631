"""Simulator state of the NDML PyNN backend: "describe, then run".

PyNN calls collect the network in Python (populations, projections with explicit connection
lists, current sources, recorders). Each `run()` writes one NDML config covering the whole
segment from t = 0 to the new time — with every change made between earlier `run()` calls as a
schedule (spike times, current sources, `i_offset`) — runs the `ndml` binary, and reads the
results file back. A segment is therefore always one uninterrupted NDML run: results equal those
of one run with the same schedule (deterministic replay; see docs/pynn.md).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from pyNN import common

from . import results

name = "NDML"


class ID(int, common.IDMixin):
    """A neuron's global id (PyNN's convention: ints shared across populations)."""

    def __init__(self, n):
        int.__init__(n)
        common.IDMixin.__init__(self)


class NDMLError(RuntimeError):
    """The `ndml` binary refused the generated config or failed; the message is its output."""


def find_ndml_binary() -> Path:
    """`$NDML_BIN`, else the repository's release build beside this package, else `ndml` on PATH."""
    env = os.environ.get("NDML_BIN")
    candidates = [Path(env)] if env else []
    candidates.append(Path(__file__).resolve().parents[2] / ".build" / "release" / "ndml")
    on_path = shutil.which("ndml")
    if on_path:
        candidates.append(Path(on_path))
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return c
    raise NDMLError(
        "the ndml executable was not found: build it (`make build` in the NDML repository), put it "
        "on PATH, or set NDML_BIN to its path"
    )


class State(common.control.BaseState):
    """The network description and the current segment's results."""

    def __init__(self):
        common.control.BaseState.__init__(self)
        self.mpi_rank = 0
        self.num_processes = 1
        self.dt = 0.1
        self.min_delay = 0.1
        self.min_delay_auto = False
        self.max_delay = 6553.5
        self.seed = 1
        self.threads = 1
        self.keep_files = False
        self.workdir = None
        self.clear()

    # -- PyNN's State interface ------------------------------------------------------------
    def run(self, simtime):
        self.run_until(self.t + simtime)

    def run_until(self, tstop):
        if tstop > self.t + self.dt / 2:
            if self.min_delay_auto:
                delays = [p._values["delay"].min() for p in self.projections if len(p)]
                self.min_delay = float(min(delays)) if delays else self.dt
            self.boundaries.append(self.t)
            self.snapshots.append(self._snapshot())
            self.t = tstop
            self._simulate()
        self.running = True

    def clear(self):
        self.populations = []
        self.projections = []
        self.current_sources = []
        self.recorders = set()
        self.write_on_end = []
        self.id_counter = 0
        self.segment_counter = -1
        self.results = None
        self.reset()

    def reset(self):
        """Back to t = 0: a new segment, replayed from the (current) description."""
        self.running = False
        self.t = 0.0
        self.t_start = 0.0
        self.segment_counter += 1
        self.boundaries = []
        self.snapshots = []
        self.results = None

    # -- the run ---------------------------------------------------------------------------
    def _snapshot(self):
        """What may change between run() calls, as in force from the current time on."""
        return {
            "populations": [p._snapshot() for p in self.populations],
            "sources": [s._snapshot() for s in self.current_sources],
            "projections": [p._snapshot() for p in self.projections],
        }

    def _work_directory(self) -> Path:
        if self.workdir is None:
            self.workdir = tempfile.mkdtemp(prefix="pynn_ndml_")
        return Path(self.workdir)

    def _simulate(self):
        from . import compiler

        work = self._work_directory()
        config, plan = compiler.build_config(self, work)
        config_path = work / "network.yaml"
        results_path = work / "results.h5"
        compiler.write_yaml(config, config_path)
        if results_path.exists():
            results_path.unlink()
        cmd = [str(find_ndml_binary()), "run", str(config_path), "-o", str(results_path), "--quiet",
               "--threads", str(self.threads)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise NDMLError(
                f"ndml run failed (exit {proc.returncode}) on the config generated from the PyNN "
                f"network ({config_path}):\n{proc.stderr.strip() or proc.stdout.strip()}"
            )
        self.results = results.load(results_path, plan)

    def end(self):
        if self.workdir is not None and not self.keep_files:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None


state = State()
