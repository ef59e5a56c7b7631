"""Synaptic tagging and capture, rule `stc` (Luboeinski & Tetzlaff 2021), through the real CLI.

experiments/tagging_capture.yaml runs the authors' single-synapse protocols side by side for 8 h
(stimulation from 1 h on): STET on cells 0–3, WTET on cells 4–7, STET on one synapse and WTET 30 min
later on a second synapse of cells 8–11. Checked here from the results file:
* STET: late phase z high, h back near h0, w(8 h)/w0 well above 1 (late LTP);
* WTET alone: tagged but no protein, w(8 h) ≈ w0;
* weak + strong on the same cell: the weak synapse captures (late LTP on the weak pathway);
* alpha = 0 (protein synthesis blocked): tags still set, no synapse consolidates;
* the 500 ms slow clock against a clock of one step (0.2 ms) on a 1 h protocol: ≤ 1e-3 relative
  in h, p, z; the speed-up is reported;
* a numpy re-implementation with a plain Euler step reproduces w(t) of one STET synapse;
* bad input is refused naming the key.
"""

from __future__ import annotations

import subprocess
import time

import h5py
import numpy as np
import pytest

H0 = 4.20075
EXPERIMENT = "experiments/tagging_capture.yaml"
STET, WTET, STRONG, WEAK = range(0, 4), range(4, 8), range(8, 12), range(12, 16)  # synapse (= input) ids


def load(path):
    with h5py.File(path, "r") as f:
        g = f["weights/syn"]
        out = {"t": g["time"][:], "w": g["weights"][:], "src": g["source_ids"][:].astype(int),
               "dst": g["target_ids"][:].astype(int)}
        for name in ("protein", "early", "late", "tagged"):
            out[name] = f[f"traces/syn/{name}/data"][:].astype(float)
        out["post"] = f["spikes/cells/timestamps"][:], f["spikes/cells/node_ids"][:].astype(int)
    order = np.argsort(out["src"])  # columns by synapse = input id
    out["w"] = out["w"][:, order]
    return out


@pytest.fixture(scope="module")
def runs(run_ndml, tmp_path_factory):
    d = tmp_path_factory.mktemp("stc")
    start = time.time()
    run_ndml("run", EXPERIMENT, "-o", d / "stc.h5", timeout=1200)
    wall = time.time() - start
    run_ndml("run", EXPERIMENT, "-o", d / "blocked.h5", "--set", "projections.syn.plasticity.alpha=0", timeout=1200)
    return load(d / "stc.h5"), load(d / "blocked.h5"), wall


def at_hours(r, hours):
    return int(np.argmin(np.abs(r["t"] - hours * 3_600_000)))


def test_strong_tetanus_gives_late_ltp(runs, validation):
    r, _, wall = runs
    end = -1
    ratio = r["w"][end, list(STET)] / H0
    z = r["late"][end, list(STET)]
    h = r["early"][end, list(STET)]
    z2h = r["late"][at_hours(r, 3.0), list(STET)]  # 2 h after the first train
    print(f"STET: w(8h)/w0 = {ratio}, z(8h) = {z}, z(3h) = {z2h}, h(8h) = {h}; wall {wall:.1f} s")
    # The SCIENCE.md targets (≈ 2, z → ≈ 1), recorded as they are; these equations and parameters
    # give less (docs/validation.md explains why), so the assertions below check the late LTP itself.
    validation.record("tagging_capture.yaml", "STET w(8 h)/w0", "SCIENCE.md 4.3 target (derived, L&T 2021)",
                      "≈ 2", float(ratio.mean()), "±10 %", bool(np.all(np.abs(ratio - 2) <= 0.2)))
    validation.record("tagging_capture.yaml", "STET late weight z(8 h)", "SCIENCE.md 4.3 target", "≈ 1",
                      float(z.mean()), "≥ 0.9", bool(z.min() >= 0.9))
    assert np.all(z > 0.6) and np.all(z <= 1)
    assert np.all(ratio > 1.6) and np.all(ratio < 2.2)
    assert np.all(np.abs(h - H0) < 0.05 * H0)  # early phase back near h0
    assert np.all(z2h > 0.2)  # consolidation under way within 2 h of the first train


