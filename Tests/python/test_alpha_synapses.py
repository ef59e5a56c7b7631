"""Alpha-shaped synapses (`synapse_shape: alpha` of `lif_cuba` and `lif_coba`) through the real CLI,
on experiments/alpha_synapses.yaml: an excitatory and an inhibitory spike train onto non-spiking
cells (lif_cuba with tau_syn < tau_m and tau_syn = tau_m, lif_coba) and one spiking cell of each
model. Checked against things outside NDML:

* lif_cuba: v(t) against the closed form of the alpha PSP (superposed over the input spikes) and
  against NEST 3's `iaf_psc_alpha` (weights converted mV -> pA by C_m/tau_m); s_e, s_i against
  NEST's I_syn_ex, I_syn_in times R; both are exact integrators, so they agree to the float32 in
  which NDML stores samples;
* the peak of s_e after one spike is the weight, one time constant after arrival (closed form),
  also for tau_syn = tau_m;
* lif_coba: g_e, g_i against the closed-form alpha conductance and NEST's `iaf_cond_alpha`; v
  against NEST, whose adaptive RKF45 is much more accurate than NDML's exponential Euler (first
  order in dt, conductances frozen over a step), so the tolerance comes from that method's own
  dt-convergence: the error against NEST must shrink like dt (halving dt about halves it);
* spiking cells: spike times equal to NEST's within one step;
* 1 vs 2 threads bit-identical, a killed and resumed run equal to the uninterrupted one, and bad
  input (unknown shape, alpha with tau_syn 0, synapse_shape on alif, Loihi export of alpha).
"""

from __future__ import annotations

import math
import random
import subprocess

import h5py
import numpy as np
import pytest
import yaml
from nest_support import SPIKE_GENERATOR_SCRIPT, nest_on_grid, report, run_nest_script, spikes

CONFIG = "experiments/alpha_synapses.yaml"
E = math.e



def config_of(repo_root):
    return yaml.safe_load((repo_root / CONFIG).read_text())


def nest_setup(cfg):
    """The NEST network of the config: iaf_psc_alpha / iaf_cond_alpha with the same parameters."""
    pops = cfg["populations"]
    nest_pops = {}
    for name, pop in pops.items():
        if pop["model"] == "spike_source":
            continue
        p = pop["params"]
        assert p["synapse_shape"] == "alpha"
        weights = {}
        for proj in cfg["projections"].values():
            if proj["target"] != name:
                continue
            if pop["model"] == "lif_cuba":
                # s = R·I with R = tau_m/C_m (GΩ): I (pA) = s (mV)·C_m/tau_m.
                weights[proj["source"]] = proj["weight_mV"] * p["c_m_pF"] / p["tau_m_ms"]
            else:  # NEST: the sign of the weight picks the receptor (inhibitory: negative)
                weights[proj["source"]] = proj["weight_nS"] * (-1 if proj.get("receptor") == "inhibitory" else 1)
        common = {"C_m": p["c_m_pF"], "E_L": p["v_rest_mV"], "V_reset": p["v_reset_mV"], "V_th": p["v_thresh_mV"],
                  "t_ref": p["tau_ref_ms"], "I_e": p.get("i_bias_pA", 0.0), "V_m": p["v_rest_mV"],
                  "tau_syn_ex": p["tau_syn_e_ms"], "tau_syn_in": p["tau_syn_i_ms"]}
        if pop["model"] == "lif_cuba":
            nest_pops[name] = {"model": "iaf_psc_alpha", "params": {**common, "tau_m": p["tau_m_ms"]},
                               "weights": weights, "record": ["V_m", "I_syn_ex", "I_syn_in"]}
        else:
            nest_pops[name] = {"model": "iaf_cond_alpha",
                               "params": {**common, "g_L": p["g_leak_nS"], "E_ex": p["e_rev_e_mV"],
                                          "E_in": p["e_rev_i_mV"]},
                               "weights": weights, "record": ["V_m", "g_ex", "g_in"]}
    delays = {proj["delay_ms"] for proj in cfg["projections"].values()}
    assert len(delays) == 1
    return {"dt_ms": cfg["simulation"]["dt_ms"], "duration_ms": cfg["simulation"]["duration_ms"],
            "delay_ms": delays.pop(),
            "inputs": {n: [float(t) for t in p["params"]["spike_times_ms"][0]] for n, p in pops.items()
                       if p["model"] == "spike_source"},
            "populations": nest_pops}


