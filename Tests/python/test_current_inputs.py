"""Injected-current inputs `type: sine` and `type: noise`, and per-neuron `init` lists
(docs/config-reference.md, `inputs` and `populations`), checked against closed forms, NEST 3 and
statistics rather than against NDML's own code.

* sine: a non-spiking `lif_cuba` (threshold 1000 mV) driven by
  I(t) = offset + A sin(2 pi f t/1000 + phase) on [start, stop). Its recorded v equals the exact
  solution of tau dv/dt = E_L - v + R I, R = tau/C, for the piecewise-constant current NDML
  documents (I(t_n) during [t_n, t_{n+1})), computed in numpy step by step with the exact
  propagator: v_{n+1} = v_inf + (v_n - v_inf) e^(-dt/tau), v_inf = E_L + R I(t_n). Tolerance
  SINE_TOL_MV = 2e-5 mV: recorded v is float32 (ulp 7.6e-6 mV at 65 mV, rounding <= 3.8e-6),
  the float64 simulation itself agrees to ~1e-12. The value at mid-step, I(t_n + dt/2), gives
  a v off by > 1e-3 mV, so the test tells the two conventions apart.
* the same neurons in NEST 3 (`iaf_psc_exp` + `ac_generator`, identical parameters, connection
  delay = one step): NEST's neuron uses a current one step after it arrives, which the connection
  delays by one more step, so NEST's current during [t_m, t_{m+1}) is the generator's value
  at t_{m-1} and NEST's v trails NDML's by exactly one step (measured when this test was written:
  any other lag or window shift leaves > 0.04 mV). NEST's v at t_{k+1} is compared with NDML's at
  t_k; tolerance NEST_TOL_MV = 5e-5 mV (float32 storage as above plus NEST's rotation-matrix
  recursion for the sine, ~1e-12 relative per step).
* noise: 100 neurons with E_L = 0, tau_m = 1 ms, C_m = 1 pF (R = 1 mV/pA) and a threshold out of
  reach; the current of step n is recovered exactly from the recorded v as
  I_n = (v_{n+1} - P v_n) / (R (1 - P)), P = e^(-dt/tau) (float32 rounding: < 1e-3 pA). Checked:
  0 outside [start, stop); constant within each dt_ms interval (< NOISE_HOLD_TOL_PA) and new at
  every boundary (all but a 1e-3 fraction differ by more than that); over 100 x 3600 intervals
  the mean within 5 sigma/sqrt(N) of mean_pA, the standard deviation within 5 sigma/sqrt(2N) of
  std_pA, the fraction within +-1 std within 5 binomial sds of 0.6827; every pair of neurons
  uncorrelated (|r| < 5.5/sqrt(M), M intervals: a family-wise false alarm < 1e-3 over the 4950
  pairs) and successive intervals uncorrelated (pooled lag-1 |r| < 5/sqrt(N)). A neuron's draws
  do not depend on which other neurons the input targets (keyed by neuron and interval).
* threads and seeds: experiments/current_inputs.yaml (sine and noise into a spiking network)
  gives bit-identical spikes and v for 1 and 2 threads and the same seed, different ones for
  another seed.
* init lists: v recorded at t = 0 equals the list (as float32).
* bad input: exit status 2 and a message naming the file and the key.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import h5py
import numpy as np
import pytest
import yaml

DT_MS = 0.1
SINE = dict(amplitude_pA=100.0, offset_pA=20.0, frequency_Hz=40.0, phase_deg=30.0, start_ms=5.0, stop_ms=80.0)
SINE_PARAMS = dict(tau_m_ms=20.0, c_m_pF=250.0, v_rest_mV=-65.0, v_thresh_mV=1000.0, v_reset_mV=-65.0,
                   tau_ref_ms=0.1)
SINE_INIT_MV = [-65.0, -60.0, -70.0]
SINE_DURATION_MS = 100.0
SINE_TOL_MV = 2e-5
NEST_TOL_MV = 5e-5

NOISE = dict(mean_pA=10.0, std_pA=50.0, dt_ms=0.5, start_ms=100.0, stop_ms=1900.0)
NOISE_SIZE = 100
NOISE_DURATION_MS = 2000.0
NOISE_PARAMS = dict(tau_m_ms=1.0, c_m_pF=1.0, v_rest_mV=0.0, v_thresh_mV=1e6, v_reset_mV=0.0)
NOISE_HOLD_TOL_PA = 1e-2


def write_config(tmp_path: Path, name: str, config: dict) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def run_v(run_ndml, tmp_path: Path, name: str, config: dict, *extra) -> np.ndarray:
    """Runs `config` and returns /report/n/v/data as float64 (samples x neurons)."""
    path = write_config(tmp_path, name, config)
    out = tmp_path / f"{name}.h5"
    run_ndml("run", path, "-o", out, "--quiet", *extra)
    with h5py.File(out, "r") as f:
        return np.asarray(f["report/n/v/data"][()], dtype=np.float64)


def sine_config(**inputs) -> dict:
    return {
        "simulation": {"dt_ms": DT_MS, "duration_ms": SINE_DURATION_MS, "seed": 1},
        "populations": {"n": {"size": len(SINE_INIT_MV), "model": "lif_cuba", "params": dict(SINE_PARAMS),
                              "init": {"v_mV": list(SINE_INIT_MV)}}},
        "inputs": {"ac": {"type": "sine", "population": "n", **SINE, **inputs}},
        "record": {"state": [{"population": "n", "variables": ["v"], "neurons": list(range(len(SINE_INIT_MV))),
                              "interval_ms": DT_MS}]},
    }


def sine_current(t_ms: np.ndarray) -> np.ndarray:
    s = SINE
    value = s["offset_pA"] + s["amplitude_pA"] * np.sin(
        2 * np.pi * s["frequency_Hz"] * t_ms / 1000 + s["phase_deg"] * np.pi / 180)
    return np.where((t_ms >= s["start_ms"] - 1e-9) & (t_ms < s["stop_ms"] - 1e-9), value, 0.0)


def exact_lif(v0: np.ndarray, current_pa: np.ndarray) -> np.ndarray:
    """v at t_0 .. t_{N-1} for the current current_pa[n] during step n (exact propagator)."""
    p = SINE_PARAMS
    decay = np.exp(-DT_MS / p["tau_m_ms"])
    r = p["tau_m_ms"] / p["c_m_pF"]  # ms/pF = GOhm: R * I[pA] is in mV
    v = np.empty((len(current_pa), len(v0)))
    v[0] = v0
    for n in range(len(current_pa) - 1):
        v_inf = p["v_rest_mV"] + r * current_pa[n]
        v[n + 1] = v_inf + (v[n] - v_inf) * decay
    return v


def test_sine_matches_the_exact_solution(run_ndml, tmp_path, validation):
    v = run_v(run_ndml, tmp_path, "sine", sine_config())
    steps = int(round(SINE_DURATION_MS / DT_MS))
    assert v.shape == (steps, len(SINE_INIT_MV))
    t = np.arange(steps) * DT_MS
    expected = exact_lif(np.array(SINE_INIT_MV), sine_current(t))
    error = np.abs(v - expected).max()
    midpoint = np.abs(v - exact_lif(np.array(SINE_INIT_MV), sine_current(t + DT_MS / 2))).max()
    validation.record("sine input (lif_cuba)", "max |v - exact| (mV)", "closed form, I(t_n) per step", 0.0,
                      float(error), f"{SINE_TOL_MV:g} mV", error < SINE_TOL_MV)
    assert error < SINE_TOL_MV, f"max |v - exact| = {error:.3g} mV"
    assert midpoint > 50 * SINE_TOL_MV, "the test must tell I(t_n) from I(t_n + dt/2)"
    assert np.all(v[t <= SINE["start_ms"], 0] == -65.0), "neuron 0 rests until the input starts"


def nest_sine_v(shift_steps: int) -> np.ndarray:
    """NEST's v at t_1 .. t_{N-1} (rows) for the sine input, the generator moved `shift_steps`
    earlier (start, stop and phase), connection delay one step."""
    import nest

    nest.verbosity = nest.VerbosityLevel.ERROR
    nest.ResetKernel()
    nest.resolution = DT_MS
    p = SINE_PARAMS
    cells = nest.Create("iaf_psc_exp", len(SINE_INIT_MV), params=dict(
        tau_m=p["tau_m_ms"], C_m=p["c_m_pF"], E_L=p["v_rest_mV"], V_reset=p["v_reset_mV"],
        V_th=p["v_thresh_mV"], t_ref=p["tau_ref_ms"], I_e=0.0, tau_syn_ex=5.0, tau_syn_in=10.0))
    cells.V_m = list(SINE_INIT_MV)
    shift_ms = shift_steps * DT_MS
    ac = nest.Create("ac_generator", params=dict(
        amplitude=SINE["amplitude_pA"], offset=SINE["offset_pA"], frequency=SINE["frequency_Hz"],
        phase=SINE["phase_deg"] + 360 * SINE["frequency_Hz"] * shift_ms / 1000,
        start=SINE["start_ms"] - shift_ms, stop=SINE["stop_ms"] - shift_ms))
    nest.Connect(ac, cells, syn_spec={"delay": DT_MS})
    meter = nest.Create("multimeter", params={"record_from": ["V_m"], "interval": DT_MS})
    nest.Connect(meter, cells)
    nest.Simulate(SINE_DURATION_MS)
    events = meter.events
    times, senders, v = (np.asarray(events[k]) for k in ("times", "senders", "V_m"))
    columns = []
    for g in cells.global_id:
        mine = senders == g
        columns.append(v[mine][np.argsort(times[mine])])
    return np.stack(columns, 1)


def test_sine_matches_nest(run_ndml, tmp_path, validation):
    v = run_v(run_ndml, tmp_path, "sine_nest", sine_config())
    # NEST's ac_generator computes its value for step k from t_{k+1}... in effect (measured) NEST's
    # neuron gets during [t_m, t_{m+1}) the generator's value at t_{m-1} (one step of connection
    # delay, one of NEST's current buffering); moving the generator one step earlier makes it
    # I(t_m), NDML's convention.
    nest_v = nest_sine_v(shift_steps=1)
    assert nest_v.shape[0] == v.shape[0] - 1  # NEST records t_1 .. t_{N-1}
    error = np.abs(nest_v - v[1:]).max()
    validation.record("sine input (lif_cuba)", "max |v_NDML - v_NEST| (mV)",
                      "NEST 3 iaf_psc_exp + ac_generator (moved one step earlier)", 0.0, float(error),
                      f"{NEST_TOL_MV:g} mV", error < NEST_TOL_MV)
    assert error < NEST_TOL_MV, f"max |NDML - NEST| = {error:.3g} mV"
    unshifted = np.abs(nest_sine_v(shift_steps=0) - v[1:]).max()
    assert unshifted > 100 * NEST_TOL_MV, "the comparison must tell the conventions apart"


def noise_config(neurons=None, seed: int = 3) -> dict:
    noise = {"type": "noise", "population": "n", **NOISE}
    if neurons is not None:
        noise["neurons"] = neurons
    return {
        "simulation": {"dt_ms": DT_MS, "duration_ms": NOISE_DURATION_MS, "seed": seed},
        "populations": {"n": {"size": NOISE_SIZE, "model": "lif_cuba", "params": dict(NOISE_PARAMS)}},
        "inputs": {"noise": noise},
        "record": {"state": [{"population": "n", "variables": ["v"], "neurons": list(range(NOISE_SIZE)),
                              "interval_ms": DT_MS}]},
    }


def recovered_current(v: np.ndarray) -> np.ndarray:
    """I_n during step n, n = 0 .. N-2, from v at t_n and t_{n+1} (E_L = 0)."""
    p = NOISE_PARAMS
    decay = np.exp(-DT_MS / p["tau_m_ms"])
    r = p["tau_m_ms"] / p["c_m_pF"]
    return (v[1:] - decay * v[:-1]) / (r * (1 - decay))


def test_noise_statistics_hold_and_independence(run_ndml, tmp_path, validation):
    v = run_v(run_ndml, tmp_path, "noise", noise_config())
    current = recovered_current(v)  # steps x neurons
    t = np.arange(current.shape[0]) * DT_MS
    start, stop = (int(round(NOISE[k] / DT_MS)) for k in ("start_ms", "stop_ms"))
    hold = int(round(NOISE["dt_ms"] / DT_MS))
    outside = np.r_[current[:start], current[stop:]]
    assert np.abs(outside).max() < NOISE_HOLD_TOL_PA, "no current outside [start, stop)"
    blocks = current[start:stop].reshape(-1, hold, NOISE_SIZE)  # intervals x steps x neurons
    within = np.abs(blocks - blocks[:, :1]).max()
    assert within < NOISE_HOLD_TOL_PA, f"a value changed within its interval by {within:.3g} pA"
    values = blocks[:, 0]  # intervals x neurons
    jumps = np.abs(np.diff(values, axis=0))
    assert (jumps > NOISE_HOLD_TOL_PA).mean() > 0.999, "a new value at every interval"
    assert np.abs(values[0]).min() > NOISE_HOLD_TOL_PA and t[start] == pytest.approx(NOISE["start_ms"])

    n = values.size
    mean, std = values.mean(), values.std(ddof=1)
    sigma = NOISE["std_pA"]
    mean_tol, std_tol = 5 * sigma / np.sqrt(n), 5 * sigma / np.sqrt(2 * n)
    inside = np.mean(np.abs(values - NOISE["mean_pA"]) < sigma)
    inside_tol = 5 * np.sqrt(0.6827 * 0.3173 / n)
    validation.record("noise input", "mean (pA)", "mean_pA", NOISE["mean_pA"], float(mean), f"{mean_tol:.3g} pA",
                      abs(mean - NOISE["mean_pA"]) < mean_tol)
    validation.record("noise input", "std (pA)", "std_pA", sigma, float(std), f"{std_tol:.3g} pA",
                      abs(std - sigma) < std_tol)
    assert abs(mean - NOISE["mean_pA"]) < mean_tol, (mean, mean_tol)
    assert abs(std - sigma) < std_tol, (std, std_tol)
    assert abs(inside - 0.6827) < inside_tol, (inside, inside_tol)

    m = values.shape[0]
    r = np.corrcoef(values.T)
    off = np.abs(r[~np.eye(NOISE_SIZE, dtype=bool)])
    assert off.max() < 5.5 / np.sqrt(m), f"neurons correlated: max |r| = {off.max():.3g}"
    centred = values - values.mean(0)
    lag1 = (centred[1:] * centred[:-1]).sum() / (centred ** 2).sum()
    assert abs(lag1) < 5 / np.sqrt(n), f"successive intervals correlated: r = {lag1:.3g}"

    # A neuron's draws depend on (seed, input, neuron, interval) only, not on the other targets.
    subset = run_v(run_ndml, tmp_path, "noise_subset", noise_config(neurons=[3, 71]))
    assert np.array_equal(subset[:, [3, 71]], v[:, [3, 71]])
    assert np.abs(subset[:, 0]).max() == 0.0


def experiment_datasets(path: Path) -> dict[str, bytes]:
    out = {}
    with h5py.File(path, "r") as f:
        for group in ("spikes", "report"):
            f[group].visititems(lambda name, obj, g=group: out.__setitem__(f"{g}/{name}", obj[()].tobytes())
                                if isinstance(obj, h5py.Dataset) else None)
    return out


def test_threads_and_seeds(run_ndml, tmp_path):
    config = "experiments/current_inputs.yaml"
    common = ["--quiet", "--set", "simulation.duration_ms=600"]
    runs = {}
    for name, extra in [("t1", ["--threads", "1"]), ("t2", ["--threads", "2"]),
                        ("seed", ["--threads", "2", "--set", "simulation.seed=6"])]:
        out = tmp_path / f"{name}.h5"
        run_ndml("run", config, "-o", out, *common, *extra)
        runs[name] = experiment_datasets(out)
    assert any(k.startswith("spikes/exc") for k in runs["t1"])
    assert runs["t1"] == runs["t2"], "1 and 2 threads must give bit-identical results"
    assert runs["t1"]["report/probe/v/data"] != runs["seed"]["report/probe/v/data"]
    assert runs["t1"]["spikes/exc/timestamps"] != runs["seed"]["spikes/exc/timestamps"]


def test_init_list_sets_each_neuron(run_ndml, tmp_path):
    init = [-71.5, -64.25, -58.0]
    config = sine_config()
    config["populations"]["n"]["init"] = {"v_mV": init, "s_e_mV": [0.5, 0.0, 1.0]}
    v = run_v(run_ndml, tmp_path, "init", config)
    assert np.array_equal(v[0], np.asarray(init, dtype=np.float32).astype(np.float64))


BAD = [
    ("missing frequency", ("inputs", "ac"), {"type": "sine", "population": "n", "amplitude_pA": 5},
     "inputs.ac.frequency_Hz", "is required"),
    ("negative std", ("inputs", "nz"), {"type": "noise", "population": "n", "mean_pA": 0, "std_pA": -1},
     "inputs.nz.std_pA", "must be ≥ 0"),
    ("noise dt off the grid", ("inputs", "nz"),
     {"type": "noise", "population": "n", "mean_pA": 0, "std_pA": 1, "dt_ms": 0.25},
     "inputs.nz.dt_ms", "multiple of simulation.dt_ms"),
    ("sine stop before start", ("inputs", "ac"),
     {"type": "sine", "population": "n", "amplitude_pA": 5, "frequency_Hz": 10, "start_ms": 50, "stop_ms": 50},
     "inputs.ac.stop_ms", "must be later than start_ms"),
    ("noise stop before start", ("inputs", "nz"),
     {"type": "noise", "population": "n", "mean_pA": 0, "std_pA": 1, "start_ms": 50, "stop_ms": 20},
     "inputs.nz.stop_ms", "must be later than start_ms"),
    ("current stop before start", ("inputs", "step"),
     {"type": "current", "population": "n", "amplitude_pA": 5, "start_ms": 50, "stop_ms": 20},
     "inputs.step.stop_ms", "must be later than start_ms"),
    ("unknown sine key", ("inputs", "ac"),
     {"type": "sine", "population": "n", "amplitude_pA": 5, "frequency_Hz": 10, "std_pA": 3},
     "inputs.ac.std_pA", "unknown key"),
    ("unknown noise key", ("inputs", "nz"),
     {"type": "noise", "population": "n", "mean_pA": 0, "std_pA": 1, "frequency_Hz": 3},
     "inputs.nz.frequency_Hz", "unknown key"),
    ("sine into a source", ("inputs", "ac"),
     {"type": "sine", "population": "src", "amplitude_pA": 5, "frequency_Hz": 10},
     "inputs.ac.population", "takes no current"),
    ("noise into a source", ("inputs", "nz"), {"type": "noise", "population": "src", "mean_pA": 0, "std_pA": 1},
     "inputs.nz.population", "takes no current"),
    ("init list too short", ("populations", "n", "init"), {"v_mV": [-65, -60]},
     "populations.n.init.v_mV", "lists 2 values; give exactly one per neuron (size 3)"),
    ("init list with a word", ("populations", "n", "init"), {"v_mV": [-65, "low", -60]},
     "populations.n.init.v_mV[1]", "must be a number"),
]


@pytest.mark.parametrize("what,where,value,key,message", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_a_config_error(what, where, value, key, message, ndml_bin, tmp_path):
    config = {
        "simulation": {"dt_ms": DT_MS, "duration_ms": 10},
        "populations": {"n": {"size": 3, "model": "lif_cuba"},
                        "src": {"size": 2, "model": "poisson", "params": {"rate_Hz": 5}}},
        "record": {"spikes": ["n"]},
    }
    node = config
    for k in where[:-1]:
        node = node.setdefault(k, {})
    node[where[-1]] = value
    path = write_config(tmp_path, "bad", config)
    for command in ("validate", "run"):
        args = [str(ndml_bin), command, str(path)] + (["-o", str(tmp_path / "bad.h5")] if command == "run" else [])
        proc = subprocess.run(args, capture_output=True, text=True)
        assert proc.returncode == 2, (what, proc.returncode, proc.stderr)
        lines = [line for line in proc.stderr.splitlines() if f": {key}: " in line]
        assert lines, f"{what}: no error naming {key}:\n{proc.stderr}"
        assert str(path) in lines[0] and message in lines[0], lines[0]
    assert not (tmp_path / "bad.h5").exists()


def _expand(times_ms: np.ndarray, data: np.ndarray, steps: int) -> np.ndarray:
    """A recorded /inputs step function on the step grid (row n: the value during step n)."""
    rows = np.searchsorted(np.round(times_ms / DT_MS).astype(int), np.arange(steps), side="right") - 1
    return data[rows]


def test_recorded_input_currents_are_what_the_neurons_received(run_ndml, ndml_bin, tmp_path):
    """`record.inputs` writes each input's current as a step function (/inputs/<name>): for noise
    it equals the current recovered from v (not from NDML's draws), for a sine the closed form at
    t_n, for a step schedule its segments; and an unknown name is refused."""
    config = noise_config(neurons=[0, 5, 7])
    config["inputs"]["ac"] = {"type": "sine", "population": "n", "neurons": [1], **SINE}
    config["inputs"]["steps"] = {"type": "current", "population": "n", "neurons": [2, 3],
                                 "schedule": [{"start_ms": 10.0, "amplitude_pA": [5.0, -5.0]},
                                              {"start_ms": 50.0, "amplitude_pA": 0.0}]}
    config["record"]["inputs"] = ["noise", "ac", "steps"]
    path = write_config(tmp_path, "inputs_rec", config)
    out = tmp_path / "inputs_rec.h5"
    run_ndml("run", path, "-o", out, "--quiet")
    with h5py.File(out) as f:
        v = np.asarray(f["report/n/v/data"][()], dtype=np.float64)
        rec = {k: (f[f"inputs/{k}/time"][()], f[f"inputs/{k}/data"][()], f[f"inputs/{k}/node_ids"][()])
               for k in ("noise", "ac", "steps")}
        assert f["inputs/noise/data"].attrs["units"] == "pA" and f["inputs/noise"].attrs["population"] == "n"
    current = recovered_current(v)
    steps = current.shape[0]
    t, data, ids = rec["noise"]
    assert list(ids) == [0, 5, 7]
    noise = _expand(t, data, steps)
    assert np.abs(noise - current[:, [0, 5, 7]]).max() < 1e-3, "the recorded noise is what v integrated"
    assert len(t) == 1 + int(round((NOISE["stop_ms"] - NOISE["start_ms"]) / NOISE["dt_ms"])) + 1
    t, data, _ = rec["ac"]
    grid = np.arange(steps) * DT_MS
    np.testing.assert_allclose(_expand(t, data, steps)[:, 0], sine_current(grid), atol=1e-9)
    t, data, ids = rec["steps"]
    np.testing.assert_array_equal(t, [0.0, 10.0, 50.0])
    np.testing.assert_array_equal(data, [[0.0, 0.0], [5.0, -5.0], [0.0, 0.0]])
    assert list(ids) == [2, 3]

    config["record"]["inputs"] = ["nosuch"]
    bad = write_config(tmp_path, "inputs_bad", config)
    proc = subprocess.run([str(ndml_bin), "validate", str(bad)], capture_output=True, text=True)
    assert proc.returncode != 0
    assert "record.inputs" in proc.stderr and "'nosuch' is not an input" in proc.stderr, proc.stderr
