#!/usr/bin/env python3
"""ANNarchy reference runs of the Vogels-Abbott CUBA and COBA networks (Brette et al. 2007).

The networks of `brian2_reference.py` (NDML's `experiments/cuba.yaml` / `coba.yaml`) in ANNarchy
5.0.4.1 (PyPI `ANNarchy`, pinned with its extra dependencies in benchmarks/bench-requirements.txt),
with the same options, statistics and JSON shape, as a third peer for speed comparisons.
ANNarchy generates C++ for the network and compiles it with g++ (through CMake; OpenMP when
--threads > 1) inside `compile()`.

    python benchmarks/annarchy_reference.py --model cuba --duration-ms 1000 --threads 1 \
        --seed 1 --out-json results/annarchy_cuba.json
    python benchmarks/annarchy_reference.py --model coba --neurons 16000 --in-degree 80 ...

Source: ANNarchy's own example "COBA and CUBA networks" (notebooks/COBA.ipynb of
github.com/ANNarchy/ANNarchy.github.io, the 5.0 version of `examples/vogels_abbott/`; the pip
package ships no examples): one population of 4000 neurons, exc = P[:3200] and inh = P[3200:]
(PopulationViews), projections with targets 'exc' / 'inh' that increment g_exc / g_inh,
`fixed_probability(0.02)`, spike monitor on the whole population, dt = 0.1 ms. Deviations from
the example, all to reproduce brian2_reference.py (its parameters are imported from there):
  * COBA: no external current (the example adds I = 20 mV, i.e. 1 nA, to every neuron) and
    v(0) ~ normal(-65, 5) mV (example: normal(-55, 5)); as in Brette's COBA script;
  * CUBA: gi enters with a + sign and wi = -9 mV (the example writes "- g_inh" with wi = +9 mV:
    the same network);
  * integration methods (below), seeds (`Network(seed=...)`), --neurons / --in-degree, and
    `allow_self_connections=True` stated explicitly: with PopulationViews as pre and the whole
    population as post ANNarchy forces it to True anyway (pre != post), so the example's network
    has autapses too, like Brian2's connect(p=0.02).
Equations (ANNarchy syntax; parameters are population-wide constants):
  CUBA: tau_m * dv/dt = (El - v) + g_exc + g_inh;  tau_exc * dg_exc/dt = -g_exc;
        tau_inh * dg_inh/dt = -g_inh;  El = -49, Vt = -50, Vr = -60 mV, tau_m 20, tau_exc 5,
        tau_inh 10 ms, weights 1.62 / -9 mV, v(0) uniform in [-60, -50) mV, g(0) = 0.
  COBA: tau_m * dv/dt = (El - v) + g_exc * (Ee - v) + g_inh * (Ei - v), g's as above, El = Vr =
        -60, Ee = 0, Ei = -80, Vt = -50 mV, weights 0.6 / 6.7 (units of g_L = 10 nS),
        v(0) ~ normal(-65, 5), g_exc(0) ~ normal(4, 1.5), g_inh(0) ~ normal(20, 12) (negative
        draws kept).
  Both: spike "v > Vt", reset "v = Vr", refractory 5 ms.
Connectivity with `--in-degree K`: ANNarchy's `fixed_number_pre` cannot exclude autapses for
PopulationViews (its C++ pattern ignores allow_self_connections, which ANNarchy forces to True
when pre != post), so the sources are drawn with NumPy exactly as in brian2_reference.py
(`peer_common.fixed_in_degree_sources`, `numpy.random.default_rng(seed)`: the same graph as
Brian2 for the same seed) and handed over as a SciPy sparse matrix with `from_sparse`
(`from_function` fails in 5.0.4.1 when pre is a PopulationView: 'PopulationView' object has no
attribute 'net_id'). The projection is then flagged `_single_constant_weight` (what ANNarchy's
own `from_file` does for a uniform weight) so that the generated kernel is the single-weight
kernel `fixed_probability` gets, not one that loads a weight per synapse.

Numerics (differences from brian2_reference.py):
  * ANNarchy has no exact integrator for coupled linear ODEs (its 'exact' flag is an alias of
    'event-driven', only for variables whose steady state depends on no other variable).
    CUBA uses `exponential` (exponential Euler) by default, the closest to Brian2's 'exact':
    g_exc, g_inh decay exactly (x += (1 - exp(-dt/tau)) (0 - x)), and v relaxes exactly towards
    El + g_exc + g_inh held at their start-of-step values (Brian2 also integrates the decay of
    ge within the step). COBA uses `explicit` (forward Euler, ANNarchy's default and the example's
    choice), the same update as Brian2's 'euler' for COBA (all increments from the old values,
    then applied). `--method` overrides either (explicit, exponential, midpoint, rk4, implicit,
    semiimplicit).
  * Event order: each step first adds the spikes of the previous step to g (compute_psp), then
    integrates, then checks the threshold. ANNarchy's minimum delay is one step (delays = 0 and
    delays = dt are the same, no delay queue), and a spike of step n acts on v in step n+1. This
    is NDML's one-step delay and Brian2's delay 0; Brian2's and NEST's delay 0.1 ms act one step
    later (see the brian2_reference.py header: the statistics do not depend on it). `--delay-ms`
    (default 0.1 = dt) sets ANNarchy's delay; d > dt adds a delay queue of d / dt steps.
  * Refractory period: v is frozen (not integrated, spike test skipped) for int(5 ms / dt) = 50
    steps after the spike step, so the next spike can come 5.1 ms after a spike (Brian2: 5.0 ms,
    49 frozen steps); g_exc, g_inh keep evolving, as in Brian2. This makes COBA's rates and CV
    ~3 % lower than Brian2's (with 49 steps they agree; CUBA does not notice).
  * Random numbers: the network's NumPy Generator (`Network(seed=...)`, `net.default_rng`, passed
    explicitly to Uniform / Normal, which otherwise draw from an unseeded generator) for the
    initial values and the network's C++ std::mt19937 for fixed_probability; different streams
    from Brian2's. Runs are deterministic for a given seed and thread count.
  * float64 (ANNarchy's default dtype), -O3 -march=native (the flags from ANNarchy's config file
    ~/.config/ANNarchy/annarchy.json written at install time).

Timing ("timing_s", seconds, wall clock):
  * network_build: creating the Python objects (Network, neuron types, population, projections,
    monitor, initial-value distributions) and, with --in-degree, drawing the sources
    (`connectivity_draw`) and building the sparse matrices. The synapses themselves are only
    declared here; ANNarchy creates them in compile() (`instantiate`).
  * compile: `Network.compile()` minus `instantiate`: code generation, CMake and g++ (cold: a
    fresh temporary directory per run unless --build-dir is given, then ANNarchy recompiles only
    if the generated code changed).
  * instantiate: the last phase of compile() (ANNarchy's `Compiler._instantiate`, timed by
    wrapping it): loading the library, creating the C++ populations and projections including
    all synapses (fixed_probability runs in C++; from_sparse converts the matrix to a
    LILConnectivity in Python, column by column, then copies it), initial values, monitor.
  * sim_loop: wall time of `Network.simulate(duration)` alone.
  * total: all of the above plus reading the spikes back.
`peak_rss_bytes` is the process's peak resident set (getrusage; the compiler runs in child
processes and is not included), `threads` the OpenMP threads (`Network.config(num_threads=...)`,
the per-network form of `ANNarchy.setup(num_threads=...)`).

CMake must be on PATH (ANNarchy calls `cmake`); the `cmake` wheel in bench-requirements.txt puts
it into the venv's bin directory, which this script adds to PATH when cmake is not found.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from brian2_reference import COBA, CUBA, DT_MS, P_CONNECT  # noqa: E402  (the shared parameters)
from peer_common import (  # noqa: E402
    fixed_in_degree_sources, parse_va_args, peak_rss_bytes, run_seeds, save_spikes_npz,
    va_argument_parser, va_connectivity, va_ensemble, va_in_degrees, va_sizes, va_spike_summary,
    write_result)

DEFAULT_METHOD = {"cuba": "exponential", "coba": "explicit"}
METHODS = ["explicit", "exponential", "midpoint", "rk4", "implicit", "semiimplicit"]


def parse_args(argv=None):
    p = va_argument_parser(
        __doc__, threads_help="OpenMP threads (Network.config(num_threads=...)); default 1",
        seed_help="Network(seed=...) (default 1)",
        n_seeds_help="run seeds seed, ..., seed+n-1 in one process (each compiles its own network)",
        delay_help="synaptic delay (default 0.1 ms = dt, ANNarchy's minimum; see the header)")
    p.add_argument("--method", choices=METHODS, default=None,
                   help="ANNarchy integration method (default: exponential for CUBA, explicit for COBA)")
    p.add_argument("--build-dir", type=Path, default=None,
                   help="ANNarchy compile directory (default: a temporary one, deleted)")
    return parse_va_args(p, argv)


def import_annarchy():
    """Imports ANNarchy with an empty command line (it parses sys.argv itself, in import and in
    compile(), for its own flags) and cmake on PATH."""
    if shutil.which("cmake") is None:
        os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
        if shutil.which("cmake") is None:
            raise SystemExit("ANNarchy needs cmake on PATH (pip install cmake, see bench-requirements.txt)")
    sys.argv = sys.argv[:1]
    with contextlib.redirect_stdout(sys.stderr):  # its banner; stdout is for the JSON
        import ANNarchy
    return ANNarchy


def neuron_type(ann, model: str, method: str):
    """The ANNarchy Neuron of CUBA or COBA (parameters from brian2_reference.py)."""
    common = ["tau_exc * dg_exc/dt = -g_exc", "tau_inh * dg_inh/dt = -g_inh"]
    if model == "cuba":
        P = CUBA
        params = dict(El=P["El_mV"], Vr=P["Vr_mV"], Vt=P["Vt_mV"], tau_m=P["taum_ms"],
                      tau_exc=P["taue_ms"], tau_inh=P["taui_ms"])
        eqs = ["tau_m * dv/dt = (El - v) + g_exc + g_inh"] + common
    else:
        P = COBA
        params = dict(El=P["El_mV"], Vr=P["Vr_mV"], Vt=P["Vt_mV"], Ee=P["Ee_mV"], Ei=P["Ei_mV"],
                      tau_m=P["taum_ms"], tau_exc=P["taue_ms"], tau_inh=P["taui_ms"])
        eqs = ["tau_m * dv/dt = (El - v) + g_exc * (Ee - v) + g_inh * (Ei - v)"] + common
    neuron = ann.Neuron(parameters=params, equations=[f"{e} : {method}" for e in eqs],
                        spike="v > Vt", reset="v = Vr", refractory=P["tau_ref_ms"])
    return neuron, params


def sparse_weights(pre, post, n_pre, n_post, weight):
    """The (n_pre x n_post) CSC weight matrix `from_sparse` takes: rows are indices within the
    presynaptic PopulationView, columns postsynaptic ranks."""
    from scipy.sparse import csc_matrix

    return csc_matrix((np.full(pre.size, weight), (pre, post)), shape=(n_pre, n_post))


def run(args, seed: int, first: bool = True) -> dict:
    ann = import_annarchy()
    import ANNarchy.generator.Compiler as annarchy_compiler

    t_total0 = time.perf_counter()
    method = args.method or DEFAULT_METHOD[args.model]
    n_exc, n_inh = va_sizes(args.neurons)
    P = CUBA if args.model == "cuba" else COBA
    w_exc, w_inh = (P["we_mV"], P["wi_mV"]) if args.model == "cuba" else (P["we"], P["wi"])

    t0 = time.perf_counter()
    net = ann.Network(dt=DT_MS, seed=seed)
    net.config(num_threads=args.threads)
    neuron, params = neuron_type(ann, args.model, method)
    pop = net.create(geometry=n_exc + n_inh, neuron=neuron, name="neurons")
    rng = net.default_rng  # seeded by Network(seed=...); distributions default to an unseeded one
    if args.model == "cuba":
        pop.v = ann.Uniform(P["Vr_mV"], P["Vt_mV"], rng=rng)
    else:
        pop.v = ann.Normal(P["El_mV"] - 5.0, 5.0, rng=rng)
        pop.g_exc = ann.Normal(4.0, 1.5, rng=rng)
        pop.g_inh = ann.Normal(20.0, 12.0, rng=rng)
    proj_e = net.connect(pre=pop[:n_exc], post=pop, target="exc", name="syn_exc")
    proj_i = net.connect(pre=pop[n_exc:], post=pop, target="inh", name="syn_inh")
    t_draw = None
    if args.in_degree is None:
        for proj, w in ((proj_e, w_exc), (proj_i, w_inh)):
            proj.fixed_probability(probability=P_CONNECT, weights=w, delays=args.delay_ms,
                                   allow_self_connections=True)
    else:
        t_draw0 = time.perf_counter()
        conn_rng = np.random.default_rng(seed)  # as in brian2_reference.py
        k_exc, k_inh = va_in_degrees(args.in_degree)
        drawn = (fixed_in_degree_sources(conn_rng, n_exc + n_inh, 0, n_exc, k_exc),
                 fixed_in_degree_sources(conn_rng, n_exc + n_inh, n_exc, n_inh, k_inh))
        t_draw = time.perf_counter() - t_draw0
        for proj, w, (pre, post), start, n_pre in ((proj_e, w_exc, drawn[0], 0, n_exc),
                                                   (proj_i, w_inh, drawn[1], n_exc, n_inh)):
            proj.from_sparse(sparse_weights(pre - start, post, n_pre, n_exc + n_inh, w),
                             delays=args.delay_ms)
            proj._single_constant_weight = True  # one weight for the projection, as from_file does
    monitor = net.monitor(pop, ["spike"])
    t_build = time.perf_counter() - t0

    build_dir = args.build_dir or Path(tempfile.mkdtemp(prefix="annarchy_ref_"))
    t_inst = {"s": 0.0}
    instantiate = annarchy_compiler._instantiate

    def timed_instantiate(*a, **kw):
        t = time.perf_counter()
        try:
            return instantiate(*a, **kw)
        finally:
            t_inst["s"] = time.perf_counter() - t

    annarchy_compiler._instantiate = timed_instantiate
    try:
        t1 = time.perf_counter()
        with contextlib.redirect_stdout(sys.stderr):
            net.compile(directory=str(build_dir), silent=True)
        t_compile = time.perf_counter() - t1
    finally:
        annarchy_compiler._instantiate = instantiate

    t2 = time.perf_counter()
    net.simulate(args.duration_ms)
    t_sim = time.perf_counter() - t2

    spikes = monitor.get("spike")  # {rank: [time step, ...]}
    ranks = list(spikes)
    idx = np.repeat(np.asarray(ranks, dtype=np.int64), [len(spikes[rk]) for rk in ranks])
    t_ms = np.fromiter(itertools.chain.from_iterable(spikes[rk] for rk in ranks), dtype=np.float64,
                       count=idx.size) * DT_MS
    order = np.lexsort((idx, t_ms))
    t_ms, idx = t_ms[order], idx[order]
    n_syn = {"exc": int(proj_e.nb_synapses), "inh": int(proj_i.nb_synapses)}
    timing = {"network_build": t_build, "compile": t_compile - t_inst["s"],
              "instantiate": t_inst["s"], "sim_loop": t_sim}
    if t_draw is not None:
        timing["connectivity_draw"] = t_draw
    timing["total"] = time.perf_counter() - t_total0
    rss = peak_rss_bytes()

    net.clear()
    if args.build_dir is None:
        shutil.rmtree(build_dir, ignore_errors=True)
    save_spikes_npz(args, seed, t_ms, idx)

    summary = va_spike_summary(t_ms, idx, n_exc, n_inh, args.transient_ms, args.duration_ms)
    return {
        "simulator": "annarchy", "annarchy_version": ann.__release__, "model": args.model,
        "threads": args.threads, "seed": seed, "dt_ms": DT_MS, "duration_ms": args.duration_ms,
        "delay_ms": args.delay_ms, "integration_method": method,
        "parameters": params | {"w_exc": w_exc, "w_inh": w_inh, "refractory_ms": P["tau_ref_ms"]},
        "population_sizes": {"exc": n_exc, "inh": n_inh},
        "connectivity": va_connectivity(args, P_CONNECT),
        "n_synapses": n_syn["exc"] + n_syn["inh"],
        "n_synapses_by_source": n_syn,
        **summary,
        "timing_s": timing,
        "peak_rss_bytes": rss,
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    write_result(run_seeds(args, run, va_ensemble), args.out_json, args.quiet)
    return 0


if __name__ == "__main__":
    sys.exit(main())