def run_nest(cfg):
    return run_nest_script(SPIKE_GENERATOR_SCRIPT, nest_setup(cfg))


@pytest.fixture(scope="module")
def alpha_run(run_ndml, repo_root, tmp_path_factory):
    """NDML at the config's dt (0.1 ms) and at 0.05 ms (for the coba convergence), and NEST."""
    cfg = config_of(repo_root)
    folder = tmp_path_factory.mktemp("alpha")
    out, fine = folder / "alpha.h5", folder / "alpha_fine.h5"
    run_ndml("run", CONFIG, "-q", "-o", out)
    run_ndml("run", CONFIG, "-q", "-o", fine, "--set", "simulation.dt_ms=0.05")
    return cfg, out, fine, run_nest(cfg)





def alpha_kernel(d, tau):
    """w = 1: (d/τ)·e^(1−d/τ) for d ≥ 0, else 0."""
    d = np.maximum(d, 0.0)
    return d / tau * np.exp(1 - d / tau)


def alpha_psp(d, tau, tau_m):
    """v − E_L after a unit alpha synapse (s peak 1 mV) at d = 0, τ_m dv/dt = −v + s:
    (e/τ)·(e^(−d/τ_m)/τ_m)·∫₀^d u e^(uδ) du, δ = 1/τ_m − 1/τ (the limit d²/2 for τ = τ_m)."""
    d = np.maximum(d, 0.0)
    delta = 1 / tau_m - 1 / tau
    if delta == 0:
        integral = d * d / 2
    else:
        x = d * delta
        integral = (x * np.exp(x) - np.expm1(x)) / delta**2
    return E / tau * np.exp(-d / tau_m) / tau_m * integral


def arrivals(cfg, source, delay):
    return np.asarray(cfg["populations"][source]["params"]["spike_times_ms"][0], dtype=float) + delay


def test_lif_cuba_matches_the_closed_form_and_nest(alpha_run, validation):
    cfg, out, _, nest = alpha_run
    dt = cfg["simulation"]["dt_ms"]
    for name in ("cuba", "cuba_equal"):
        p = cfg["populations"][name]["params"]
        v = report(out, name, "v")
        t = np.arange(v.size) * dt
        w = {pr["source"]: pr["weight_mV"] for pr in cfg["projections"].values() if pr["target"] == name}
        closed_v = np.full(v.size, float(p["v_rest_mV"]))
        closed_s = {"s_e": np.zeros(v.size), "s_i": np.zeros(v.size)}
        for source, key, tau in (("exc_in", "s_e", p["tau_syn_e_ms"]), ("inh_in", "s_i", p["tau_syn_i_ms"])):
            for a in arrivals(cfg, source, 1.0):
                closed_v += w[source] * alpha_psp(t - a, tau, p["tau_m_ms"])
                closed_s[key] += w[source] * alpha_kernel(t - a, tau)
        # Samples are float32: 1e-5 mV is ~2 ulp at 65 mV.
        err_closed = np.max(np.abs(v - closed_v))
        assert err_closed < 2e-5, (name, err_closed)
        for key in ("s_e", "s_i"):
            np.testing.assert_allclose(report(out, name, key), closed_s[key], atol=2e-6, err_msg=f"{name} {key}")
        nv = nest_on_grid(nest[name], "V_m", v.size, dt)
        err_nest = np.nanmax(np.abs(v - nv))
        assert np.count_nonzero(~np.isnan(nv)) >= v.size - 11  # NEST stops sampling at 249 ms
        assert err_nest < 2e-5, (name, err_nest)
        r_gohm = p["tau_m_ms"] / p["c_m_pF"]
        for key, nest_key in (("s_e", "I_syn_ex"), ("s_i", "I_syn_in")):
            ns = r_gohm * nest_on_grid(nest[name], nest_key, v.size, dt)
            assert np.nanmax(np.abs(report(out, name, key) - ns)) < 2e-6, (name, key)
        print(f"{name}: max |v - closed form| = {err_closed:.2e} mV, max |v - NEST iaf_psc_alpha| = {err_nest:.2e} mV")
        validation.record("alpha_synapses.yaml", f"{name}: max |v − NEST| (mV)", "NEST 3 iaf_psc_alpha, same inputs",
                          0.0, float(err_nest), "2e-5 mV (float32 v)", err_nest < 2e-5)


