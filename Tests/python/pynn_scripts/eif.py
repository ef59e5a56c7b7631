"""The same PyNN script on NDML (`ndml`) or pyNN.nest (`nest`): two EIF_cond_*_isfa_ista cells of
each shape, one driven by i_offset, both by a synaptic volley; prints spikes, v and w as JSON.

    python Tests/python/pynn_scripts/eif.py ndml|nest
"""

import importlib
import json
import sys

sim = importlib.import_module("pynn_ndml" if sys.argv[1] == "ndml" else "pyNN.nest")
sim.setup(timestep=0.1, min_delay=0.1)
source = sim.Population(1, sim.SpikeSourceArray(spike_times=[20.0, 25.0, 30.0, 120.0, 122.0]))
cells = {}
for model in ("EIF_cond_exp_isfa_ista", "EIF_cond_alpha_isfa_ista"):
    pair = sim.Population(2, getattr(sim, model)(tau_refrac=0.5))
    pair[1:2].set(i_offset=0.9)
    sim.Projection(source, pair, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.02, delay=1.0),
                   receptor_type="excitatory")
    pair.record(["spikes", "v", "w"])
    cells[model] = pair
sim.run(300.0)
results = {}
for model, pair in cells.items():
    segment = pair.get_data().segments[0]
    v = next(s for s in segment.analogsignals if s.name == "v")
    w = next(s for s in segment.analogsignals if s.name == "w")
    results[model] = {"spikes": [[float(t) for t in train] for train in segment.spiketrains],
                      "v0": [float(x) for x in v[:, 0].magnitude.ravel()], "w1_last": float(w[-1, 1].magnitude)}
sim.end()
print(json.dumps(results))