def test_weak_tetanus_alone_decays(runs, validation):
    r, _, _ = runs
    peak = r["w"][:, list(WTET)].max(axis=0) / H0
    final = r["w"][-1, list(WTET)] / H0
    print(f"WTET: peak w/w0 = {peak}, w(8h)/w0 = {final}")
    validation.record("tagging_capture.yaml", "WTET w(8 h)/w0", "early LTP only", "≈ 1", float(final.mean()),
                      "within 3 %", bool(np.all(np.abs(final - 1) < 0.03)))
    assert np.all(peak > 1.2)  # early LTP happened (and set a tag)
    assert np.all(r["tagged"][at_hours(r, 1.2), list(WTET)] == 1)
    assert np.all(r["protein"][:, list(WTET)] == 0)  # below θ_pro: no protein synthesis
    assert np.all(r["late"][-1, list(WTET)] == 0)
    assert np.all(np.abs(final - 1) < 0.03)


def test_weak_synapse_captures_proteins_of_strong_one(runs, validation):
    r, _, _ = runs
    weak = r["w"][-1, list(WEAK)] / H0
    alone = r["w"][-1, list(WTET)] / H0
    print(f"capture: weak w(8h)/w0 = {weak} (alone {alone}); strong {r['w'][-1, list(STRONG)] / H0}")
    validation.record("tagging_capture.yaml", "weak w(8 h)/w0, 30 min after strong on the same cell",
                      "capture (Frey & Morris 1997)", "> 1 (late LTP)", float(weak.mean()), "> 1.3",
                      bool(weak.min() > 1.3))
    assert np.all(weak > 1.3) and np.all(weak > alone + 0.25)


def test_blocked_protein_synthesis(runs, validation):
    _, b, _ = runs
    final = b["w"][-1] / H0
    print(f"alpha = 0: w(8h)/w0 = {final}")
    validation.record("tagging_capture.yaml", "largest w(8 h)/w0 with alpha = 0", "no late LTP without proteins",
                      "≈ 1", float(final.max()), "within 3 %", bool(np.all(np.abs(final - 1) < 0.03)))
    assert np.all(b["protein"] == 0) and np.all(b["late"] == 0)
    assert np.all(b["tagged"][at_hours(b, 1.55)] == 1)  # every synapse tagged (weak one at 1.5 h)
    assert np.all(np.abs(final - 1) < 0.03)


def test_slow_clock_agrees_with_step_clock(run_ndml, repo_root, tmp_path, validation):
    # The same protocols moved 3590 s earlier, 1 h long, with the 500 ms clock and a 0.2 ms clock.
    rows = np.loadtxt(repo_root / "datasets/tagging_capture_spikes.csv", delimiter=",", skiprows=1)
    spikes = tmp_path / "spikes.csv"
    np.savetxt(spikes, np.c_[rows[:, 0].astype(int), rows[:, 1] - 3_590_000], fmt=["%d", "%.1f"], delimiter=",",
               header="neuron,time_ms", comments="")
    common = ["--set", "simulation.duration_ms=3600000", "--set", f"populations.inputs.params.file={spikes}"]
    results, walls = {}, {}
    for name, clock in (("coarse", []), ("fine", ["--set", "projections.syn.plasticity.clock_ms=0.2"])):
        start = time.time()
        run_ndml("run", EXPERIMENT, "-o", tmp_path / f"{name}.h5", *common, *clock, timeout=1800)
        walls[name] = time.time() - start
        results[name] = load(tmp_path / f"{name}.h5")
    c, f = results["coarse"], results["fine"]
    worst = {}
    for key in ("early", "protein", "late"):
        a, b = c[key][-1], f[key][-1]
        nonzero = np.abs(b) > 1e-6
        assert np.all(np.abs(a[~nonzero]) < 1e-6), key
        worst[key] = float(np.max(np.abs(a[nonzero] - b[nonzero]) / np.abs(b[nonzero]))) if nonzero.any() else 0.0
    speedup = walls["fine"] / walls["coarse"]
    print(f"relative differences {worst}; wall coarse {walls['coarse']:.1f} s, fine {walls['fine']:.1f} s, "
          f"speed-up {speedup:.1f}×")
    assert f["late"][-1, list(STET)].min() > 0.05  # the comparison covers a consolidating synapse
    validation.record("tagging_capture.yaml", "500 ms clock vs 0.2 ms clock, worst relative error in h, p, z (1 h)",
                      "SCIENCE.md 4.6 multi-rate check", "≤ 1e-3", max(worst.values()), "1e-3",
                      max(worst.values()) <= 1e-3)
    validation.record("tagging_capture.yaml", "speed-up of the 500 ms clock over the 0.2 ms clock (1 h run)",
                      "SCIENCE.md 4.6", "> 1", round(speedup, 2), "reported", True)
    assert max(worst.values()) <= 1e-3, worst


