#!/usr/bin/env python3
"""NEST reference runs of the Vogels-Abbott CUBA and COBA networks (Brette et al. 2007).

The networks of `brian2_reference.py` (NDML's `experiments/cuba.yaml` / `coba.yaml`) built in
NEST 3.10.0 (`nest-simulator` from PyPI), with the same options, statistics and JSON shape, as a
second peer for speed comparisons (and a cross-check of the Brian2 figures).

    python benchmarks/nest_cuba_reference.py --model cuba --duration-ms 1000 --threads 1 \
        --seed 1 --out-json results/nest_cuba.json
    python benchmarks/nest_cuba_reference.py --model coba --neurons 16000 --in-degree 80 ...

Parameters are imported from `brian2_reference.py` (CUBA, COBA, P_CONNECT, DT_MS), so the peers
cannot drift apart. Network: N = 4000 (`--neurons`), exc = the first round(0.8 N) neurons, inh
= the rest, resolution dt = 0.1 ms, all synapses `static_synapse` with delay 0.1 ms
(`--delay-ms`), no external input, NEST kernel `rng_seed` = --seed, `local_num_threads` =
--threads. Connectivity: `pairwise_bernoulli` p = 0.02 from exc and from inh onto all neurons,
autapses allowed (NEST's default, as Brian2's connect(p=0.02); multapses cannot occur), or with
`--in-degree K` NEST's `fixed_indegree` rule, round(0.8 K) from exc and the rest from inh,
`allow_autapses` = `allow_multapses` = False (the same rule as brian2_reference.py; NEST draws
its own sources, so the graphs are not identical to Brian2's for the same seed).

CUBA -> `iaf_psc_exp` (exact integration, propagator matrix), derived from Brian2's
    dv/dt = (ge + gi - (v - El)) / taum,  dge/dt = -ge / taue,  dgi/dt = -gi / taui,
    on_pre: ge += we (we = 1.62 mV), gi += wi (wi = -9 mV).
  iaf_psc_exp: C_m dV/dt = -(C_m / tau_m) (V - E_L) + I_ex + I_in,  dI_ex/dt = -I_ex / tau_syn_ex,
    dI_in/dt = -I_in / tau_syn_in, a spike of weight w (pA) adds w to I_ex (w > 0) or I_in (w < 0).
  Dividing by C_m: dV/dt = (tau_m (I_ex + I_in) / C_m - (V - E_L)) / tau_m, which is Brian2's
  equation with ge = tau_m I_ex / C_m (and gi likewise); ge and I_ex decay with the same time
  constant, so a jump of we in ge is a jump of we C_m / tau_m in I_ex:
      w_pA = w_mV * C_m / tau_m   (pF / ms = nS; mV * nS = pA),
  and V(t) is identical for any C_m. With C_m = 200 pF, tau_m = 20 ms (C_m / tau_m = 10 nS):
  we = 16.2 pA, wi = -90 pA. Other parameters: tau_syn_ex = 5 ms, tau_syn_in = 10 ms,
  E_L = -49 mV, V_th = -50 mV, V_reset = -60 mV, t_ref = 5 ms, I_e = 0, delta = 0
  (deterministic threshold); V_m(0) uniform in [-60, -50) mV (`nest.random.uniform`), I(0) = 0.
COBA -> `iaf_cond_exp`: C_m dV/dt = -g_L (V - E_L) - g_ex (V - E_ex) - g_in (V - E_in),
  g_L = 10 nS, C_m = 200 pF (tau_m = 20 ms), E_L = -60 mV, E_ex = 0 mV, E_in = -80 mV,
  tau_syn_ex = 5 ms, tau_syn_in = 10 ms, V_th = -50 mV, V_reset = -60 mV, t_ref = 5 ms;
  weights 6 nS (exc) and -67 nS (inh: NEST routes negative weights to g_in, adding |w|) =
  Brian2's we = 0.6, wi = 6.7 in units of g_L; V_m(0) ~ normal(-65, 5) mV, g_ex(0) ~
  normal(40, 15) nS, g_in(0) ~ normal(200, 120) nS (Brian2's randn()*1.5+4, randn()*12+20 times
  g_L; negative draws kept, NEST accepts them).

Numerical differences from brian2_reference.py (CUBA agrees within the seed spread; COBA's
rates and CV come out 2-5 % lower, from the first two points; figures in benchmarks/README.md):
  * COBA: iaf_cond_exp integrates with GSL's adaptive RKF45 (error-controlled, effectively
    exact), Brian2 with forward Euler (its automatic choice, like Brian 1's COBA script), which
    fires slightly more than an accurate solution.
  * Refractory period: NEST clamps V for 50 steps after the spike step and can spike again 5.1 ms
    after a spike; Brian2 integrates again at exactly 5 ms (49 clamped steps). Synaptic
    variables keep evolving in both (NEST's iaf_psc_exp / iaf_cond_exp have no
    refractory_input switch).
  * Threshold: NEST fires at V >= V_th, Brian2 at v > Vt.
  * Event order with delay 0.1 ms: a spike in step n is added to I_syn / g at the end of step
    n+1 and acts on V from step n+2 on, as in Brian2 with delay 0.1 ms (its 'synapses' slot runs
    after the state update).
  * Random numbers: NEST's own generators (initial values per thread), not Brian2's.

Timing ("timing_s", seconds, wall clock): network_build = Create + Connect (including the spike
recorder), prepare / run / cleanup = nest.Prepare(), nest.Run(duration), nest.Cleanup(), which
is what nest.Simulate() does; sim_loop = their sum = the wall time of nest.Simulate (prepare
also builds NEST's presynaptic connection tables, which takes a noticeable share for large
networks; run alone is the time-step loop); sim_loop_cpu = process CPU time of the same (all
threads); total = build + simulate + reading the spikes back. `peak_rss_bytes` is the process's
peak resident set (getrusage), measured after the run.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from brian2_reference import COBA, CUBA, DT_MS, P_CONNECT  # noqa: E402  (the shared parameters)
from peer_common import (  # noqa: E402
    parse_va_args, peak_rss_bytes, run_seeds, save_spikes_npz, va_argument_parser, va_connectivity,
    va_ensemble, va_in_degrees, va_sizes, va_spike_summary, write_result)


def parse_args(argv=None):
    p = va_argument_parser(
        __doc__, threads_help="NEST local_num_threads (default 1)", seed_help="NEST rng_seed (default 1)",
        n_seeds_help="run seeds seed, ..., seed+n-1 in one process (JSON as brian2_reference.py)",
        delay_help="synaptic delay (default 0.1 ms)")
    return parse_va_args(p, argv)


def neuron_model(model: str) -> tuple[str, dict, float, float]:
    """(NEST model, parameters, exc weight, inh weight) of CUBA or COBA, from brian2_reference."""
    if model == "cuba":
        P = CUBA
        c_m = 200.0  # pF; any value gives the same V(t), see the header
        scale = c_m / P["taum_ms"]  # nS: mV -> pA
        params = {"C_m": c_m, "tau_m": P["taum_ms"], "tau_syn_ex": P["taue_ms"], "tau_syn_in": P["taui_ms"],
                  "E_L": P["El_mV"], "V_th": P["Vt_mV"], "V_reset": P["Vr_mV"], "t_ref": P["tau_ref_ms"],
                  "I_e": 0.0}
        return "iaf_psc_exp", params, P["we_mV"] * scale, P["wi_mV"] * scale
    P = COBA
    params = {"C_m": P["C_pF"], "g_L": P["gL_nS"], "E_L": P["El_mV"], "E_ex": P["Ee_mV"], "E_in": P["Ei_mV"],
              "tau_syn_ex": P["taue_ms"], "tau_syn_in": P["taui_ms"], "V_th": P["Vt_mV"],
              "V_reset": P["Vr_mV"], "t_ref": P["tau_ref_ms"], "I_e": 0.0}
    assert abs(P["C_pF"] / P["gL_nS"] - P["taum_ms"]) < 1e-12
    return "iaf_cond_exp", params, P["we"] * P["gL_nS"], -P["wi"] * P["gL_nS"]


def run(args, seed: int, first: bool = True) -> dict:
    import nest  # imported here so that --help works without NEST

    t_total0 = time.perf_counter()
    nest.ResetKernel()
    nest.verbosity = nest.VerbosityLevel.WARNING
    nest.SetKernelStatus({"local_num_threads": args.threads, "resolution": DT_MS, "rng_seed": seed})
    n_exc, n_inh = va_sizes(args.neurons)
    model, params, w_exc, w_inh = neuron_model(args.model)

    t0 = time.perf_counter()
    nodes = nest.Create(model, n_exc + n_inh, params=params)
    if args.model == "cuba":
        nodes.V_m = nest.random.uniform(CUBA["Vr_mV"], CUBA["Vt_mV"])
    else:
        g_l = COBA["gL_nS"]
        nodes.V_m = nest.random.normal(COBA["El_mV"] - 5.0, 5.0)
        nodes.g_ex = nest.random.normal(4.0 * g_l, 1.5 * g_l)
        nodes.g_in = nest.random.normal(20.0 * g_l, 12.0 * g_l)
    exc, inh = nodes[:n_exc], nodes[n_exc:]
    if args.in_degree is None:
        conn_e = conn_i = {"rule": "pairwise_bernoulli", "p": P_CONNECT, "allow_autapses": True}
    else:
        k_exc, k_inh = va_in_degrees(args.in_degree)
        conn_e, conn_i = ({"rule": "fixed_indegree", "indegree": k, "allow_autapses": False,
                           "allow_multapses": False} for k in (k_exc, k_inh))
    n_syn = {}
    for name, pre, conn, w in (("exc", exc, conn_e, w_exc), ("inh", inh, conn_i, w_inh)):
        before = int(nest.GetKernelStatus("num_connections"))
        syn = {"synapse_model": "static_synapse", "weight": w, "delay": args.delay_ms}
        nest.Connect(pre, nodes, conn, syn)
        n_syn[name] = int(nest.GetKernelStatus("num_connections")) - before
    recorder = nest.Create("spike_recorder")
    nest.Connect(nodes, recorder)
    t_build = time.perf_counter() - t0

    c0 = time.process_time()
    t1 = time.perf_counter()
    nest.Prepare()
    t2 = time.perf_counter()
    nest.Run(args.duration_ms)
    t3 = time.perf_counter()
    nest.Cleanup()
    t4 = time.perf_counter()
    sim_cpu = time.process_time() - c0

    ev = recorder.get("events")
    t_ms = np.asarray(ev["times"], dtype=np.float64)
    idx = np.asarray(ev["senders"], dtype=np.int64) - nodes[0].global_id
    order = np.lexsort((idx, t_ms))
    t_ms, idx = t_ms[order], idx[order]
    timing = {"network_build": t_build, "sim_loop": t4 - t1, "prepare": t2 - t1, "run": t3 - t2,
              "cleanup": t4 - t3, "sim_loop_cpu": sim_cpu, "total": time.perf_counter() - t_total0}
    save_spikes_npz(args, seed, t_ms, idx)

    summary = va_spike_summary(t_ms, idx, n_exc, n_inh, args.transient_ms, args.duration_ms)
    return {
        "simulator": "nest", "nest_version": nest.__version__, "model": args.model,
        "neuron_model": model, "threads": args.threads, "seed": seed, "dt_ms": DT_MS,
        "duration_ms": args.duration_ms, "delay_ms": args.delay_ms,
        "integration_method": "exact (propagators)" if args.model == "cuba" else "GSL RKF45 (adaptive)",
        "parameters": params | {"w_exc": w_exc, "w_inh": w_inh,
                                "weight_unit": "pA" if args.model == "cuba" else "nS"},
        "population_sizes": {"exc": n_exc, "inh": n_inh},
        "connectivity": va_connectivity(args, P_CONNECT),
        "n_synapses": n_syn["exc"] + n_syn["inh"],
        "n_synapses_by_source": n_syn,
        **summary,
        "timing_s": timing,
        "peak_rss_bytes": peak_rss_bytes(),
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    write_result(run_seeds(args, run, va_ensemble), args.out_json, args.quiet)
    return 0


if __name__ == "__main__":
    sys.exit(main())
