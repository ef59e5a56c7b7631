#!/usr/bin/env python3
"""NDML's bit-exact Loihi 2 emulation vs Lava's CPU simulator on the same network, in one run.

    python benchmarks/loihi_speed.py [--config benchmarks/loihi/ei_1000.yaml] [--repeats 5]

1. `ndml run CONFIG` --repeats times (one thread); NDML's loop time is the `loop … s` it prints
   (construction excluded); the median counts.
2. `ndml export CONFIG --format lava`, then the export's run_lava.py in Lava's venv
   (lava/make_venv.sh): Lava's `run()` alone is timed (its compilation and the spike read-back are
   reported separately, not counted), and run_lava.py checks that every spike equals NDML's.
3. Prints and writes results/bench/loihi_speed.json: µs per step of each and the ratio
   Lava / NDML (the issue's target: ≥ 100×).

NDML_BIN (default .build/release/ndml) selects the binary. Check that nothing else runs while timing.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", default=str(REPO / "benchmarks/loihi/ei_1000.yaml"))
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("-o", "--output", default=str(REPO / "results/bench/loihi_speed.json"))
    args = ap.parse_args()
    ndml = os.environ.get("NDML_BIN", str(REPO / ".build/release/ndml"))
    lava_py = subprocess.run([str(REPO / "lava/make_venv.sh")], capture_output=True, text=True,
                             check=True).stdout.strip().splitlines()[-1]
    with tempfile.TemporaryDirectory() as tmp:
        loops, steps = [], None
        for _ in range(args.repeats):
            out = subprocess.run([ndml, "run", args.config, "-o", f"{tmp}/ndml.h5", "--threads", "1"],
                                 capture_output=True, text=True, check=True).stdout
            loops.append(float(re.search(r"loop ([0-9.]+) s", out).group(1)))
        subprocess.run([ndml, "export", args.config, "--format", "lava", "-o", f"{tmp}/export", "-q"], check=True)
        import h5py
        with h5py.File(f"{tmp}/export/network.h5", "r") as f:
            steps = int(f.attrs["steps"])
            neurons = sum(int(g.attrs["size"]) for g in f["populations"].values())
            synapses = sum(g["pre"].shape[0] for g in f["projections"].values())
        proc = subprocess.run([lava_py, f"{tmp}/export/run_lava.py", "-o", f"{tmp}/lava.h5"],
                              capture_output=True, text=True)
        print(proc.stdout, end="")
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            print("Lava and NDML differ (or Lava failed): no speed comparison", file=sys.stderr)
            return 1
        m = re.search(r"compile ([0-9.]+) s, run\(\) ([0-9.]+) s .*read-back ([0-9.]+) s", proc.stdout)
        compile_s, lava_s, readback_s = map(float, m.groups())
    ndml_s = statistics.median(loops)
    result = {
        "config": os.path.relpath(args.config, REPO), "neurons": neurons, "synapses": synapses, "steps": steps,
        "ndml_loop_s": loops, "ndml_us_per_step": 1e6 * ndml_s / steps,
        "lava_run_s": lava_s, "lava_us_per_step": 1e6 * lava_s / steps,
        "lava_compile_s": compile_s, "lava_readback_s": readback_s,
        "ratio_lava_over_ndml": lava_s / ndml_s, "spikes_identical": True,
    }
    print(f"{neurons} neurons, {synapses} synapses, {steps} steps: NDML {result['ndml_us_per_step']:.1f} µs/step "
          f"(median of {len(loops)}), Lava run() {result['lava_us_per_step']:.0f} µs/step: "
          f"NDML is {result['ratio_lava_over_ndml']:.0f}× faster (target ≥ 100×); spikes identical")
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
