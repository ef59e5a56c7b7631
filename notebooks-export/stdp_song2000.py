# %% [markdown]
# # Competitive Hebbian learning: Song, Miller & Abbott (2000)
#
# Reads `results/stdp_song2000.h5` (`ndml run experiments/stdp_song2000.yaml`) with h5py only.
# 1000 Poisson inputs drive one conductance-based neuron through additive pair STDP: the weights
# split into two groups near 0 and near g_max, and the output rate settles far below its start.
# At the config's 100 s the group near g_max is still forming; run 500 s
# (`--set simulation.duration_ms=500000`) to see both (docs/validation.md).
# Weight snapshots and histograms are under `/weights/plastic`, the output spikes under
# `/spikes/neuron`.

# %%
import os

import h5py
import matplotlib.pyplot as plt
import numpy as np

RESULTS = os.environ.get("NDML_RESULTS_DIR", "results")
with h5py.File(os.path.join(RESULTS, "stdp_song2000.h5"), "r") as f:
    time_ms = f["weights/plastic/time"][:]
    weights = f["weights/plastic/weights"][:]          # snapshots x synapses
    histogram = f["weights/plastic/histogram"][:]      # snapshots x bins (all synapses)
    edges = f["weights/plastic/bin_edges"][:]
    unit = f["weights/plastic/weights"].attrs["units"]
    spikes = f["spikes/neuron/timestamps"][:]
    duration = float(f["ndml"].attrs["duration_ms"])
g_max = edges[-1]

# %%
fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
image = axes[0].imshow(np.log10(histogram.T + 1), origin="lower", aspect="auto", cmap="viridis",
                       extent=(time_ms[0] / 1000, time_ms[-1] / 1000, edges[0], edges[-1]))
fig.colorbar(image, ax=axes[0], label="log10(1 + synapses)")
axes[0].set(xlabel="time (s)", ylabel=f"weight ({unit})", title="weight distribution over time")
axes[1].hist(weights[-1] / g_max, bins=40, color="C0")
axes[1].set(xlabel="w / g_max", ylabel="synapses", title=f"final weights (t = {time_ms[-1] / 1000:g} s)")
window_s = 5.0
counts, bin_edges = np.histogram(spikes / 1000, bins=np.arange(0, duration / 1000 + window_s, window_s))
axes[2].plot(bin_edges[:-1] + window_s / 2, counts / window_s, "o-", ms=3)
axes[2].set(xlabel="time (s)", ylabel="output rate (Hz)", title="rate normalisation")
fig.tight_layout()
plt.show()

# %%
final = weights[-1] / g_max
low, high = np.mean(final < 0.1), np.mean(final > 0.9)
print(f"weights < 0.1 g_max: {low:.2f}, > 0.9 g_max: {high:.2f}; "
      f"output rate first 5 s {counts[0] / window_s:.1f} Hz, last 5 s {counts[-1] / window_s:.1f} Hz")
assert low + high > 0.4 and counts[-1] < counts[0]
