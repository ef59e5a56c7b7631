"""Populations of the NDML PyNN backend: parameters are kept per neuron, in PyNN's names and units."""

from __future__ import annotations

import numpy as np
from pyNN import common, errors
from pyNN.parameters import ParameterSpace, Sequence, simplify
from pyNN.standardmodels import StandardCellType

from . import simulator
from .recording import Recorder


class Assembly(common.Assembly):
    _simulator = simulator


def check_spike_times(parameters):
    """PyNN's rule: each neuron's spike times are in ascending order."""
    for train in np.atleast_1d(parameters.get("spike_times", [])):
        times = np.asarray(train.value if isinstance(train, Sequence) else train, dtype=float)
        if times.size > 1 and (np.diff(times) < 0).any():
            raise errors.InvalidParameterValueError(
                f"SpikeSourceArray: spike times must be in ascending order, got {times.tolist()}")


def _per_neuron(value, size):
    """A parameter value as one entry per neuron (PyNN may hand over a bare Sequence)."""
    if isinstance(value, Sequence) or (isinstance(value, np.ndarray) and value.ndim == 0):
        item = value.item() if isinstance(value, np.ndarray) else value
        out = np.empty(size, dtype=object if isinstance(item, Sequence) else float)
        for i in range(size):
            out[i] = item
        return out
    return value


def _copy_value(value):
    if isinstance(value, np.ndarray) and value.dtype == object:
        return [np.array(s.value if isinstance(s, Sequence) else s, dtype=float) for s in value]
    return np.array(value, copy=True)


class _ParameterAccess:
    """`_get_parameters` shared by Population and PopulationView."""

    def _get_parameters(self, *names):
        if isinstance(self.celltype, StandardCellType):
            if any(name in self.celltype.computed_parameters() for name in names):
                native_names = self.celltype.get_native_names()
            else:
                native_names = self.celltype.get_native_names(*names)
            return self.celltype.reverse_translate(self._get_native_parameters(*native_names))
        return self._get_native_parameters(*names)


class PopulationView(_ParameterAccess, common.PopulationView):
    _assembly_class = Assembly
    _simulator = simulator

    def _get_native_parameters(self, *names):
        values = {}
        for name in names:
            value = self.parent._parameters[name]
            if isinstance(value, np.ndarray):
                value = value[self.mask]
            values[name] = simplify(value)
        return ParameterSpace(values, shape=(self.size,))

    def _set_parameters(self, parameter_space):
        parameter_space.evaluate(simplify=False)
        for name, value in parameter_space.items():
            try:
                self.parent._parameters[name][self.mask] = _per_neuron(value, self.size)
            except ValueError as error:
                raise errors.InvalidParameterValueError(f"{name}: {error}")
        check_spike_times(self.parent._parameters)

    def _set_initial_value_array(self, variable, initial_values):
        """Nothing to do: the initial values are read from `initial_values` when a run is compiled."""

    def _get_view(self, selector, label=None):
        return PopulationView(self, selector, label)


class Population(_ParameterAccess, common.Population):
    __doc__ = common.Population.__doc__
    _simulator = simulator
    _recorder_class = Recorder
    _assembly_class = Assembly

    def _create_cells(self):
        if not hasattr(self.celltype, "ndml_model"):
            raise NotImplementedError(
                f"{type(self.celltype).__name__} is not available in NDML (docs/pynn.md lists the "
                "standard models it runs)")
        first = simulator.state.id_counter
        self.all_cells = np.array([simulator.ID(i) for i in range(first, first + self.size)],
                                  dtype=simulator.ID)
        self._mask_local = np.ones(self.size, dtype=bool)
        space = self.celltype.native_parameters
        space.shape = (self.size,)
        space.evaluate(simplify=False)
        self._parameters = space.as_dict()
        check_spike_times(self._parameters)
        for cell in self.all_cells:
            cell.parent = self
        simulator.state.id_counter += self.size
        simulator.state.populations.append(self)

    def _set_initial_value_array(self, variable, initial_values):
        """Nothing to do: the initial values are read from `initial_values` when a run is compiled."""

    def _get_view(self, selector, label=None):
        return PopulationView(self, selector, label)

    def _get_native_parameters(self, *names):
        return ParameterSpace({name: simplify(self._parameters[name]) for name in names},
                              shape=(self.size,))

    def _set_parameters(self, parameter_space):
        parameter_space.evaluate(simplify=False)
        for name, value in parameter_space.items():
            self._parameters[name] = _per_neuron(value, self.size)
        check_spike_times(self._parameters)

    def _snapshot(self):
        return {name: _copy_value(value) for name, value in self._parameters.items()}