def test_peak_of_s_e_is_the_weight_one_time_constant_after_arrival(alpha_run):
    cfg, out, _, _ = alpha_run
    dt = cfg["simulation"]["dt_ms"]
    for name in ("cuba", "cuba_equal"):
        tau = cfg["populations"][name]["params"]["tau_syn_e_ms"]
        w = cfg["projections"]["e_cuba" if name == "cuba" else "e_equal"]["weight_mV"]
        s = report(out, name, "s_e")
        first, second = arrivals(cfg, "exc_in", 1.0)[:2]
        window = slice(int(round(first / dt)), int(round(second / dt)))  # only the first spike acts here
        k = int(np.argmax(s[window])) + window.start
        assert abs(k * dt - (first + tau)) < 1e-9, (name, k * dt, first + tau)
        assert abs(s[k] - w) < 2e-6, (name, s[k], w)


def test_lif_coba_matches_the_closed_form_and_nest(alpha_run, validation):
    cfg, out, fine, nest = alpha_run
    dt = cfg["simulation"]["dt_ms"]
    p = cfg["populations"]["coba"]["params"]
    g_e, g_i = report(out, "coba", "g_e"), report(out, "coba", "g_i")
    t = np.arange(g_e.size) * dt
    closed = {"g_e": sum(cfg["projections"]["e_coba"]["weight_nS"] * alpha_kernel(t - a, p["tau_syn_e_ms"])
                         for a in arrivals(cfg, "exc_in", 1.0)),
              "g_i": sum(cfg["projections"]["i_coba"]["weight_nS"] * alpha_kernel(t - a, p["tau_syn_i_ms"])
                         for a in arrivals(cfg, "inh_in", 1.0))}
    np.testing.assert_allclose(g_e, closed["g_e"], atol=5e-6)
    np.testing.assert_allclose(g_i, closed["g_i"], atol=5e-6)
    # NEST integrates g with its RKF45 too (adaptive, on the whole state), so g agrees to that
    # solver's accuracy, not to the last bit.
    for key, nest_key in (("g_e", "g_ex"), ("g_i", "g_in")):
        ng = nest_on_grid(nest["coba"], nest_key, g_e.size, dt)
        gerr = np.nanmax(np.abs(closed[key] - ng))
        print(f"coba: max |{key} - closed form| = {np.max(np.abs(report(out, 'coba', key) - closed[key])):.1e} nS, "
              f"max |closed form - NEST {nest_key}| = {gerr:.1e} nS")
        assert gerr < 1e-6, (key, gerr)
    nv = nest_on_grid(nest["coba"], "V_m", g_e.size, dt)
    err = np.nanmax(np.abs(report(out, "coba", "v") - nv))
    v_fine = report(fine, "coba", "v")  # dt 0.05 ms, still sampled every 0.1 ms
    err_fine = np.nanmax(np.abs(v_fine - nv))
    excursion = np.nanmax(np.abs(nv - p["v_rest_mV"]))
    print(f"coba: max |v - NEST iaf_cond_alpha| = {err:.4f} mV at dt 0.1 ms, {err_fine:.4f} mV at dt 0.05 ms "
          f"(excursion {excursion:.2f} mV)")
    # First order: halving dt roughly halves the error (measured 0.084 -> 0.041 mV); and it is
    # under 1 % of the PSP excursion (measured 0.6 %), so a wrong conductance time course, whose
    # error would not shrink with dt, fails.
    assert 0.4 < err_fine / err < 0.6, (err, err_fine)
    assert err < 0.01 * excursion, (err, excursion)
    validation.record("alpha_synapses.yaml", "coba: max |v − NEST| (mV), dt 0.1 / 0.05 ms",
                      "NEST 3 iaf_cond_alpha (RKF45)", 0.0, [float(err), float(err_fine)],
                      "first order in dt; < 1 % of the excursion", True)


