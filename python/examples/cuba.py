"""Vogels & Abbott's CUBA network (Brette et al. 2007 benchmark 2) as a PyNN script.

The same model as NDML's experiments/cuba.yaml: 3200 excitatory and 800 inhibitory IF_curr_exp
neurons, 2 % connectivity, weights 1.62 mV / −9 mV expressed as currents (PyNN's nA: the
jump of v per spike is w·R with R = τ_m/c_m = 80 MΩ). Runs on any PyNN backend:

    python python/examples/cuba.py ndml          # NDML (import pynn_ndml)
    python python/examples/cuba.py nest          # pyNN.nest, for comparison

Prints build and run time and the mean rates; `--duration` in ms, `--seed` for connectivity and
initial values (PyNN's NumpyRNG) and NDML's own streams.
"""

from __future__ import annotations

import argparse
import importlib
import json
import time


def build(sim, seed, n_exc=3200, n_inh=800):
    from pyNN.random import NumpyRNG, RandomDistribution

    rng = NumpyRNG(seed=seed)
    cm = 0.25  # nF → R = 20 ms / 0.25 nF = 80 MΩ
    r_mohm = 20.0 / cm
    params = dict(tau_m=20.0, cm=cm, tau_syn_E=5.0, tau_syn_I=10.0, v_rest=-49.0, v_thresh=-50.0,
                  v_reset=-60.0, tau_refrac=5.0, i_offset=0.0)
    exc = sim.Population(n_exc, sim.IF_curr_exp(**params), label="exc")
    inh = sim.Population(n_inh, sim.IF_curr_exp(**params), label="inh")
    for p in (exc, inh):
        p.initialize(v=RandomDistribution("uniform", low=-60.0, high=-50.0, rng=rng))
    w_e = sim.StaticSynapse(weight=1.62 / r_mohm, delay=0.1)
    w_i = sim.StaticSynapse(weight=-9.0 / r_mohm, delay=0.1)
    projections = [
        sim.Projection(exc, exc, sim.FixedProbabilityConnector(0.02, allow_self_connections=True, rng=rng),
                       w_e, receptor_type="excitatory"),
        sim.Projection(exc, inh, sim.FixedProbabilityConnector(0.02, rng=rng), w_e,
                       receptor_type="excitatory"),
        sim.Projection(inh, exc, sim.FixedProbabilityConnector(0.02, rng=rng), w_i,
                       receptor_type="inhibitory"),
        sim.Projection(inh, inh, sim.FixedProbabilityConnector(0.02, allow_self_connections=True, rng=rng),
                       w_i, receptor_type="inhibitory"),
    ]
    exc.record("spikes")
    inh.record("spikes")
    return exc, inh, projections


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("simulator", choices=["ndml", "nest", "brian2"])
    parser.add_argument("--duration", type=float, default=1000.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    sim = importlib.import_module("pynn_ndml" if args.simulator == "ndml" else f"pyNN.{args.simulator}")
    extra = {"threads": args.threads, "rng_seed": args.seed} if args.simulator == "ndml" else {}
    if args.simulator == "nest":
        extra = {"threads": args.threads, "rng_seed": args.seed}
    t0 = time.perf_counter()
    sim.setup(timestep=0.1, min_delay=0.1, **extra)
    exc, inh, _ = build(sim, args.seed)
    t1 = time.perf_counter()
    sim.run(args.duration)
    t2 = time.perf_counter()
    rates = {p.label: p.mean_spike_count() * 1000.0 / args.duration for p in (exc, inh)}
    sim.end()
    print(json.dumps({"simulator": args.simulator, "build_s": t1 - t0, "run_s": t2 - t1,
                      "rates_Hz": rates}))


if __name__ == "__main__":
    main()
