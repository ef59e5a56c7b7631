"""The PyNN network description → one NDML config (+ CSV side files) per segment.

Mapping (units: PyNN nA, nF, µS, ms, mV → NDML pA, pF, nS, ms, mV; every formula here is listed
in docs/pynn.md):

* IF_curr_exp / IF_curr_alpha / IF_curr_delta → `lif_cuba` (`synapse_shape: alpha` for the alpha
  models, τ_syn = 0 for delta). NDML's synaptic variable is R·I_syn (mV), so a weight of w nA
  becomes w·R mV with R = τ_m/c_m (MΩ) of the target neuron; IF_curr_delta weights are already mV.
* IF_cond_exp / IF_cond_alpha → `lif_coba`: g_leak = c_m/τ_m, weights µS → nS (×1000).
* `i_offset` (nA) → `i_bias_pA` when it is one value for the population over the whole segment,
  otherwise an injected-current schedule per neuron.
* SpikeSourceArray → `spike_source` (explicit times); SpikeSourcePoisson → `poisson` with a
  rate schedule built from rate/start/duration.
* Projections → explicit connection lists from PyNN's connectors, in one HDF5 side file
  (`connectivity: {from_file: connections.h5, group: <projection>}`), split per pair of NDML
  populations (a PyNN projection may join views/assemblies).
* TsodyksMarkramSynapse → `short_term: tsodyks_markram`; STDPMechanism(SpikePairRule,
  Additive/MultiplicativeWeightDependence) → `pair_stdp` (amplitudes rescaled so that a change
  is A·w_max·trace as in PyNN's additive rule).
* Current sources → `inputs` (DCSource and StepCurrentSource as step schedules, ACSource as
  `sine`, NoisyCurrentSource as `noise`), in pA.

Changes between `run()` calls become schedules (spike times, Poisson rates, current sources,
`i_offset`); other changes are refused with NotImplementedError naming what changed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import h5py
import numpy as np

SOURCES = ("poisson", "spike_source")


def write_yaml(config, path: Path):
    """JSON is YAML: exact floats (repr) and no YAML quirks."""
    path.write_text(json.dumps(config, indent=1) + "\n")


def _uniform(values, what):
    values = np.asarray(values, dtype=float)
    if values.size and not np.all(values == values.flat[0]):
        raise NotImplementedError(
            f"NDML: {what} must be the same for every synapse of a projection")
    return float(values.flat[0]) if values.size else 0.0


class Plan:
    """How NDML's results map back onto the PyNN objects."""

    def __init__(self, state):
        self.t_stop = state.t
        self.dt = state.dt
        self.population_names = {}
        self.kinds = {}
        self.signals = {}  # (pop index, pyNN variable) -> (report path, scale, neuron indices)
        # projection index -> list of (ndml name, row indices, weight scale, local sources, targets)
        self.weights = {}
        self.inputs = {}  # current source index -> NDML input names (recorded sources)
        self.snapshot_time = state.t


