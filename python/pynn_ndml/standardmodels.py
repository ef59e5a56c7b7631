"""PyNN's standard models on NDML.

Cell types keep PyNN's own parameter names as their native names (identity translations): the
mapping to NDML's models, names and units happens once, in `compiler.py`, where it is documented
next to the NDML model it targets. Models NDML does not have raise PyNN's `NotImplementedError`
(through `ModelNotAvailable`) naming the model, never a silent approximation.
"""

from __future__ import annotations

import numpy as np
from pyNN import errors
from pyNN.parameters import ParameterSpace, Sequence
from pyNN.standardmodels import (
    ModelNotAvailable,
    StandardCurrentSource,
    build_translations,
    cells,
    electrodes,
    synapses,
)

from .simulator import state


def _identity(cls):
    """Translations mapping each standard parameter to itself (NDML's mapping is in compiler.py)."""
    return build_translations(*[(name, name) for name in cls.default_parameters])


# -- cells ------------------------------------------------------------------------------------
def _cell(base, ndml_model, synapse_shape=None):
    """PyNN's standard cell `base` on NDML: PyNN's parameter names kept, the NDML model it maps to."""
    attributes = {"__doc__": base.__doc__, "__module__": __name__, "translations": _identity(base),
                  "ndml_model": ndml_model}
    if synapse_shape:
        attributes["ndml_synapse_shape"] = synapse_shape
    return type(base.__name__, (base,), attributes)


IF_curr_exp = _cell(cells.IF_curr_exp, "lif_cuba")
IF_curr_alpha = _cell(cells.IF_curr_alpha, "lif_cuba", "alpha")
IF_curr_delta = _cell(cells.IF_curr_delta, "lif_cuba")
IF_cond_exp = _cell(cells.IF_cond_exp, "lif_coba")
IF_cond_alpha = _cell(cells.IF_cond_alpha, "lif_coba", "alpha")
SpikeSourcePoisson = _cell(cells.SpikeSourcePoisson, "poisson")
SpikeSourceArray = _cell(cells.SpikeSourceArray, "spike_source")


class HH_cond_exp(ModelNotAvailable):
    """Hodgkin–Huxley neurons are outside NDML's scope (point LIF-family models only)."""


EIF_cond_exp_isfa_ista = _cell(cells.EIF_cond_exp_isfa_ista, "adex")
EIF_cond_alpha_isfa_ista = _cell(cells.EIF_cond_alpha_isfa_ista, "adex", "alpha")


class Izhikevich(ModelNotAvailable):
    """No Izhikevich model in NDML."""


class SpikeSourceGamma(ModelNotAvailable):
    """No gamma-process source in NDML."""


class SpikeSourcePoissonRefractory(ModelNotAvailable):
    """No Poisson source with dead time in NDML."""


class SpikeSourceInhGamma(ModelNotAvailable):
    """No inhomogeneous gamma source in NDML."""


class IF_cond_exp_gsfa_grr(ModelNotAvailable):
    """No spike-frequency adaptation/relative refractoriness conductances in NDML."""


class IF_facets_hardware1(ModelNotAvailable):
    """Not available."""


class GIF_cond_exp(ModelNotAvailable):
    """Not available."""


# -- synapses ---------------------------------------------------------------------------------
class StaticSynapse(synapses.StaticSynapse):
    __doc__ = synapses.StaticSynapse.__doc__
    translations = build_translations(("weight", "weight"), ("delay", "delay"))

    def _get_minimum_delay(self):
        return state.min_delay


class TsodyksMarkramSynapse(synapses.TsodyksMarkramSynapse):
    __doc__ = synapses.TsodyksMarkramSynapse.__doc__
    translations = build_translations(
        ("weight", "weight"), ("delay", "delay"), ("U", "U"), ("tau_rec", "tau_rec"),
        ("tau_facil", "tau_facil"),
    )

    def _get_minimum_delay(self):
        return state.min_delay


class STDPMechanism(synapses.STDPMechanism):
    __doc__ = synapses.STDPMechanism.__doc__
    base_translations = build_translations(("weight", "weight"), ("delay", "delay"),
                                           ("dendritic_delay_fraction", "dendritic_delay_fraction"))

    def _get_minimum_delay(self):
        return state.min_delay


class AdditiveWeightDependence(synapses.AdditiveWeightDependence):
    __doc__ = synapses.AdditiveWeightDependence.__doc__
    translations = build_translations(("w_max", "w_max"), ("w_min", "w_min"))
    ndml_mu = 0.0


class MultiplicativeWeightDependence(synapses.MultiplicativeWeightDependence):
    __doc__ = synapses.MultiplicativeWeightDependence.__doc__
    translations = build_translations(("w_max", "w_max"), ("w_min", "w_min"))
    ndml_mu = 1.0


class SpikePairRule(synapses.SpikePairRule):
    __doc__ = synapses.SpikePairRule.__doc__
    translations = build_translations(
        ("tau_plus", "tau_plus"), ("tau_minus", "tau_minus"), ("A_plus", "A_plus"),
        ("A_minus", "A_minus"),
    )


