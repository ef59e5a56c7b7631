# %% [markdown]
# # Network activity of the Vogels–Abbott CUBA and COBA networks
#
# Reads `results/cuba.h5` and `results/coba.h5` (written by `ndml run experiments/cuba.yaml` and
# `experiments/coba.yaml`) with **h5py only**: the files are SONATA-layout HDF5
# (`docs/results-format.md`), so no NDML code is needed. Shows a spike raster, the distribution of
# single-neuron rates and the distribution of the CV of inter-spike intervals per population.

# %%
import os

import h5py
import matplotlib.pyplot as plt
import numpy as np

RESULTS = os.environ.get("NDML_RESULTS_DIR", "results")


def load(path):
    """Spikes, sizes and duration of a results file, from the documented layout."""
    with h5py.File(path, "r") as f:
        duration = float(f["ndml"].attrs["duration_ms"])
        sizes = {name: int(g.attrs["size"]) for name, g in f["ndml/populations"].items()}
        spikes = {name: (g["timestamps"][:], g["node_ids"][:].astype(int)) for name, g in f["spikes"].items()}
        status = f["ndml"].attrs["status"]
    assert status == "complete", f"{path}: run not complete ({status})"
    return spikes, sizes, duration


def rates_and_cvs(times, ids, size, duration_ms):
    """Rate (Hz) of every neuron; CV of ISI (std/mean, ddof 0) of neurons with >= 3 spikes."""
    rates = np.bincount(ids, minlength=size) / (duration_ms / 1000)
    order = np.lexsort((times, ids))
    t, i = times[order], ids[order]
    cvs = []
    for n in np.nonzero(np.bincount(i, minlength=size) >= 3)[0]:
        isi = np.diff(t[i == n])
        cvs.append(isi.std() / isi.mean())
    return rates, np.array(cvs)


# %%
summary = {}
for model in ("cuba", "coba"):
    spikes, sizes, duration = load(os.path.join(RESULTS, f"{model}.h5"))
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
    offset = 0
    for k, (name, (t, i)) in enumerate(spikes.items()):
        keep = i < 200  # first 200 neurons of each population
        axes[0].plot(t[keep], i[keep] + offset, ".", ms=1.5, color=f"C{k}", label=name)
        offset += 200
        rates, cvs = rates_and_cvs(t, i, sizes[name], duration)
        axes[1].hist(rates, bins=30, histtype="step", lw=1.5, color=f"C{k}", label=f"{name}: {rates.mean():.2f} Hz")
        axes[2].hist(cvs, bins=30, histtype="step", lw=1.5, color=f"C{k}", label=f"{name}: {cvs.mean():.2f}")
        summary[(model, name)] = (rates.mean(), cvs.mean())
    axes[0].set(xlabel="time (ms)", ylabel="neuron (200 per population)", title=f"{model.upper()}: raster")
    axes[1].set(xlabel="rate (Hz)", ylabel="neurons", title="single-neuron rates")
    axes[2].set(xlabel="CV of ISI", ylabel="neurons", title="irregularity")
    for ax in axes:
        ax.legend(fontsize=8)
    fig.tight_layout()
    plt.show()

# %% [markdown]
# Mean rates and CVs (the Brian2 reference gives CUBA ≈ 5.6 Hz, COBA ≈ 20 Hz; see
# `docs/validation.md`):

# %%
for (model, name), (rate, cv) in summary.items():
    print(f"{model:5s} {name:4s} rate {rate:6.2f} Hz   mean CV {cv:.3f}")
assert 3 < summary[("cuba", "exc")][0] < 9 and 10 < summary[("coba", "exc")][0] < 30
