"""The shipped experiments against something outside NDML: closed forms and mean-field theory.

* single_neuron_fi.yaml: each neuron's rate equals the analytic f-I curve of the LIF neuron on the
  dt grid (every interspike interval is t_ref plus the free first-passage time rounded up to whole
  steps), exactly.
* brunel2000_ai.yaml: the AI state of Brunel (2000) model A (g = 5, eta = 2, the paper's Fig. 8C):
  the rate agrees with the self-consistent mean-field (Siegert) rate of the paper's eqs. (4)-(6)
  within 10 %, and firing is asynchronous (Golomb's synchrony measure chi small). Its irregularity
  is compared with NEST on the identical network in test_nest_agreement.py: at this point both
  simulators give a mean CV of ISI of about 0.4 (weak ~130 Hz population oscillation), not 1.
* Determinism: two runs of one config give bit-identical datasets.
"""

from __future__ import annotations

import math

import h5py
import numpy as np
import yaml

import spikestats


def read_spikes(path, population):
    with h5py.File(path, "r") as f:
        return f[f"spikes/{population}/timestamps"][:], f[f"spikes/{population}/node_ids"][:].astype(np.int64)


def test_fi_curve_matches_closed_form(run_ndml, repo_root, tmp_path, validation):
    out = tmp_path / "fi.h5"
    run_ndml("run", "experiments/single_neuron_fi.yaml", "-o", out)
    cfg = yaml.safe_load((repo_root / "experiments/single_neuron_fi.yaml").read_text())
    p = cfg["populations"]["neurons"]["params"]
    currents = cfg["inputs"]["ramp"]["amplitude_pA"]
    dt, duration = cfg["simulation"]["dt_ms"], cfg["simulation"]["duration_ms"]
    r_mohm = 1000 * p["tau_m_ms"] / p["c_m_pF"]
    gap = p["v_thresh_mV"] - p["v_rest_mV"]
    times, ids = read_spikes(out, "neurons")
    counts = np.bincount(ids, minlength=len(currents))
    for k, i_pa in enumerate(currents):
        ri = r_mohm * i_pa / 1000
        if ri <= gap:
            assert counts[k] == 0, f"{i_pa} pA is subthreshold but neuron {k} fired {counts[k]} times"
            continue
        first = -p["tau_m_ms"] * math.log(1 - gap / ri)
        free = p["tau_m_ms"] * math.log((p["v_rest_mV"] + ri - p["v_reset_mV"]) / (ri - gap))
        t = math.ceil(first / dt - 1e-9) * dt
        isi = round(p["tau_ref_ms"] / dt) * dt + math.ceil(free / dt - 1e-9) * dt
        expected = 0
        while t <= duration + 1e-9:
            expected += 1
            t += isi
        validation.record("single_neuron_fi.yaml", f"spikes at {i_pa} pA", "closed-form first passage on the dt grid",
                          expected, int(counts[k]), "exact", counts[k] == expected)
        assert counts[k] == expected, f"neuron {k} ({i_pa} pA): {counts[k]} spikes, closed form {expected}"
        # and the analytic continuous-time rate is within one grid step per interval of it
        f_exact = 1000 / (p["tau_ref_ms"] + free)
        assert abs(counts[k] / (duration / 1000) - f_exact) / f_exact < dt / isi + 2 / counts[k]


def siegert_rate_hz(tau_ms, theta, v_reset, t_ref_ms, j, c_e, g, gamma, nu_ext_hz):
    """Self-consistent stationary rate of Brunel (2000) model A (eqs. 4-6), pure Python."""
    tau, t_ref = tau_ms / 1000, t_ref_ms / 1000

    def integral(a, b, n=2000):  # Simpson's rule of e^{u^2} (1 + erf u)
        h = (b - a) / n
        f = lambda u: math.exp(u * u) * (1 + math.erf(u))
        s = f(a) + f(b) + sum((4 if i % 2 else 2) * f(a + i * h) for i in range(1, n))
        return s * h / 3

    def rate(nu):
        mu = c_e * j * tau * (nu_ext_hz + nu * (1 - gamma * g))
        sigma = math.sqrt(j * j * c_e * tau * (nu_ext_hz + nu * (1 + gamma * g * g)))
        return 1 / (t_ref + tau * math.sqrt(math.pi) * integral((v_reset - mu) / sigma, (theta - mu) / sigma))

    lo, hi = 0.1, 400.0
    for _ in range(100):  # bisection on rate(nu) - nu
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if rate(mid) > mid else (lo, mid)
    return (lo + hi) / 2


def test_brunel_ai_state(run_ndml, repo_root, tmp_path, validation):
    out = tmp_path / "brunel.h5"
    run_ndml("run", "experiments/brunel2000_ai.yaml", "-o", out, timeout=900)
    cfg = yaml.safe_load((repo_root / "experiments/brunel2000_ai.yaml").read_text())
    p = cfg["populations"]["exc"]["params"]
    j = cfg["projections"]["ee"]["weight_mV"]
    c_e = cfg["projections"]["ee"]["connectivity"]["fixed_in_degree"]
    c_i = cfg["projections"]["ie"]["connectivity"]["fixed_in_degree"]
    g = -cfg["projections"]["ie"]["weight_mV"] / j
    nu_ext = cfg["populations"]["ext_exc"]["params"]["rate_Hz"] / c_e
    theory = siegert_rate_hz(p["tau_m_ms"], p["v_thresh_mV"] - p["v_rest_mV"], p["v_reset_mV"] - p["v_rest_mV"],
                             p["tau_ref_ms"], j, c_e, g, c_i / c_e, nu_ext)
    duration = cfg["simulation"]["duration_ms"]
    transient = 200.0
    times, ids = read_spikes(out, "exc")
    n = cfg["populations"]["exc"]["size"]
    stats = spikestats.population_stats(times, ids, n, t_start_ms=transient, t_stop_ms=duration)
    validation.record("brunel2000_ai.yaml", "exc rate (Hz)", "mean-field (Siegert) rate, Brunel 2000",
                      theory, stats["rate_hz"], "±10 %", abs(stats["rate_hz"] - theory) / theory < 0.10)
    assert abs(stats["rate_hz"] - theory) / theory < 0.10, f"rate {stats['rate_hz']:.2f} Hz vs mean field {theory:.2f} Hz"
    assert stats["cv_isi_mean"] > 0.3, f"mean CV of ISI {stats['cv_isi_mean']:.3f}: firing is regular"
    # Golomb's chi on spike counts in 5 ms bins over 1000 neurons: ~0 asynchronous, ~1 synchronous.
    chi = spikestats.synchrony_chi(times, ids, n_neurons_sampled=1000, bin_ms=5.0,
                                   t_start_ms=transient, t_stop_ms=duration)
    assert chi < 0.2, f"synchrony chi = {chi:.3f}: not asynchronous"


def test_same_config_and_seed_give_bit_identical_files(run_ndml, tmp_path):
    paths = [tmp_path / "a.h5", tmp_path / "b.h5"]
    for p in paths:
        run_ndml("run", "experiments/coba.yaml", "-o", p, "--set", "simulation.duration_ms=300")

    def datasets(path):
        out = {}
        with h5py.File(path, "r") as f:
            f.visititems(lambda name, obj: out.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
        return out

    a, b = (datasets(p) for p in paths)
    assert a.keys() == b.keys() and len(a) > 5
    for name in a:
        assert np.array_equal(np.asarray(a[name]), np.asarray(b[name])), f"{name} differs between runs"