def test_spike_times_match_nest_within_one_step(alpha_run, validation):
    cfg, out, _, nest = alpha_run
    dt = cfg["simulation"]["dt_ms"]
    for name in ("cuba_spiking", "coba_spiking"):
        ours, theirs = spikes(out, name), np.asarray(nest[name]["spikes"])
        assert ours.size >= 5, (name, ours)
        assert ours.size == theirs.size, (name, ours, theirs)
        worst = float(np.max(np.abs(ours - theirs)))
        assert worst <= dt + 1e-9, (name, ours, theirs)
        print(f"{name}: {ours.size} spikes, max |t - t_NEST| = {worst:.3f} ms")
        validation.record("alpha_synapses.yaml", f"{name}: spike count / max |Δt| (ms)", "NEST 3, same inputs",
                          int(theirs.size), [int(ours.size), worst], "same count, ≤ dt", True)


NETWORK = """\
simulation: {dt_ms: 0.1, duration_ms: 2000, seed: 4}
populations:
  drive: {size: 400, model: poisson, params: {rate_Hz: 15}}
  cuba: {size: 300, model: lif_cuba, params: {synapse_shape: alpha, tau_syn_e_ms: 2, tau_syn_i_ms: 4}}
  coba: {size: 200, model: lif_coba, params: {synapse_shape: alpha, tau_syn_e_ms: 1.5}}
projections:
  p:
    source: drive
    target: cuba
    connectivity: {fixed_probability: 0.2}
    weight_mV: 6
    delay_ms: 1
  q:
    source: cuba
    target: coba
    connectivity: {fixed_probability: 0.2}
    weight_nS: 4
    delay_ms: {uniform: [1, 3]}
  r:
    source: coba
    target: cuba
    connectivity: {fixed_probability: 0.1}
    weight_mV: -2
    receptor: inhibitory
    delay_ms: 1
record: {spikes: [cuba, coba]}
"""


def test_threads_give_the_same_results(run_ndml, tmp_path):
    config = tmp_path / "net.yaml"
    config.write_text(NETWORK)
    files = []
    for threads in (1, 2):
        out = tmp_path / f"t{threads}.h5"
        run_ndml("run", config, "-q", "-o", out, "--threads", threads)
        files.append(out)
    with h5py.File(files[0], "r") as a, h5py.File(files[1], "r") as b:
        assert a["ndml"].attrs["threads"] == 1 and b["ndml"].attrs["threads"] == 2
        for pop in ("cuba", "coba"):
            for key in ("timestamps", "node_ids"):
                np.testing.assert_array_equal(a[f"spikes/{pop}/{key}"][:], b[f"spikes/{pop}/{key}"][:])
            assert a[f"spikes/{pop}/timestamps"].size > 500, pop


