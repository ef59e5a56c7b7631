"""The PyNN backend (python/pynn_ndml) beyond PyNN's own scenarios (Tests/pynn/run_scenarios.py).

* Repeated run() calls with changes in between equal one NDML run of a hand-written config with
  the same schedule (the backend replays every segment from t = 0).
* reset() replays the segment bit for bit; the same script and seed give the same spikes.
* PyNN versions of the native experiments (python/examples/cuba.py, song2000.py) give the rates
  and weight distributions of experiments/cuba.yaml and experiments/stdp_song2000.yaml.
* A PyNN script written out with write_config() exports to Lava and runs there with NDML's spikes.
* Unsupported models and parameters raise PyNN's own exceptions, naming the model or parameter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import h5py
import numpy as np
import pytest
import yaml

from conftest import REPO_ROOT


@pytest.fixture()
def sim(ndml_bin, monkeypatch):
    monkeypatch.setenv("NDML_BIN", str(ndml_bin))
    import pynn_ndml

    yield pynn_ndml
    pynn_ndml.end()


def _run_example(ndml_bin, name, *args):
    env = dict(os.environ, NDML_BIN=str(ndml_bin))
    proc = subprocess.run([sys.executable, str(REPO_ROOT / "python" / "examples" / name), "ndml", *args],
                          capture_output=True, text=True, env=env, cwd=REPO_ROOT, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_repeated_runs_equal_one_run_with_the_schedule(sim, run_ndml, tmp_path):
    """Three run() calls changing a DC amplitude and a spike source's times in between; the same
    schedule written by hand as one NDML config gives the same v, sample for sample."""
    sim.setup(timestep=0.1, min_delay=0.1)
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0, 30.0, 70.0]), label="src")
    cells = sim.Population(2, sim.IF_curr_exp(tau_m=10.0, cm=0.5, v_thresh=-55.0, tau_refrac=2.0),
                           label="cells")
    sim.Projection(src, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.4, delay=1.0))
    dc = sim.DCSource(amplitude=0.2, start=10.0, stop=1e12)
    dc.inject_into(cells[0:1])
    cells.record(["v", "spikes"])
    sim.run(40.0)
    dc.amplitude = 0.9
    sim.run(40.0)
    src.set(spike_times=[np.array([5.0, 85.0, 95.0])])
    sim.run(40.0)
    v_pynn = np.array(cells.get_data().segments[0].analogsignals[0])
    spikes_pynn = [np.array(st) for st in cells.get_data().segments[0].spiketrains]

    # The same schedule by hand: R = 10 ms / 0.5 nF = 20 MΩ, so 0.4 nA → 8 mV.
    config = {
        "simulation": {"duration_ms": 120.1, "dt_ms": 0.1},
        "populations": {
            "src": {"size": 1, "model": "spike_source", "params": {"spike_times_ms": [[5.0, 30.0, 70.0, 85.0, 95.0]]}},
            "cells": {"size": 2, "model": "lif_cuba",
                      "params": {"tau_m_ms": 10.0, "c_m_pF": 500.0, "v_thresh_mV": -55.0, "v_rest_mV": -65.0,
                                 "v_reset_mV": -65.0, "tau_ref_ms": 2.0, "tau_syn_e_ms": 5.0,
                                 "tau_syn_i_ms": 5.0}},
        },
        "projections": {"p": {"source": "src", "target": "cells", "connectivity": "all_to_all",
                              "weight_mV": 8.0, "delay_ms": 1.0}},
        "inputs": {"dc": {"type": "current", "population": "cells", "neurons": [0],
                          "schedule": [{"start_ms": 10.0, "amplitude_pA": 200.0},
                                       {"start_ms": 40.0, "amplitude_pA": 900.0}]}},
        "record": {"spikes": ["cells"], "state": [{"population": "cells", "variables": ["v"],
                                                   "neurons": [0, 1], "interval_ms": 0.1}]},
    }
    path = tmp_path / "schedule.yaml"
    path.write_text(yaml.safe_dump(config))
    run_ndml("run", path, "-o", tmp_path / "schedule.h5", "-q")
    with h5py.File(tmp_path / "schedule.h5") as f:
        v_native = f["report/cells/v/data"][:1201].astype(float)
        t, ids = f["spikes/cells/timestamps"][:], f["spikes/cells/node_ids"][:]
    assert v_pynn.shape == (1201, 2), "PyNN's convention: duration/interval + 1 samples"
    np.testing.assert_array_equal(v_pynn, v_native)
    for i in range(2):
        np.testing.assert_array_equal(spikes_pynn[i], t[(ids == i) & (t <= 120.0 + 1e-9)])
    assert len(spikes_pynn[0]) > 0 and v_pynn[:, 1].max() > -64.5, "DC drives spikes, inputs PSPs"


def test_parameters_set_between_runs_equal_one_run_with_changes(sim, run_ndml, tmp_path):
    """`cells.set(...)` between run() calls becomes NDML's `changes:`; the data equal one NDML run
    of a hand-written config with the same changes. Changing τ_m/c_m of a current-based population
    with inputs is refused (its nA weights would change meaning in mV)."""
    sim.setup(timestep=0.1)
    cells = sim.Population(2, sim.IF_cond_exp(i_offset=0.5, v_thresh=-50.0), label="cells")
    cells.record("v")
    sim.run(30.0)
    cells.set(tau_m=10.0, v_rest=-70.0)
    cells[1:2].set(v_thresh=-55.0)
    sim.run(30.0)
    v_pynn = np.array(cells.get_data().segments[0].analogsignals[0])

    base = {"c_m_pF": 1000.0, "g_leak_nS": 50.0, "v_rest_mV": -65.0, "v_thresh_mV": -50.0, "v_reset_mV": -65.0,
            "tau_ref_ms": 0.1, "tau_syn_e_ms": 5.0, "tau_syn_i_ms": 5.0, "e_rev_e_mV": 0.0, "e_rev_i_mV": -70.0,
            "i_bias_pA": 500.0}
    config = {"simulation": {"duration_ms": 60.1, "dt_ms": 0.1},
              "populations": {"cells": {"size": 2, "model": "lif_coba", "params": base, "init": {"v_mV": -65.0},
                                        "changes": [{"at_ms": 30.0, "params": {"g_leak_nS": 100.0, "v_rest_mV": -70.0,
                                                                               "v_thresh_mV": [-50.0, -55.0]}}]}},
              "record": {"state": [{"population": "cells", "variables": ["v"], "neurons": [0, 1],
                                    "interval_ms": 0.1}]}}
    path = tmp_path / "changes.json"
    path.write_text(json.dumps(config))
    run_ndml("run", path, "-o", tmp_path / "changes.h5", "-q")
    with h5py.File(tmp_path / "changes.h5") as f:
        v_native = f["report/cells/v/data"][:601].astype(float)
    np.testing.assert_array_equal(v_pynn, v_native)
    assert v_pynn[300, 0] != v_pynn[600, 0]

    sim.setup(timestep=0.1)
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0]))
    cells = sim.Population(1, sim.IF_curr_exp())
    sim.Projection(src, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.5))
    sim.run(10.0)
    cells.set(tau_m=10.0)
    with pytest.raises(NotImplementedError, match="tau_m/cm"):
        sim.run(10.0)


def test_reset_replays_and_seed_determines(sim):
    def segment(seed):
        sim.setup(timestep=0.1, rng_seed=seed)
        noise = sim.Population(20, sim.SpikeSourcePoisson(rate=50.0))
        cells = sim.Population(5, sim.IF_cond_exp())
        sim.Projection(noise, cells, sim.FixedProbabilityConnector(0.5, rng=sim.NumpyRNG(seed=3)),
                       sim.StaticSynapse(weight=0.01))
        cells.record(["spikes", "v"])
        sim.run(200.0)
        sim.reset()
        sim.run(200.0)
        block = cells.get_data()
        return [np.array(s.analogsignals[0]) for s in block.segments], [
            [np.array(st) for st in s.spiketrains] for s in block.segments]

    (v1, s1), (v2, _), (v3, _) = segment(1), segment(1), segment(2)
    np.testing.assert_array_equal(v1[0], v1[1])
    assert all(np.array_equal(a, b) for a, b in zip(s1[0], s1[1]))
    np.testing.assert_array_equal(v1[0], v2[0])
    assert not np.array_equal(v1[0], v3[0]), "another seed draws other Poisson spikes"


def _native_rates(run_ndml, tmp_path, config, seed, duration):
    out = tmp_path / f"native_{seed}.h5"
    run_ndml("run", config, "-o", out, "-q", "--set", f"simulation.seed={seed}",
             "--set", f"simulation.duration_ms={duration}")
    return out


def test_cuba_pynn_script_matches_the_native_experiment(ndml_bin, run_ndml, tmp_path):
    """Same model, different random realisations: the PyNN script's rates lie within the spread of
    the native experiment over seeds (± 3 sd of the seeds plus 5 %)."""
    native = {"exc": [], "inh": []}
    for seed in (42, 43, 44, 45):
        out = _native_rates(run_ndml, tmp_path, "experiments/cuba.yaml", seed, 1000)
        with h5py.File(out) as f:
            native["exc"].append(len(f["spikes/exc/timestamps"]) / 3200)
            native["inh"].append(len(f["spikes/inh/timestamps"]) / 800)
    for seed in (42, 43):
        pynn = _run_example(ndml_bin, "cuba.py", "--duration", "1000", "--seed", str(seed))
        for pop in ("exc", "inh"):
            mean, sd = np.mean(native[pop]), np.std(native[pop], ddof=1)
            assert abs(pynn["rates_Hz"][pop] - mean) < 3 * sd + 0.05 * mean, (pop, pynn, native)


def test_song2000_pynn_script_matches_the_native_experiment(ndml_bin, run_ndml, tmp_path):
    """100 s of Song et al. 2000 through PyNN vs experiments/stdp_song2000.yaml (two seeds each):
    output rate and the bimodal weight distribution (share of weights < 0.1 and > 0.9 w_max)."""
    native, pynn = [], []
    for seed in (1, 2):
        out = _native_rates(run_ndml, tmp_path, "experiments/stdp_song2000.yaml", seed, 100_000)
        with h5py.File(out) as f:
            w = f["weights/plastic/weights"][-1] / 0.15
            native.append([len(f["spikes/neuron/timestamps"]) / 100.0, (w < 0.1).mean(), (w > 0.9).mean()])
        r = _run_example(ndml_bin, "song2000.py", "--duration", "100000", "--seed", str(seed))
        pynn.append([r["rate_Hz"], r["fraction_low"], r["fraction_high"]])
    native, pynn = np.array(native), np.array(pynn)
    spread = np.abs(native[0] - native[1])
    assert np.all(np.abs(pynn.mean(axis=0) - native.mean(axis=0)) < 2 * spread + [2.0, 0.05, 0.02]), (native, pynn)
    assert (pynn[:, 1] > 0.3).all() and (pynn[:, 2] > 0.01).all(), "bimodal: mass at both bounds"


def test_pynn_script_exports_to_lava_and_runs_there(sim, ndml_bin, lava_python, tmp_path):
    """PyNN script → write_config → ndml export --format lava → Lava 0.10 runs it with the spikes of
    NDML's quantised network (run_lava.py exits 1 on any difference)."""
    sim.setup(timestep=1.0, min_delay=1.0)
    src = sim.Population(10, sim.SpikeSourceArray(spike_times=[[5.0, 20.0, 40.0]] * 10), label="input")
    cells = sim.Population(20, sim.IF_curr_exp(tau_m=10.0, tau_syn_E=4.0, tau_syn_I=4.0, v_rest=0.0,
                                               v_reset=0.0, v_thresh=10.0, cm=1.0, tau_refrac=0.0),
                           label="cells")
    sim.Projection(src, cells, sim.FixedProbabilityConnector(0.5, rng=sim.NumpyRNG(seed=1)),
                   sim.StaticSynapse(weight=2.0, delay=1.0), label="feed")
    cells.record("spikes")
    config = sim.write_config(tmp_path / "net.yaml", duration=100.0)
    export = tmp_path / "lava"
    proc = subprocess.run([str(ndml_bin), "export", str(config), "--format", "lava", "-o", str(export)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    run = subprocess.run([lava_python, str(export / "run_lava.py"), "-o", str(tmp_path / "lava.h5")],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    with h5py.File(tmp_path / "lava.h5") as f:
        assert len(f["spikes/cells/timestamps"]) > 0


def test_if_curr_delta_psp_is_a_jump_of_the_weight(sim):
    """IF_curr_delta: PyNN's weight (mV) is a jump of v at arrival (spike at 10 ms, delay 1 ms),
    then v relaxes with τ_m: v(t) = v_rest + w·exp(−(t − 11)/τ_m), inhibitory the same with −w."""
    sim.setup(timestep=0.1)
    src = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0]))
    cells = sim.Population(2, sim.IF_curr_delta(tau_m=15.0, v_rest=-70.0, v_thresh=-40.0), label="cells")
    cells.initialize(v=-70.0)
    sim.Projection(src, cells[0:1], sim.AllToAllConnector(), sim.StaticSynapse(weight=3.0, delay=1.0),
                   receptor_type="excitatory")
    sim.Projection(src, cells[1:2], sim.AllToAllConnector(), sim.StaticSynapse(weight=-2.0, delay=1.0),
                   receptor_type="inhibitory")
    cells.record("v")
    sim.run(60.0)
    v = np.array(cells.get_data().segments[0].analogsignals[0])
    t = np.arange(v.shape[0]) * 0.1
    after = t > 11.0 + 1e-9  # the sample at 11.0 is the left limit (v jumps within the step starting then)
    for column, w in ((0, 3.0), (1, -2.0)):
        expected = np.where(after, -70.0 + w * np.exp(-(t - 11.0) / 15.0), -70.0)
        np.testing.assert_allclose(v[:, column], expected, atol=2e-5)


