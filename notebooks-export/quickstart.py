#!/usr/bin/env python3
"""Summarise an NDML results file with h5py alone (no NDML code).

    python notebooks-export/quickstart.py results/cuba.h5

Prints, per population: size, model, spike count, mean rate and mean CV of the inter-spike
intervals; then, per state report, the shape, units, sampling times and recorded neurons.

Definitions (the same as Tests/python/spikestats.py):
* mean rate (Hz) = spikes / (population size x duration); silent neurons count. The size is the
  attribute `size` of /ndml/populations/<name>, the duration the attribute `duration_ms` of /ndml.
* CV of ISI of one neuron = std(ISI) / mean(ISI) (ddof = 0), for neurons with at least 3 spikes;
  the population value is the mean over those neurons.

Layout read here (docs/results-format.md): /spikes/<population>/{timestamps (ms), node_ids},
/report/<population>/<variable>/data (samples x neurons, attribute `units`) with
mapping/{node_ids, time = [start, stop, step] in ms}.
"""

from __future__ import annotations

import argparse
import sys

import h5py
import numpy as np

MIN_SPIKES_FOR_CV = 3


def text(value) -> str:
    """An HDF5 string attribute as str (h5py returns bytes for some string types)."""
    return value.decode() if isinstance(value, bytes) else str(value)


def cv_isi(times_ms: np.ndarray, node_ids: np.ndarray) -> tuple[float, int]:
    """Mean CV of ISI over neurons with >= MIN_SPIKES_FOR_CV spikes, and how many neurons that is."""
    if times_ms.size == 0:
        return float("nan"), 0
    order = np.lexsort((times_ms, node_ids))  # by neuron, then time
    t, ids = times_ms[order], node_ids[order]
    cvs = []
    for neuron in np.unique(ids):
        isi = np.diff(t[ids == neuron])
        if isi.size + 1 >= MIN_SPIKES_FOR_CV and isi.mean() > 0:
            cvs.append(isi.std() / isi.mean())
    return (float(np.mean(cvs)) if cvs else float("nan")), len(cvs)


def summarise(path: str) -> int:
    with h5py.File(path, "r") as f:
        ndml = f["ndml"]
        status = text(ndml.attrs.get("status", "unknown"))
        duration_ms = float(ndml.attrs["duration_ms"])
        print(f"{path}: status {status}, duration {duration_ms:g} ms, dt {float(ndml.attrs['dt_ms']):g} ms, "
              f"seed {int(ndml.attrs['seed'])}, precision {text(ndml.attrs['precision'])}, "
              f"NDML {text(ndml.attrs['version'])}")
        if status != "complete":
            print(f"  warning: the run did not complete ({text(ndml.attrs.get('failure', 'no reason recorded'))})")

        print()
        print(f"{'population':<16}{'model':<14}{'size':>8}{'spikes':>10}{'rate (Hz)':>12}{'CV ISI':>9}{'(n)':>7}")
        for name, group in ndml["populations"].items():
            size = int(group.attrs["size"])
            model = text(group.attrs["model"])
            if f"spikes/{name}" not in f:
                print(f"{name:<16}{model:<14}{size:>8}{'(spikes not recorded)':>38}")
                continue
            times = f[f"spikes/{name}/timestamps"][:]
            ids = f[f"spikes/{name}/node_ids"][:].astype(np.int64)
            rate = times.size / size / (duration_ms / 1000)
            cv, n_cv = cv_isi(times, ids)
            print(f"{name:<16}{model:<14}{size:>8}{times.size:>10}{rate:>12.3f}{cv:>9.3f}{n_cv:>7}")

        print()
        reports = []
        if "report" in f:
            for population, variables in f["report"].items():
                for variable, group in variables.items():
                    reports.append((population, variable, group))
        if not reports:
            print("no state reports")
        for population, variable, group in reports:
            data = group["data"]
            start, stop, step = (float(x) for x in group["mapping/time"][:])
            nodes = group["mapping/node_ids"][:]
            shown = ", ".join(str(n) for n in nodes[:10]) + (", …" if nodes.size > 10 else "")
            print(f"report {population}/{variable}: shape {data.shape} (samples x neurons), {data.dtype}, "
                  f"units {text(data.attrs.get('units', '?'))}; t = {start:g} … {stop - step:g} ms every {step:g} ms; "
                  f"neurons [{shown}]")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", help="an NDML results file (.h5), e.g. results/cuba.h5")
    args = parser.parse_args(argv)
    try:
        return summarise(args.results)
    except (OSError, KeyError) as e:
        print(f"{args.results}: cannot read as an NDML results file: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