class ElectricalSynapse(ModelNotAvailable):
    """No gap junctions in NDML."""


class SimpleStochasticSynapse(ModelNotAvailable):
    """No stochastic transmission in NDML."""


class StochasticTsodyksMarkramSynapse(ModelNotAvailable):
    """No stochastic transmission in NDML."""


class MultiQuantalSynapse(ModelNotAvailable):
    """No quantal release in NDML."""


class AdditivePotentiationMultiplicativeDepression(ModelNotAvailable):
    """Not mapped yet (NDML's pair_stdp has mu_plus = 0, mu_minus = 1: its w_min convention differs)."""


class GutigWeightDependence(ModelNotAvailable):
    """Not mapped yet."""


class Vogels2011Rule(ModelNotAvailable):
    """No inhibitory STDP rule in NDML."""


# -- current sources --------------------------------------------------------------------------
class NDMLCurrentSource(StandardCurrentSource):
    """A current source: its parameters (PyNN names and units) and the cells it is injected into."""

    def __init__(self, **parameters):
        object.__setattr__(self, "_ndml_parameters", {})
        object.__setattr__(self, "cells", [])
        object.__setattr__(self, "recording", False)
        super().__init__(**parameters)
        space = ParameterSpace(self.default_parameters, self.get_schema(), shape=(1,))
        space.update(**parameters)
        self.set_native_parameters(self.translate(space))
        state.current_sources.append(self)

    def get_native_parameters(self):
        return ParameterSpace(dict(self._ndml_parameters))

    def set_native_parameters(self, parameters):
        parameters.evaluate(simplify=True)
        for name, value in parameters.items():
            if isinstance(value, Sequence):
                value = np.array(value.value, dtype=float)
            elif isinstance(value, np.ndarray) and value.dtype == object:
                value = np.array(value[0].value, dtype=float)
            self._ndml_parameters[name] = value
        self._check()

    def _check(self):
        """Checks and normalises the parameters (StepCurrentSource puts its times on the grid)."""

    def inject_into(self, cells):
        for cell in cells:
            if not cell.celltype.injectable:
                raise TypeError("Can't inject current into a spike source.")
            self.cells.append(cell)

    def record(self):
        object.__setattr__(self, "recording", True)

    def _snapshot(self):
        return {"parameters": {k: np.copy(v) for k, v in self._ndml_parameters.items()},
                "cells": list(self.cells)}

    def _get_data(self):
        """The current NDML injected (nA) during the step starting at each time 0, dt, …, t, as
        recorded by the engine (`record.inputs`); one column per target neuron if several."""
        if not self.recording:
            raise errors.RecordingError("current", self.__class__.__name__)
        n = int(round(state.t / state.dt)) + 1
        times = np.arange(n) * state.dt
        if state.results is None:
            return times, np.zeros(n)
        current = state.results.input_current(state.current_sources.index(self), times, state.dt) / 1000.0
        return times, current[:, 0] if current.shape[1] == 1 else current


class DCSource(NDMLCurrentSource, electrodes.DCSource):
    __doc__ = electrodes.DCSource.__doc__
    translations = _identity(electrodes.DCSource)


class StepCurrentSource(NDMLCurrentSource, electrodes.StepCurrentSource):
    __doc__ = electrodes.StepCurrentSource.__doc__
    translations = _identity(electrodes.StepCurrentSource)

    def _check(self):
        times = np.atleast_1d(self._ndml_parameters.get("times", np.array([])))
        amplitudes = np.atleast_1d(self._ndml_parameters.get("amplitudes", np.array([])))
        if times.size != amplitudes.size:
            raise errors.InvalidParameterValueError(
                f"StepCurrentSource: times ({times.size}) and amplitudes ({amplitudes.size}) "
                "must have the same length")
        if (times < 0).any():
            raise ValueError("Step current cannot accept negative timestamps.")
        if (np.diff(times) <= 0).any():
            raise ValueError("Step current timestamps should be monotonically increasing.")
        # Times go to the step grid; of several times in one step the last amplitude holds
        # (the amplitude NDML would apply: its schedule changes once per step).
        grid = np.rint(times / state.dt) * state.dt
        keep = np.append(np.diff(grid) > 0, True) if grid.size else np.zeros(0, dtype=bool)
        self._ndml_parameters["times"] = grid[keep]
        self._ndml_parameters["amplitudes"] = amplitudes[keep]


class ACSource(NDMLCurrentSource, electrodes.ACSource):
    __doc__ = electrodes.ACSource.__doc__
    translations = _identity(electrodes.ACSource)


class NoisyCurrentSource(NDMLCurrentSource, electrodes.NoisyCurrentSource):
    __doc__ = electrodes.NoisyCurrentSource.__doc__
    translations = _identity(electrodes.NoisyCurrentSource)

    def __init__(self, **parameters):
        parameters.pop("rng", None)  # NDML draws from its own counter-based streams (seeded by setup)
        super().__init__(**parameters)