def test_per_neuron_parameters_give_each_neuron_its_first_spike(sim):
    """Neurons differing in tau_m, cm and v_thresh under one DC current: each first spike at the
    closed-form time T = τ_m ln(I R / (I R − θ)) (v_rest = v_reset = 0, R = τ_m/c_m), within a step."""
    tau_m = np.array([10.0, 15.0, 20.0, 30.0])
    cm = np.array([1.0, 0.5, 2.0, 1.0])
    theta = np.array([10.0, 8.0, 12.0, 9.0])
    amplitude = 1.5  # nA
    sim.setup(timestep=0.01)
    cells = sim.Population(4, sim.IF_curr_exp(tau_m=tau_m, cm=cm, v_thresh=theta, v_rest=0.0, v_reset=0.0,
                                              tau_refrac=500.0))
    cells.initialize(v=0.0)
    sim.DCSource(amplitude=amplitude, start=0.0).inject_into(cells)
    cells.record("spikes")
    sim.run(200.0)
    first = np.array([st[0] for st in cells.get_data().segments[0].spiketrains], dtype=float)
    drive = amplitude * tau_m / cm
    expected = tau_m * np.log(drive / (drive - theta))
    assert np.all(np.abs(first - expected) <= 0.01 + 1e-9), (first, expected)
    assert len(set(np.round(first, 2))) == 4


