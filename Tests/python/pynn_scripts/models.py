"""The same PyNN script on NDML (`ndml`) or pyNN.nest (`nest`): two cells of every standard model
NDML runs, one driven by i_offset, both by excitatory and inhibitory synaptic volleys; prints
spikes, v (and w of the EIF models) as JSON. (IF_curr_delta is left out: pyNN 0.13 cannot record
v of NEST 3.10's iaf_psc_delta; test_pynn_backend.py checks it against its closed form.)

    python Tests/python/pynn_scripts/models.py ndml|nest
"""

import importlib
import json
import sys

sim = importlib.import_module("pynn_ndml" if sys.argv[1] == "ndml" else "pyNN.nest")
sim.setup(timestep=0.1, min_delay=0.1, **({} if sys.argv[1] == "ndml" else {"spike_precision": "on_grid"}))
source = sim.Population(1, sim.SpikeSourceArray(spike_times=[20.0, 25.0, 30.0, 120.0, 122.0]))
inhibition = sim.Population(1, sim.SpikeSourceArray(spike_times=[60.0, 61.0, 200.0]))
# (model, extra parameters, i_offset of the driven cell in nA, excitatory and inhibitory weight)
MODELS = [
    ("IF_curr_exp", {"tau_refrac": 2.0}, 1.0, 0.8, -0.8),
    ("IF_curr_alpha", {"tau_refrac": 2.0}, 1.0, 0.5, -0.5),
    ("IF_cond_exp", {"tau_refrac": 2.0}, 1.0, 0.02, 0.05),
    ("IF_cond_alpha", {"tau_refrac": 2.0}, 1.0, 0.01, 0.03),
    ("EIF_cond_exp_isfa_ista", {"tau_refrac": 0.5}, 0.9, 0.02, 0.05),
    ("EIF_cond_alpha_isfa_ista", {"tau_refrac": 0.5}, 0.9, 0.02, 0.05),
]
cells = {}
for model, extra, drive, w_exc, w_inh in MODELS:
    pair = sim.Population(2, getattr(sim, model)(**extra))
    pair[1:2].set(i_offset=drive)
    sim.Projection(source, pair, sim.AllToAllConnector(), sim.StaticSynapse(weight=w_exc, delay=1.0),
                   receptor_type="excitatory")
    sim.Projection(inhibition, pair, sim.AllToAllConnector(), sim.StaticSynapse(weight=w_inh, delay=1.0),
                   receptor_type="inhibitory")
    pair.record(["spikes", "v"] + (["w"] if model.startswith("EIF") else []))
    cells[model] = pair
sim.run(300.0)
results = {}
for model, pair in cells.items():
    segment = pair.get_data().segments[0]
    v = next(s for s in segment.analogsignals if s.name == "v")
    w = [s for s in segment.analogsignals if s.name == "w"]
    results[model] = {"spikes": [[float(t) for t in train] for train in segment.spiketrains],
                      "v0": [float(x) for x in v[:, 0].magnitude.ravel()],
                      "w1_last": float(w[0][-1, 1].magnitude) if w else 0.0}
sim.end()
print(json.dumps(results))
