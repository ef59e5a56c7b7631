"""The same PyNN STDP script on NDML (`ndml`) or pyNN.nest (`nest`): 20 presynaptic spike trains
onto IF_curr_exp cells made to fire at fixed times by a strong extra input; plastic synapses with
SpikePairRule and additive or multiplicative weight dependence (dendritic delay fraction 1, PyNN's
default); prints the final weights as JSON.

    python Tests/python/pynn_scripts/stdp.py ndml|nest additive|multiplicative
"""

import importlib
import json
import sys

import numpy as np

sim = importlib.import_module("pynn_ndml" if sys.argv[1] == "ndml" else "pyNN.nest")
dependence = sys.argv[2]
sim.setup(timestep=0.1, min_delay=0.1, **({} if sys.argv[1] == "ndml" else {"spike_precision": "on_grid"}))
rng = np.random.default_rng(1)
# A last presynaptic spike after every postsynaptic one: NEST applies a synapse's potentiation only at
# its next presynaptic spike, NDML at the postsynaptic spike; with it both have applied every pair.
pre_times = [np.round(np.sort(rng.uniform(5, 440, 12)), 1).tolist() + [480.0] for _ in range(20)]
post_times = [[20.0, 80.0, 150.0, 151.0, 300.0, 420.0], [50.0, 210.0, 330.0, 331.5, 400.0]]
pre = sim.Population(20, sim.SpikeSourceArray(spike_times=pre_times))
kick = sim.Population(2, sim.SpikeSourceArray(spike_times=post_times))
cells = sim.Population(2, sim.IF_curr_exp(tau_refrac=0.1, tau_syn_E=0.5, v_thresh=-50.0))
sim.Projection(kick, cells, sim.OneToOneConnector(), sim.StaticSynapse(weight=40.0, delay=0.1))
weights = sim.RandomDistribution("uniform", low=0.0005, high=0.0095, rng=sim.NumpyRNG(seed=3))
if dependence == "additive":
    wd = sim.AdditiveWeightDependence(w_min=0.0, w_max=0.01)
else:
    wd = sim.MultiplicativeWeightDependence(w_min=0.0, w_max=0.01)
stdp = sim.STDPMechanism(timing_dependence=sim.SpikePairRule(tau_plus=16.8, tau_minus=33.7, A_plus=0.05,
                                                             A_minus=0.06),
                         weight_dependence=wd, weight=weights, delay=1.0)
plastic = sim.Projection(pre, cells, sim.AllToAllConnector(), stdp, receptor_type="excitatory")
cells.record("spikes")
initial = np.array(plastic.get("weight", format="array"))
sim.run(500.0)
final = np.array(plastic.get("weight", format="array"))
spikes = [[float(t) for t in st] for st in cells.get_data().segments[0].spiketrains]
sim.end()
print(json.dumps({"initial": initial.tolist(), "final": final.tolist(), "post_spikes": spikes}))