def test_unsupported_models_and_values_raise_pynn_exceptions(sim):
    from pyNN.errors import InvalidParameterValueError

    sim.setup()
    with pytest.raises(NotImplementedError, match="HH_cond_exp"):
        sim.Population(1, sim.HH_cond_exp())
    with pytest.raises(InvalidParameterValueError, match="ascending"):
        sim.Population(1, sim.SpikeSourceArray(spike_times=[3.0, 1.0]))
    with pytest.raises(NotImplementedError, match="Izhikevich"):
        sim.Population(1, sim.Izhikevich())
    sim.setup()
    cells = sim.Population(2, sim.EIF_cond_exp_isfa_ista())
    cells.record("v")
    sim.run(5.0)
    cells.set(tau_w=100.0)
    with pytest.raises(NotImplementedError, match="tau_w_ms.*between run"):
        sim.run(5.0)


def test_standard_models_match_pynn_nest(ndml_bin):
    """Every standard cell model NDML runs — IF_curr_exp/alpha, IF_cond_exp/alpha,
    EIF_cond_exp/alpha_isfa_ista — against the same PyNN script on pyNN.nest (on-grid spikes):
    the mapping of units, signs and parameters (nA → pA, nF → pF, µS → nS, R = τ_m/c_m,
    v_spike → V_peak, …) end to end. Tolerances follow the integrators: the current-based models
    are exact in both (v to float32 storage, identical spike times); the EIF models use RK4 here
    and an adaptive solver in NEST (v within 0.02 mV, spikes within a step); IF_cond_* advance v
    by exponential Euler here, first order in dt, against NEST's adaptive solver (v within 0.15 mV,
    spikes within 0.5 ms — 0.09 mV and 0.3 ms measured at dt = 0.1 ms)."""
    script = REPO_ROOT / "Tests" / "python" / "pynn_scripts" / "models.py"
    env = dict(os.environ, NDML_BIN=str(ndml_bin))
    results = {}
    for simulator in ("ndml", "nest"):
        proc = subprocess.run([sys.executable, str(script), simulator], capture_output=True, text=True, env=env,
                              timeout=600)
        assert proc.returncode == 0, proc.stderr[-3000:]
        results[simulator] = json.loads(proc.stdout.strip().splitlines()[-1])
    tolerance = {"IF_curr": (1e-5, 1e-9), "EIF_cond": (0.02, 0.1 + 1e-9), "IF_cond": (0.15, 0.5)}
    assert set(results["ndml"]) == set(results["nest"]) and len(results["ndml"]) == 6
    for model, ours in results["ndml"].items():
        theirs = results["nest"][model]
        dv_max, dt_max = next(tol for prefix, tol in tolerance.items() if model.startswith(prefix))
        for a, b in zip(ours["spikes"], theirs["spikes"]):
            assert len(a) == len(b), (model, a, b)
            assert np.all(np.abs(np.array(a) - np.array(b)) <= dt_max), (model, a, b)
        assert len(ours["spikes"][1]) >= 5, f"{model}: the driven cell fires repeatedly"
        assert np.abs(np.array(ours["v0"]) - np.array(theirs["v0"])).max() < dv_max, model
        assert abs(ours["w1_last"] - theirs["w1_last"]) < 1e-3, model


