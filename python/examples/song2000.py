"""Song, Miller & Abbott (2000) as a PyNN script: 1000 plastic Poisson inputs (20 Hz, additive
pair STDP) and 200 static inhibitory ones (10 Hz) onto one IF_cond_exp neuron; the weights end
bimodal. The same model as NDML's experiments/stdp_song2000.yaml (µS here, nS there).

    python python/examples/song2000.py ndml --duration 100000
"""

from __future__ import annotations

import argparse
import importlib
import json
import time

import numpy as np

W_MAX_US = 0.00015  # 0.15 nS


def build(sim, seed):
    from pyNN.random import NumpyRNG, RandomDistribution

    rng = NumpyRNG(seed=seed)
    neuron = sim.Population(1, sim.IF_cond_exp(
        cm=0.2, tau_m=20.0, v_rest=-70.0, e_rev_E=0.0, e_rev_I=-70.0, tau_syn_E=5.0, tau_syn_I=5.0,
        v_thresh=-54.0, v_reset=-60.0, tau_refrac=0.0, i_offset=0.0), label="neuron")
    neuron.initialize(v=-60.0)
    exc = sim.Population(1000, sim.SpikeSourcePoisson(rate=20.0), label="exc_in")
    inh = sim.Population(200, sim.SpikeSourcePoisson(rate=10.0), label="inh_in")
    stdp = sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(tau_plus=20.0, tau_minus=20.0, A_plus=0.005, A_minus=0.00525),
        weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=W_MAX_US),
        weight=RandomDistribution("uniform", low=0.0, high=W_MAX_US, rng=rng), delay=0.1,
        dendritic_delay_fraction=0.0)
    plastic = sim.Projection(exc, neuron, sim.AllToAllConnector(), stdp, receptor_type="excitatory")
    sim.Projection(inh, neuron, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.0005, delay=0.1),
                   receptor_type="inhibitory")
    neuron.record("spikes")
    return neuron, plastic


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("simulator", choices=["ndml", "nest", "brian2"])
    parser.add_argument("--duration", type=float, default=100_000.0)
    parser.add_argument("--seed", type=int, default=2000)
    args = parser.parse_args()
    sim = importlib.import_module("pynn_ndml" if args.simulator == "ndml" else f"pyNN.{args.simulator}")
    extra = {"rng_seed": args.seed}
    t0 = time.perf_counter()
    sim.setup(timestep=0.1, min_delay=0.1, **extra)
    neuron, plastic = build(sim, args.seed)
    t1 = time.perf_counter()
    sim.run(args.duration)
    t2 = time.perf_counter()
    w = np.array(plastic.get("weight", format="array")).ravel() / W_MAX_US
    rate = neuron.mean_spike_count() * 1000.0 / args.duration
    sim.end()
    print(json.dumps({"simulator": args.simulator, "build_s": t1 - t0, "run_s": t2 - t1,
                      "rate_Hz": rate, "fraction_low": float((w < 0.1).mean()),
                      "fraction_high": float((w > 0.9).mean())}))


if __name__ == "__main__":
    main()
