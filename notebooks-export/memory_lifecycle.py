# %% [markdown]
# # The memory lifecycle: storage, consolidation and forgetting over one hour
#
# Reads `results/memory_lifecycle.h5` (`ndml run experiments/memory_lifecycle.yaml`) with h5py
# and numpy only. One-shot BTSP storage of a new item every 250 ms into two copies of CA1 whose
# synapses differ only in their memory: one leaky variable (τ = 100 s) or a Benna–Fusi chain of
# 8 variables (τ₁ = 5 s). `/memory/<projection>` holds, for 60 tracked items, each trace's SNR
# every 10 s, its state transitions and its recall from partial cues every 5 minutes.
#
# 1. Forgetting curves: the mean SNR of traces of the same age, against the linear theory of
#    random ±Δ writes (computed here from the chain's equations): exponential for one variable,
#    a power law ≈ age^(−1/2) for the chain (Benna & Fusi 2016).
# 2. Where the chain keeps a trace: SNR of the expressed weight and of the hidden variables.
# 3. States over time, and recall scores against age.

# %%
import os

import h5py
import matplotlib.pyplot as plt
import numpy as np
import yaml

RESULTS = os.environ.get("NDML_RESULTS_DIR", "results")
data = {}
with h5py.File(os.path.join(RESULTS, "memory_lifecycle.h5"), "r") as f:
    raw = f["ndml/config"][()]
    config = yaml.safe_load(raw.decode() if isinstance(raw, bytes) else raw)
    for name in ("single", "chain"):
        g = f[f"memory/{name}"]
        data[name] = {key: g[key][()] for key in (
            "traces/stored_ms", "traces/synapses", "snr/time", "snr/weight", "transitions/time",
            "transitions/trace", "transitions/state", "recall/age", "recall/score", "recall/completion")}
        if "hidden" in g["snr"]:
            data[name]["snr/hidden"] = g["snr/hidden"][()]


def chain_kernel(m, tau1_s, t_s):
    """exp(A t)_11 of the chain C_k du_k/dt = g_{k-1}(u_{k-1}-u_k) + g_k(u_{k+1}-u_k), leak at the end."""
    c, g = 2.0 ** np.arange(m), 2.0 ** -np.arange(m) / tau1_s
    lap = np.diag(g + np.r_[0, g[:-1]]) - np.diag(g[:-1], 1) - np.diag(g[:-1], -1)
    s = np.diag(c ** -0.5)
    lam, vec = np.linalg.eigh(s @ lap @ s)
    return (vec[0] ** 2 * np.exp(-np.outer(t_s, lam))).sum(axis=1)


def by_age(d, key="snr/weight", bin_s=10):
    age = (d["snr/time"][:, None] - d["traces/stored_ms"][None, :]) / 1000
    v = d[key]
    ok = np.isfinite(v)
    bins = np.floor(age[ok] / bin_s).astype(int)
    sums, counts = np.bincount(bins, v[ok]), np.bincount(bins)
    keep = counts >= 10
    return ((np.arange(len(counts)) + 0.5) * bin_s)[keep], (sums / np.maximum(counts, 1))[keep]


p = config["populations"]["ca3"]["params"]
rate = p["density"] * config["projections"]["chain"]["plasticity"]["plateaus"]["probability"] / (p["period_ms"] / 1000)
grid = np.arange(0, 3600.05, 0.05)
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
for name, colour in (("single", "C1"), ("chain", "C0")):
    d = data[name]
    c = config["projections"][name]["consolidation"]
    age, snr = by_age(d)
    k = chain_kernel(c["variables"], c["tau_1_ms"] / 1000, grid)
    # Theory at the run's end (variance of u1 after 1 h of writes), mean n over the traces.
    theory = np.sqrt(np.nanmean(d["traces/synapses"])) * k / np.sqrt(rate * np.trapezoid(k ** 2, grid))
    label = "one variable, τ = 100 s" if name == "single" else "Benna–Fusi chain, m = 8"
    for ax in axes:
        ax.plot(age, snr, ".", ms=3, color=colour, label=f"{label} (NDML)")
        ax.plot(grid[1:], theory[1:], "-", lw=1, color=colour, alpha=0.6, label="linear theory (1 h variance)")
