#!/usr/bin/env python3
"""Brian2 reference runs of NDML's pair-STDP experiments (Song et al. 2000; plastic CUBA).

The Brian2 twin of `experiments/stdp_song2000.yaml` and `experiments/cuba_stdp.yaml`, used as
the peer for NDML's `pair_stdp` rule and as the speed (and memory) reference of plastic networks.

    python benchmarks/brian2_stdp_reference.py --model song2000 --duration-ms 100000 \
        --device cpp_standalone --seed 1 --n-seeds 3 --out-json song2000.json
    python benchmarks/brian2_stdp_reference.py --model cuba_stdp --duration-ms 1000 \
        --device cpp_standalone --threads 1 --seed 1 --out-json cuba_stdp.json

Plasticity (both models): additive pair STDP with hard bounds and all-to-all pairing, written
exactly as Brian2's own example `examples/synapses/STDP.py` (brian-team/brian2, itself Song,
Miller & Abbott 2000), with event-driven traces:
    model:   w : 1 (song2000) / volt (cuba_stdp)
             dApre/dt  = -Apre / taupre   : 1 / volt (event-driven)
             dApost/dt = -Apost / taupost : 1 / volt (event-driven)
    on_pre:  ge_post += w ; Apre += dApre ; w = clip(w + Apost, 0, wmax)
    on_post: Apost += dApost ; w = clip(w + Apre, 0, wmax)
This is NDML's `pair_stdp` with mu = 0, pairing all_to_all (NDMLModel/Plasticity/PairSTDP.swift):
a presynaptic arrival transmits with the current weight, is then depressed by the postsynaptic
trace (Apost = -A_- * wmax * sum_post e^(-dt/tau_-)) and then increments the presynaptic trace
(dApre = A_+ * wmax); a postsynaptic spike potentiates by the presynaptic trace. Same-step pre and
post events: Brian2 runs the 'pre' pathway (order -1) before the 'post' pathway (order +1) in the
'synapses' slot, so, as in NDML, a pair with dt = 0 counts as potentiation.

Delays and event order (see also `benchmarks/brian2_reference.py`): NDML delivers with a minimum
delay of one step (0.1 ms, the YAMLs' `delay_ms`) and adds arrivals before integrating, while
Brian2 adds a spike's weight in the 'synapses' slot after the step's state update, so that with
Brian2 delay 0 the membrane feels the input one step after the spike - the same as NDML's
one-step delay. Brian2 delay 0 (the default here, `--delay-ms` changes it) is therefore the
closest equivalent; the pre-synaptic STDP event then also happens at the emission step in Brian2
and one step later in NDML, a shift of 0.1 ms against tau = 20 ms (a 0.5 % change of the amplitude
of one pair), well below the seed-to-seed spread. (`brian2_reference.py` defaults to 0.1 ms
for the static CUBA/COBA networks; there the difference does not show in the statistics.)

song2000 = Song, Miller & Abbott 2000 (Nat Neurosci 3:919, Figs. 1-2), `experiments/stdp_song2000.yaml`.
One conductance-based LIF neuron, conductances in units of the leak conductance
(g_L = 10 nS, C = 200 pF in NDML):
    dv/dt  = ((El - v) + ge*(Ee - v) + gi*(Ei - v)) / taum : volt
    dge/dt = -ge / taue : 1
    dgi/dt = -gi / taui : 1
    taum = 20 ms, El = -70 mV, Ee = 0 mV, Ei = -70 mV, taue = taui = 5 ms,
    threshold v > -54 mV, reset v = -60 mV, no refractory period, v(0) = -60 mV, ge(0) = gi(0) = 0.
    Inputs: PoissonGroup(1000, --input-rate-hz, default 20 Hz) -> plastic synapses (all to all);
    PoissonGroup(200, 10 Hz) -> fixed synapses, on_pre: gi_post += 0.05 (0.5 nS).
    STDP: gmax = 0.015 (0.15 nS), w(0) = rand()*gmax (uniform in [0, gmax)),
    taupre = taupost = 20 ms, dApre = 0.005*gmax, dApost = -1.05*dApre (NDML a_minus = 1.05 a_plus).
    Integration: method 'exponential_euler': v is advanced as a linear ODE in v with ge, gi held
    at their start-of-step values, v <- v_inf + (v - v_inf) exp(-dt (1 + ge + gi)/taum),
    v_inf = (El + ge Ee + gi Ei)/(1 + ge + gi), and ge, gi decay exactly. This is NDML's
    `lif_coba` update (NDMLEngine/Kernels/LIFCobaKernel.swift) term for term. The residual
    differences are the one-step event-order convention above, the spike time stamp (Brian2
    records the start of the step in which v crossed the threshold, NDML its end: a constant
    0.1 ms shift that affects both pre-post pairs of one synapse equally), and the Poisson
    generators (Brian2: a spike in a step with probability rate*dt; different random streams).
    Brian2's STDP example uses different numbers (taum 10 ms, El -74 mV, no inhibition, gmax
    0.01, dApre 0.01 gmax, 15 Hz inputs, method 'euler'); the numbers here are the paper's / YAML's.

cuba_stdp = `experiments/cuba_stdp.yaml`: the CUBA network of `brian2_reference.py` (Brian2's
`examples/CUBA.py`; 4000 neurons, exc = 0..3199, inh = 3200..3999, p = 0.02 with autapses,
method 'exact', v(0) uniform in [Vr, Vt), ge(0) = gi(0) = 0, refractory 5 ms):
    dv/dt  = (ge + gi - (v - El)) / taum : volt (unless refractory)
    dge/dt = -ge / taue : volt ;  dgi/dt = -gi / taui : volt
    taum = 20 ms, taue = 5 ms, taui = 10 ms, El = -49 mV, Vt = -50 mV, Vr = -60 mV,
with the exc->exc synapses plastic. Four Synapses objects, each connect(p=0.02):
    Pe->Pe plastic (STDP above, wmax = 3.24 mV, w(0) = 1.62 mV, taupre = taupost = 20 ms,
           dApre = 0.01*wmax, dApost = -0.0105*wmax),
    Pe->Pi static (ge_post += 1.62 mV), Pi->all static (gi_post += -9 mV).
`bytes_per_plastic_synapse` is the sum of `nbytes` of every per-synapse array in the plastic
Synapses object's `variables` dict (arrays owned by it with one entry per synapse, aliases
counted once, i.e. the variables indexed by '_idx': w, Apre, Apost, lastupdate (float64),
_synaptic_pre = i, _synaptic_post = j (int32); N_incoming / N_outgoing are per neuron (indexed
by _postsynaptic_idx / _presynaptic_idx) and the homogeneous delay is one scalar of the
pathway, so neither counts) divided by the number of synapses; cpp_standalone values are read back after the run with
`Variable.get_value()`. It leaves out the C++ spike queues (per pathway, one int32 synapse index
per synapse, grouped by source neuron: +4 bytes per pathway, pre and post = +8 bytes) and
`std::vector` over-allocation; `per_synapse_arrays` itemises the sum.

Timing (seconds, "timing_s", same definitions as `brian2_reference.py`): sim_loop =
`device._last_run_time` (the time-step loop only), compile (cpp_standalone: `make` + `make
clean`; runtime: run() wall time - sim_loop), run_binary (cpp_standalone: the whole ./main),
codegen, network_build, total.

Deterministic for a given (--seed, --device, --threads, --runtime-target): brian2.seed() seeds
NumPy and the generated code's RNG; all random initialisation and connectivity are string
expressions evaluated in generated code.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peer_common import (  # noqa: E402
    brian2_run_header, mean_std, run_seeds, spikestats, run_timed, start_brian2_run, write_result)

DT_MS = 0.1

SONG2000 = dict(taum_ms=20.0, El_mV=-70.0, Ee_mV=0.0, Ei_mV=-70.0, taue_ms=5.0, taui_ms=5.0,
                Vt_mV=-54.0, Vr_mV=-60.0, v0_mV=-60.0, n_exc_inputs=1000, n_inh_inputs=200,
                inh_rate_hz=10.0, g_in=0.05, gmax=0.015, taupre_ms=20.0, taupost_ms=20.0,
                a_plus=0.005, a_minus=0.005 * 1.05)
N_WINDOWS = 10
N_HIST_BINS = 50

N_EXC = 3200
N_INH = 800
N_TOTAL = N_EXC + N_INH
P_CONNECT = 0.02
CUBA_STDP = dict(taum_ms=20.0, taue_ms=5.0, taui_ms=10.0, El_mV=-49.0, Vt_mV=-50.0, Vr_mV=-60.0,
                 tau_ref_ms=5.0, we_mV=60 * 0.27 / 10, wi_mV=-20 * 4.5 / 10, wmax_mV=3.24,
                 taupre_ms=20.0, taupost_ms=20.0, a_plus=0.01, a_minus=0.0105)

STDP_MODEL = """
w : {unit}
dApre/dt = -Apre / taupre : {unit} (event-driven)
dApost/dt = -Apost / taupost : {unit} (event-driven)
"""
STDP_ON_PRE = """
ge_post += w
Apre += dApre
w = clip(w + Apost, 0 * wmax, wmax)
"""
STDP_ON_POST = """
Apost += dApost
w = clip(w + Apre, 0 * wmax, wmax)
"""


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", choices=["song2000", "cuba_stdp"], required=True)
    p.add_argument("--duration-ms", type=float, default=None,
                   help="simulated time (default 100000 for song2000, 1000 for cuba_stdp)")
    p.add_argument("--device", choices=["runtime", "cpp_standalone"], default="cpp_standalone")
    p.add_argument("--threads", type=int, default=1,
                   help="cpp_standalone OpenMP threads; 1 (default) generates code without "
                        "OpenMP (openmp_threads = 0). Ignored by the runtime device.")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--n-seeds", type=int, default=1,
                   help="run seeds seed, seed+1, ..., seed+n-1 in one process; the JSON then holds "
                        '{"ensemble": {mean and std over seeds}, "runs": [one result per seed]}')
    p.add_argument("--input-rate-hz", type=float, default=20.0,
                   help="song2000: rate of the 1000 excitatory Poisson inputs (YAML: 20 Hz)")
    p.add_argument("--delay-ms", type=float, default=0.0,
                   help="homogeneous synaptic delay (default 0 = Brian2's equivalent of NDML's "
                        "one-step delay, see the header)")
    p.add_argument("--runtime-target", choices=["cython", "numpy"], default="cython",
                   help="code generation target of the runtime device")
    p.add_argument("--build-dir", type=Path, default=None,
                   help="cpp_standalone project directory (default: a temporary one, deleted)")
    p.add_argument("--out-json", type=Path, default=None)
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)
    if args.duration_ms is None:
        args.duration_ms = 100000.0 if args.model == "song2000" else 1000.0
    return args


def per_synapse_bytes(syn) -> dict:
    """nbytes / N of every per-synapse array owned by Synapses object `syn` (call after run).

    Names that refer to the same Variable (i = _presynaptic_idx = _synaptic_pre, j = ... =
    _synaptic_post) are counted once, under the names joined by '='.
    """
    from brian2.core.variables import ArrayVariable

    n = len(syn)
    names_by_var = {}
    for name, var in syn.variables.items():
        if (not isinstance(var, ArrayVariable) or var.scalar or var.owner is None
                or var.owner.name != syn.name or syn.variables.indices[name] != "_idx"):
            continue  # not a per-synapse array (N_incoming / N_outgoing are per neuron)
        names_by_var.setdefault(id(var), (var, []))[1].append(name)
    out = {}
    for var, names in names_by_var.values():
        values = np.asarray(var.get_value())
        if values.ndim != 1 or values.size != n:
            continue
        out["=".join(sorted(names))] = values.nbytes / n
    return out


def run_song2000(args, seed: int, first: bool = True) -> dict:
    import brian2 as b2
    from brian2 import Hz, mV, ms

    standalone, build_dir, t_total0 = start_brian2_run(args, seed, first, "brian2_stdp_", DT_MS)
    P = dict(SONG2000, exc_rate_hz=args.input_rate_hz)
    gmax = P["gmax"]
    ns = dict(taum=P["taum_ms"] * ms, El=P["El_mV"] * mV, Ee=P["Ee_mV"] * mV, Ei=P["Ei_mV"] * mV,
              taue=P["taue_ms"] * ms, taui=P["taui_ms"] * ms, Vt=P["Vt_mV"] * mV,
              Vr=P["Vr_mV"] * mV, g_in=P["g_in"], gmax=gmax, wmax=gmax,
              taupre=P["taupre_ms"] * ms, taupost=P["taupost_ms"] * ms,
              dApre=P["a_plus"] * gmax, dApost=-P["a_minus"] * gmax)
    eqs = """
    dv/dt  = ((El - v) + ge * (Ee - v) + gi * (Ei - v)) / taum : volt
    dge/dt = -ge / taue : 1
    dgi/dt = -gi / taui : 1
    """
    method = "exponential_euler"
    delay = args.delay_ms * ms

    t_build0 = time.perf_counter()
    neuron = b2.NeuronGroup(1, eqs, threshold="v > Vt", reset="v = Vr", method=method,
                            namespace=ns, name="neuron")
    neuron.v = P["v0_mV"] * mV
    neuron.ge = 0
    neuron.gi = 0
    exc_in = b2.PoissonGroup(P["n_exc_inputs"], rates=P["exc_rate_hz"] * Hz, name="exc_in")
    inh_in = b2.PoissonGroup(P["n_inh_inputs"], rates=P["inh_rate_hz"] * Hz, name="inh_in")
    S = b2.Synapses(exc_in, neuron, STDP_MODEL.format(unit="1"), on_pre=STDP_ON_PRE,
                    on_post=STDP_ON_POST, delay=delay, namespace=ns, name="plastic")
    S.connect()
    S.w = "rand() * gmax"
    Si = b2.Synapses(inh_in, neuron, on_pre="gi_post += g_in", delay=delay, namespace=ns,
                     name="inhibition")
    Si.connect()
    mon = b2.SpikeMonitor(neuron, name="spikes")
    window_ms = args.duration_ms / N_WINDOWS
    # Weight snapshots at t = 0, T/10, ..., 9T/10 (the final weights are read directly).
    # record=True cannot be resolved for synapses in standalone mode: pass the indices (all_to_all).
    wmon = b2.StateMonitor(S, "w", record=np.arange(P["n_exc_inputs"]), dt=window_ms * ms,
                           name="weights")
    net = b2.Network(neuron, exc_in, inh_in, S, Si, mon, wmon)
    t_build = time.perf_counter() - t_build0

    timing = run_timed(args, net, t_build)

    w = np.asarray(S.w[:], dtype=np.float64)
    t_ms = np.asarray(mon.t[:] / ms, dtype=np.float64)
    snap_t = np.asarray(wmon.t[:] / ms, dtype=np.float64)
    snap_w = np.asarray(wmon.w[:], dtype=np.float64)  # (n_synapses, n_snapshots)
    n_syn_plastic, n_syn_inh = int(len(S)), int(len(Si))
    mem = per_synapse_bytes(S)
    timing["total"] = time.perf_counter() - t_total0
    if standalone and args.build_dir is None:
        shutil.rmtree(build_dir, ignore_errors=True)

    frac = w / gmax
    hist, edges = np.histogram(w, bins=N_HIST_BINS, range=(0.0, gmax))
    counts = np.histogram(t_ms, bins=N_WINDOWS, range=(0.0, args.duration_ms))[0]
    half = args.duration_ms / 2
    late = spikestats.population_stats(t_ms, np.zeros(t_ms.size, dtype=np.int64), 1,
                                       half, args.duration_ms)
    snapshots = [{"t_ms": float(t), "frac_below_0.1_gmax": float(np.mean(col < 0.1 * gmax)),
                  "frac_above_0.9_gmax": float(np.mean(col > 0.9 * gmax)),
                  "mean_w_over_gmax": float(col.mean() / gmax)}
                 for t, col in zip(snap_t, snap_w.T)]
    snapshots.append({"t_ms": float(args.duration_ms),
                      "frac_below_0.1_gmax": float(np.mean(frac < 0.1)),
                      "frac_above_0.9_gmax": float(np.mean(frac > 0.9)),
                      "mean_w_over_gmax": float(frac.mean())})
    return brian2_run_header(args, seed, "song2000", DT_MS, method, P) | {
        "n_synapses": {"plastic": n_syn_plastic, "inhibitory": n_syn_inh},
        "frac_below_0.1_gmax": float(np.mean(frac < 0.1)),
        "frac_above_0.9_gmax": float(np.mean(frac > 0.9)),
        "mean_weight": float(w.mean()),
        "mean_weight_over_gmax": float(frac.mean()),
        "weight_histogram": {"bin_edges": edges.tolist(), "counts": hist.astype(int).tolist()},
        "weight_snapshots": snapshots,
        "output": {
            "n_spikes": int(t_ms.size),
            "rate_hz": float(t_ms.size / (args.duration_ms * 1e-3)),
            "window_ms": window_ms,
            "window_spike_counts": counts.astype(int).tolist(),
            "window_rates_hz": (counts / (window_ms * 1e-3)).tolist(),
            "cv_isi_last_half": late["cv_isi_mean"],
            "rate_hz_last_half": late["rate_hz"],
        },
        "bytes_per_plastic_synapse": float(sum(mem.values())),
        "per_synapse_arrays": mem,
        "final_weights_over_gmax": frac.tolist(),
        "final_weights": w.tolist(),
        "timing_s": timing,
    }


def run_cuba_stdp(args, seed: int, first: bool = True) -> dict:
    import brian2 as b2
    from brian2 import mV, ms

    standalone, build_dir, t_total0 = start_brian2_run(args, seed, first, "brian2_stdp_", DT_MS)
    P = CUBA_STDP
    wmax = P["wmax_mV"] * mV
    ns = dict(taum=P["taum_ms"] * ms, taue=P["taue_ms"] * ms, taui=P["taui_ms"] * ms,
              El=P["El_mV"] * mV, Vt=P["Vt_mV"] * mV, Vr=P["Vr_mV"] * mV,
              we=P["we_mV"] * mV, wi=P["wi_mV"] * mV, wmax=wmax,
              taupre=P["taupre_ms"] * ms, taupost=P["taupost_ms"] * ms,
              dApre=P["a_plus"] * wmax, dApost=-P["a_minus"] * wmax)
    eqs = """
    dv/dt  = (ge + gi - (v - El)) / taum : volt (unless refractory)
    dge/dt = -ge / taue : volt
    dgi/dt = -gi / taui : volt
    """
    method = "exact"
    delay = args.delay_ms * ms

    t_build0 = time.perf_counter()
    G = b2.NeuronGroup(N_TOTAL, eqs, threshold="v > Vt", reset="v = Vr",
                       refractory=P["tau_ref_ms"] * ms, method=method, namespace=ns,
                       name="neurons")
    G.v = "Vr + rand() * (Vt - Vr)"
    G.ge = 0 * mV
    G.gi = 0 * mV
    Pe = G[:N_EXC]
    Pi = G[N_EXC:]
    See = b2.Synapses(Pe, Pe, STDP_MODEL.format(unit="volt"), on_pre=STDP_ON_PRE,
                      on_post=STDP_ON_POST, delay=delay, namespace=ns, name="syn_ee")
    Sei = b2.Synapses(Pe, Pi, on_pre="ge_post += we", delay=delay, namespace=ns, name="syn_ei")
    Si = b2.Synapses(Pi, G, on_pre="gi_post += wi", delay=delay, namespace=ns, name="syn_inh")
    for s in (See, Sei, Si):
        s.connect(p=P_CONNECT)
    See.w = "we"
    mon = b2.SpikeMonitor(G, name="spikes")
    net = b2.Network(G, See, Sei, Si, mon)
    t_build = time.perf_counter() - t_build0

    timing = run_timed(args, net, t_build)

    t_ms = np.asarray(mon.t[:] / ms, dtype=np.float64)
    idx = np.asarray(mon.i[:], dtype=np.int64)
    w_mV = np.asarray(See.w[:] / mV, dtype=np.float64)
    n_ee, n_ei, n_inh = int(len(See)), int(len(Sei)), int(len(Si))
    mem = per_synapse_bytes(See)
    timing["total"] = time.perf_counter() - t_total0
    if standalone and args.build_dir is None:
        shutil.rmtree(build_dir, ignore_errors=True)

    exc = idx < N_EXC
    stats = spikestats.summarize(
        {"exc": (t_ms[exc], idx[exc], N_EXC), "inh": (t_ms[~exc], idx[~exc] - N_EXC, N_INH)},
        t_start_ms=0.0, t_stop_ms=args.duration_ms)
    hist, edges = np.histogram(w_mV, bins=40, range=(0.0, P["wmax_mV"]))
    return brian2_run_header(args, seed, "cuba_stdp", DT_MS, method, P) | {
        "population_sizes": {"exc": N_EXC, "inh": N_INH},
        "n_synapses": {"plastic": n_ee, "total": n_ee + n_ei + n_inh,
                       "ee": n_ee, "ei": n_ei, "inh": n_inh},
        "n_spikes": int(idx.size),
        "rate_hz": {name: s["rate_hz"] for name, s in stats["populations"].items()},
        "cv_isi_mean": dict({name: s["cv_isi_mean"] for name, s in stats["populations"].items()},
                            overall=stats["overall"]["cv_isi_mean"]),
        "stats": stats,
        "ee_weight_mV": {"mean": float(w_mV.mean()), "std": float(w_mV.std()),
                         "min": float(w_mV.min()), "max": float(w_mV.max()),
                         "histogram": {"bin_edges": edges.tolist(),
                                       "counts": hist.astype(int).tolist()}},
        "bytes_per_plastic_synapse": float(sum(mem.values())),
        "per_synapse_arrays": mem,
        "timing_s": timing,
    }


def ensemble(runs: list) -> dict:
    """Mean and sample standard deviation over seeds of the headline statistics."""
    out = {"seeds": [r["seed"] for r in runs],
           "sim_loop_s": mean_std([r["timing_s"]["sim_loop"] for r in runs])}
    if runs[0]["model"] == "song2000":
        for key in ("frac_below_0.1_gmax", "frac_above_0.9_gmax", "mean_weight_over_gmax"):
            out[key] = mean_std([r[key] for r in runs])
        rates = np.array([r["output"]["window_rates_hz"] for r in runs])
        out["window_rates_hz"] = {"mean": rates.mean(axis=0).tolist(),
                                  "std": (rates.std(axis=0, ddof=1) if len(runs) > 1
                                          else np.zeros(rates.shape[1])).tolist()}
        out["cv_isi_last_half"] = mean_std([r["output"]["cv_isi_last_half"] for r in runs])
    else:
        names = list(runs[0]["rate_hz"].keys())
        out["rate_hz"] = {n: mean_std([r["rate_hz"][n] for r in runs]) for n in names}
        out["cv_isi_mean"] = {n: mean_std([r["cv_isi_mean"][n] for r in runs])
                              for n in names + ["overall"]}
        out["ee_weight_mean_mV"] = mean_std([r["ee_weight_mV"]["mean"] for r in runs])
        out["ee_weight_std_mV"] = mean_std([r["ee_weight_mV"]["std"] for r in runs])
        out["n_synapses_total"] = mean_std([r["n_synapses"]["total"] for r in runs])
    return out


def main(argv=None) -> int:
    args = parse_args(argv)
    run = run_song2000 if args.model == "song2000" else run_cuba_stdp
    write_result(run_seeds(args, run, ensemble), args.out_json, args.quiet)
    return 0


if __name__ == "__main__":
    sys.exit(main())