def build_config(state, work: Path, prefix=""):
    plan = Plan(state)
    snapshots = state.snapshots
    bounds = list(state.boundaries) + [state.t]
    dt = state.dt
    config = {
        "simulation": {"duration_ms": state.t, "dt_ms": dt, "seed": state.seed},
        "populations": {},
        "output": {"gzip": 0},
    }
    projections, inputs = {}, {}
    side_file = work / f"{prefix}connections.h5"
    if side_file.exists():
        side_file.unlink()
    record = {"spikes": [], "state": [], "weights": [], "inputs": []}
    resistance = {}

    names = population_names(state.populations)
    for k, population in enumerate(state.populations):
        name = names[k]
        plan.population_names[k] = name
        celltype = population.celltype
        model = celltype.ndml_model
        plan.kinds[k] = model
        entry = {"size": population.size, "model": model}
        if model == "spike_source":
            entry["params"] = {"spike_times_ms": _spike_times(snapshots, bounds, k, population.size)}
        elif model == "poisson":
            entry["params"] = _poisson_schedule(snapshots, bounds, k, population.size)
        else:
            targeted = any(population in _populations_of(p.post) for p in state.projections)
            params, init, r = _neuron(celltype, population, snapshots, bounds, k, inputs, name, targeted)
            changes = params.pop("changes", None)
            entry["params"] = params
            if changes:
                entry["changes"] = changes
            if init:
                entry["init"] = init
            resistance[k] = r
        config["populations"][name] = entry
        recorder = population.recorder
        for variable, ids in recorder.recorded.items():
            if not ids:
                continue
            if variable.name == "spikes":
                record["spikes"].append(name)
                continue
            ndml_var, scale = _state_variable(model, variable.name, celltype)
            neurons = sorted(int(i) for i in population.id_to_index(np.array(sorted(ids))).ravel())
            interval = recorder.sampling_interval
            if abs(state.t / interval - round(state.t / interval)) > 1e-9:
                raise NotImplementedError(
                    f"NDML: recording {variable.name} of {population.label} every {interval} ms needs a run "
                    f"time that is a whole number of intervals (t = {state.t} ms); PyNN's sample convention "
                    "has duration/interval + 1 samples")
            # PyNN's convention: samples from t = 0 to t = duration inclusive (final_sample).
            record["state"].append({"population": name, "variables": [ndml_var], "neurons": neurons,
                                    "interval_ms": interval, "final_sample": True})
            plan.signals[(k, variable.name)] = (f"report/{name}/{ndml_var}/data", scale, neurons)

    index_of = {id(p): k for k, p in enumerate(state.populations)}
    for j, projection in enumerate(state.projections):
        _projection(j, projection, state, snapshots, index_of, names, resistance, work, projections,
                    record, plan, prefix)

    for s, source in enumerate(state.current_sources):
        _current_source(s, source, state, snapshots, bounds, index_of, names, inputs, record, plan)

    if projections:
        config["projections"] = projections
    if inputs:
        config["inputs"] = inputs
    config["record"] = {key: value for key, value in record.items() if value}
    return config, plan


def population_names(populations):
    """NDML names: the PyNN label where it is a valid, unique NDML name, else p<index>.

    PyNN's automatic labels (`population<counter>`, counted over the whole session) are not used:
    NDML keys its random streams by population name, so the same script must give the same names
    after every setup()."""
    labels = [p.label if isinstance(p.label, str) and re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", p.label)
              and not re.fullmatch(r"population\d+", p.label) else None for p in populations]
    return [label if label and labels.count(label) == 1 else f"p{k}"
            for k, label in enumerate(labels)]


def _populations_of(cells):
    """The populations behind a Population, PopulationView or Assembly."""
    members = cells.populations if hasattr(cells, "populations") else [cells]
    return [getattr(p, "grandparent", p) for p in members]


# -- neurons ----------------------------------------------------------------------------------
def _ndml_parameters(celltype, u, population):
    """NDML's parameters (one number, or a list per neuron) from PyNN's per-neuron values `u`."""
    model = celltype.ndml_model
    if model == "adex":
        params = _adex(u, population)
    else:
        params = {
            "tau_m_ms": u["tau_m"], "c_m_pF": u["cm"] * 1000.0, "v_rest_mV": u["v_rest"],
            "v_thresh_mV": u["v_thresh"], "v_reset_mV": u["v_reset"], "tau_ref_ms": u["tau_refrac"],
        }
        if "tau_syn_E" in u:
            params["tau_syn_e_ms"] = u["tau_syn_E"]
            params["tau_syn_i_ms"] = u["tau_syn_I"]
        else:  # IF_curr_delta
            params["tau_syn_e_ms"] = 0.0
            params["tau_syn_i_ms"] = 0.0
    if model == "lif_coba":
        del params["tau_m_ms"]
        params["g_leak_nS"] = u["cm"] * 1000.0 / u["tau_m"]
        params["e_rev_e_mV"] = u["e_rev_E"]
        params["e_rev_i_mV"] = u["e_rev_I"]
    # One number where all neurons agree, else a list (NDML's per-neuron parameters).
    return {key: v if isinstance(v, str) else _number_or_list(v) for key, v in params.items()}


