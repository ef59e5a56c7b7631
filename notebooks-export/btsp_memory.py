# %% [markdown]
# # Behavioral-timescale plasticity: a place field in one lap, and memory recall
#
# Reads `results/btsp_place_field.h5` (`ndml run experiments/btsp_place_field.yaml`) and
# `results/btsp_cam.h5` (`experiments/btsp_cam.yaml`) with h5py only.
#
# 1. Milstein et al. (2021): one 300 ms plateau at 120 cm potentiates the inputs active seconds
#    around it; the resulting ramp peaks *before* the plateau position. The recorded eligibility
#    and instructive traces (`/traces/btsp`) show the seconds-long signals whose product drives it.
# 2. Wu & Maass (2025): 10 000 items stored one-shot with binary synapses; each tested item is
#    presented whole and as a cue with a third of its inputs missing; recall quality is how little
#    the CA1 response to the cue differs from the response to the whole item.

# %%
import os

import h5py
import matplotlib.pyplot as plt
import numpy as np
import yaml

RESULTS = os.environ.get("NDML_RESULTS_DIR", "results")
with h5py.File(os.path.join(RESULTS, "btsp_place_field.h5"), "r") as f:
    w = f["weights/btsp/weights"][-1]
    w0 = f["weights/btsp/weights"][0]
    eligibility = f["traces/btsp/eligibility/data"][:]
    eligibility_ids = f["traces/btsp/eligibility/mapping/node_ids"][:]
    instructive = f["traces/btsp/instructive/data"][:, 0]
    trace_dt = f["traces/btsp/instructive/mapping/time"][2]
    plateau_ms = f["plateaus/btsp/timestamps"][:]
    raw = f["ndml/config"][()]
    config = yaml.safe_load(raw.decode() if isinstance(raw, bytes) else raw)
track = config["populations"]["inputs"]["params"]
L, sd, n = track["track_length_cm"], track["field_sd_cm"], config["populations"]["inputs"]["size"]
speed = track["speed_cm_per_s"]
plateau_cm = (plateau_ms[0] / 1000 * speed) % L

# The ramp: 2.956e-3 mV/Hz x sum_i (W_i/W_0 - 1) r_i(x) (the authors' definition).
x = (np.arange(100) + 0.5) * L / 100
centres = (np.arange(n) + 0.5) * L / n
rates = sum(40 * np.exp(-((x[None, :] - centres[:, None] + m * L) ** 2) / (2 * sd**2)) for m in (-1, 0, 1))
ramp = 2.956e-3 * ((w / w0 - 1)[:, None] * np.minimum(rates, 40)).sum(axis=0)

fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
axes[0].plot(centres, w / w0, ".", color="C0")
axes[0].axvline(plateau_cm, color="C1", ls="--", label="plateau")
axes[0].set(xlabel="input field centre (cm)", ylabel="W / W(0)", title="weights after one lap")
axes[0].legend(fontsize=8)
axes[1].plot(x, ramp, color="C0")
axes[1].axvline(plateau_cm, color="C1", ls="--")
axes[1].set(xlabel="position (cm)", ylabel="ramp (mV)", title=f"place field: peak at {x[np.argmax(ramp)]:.0f} cm")
t_s = np.arange(len(instructive)) * trace_dt / 1000
axes[2].plot(t_s, instructive, color="C1", label="instructive signal (CA1)")
for k, nid in enumerate(eligibility_ids):
    axes[2].plot(t_s, eligibility[:, k], lw=0.8, color=f"C{k + 2}", label=f"eligibility, input {nid}")
axes[2].set(xlabel="time (s)", ylabel="trace", title="seconds-long signals")
axes[2].legend(fontsize=7)
fig.tight_layout()
plt.show()
shift = x[np.argmax(ramp)] - plateau_cm
print(f"ramp peak {ramp.max():.2f} mV at {shift:+.1f} cm from the plateau")
assert shift < 0, "the field is shifted toward positions before the plateau"

# %%
with h5py.File(os.path.join(RESULTS, "btsp_cam.h5"), "r") as f:
    t, ids = f["spikes/ca1/timestamps"][:], f["spikes/ca1/node_ids"][:]
    raw = f["ndml/config"][()]
    cam = yaml.safe_load(raw.decode() if isinstance(raw, bytes) else raw)
params = cam["populations"]["ca3"]["params"]
store_end = params["patterns"] * params["period_ms"]
period = params["period_ms"]
differing, responding, sizes = 0, 0, []
for k in range(params["recall_patterns"]):
    tk = store_end + 2 * k * period
    whole = set(ids[(t >= tk) & (t < tk + period)])
    cue = set(ids[(t >= tk + period) & (t < tk + 2 * period)])
    differing += len(whole ^ cue)
    responding += len(whole)
    sizes.append(len(whole))
ratio = differing / responding
print(f"{params['patterns']} items stored; response to a whole item: {np.mean(sizes):.1f} CA1 cells on average; "
      f"HD ratio (cue vs item) {ratio:.4f} -> recall quality {1 - ratio:.3f}")
assert ratio < 0.05
