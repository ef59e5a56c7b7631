"""Parameter sweeps (`sweep:` in a config, docs/sweeps.md): every point runs in its own worker
process into its own results file, the index records parameters, file and status, a second run
resumes (finished points are not rerun, changed ones are), bad sweeps are refused before anything
runs, and `ndml analyze` summarises the index. The point files are checked against plain
`ndml run --set ...` runs of the same overrides: a sweep point is exactly that run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import h5py
import numpy as np
import pytest
import yaml

import spikestats


def small_config(directory, duration_ms=200.0):
    """A 400-neuron CUBA network driven by Poisson inputs: a point runs in a fraction of a second."""
    return {
        "simulation": {"dt_ms": 0.1, "duration_ms": duration_ms, "seed": 3},
        "populations": {
            "exc": {"size": 400, "model": "lif_cuba",
                    "params": {"tau_m_ms": 20, "tau_syn_e_ms": 5, "tau_syn_i_ms": 10, "v_rest_mV": -60,
                               "v_thresh_mV": -50, "v_reset_mV": -60, "tau_ref_ms": 2},
                    "init": {"v_mV": {"uniform": [-60, -50]}}},
            "drive": {"size": 400, "model": "poisson", "params": {"rate_Hz": 800}},
        },
        "projections": {
            "in": {"source": "drive", "target": "exc", "connectivity": "one_to_one", "weight_mV": 3.0,
                   "delay_ms": 1, "receptor": "excitatory"},
            "rec": {"source": "exc", "target": "exc", "connectivity": {"fixed_in_degree": 20},
                    "weight_mV": -1.0, "delay_ms": 1.5, "receptor": "inhibitory"},
        },
        "record": {"spikes": ["exc"]},
        "sweep": {
            "directory": str(directory),
            "grid": {
                "rate": {"values": [600, 900],
                         "set": {"populations.drive.params.rate_Hz": [600, 900]}},
                "simulation.seed": [1, 2],
            },
            "points": [{"name": "strong", "set": {"projections.in.weight_mV": 4.0}}],
        },
    }


def write_config(tmp_path, config, name="sweep.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def run(ndml_bin, *args, timeout=600):
    return subprocess.run([str(ndml_bin), *map(str, args)], capture_output=True, text=True, timeout=timeout)


def read_index(directory):
    return json.loads((directory / "index.json").read_text())


def spikes(path, population="exc"):
    with h5py.File(path, "r") as f:
        assert f["ndml"].attrs["status"] == "complete"
        return f[f"spikes/{population}/timestamps"][:], f[f"spikes/{population}/node_ids"][:]


EXPECTED_POINTS = ["rate600_seed1", "rate600_seed2", "rate900_seed1", "rate900_seed2", "strong"]


def test_sweep_runs_every_point_and_resumes(ndml_bin, tmp_path):
    out = tmp_path / "sweep"
    config = write_config(tmp_path, small_config(out))
    proc = run(ndml_bin, "run", config, "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    assert "5 points" in proc.stdout and "0 already complete, 5 to run, 2 at a time" in proc.stdout
    index = read_index(out)
    assert index["format"] == "ndml-sweep-index"
    assert [a["name"] for a in index["axes"]] == ["rate", "simulation.seed"]
    assert [p["name"] for p in index["points"]] == EXPECTED_POINTS
    for p in index["points"]:
        assert p["status"] == "complete" and p["exit_code"] == 0, p
        assert (out / p["file"]).is_file() and (out / p["log"]).is_file()
    point = {p["name"]: p for p in index["points"]}
    assert point["rate900_seed2"]["parameters"] == {"rate": "900", "simulation.seed": "2"}
    assert point["rate900_seed2"]["overrides"] == ["populations.drive.params.rate_Hz=900", "simulation.seed=2"]
    assert point["strong"]["parameters"] == {"projections.in.weight_mV": "4.0"}

    # A point is the plain run with the same overrides: spike for spike.
    for name, overrides in [("rate900_seed2", point["rate900_seed2"]["overrides"]), ("strong", ["projections.in.weight_mV=4.0"])]:
        direct = tmp_path / f"direct_{name}.h5"
        args = ["run", config, "--point", name, "-o", direct, "-q"]
        assert run(ndml_bin, *args).returncode == 0
        plain_config = small_config(out)
        del plain_config["sweep"]
        plain = write_config(tmp_path, plain_config, "plain.yaml")
        plain_out = tmp_path / f"plain_{name}.h5"
        sets = [a for o in overrides for a in ("--set", o)]
        assert run(ndml_bin, "run", plain, "-o", plain_out, "-q", *sets).returncode == 0
        t_sweep, i_sweep = spikes(out / point[name]["file"])
        t_plain, i_plain = spikes(plain_out)
        assert len(t_sweep) > 100
        np.testing.assert_array_equal(t_sweep, t_plain)
        np.testing.assert_array_equal(i_sweep, i_plain)
        np.testing.assert_array_equal(spikes(direct)[0], t_plain)
    # The points differ: the drive rate and the seed change the spikes.
    counts = {p: len(spikes(out / f"{p}.h5")[0]) for p in EXPECTED_POINTS}
    assert counts["rate900_seed1"] > counts["rate600_seed1"] * 1.2
    assert not np.array_equal(spikes(out / "rate600_seed1.h5")[0], spikes(out / "rate600_seed2.h5")[0])

    # Run again: nothing reruns, no file is touched.
    mtimes = {p: (out / f"{p}.h5").stat().st_mtime_ns for p in EXPECTED_POINTS}
    proc = run(ndml_bin, "run", config, "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    assert "5 already complete, 0 to run" in proc.stdout
    assert {p: (out / f"{p}.h5").stat().st_mtime_ns for p in EXPECTED_POINTS} == mtimes

    # A lost file and a changed value rerun exactly those points.
    (out / "rate600_seed2.h5").unlink()
    changed = small_config(out)
    changed["sweep"]["points"][0]["set"]["projections.in.weight_mV"] = 4.5
    config = write_config(tmp_path, changed)
    proc = run(ndml_bin, "run", config, "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    assert "3 already complete, 2 to run" in proc.stdout
    after = {p: (out / f"{p}.h5").stat().st_mtime_ns for p in EXPECTED_POINTS}
    assert [p for p in EXPECTED_POINTS if after[p] != mtimes.get(p)] == ["rate600_seed2", "strong"]
    assert all(p["status"] == "complete" for p in read_index(out)["points"])


def test_sweep_analysis_table_and_json(ndml_bin, tmp_path):
    out = tmp_path / "sweep"
    config = write_config(tmp_path, small_config(out, duration_ms=500.0))
    assert run(ndml_bin, "run", config, "-q").returncode == 0
    proc = run(ndml_bin, "analyze", out / "index.json", "--json", "--start-ms", "50")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["population"] == "exc"
    assert [p["name"] for p in report["points"]] == EXPECTED_POINTS
    for p in report["points"]:
        times, ids = spikes(out / p["file"])
        stats = spikestats.population_stats(times, ids.astype(np.int64), 400, t_start_ms=50, t_stop_ms=500)
        assert p["statistics"]["rate_Hz"] == pytest.approx(stats["rate_hz"], rel=1e-12)
        assert p["statistics"]["cv_isi"] == pytest.approx(stats["cv_isi_mean"], rel=1e-9)
        assert stats["rate_hz"] > 5 and np.isfinite(stats["cv_isi_mean"])
        index = spikestats.oscillation_index(times, 400, t_start_ms=50, t_stop_ms=500)
        assert p["statistics"]["oscillation_index"] == pytest.approx(index["index"], rel=1e-6)
        assert p["statistics"]["oscillation_peak_Hz"] == pytest.approx(index["peak_hz"])
        fast = spikestats.oscillation_index(times, 400, t_start_ms=50, t_stop_ms=500, min_hz=60)
        assert p["statistics"]["fast_amplitude"] == pytest.approx(fast["amplitude"], rel=1e-6)
        assert p["statistics"]["fast_peak_Hz"] == pytest.approx(fast["peak_hz"])
    table = run(ndml_bin, "analyze", out, "--start-ms", "50")
    assert table.returncode == 0, table.stderr
    assert "state: simulation.seed (rows) against rate (columns)" in table.stdout
    # The grid view of a chosen statistic: seeds upwards, rates across.
    rates = run(ndml_bin, "analyze", out, "--start-ms", "50", "--grid-stat", "rate")
    assert rates.returncode == 0, rates.stderr
    grid = rates.stdout.split("rate: simulation.seed (rows) against rate (columns)\n")[1].splitlines()
    by_name = {p["name"]: p["statistics"]["rate_Hz"] for p in report["points"]}
    assert grid[0].split() == ["simulation.seed", "600", "900"]
    assert [float(v) for v in grid[1].split()[1:]] == pytest.approx(
        [by_name["rate600_seed2"], by_name["rate900_seed2"]], rel=2e-3)
    assert run(ndml_bin, "analyze", out, "--grid-stat", "rates").returncode == 64
    figure = tmp_path / "states.svg"
    assert run(ndml_bin, "analyze", out, "--figure", figure).returncode == 0
    assert figure.read_text().startswith("<svg") or "<svg" in figure.read_text()[:200]


@pytest.mark.parametrize(
    "change, fragments",
    [
        (lambda s: s["grid"]["rate"]["set"].update({"populations.drive.params.rate_hz": [1, 2]}),
         ["sweep point rate600_seed1", "rate_hz", "did you mean 'rate_Hz'"]),
        (lambda s: s["grid"].update({"simulation.seed": []}), ["sweep.grid.simulation.seed", "empty list"]),
        (lambda s: s.update({"grid": {}}), ["sweep.grid", "must map axis names"]),
        (lambda s: s["grid"]["rate"]["set"].update({"populations.drive.params.rate_Hz": [1, 2, 3]}),
         ["sweep.grid.rate.set.populations.drive.params.rate_Hz", "list of 2 values"]),
        (lambda s: s["points"].append({"name": "strong", "set": {"simulation.seed": 9}}),
         ["both be named 'strong'"]),
        (lambda s: s["points"].append({"name": "../x", "set": {"simulation.seed": 9}}),
         ["sweep.points[1].name", "not a usable file name"]),
        (lambda s: s.update({"gird": 1}), ["sweep.gird", "unknown key"]),
    ],
)
def test_bad_sweeps_are_refused_before_anything_runs(ndml_bin, tmp_path, change, fragments):
    out = tmp_path / "sweep"
    config = small_config(out)
    change(config["sweep"])
    path = write_config(tmp_path, config)
    proc = run(ndml_bin, "run", path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    for fragment in fragments:
        assert fragment in proc.stderr, proc.stderr
    assert str(path) in proc.stderr
    assert not out.exists(), "nothing may be run or written for a sweep that does not load"


def test_unknown_point_and_point_without_sweep(ndml_bin, tmp_path):
    out = tmp_path / "sweep"
    path = write_config(tmp_path, small_config(out))
    proc = run(ndml_bin, "run", path, "--point", "rate700_seed1")
    assert proc.returncode == 2 and "has no point 'rate700_seed1'" in proc.stderr and "rate600_seed1" in proc.stderr
    plain = small_config(out)
    del plain["sweep"]
    proc = run(ndml_bin, "run", write_config(tmp_path, plain, "plain.yaml"), "--point", "x")
    assert proc.returncode == 2 and "needs a config with a `sweep:` section" in proc.stderr
    afile = tmp_path / "afile"
    afile.write_text("keep me")
    proc = run(ndml_bin, "run", path, "-o", afile)
    assert proc.returncode == 1 and "is a file, not a directory" in proc.stderr, proc.stderr
    assert afile.read_text() == "keep me"


def test_a_failing_point_is_reported_and_the_others_complete(ndml_bin, tmp_path):
    out = tmp_path / "sweep"
    config = small_config(out)
    # Loads, but its network does not fit in the memory the run may use: the worker refuses it.
    config["sweep"]["points"].append({"name": "huge", "set": {"populations.exc.size": 40000000,
                                                                      "populations.drive.size": 40000000}})
    path = write_config(tmp_path, config)
    proc = run(ndml_bin, "run", path, "--jobs", "2", "--max-memory", "2G")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "sweep point huge failed" in proc.stderr and "1 of 6 points failed" in proc.stderr
    index = {p["name"]: p for p in read_index(out)["points"]}
    assert index["huge"]["status"] == "failed" and index["huge"]["exit_code"] == 1
    assert "memory" in index["huge"]["message"]
    assert all(index[p]["status"] == "complete" for p in EXPECTED_POINTS)


def test_an_interrupted_sweep_continues(ndml_bin, tmp_path):
    out = tmp_path / "sweep"
    config = small_config(out, duration_ms=200000.0)
    path = write_config(tmp_path, config)
    proc = subprocess.Popen([str(ndml_bin), "run", str(path), "--jobs", "1"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        index_file = out / "index.json"
        if index_file.is_file() and any(p["status"] == "running" for p in read_index(out)["points"]):
            break
        time.sleep(0.05)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signal.SIGINT, stdout + stderr
    assert "run the same command again to continue" in stderr
    points = read_index(out)["points"]
    statuses = [p["status"] for p in points]
    assert statuses.count("interrupted") == 1 and "running" not in statuses and statuses[-1] == "pending", statuses
    # The interrupted point's data so far is kept, marked as such.
    stopped = next(p for p in points if p["status"] == "interrupted")
    with h5py.File(out / (stopped["file"] + ".partial"), "r") as f:
        assert f["ndml"].attrs["status"] == "interrupted"
    # Continue with a shorter duration (a different simulation: every point reruns).
    proc = run(ndml_bin, "run", path, "--jobs", "2", "--set", "simulation.duration_ms=100")
    assert proc.returncode == 0, proc.stderr
    assert all(p["status"] == "complete" for p in read_index(out)["points"])


# Brunel (2000), Fig. 7: the phase diagram of this network (C_E = 1000, J = 0.1 mV, D = 1.5 ms),
# read at the sweep's points (line positions measured from the published figure; docs/validation.md,
# "Brunel (2000) phase diagram"). Points within 0.3 of a line (in g or in eta) are marked with the
# state across it: there either state agrees with the paper, since a finite network smears the
# transition and the figure is the N -> infinity theory.
FIG7 = {
    # (g, eta): (published state, state across a nearby line or None)
    (3, 4): ("SR", None), (5, 4): ("AI", "SI_fast"), (6, 4): ("SI_fast", None), (7, 4): ("SI_fast", None),
    (8, 4): ("SI_fast", None),
    (3, 3): ("SR", None), (5, 3): ("AI", None), (6, 3): ("AI", "SI_fast"), (7, 3): ("SI_fast", "AI"),
    (8, 3): ("SI_fast", None),
    (3, 2): ("SR", None), (5, 2): ("AI", None), (6, 2): ("AI", None), (7, 2): ("AI", None), (8, 2): ("AI", None),
    (3, 1): ("SR", None), (5, 1): ("AI", None), (6, 1): ("AI", None), (7, 1): ("AI", None),
    (8, 1): ("AI", "SI_slow"),
    # Below the quiescent line (eta ~ 0.83) the network is silent; for g < 4 the silent state
    # coexists with SR and the initial state decides.
    (3, 0.5): ("Q", "SR"), (5, 0.5): ("Q", None), (6, 0.5): ("Q", None), (7, 0.5): ("Q", None),
    (8, 0.5): ("Q", None),
}
FIG8 = {"fig8b_SI_fast": "SI_fast", "fig8d_SI_slow": "SI_slow"}


def test_brunel_phase_diagram_matches_fig7(ndml_bin, repo_root, tmp_path, validation):
    out = tmp_path / "phase"
    proc = run(ndml_bin, "run", repo_root / "experiments/brunel2000_phase_diagram.yaml", "-o", out, "--jobs", "2",
               timeout=3000)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = run(ndml_bin, "analyze", out, "--population", "exc", "--start-ms", "200", "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    states = {}
    for p in report["points"]:
        assert p["status"] == "complete", p
        if p["name"] in FIG8:
            states[p["name"]] = p["statistics"]["state"]
        else:
            states[(float(p["parameters"]["g"]), float(p["parameters"]["eta"]))] = p["statistics"]["state"]
    assert len(states) == len(FIG7) + len(FIG8)
    exact = 0
    for (g, eta), (published, across) in FIG7.items():
        got = states[(float(g), float(eta))]
        allowed = {published} | ({across} if across else set())
        validation.record("brunel2000_phase_diagram.yaml", f"state at g={g}, eta={eta}",
                          "Brunel 2000 Fig. 7" + (f" (near a line: {published} or {across})" if across else ""),
                          published, got, "same state", got in allowed)
        assert got in allowed, f"g={g}, eta={eta}: {got}, Fig. 7 has {published}" + (f" (or {across})" if across else "")
        exact += got == published
    for name, published in FIG8.items():
        validation.record("brunel2000_phase_diagram.yaml", f"state of {name}", "Brunel 2000 Fig. 8",
                          published, states[name], "same state", states[name] == published)
        assert states[name] == published, f"{name}: {states[name]}"
    # Most points lie away from every line and must match exactly.
    assert exact >= len([v for v in FIG7.values() if v[1] is None])


def test_a_sweep_spread_over_mpi_ranks(ndml_bin, tmp_path):
    """`mpirun -np K ndml run SWEEP`: the points are dealt out over the ranks, each rank running
    its own; the files are those of the one-machine sweep, spike for spike; an extended sweep run
    later on another rank count runs only the new points."""
    import shutil

    mpirun = shutil.which("mpirun")
    assert mpirun, "mpirun not found: make deps installs openmpi-bin (these tests never skip)"
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    local = tmp_path / "local"
    assert run(ndml_bin, "run", write_config(tmp_path, small_config(local), "local.yaml"), "-q").returncode == 0
    spread = tmp_path / "spread"
    path = write_config(tmp_path, small_config(spread), "spread.yaml")
    proc = subprocess.run([mpirun, "-np", "2", "--oversubscribe", str(ndml_bin), "run", str(path)],
                          capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "5 to run on 2 MPI ranks" in proc.stdout
    assert "[rank 0: " in proc.stdout and "[rank 1: " in proc.stdout
    index = read_index(spread)
    assert [p["name"] for p in index["points"]] == EXPECTED_POINTS
    assert all(p["status"] == "complete" for p in index["points"]), index
    assert not list((spread / "ranks").glob("*.json")), "per-rank status files are merged and removed"
    for name in EXPECTED_POINTS:
        a, b = spikes(local / f"{name}.h5"), spikes(spread / f"{name}.h5")
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])
    # Checkpoints are per run: a whole sweep on ranks refuses them, as without MPI.
    proc = subprocess.run([mpirun, "-np", "2", "--oversubscribe", str(ndml_bin), "run", str(path),
                           "--checkpoint-every-ms", "10"], capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode != 0 and "--checkpoint-every-ms applies to one run" in proc.stderr, proc.stderr
    # One more seed, run on 3 ranks: only the two new points run.
    bigger = small_config(spread)
    bigger["sweep"]["grid"]["simulation.seed"] = [1, 2, 3]
    path = write_config(tmp_path, bigger, "spread.yaml")
    proc = subprocess.run([mpirun, "-np", "3", "--oversubscribe", str(ndml_bin), "run", str(path)],
                          capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "(5 already complete, 2 to run on 3 MPI ranks)" in proc.stdout
    assert all(p["status"] == "complete" for p in read_index(spread)["points"])
    # A killed job leaves per-rank status files; the next run (here without MPI) merges them.
    (spread / "ranks").mkdir(exist_ok=True)
    leftover = dict(read_index(spread)["points"][0], status="running")
    (spread / "ranks" / "rank-1.json").write_text(json.dumps([leftover]))
    proc = run(ndml_bin, "run", path)
    assert proc.returncode == 0, proc.stderr
    assert "(6 already complete, 1 to run" in proc.stdout
    assert not list((spread / "ranks").glob("*.json"))