def _neuron(celltype, population, snapshots, bounds, k, inputs, name, targeted):
    size = population.size
    keys = [key for key in celltype.default_parameters if key != "i_offset"]
    per_snapshot = [
        {key: np.broadcast_to(np.asarray(s["populations"][k][key], dtype=float), (size,)) for key in keys}
        for s in snapshots]
    u = per_snapshot[0]
    model = celltype.ndml_model
    ndml = [_ndml_parameters(celltype, values, population) for values in per_snapshot]
    params = dict(ndml[0])
    # Parameters set between run() calls: NDML's parameter changes at the boundaries.
    changes = []
    for at, previous, values, pynn in zip(bounds[1:], ndml, ndml[1:], per_snapshot[1:]):
        diff = {key: v for key, v in values.items() if v != previous[key]}
        if not diff:
            continue
        if model == "adex":
            raise NotImplementedError(
                f"NDML: changing {', '.join(sorted(diff))} of {population.label} ({type(celltype).__name__}) "
                "between run() calls is not supported (only lif models take parameter changes)")
        resistance_changes = not np.array_equal(pynn["tau_m"] / pynn["cm"], u["tau_m"] / u["cm"])
        if model == "lif_cuba" and targeted and resistance_changes:
            raise NotImplementedError(
                f"NDML: changing tau_m/cm of {population.label} between run() calls changes what its "
                "synaptic weights (nA) mean in NDML's mV; not supported for a population with inputs")
        changes.append({"at_ms": at, "params": diff})
    shape = getattr(celltype, "ndml_synapse_shape", None)
    if shape:
        params["synapse_shape"] = shape
    # i_offset: a bias when constant, else a per-neuron current schedule
    offsets = [np.asarray(s["populations"][k]["i_offset"], dtype=float) for s in snapshots]
    if all(np.all(o == offsets[0].flat[0]) for o in offsets):
        params["i_bias_pA"] = float(offsets[0].flat[0]) * 1000.0
    else:
        schedule = [{"start_ms": b, "amplitude_pA": (o * 1000.0).tolist()}
                    for b, o in zip(bounds, offsets)]
        inputs[f"{name}_i_offset"] = {"type": "current", "population": name, "schedule": schedule}
    resistance = u["tau_m"] / u["cm"]  # MΩ, per neuron (current-based targets only)
    if changes:
        params["changes"] = changes
    init = {}
    initial = population.initial_values
    if "v" in initial:
        init["v_mV"] = _init_value(initial["v"], population.size, 1.0)
    if model == "adex" and "w" in initial:
        init["w_pA"] = _init_value(initial["w"], population.size, 1000.0)
    synaptic = {"lif_cuba": (("isyn_exc", "s_e_mV", resistance), ("isyn_inh", "s_i_mV", resistance)),
                "lif_coba": (("gsyn_exc", "g_e_nS", 1000.0), ("gsyn_inh", "g_i_nS", 1000.0)),
                "adex": (("gsyn_exc", "g_e_nS", 1000.0), ("gsyn_inh", "g_i_nS", 1000.0))}
    for pynn_name, key, scale in synaptic[model]:
        if pynn_name in initial:
            value = _init_value(initial[pynn_name], population.size, scale)
            if value != 0.0:
                if shape == "alpha":
                    raise NotImplementedError(
                        f"NDML: a non-zero initial {pynn_name} with alpha synapses is not supported")
                init[key] = value
    return params, init, resistance


def _adex(u, population):
    """PyNN's EIF_cond_*_isfa_ista → NDML's `adex` with conductance synapses (one parameter set per
    population: NDML's adex has no per-neuron parameters)."""
    def one(key):
        return _uniform(u[key], f"{key} of {population.label}")

    return {
        "c_m_pF": one("cm") * 1000.0, "g_leak_nS": one("cm") * 1000.0 / one("tau_m"),
        "v_rest_mV": one("v_rest"), "v_t_mV": one("v_thresh"), "delta_t_mV": one("delta_T"),
        "v_peak_mV": one("v_spike"), "v_reset_mV": one("v_reset"), "a_nS": one("a"),
        "tau_w_ms": one("tau_w"), "b_pA": one("b") * 1000.0, "tau_ref_ms": one("tau_refrac"),
        "tau_syn_e_ms": one("tau_syn_E"), "tau_syn_i_ms": one("tau_syn_I"),
        "e_rev_e_mV": one("e_rev_E"), "e_rev_i_mV": one("e_rev_I"), "synapse_type": "conductance",
    }


def _number_or_list(values):
    values = np.atleast_1d(np.asarray(values, dtype=float))
    return float(values[0]) if np.all(values == values[0]) else values.tolist()


def _init_value(lazy, size, scale):
    values = np.asarray(lazy.evaluate(simplify=False), dtype=float).reshape(-1)
    if values.size == 1:
        values = np.full(size, values[0])
    values = values * scale
    if np.all(values == values[0]):
        return float(values[0])
    return values.tolist()


