"""Plumbing shared by the peer scripts (brian2_reference.py, brian2_stdp_reference.py,
nest_reference.py, nest_cuba_reference.py, annarchy_reference.py): Brian2 device set-up and loop
timing, seed ensembles, JSON output, and the sizes, connectivity and spike statistics of the
Vogels-Abbott CUBA/COBA networks that the three CUBA/COBA peers share."""

from __future__ import annotations

import json
import resource
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
    device = {"device": args.device} if hasattr(args, "device") else {}  # Brian2 scripts only
    return {"model": args.model} | device | {"duration_ms": args.duration_ms,
                                             "ensemble": ensemble(runs), "runs": runs}


def write_result(result: dict, out_json: Path | None, quiet: bool) -> None:
    """Writes the result as JSON (NaN/inf made null) to `out_json` and, unless quiet, stdout."""
    text = json.dumps(spikestats.json_safe(result), indent=2, sort_keys=False)
    if out_json:
        out_json.parent.mkdir(parents=True, exist_ok=True)
        out_json.write_text(text + "\n")
    if not quiet:
        print(text)


# --- Vogels-Abbott CUBA/COBA networks (brian2_reference.py, nest_cuba_reference.py,
# annarchy_reference.py): scaling options, sizes, fixed in-degree connectivity, statistics. ---

VA_DEFAULT_NEURONS = 4000
VA_EXC_FRACTION = 0.8


def va_argument_parser(doc: str, *, threads_help: str, seed_help: str | None = None,
                       delay_help: str, n_seeds_help: str) -> "argparse.ArgumentParser":
    """The options every CUBA/COBA peer shares (the script adds its own, then calls
    `parse_va_args`): --model, --duration-ms, --threads, --seed, --n-seeds, --delay-ms,
    --transient-ms, --out-json, --spikes-npz, --neurons, --in-degree, --quiet."""
    import argparse

    p = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    p.add_argument("--model", choices=["cuba", "coba"], required=True)
    p.add_argument("--duration-ms", type=float, default=1000.0)
    p.add_argument("--threads", type=int, default=1, help=threads_help)
    p.add_argument("--seed", type=int, default=1, help=seed_help)
    p.add_argument("--n-seeds", type=int, default=1, help=n_seeds_help)
    p.add_argument("--delay-ms", type=float, default=0.1, help=delay_help)
    p.add_argument("--transient-ms", type=float, default=0.0,
                   help="start of the analysis window (statistics over [transient, duration))")
    p.add_argument("--out-json", type=Path, default=None)
    p.add_argument("--spikes-npz", type=Path, default=None,
                   help="also save all spikes (t_ms, i; ids 0-based, exc first) to this .npz file")
    add_va_scaling_args(p)
    p.add_argument("--quiet", action="store_true")
    return p


def parse_va_args(p, argv=None):
    """Parses and checks the options of `va_argument_parser`."""
    args = p.parse_args(argv)
    va_check_args(args)
    return args


def add_va_scaling_args(p) -> None:
    """--neurons and --in-degree, the same in all CUBA/COBA peers."""
    p.add_argument("--neurons", type=int, default=VA_DEFAULT_NEURONS,
                   help="network size N (default 4000); round(0.8 N) excitatory, the rest inhibitory")
    p.add_argument("--in-degree", type=int, default=None,
                   help="fixed in-degree K instead of p = 0.02: every neuron receives exactly "
                        "round(0.8 K) synapses from distinct excitatory and K - round(0.8 K) from "
                        "distinct inhibitory sources, no autapses (K = 80 at N = 4000 matches "
                        "p = 0.02 in expectation)")


def va_sizes(n_neurons: int) -> tuple[int, int]:
    """(n_exc, n_inh) = (round(0.8 N), N - round(0.8 N))."""
    n_exc = int(round(VA_EXC_FRACTION * n_neurons))
    return n_exc, n_neurons - n_exc


def va_in_degrees(in_degree: int) -> tuple[int, int]:
    """(k_exc, k_inh) = (round(0.8 K), K - round(0.8 K))."""
    k_exc = int(round(VA_EXC_FRACTION * in_degree))
    return k_exc, in_degree - k_exc


def va_check_args(args) -> None:
    """SystemExit on sizes the network cannot have (no autapses: K_exc <= N_exc - 1, ...)."""
    n_exc, n_inh = va_sizes(args.neurons)
    if n_exc < 1 or n_inh < 1:
        raise SystemExit(f"--neurons {args.neurons}: need at least one excitatory and one inhibitory neuron")
    if args.in_degree is not None:
        k_exc, k_inh = va_in_degrees(args.in_degree)
        if k_exc < 1 or k_inh < 1 or k_exc > n_exc - 1 or k_inh > n_inh - 1:
            raise SystemExit(f"--in-degree {args.in_degree} gives {k_exc} exc + {k_inh} inh sources; each "
                             f"must be in 1 .. {n_exc - 1} (exc) / 1 .. {n_inh - 1} (inh): distinct, "
                             f"no autapses")
    if not 0 <= args.transient_ms < args.duration_ms:
        raise SystemExit(f"--transient-ms {args.transient_ms} must lie in [0, duration)")


