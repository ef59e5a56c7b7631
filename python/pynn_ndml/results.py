"""Reading an NDML results file back for PyNN's recorders and projections."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np


class Results:
    def __init__(self, path: Path, plan):
        self.plan = plan
        self._spikes = {}
        self._signals = {}
        self._weights = {}
        self._inputs = {}
        with h5py.File(path, "r") as f:
            status = f["ndml"].attrs.get("status")
            if isinstance(status, bytes):
                status = status.decode()
            if status != "complete":
                raise RuntimeError(f"NDML results file {path} is not complete (status {status})")
            for k, name in plan.population_names.items():
                if f"spikes/{name}" in f:
                    times = f[f"spikes/{name}/timestamps"][:]
                    ids = f[f"spikes/{name}/node_ids"][:].astype(np.int64)
                    self._spikes[k] = (ids, times)
            for key, (path_in_file, scale, neurons) in plan.signals.items():
                data = f[path_in_file][:].astype(np.float64) * scale
                self._signals[key] = (data, neurons)
            for s, names in plan.inputs.items():
                self._inputs[s] = [(f[f"inputs/{n}/time"][()], f[f"inputs/{n}/data"][()]) for n in names]
            for j, parts in plan.weights.items():
                for name, rows, scale, src, tgt in parts:
                    if f"weights/{name}" not in f:
                        continue
                    g = f[f"weights/{name}"]
                    times = g["time"][:]
                    index = int(np.argmin(np.abs(times - plan.snapshot_time)))
                    w = g["weights"][index, :]
                    order = np.lexsort((g["source_ids"][:], g["target_ids"][:]))
                    self._weights.setdefault(j, []).append((rows, w[order], scale, src, tgt))

    def spikes(self, population):
        from .simulator import state

        k = state.populations.index(population)
        return self._spikes.get(k, (np.zeros(0, dtype=np.int64), np.zeros(0)))

    def signal(self, population, variable, indices, interval):
        from .simulator import state

        k = state.populations.index(population)
        data, neurons = self._signals[(k, variable)]
        columns = [neurons.index(int(i)) for i in indices]
        n = int(round(self.plan.t_stop / interval)) + 1
        return data[:n, columns]

    def input_current(self, source_index, times_ms, dt):
        """The current (pA) a recorded source injected during the step starting at each time,
        one column per target neuron (its NDML inputs, population by population)."""
        columns = []
        for t, data in self._inputs.get(source_index, []):
            starts = np.round(t / dt).astype(int)
            rows = np.searchsorted(starts, np.round(times_ms / dt).astype(int), side="right") - 1
            columns.append(data[rows])
        return np.hstack(columns) if columns else np.zeros((times_ms.size, 0))

    def final_weights(self, projection):
        from .simulator import state

        j = state.projections.index(projection)
        if j not in self._weights:
            return None
        projection._finish_arrays()
        out = np.array(projection._values["weight"], dtype=float)
        for rows, w, scale, src, tgt in self._weights[j]:
            order = np.lexsort((src, tgt))  # the file's column order: by (target, source), stable
            scale = np.broadcast_to(np.asarray(scale, dtype=float), rows.shape)
            out[rows[order]] = w / scale[order]
        return out


def load(path, plan):
    return Results(Path(path), plan)
