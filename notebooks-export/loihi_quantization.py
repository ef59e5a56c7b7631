# %% [markdown]
# # A float network on Loihi 2: what quantisation changes
#
# Reads, with h5py only, `results/loihi_from_float.h5` (`ndml run experiments/loihi_from_float.yaml`:
# 400 + 100 float `lif_cuba` neurons) and the Lava export of the same config
# (`ndml export experiments/loihi_from_float.yaml --format lava -o results/loihi_from_float_lava`).
# The export quantised the network to Loihi 2 integers (`loihi_cuba`) and stored, in `network.h5`, its
# quantisation report and NDML's spikes of the quantised network (`/ndml_prediction`), which are the
# spikes Lava's bit-accurate simulator produces from that bundle (`run_lava.py` checks every one;
# `make test` runs it). Rules and numbers: docs/loihi-export.md.

# %%
import json
import os

import h5py
import matplotlib.pyplot as plt
import numpy as np

RESULTS = os.environ.get("NDML_RESULTS_DIR", "results")
with h5py.File(os.path.join(RESULTS, "loihi_from_float.h5"), "r") as f:
    duration_ms = float(f["ndml"].attrs["duration_ms"])
    sizes = {p: int(f[f"ndml/populations/{p}"].attrs["size"]) for p in ("exc", "inh")}
    float_spikes = {p: (f[f"spikes/{p}/timestamps"][:], f[f"spikes/{p}/node_ids"][:]) for p in sizes}
with h5py.File(os.path.join(RESULTS, "loihi_from_float_lava", "network.h5"), "r") as f:
    dt_ms = float(f.attrs["dt_ms"])
    report = json.loads(f["quantization_report"][()])
    loihi_spikes = {p: (f[f"ndml_prediction/{p}/steps"][:] * dt_ms, f[f"ndml_prediction/{p}/node_ids"][:])
                    for p in sizes}
    integers = {p: {k: int(f[f"populations/{p}"].attrs[k]) for k in ("du", "dv", "vth")} for p in sizes}

# %% [markdown]
# ## Parameters: float value → integers → the float value the integers stand for

# %%
print(f"{'parameter':44s} {'float':>10s}  {'integers':44s} {'effective':>10s}")
for p in report["parameters"]:
    print(f"{p['key']:44s} {p['float']:10.4g}  {p['integer']:44s} {p['effective']:10.4g}")
print("\nLoihi registers:", integers)

# %% [markdown]
# ## Spikes: the float network and its Loihi version, both 2 s

# %%
fig, axes = plt.subplots(1, 3, figsize=(14, 3.8))
window = (1000, 1300)
for ax, (label, spikes), colour in zip(axes[:2], [("float lif_cuba", float_spikes), ("Loihi loihi_cuba", loihi_spikes)],
                                       ["C0", "C3"]):
    t, ids = spikes["exc"]
    keep = (t >= window[0]) & (t < window[1]) & (ids < 100)
    ax.plot(t[keep], ids[keep], "|", ms=3, color=colour)
    ax.set(xlabel="time (ms)", ylabel="exc neuron", title=label, xlim=window)
rates = {}
for p in sizes:
    r_float = np.bincount(float_spikes[p][1], minlength=sizes[p]) / (duration_ms / 1000)
    r_loihi = np.bincount(loihi_spikes[p][1], minlength=sizes[p]) / (duration_ms / 1000)
    rates[p] = (r_float, r_loihi)
    axes[2].plot(r_float, r_loihi, ".", ms=4, alpha=0.6, label=p)
top = max(r.max() for pair in rates.values() for r in pair)
axes[2].plot([0, top], [0, top], "k--", lw=0.8)
axes[2].set(xlabel="float rate (Hz)", ylabel="Loihi rate (Hz)", title="per-neuron rates")
axes[2].legend()
fig.tight_layout()
plt.show()

# %%
for a in report["agreement"]:
    print(f"{a['population']}: {a['floatRateHz']:.2f} Hz float → {a['quantizedRateHz']:.2f} Hz Loihi; "
          f"{100 * a['floatSpikesMatched']:.0f} % of float spikes have a Loihi partner within ±{a['windowMs']} ms")
correlation = np.corrcoef(*rates["exc"])[0, 1]
print(f"per-neuron rate correlation (exc): {correlation:.2f}")
# The rates survive quantisation; spike times drift apart as in any recurrent network.
exc = next(a for a in report["agreement"] if a["population"] == "exc")
assert abs(exc["quantizedRateHz"] - exc["floatRateHz"]) < 0.1 * exc["floatRateHz"]
assert correlation > 0.5
