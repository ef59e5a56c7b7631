"""Recording: PyNN's Recorder reading the current segment's NDML results."""

from __future__ import annotations

import numpy as np
from pyNN import recording

from . import simulator


class Recorder(recording.Recorder):
    _simulator = simulator

    def __init__(self, population, file=None):
        recording.Recorder.__init__(self, population, file)
        self._cleared_at = 0.0

    def _record(self, variable, new_ids, sampling_interval=None):
        if sampling_interval is not None:
            self.sampling_interval = sampling_interval

    def _window_start(self):
        return max(float(self._recording_start_time.magnitude), self._cleared_at)

    def _results(self):
        results = self._simulator.state.results
        if results is None:
            raise RuntimeError("NDML: no results yet (call run() before reading recorded data)")
        return results

    def _get_spiketimes(self, ids, clear=False):
        state = self._simulator.state
        if state.results is None:
            return np.zeros(0, dtype=int), np.zeros(0)
        index, times = self._results().spikes(self.population)
        ids_array = np.asarray(self.population.all_cells, dtype=int)[index]
        start = self._window_start()
        keep = np.isin(ids_array, np.asarray(list(ids), dtype=int)) & (times >= start - 1e-9)
        if clear:
            self._cleared_at = state.t
        return ids_array[keep], times[keep].copy()

    def _get_all_signals(self, variable, ids, clear=False):
        state = self._simulator.state
        indices = self.population.id_to_index(np.asarray(list(ids), dtype=int))
        if state.results is None:
            return np.zeros((0, len(ids))), None
        values = self._results().signal(self.population, variable.name, np.atleast_1d(indices),
                                        self.sampling_interval)
        first = int(round(self._window_start() / self.sampling_interval))
        if clear:
            self._cleared_at = state.t
        return values[first:], None

    def _local_count(self, variable, filter_ids=None):
        ids = self.filter_recorded(variable, filter_ids)
        counts = {int(i): 0 for i in ids}
        if self._simulator.state.results is not None:
            ids_array, _ = self._get_spiketimes(ids)
            unique, n = np.unique(ids_array, return_counts=True)
            counts.update({int(i): int(c) for i, c in zip(unique, n)})
        return counts

    def _clear_simulator(self):
        self._cleared_at = self._simulator.state.t

    def _reset(self):
        self._cleared_at = 0.0

    def store_to_cache(self, annotations=None):
        super().store_to_cache(annotations)
        self._cleared_at = 0.0
