"""PyNN's CUBA benchmark (python/examples/cuba.py: 4000 IF_curr_exp neurons, 2 % connectivity)
through NDML's PyNN backend and the same script on pyNN.nest and pyNN.brian2, in one run.

Each simulator runs the script in a fresh process; build time (setup + populations + projections,
which for NDML is only Python bookkeeping) and run time (sim.run: for NDML writing the config and
side file, the ndml process — parse, build, simulate, write HDF5 — and reading the results back)
are reported separately, with the mean rates as a check that all simulated the same network.

    .venv/bin/python benchmarks/pynn_cuba.py [--duration 10000] [--simulators ndml nest brian2]

Writes results/bench/pynn_cuba.json and .md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=float, default=10_000.0)
    parser.add_argument("--simulators", nargs="+", default=["ndml", "nest", "brian2"])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", default=str(ROOT / "results" / "bench" / "pynn_cuba"))
    args = parser.parse_args()
    env = dict(os.environ)
    env.setdefault("NDML_BIN", str(ROOT / ".build" / "release" / "ndml"))
    env["OMP_NUM_THREADS"] = "1"
    rows = []
    for simulator in args.simulators:
        proc = subprocess.run([sys.executable, str(ROOT / "python" / "examples" / "cuba.py"), simulator,
                               "--duration", str(args.duration), "--seed", str(args.seed)],
                              capture_output=True, text=True, env=env, cwd=ROOT)
        if proc.returncode != 0:
            sys.exit(f"{simulator} failed:\n{proc.stderr[-3000:]}")
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        print(json.dumps(rows[-1]), flush=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps({"duration_ms": args.duration, "runs": rows}, indent=1))
    ndml = next((r for r in rows if r["simulator"] == "ndml"), None)
    lines = ["| simulator | build (s) | run (s) | run / NDML's | exc rate (Hz) | inh rate (Hz) |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        ratio = f"{r['run_s'] / ndml['run_s']:.1f}" if ndml else "—"
        lines.append(f"| {r['simulator']} | {r['build_s']:.2f} | {r['run_s']:.2f} | {ratio} | "
                     f"{r['rates_Hz']['exc']:.3f} | {r['rates_Hz']['inh']:.3f} |")
    out.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
