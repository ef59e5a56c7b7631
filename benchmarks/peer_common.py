"""Plumbing shared by the peer scripts (brian2_reference.py, brian2_stdp_reference.py,
nest_reference.py): Brian2 device set-up and loop timing, seed ensembles, JSON output."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "Tests" / "python"))
import spikestats  # noqa: E402  (shared with the pytest suite)


def setup_brian2_device(args, seed: int, first: bool, prefix: str):
    """Selects and (re)initialises the Brian2 device (float64); returns the cpp_standalone
    project directory, or None for the runtime device."""
    import brian2 as b2

    b2.prefs.core.default_float_dtype = np.float64
    if args.device != "cpp_standalone":
        b2.prefs.codegen.target = args.runtime_target
        return None
    if not first:
        b2.device.reinit()  # fresh standalone project for this seed
    if args.build_dir:
        build_dir = Path(args.build_dir) / f"seed{seed}"
    else:
        build_dir = Path(tempfile.mkdtemp(prefix=prefix))
    b2.prefs.devices.cpp_standalone.openmp_threads = args.threads if args.threads > 1 else 0
    b2.set_device("cpp_standalone", directory=str(build_dir), build_on_run=True)
    return build_dir


def start_brian2_run(args, seed: int, first: bool, prefix: str, dt_ms: float):
    """Device set-up, seed and clock of one Brian2 run; returns (standalone?, build dir, start time)."""
    import time

    import brian2 as b2

    build_dir = setup_brian2_device(args, seed, first, prefix)
    t0 = time.perf_counter()
    b2.seed(seed)
    b2.defaultclock.dt = dt_ms * b2.ms
    return args.device == "cpp_standalone", build_dir, t0


def run_timed(args, net, t_build: float) -> dict:
    """Runs `net` for args.duration_ms and returns its timing (see `brian2_timing`)."""
    import time

    import brian2 as b2

    t0 = time.perf_counter()
    net.run(args.duration_ms * b2.ms, namespace={})
    return brian2_timing(args, t_build, time.perf_counter() - t0)


def brian2_timing(args, t_build: float, t_run: float) -> dict:
    """Wall times of one run: `sim_loop` is Brian2's own loop time (`device._last_run_time`);
    `compile` is make (cpp_standalone) or code generation + compilation (runtime)."""
    import brian2 as b2

    sim_loop = float(b2.device._last_run_time)
    timing = {"network_build": t_build, "sim_loop": sim_loop}
    if args.device == "cpp_standalone":
        comp = b2.device.timers["compile"]
        timing["compile"] = float((comp.get("clean") or 0.0) + (comp.get("make") or 0.0))
        timing["run_binary"] = float(b2.device.timers["run_binary"])
        timing["codegen"] = t_run - timing["compile"] - timing["run_binary"]
    else:
        timing["compile"] = t_run - sim_loop
    return timing


def brian2_run_header(args, seed: int, model: str, dt_ms: float, method: str, parameters: dict) -> dict:
    """The fields every Brian2 result starts with: simulator, version, device, seed, timing grid."""
    import brian2 as b2

    standalone = args.device == "cpp_standalone"
    return {
        "simulator": "brian2",
        "brian2_version": b2.__version__,
        "model": model,
        "device": args.device,
        "runtime_target": None if standalone else args.runtime_target,
        "threads": args.threads if standalone else 1,
        "seed": seed,
        "dt_ms": dt_ms,
        "duration_ms": args.duration_ms,
        "delay_ms": args.delay_ms,
        "integration_method": method,
        "parameters": parameters,
    }


def mean_std(values) -> dict:
    """Mean and sample standard deviation (0 for one value)."""
    a = np.asarray(values, dtype=np.float64)
    return {"mean": float(a.mean()), "std": float(a.std(ddof=1)) if a.size > 1 else 0.0}


def run_seeds(args, run, ensemble) -> dict:
    """`run(args, seed, first)` for seeds args.seed … args.seed + n_seeds − 1; one run's dict, or
    {"ensemble": ensemble(runs), "runs": runs} for several."""
    if args.n_seeds < 1:
        raise SystemExit("--n-seeds must be >= 1")
    runs = [run(args, args.seed + k, first=(k == 0)) for k in range(args.n_seeds)]
    if args.n_seeds == 1:
        return runs[0]
    return {"model": args.model, "device": args.device, "duration_ms": args.duration_ms,
            "ensemble": ensemble(runs), "runs": runs}


def write_result(result: dict, out_json: Path | None, quiet: bool) -> None:
    """Writes the result as JSON (NaN/inf made null) to `out_json` and, unless quiet, stdout."""
    text = json.dumps(spikestats.json_safe(result), indent=2, sort_keys=False)
    if out_json:
        out_json.parent.mkdir(parents=True, exist_ok=True)
        out_json.write_text(text + "\n")
    if not quiet:
        print(text)