def _state_variable(model, variable, celltype):
    table = {"v": ("v", 1.0)}
    if model in ("lif_coba", "adex"):
        table.update({"gsyn_exc": ("g_e", 1e-3), "gsyn_inh": ("g_i", 1e-3)})
    if model == "adex":
        table["w"] = ("w", 1e-3)  # pA → nA
    if variable not in table:
        raise NotImplementedError(
            f"NDML: recording {variable} of {type(celltype).__name__} is not supported")
    return table[variable]


# -- sources ----------------------------------------------------------------------------------
def _spike_times(snapshots, bounds, k, size):
    trains = [[] for _ in range(size)]
    for snap, lo, hi in zip(snapshots, bounds[:-1], bounds[1:]):
        for i, times in enumerate(snap["populations"][k]["spike_times"]):
            times = np.asarray(times, dtype=float).reshape(-1)
            trains[i].extend(times[(times >= lo - 1e-9) & (times < hi - 1e-9)].tolist())
    return trains


def _poisson_schedule(snapshots, bounds, k, size):
    pieces = []  # (start, stop, rate array) pieces with the neuron's own windows applied later
    breaks = {0.0}
    for snap, lo, hi in zip(snapshots, bounds[:-1], bounds[1:]):
        pop = snap["populations"][k]
        rate = np.broadcast_to(np.asarray(pop["rate"], dtype=float), (size,))
        start = np.broadcast_to(np.asarray(pop["start"], dtype=float), (size,))
        stop = start + np.broadcast_to(np.asarray(pop["duration"], dtype=float), (size,))
        pieces.append((lo, hi, rate, start, stop))
        breaks.update([lo])
        breaks.update(t for t in np.concatenate([start, stop]).tolist() if lo < t < hi)
    times = sorted(breaks)
    schedule = []
    for t in times:
        for lo, hi, rate, start, stop in pieces:
            if lo - 1e-9 <= t < hi - 1e-9:
                active = (start <= t + 1e-9) & (t + 1e-9 < stop)
                rates = np.where(active, rate, 0.0)
                value = float(rates[0]) if np.all(rates == rates[0]) else rates.tolist()
                if not schedule or schedule[-1]["rate_Hz"] != value:
                    schedule.append({"start_ms": t, "rate_Hz": value})
                break
    if len(schedule) == 1:
        return {"rate_Hz": schedule[0]["rate_Hz"]}
    return {"schedule": schedule}


# -- projections ------------------------------------------------------------------------------
def _cells_to_population(cells, index_of):
    """Global ids → (population index, local index) arrays."""
    ids = np.asarray(cells, dtype=np.int64)
    pops = np.empty(ids.size, dtype=np.int64)
    local = np.empty(ids.size, dtype=np.int64)
    for n, cell in enumerate(cells):
        population = cell.parent
        pops[n] = index_of[id(population)]
        local[n] = int(cell) - int(population.first_id)
    return pops, local


