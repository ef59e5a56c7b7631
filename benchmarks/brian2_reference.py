#!/usr/bin/env python3
"""Brian2 reference runs of the Vogels-Abbott CUBA and COBA networks (Brette et al. 2007).

Used as the peer for NDML's `experiments/cuba.yaml` / `experiments/coba.yaml` (SCIENCE.md
section 6.2) by `Tests/python/test_brian2_agreement.py`, and as a speed reference.

    python benchmarks/brian2_reference.py --model cuba --duration-ms 1000 \
        --device cpp_standalone --threads 1 --seed 1 --out-json cuba.json
    python benchmarks/brian2_reference.py --model cuba --neurons 16000 --in-degree 80 ...

Network (both models): 4000 LIF neurons in one group, exc = neurons 0..3199, inh = 3200..3999,
every ordered pair (i, j) (autapses included, as in Brian2's CUBA example) connected
independently with p = 0.02 (Synapses.connect(p=0.02)), dt = 0.1 ms, threshold v > -50 mV,
reset v = -60 mV, refractory 5 ms (v clamped; synaptic variables keep decaying), homogeneous
delay 0.1 ms = 1 dt (NDML delivers with a minimum delay of one step; `--delay-ms` changes it).
Event order differs slightly: Brian2 adds a spike's weight in the 'synapses' slot after that
step's state update (delay 0: v feels it one step later), while NDML adds arrivals before
integrating, so NDML's one-step delay acts like Brian2's delay 0. The statistics do not care:
over 5 seeds x 2 s, delays 0 / 0.1 / 0.2 ms give CUBA 5.62 / 5.65 / 5.65 Hz (exc) and COBA
19.7 / 19.6 / 19.7 Hz (exc), CVs within 0.03.

Scaling (for speed comparisons; `nest_cuba_reference.py` and `annarchy_reference.py` take the
same options): `--neurons N` (default 4000) keeps exc = round(0.8 N) neurons 0..N_exc-1 and
inh = the rest, with p = 0.02 as above (the mean in-degree grows with N). `--in-degree K` replaces
connect(p=0.02) by a fixed in-degree: every neuron receives exactly round(0.8 K) synapses from
distinct excitatory and K - round(0.8 K) from distinct inhibitory neurons, never from itself
(no autapses, no multapses), drawn with NumPy (`numpy.random.default_rng(seed)`,
`peer_common.fixed_in_degree_sources`) and passed to `Synapses.connect(i=..., j=...)`; weights
and everything else are unchanged. K = 80 at N = 4000 is the p = 0.02 network in expectation
(mean in-degree 0.02 * 4000 = 80, 64 exc + 16 inh), though not in its statistics (without the
in-degree spread CUBA fires at ~5.1 instead of ~5.7 Hz). With either option the JSON gains
`connectivity` (rule, in-degrees) and, with --in-degree, `timing_s.connectivity_draw` (the NumPy
draw, also counted in network_build); without them the output is as before.

CUBA = Brette et al. 2007 benchmark 2, exactly Brian2's own example `examples/CUBA.py`
(brian-team/brian2; also `brian2/tests/features/speed.py::CUBAFixedConnectivity`):
    dv/dt  = (ge + gi - (v - El)) / taum : volt (unless refractory)
    dge/dt = -ge / taue : volt
    dgi/dt = -gi / taui : volt
    taum = 20 ms, taue = 5 ms, taui = 10 ms, El = -49 mV, Vt = -50 mV, Vr = -60 mV,
    we = (60*0.27/10) mV = 1.62 mV (on_pre: ge += we), wi = (-20*4.5/10) mV = -9 mV (gi += wi),
    v(0) = Vr + rand()*(Vt - Vr) (uniform in [-60, -50) mV), ge(0) = gi(0) = 0.
    Integration: method 'exact' (alias 'linear'): the analytic solution of the linear system
    over one step (Brian2 picks it automatically for these equations; the example names it).

COBA = Brette et al. 2007 benchmark 1. Brian2 ships no LIF-COBA example (its gallery has
only COBAHH, benchmark 3), so this is the Brian team's own COBA script, R. Brette, Dec 2007,
`examples/misc/COBA.py` of Brian 1 (brian-team/brian), written in Brian2 syntax with
absolute voltages (Brian 1 measured v relative to the -60 mV rest; conductances are in
units of the leak conductance g_L = 10 nS, i.e. C = 200 pF, taum = C/g_L = 20 ms):
    dv/dt  = (ge*(Ee - v) + gi*(Ei - v) - (v - El)) / taum : volt (unless refractory)
    dge/dt = -ge / taue : 1
    dgi/dt = -gi / taui : 1
    taum = 20 ms, taue = 5 ms, taui = 10 ms, El = -60 mV, Ee = 0 mV, Ei = -80 mV,
    Vt = -50 mV, Vr = -60 mV, refractory 5 ms,
    we = 6/10 = 0.6 (6 nS / g_L; on_pre: ge += we), wi = 67/10 = 6.7 (67 nS / g_L; gi += wi),
    v(0) = El + (randn()*5 - 5) mV  (normal, mean -65 mV, sd 5 mV),
    ge(0) = randn()*1.5 + 4, gi(0) = randn()*12 + 20  (normal, in units of g_L: mean 40 nS
    sd 15 nS and mean 200 nS sd 120 nS; negative draws are kept, as in the original).
    No external input: the random initial conductances start self-sustained activity.
    Integration: forward Euler (Brian 1 used `order=1` = Euler; Brian2's automatic choice
    for these equations is also 'euler': 'exact' does not apply because ge*v is not linear,
    and NeuronGroup's default method list is ('exact', 'euler', 'heun'), which does not
    include 'exponential_euler'). `--coba-method exponential_euler` is available.

Timing (seconds, in the JSON under "timing_s"):
  * sim_loop: Brian2's `device._last_run_time`, set by both devices to the wall time of the
    time-step loop only. Runtime: `Network.run` measures it after `before_run` (code
    generation / Cython compilation) - brian2/core/network.py. cpp_standalone: the C++
    `Network::run` measures its loop with std::chrono and writes it to
    `results/last_run_info.txt`, which `CPPStandaloneDevice.run` reads back into
    `device._last_run_time` - brian2/devices/cpp_standalone/{device.py,templates/network.cpp}.
    It excludes compilation, synapse creation, initialisation and result writing.
  * compile: cpp_standalone: `device.timers["compile"]` ('make clean' + 'make');
    runtime: wall time of run() minus sim_loop (code generation + Cython compilation of
    the code objects, or loading them from Cython's cache at ~/.cython/brian_extensions).
  * run_binary (cpp_standalone only): `device.timers["run_binary"]`: the whole ./main run
    (synapse creation, initialisation, loop, writing results).
  * network_build: Python wall time of creating the objects (runtime: includes synapse
    creation; cpp_standalone: only recording them for code generation).
  * total: wall time of the whole simulation part of this script.

Deterministic for a given (--seed, --device, --threads, --runtime-target): brian2.seed()
seeds NumPy and the generated code's RNG, and all random initialisation and connectivity
are string expressions evaluated in generated code.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peer_common import (  # noqa: E402
    VA_DEFAULT_NEURONS, brian2_run_header, fixed_in_degree_sources, parse_va_args, run_seeds,
    run_timed, save_spikes_npz, start_brian2_run, va_argument_parser, va_connectivity, va_ensemble,
    va_in_degrees, va_sizes, va_spike_summary, write_result)

# Network constants, also imported by nest_cuba_reference.py and annarchy_reference.py.
N_EXC, N_INH = va_sizes(VA_DEFAULT_NEURONS)  # 3200, 800 (the default size)
N_TOTAL = N_EXC + N_INH
P_CONNECT = 0.02
DT_MS = 0.1

COMMON = dict(taum_ms=20.0, taue_ms=5.0, taui_ms=10.0, Vt_mV=-50.0, Vr_mV=-60.0, tau_ref_ms=5.0)
CUBA = dict(COMMON, El_mV=-49.0, we_mV=60 * 0.27 / 10, wi_mV=-20 * 4.5 / 10)
COBA = dict(COMMON, El_mV=-60.0, Ee_mV=0.0, Ei_mV=-80.0, we=6.0 / 10.0, wi=67.0 / 10.0,
            gL_nS=10.0, C_pF=200.0)


def parse_args(argv=None):
    p = va_argument_parser(
        __doc__,
        threads_help="cpp_standalone OpenMP threads; 1 (default) generates code without "
                     "OpenMP (openmp_threads = 0). Ignored by the runtime device.",
        n_seeds_help="run seeds seed, seed+1, ..., seed+n-1 in one process; the JSON then holds "
                     '{"ensemble": {mean and std over seeds}, "runs": [one result per seed]}',
        delay_help="homogeneous synaptic delay (default 0.1 ms = 1 dt, as NDML's minimum)")
    p.add_argument("--device", choices=["runtime", "cpp_standalone"], default="cpp_standalone")
    p.add_argument("--coba-method", default="euler",
                   help="Brian2 integration method for COBA (default 'euler' = Brian2's choice)")
    p.add_argument("--runtime-target", choices=["cython", "numpy"], default="cython",
                   help="code generation target of the runtime device")
    p.add_argument("--build-dir", type=Path, default=None,
                   help="cpp_standalone project directory (default: a temporary one, deleted)")
    return parse_va_args(p, argv)


def run(args, seed: int, first: bool = True) -> dict:
    """Build and simulate the network once with `seed`; return the result dict."""
    import brian2 as b2
    from brian2 import mV, ms

    standalone, build_dir, t_total0 = start_brian2_run(args, seed, first, "brian2_ref_", DT_MS)

    if args.model == "cuba":
        P = CUBA
        ns = dict(taum=P["taum_ms"] * ms, taue=P["taue_ms"] * ms, taui=P["taui_ms"] * ms,
                  El=P["El_mV"] * mV, Vt=P["Vt_mV"] * mV, Vr=P["Vr_mV"] * mV,
                  we=P["we_mV"] * mV, wi=P["wi_mV"] * mV)
        eqs = """
        dv/dt  = (ge + gi - (v - El)) / taum : volt (unless refractory)
        dge/dt = -ge / taue : volt
        dgi/dt = -gi / taui : volt
        """
        method = "exact"
    else:
        P = COBA
        ns = dict(taum=P["taum_ms"] * ms, taue=P["taue_ms"] * ms, taui=P["taui_ms"] * ms,
                  El=P["El_mV"] * mV, Ee=P["Ee_mV"] * mV, Ei=P["Ei_mV"] * mV,
                  Vt=P["Vt_mV"] * mV, Vr=P["Vr_mV"] * mV, we=P["we"], wi=P["wi"])
        eqs = """
        dv/dt  = (ge*(Ee - v) + gi*(Ei - v) - (v - El)) / taum : volt (unless refractory)
        dge/dt = -ge / taue : 1
        dgi/dt = -gi / taui : 1
        """
        method = args.coba_method

    n_exc, n_inh = va_sizes(args.neurons)
    t_build0 = time.perf_counter()
    G = b2.NeuronGroup(n_exc + n_inh, eqs, threshold="v > Vt", reset="v = Vr",
                       refractory=P["tau_ref_ms"] * ms, method=method, namespace=ns,
                       name="neurons")
    if args.model == "cuba":
        G.v = "Vr + rand() * (Vt - Vr)"
        G.ge = 0 * mV
        G.gi = 0 * mV
    else:
        G.v = "El + (randn() * 5 - 5) * mV"
        G.ge = "randn() * 1.5 + 4"
        G.gi = "randn() * 12 + 20"
    Ge = G[:n_exc]
    Gi = G[n_exc:]
    delay = args.delay_ms * ms
    Se = b2.Synapses(Ge, G, on_pre="ge_post += we", delay=delay, namespace=ns, name="syn_exc")
    Si = b2.Synapses(Gi, G, on_pre="gi_post += wi", delay=delay, namespace=ns, name="syn_inh")
    t_draw = None
    if args.in_degree is None:
        Se.connect(p=P_CONNECT)
        Si.connect(p=P_CONNECT)
    else:
        t_draw0 = time.perf_counter()
        rng = np.random.default_rng(seed)
        k_exc, k_inh = va_in_degrees(args.in_degree)
        pre_e, post_e = fixed_in_degree_sources(rng, n_exc + n_inh, 0, n_exc, k_exc)
        pre_i, post_i = fixed_in_degree_sources(rng, n_exc + n_inh, n_exc, n_inh, k_inh)
        t_draw = time.perf_counter() - t_draw0
        Se.connect(i=pre_e, j=post_e)  # i: index within Ge (= global id)
        Si.connect(i=pre_i - n_exc, j=post_i)  # i: index within Gi
    mon = b2.SpikeMonitor(G, name="spikes")
    net = b2.Network(G, Se, Si, mon)
    t_build = time.perf_counter() - t_build0

    timing = run_timed(args, net, t_build)
    if t_draw is not None:
        timing["connectivity_draw"] = t_draw

    t_ms = np.asarray(mon.t[:] / ms, dtype=np.float64)
    idx = np.asarray(mon.i[:], dtype=np.int64)
    n_syn_exc = int(len(Se))
    n_syn_inh = int(len(Si))
    timing["total"] = time.perf_counter() - t_total0

    if standalone and args.build_dir is None:
        shutil.rmtree(build_dir, ignore_errors=True)
    save_spikes_npz(args, seed, t_ms, idx)

    summary = va_spike_summary(t_ms, idx, n_exc, n_inh, args.transient_ms, args.duration_ms)
    scaled = args.in_degree is not None or args.neurons != VA_DEFAULT_NEURONS
    return brian2_run_header(args, seed, args.model, DT_MS, method, P) | {
        "population_sizes": {"exc": n_exc, "inh": n_inh},
    } | ({"connectivity": va_connectivity(args, P_CONNECT)} if scaled else {}) | {
        "n_synapses": n_syn_exc + n_syn_inh,
        "n_synapses_by_source": {"exc": n_syn_exc, "inh": n_syn_inh},
        "n_spikes": summary["n_spikes"],
        "rate_hz": summary["rate_hz"],
        "cv_isi_mean": summary["cv_isi_mean"],
        "stats": summary["stats"],
        "timing_s": timing,
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    write_result(run_seeds(args, run, va_ensemble), args.out_json, args.quiet)
    return 0


if __name__ == "__main__":
    sys.exit(main())