def test_weights_set_between_runs_take_effect_then(sim):
    """`Projection.set(weight=...)` between run() calls becomes NDML's weight_changes: the PSP of
    the target neuron scales with the new weight from the second segment on (brian2's ticket 235
    scenario: only the changed synapse's target fires more)."""
    sim.setup(timestep=0.1)
    src = sim.Population(3, sim.SpikeSourceArray(spike_times=[[5.0, 255.0]] * 3))
    cells = sim.Population(3, sim.IF_curr_exp(v_thresh=1000.0), label="cells")
    prj = sim.Projection(src, cells, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.5, delay=1.0))
    cells.record("v")
    sim.run(250.0)
    new = np.where(np.eye(3), 0.5, np.nan)
    new[1, 1] = 1.5
    prj.set(weight=new)
    sim.run(250.0)
    v = np.array(cells.get_data().segments[0].analogsignals[0])
    first, second = v[:2500].max(axis=0) + 65.0, v[2500:].max(axis=0) + 65.0
    np.testing.assert_allclose(first, first[0], rtol=1e-6)
    np.testing.assert_allclose(second[[0, 2]], first[[0, 2]], rtol=1e-5)
    np.testing.assert_allclose(second[1], 3 * first[1], rtol=1e-4)
    assert np.array(prj.get("weight", format="array"))[1, 1] == 1.5