def _projection(j, projection, state, snapshots, index_of, names, resistance, work, out, record, plan,
                prefix=""):
    values = snapshots[0]["projections"][j] if snapshots else projection._snapshot()
    # Weights set between run() calls become NDML weight changes (static synapses); any other
    # synapse attribute that changes is refused.
    weight_history = [(0.0, values["weight"])]
    for at, snap in zip(state.boundaries[1:], snapshots[1:]):
        for key, v in snap["projections"][j].items():
            if np.array_equal(v, values[key]) or (key == "weight" and type(projection.synapse_type).__name__ in
                                                  ("StaticSynapse", "TsodyksMarkramSynapse")):
                continue
            raise NotImplementedError(
                f"NDML: changing the {key} of projection {projection.label} between run() calls is not "
                "supported (only the weights of static and Tsodyks-Markram synapses); call reset() first")
        if not np.array_equal(snap["projections"][j]["weight"], weight_history[-1][1]):
            weight_history.append((at, snap["projections"][j]["weight"]))
    projection._finish_arrays()
    pre_cells = np.asarray(projection.pre.all_cells)
    post_cells = np.asarray(projection.post.all_cells)
    pre_pop, pre_local = _cells_to_population(pre_cells, index_of)
    post_pop, post_local = _cells_to_population(post_cells, index_of)
    src_pop, src = pre_pop[projection._pre], pre_local[projection._pre]
    tgt_pop, tgt = post_pop[projection._post], post_local[projection._post]
    receptor = projection.receptor_type
    if receptor not in ("excitatory", "inhibitory"):
        raise NotImplementedError(f"NDML: receptor type {receptor!r} (only excitatory, inhibitory)")
    synapse = projection.synapse_type
    kind = type(synapse).__name__
    weights = values["weight"]
    delays = values["delay"]
    plan.weights[j] = []
    for sp in np.unique(src_pop):
        for tp in np.unique(tgt_pop):
            rows = np.nonzero((src_pop == sp) & (tgt_pop == tp))[0]
            if rows.size == 0:
                continue
            target = state.populations[tp]
            model = target.celltype.ndml_model
            if model in ("lif_coba", "adex"):
                unit, scale = "nS", 1000.0
            elif type(target.celltype).__name__ == "IF_curr_delta":
                unit, scale = "mV", 1.0
            else:
                unit, scale = "mV", np.asarray(resistance[tp])[tgt[rows]]
            label = projection.label if isinstance(projection.label, str) else ""
            name = (label if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", label) else f"j{j}") + (
                f"_{sp}_{tp}" if len(np.unique(src_pop)) * len(np.unique(tgt_pop)) > 1 else "")
            name = name if name not in out else f"j{j}_{sp}_{tp}"
            path = work / f"{prefix}connections.h5"
            d = delays[rows]
            uniform_delay = bool(np.all(d == d[0]))
            with h5py.File(path, "a") as side:
                if name in side:
                    del side[name]
                group = side.create_group(name)
                group["source"] = src[rows].astype(np.uint32)
                group["target"] = tgt[rows].astype(np.uint32)
                group["weight"] = weights[rows] * scale
                if not uniform_delay:
                    group["delay_ms"] = d
                changes = []
                for k, (at, w) in enumerate(weight_history[1:], start=1):
                    group[f"weight_{k}"] = w[rows] * scale
                    changes.append({"at_ms": at, "from_file": str(path), "dataset": f"{name}/weight_{k}"})
            entry = {"source": names[sp], "target": names[tp], "receptor": receptor,
                     "connectivity": {"from_file": str(path), "group": name}, "allow_autapses": True}
            if changes:
                entry["weight_changes"] = changes
            if uniform_delay:
                entry["delay_ms"] = float(d[0])
            if kind == "TsodyksMarkramSynapse":
                entry["short_term"] = {
                    "model": "tsodyks_markram",
                    "U": _uniform_synapse(values["U"], "U"),
                    "tau_rec_ms": _uniform_synapse(values["tau_rec"], "tau_rec"),
                    "tau_facil_ms": _uniform_synapse(values["tau_facil"], "tau_facil"),
                }
            elif kind == "STDPMechanism":
                scales = np.unique(np.atleast_1d(scale))
                if scales.size > 1:
                    raise NotImplementedError(
                        f"NDML: STDP onto {target.label}, whose neurons differ in tau_m/cm: the weight "
                        "bounds in mV would differ per neuron")
                entry["plasticity"] = _stdp(synapse, values, unit, float(scales[0]))
                record["weights"].append({"projection": name, "interval_ms": state.t,
                                          "synapses": "all", "bins": 1})
            elif kind != "StaticSynapse":
                raise NotImplementedError(f"NDML: synapse type {kind} is not supported")
            out[name] = entry
            plan.weights[j].append((name, rows, scale, src[rows], tgt[rows]))


def _uniform_synapse(values, what):
    return _uniform(values, f"synapse parameter {what}")