def euler_reference(pre_ms, post_ms, t_end_ms, sample_ms):
    """w = h + h0·z of one synapse by a plain Euler scheme: 0.05 ms substeps for c and h inside every
    1 s block with calcium, 1 s steps otherwise; p, z with 1 s Euler steps (tag and drive from h)."""
    tau_c, c_pre, c_post, tau_h = 48.8, 1.0, 0.2758, 688.4e3
    gp, gd, tp, td, hmax = 1645.6, 313.1, 3.0, 1.2, 10.0
    tag_th, pro_th, tau_p, alpha, tau_z, f_int = 0.840149, 2.10037, 3600e3, 10.0, 3600e3, 0.1
    jumps = sorted([(t, c_pre) for t in pre_ms] + [(t, c_post) for t in post_ms])
    c, h, p, z = 0.0, H0, 0.0, 0.0
    block, fine = 1000.0, 0.05
    out, k, samples = [], 0, np.arange(0, t_end_ms + 1, sample_ms)
    s = 0
    for b in range(int(t_end_ms / block)):
        t0 = b * block
        while s < len(samples) and samples[s] <= t0 + 1e-9:
            out.append(h + H0 * z)
            s += 1
        if c > 1e-3 or (k < len(jumps) and jumps[k][0] < t0 + block):
            for m in range(int(block / fine)):
                t = t0 + m * fine
                while k < len(jumps) and jumps[k][0] < t + fine / 2:
                    c += jumps[k][1]
                    k += 1
                dh = 0.1 * (H0 - h) + gp * (hmax - h) * (c >= tp) - gd * h * (c >= td)
                h += fine * dh / tau_h
                c -= fine * c / tau_c
        else:
            h += block * 0.1 * (H0 - h) / tau_h
        tag = 1 if h - H0 >= tag_th else (-1 if H0 - h >= tag_th else 0)
        drive = 1.0 if abs(h - H0) >= pro_th else 0.0
        dz = p * f_int * ((1 - z) * (tag == 1) - (z + 0.5) * (tag == -1)) / tau_z
        p += block * (-p + alpha * drive) / tau_p
        z += block * dz
    while s < len(samples):
        out.append(h + H0 * z)
        s += 1
    return np.array(out)


def test_numpy_euler_reference(runs, repo_root, validation):
    r, _, _ = runs
    rows = np.loadtxt(repo_root / "datasets/tagging_capture_spikes.csv", delimiter=",", skiprows=1)
    pre = rows[rows[:, 0] == 0, 1] + 0.2 + 18.8  # arrival after the 0.2 ms delay, then D
    times, ids = r["post"]
    post = times[ids == 0]
    ref = euler_reference(pre, post, 28_800_000, 60_000)
    got = r["w"][:, 0]
    n = min(len(ref), len(got))
    err = np.max(np.abs(got[:n] - ref[:n]) / ref[:n])
    print(f"Euler reference vs NDML, cell 0: worst relative difference {err:.2e} over {n} samples; "
          f"{len(post)} post spikes")
    validation.record("tagging_capture.yaml", "STET w(t) vs numpy Euler reference, worst relative difference",
                      "independent re-implementation", "≤ 1e-3", float(err), "1e-3", bool(err <= 1e-3))
    assert n >= 480 and err <= 1e-3


@pytest.mark.parametrize("edit, key", [
    (("rule: stc}", "rule: stc, clock_ms: 0.3}"), "projections.syn.plasticity.clock_ms"),
    (("rule: stc}", "rule: stc, theta_p: 1.0}"), "projections.syn.plasticity.theta_p"),
    (("rule: stc}", "rule: stc, tau_h_s: -1}"), "projections.syn.plasticity.tau_h_s"),
    (("receptor: excitatory", "receptor: inhibitory"), "projections.syn.plasticity: stc is supported on excitatory"),
    (("model: lif_cuba\n    params: {tau_m_ms: 10, tau_syn_e_ms: 5,", "model: lif_coba\n    params: {"),
     "stc needs a lif_cuba or alif target"),
])
def test_bad_input_is_refused(ndml_bin, repo_root, tmp_path, edit, key):
    text = (repo_root / EXPERIMENT).read_text()
    assert edit[0] in text
    text = text.replace(*edit)
    text = text.replace("datasets/", f"{repo_root}/datasets/")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    proc = subprocess.run([str(ndml_bin), "validate", str(bad)], capture_output=True, text=True)
    assert proc.returncode != 0
    assert key in proc.stderr, proc.stderr
