#!/usr/bin/env python3
"""Issue 5's multi-rate benchmark (a benchmark, not a test): what the slow clocks buy.

benchmarks/multirate/plastic_1000.yaml — 1000 CUBA neurons, pair STDP on E->E, homeostatic scaling
of E on a one-minute clock — is run for `--hours` of biological time (default 1 h) as configured,
and for `--fine-seconds` of biological time (default 60 s) with the scaling on the fast step
(`clock_ms = dt_ms`, what a simulator without slow clocks pays). Both on one thread, the loop time
as `ndml run` prints it. Reports the real-time factor (wall / biological) of each, the multi-rate
gain (their ratio) and the fine-step time extrapolated to the full duration (marked as such), and
the same network without homeostasis (what the slow process costs at all).

    .venv/bin/python benchmarks/multirate.py [--hours 1] [--fine-seconds 60]

Writes results/bench/multirate.json.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "benchmarks/multirate/plastic_1000.yaml"


def loop_seconds(ndml: str, duration_ms: float, *overrides: str) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        args = [ndml, "run", str(CONFIG), "-o", f"{tmp}/r.h5", "--threads", "1",
                "--set", f"simulation.duration_ms={duration_ms:g}"]
        for o in overrides:
            args += ["--set", o]
        out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return float(re.search(r"loop ([0-9.]+) s", out).group(1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ndml", default=str(REPO / ".build/release/ndml"))
    ap.add_argument("--hours", type=float, default=1.0)
    ap.add_argument("--fine-seconds", type=float, default=60.0)
    ap.add_argument("-o", "--output", default=str(REPO / "results/bench/multirate.json"))
    args = ap.parse_args()
    full_ms = args.hours * 3_600_000
    fine_ms = args.fine_seconds * 1000
    multirate = loop_seconds(args.ndml, full_ms)
    no_homeostasis = loop_seconds(args.ndml, fine_ms, "populations.exc.homeostasis=null")
    coarse_short = loop_seconds(args.ndml, fine_ms)
    fine = loop_seconds(args.ndml, fine_ms, "populations.exc.homeostasis.clock_ms=0.1",
                        "populations.exc.homeostasis.clock=null")
    result = {
        "config": str(CONFIG.relative_to(REPO)),
        "biological_s": full_ms / 1000,
        "multirate_loop_s": multirate,
        "multirate_real_time_factor": multirate / (full_ms / 1000),
        "short_run_biological_s": fine_ms / 1000,
        "short_multirate_loop_s": coarse_short,
        "short_without_homeostasis_loop_s": no_homeostasis,
        "short_fine_step_loop_s": fine,
        "fine_step_real_time_factor": fine / (fine_ms / 1000),
        "fine_step_extrapolated_full_s (model, not measured)": fine * full_ms / fine_ms,
        "multirate_gain": (fine / fine_ms) / (multirate / full_ms),
    }
    print(f"{args.hours:g} h biological with slow clocks: loop {multirate:.1f} s "
          f"(real-time factor {result['multirate_real_time_factor']:.4f})")
    print(f"{args.fine_seconds:g} s biological: no homeostasis {no_homeostasis:.2f} s, one-minute clock "
          f"{coarse_short:.2f} s, every step {fine:.2f} s (real-time factor {result['fine_step_real_time_factor']:.4f})")
    print(f"multi-rate gain {result['multirate_gain']:.1f}x; all at the fast step would take "
          f"~{result['fine_step_extrapolated_full_s (model, not measured)']:.0f} s for the full run (extrapolated)")
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
