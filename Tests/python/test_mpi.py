"""Distributed runs (docs/scaling.md): `mpirun -np K ndml run CONFIG` splits every population
over K MPI ranks and exchanges spikes once per minimum-delay interval; rank 0 writes the one
results file.

* The same config and seed give bit-identical results files (every dataset under /spikes,
  /report, /weights, /traces) for K = 1, 2 and 4 ranks (4 oversubscribed on a 2-core machine),
  also with 2 threads per rank, on networks with Poisson sources, per-synapse delays, recorded
  state of neurons on every rank, injected currents and pair STDP.
* What is not split across ranks (a rule that runs on one thread) stops every rank before the
  run with an error naming the config key.
* Checkpoints on ranks: a run killed (one rank SIGKILLed) or interrupted (Ctrl-C on mpirun) and
  resumed with `mpirun -np K ndml resume` gives results bit-identical to one uninterrupted process
  (pair STDP weights and traces, short-term plasticity, recorded state); another rank or thread
  count, or a one-process checkpoint under mpirun, is refused naming both counts.
* Each rank builds only the synapses onto its own neurons: the ranks' synapse counts add up to
  one process's, each about 1/K of them (and of the synapse bytes).
* Populations whose spikes no other rank needs (Poisson input one to one) are not exchanged, and
  still counted in full.
* A numerical fault on rank 1 stops all ranks at that step: rank 1 names the neuron, rank 0 names
  rank 1, and rank 0's file keeps the data recorded before.
* A rank killed mid-run: mpirun names it, and rank 0's partial file is a valid HDF5 file holding a
  clean prefix of the run.

Open MPI's mpirun must be on PATH (`make deps` installs openmpi-bin); these tests never skip.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import h5py
import numpy as np
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DATA_GROUPS = ("spikes", "report", "weights", "traces", "plateaus")


@pytest.fixture(scope="module")
def mpirun() -> str:
    path = shutil.which("mpirun")
    if path is None:
        pytest.fail("mpirun not found: install Open MPI (make deps, or apt-get install openmpi-bin libopenmpi-dev)",
                    pytrace=False)
    return path


def mpi_env() -> dict:
    env = dict(os.environ)
    # Open MPI refuses root without these (containers, CI); harmless otherwise.
    env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_rmaps_base_oversubscribe="1")
    return env


def launch(mpirun: str, ndml_bin: Path, ranks: int, *args, timeout: float = 600.0) -> subprocess.CompletedProcess:
    cmd = [mpirun, "-np", str(ranks), "--oversubscribe", str(ndml_bin), *map(str, args)]
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=timeout, env=mpi_env())


def datasets(path: Path) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    with h5py.File(path, "r") as f:
        assert f["ndml"].attrs["status"] == "complete"
        for group in DATA_GROUPS:
            if group in f:
                f[group].visititems(
                    lambda name, obj, g=group: out.__setitem__(f"{g}/{name}", obj[()])
                    if isinstance(obj, h5py.Dataset) else None)
    return out


def assert_identical(a: dict, b: dict, what: str):
    assert sorted(a) == sorted(b), f"{what}: different datasets"
    for name in a:
        assert a[name].dtype == b[name].dtype and a[name].shape == b[name].shape, f"{what}: {name}"
        assert a[name].tobytes() == b[name].tobytes(), f"{what}: {name} differs"


def stdp_config(tmp_path: Path) -> Path:
    """CUBA with pair STDP on exc→exc, its weights recorded every 50 ms (a sample of 1000 synapses
    and a histogram, gathered from the ranks that hold them), all weights of inh→exc (static,
    heterogeneous) at the start and end, and the rule's traces."""
    config = yaml.safe_load((REPO / "experiments" / "cuba_stdp.yaml").read_text())
    config["record"]["weights"] = [{"projection": "ee", "interval_ms": 50, "synapses": 1000, "bins": 40}]
    config["projections"]["ie"]["weight_mV"] = {"uniform": [-12, -6]}
    config["record"]["weights"].append({"projection": "ie", "interval_ms": 1000, "bins": 10})
    # Pair STDP's traces: x of source neurons (read on rank 0), y of target neurons on every rank.
    config["record"]["traces"] = [{"projection": "ee", "traces": ["x", "y"], "neurons": [0, 1, 1700, 3199],
                                   "interval_ms": 0.5}]
    path = tmp_path / "cuba_stdp_spikes.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def state_everywhere_config(tmp_path: Path) -> Path:
    """COBA with v recorded of neurons spread over the whole population (so over every rank)."""
    config = yaml.safe_load((REPO / "experiments" / "coba.yaml").read_text())
    size = config["populations"]["exc"]["size"]
    config["record"]["state"] = [{"population": "exc", "variables": ["v"], "interval_ms": 0.5,
                                  "neurons": [0, 1, size // 3, size // 2 + 7, size - 1]}]
    path = tmp_path / "coba_state.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


CONFIGS = {
    "cuba": lambda tmp: REPO / "experiments" / "cuba.yaml",
    "brunel2000_ai": lambda tmp: REPO / "experiments" / "brunel2000_ai.yaml",  # Poisson input, 1.5 ms delays
    "current_inputs": lambda tmp: REPO / "experiments" / "current_inputs.yaml",  # sine and noise currents
    "loihi_delays": lambda tmp: REPO / "experiments" / "loihi_delays.yaml",  # per-synapse delays, fixed point
    "coba_state": state_everywhere_config,
    "cuba_stdp": stdp_config,
}


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_rank_count_does_not_change_results(name, mpirun, ndml_bin, run_ndml, tmp_path):
    config = CONFIGS[name](tmp_path)
    duration = min(yaml.safe_load(config.read_text())["simulation"]["duration_ms"], 300)
    common = ["--quiet", "--set", f"simulation.duration_ms={duration:g}"]
    run_ndml("run", config, "-o", tmp_path / "k1.h5", *common)
    reference = datasets(tmp_path / "k1.h5")
    assert any(k.startswith("spikes/") and k.endswith("timestamps") and len(v) > 0 for k, v in reference.items())
    for ranks, threads in ((2, 1), (4, 1), (2, 2)):
        out = tmp_path / f"k{ranks}t{threads}.h5"
        r = launch(mpirun, ndml_bin, ranks, "run", config, "-o", out, "--threads", threads, *common)
        assert r.returncode == 0, f"{ranks} ranks:\n{r.stdout}\n{r.stderr}"
        assert not list(tmp_path.glob(f"k{ranks}t{threads}*.partial")), "only the complete file remains"
        assert_identical(reference, datasets(out), f"{name}: {ranks} ranks × {threads} threads vs 1 process")


@pytest.mark.parametrize("ee_delay_ms, interval", [(1.5, 16), (1.2, 13), (0.1, 2)])
def test_spikes_are_exchanged_once_per_minimum_delay(ee_delay_ms, interval, mpirun, ndml_bin, run_ndml, tmp_path):
    """As in NEST, the ranks exchange spikes once per interval the shortest delay allows: the delay
    in steps plus one, as a neuron's spike is stamped at its step's end (Brunel: 1.5 ms = 15 steps
    → every 16 steps), also when the interval does not divide the 128-step grid of serial work
    (1.2 ms → 13); the results stay those of one process."""
    steps = 2000
    args = ["run", REPO / "experiments" / "brunel2000_ai.yaml", "--set", f"simulation.duration_ms={steps * 0.1:g}",
            "--set", f"projections.ee.delay_ms={ee_delay_ms}"]
    run_ndml(*args, "-o", tmp_path / "k1.h5", "--quiet")
    r = launch(mpirun, ndml_bin, 2, *args, "-o", tmp_path / "k2.h5")
    assert r.returncode == 0, r.stderr
    line = next(line for line in r.stdout.splitlines() if line.startswith("ran on 2 MPI ranks"))
    m = re.search(r"in (\d+) spike exchanges \(at most (\d+) steps? apart", line)
    assert m, line
    exchanges, reported = int(m.group(1)), int(m.group(2))
    assert reported == interval, line
    # One per full interval, plus at most one more before each step with serial work (every 128).
    assert -(-steps // interval) <= exchanges <= -(-steps // interval) + steps // 128 + 1, line
    assert_identical(datasets(tmp_path / "k1.h5"), datasets(tmp_path / "k2.h5"), f"ee delay {ee_delay_ms} ms")


def test_per_synapse_delays_are_exchanged_every_step(mpirun, ndml_bin, tmp_path):
    # They add a spike to the input ring in its own step (docs/scaling.md).
    r = launch(mpirun, ndml_bin, 2, "run", REPO / "experiments" / "loihi_delays.yaml", "-o", tmp_path / "d.h5",
               "--set", "simulation.duration_ms=20")
    assert r.returncode == 0, r.stderr
    assert "at most 1 step apart" in r.stdout, r.stdout


def test_summary_and_analyze_read_the_one_file(mpirun, ndml_bin, run_ndml, tmp_path):
    out = tmp_path / "k2.h5"
    r = launch(mpirun, ndml_bin, 2, "run", REPO / "experiments" / "cuba.yaml", "-o", out,
               "--set", "simulation.duration_ms=200")
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("population") == 1, "only rank 0 prints the summary"
    assert "ran on 2 MPI ranks" in r.stdout
    assert "rate" in run_ndml("analyze", out).stdout


def test_spike_counts_of_populations_kept_local(mpirun, ndml_bin, run_ndml, tmp_path):
    # Brunel's Poisson sources drive their targets one to one, so each rank keeps their spikes
    # (not exchanged, not recorded); the summary still counts all of them.
    args = ["run", REPO / "experiments" / "brunel2000_ai.yaml", "--set", "simulation.duration_ms=50"]
    single = run_ndml(*args, "-o", tmp_path / "k1.h5").stdout
    r = launch(mpirun, ndml_bin, 2, *args, "-o", tmp_path / "k2.h5")
    assert r.returncode == 0, r.stderr

    def counts(text):
        return [line for line in text.splitlines() if line.startswith(("exc ", "inh ", "ext_exc", "ext_inh"))]

    assert len(counts(single)) == 4 and counts(single) == counts(r.stdout), (single, r.stdout)


@pytest.mark.parametrize("name", ["brunel2000_ai", "cuba"])  # fixed in-degree; fixed probability
def test_each_rank_holds_its_share_of_the_synapses(name, mpirun, ndml_bin, run_ndml, tmp_path):
    # Each rank builds only the synapses onto its own neurons: the ranks' counts (results file's
    # /ndml attribute rank_synapse_counts) add up to the one-process count exactly, each holds
    # about 1/K of them, and so about 1/K of the one process's synapse bytes — plus the row
    # offsets (8 bytes per source neuron and projection), which every rank holds whole.
    config = REPO / "experiments" / f"{name}.yaml"
    network = yaml.safe_load(config.read_text())
    row_offsets = 8 * sum(network["populations"][p["source"]]["size"] + 1 for p in network["projections"].values())
    args = ["run", config, "--set", "simulation.duration_ms=5"]
    single = run_ndml(*args, "-o", tmp_path / "k1.h5").stdout
    with h5py.File(tmp_path / "k1.h5", "r") as f:
        total = int(f["ndml"].attrs["synapse_count"])
        assert "rank_synapse_counts" not in f["ndml"].attrs, "one process: no per-rank figures"
    line = next(line for line in single.splitlines() if " synapses (" in line)
    total_bytes = total * float(line.split("(")[1].split(" B each")[0])
    for ranks in (2, 4):
        out = tmp_path / f"k{ranks}.h5"
        r = launch(mpirun, ndml_bin, ranks, *args, "-o", out)
        assert r.returncode == 0, f"{ranks} ranks:\n{r.stdout}\n{r.stderr}"
        with h5py.File(out, "r") as f:
            counts = [int(c) for c in f["ndml"].attrs["rank_synapse_counts"]]
            held_bytes = [int(b) for b in f["ndml"].attrs["rank_synapse_bytes"]]
            assert int(f["ndml"].attrs["synapse_count"]) == total
        assert len(counts) == len(held_bytes) == ranks
        assert sum(counts) == total, (counts, total)
        for rank, (count, size) in enumerate(zip(counts, held_bytes)):
            assert abs(count - total / ranks) <= 0.1 * total / ranks, f"rank {rank} of {ranks}: {counts}"
            assert size <= 1.1 * total_bytes / ranks + row_offsets, f"rank {rank} of {ranks}: {held_bytes}"
        assert "synapses per MPI rank" in r.stdout and f"rank {ranks - 1} {counts[-1]} (" in r.stdout, r.stdout


def test_unsplittable_rule_is_refused(mpirun, ndml_bin, tmp_path):
    config = yaml.safe_load((REPO / "experiments" / "tagging_capture.yaml").read_text())
    config["record"].pop("weights", None)
    config["record"].pop("traces", None)
    path = tmp_path / "stc.yaml"
    path.write_text(yaml.safe_dump(config))
    r = launch(mpirun, ndml_bin, 2, "run", path, "-o", tmp_path / "stc.h5", "--quiet", timeout=120)
    assert r.returncode != 0
    assert "projections.syn.plasticity" in r.stderr and "not split across MPI ranks" in r.stderr, r.stderr
    assert not (tmp_path / "stc.h5").exists()


def checkpoint_config(tmp_path: Path) -> Path:
    """The STDP network of `stdp_config` with Tsodyks–Markram depression on inh→exc and v of
    neurons on every rank recorded, for 8 s (long enough to be stopped mid-run)."""
    config = yaml.safe_load(stdp_config(tmp_path).read_text())
    config["simulation"]["duration_ms"] = 8000
    config["projections"]["ie"]["short_term"] = {"model": "tsodyks_markram", "U": 0.5, "tau_rec_ms": 100,
                                                 "tau_facil_ms": 0}
    config["record"]["traces"][0]["interval_ms"] = 10
    config["record"]["weights"][0]["interval_ms"] = 1000
    config["record"]["state"] = [{"population": "exc", "variables": ["v"], "interval_ms": 10,
                                  "neurons": [0, 1, 1700, 3199]}]
    path = tmp_path / "checkpointed.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def rank_pids(proc: subprocess.Popen) -> dict[int, int]:
    """mpirun's ranks: rank → pid."""
    ranks = {}
    for child in children(proc.pid):
        try:
            environ = Path(f"/proc/{child}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        for entry in environ:
            if entry.startswith(b"OMPI_COMM_WORLD_RANK="):
                ranks[int(entry.split(b"=")[1])] = child
    return ranks


def stop_after_a_checkpoint(mpirun: str, ndml_bin: Path, ranks: int, config: Path, out: Path, how: str,
                            *extra: str) -> str:
    """Starts the run on `ranks` ranks with a checkpoint every 500 ms, waits for the second
    checkpoint, then stops it: `kill` SIGKILLs the last rank (mpirun ends the others), `interrupt`
    sends Ctrl-C to mpirun (every rank checkpoints at the step they agree on). Returns stderr."""
    ckpt = Path(str(out) + ".ckpt")
    cmd = [mpirun, "-np", str(ranks), "--oversubscribe", str(ndml_bin), "run", str(config), "-o", str(out),
           "--quiet", "--checkpoint-every-ms", "500", *extra]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=mpi_env())
    try:
        deadline = time.time() + 120
        seen = None
        while time.time() < deadline and proc.poll() is None:
            if ckpt.exists():
                stamp = ckpt.stat().st_mtime_ns
                if seen is not None and stamp != seen:
                    break
                seen = stamp
            time.sleep(0.05)
        assert proc.poll() is None, f"the run ended before it could be stopped: {proc.communicate()}"
        pids = rank_pids(proc)
        assert len(pids) == ranks, pids
        if how == "kill":
            os.kill(pids[ranks - 1], signal.SIGKILL)
        else:
            proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    # mpirun may return while the ranks it killed are still exiting (and rank 0 holds the file's lock).
    deadline = time.time() + 30
    while any(Path(f"/proc/{pid}").exists() for pid in pids.values()) and time.time() < deadline:
        time.sleep(0.05)
    assert proc.returncode != 0, stderr
    assert not out.exists() and ckpt.exists(), stderr
    return stderr


@pytest.mark.parametrize("how,ranks,threads", [("kill", 2, 1), ("interrupt", 2, 2), ("kill", 3, 1)])
def test_stopped_run_resumes_on_ranks_bit_identical(how, ranks, threads, mpirun, ndml_bin, run_ndml, tmp_path):
    config = checkpoint_config(tmp_path)
    run_ndml("run", config, "-o", tmp_path / "one.h5", "--quiet", "--threads", "1")
    out = tmp_path / "ranks.h5"
    stderr = stop_after_a_checkpoint(mpirun, ndml_bin, ranks, config, out, how, "--threads", str(threads))
    if how == "interrupt":
        stops = {line.split("interrupted at t = ")[1].split(" ms")[0]
                 for line in stderr.splitlines() if "interrupted at t = " in line}
        assert len(stops) == 1, stderr
        assert f"continue with: mpirun -np {ranks} ndml resume" in stderr, stderr
    with h5py.File(Path(str(out) + ".partial"), "r") as f:
        assert f["ndml"].attrs["status"] in ("running", "interrupted")
    # No --threads: the checkpoint's count per rank is taken.
    r = launch(mpirun, ndml_bin, ranks, "resume", Path(str(out) + ".ckpt"))
    assert r.returncode == 0, r.stderr
    assert f"on {ranks} MPI ranks at t = " in r.stdout and "resumed at t = " in r.stdout, r.stdout
    assert_identical(datasets(tmp_path / "one.h5"), datasets(out), f"{how}, {ranks} ranks × {threads}")
    assert not Path(str(out) + ".ckpt").exists()


def test_resume_on_other_rank_or_thread_counts_is_refused(mpirun, ndml_bin, run_ndml, tmp_path):
    config = checkpoint_config(tmp_path)
    out = tmp_path / "ranks.h5"
    stop_after_a_checkpoint(mpirun, ndml_bin, 2, config, out, "kill")
    ckpt = Path(str(out) + ".ckpt")
    partial = Path(str(out) + ".partial")
    before = partial.read_bytes()
    r = launch(mpirun, ndml_bin, 3, "resume", ckpt, timeout=120)
    assert r.returncode != 0
    assert "written by 2 MPI ranks × 1 thread(s), this is 3 MPI ranks" in r.stderr, r.stderr
    assert f"mpirun -np 2 ndml resume {ckpt}" in r.stderr, r.stderr
    r = subprocess.run([str(ndml_bin), "resume", str(ckpt)], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert r.returncode != 0 and "this is one process" in r.stderr, r.stderr
    r = launch(mpirun, ndml_bin, 2, "resume", ckpt, "--threads", "2", timeout=120)
    assert r.returncode != 0 and "--threads asks for 2" in r.stderr and "--threads 1" in r.stderr, r.stderr
    assert partial.read_bytes() == before and ckpt.exists(), "a refused resume changed the files"
    # A checkpoint of one process does not resume on ranks.
    single = tmp_path / "single.h5"
    proc = subprocess.Popen([str(ndml_bin), "run", str(config), "-o", str(single), "--quiet",
                             "--checkpoint-every-ms", "500"], cwd=REPO)
    single_ckpt = Path(str(single) + ".ckpt")
    deadline = time.time() + 60
    while not single_ckpt.exists() and time.time() < deadline:
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    r = launch(mpirun, ndml_bin, 2, "resume", single_ckpt, timeout=120)
    assert r.returncode != 0 and "written by one process, this is 2 MPI ranks" in r.stderr, r.stderr
    assert "without mpirun" in r.stderr, r.stderr


def test_numerical_fault_on_another_rank_stops_all_and_names_it(mpirun, ndml_bin, tmp_path):
    config = {
        "simulation": {"dt_ms": 0.1, "duration_ms": 500, "seed": 3},
        "output": {"flush_interval_ms": 50},
        "populations": {"cells": {"size": 1024, "model": "lif_cuba",
                                  "params": {"v_rest_mV": -49, "v_thresh_mV": -50, "v_reset_mV": -60},
                                  "init": {"v_mV": {"uniform": [-60, -50]}}}},
        "projections": {"rec": {"source": "cells", "target": "cells", "connectivity": {"fixed_probability": 0.02},
                                "weight_mV": 0.5, "delay_ms": 1.0}},
        # Neuron 1023 is stepped by the last rank; an enormous current makes it non-finite at 200 ms.
        "inputs": {"blowup": {"type": "current", "population": "cells", "neurons": [1023],
                              "amplitude_pA": 1.0e308, "start_ms": 200}},
        "record": {"spikes": ["cells"], "state": [{"population": "cells", "variables": ["v"], "neurons": [0, 1023],
                                                   "interval_ms": 1.0}]},
    }
    path = tmp_path / "fault.yaml"
    path.write_text(yaml.safe_dump(config))
    out = tmp_path / "fault.h5"
    r = launch(mpirun, ndml_bin, 2, "run", path, "-o", out, "--quiet", timeout=120)
    assert r.returncode != 0
    assert "neuron 1023" in r.stderr and "rank=1 of 2" in r.stderr, r.stderr
    assert "rank 1 found a numerical fault" in r.stderr and "rank=0 of 2" in r.stderr, r.stderr
    partial = Path(str(out) + ".partial")
    with h5py.File(partial, "r") as f:
        assert f["ndml"].attrs["status"] == "failed"
        times = f["spikes/cells/timestamps"][:]
        assert len(times) > 0 and times.max() <= 200.1 and np.all(np.diff(times) >= 0)
        assert f["report/cells/v/data"].shape[0] >= 150


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (from /proc: mpirun starts the ranks as its children)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_a_killed_rank_is_named_and_rank_zero_data_stays_readable(mpirun, ndml_bin, tmp_path):
    out = tmp_path / "long.h5"
    partial = Path(str(out) + ".partial")
    cmd = [mpirun, "-np", "2", "--oversubscribe", str(ndml_bin), "run", str(REPO / "experiments" / "cuba.yaml"),
           "-o", str(out), "--quiet", "--set", "simulation.duration_ms=600000",
           "--set", "output.flush_interval_ms=100"]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=mpi_env())
    try:
        deadline = time.time() + 60
        while not partial.exists() and time.time() < deadline and proc.poll() is None:
            time.sleep(0.1)
        time.sleep(2.0)
        assert proc.poll() is None, proc.communicate()
        ranks = {}
        for child in children(proc.pid):
            environ = Path(f"/proc/{child}/environ").read_bytes().split(b"\0")
            for entry in environ:
                if entry.startswith(b"OMPI_COMM_WORLD_RANK="):
                    ranks[int(entry.split(b"=")[1])] = int(child)
        assert 1 in ranks, ranks
        os.kill(ranks[1], signal.SIGKILL)
        _, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode != 0
    assert "rank 1" in stderr, stderr
    assert not out.exists()
    with h5py.File(partial, "r") as f:
        assert f["ndml"].attrs["status"] != "complete"
        times = f["spikes/exc/timestamps"][:]
        samples = f["report/exc/v/data"].shape[0]
    assert len(times) > 0 and np.all(np.isfinite(times)) and np.all(np.diff(times) >= 0)
    assert samples > 0


def test_ctrl_c_on_mpirun_stops_every_rank_at_one_step(mpirun, ndml_bin, tmp_path):
    out = tmp_path / "int.h5"
    partial = Path(str(out) + ".partial")
    cmd = [mpirun, "-np", "2", "--oversubscribe", str(ndml_bin), "run", str(REPO / "experiments" / "cuba.yaml"),
           "-o", str(out), "--quiet", "--set", "simulation.duration_ms=600000"]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=mpi_env())
    try:
        deadline = time.time() + 60
        while not partial.exists() and time.time() < deadline and proc.poll() is None:
            time.sleep(0.1)
        time.sleep(2.0)
        proc.send_signal(signal.SIGINT)  # mpirun passes it on to every rank as SIGTERM
        _, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode != 0
    stops = [line for line in stderr.splitlines() if "interrupted at t = " in line]
    assert len(stops) == 2, stderr
    times = {line.split("interrupted at t = ")[1].split(" ms")[0] for line in stops}
    assert len(times) == 1, f"ranks stopped at different steps: {stderr}"
    with h5py.File(partial, "r") as f:
        assert f["ndml"].attrs["status"] == "interrupted"
        assert len(f["spikes/exc/timestamps"]) > 0