def test_killed_and_resumed_run_equals_the_uninterrupted_run(ndml_bin, repo_root, tmp_path):
    """y and the arrived-but-not-folded weights are in the checkpoint (killed after a checkpoint,
    resumed on another thread count)."""
    from test_checkpoint import assert_same_results, kill_after_checkpoint

    config = tmp_path / "net.yaml"
    config.write_text(NETWORK.replace("duration_ms: 2000", "duration_ms: 40000"))
    reference = tmp_path / "reference.h5"
    subprocess.run([str(ndml_bin), "run", str(config), "-q", "-o", str(reference)], check=True, timeout=600)
    out, checkpoint = tmp_path / "run.h5", tmp_path / "run.h5.ckpt"
    first = [str(ndml_bin), "run", str(config), "-q", "-o", str(out), "--threads", "2", "--checkpoint-every-ms", "7000"]
    assert kill_after_checkpoint(first, repo_root, checkpoint, random.Random(5), None), "killed after a checkpoint"
    done = subprocess.run([str(ndml_bin), "resume", str(checkpoint), "-q", "--threads", "1"], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert_same_results(reference, out)


@pytest.mark.parametrize(
    "old, new, expected",
    [
        ("synapse_shape: alpha, tau_syn_e_ms: 2,", "synapse_shape: gauss, tau_syn_e_ms: 2,",
         "populations.cuba.params.synapse_shape: 'gauss' is not valid; choose one of exponential, alpha"),
        ("synapse_shape: alpha, tau_syn_e_ms: 2,", "synapse_shape: alpha, tau_syn_e_ms: 0,",
         "populations.cuba.params.tau_syn_e_ms: must be > 0 ms with synapse_shape: alpha"),
        ("synapse_shape: alpha, tau_syn_e_ms: 1.5}", "synapse_shape: alpha, tau_syn_e_ms: 1.5, tau_syn_i_ms: 0}",
         "populations.coba.params.tau_syn_i_ms: must be positive"),
        ("model: lif_cuba, params: {synapse_shape: alpha,", "model: alif, params: {synapse_shape: alpha,",
         "populations.cuba.params.synapse_shape: is not supported by alif"),
        ("synapse_shape: alpha, tau_syn_e_ms: 2,", "synapse_shape: 2, tau_syn_e_ms: 2,",
         "populations.cuba.params.synapse_shape: '2' is not valid"),
    ],
)
def test_bad_alpha_input(ndml_bin, tmp_path, old, new, expected):
    assert old in NETWORK
    config = tmp_path / "bad.yaml"
    config.write_text(NETWORK.replace(old, new))
    r = subprocess.run([str(ndml_bin), "validate", str(config)], capture_output=True, text=True, timeout=60)
    out = r.stdout + r.stderr
    assert r.returncode != 0 and expected in out and "bad.yaml" in out, out


def test_loihi_export_refuses_alpha(ndml_bin, repo_root, tmp_path):
    config = tmp_path / "alpha.yaml"
    config.write_text("""\
simulation: {dt_ms: 1, duration_ms: 100}
populations:
  inp: {size: 4, model: poisson, params: {rate_Hz: 50}}
  cells: {size: 4, model: lif_cuba, params: {synapse_shape: alpha, tau_ref_ms: 0}}
projections:
  p: {source: inp, target: cells, connectivity: all_to_all, weight_mV: 3, delay_ms: 1}
record: {spikes: [cells]}
""")
    r = subprocess.run([str(ndml_bin), "export", "--format", "lava", str(config), "-o", str(tmp_path / "bundle")],
                       capture_output=True, text=True, timeout=120)
    out = r.stdout + r.stderr
    assert r.returncode != 0 and "populations.cells.params.synapse_shape" in out and "alpha" in out, out
    assert not (tmp_path / "bundle" / "network.h5").exists()
    # The same network with exponential synapses exports.
    config.write_text(config.read_text().replace("synapse_shape: alpha, ", ""))
    r = subprocess.run([str(ndml_bin), "export", "--format", "lava", str(config), "-o", str(tmp_path / "bundle")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
