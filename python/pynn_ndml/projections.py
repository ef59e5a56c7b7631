"""Projections of the NDML PyNN backend: explicit connection lists built by PyNN's connectors."""

from __future__ import annotations

import numpy as np
from pyNN import common, errors
from pyNN.space import Space

from . import simulator
from .standardmodels import StaticSynapse


class Connection(common.Connection):
    """One synapse of a projection (a view of its arrays; weights are the latest run's)."""

    def __init__(self, projection, index):
        self.projection = projection
        self.index = index

    @property
    def presynaptic_index(self):
        return int(self.projection._pre[self.index])

    @property
    def postsynaptic_index(self):
        return int(self.projection._post[self.index])

    def __getattr__(self, name):
        if name in ("projection", "index"):
            raise AttributeError(name)
        values = self.projection._attribute_values(name)
        return values[self.index]

    def __setattr__(self, name, value):
        if name in ("projection", "index"):
            object.__setattr__(self, name, value)
            return
        values = self.projection._values
        if name not in values:
            raise AttributeError(name)
        values[name][self.index] = value

    def as_tuple(self, *attribute_names):
        return tuple(getattr(self, name) for name in attribute_names)


class Projection(common.Projection):
    __doc__ = common.Projection.__doc__
    _simulator = simulator
    _static_synapse_class = StaticSynapse

    def __init__(self, presynaptic_population, postsynaptic_population, connector, synapse_type=None,
                 source=None, receptor_type=None, space=Space(), label=None):
        common.Projection.__init__(self, presynaptic_population, postsynaptic_population,
                                   connector, synapse_type, source, receptor_type, space, label)
        self._pre_chunks, self._post_chunks = [], []
        self._attribute_chunks = {}
        self._arrays = None
        connector.connect(self)
        self._finish_arrays()
        simulator.state.projections.append(self)

    # -- building -----------------------------------------------------------------------------
    def _convergent_connect(self, presynaptic_indices, postsynaptic_index, location_selector=None,
                            **connection_parameters):
        if location_selector is not None:
            raise NotImplementedError("NDML has no multicompartment neurons")
        pre = np.asarray(presynaptic_indices, dtype=np.int64).ravel()
        if pre.size == 0:
            return
        self._pre_chunks.append(pre)
        self._post_chunks.append(np.full(pre.size, postsynaptic_index, dtype=np.int64))
        for name, value in connection_parameters.items():
            value = np.asarray(value)
            if value.dtype == object:
                raise NotImplementedError(f"NDML: synapse parameter {name} must be numeric")
            chunk = np.broadcast_to(value.astype(float), pre.shape).copy()
            self._attribute_chunks.setdefault(name, []).append(chunk)
        self._arrays = None

    def _finish_arrays(self):
        if self._arrays is not None:
            return
        cat = (lambda chunks, dtype: np.concatenate(chunks).astype(dtype) if chunks
               else np.zeros(0, dtype=dtype))
        self._pre = cat(self._pre_chunks, np.int64)
        self._post = cat(self._post_chunks, np.int64)
        self._pre_chunks, self._post_chunks = [self._pre], [self._post]
        self._values = {name: cat(chunks, float) for name, chunks in self._attribute_chunks.items()}
        self._attribute_chunks = {name: [v] for name, v in self._values.items()}
        self._arrays = True

    def __len__(self):
        self._finish_arrays()
        return int(self._pre.size)

    @property
    def connections(self):
        self._finish_arrays()
        return [Connection(self, i) for i in range(self._pre.size)]

    def _attribute_values(self, name):
        """Values of a synapse attribute: for `weight`, the latest run's final weights."""
        self._finish_arrays()
        if name == "weight":
            final = simulator.state.results.final_weights(self) if simulator.state.results else None
            if final is not None:
                return final
        if name not in self._values:
            raise AttributeError(name)
        return self._values[name]

    # -- access -------------------------------------------------------------------------------
    def _get_attributes_as_list(self, names):
        self._finish_arrays()
        columns = []
        for name in names:
            if name == "presynaptic_index":
                columns.append(self._pre)
            elif name == "postsynaptic_index":
                columns.append(self._post)
            else:
                columns.append(self._attribute_values(name))
        return [tuple(row) for row in zip(*[c.tolist() for c in columns])]

    def _get_attributes_as_arrays(self, names, multiple_synapses="sum"):
        self._finish_arrays()
        operation = common.Projection.MULTI_SYNAPSE_OPERATIONS[multiple_synapses]
        out = []
        for name in names:
            if name in ("weights", "delays"):
                name = name[:-1]
            values = np.full((self.pre.size, self.post.size), np.nan)
            for i, j, v in zip(self._pre.tolist(), self._post.tolist(),
                               self._attribute_values(name).tolist()):
                values[i, j] = v if np.isnan(values[i, j]) else operation(values[i, j], v)
            out.append(values)
        return out

    def _set_attributes(self, parameter_space):
        """Sets synapse attributes (NaN entries of a matrix leave a synapse as it is); set between
        run() calls, weights become NDML weight changes at the next run's start (compiler.py)."""
        self._finish_arrays()
        parameter_space.evaluate(simplify=False)
        for name, value in parameter_space.items():
            if name not in self._values:
                raise errors.NonExistentParameterError(name, type(self.synapse_type).__name__,
                                                       list(self._values))
            matrix = np.broadcast_to(np.asarray(value, dtype=float), (self.pre.size, self.post.size))
            new = matrix[self._pre, self._post]
            keep = np.isnan(new)
            self._values[name] = np.where(keep, self._values[name], new)
        self._attribute_chunks = {name: [v] for name, v in self._values.items()}

    def _snapshot(self):
        self._finish_arrays()
        return {name: np.copy(v) for name, v in self._values.items()}