def va_connectivity(args, p_connect: float) -> dict:
    """JSON description of the connectivity rule of a run."""
    if args.in_degree is None:
        return {"rule": "pairwise_bernoulli", "p": p_connect, "autapses": True, "multapses": False}
    k_exc, k_inh = va_in_degrees(args.in_degree)
    return {"rule": "fixed_in_degree", "in_degree": args.in_degree, "from_exc": k_exc,
            "from_inh": k_inh, "autapses": False, "multapses": False}


def fixed_in_degree_sources(rng: np.random.Generator, n_targets: int, src_start: int, n_src: int,
                            k: int) -> tuple[np.ndarray, np.ndarray]:
    """Fixed in-degree connectivity drawn with NumPy: every target j = 0 .. n_targets-1 gets k
    distinct sources drawn uniformly from src_start .. src_start+n_src-1, never j itself (ids in
    one numbering, so a target inside the source range has n_src - 1 candidates). Returns
    (pre, post), int64, sorted by post, then pre.

    Vectorised rejection: draw k candidate ranks per target with replacement, redraw the repeated
    ones until each row is distinct (at k << n_src a few passes), then map rank d to source
    src_start + d, skipping the target itself (d >= j - src_start -> d + 1). The procedure treats
    all candidates alike, so every k-subset is equally likely."""
    post = np.arange(n_targets, dtype=np.int64)
    if k == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    inside = (post >= src_start) & (post < src_start + n_src)
    n_cand = np.where(inside, n_src - 1, n_src)
    if k > int(n_cand.min()):
        raise ValueError(f"in-degree {k} exceeds the {int(n_cand.min())} available sources")
    draws = rng.integers(0, n_cand[:, None], size=(n_targets, k), dtype=np.int64)
    while True:
        draws.sort(axis=1)
        repeated = np.zeros(draws.shape, dtype=bool)
        repeated[:, 1:] = draws[:, 1:] == draws[:, :-1]
        if not repeated.any():
            break
        rows, cols = np.nonzero(repeated)
        draws[rows, cols] = rng.integers(0, n_cand[rows], dtype=np.int64)
    pre = src_start + draws + (inside[:, None] & (draws >= (post - src_start)[:, None]))
    return pre.ravel(), np.repeat(post, k)


def va_spike_summary(t_ms: np.ndarray, idx: np.ndarray, n_exc: int, n_inh: int,
                     t_start_ms: float, t_stop_ms: float) -> dict:
    """n_spikes, rate_hz {exc, inh}, cv_isi_mean {exc, inh, overall} and the full spikestats
    summary of one run (exc = ids 0..n_exc-1, inh = n_exc..n_exc+n_inh-1)."""
    t_ms = np.asarray(t_ms, dtype=np.float64)
    idx = np.asarray(idx, dtype=np.int64)
    exc = idx < n_exc
    stats = spikestats.summarize(
        {"exc": (t_ms[exc], idx[exc], n_exc), "inh": (t_ms[~exc], idx[~exc] - n_exc, n_inh)},
        t_start_ms=t_start_ms, t_stop_ms=t_stop_ms)
    pops = stats["populations"]
    return {
        "n_spikes": int(idx.size),
        "rate_hz": {name: s["rate_hz"] for name, s in pops.items()},
        "cv_isi_mean": dict({name: s["cv_isi_mean"] for name, s in pops.items()},
                            overall=stats["overall"]["cv_isi_mean"]),
        "stats": stats,
    }


def va_ensemble(runs: list) -> dict:
    """Mean and sample standard deviation over seeds of the headline statistics of CUBA/COBA runs."""
    names = list(runs[0]["rate_hz"].keys())
    return {
        "seeds": [r["seed"] for r in runs],
        "rate_hz": {n: mean_std([r["rate_hz"][n] for r in runs]) for n in names}
        | {"overall": mean_std([r["stats"]["overall"]["rate_hz"] for r in runs])},
        "cv_isi_mean": {n: mean_std([r["cv_isi_mean"][n] for r in runs]) for n in names + ["overall"]},
        "n_synapses": mean_std([r["n_synapses"] for r in runs]),
        "sim_loop_s": mean_std([r["timing_s"]["sim_loop"] for r in runs]),
    }


def peak_rss_bytes() -> int:
    """Peak resident set size of this process so far, in bytes (getrusage ru_maxrss is in KiB on
    Linux). It includes everything the process loaded (Python, NumPy, the simulator library)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(rss if sys.platform == "darwin" else rss * 1024)


def save_spikes_npz(args, seed: int, t_ms, idx) -> None:
    """Saves all spikes (t_ms, i) to --spikes-npz, one file per seed when there are several."""
    if not args.spikes_npz:
        return
    path = Path(args.spikes_npz)
    if args.n_seeds > 1:
        path = path.with_name(f"{path.stem}_seed{seed}{path.suffix or '.npz'}")
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, t_ms=t_ms, i=idx)