def _stdp(synapse, values, unit, scale):
    timing, dependence = synapse.timing_dependence, synapse.weight_dependence
    if type(timing).__name__ != "SpikePairRule":
        raise NotImplementedError(f"NDML: STDP timing dependence {type(timing).__name__}")
    if synapse.voltage_dependence is not None:
        raise NotImplementedError("NDML: voltage-dependent STDP is not supported")
    fraction = _uniform_synapse(values["dendritic_delay_fraction"], "dendritic_delay_fraction")
    w_min = _uniform_synapse(values["w_min"], "w_min")
    w_max = _uniform_synapse(values["w_max"], "w_max")
    a_plus = _uniform_synapse(values["A_plus"], "A_plus")
    a_minus = _uniform_synapse(values["A_minus"], "A_minus")
    mu = getattr(dependence, "ndml_mu", None)
    if mu is None:
        raise NotImplementedError(f"NDML: STDP weight dependence {type(dependence).__name__}")
    if mu == 0.0:  # PyNN additive: Δw = A·w_max·trace; NDML: a·(w_max − w_min)·trace
        a_plus, a_minus = a_plus * w_max / (w_max - w_min), a_minus * w_max / (w_max - w_min)
    return {
        "rule": "pair_stdp",
        "tau_plus_ms": _uniform_synapse(values["tau_plus"], "tau_plus"),
        "tau_minus_ms": _uniform_synapse(values["tau_minus"], "tau_minus"),
        "a_plus": a_plus, "a_minus": a_minus, "mu": mu, "pairing": "all_to_all",
        "dendritic_delay_fraction": fraction,
        f"w_min_{unit}": w_min * scale, f"w_max_{unit}": w_max * scale,
    }


# -- current sources --------------------------------------------------------------------------
def _step_breakpoints(kind, params, lo, hi, dt):
    """(time, amplitude nA) changes of a DC or step source within [lo, hi), value at lo first."""
    if kind == "DCSource":
        changes = [(0.0, 0.0), (params["start"], params["amplitude"]), (params["stop"], 0.0)]
    else:
        times = np.atleast_1d(params["times"]).astype(float)
        amps = np.atleast_1d(params["amplitudes"]).astype(float)
        changes = [(0.0, 0.0)] + list(zip(times.tolist(), amps.tolist()))
    changes = [(round(t / dt) * dt, a) for t, a in changes]
    value_at_lo = 0.0
    for t, a in changes:
        if t <= lo + 1e-9:
            value_at_lo = a
    out = [(lo, value_at_lo)]
    out += [(t, a) for t, a in changes if lo + 1e-9 < t < hi - 1e-9]
    return out


def _current_source(s, source, state, snapshots, bounds, index_of, names, inputs, record, plan):
    kind = type(source).__name__
    cells = source.cells
    if not cells:
        return
    pops, local = _cells_to_population(cells, index_of)
    for k in np.unique(pops):
        neurons = local[pops == k].tolist()
        target = names[k]
        name = f"c{s}_{k}"
        if kind in ("DCSource", "StepCurrentSource"):
            schedule = []
            for snap, lo, hi in zip(snapshots, bounds[:-1], bounds[1:]):
                params = snap["sources"][s]["parameters"]
                for t, a in _step_breakpoints(kind, params, lo, hi, state.dt):
                    if schedule and abs(schedule[-1]["start_ms"] - t) < 1e-9:
                        schedule[-1]["amplitude_pA"] = a * 1000.0
                    elif not schedule or schedule[-1]["amplitude_pA"] != a * 1000.0:
                        schedule.append({"start_ms": t, "amplitude_pA": a * 1000.0})
            inputs[name] = {"type": "current", "population": target, "neurons": neurons,
                            "schedule": schedule}
        elif kind in ("ACSource", "NoisyCurrentSource"):
            params = snapshots[0]["sources"][s]["parameters"]
            for snap in snapshots[1:]:
                if any(not np.array_equal(v, params[key])
                       for key, v in snap["sources"][s]["parameters"].items()):
                    raise NotImplementedError(
                        f"NDML: changing a {kind} between run() calls is not supported")
            p = {key: float(np.asarray(v).reshape(-1)[0]) for key, v in params.items()}
            entry = {"population": target, "neurons": neurons, "start_ms": p["start"]}
            if p["stop"] < 1e11:
                entry["stop_ms"] = p["stop"]
            if kind == "ACSource":
                # PyNN's phase holds at `start` (NEST's ac_generator and NDML's sine count from 0).
                phase = (p["phase"] - 360.0 * p["frequency"] * p["start"] / 1000.0) % 360.0
                entry.update(type="sine", amplitude_pA=p["amplitude"] * 1000.0,
                             offset_pA=p["offset"] * 1000.0, frequency_Hz=p["frequency"],
                             phase_deg=phase)
            else:
                entry.update(type="noise", mean_pA=p["mean"] * 1000.0, std_pA=p["stdev"] * 1000.0,
                             dt_ms=p["dt"])
            inputs[name] = entry
        else:
            raise NotImplementedError(f"NDML: current source {kind} is not supported")
        if source.recording:
            record["inputs"].append(name)
            plan.inputs.setdefault(s, []).append(name)
