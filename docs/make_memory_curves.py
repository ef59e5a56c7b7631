"""Prints the forgetting curves of experiments/memory_lifecycle.yaml as a markdown table.

    .venv/bin/python docs/make_memory_curves.py results/memory_lifecycle.h5

Mean SNR over traces by age (10 s evaluation grid, bins of width `--bin`), for the single variable
and the Benna–Fusi chain, each beside the linear theory √n K(age)/√(r ∫K²) (numpy, the same
function as Tests/python/test_memory_lifecycle.py) and the paper's forms: the chain's
A·age^(−1/2) with A fitted, the single variable's e^(−age/τ) scaled at the first age. Then the
recall score by age. Reads the file with h5py only.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import h5py
import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "Tests/python"))
from test_memory_lifecycle import fitted_lifetime_s, mean_by_age, memory, predicted_snr  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results")
    parser.add_argument("--ages", default="10,30,60,120,300,600,1200,1800,2400,3000")
    args = parser.parse_args()
    with h5py.File(args.results, "r") as f:
        config = yaml.safe_load(f["ndml/config"][()].decode())
    ages_wanted = [float(a) for a in args.ages.split(",")]
    curves = {}
    for name in ("single", "chain"):
        m = memory(args.results, name)
        expected = predicted_snr(config, name, m["traces/stored_ms"], m["traces/synapses"], m["snr/time"])
        theory = m | {"snr/weight": np.where(np.isfinite(m["snr/weight"]), expected, np.nan)}
        curves[name] = (mean_by_age(m), mean_by_age(theory), fitted_lifetime_s(m, name), m)
    tau = config["projections"]["single"]["consolidation"]["tau_1_ms"] / 1000
    print("| age (s) | single: NDML | single: theory | e^(−age/τ) | chain: NDML | chain: theory | A·age^(−1/2) | traces |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    (sa, sm, sc), (_, st, _), _, _ = curves["single"]
    (ca, cm, cc), (_, ct, _), chain_life, _ = curves["chain"]
    first = np.argmin(np.abs(sa - ages_wanted[0]))
    for age in ages_wanted:
        i = np.argmin(np.abs(sa - age))
        j = np.argmin(np.abs(ca - age))
        print(f"| {sa[i]:.0f} | {sm[i]:.2f} | {st[i]:.2f} | {sm[first] * np.exp(-(sa[i] - sa[first]) / tau):.2f} "
              f"| {cm[j]:.2f} | {ct[j]:.2f} | {np.sqrt(chain_life / ca[j]):.2f} | {cc[j]} |")
    print()
    print(f"Fitted lifetimes (SNR = 1): single {curves['single'][2]:.0f} s, chain {chain_life:.0f} s.")
    print()
    print("| recall age (s) | single: score | single: completion | chain: score | chain: completion | probes |")
    print("|---|---:|---:|---:|---:|---:|")
    for lo, hi in ((0, 60), (60, 300), (300, 900), (900, 1800), (1800, 3600)):
        cells = []
        for name in ("single", "chain"):
            m = curves[name][3]
            sel = (m["recall/age"] >= lo * 1000) & (m["recall/age"] < hi * 1000)
            cells += [f"{np.nanmean(m['recall/score'][sel]):.3f}", f"{np.nanmean(m['recall/completion'][sel]):.3f}"]
        print(f"| {lo}–{hi} | " + " | ".join(cells) + f" | {sel.sum()} |")


if __name__ == "__main__":
    main()