def _stdp_closed_form(initial, pre, post, a_plus, a_minus, tau_plus, tau_minus, w_max, dependence, delay, fraction):
    """PyNN's pair rule by its definition (all-to-all traces; synapse sees t_pre + (1 − f)·d and
    t_post + f·d; additive Δw = ±A·w_max·trace, multiplicative A(w_max − w), A(w − w_min)),
    event by event, independent of NDML's code."""
    events = sorted([(t + (1 - fraction) * delay, 0) for t in pre] + [(t + fraction * delay, 1) for t in post])
    w, x, y, last = initial, 0.0, 0.0, 0.0
    for t, kind in events:
        x *= np.exp(-(t - last) / tau_plus)
        y *= np.exp(-(t - last) / tau_minus)
        last = t
        if kind == 0:
            w = max(0.0, w - a_minus * (w_max if dependence == "additive" else w) * y)
            x += 1
        else:
            w = min(w_max, w + a_plus * (w_max if dependence == "additive" else w_max - w) * x)
            y += 1
    return w


@pytest.mark.parametrize("dependence", ["additive", "multiplicative"])
def test_stdp_matches_pynn_definition_and_pynn_nest(dependence, ndml_bin):
    """STDPMechanism(SpikePairRule, Additive/MultiplicativeWeightDependence), dendritic delay
    fraction 1 (PyNN's default): every final weight equals PyNN's definition of the rule computed
    here from the spike trains (1e-12), and the same script on pyNN.nest (stdp_synapse) gives the
    same weights — all but the synapses of one presynaptic neuron to 1e-12, those within 0.2 %
    (pyNN.nest moves spike-generator times by min_delay, which rounds one of its spikes apart)."""
    script = REPO_ROOT / "Tests" / "python" / "pynn_scripts" / "stdp.py"
    env = dict(os.environ, NDML_BIN=str(ndml_bin))
    results = {}
    for simulator in ("ndml", "nest"):
        proc = subprocess.run([sys.executable, str(script), simulator, dependence], capture_output=True, text=True,
                              env=env, timeout=600)
        assert proc.returncode == 0, proc.stderr[-3000:]
        results[simulator] = json.loads(proc.stdout.strip().splitlines()[-1])
    ours, theirs = results["ndml"], results["nest"]
    for a, b in zip(ours["post_spikes"], theirs["post_spikes"]):
        np.testing.assert_allclose(a, b, atol=1e-9)
    rng = np.random.default_rng(1)  # the script's presynaptic trains
    pre = [np.round(np.sort(rng.uniform(5, 440, 12)), 1).tolist() + [480.0] for _ in range(20)]
    initial, final = np.array(ours["initial"]), np.array(ours["final"])
    for i in range(20):
        for c in range(2):
            expected = _stdp_closed_form(initial[i, c], pre[i], ours["post_spikes"][c], 0.05, 0.06, 16.8, 33.7,
                                         0.01, dependence, 1.0, 1.0)
            assert abs(final[i, c] - expected) < 1e-12, (i, c, final[i, c], expected)
    change_ours = final - initial
    change_nest = np.array(theirs["final"]) - np.array(theirs["initial"])
    np.testing.assert_allclose(initial, np.array(theirs["initial"]), rtol=1e-12)
    close = np.abs(change_ours - change_nest) < 1e-12
    assert close.sum() >= 38, f"{close.sum()} of 40 synapses equal NEST's"
    assert np.all(np.abs(final - np.array(theirs["final"])) <= 2e-3 * np.abs(final) + 1e-12)
    assert np.abs(change_ours).max() > 1e-3, "the rule moved the weights"