axes[0].set(xlabel="age of the trace (s)", ylabel="mean SNR", title="forgetting curves", ylim=(-1, 32))
axes[1].set(xscale="log", yscale="log", xlabel="age (s)", ylabel="mean SNR", title="log–log: power law vs exponential",
            ylim=(0.3, 40), xlim=(5, 3600))
axes[1].plot([60, 3000], [12 * (60 / 60) ** -0.5, 12 * (3000 / 60) ** -0.5], "k--", lw=0.8, label="age^(−1/2)")
for ax in axes:
    ax.axhline(1, color="grey", lw=0.6)
axes[1].legend(fontsize=7)
fig.tight_layout()
plt.show()

age, snr = by_age(data["chain"])
sel = (age >= 120) & (age <= 3000)
slope = np.polyfit(np.log(age[sel]), np.log(snr[sel]), 1)[0]
age_s, snr_s = by_age(data["single"])
lifetime_single = age_s[np.argmax(snr_s < 1)]
print(f"chain: log-log slope {slope:.3f} (Benna & Fusi: -0.5); single variable: mean SNR below 1 "
      f"from {lifetime_single:.0f} s of age; chain at 50 min: {snr[age <= 3000][-1]:.2f}")
assert abs(slope + 0.5) < 0.15 and lifetime_single < 600 and snr[age <= 3000][-1] > 1

# %%
d = data["chain"]
fig, ax = plt.subplots(figsize=(6, 3.6))
for key, colour, label in (("snr/weight", "C0", "expressed weight u₁"), ("snr/hidden", "C2", "hidden variables u₂…u₈")):
    age, snr = by_age(d, key)
    ax.plot(age, snr, ".", ms=3, color=colour, label=label)
ax.set(xscale="log", xlabel="age (s)", ylabel="mean SNR", title="chain: the trace moves into the hidden variables")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()
w_age, w_snr = by_age(d, "snr/weight")
h_age, h_snr = by_age(d, "snr/hidden")
crossing = h_age[np.argmax(h_snr > w_snr)]
print(f"hidden variables hold the trace more strongly than the weight from {crossing:.0f} s of age")
assert crossing < 300

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 3.8))
states = ["stored", "decaying", "consolidated", "forgotten"]
for name, ax in zip(("single", "chain"), axes):
    d = data[name]
    for s_index, state in enumerate(states):
        sel = np.array([x.decode() == state for x in d["transitions/state"]])
        ax.plot(d["transitions/time"][sel] / 60000, d["transitions/trace"][sel], "o", ms=3, color=f"C{s_index}",
                label=state)
    ax.set(xlabel="time (min)", ylabel="trace", title=f"{name}: state transitions")
    ax.legend(fontsize=7, loc="lower right")
fig.tight_layout()
plt.show()

fig, ax = plt.subplots(figsize=(7, 3.6))
for name, colour in (("single", "C1"), ("chain", "C0")):
    d = data[name]
    age = d["recall/age"] / 1000
    ax.plot(age, d["recall/score"], ".", ms=2, color=colour, alpha=0.5)
    edges = np.array([0, 60, 300, 900, 1800, 3600])
    idx = np.digitize(age, edges) - 1
    means = [d["recall/score"][idx == b].mean() for b in range(len(edges) - 1)]
    ax.step(edges, [means[0]] + means, where="pre", color=colour, lw=2, label=f"{name}: mean per age bin")
    print(name, "recall score by age bin (0-1, 1-5, 5-15, 15-30, 30-60 min):", np.round(means, 3))
ax.axhline(0, color="grey", lw=0.6)
ax.set(xlabel="age of the trace (s)", ylabel="score = completion − spurious", title="recall from partial cues")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()
single_young = data["single"]["recall/score"][data["single"]["recall/age"] < 60000].mean()
assert single_young > 0.25
