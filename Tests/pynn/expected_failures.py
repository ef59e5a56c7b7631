"""PyNN scenarios that do not pass on NDML, each with its reason (also listed in docs/pynn.md).

Strict: a scenario listed here that passes fails the run (remove it from the list), as does a
scenario not listed here that fails.
"""

EXPECTED_FAILURES = {
    # Outside NDML's scope: point neurons of the LIF family only.
    "test_HH_cond_exp": "Hodgkin–Huxley neurons are outside NDML's scope",
    "test_scenario5": "multicompartment neurons (MultiCompartmentNeuron) are outside NDML's scope",
    "test_composed_neuron_model_homogeneous_receptors": (
        "PyNN's composed PointNeuron models (AdExp/LIF + AlphaPSR/CurrExpPostSynapticResponse with "
        "named receptors) are not mapped"),
    # Models NDML does not have yet.
    "test_scenario4": (
        "Tsodyks–Markram synapses with distance-dependent (per-synapse) delays: NDML keeps u, x per "
        "source neuron and needs one delay per short_term projection"),
    "test_SpikeSourceGamma": "no gamma-process spike source in NDML",
    "test_SpikeSourcePoissonRefractory": "no Poisson source with dead time in NDML",
    "test_simple_stochastic_synapse": "no stochastic transmission (SimpleStochasticSynapse) in NDML",
    # Clock-driven engine.
    "test_issue259": "spike times off the time grid (spike_precision='off_grid'): NDML is clock-driven",
}
