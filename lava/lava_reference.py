#!/usr/bin/env python3
"""Lava reference runner and integer emulation for NDML's Loihi backend.

Reads an NDML "Lava bundle" (HDF5, layout in lava/README.md), builds the network from Lava's own processes —
``lava.proc.lif.process.LIF``, ``lava.proc.dense.process.Dense`` / ``DelayDense``, ``lava.proc.io.source.RingBuffer``
for input spikes, ``lava.proc.io.sink.RingBuffer`` to record spikes — runs it with
``Loihi2SimCfg(select_tag='fixed_pt')`` (so ``PyLifModelBitAcc`` and ``PyDenseModelBitAcc`` /
``PyDelayDenseModelBitAcc``), and writes the spikes SONATA-style. ``emulate(bundle)`` is a plain-numpy emulation of
the same integer equations (docs/loihi-numerics.md); ``compare`` runs both and demands identical spikes.

Usage (the interpreter is the one lava/make_venv.sh prints):
    lava_reference.py run BUNDLE.h5 -o OUT.h5        # Lava, fixed_pt; prints compile/run/readback times, steps/s
    lava_reference.py emulate BUNDLE.h5 -o OUT.h5    # numpy emulation only (needs only numpy + h5py)
    lava_reference.py compare BUNDLE.h5 [-o OUT.h5]  # both; exit 1 unless spikes are identical
    lava_reference.py examples DIR                   # write the example bundles a_chain, b_ei, c_ff_delay, d_wrap
    lava_reference.py selftest [DIR]                 # examples + compare each + the netx checks
    lava_reference.py netx-check [DIR]               # netx.hdf5.Network on small netx files vs emulate()

Spike output: /spikes/<population>/timestamps (float64, units "ms": Lava time step t (1-based) times dt_ms, i.e.
the end of the step, NDML's convention), node_ids (uint64), steps (int64, the Lava time step t), group attribute
sorting = by_time (HDF5 enum, as libsonata requires).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from typing import Dict, List, Optional, Tuple

import h5py
import numpy as np

BUNDLE_FORMAT = "ndml-lava-bundle"
BUNDLE_VERSION = 1
SIGN_MODES = ("auto", "mixed", "excitatory", "inhibitory")

# Loihi / Lava bit widths (lava/proc/lif/models.py AbstractPyLifModelFixed.__init__)
DECAY_SHIFT = 12
DECAY_UNITY = 1 << DECAY_SHIFT
UV_MAX = 1 << 23          # max_uv_val = 2**(24-1)
ACT_SHIFT = 6             # a_in << 6
VTH_SHIFT = 6             # vth << 6


# ----------------------------------------------------------------------------------------------------------------
# Bundle model
# ----------------------------------------------------------------------------------------------------------------

@dataclasses.dataclass
class Population:
    name: str
    size: int
    du: int
    dv: int
    vth: int
    bias_mant: np.ndarray  # int64 (size,)
    bias_exp: np.ndarray   # int64 (size,)
    u: np.ndarray          # int64 (size,) initial
    v: np.ndarray          # int64 (size,) initial


@dataclasses.dataclass
class Input:
    name: str
    size: int
    steps: np.ndarray     # int64: Lava time step (1..T) at which the source emits
    node_ids: np.ndarray  # int64

    def raster(self, T: int) -> np.ndarray:
        data = np.zeros((self.size, T), dtype=np.int32)
        data[self.node_ids, self.steps - 1] = 1
        return data


@dataclasses.dataclass
class Projection:
    name: str
    source: str
    target: str
    weights: np.ndarray          # int64 (n_target, n_source), dense, Lava orientation
    delays: Optional[np.ndarray]  # int64 (n_target, n_source) or None (= all 0)
    num_weight_bits: int
    weight_exp: int
    sign_mode: str                # one of SIGN_MODES
    netx_original: Optional[np.ndarray] = None  # bundle_from_netx only: the netx file's weights before netx scaled them

    @property
    def max_delay(self) -> int:
        return 0 if self.delays is None else int(self.delays.max(initial=0))


@dataclasses.dataclass
class Bundle:
    steps: int
    dt_ms: float
    populations: Dict[str, Population]
    inputs: Dict[str, Input]
    projections: Dict[str, Projection]
    path: str = ""


class BundleError(ValueError):
    pass


def _attr(g, key, default=None, required=False):
    if key in g.attrs:
        v = g.attrs[key]
        if isinstance(v, bytes):
            v = v.decode()
        if isinstance(v, np.ndarray) and v.shape == ():
            v = v[()]
        if isinstance(v, np.ndarray) and v.shape == (1,):
            v = v[0]
        return v
    if required:
        raise BundleError(f"{g.name}: missing attribute '{key}'")
    return default


def _per_neuron(g, key, size, default=0) -> np.ndarray:
    if key not in g:
        return np.full(size, default, dtype=np.int64)
    a = np.asarray(g[key][()])
    if not np.issubdtype(a.dtype, np.integer):
        if not np.all(a == np.round(a)):
            raise BundleError(f"{g.name}/{key}: values must be integers")
    a = a.astype(np.int64)
    if a.ndim == 0 or a.shape == (1,):
        return np.full(size, int(a.reshape(-1)[0]), dtype=np.int64)
    if a.shape != (size,):
        raise BundleError(f"{g.name}/{key}: shape {a.shape}, expected ({size},) or scalar")
    return a


def load_bundle(path: str) -> Bundle:
    with h5py.File(path, "r") as f:
        fmt = _attr(f, "format", BUNDLE_FORMAT)
        if fmt != BUNDLE_FORMAT:
            raise BundleError(f"{path}: attribute format = {fmt!r}, expected {BUNDLE_FORMAT!r}")
        version = int(_attr(f, "version", BUNDLE_VERSION))
        if version != BUNDLE_VERSION:
            raise BundleError(f"{path}: bundle version {version} (this runner reads {BUNDLE_VERSION})")
        steps = int(_attr(f, "steps", required=True))
        dt_ms = float(_attr(f, "dt_ms", 1.0))
        if steps < 1:
            raise BundleError("steps must be >= 1")

        pops: Dict[str, Population] = {}
        for name, g in (f["populations"].items() if "populations" in f else []):
            size = int(_attr(g, "size", required=True))
            pops[name] = Population(
                name=name, size=size,
                du=int(_attr(g, "du", 0)), dv=int(_attr(g, "dv", 0)), vth=int(_attr(g, "vth", required=True)),
                bias_mant=_per_neuron(g, "bias_mant", size), bias_exp=_per_neuron(g, "bias_exp", size),
                u=_per_neuron(g, "u", size), v=_per_neuron(g, "v", size))
        if not pops:
            raise BundleError(f"{path}: no /populations")

        inputs: Dict[str, Input] = {}
        for name, g in (f["inputs"].items() if "inputs" in f else []):
            if name in pops:
                raise BundleError(f"input '{name}' has the name of a population")
            size = int(_attr(g, "size", required=True))
            st = np.asarray(g["steps"][()], dtype=np.int64).reshape(-1) if "steps" in g else np.zeros(0, np.int64)
            ids = (np.asarray(g["node_ids"][()], dtype=np.int64).reshape(-1) if "node_ids" in g
                   else np.zeros(0, np.int64))
            if st.shape != ids.shape:
                raise BundleError(f"/inputs/{name}: steps and node_ids differ in length")
            if st.size and (st.min() < 1 or st.max() > steps):
                raise BundleError(f"/inputs/{name}: steps must lie in 1..{steps} (Lava time steps)")
            if ids.size and (ids.min() < 0 or ids.max() >= size):
                raise BundleError(f"/inputs/{name}: node_ids must lie in 0..{size - 1}")
            inputs[name] = Input(name, size, st, ids)

        projs: Dict[str, Projection] = {}
        for name, g in (f["projections"].items() if "projections" in f else []):
            src = str(_attr(g, "source", required=True))
            tgt = str(_attr(g, "target", required=True))
            if tgt not in pops:
                raise BundleError(f"/projections/{name}: target '{tgt}' is not a population")
            if src in pops:
                n_src = pops[src].size
            elif src in inputs:
                n_src = inputs[src].size
            else:
                raise BundleError(f"/projections/{name}: source '{src}' is neither a population nor an input")
            n_tgt = pops[tgt].size
            scalar_delay = int(_attr(g, "delay", 0))
            if "weights" in g:
                w = np.asarray(g["weights"][()])
                if w.shape != (n_tgt, n_src):
                    raise BundleError(f"/projections/{name}/weights: shape {w.shape}, expected "
                                      f"(target size, source size) = ({n_tgt}, {n_src})")
                w = w.astype(np.int64)
                d = None
                if "delays" in g:
                    d = np.asarray(g["delays"][()]).astype(np.int64)
                    if d.shape != w.shape:
                        raise BundleError(f"/projections/{name}/delays: shape {d.shape} differs from weights")
            elif "pre" in g and "post" in g and "weight" in g:
                pre = np.asarray(g["pre"][()], dtype=np.int64).reshape(-1)
                post = np.asarray(g["post"][()], dtype=np.int64).reshape(-1)
                wt = np.asarray(g["weight"][()]).astype(np.int64).reshape(-1)
                if not (pre.shape == post.shape == wt.shape):
                    raise BundleError(f"/projections/{name}: pre, post, weight differ in length")
                if pre.size and (pre.min() < 0 or pre.max() >= n_src or post.min() < 0 or post.max() >= n_tgt):
                    raise BundleError(f"/projections/{name}: pre/post index out of range")
                key = post * n_src + pre
                if np.unique(key).size != key.size:
                    raise BundleError(f"/projections/{name}: duplicate (pre, post) pairs; a Dense matrix holds one "
                                      "synapse per pair (merge them first — note that clipping happens per synapse)")
                w = np.zeros((n_tgt, n_src), dtype=np.int64)
                w[post, pre] = wt
                d = None
                if "delay" in g:
                    dd = np.asarray(g["delay"][()]).astype(np.int64).reshape(-1)
                    if dd.shape != pre.shape:
                        raise BundleError(f"/projections/{name}/delay: length differs from pre")
                    d = np.zeros((n_tgt, n_src), dtype=np.int64)
                    d[post, pre] = dd
            else:
                raise BundleError(f"/projections/{name}: needs a dense 'weights' dataset or sparse pre/post/weight")
            if d is None and scalar_delay:
                d = np.full(w.shape, scalar_delay, dtype=np.int64)
            if d is not None:
                if d.min(initial=0) < 0 or d.max(initial=0) > 63:
                    raise BundleError(f"/projections/{name}: delays must lie in 0..63 (Lava DelayDense / Loihi 2)")
                if not d.any():
                    d = None
            sign_mode = str(_attr(g, "sign_mode", "auto")).lower()
            if sign_mode not in SIGN_MODES:
                raise BundleError(f"/projections/{name}: sign_mode {sign_mode!r} not in {SIGN_MODES}")
            projs[name] = Projection(name, src, tgt, w, d, int(_attr(g, "num_weight_bits", 8)),
                                     int(_attr(g, "weight_exp", 0)), sign_mode)
    b = Bundle(steps, dt_ms, pops, inputs, projs, path)
    validate(b)
    return b


def validate(b: Bundle) -> None:
    """Reject what Lava would silently mangle (so that emulate() and Lava can agree by construction)."""
    for p in b.populations.values():
        if p.size < 1:
            raise BundleError(f"population {p.name}: size must be >= 1")
        # bias_mant is stored as int16 by PyLifModelBitAcc (LavaPyType np.int16): larger values would wrap.
        if p.bias_mant.min(initial=0) < -(1 << 15) or p.bias_mant.max(initial=0) >= (1 << 15):
            raise BundleError(f"population {p.name}: bias_mant must fit int16 (Lava stores it as int16)")
        if np.abs(p.bias_exp).max(initial=0) > 15:
            raise BundleError(f"population {p.name}: |bias_exp| must be <= 15")
        eff = _effective_bias(p.bias_mant, p.bias_exp)
        if np.abs(eff).max(initial=0) >= (1 << 31):
            raise BundleError(f"population {p.name}: bias_mant << bias_exp overflows int32")
        for nm, a in (("u", p.u), ("v", p.v)):
            if a.min(initial=0) < -UV_MAX or a.max(initial=0) > UV_MAX:
                raise BundleError(f"population {p.name}: initial {nm} outside the 24-bit range")
        if not (-1 <= p.du <= 4095):
            raise BundleError(f"population {p.name}: du must lie in -1..4095 (-1 = no decay, netx's iDecay=0)")
        if not (0 <= p.dv <= 4096):
            raise BundleError(f"population {p.name}: dv must lie in 0..4096")
        if not (0 <= p.vth < (1 << 17)):
            raise BundleError(f"population {p.name}: vth must lie in 0..2^17-1")
    for pr in b.projections.values():
        if not (1 <= pr.num_weight_bits <= 9):
            raise BundleError(f"projection {pr.name}: num_weight_bits must lie in 1..9")
        if not (-16 <= pr.weight_exp <= 16):
            raise BundleError(f"projection {pr.name}: weight_exp must lie in -16..16")
        if np.abs(pr.weights).max(initial=0) >= (1 << 15):
            raise BundleError(f"projection {pr.name}: |weight| must be < 2^15 (it is clipped to 8 bits anyway)")


# ----------------------------------------------------------------------------------------------------------------
# Integer arithmetic shared by emulate() (docs/loihi-numerics.md)
# ----------------------------------------------------------------------------------------------------------------

def _effective_bias(bias_mant: np.ndarray, bias_exp: np.ndarray) -> np.ndarray:
    m = bias_mant.astype(np.int64)
    e = bias_exp.astype(np.int64)
    return np.where(e >= 0, np.left_shift(m, np.maximum(e, 0)), np.right_shift(m, np.maximum(-e, 0)))


def resolve_sign_mode(weights: np.ndarray, sign_mode: str) -> str:
    """lava/utils/weightutils.py determine_sign_mode: min >= 0 -> excitatory, else max <= 0 -> inhibitory, else
    mixed (an explicit sign_mode wins)."""
    if sign_mode != "auto":
        return sign_mode
    if weights.size == 0 or weights.min() >= 0:
        return "excitatory"
    if weights.max() <= 0:
        return "inhibitory"
    return "mixed"


def effective_weights(weights: np.ndarray, sign_mode: str, num_weight_bits: int) -> np.ndarray:
    """The weights PyDenseModelBitAcc really uses: clip_weights(num_bits=8) then truncate_weights.

    Mirrors lava/utils/weightutils.py clip_weights / truncate_weights operation by operation (int32, arithmetic
    shifts), including numpy's result for a negative truncation count (num_weight_bits > 8 + mixed): every weight 0.
    """
    mode = resolve_sign_mode(weights, sign_mode)
    mixed = int(mode == "mixed")
    inhib = mode == "inhibitory"
    w = weights.astype(np.int64)
    if inhib:
        w = -w
    w = np.clip(w, -(1 << 8) * mixed, (1 << 8) - 1)          # clip_weights(num_bits=8)
    n_trunc = 8 - num_weight_bits + mixed                      # truncate_weights(max_num_weight_bits=8)
    if n_trunc >= 0:
        w = (w >> n_trunc) << n_trunc
    else:
        w = np.zeros_like(w)   # numpy: x >> (negative) -> 0 or -1, then << (negative) -> 0 (checked against Lava)
    if inhib:
        w = -w
    return w.astype(np.int64)


def _shift_by_exp(acc: np.ndarray, weight_exp: int) -> np.ndarray:
    # PyDenseModelBitAcc.run_spk: left shift if weight_exp > 0 else arithmetic right shift by -weight_exp
    return np.left_shift(acc, weight_exp) if weight_exp > 0 else np.right_shift(acc, -weight_exp)


def _decay(x: np.ndarray, factor: int) -> np.ndarray:
    # sign(x*f) * (|x*f| >> 12): product in int64, truncation toward zero
    p = x.astype(np.int64) * factor
    return np.sign(p) * (np.abs(p) >> DECAY_SHIFT)


def lif_step(u: np.ndarray, v: np.ndarray, a_in: np.ndarray, du: int, dv: int, bias: np.ndarray, vth: int
             ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One PyLifModelBitAcc time step (lava/proc/lif/models.py AbstractPyLifModelFixed.subthr_dynamics + run_spk)."""
    act = a_in.astype(np.int64) << ACT_SHIFT
    if np.abs(act).max(initial=0) >= (1 << 31):
        raise OverflowError("a_in << 6 overflows int32 in Lava; this network is outside what Lava models")
    x = _decay(u, DECAY_UNITY - (du + 1)) + act                # ds_offset = 1
    x = np.where(x > UV_MAX, x - 2 * UV_MAX, x)                # 24-bit wrap (note: > , not >=)
    x = np.where(x <= -UV_MAX, x + 2 * UV_MAX, x)
    u = x
    v = _decay(v, DECAY_UNITY - dv) + u + bias                 # dm_offset = 0
    v = np.clip(v, -UV_MAX + 1, UV_MAX - 1)
    s = v > (vth << VTH_SHIFT)
    v = np.where(s, 0, v)
    return u, v, s


# ----------------------------------------------------------------------------------------------------------------
# Emulation
# ----------------------------------------------------------------------------------------------------------------

Spikes = Dict[str, Tuple[np.ndarray, np.ndarray]]  # population -> (steps (1-based), node ids), sorted by step, id


def emulate(bundle: Bundle, record_state: bool = False):
    """Integer emulation of the Lava fixed_pt network. Returns spikes (and, if record_state, u/v traces T x n).

    Per step t = 1..T, in Lava's order: every Dense/DelayDense first delivers what it accumulated at t-1 (its a_buff
    column 0); each LIF sums those into a_in and updates; sources emit their column t-1; then every projection
    accumulates the spikes of step t into its buffer (delay d lands d columns further, i.e. reaches a_in at t+1+d).
    """
    T = bundle.steps
    pops = bundle.populations
    state = {n: [p.u.copy(), p.v.copy(), _effective_bias(p.bias_mant, p.bias_exp)] for n, p in pops.items()}
    projs = []
    for pr in bundle.projections.values():
        w = effective_weights(pr.weights, pr.sign_mode, pr.num_weight_bits)
        D = pr.max_delay
        dmat = pr.delays if pr.delays is not None else np.zeros_like(w)
        # per-delay weight slices (what get_delay_wgts_mat builds)
        slices = [np.where(dmat == k, w, 0) for k in range(D + 1)] if D > 0 else [w]
        projs.append((pr, slices, np.zeros((pr.weights.shape[0], D + 1), dtype=np.int64)))
    rasters = {n: inp.raster(T).astype(bool) for n, inp in bundle.inputs.items()}
    spk_steps: Dict[str, List[np.ndarray]] = {n: [] for n in pops}
    spk_ids: Dict[str, List[np.ndarray]] = {n: [] for n in pops}
    traces = {n: (np.zeros((T, p.size), np.int64), np.zeros((T, p.size), np.int64)) for n, p in pops.items()} \
        if record_state else None

    for t in range(1, T + 1):
        a_in = {n: np.zeros(p.size, dtype=np.int64) for n, p in pops.items()}
        for pr, _, buf in projs:
            a_in[pr.target] += buf[:, 0]
        s_now: Dict[str, np.ndarray] = {}
        for n, p in pops.items():
            u, v, bias = state[n]
            u, v, s = lif_step(u, v, a_in[n], p.du, p.dv, bias, p.vth)
            state[n][0], state[n][1] = u, v
            s_now[n] = s
            if s.any():
                ids = np.flatnonzero(s)
                spk_ids[n].append(ids)
                spk_steps[n].append(np.full(ids.size, t, dtype=np.int64))
            if traces is not None:
                traces[n][0][t - 1] = u
                traces[n][1][t - 1] = v
        for n, r in rasters.items():
            s_now[n] = r[:, t - 1]
        for i, (pr, slices, buf) in enumerate(projs):
            s = s_now[pr.source]
            if len(slices) == 1:          # Dense: a_buff = shift(weights[:, s].sum(axis=1))
                buf[:, 0] = _shift_by_exp(slices[0][:, s].sum(axis=1), pr.weight_exp)
            else:                         # DelayDense: zero col 0, roll left, add per-delay sums
                buf[:, 0] = 0
                buf = np.roll(buf, -1, axis=1)
                for k, wk in enumerate(slices):
                    buf[:, k] += _shift_by_exp(wk[:, s].sum(axis=1), pr.weight_exp)
                projs[i] = (pr, slices, buf)

    spikes = {n: (np.concatenate(spk_steps[n]) if spk_steps[n] else np.zeros(0, np.int64),
                  np.concatenate(spk_ids[n]) if spk_ids[n] else np.zeros(0, np.int64)) for n in pops}
    return (spikes, traces) if record_state else spikes


# ----------------------------------------------------------------------------------------------------------------
# Lava
# ----------------------------------------------------------------------------------------------------------------

def _lava_sign_mode(name: str):
    from lava.utils.weightutils import SignMode
    return {"mixed": SignMode.MIXED, "excitatory": SignMode.EXCITATORY, "inhibitory": SignMode.INHIBITORY}.get(name)


def run_lava(bundle: Bundle, verbose: bool = True, record_state: bool = False):
    """Build the bundle from Lava processes, run it in Loihi2SimCfg(select_tag='fixed_pt'), return spikes + timing."""
    from lava.proc.lif.process import LIF
    from lava.proc.dense.process import Dense, DelayDense
    from lava.proc.io.source import RingBuffer as SpikeSource
    from lava.proc.io.sink import RingBuffer as SpikeSink
    from lava.magma.core.run_configs import Loihi2SimCfg
    from lava.magma.core.run_conditions import RunSteps

    T = bundle.steps
    lifs, sinks, sources, monitors = {}, {}, {}, {}
    for n, p in bundle.populations.items():
        lifs[n] = LIF(shape=(p.size,), u=p.u.astype(np.int32), v=p.v.astype(np.int32), du=int(p.du), dv=int(p.dv),
                      vth=int(p.vth), bias_mant=p.bias_mant.astype(np.int32), bias_exp=p.bias_exp.astype(np.int32),
                      name=f"lif_{n}")
        sinks[n] = SpikeSink(shape=(p.size,), buffer=T)
        lifs[n].s_out.connect(sinks[n].a_in)
        if record_state:
            from lava.proc.monitor.process import Monitor
            mu, mv = Monitor(), Monitor()
            mu.probe(lifs[n].u, T)
            mv.probe(lifs[n].v, T)
            monitors[n] = (mu, mv)
    used_inputs = {pr.source for pr in bundle.projections.values() if pr.source in bundle.inputs}
    for n in used_inputs:
        # A RingBuffer sends data[:, (t-1) % buffer] at step t: pad to T columns so nothing repeats.
        sources[n] = SpikeSource(data=bundle.inputs[n].raster(T))
    out_port = {**{n: l.s_out for n, l in lifs.items()}, **{n: s.s_out for n, s in sources.items()}}
    size_of = {**{n: p.size for n, p in bundle.populations.items()}, **{n: i.size for n, i in bundle.inputs.items()}}

    conns = []
    parent = {n: n for n in out_port}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for pr in bundle.projections.values():
        kw = dict(weights=pr.weights.astype(np.int32), weight_exp=int(pr.weight_exp),
                  num_weight_bits=int(pr.num_weight_bits), num_message_bits=0, name=f"dense_{pr.name}")
        if pr.sign_mode != "auto":
            kw["sign_mode"] = _lava_sign_mode(pr.sign_mode)
        if pr.delays is not None:
            syn = DelayDense(delays=pr.delays.astype(int), **kw)
        else:
            syn = Dense(**kw)
        out_port[pr.source].connect(syn.s_in)
        syn.a_out.connect(lifs[pr.target].a_in)
        conns.append(syn)
        parent[find(pr.source)] = find(pr.target)
    # Lava compiles only what is connected to the process run() is called on: join disconnected parts with
    # all-zero Dense processes (they add 0 to a_in, so they change no number).
    roots = sorted({find(n) for n in lifs})
    anchor = next(iter(lifs))
    for r in roots:
        if find(r) != find(anchor):
            tgt = next(n for n in lifs if find(n) == r)
            dummy = Dense(weights=np.zeros((size_of[tgt], size_of[anchor]), dtype=np.int32), name=f"join_{tgt}")
            out_port[anchor].connect(dummy.s_in)
            dummy.a_out.connect(lifs[tgt].a_in)
            parent[find(tgt)] = find(anchor)
            conns.append(dummy)

    cfg = Loihi2SimCfg(select_tag="fixed_pt")
    root = lifs[anchor]
    t0 = time.perf_counter()
    root.create_runtime(run_cfg=cfg)
    t1 = time.perf_counter()
    try:
        root.run(condition=RunSteps(num_steps=T))
        t2 = time.perf_counter()
        spikes: Spikes = {}
        for n, sk in sinks.items():
            data = np.asarray(sk.data.get())  # (size, T): column t-1 = spikes of step t
            ids, cols = np.nonzero(data)
            order = np.lexsort((ids, cols))
            spikes[n] = ((cols[order] + 1).astype(np.int64), ids[order].astype(np.int64))
        traces = None
        if record_state:
            traces = {}
            for n, (mu, mv) in monitors.items():
                u = mu.get_data()[lifs[n].name]["u"]
                v = mv.get_data()[lifs[n].name]["v"]
                traces[n] = (np.asarray(u).astype(np.int64), np.asarray(v).astype(np.int64))
        t3 = time.perf_counter()
    finally:
        root.stop()
    timing = {"compile_seconds": t1 - t0, "run_seconds": t2 - t1, "readback_seconds": t3 - t2,
              "steps": T, "steps_per_second": T / (t2 - t1) if t2 > t1 else float("inf"),
              "processes": len(lifs) + len(sinks) + len(sources) + len(conns)}
    if verbose:
        print(f"lava: {timing['processes']} processes; compile+init {timing['compile_seconds']:.2f} s; "
              f"run() {timing['run_seconds']:.3f} s for {T} steps = {timing['steps_per_second']:.0f} steps/s "
              f"({1e3 * timing['run_seconds'] / T:.2f} ms/step); readback {timing['readback_seconds']:.2f} s",
              flush=True)
    return (spikes, timing, traces) if record_state else (spikes, timing)


# ----------------------------------------------------------------------------------------------------------------
# Output
# ----------------------------------------------------------------------------------------------------------------

def write_spikes(path: str, spikes: Spikes, bundle: Bundle, source: str, extra_attrs: Optional[dict] = None,
                 traces=None) -> None:
    sorting = h5py.enum_dtype({"none": 0, "by_id": 1, "by_time": 2}, basetype="u1")
    with h5py.File(path, "w") as f:
        f.attrs["source"] = source
        f.attrs["bundle"] = os.path.abspath(bundle.path) if bundle.path else ""
        f.attrs["steps"] = bundle.steps
        f.attrs["dt_ms"] = bundle.dt_ms
        for k, v in (extra_attrs or {}).items():
            f.attrs[k] = v
        for n in sorted(spikes):
            st, ids = spikes[n]
            order = np.lexsort((ids, st))
            st, ids = st[order], ids[order]
            g = f.create_group(f"spikes/{n}")
            g.attrs.create("sorting", 2, dtype=sorting)
            ts = g.create_dataset("timestamps", data=st.astype(np.float64) * bundle.dt_ms)
            ts.attrs["units"] = "ms"
            g.create_dataset("node_ids", data=ids.astype(np.uint64))
            g.create_dataset("steps", data=st.astype(np.int64))
        if traces:
            for n, (u, v) in traces.items():
                f.create_dataset(f"state/{n}/u", data=u.astype(np.int32))
                f.create_dataset(f"state/{n}/v", data=v.astype(np.int32))


def compare_spikes(a: Spikes, b: Spikes) -> List[str]:
    """Empty list if identical; otherwise one line per differing population."""
    problems = []
    for n in sorted(set(a) | set(b)):
        if n not in a or n not in b:
            problems.append(f"{n}: present in only one result")
            continue
        sa = set(zip(a[n][0].tolist(), a[n][1].tolist()))
        sb = set(zip(b[n][0].tolist(), b[n][1].tolist()))
        if sa != sb:
            first = min(sa ^ sb)
            problems.append(f"{n}: {len(sa)} vs {len(sb)} spikes, {len(sa ^ sb)} differ; first difference at step "
                            f"{first[0]}, neuron {first[1]}")
    return problems


def summarize(spikes: Spikes, bundle: Bundle) -> str:
    parts = []
    for n, (st, ids) in sorted(spikes.items()):
        size = bundle.populations[n].size
        rate = st.size / size / bundle.steps
        parts.append(f"{n}: {st.size} spikes ({rate:.4f} per neuron per step)")
    return "; ".join(parts)


# ----------------------------------------------------------------------------------------------------------------
# Writing bundles and the example networks
# ----------------------------------------------------------------------------------------------------------------

def write_bundle(path: str, steps: int, populations: dict, projections: dict, inputs: Optional[dict] = None,
                 dt_ms: float = 1.0) -> None:
    """populations: name -> dict(size, du, dv, vth, [bias_mant, bias_exp, u, v]);
    projections: name -> dict(source, target, weights | (pre, post, weight[, delay]), [delays, delay,
    num_weight_bits, weight_exp, sign_mode]); inputs: name -> dict(size, steps, node_ids)."""
    with h5py.File(path, "w") as f:
        f.attrs["format"] = BUNDLE_FORMAT
        f.attrs["version"] = BUNDLE_VERSION
        f.attrs["steps"] = int(steps)
        f.attrs["dt_ms"] = float(dt_ms)
        f.create_group("populations")
        for n, p in populations.items():
            g = f.create_group(f"populations/{n}")
            for k in ("size", "du", "dv", "vth"):
                g.attrs[k] = int(p[k])
            for k in ("bias_mant", "bias_exp", "u", "v"):
                if k in p:
                    g.create_dataset(k, data=np.asarray(p[k], dtype=np.int32))
        for n, i in (inputs or {}).items():
            g = f.create_group(f"inputs/{n}")
            g.attrs["size"] = int(i["size"])
            g.create_dataset("steps", data=np.asarray(i["steps"], dtype=np.int64))
            g.create_dataset("node_ids", data=np.asarray(i["node_ids"], dtype=np.int64))
        f.create_group("projections")
        for n, pr in projections.items():
            g = f.create_group(f"projections/{n}")
            g.attrs["source"] = pr["source"]
            g.attrs["target"] = pr["target"]
            for k in ("num_weight_bits", "weight_exp", "delay"):
                if k in pr and np.ndim(pr[k]) == 0:
                    g.attrs[k] = int(pr[k])
            if "sign_mode" in pr:
                g.attrs["sign_mode"] = pr["sign_mode"]
            if "weights" in pr:
                w = np.asarray(pr["weights"])
                g.create_dataset("weights", data=w.astype(np.int16), compression="gzip" if w.size > 4096 else None)
                if "delays" in pr:
                    g.create_dataset("delays", data=np.asarray(pr["delays"], dtype=np.int8))
            else:
                g.create_dataset("pre", data=np.asarray(pr["pre"], dtype=np.int64))
                g.create_dataset("post", data=np.asarray(pr["post"], dtype=np.int64))
                g.create_dataset("weight", data=np.asarray(pr["weight"], dtype=np.int16))
                if "delay" in pr and np.ndim(pr["delay"]) > 0:
                    g.create_dataset("delay", data=np.asarray(pr["delay"], dtype=np.int8))


def make_examples(directory: str) -> List[str]:
    os.makedirs(directory, exist_ok=True)
    paths = []

    # (a) two-neuron chain driven by bias. a: v += 200 per step (bias 100 << 1), no leak, vth 10 (640):
    #     spikes at 4, 8, 12, ... b: u = 50 << 6 = 3200 one step after each spike of a (du = 4095: full current
    #     decay), v += u, no leak, vth 100 (6400, strict >): spikes at 13, 25, 37, 49 (3 inputs each).
    p = os.path.join(directory, "a_chain.h5")
    write_bundle(p, 60,
                 {"a": dict(size=1, du=0, dv=0, vth=10, bias_mant=[100], bias_exp=[1]),
                  "b": dict(size=1, du=4095, dv=0, vth=100)},
                 {"a_to_b": dict(source="a", target="b", weights=[[50]])})
    paths.append(p)

    # (b) 100-neuron random recurrent E/I network, 1000 steps. Exercises: excitatory / inhibitory / mixed sign
    #     modes, num_weight_bits < 8, weight_exp > 0 and < 0, negative bias_exp, random initial u and v.
    rng = np.random.default_rng(20240601)
    ne, ni = 80, 20

    def conn(n_post, n_pre, prob, lo, hi):
        m = rng.random((n_post, n_pre)) < prob
        return np.where(m, rng.integers(lo, hi + 1, (n_post, n_pre)), 0)

    w_ee = conn(ne, ne, 0.1, 1, 40)
    np.fill_diagonal(w_ee, 0)
    w_ei = conn(ni, ne, 0.2, 1, 60)                     # exc -> inh
    w_ie = -conn(ne, ni, 0.3, 1, 90)                    # inh -> exc
    w_ii = conn(ni, ni, 0.3, -120, 61)                  # mixed sign: odd values lose their LSB
    np.fill_diagonal(w_ii, 0)
    p = os.path.join(directory, "b_ei.h5")
    write_bundle(p, 1000,
                 {"exc": dict(size=ne, du=819, dv=205, vth=100,
                              bias_mant=rng.integers(5, 45, ne), bias_exp=np.full(ne, 5),
                              u=rng.integers(-20000, 20000, ne), v=rng.integers(-3000, 7000, ne)),
                  "inh": dict(size=ni, du=1229, dv=410, vth=80,
                              bias_mant=rng.integers(-301, 1201, ni), bias_exp=np.full(ni, -1),
                              u=rng.integers(-5000, 5000, ni), v=rng.integers(0, 5000, ni))},
                 {"ee": dict(source="exc", target="exc", weights=w_ee, weight_exp=-1),
                  "ei": dict(source="exc", target="inh", weights=w_ei, num_weight_bits=6),
                  "ie": dict(source="inh", target="exc", weights=w_ie, weight_exp=1),
                  "ii": dict(source="inh", target="inh", weights=w_ii)})
    paths.append(p)

    # (c) feed-forward: input spike source (20) -> hidden (10) with per-synapse delays 0..7 (DelayDense, sparse
    #     form), hidden -> out (4) with a scalar delay of 3, and input -> out (no delay, inhibitory) into the same
    #     a_in. 300 steps.
    rng = np.random.default_rng(7)
    T = 300
    raster = rng.random((20, T)) < 0.04
    ids, cols = np.nonzero(raster)
    pre, post = np.nonzero(rng.random((20, 10)) < 0.4)
    p = os.path.join(directory, "c_ff_delay.h5")
    write_bundle(p, T,
                 {"hidden": dict(size=10, du=1024, dv=512, vth=800),
                  "out": dict(size=4, du=2048, dv=128, vth=400, bias_mant=[3, 0, -2, 5], bias_exp=[6, 6, 6, 6])},
                 {"in_hidden": dict(source="in", target="hidden", pre=pre, post=post,
                                    weight=rng.integers(20, 160, pre.size), delay=rng.integers(0, 8, pre.size)),
                  "hidden_out": dict(source="hidden", target="out", weights=rng.integers(0, 200, (4, 10)), delay=3),
                  "in_out": dict(source="in", target="out", weights=-rng.integers(0, 30, (4, 20)))},
                 inputs={"in": dict(size=20, steps=cols + 1, node_ids=ids)})
    paths.append(p)

    # (d) edge cases: u wraps at 24 bits (du = -1: no decay; 200 inputs x 255 x 64 per step), v saturates at
    #     +-(2^23 - 1), threshold near the top of the range, a mixed projection with num_weight_bits 9 (no LSB loss).
    rng = np.random.default_rng(3)
    T = 40
    raster = rng.random((200, T)) < 0.8
    ids, cols = np.nonzero(raster)
    p = os.path.join(directory, "d_wrap.h5")
    write_bundle(p, T,
                 {"w": dict(size=3, du=-1, dv=0, vth=(1 << 17) - 1, u=[0, 8000000, -8000000]),
                  "x": dict(size=2, du=100, dv=3000, vth=1000, v=[8388607, -8388607]),
                  # u lands exactly on +2^23 (kept: the wrap test is '> 2^23') and on -2^23 (wrapped to +2^23)
                  "e": dict(size=2, du=-1, dv=4096, vth=0, u=[(1 << 23) - 64, -(1 << 23) + 64])},
                 {"in_w": dict(source="in", target="w", weights=np.vstack([np.full(200, 255), np.full(200, 200),
                                                                           np.full(200, -255)])),
                  "w_x": dict(source="w", target="x", weights=[[-7, 9, 3], [255, -256, 1]], num_weight_bits=9),
                  "in_e_plus": dict(source="in", target="e", weights=np.eye(2, 200, dtype=int)),
                  "in_e_minus": dict(source="in", target="e", weights=-np.eye(2, 200, k=-1, dtype=int))},
                 inputs={"in": dict(size=200, steps=cols + 1, node_ids=ids)})
    paths.append(p)
    return paths


# ----------------------------------------------------------------------------------------------------------------
# netx (lava-dl) checks
# ----------------------------------------------------------------------------------------------------------------

def write_netx(path: str, layers: List[dict]) -> None:
    """Write a lava-dl netx HDF5 file with h5py, the way lava-dl's slayer export_hdf5 writes it.

    layers: [{'type': 'input', 'shape': n}, {'type': 'dense'|'dense_rec', 'shape': n, 'weight': (n, n_in),
    ['weight_rec': (n, n)], ['bias': (n,)], ['delay': (n_in,) or (n,)], 'neuron': {iDecay, vDecay, vThMant}}, ...]
    """
    with h5py.File(path, "w") as f:
        for i, L in enumerate(layers):
            g = f.create_group(f"layer/{i}")
            g.create_dataset("type", (1,), "S10", [L["type"].encode("ascii")])
            g.create_dataset("shape", data=np.array([L["shape"]]))
            for k in ("weight", "weight_rec", "bias", "delay"):
                if k in L:
                    g.create_dataset(k, data=np.asarray(L[k], dtype=np.float32))
            if "neuron" in L:
                nrn = {"type": "CUBA", "refDelay": 1, "gradedSpike": False, **L["neuron"]}
                for k, v in nrn.items():
                    g.create_dataset(f"neuron/{k}", data=v)


def netx_dense_params(weight: np.ndarray):
    """lava/lib/dl/netx/utils.py optimize_weight_bits, as netx applies it (returns the Dense arguments netx uses)."""
    from lava.lib.dl.netx.utils import optimize_weight_bits
    w, nwb, wexp, _ = optimize_weight_bits(np.asarray(weight).astype(int))
    return np.asarray(w).astype(np.int64), int(nwb), int(wexp)


def _netx_str(ds) -> str:
    """A netx string dataset, read the way netx's NetDict reads it (shape (1,) or scalar; bytes or str)."""
    v = ds[0] if len(ds.shape) > 0 else ds[()]
    return v.decode("ascii") if isinstance(v, bytes) else str(v)


def bundle_from_netx(path: str, input_steps: np.ndarray, input_ids: np.ndarray, steps: int) -> Bundle:
    """The bundle that reproduces what netx.hdf5.Network builds from a dense/dense_rec CUBA netx file (the input
    layer must be 'input' without a neuron, as in these checks). Neuron mapping: du = iDecay - 1, dv = vDecay,
    vth = vThMant, bias_mant = bias, bias_exp = 6; weights through netx's optimize_weight_bits; sign mode left to
    Lava's Dense (netx does not pass its own)."""
    pops, projs, inputs = {}, {}, {}
    with h5py.File(path, "r") as f:
        layers = [f[f"layer/{i}"] for i in range(len(f["layer"]))]
        prev = None
        for i, g in enumerate(layers):
            typ = _netx_str(g["type"])
            n = int(np.prod(g["shape"][()]))
            if typ == "input":
                prev = "input"
                inputs[prev] = Input(prev, n, np.asarray(input_steps, np.int64), np.asarray(input_ids, np.int64))
                continue
            name = f"layer{i}"
            nr = g["neuron"]
            bias = np.asarray(g["bias"][()]).astype(np.int64) if "bias" in g else np.zeros(n, np.int64)
            pops[name] = Population(name, n, int(nr["iDecay"][()]) - 1, int(nr["vDecay"][()]), int(nr["vThMant"][()]),
                                    bias, np.full(n, 6, np.int64), np.zeros(n, np.int64), np.zeros(n, np.int64))
            w = np.asarray(g["weight"][()]).astype(int)
            delays = None
            if "delay" in g:
                d = np.clip(np.asarray(g["delay"][()]).astype(int), 0, 62)
                delays = np.repeat(d.reshape(-1, 1), w.shape[1], axis=1) if d.size == w.shape[0] \
                    else np.repeat(d.reshape(1, -1), w.shape[0], axis=0)
            if typ == "dense_rec":
                if delays is not None:
                    raise NotImplementedError("dense_rec with delay: netx builds it differently (see docs)")
                wr = np.asarray(g["weight_rec"][()]).astype(int)
                wc, nwb, wexp = netx_dense_params(np.hstack((w, wr)))
                projs[f"{name}_ff"] = Projection(f"{name}_ff", prev, name, wc[:, :w.shape[1]], delays, nwb, wexp,
                                                 "auto", w)
                projs[f"{name}_rec"] = Projection(f"{name}_rec", name, name, wc[:, w.shape[1]:], None, nwb, wexp,
                                                  "auto", wr)
            else:
                wc, nwb, wexp = netx_dense_params(w)
                projs[f"{name}_ff"] = Projection(f"{name}_ff", prev, name, wc, delays, nwb, wexp, "auto", w)
            prev = name
    b = Bundle(steps, 1.0, pops, inputs, projs, path)
    return b


def netx_weights_exact(pr: Projection) -> bool:
    """True if netx + Lava's Dense reproduce the netx file's integer weights exactly: the effective weights Lava uses,
    times 2^weight_exp, equal the original weights, so the synaptic input is the plain sum of the file's weights."""
    eff = effective_weights(pr.weights, pr.sign_mode, pr.num_weight_bits)
    orig = pr.netx_original
    if pr.weight_exp >= 0:
        return bool(np.array_equal(eff << pr.weight_exp, orig))
    return bool(np.array_equal(eff, orig << -pr.weight_exp))


def run_netx(path: str, raster: np.ndarray):
    """Load a netx file with netx.hdf5.Network, drive it from a RingBuffer, record every layer; fixed_pt."""
    from lava.lib.dl import netx
    from lava.proc.io.source import RingBuffer as SpikeSource
    from lava.proc.io.sink import RingBuffer as SpikeSink
    from lava.magma.core.run_configs import Loihi2SimCfg
    from lava.magma.core.run_conditions import RunSteps
    T = raster.shape[1]
    net = netx.hdf5.Network(net_config=path)
    src = SpikeSource(data=raster.astype(np.int32))
    src.s_out.connect(net.inp)
    sinks = []
    for L in net.layers:
        sk = SpikeSink(shape=L.out.shape, buffer=T)
        L.neuron.s_out.connect(sk.a_in)
        sinks.append(sk)
    t0 = time.perf_counter()
    net.run(condition=RunSteps(num_steps=T), run_cfg=Loihi2SimCfg(select_tag="fixed_pt"))
    t1 = time.perf_counter()
    try:
        out = {}
        with h5py.File(path, "r") as f:
            names = [f"layer{i}" for i in range(len(f["layer"])) if _netx_str(f[f"layer/{i}/type"]) != "input"]
        for name, sk, L in zip(names, sinks, net.layers):
            data = np.asarray(sk.data.get())
            ids, cols = np.nonzero(data)
            order = np.lexsort((ids, cols))
            out[name] = ((cols[order] + 1).astype(np.int64), ids[order].astype(np.int64))
        kinds = [(type(L).__name__, type(L.neuron).__name__, type(L.synapse).__name__) for L in net.layers]
    finally:
        net.stop()
    return out, kinds, t1 - t0


def netx_check(directory: str) -> bool:
    os.makedirs(directory, exist_ok=True)
    rng = np.random.default_rng(11)
    T = 80
    n_in = 6
    raster = rng.random((n_in, T)) < 0.3
    ids, cols = np.nonzero(raster)

    def cuba(idecay, vdecay, vth):
        return {"iDecay": idecay, "vDecay": vdecay, "vThMant": vth}

    cases = {
        # input layer + dense CUBA + dense CUBA (with a bias)
        "netx_basic": [{"type": "input", "shape": n_in},
                       {"type": "dense", "shape": 5, "weight": rng.integers(-60, 121, (5, n_in)),
                        "neuron": cuba(1024, 256, 80)},
                       {"type": "dense", "shape": 3, "weight": rng.integers(0, 100, (3, 5)),
                        "bias": np.array([10, 0, -3]), "neuron": cuba(4096, 128, 60)}],
        # a recurrent layer, axonal delays (one per output neuron), iDecay = 0 (du = -1: no current decay)
        "netx_rec_delay": [{"type": "input", "shape": n_in},
                           {"type": "dense_rec", "shape": 4, "weight": rng.integers(0, 120, (4, n_in)),
                            "weight_rec": rng.integers(-40, 40, (4, 4)), "neuron": cuba(1024, 512, 150)},
                           {"type": "dense", "shape": 3, "weight": rng.integers(-100, 100, (3, 4)),
                            "delay": np.array([0, 2, 5]), "neuron": cuba(0, 64, 50)}],
        # pitfall 2: dense_rec weights are optimised together (here: mixed, num_weight_bits 9) but each Dense picks
        # its own sign mode; the all-positive feed-forward part is EXCITATORY, truncated by -1 bits -> all 0.
        "netx_pitfall_rec": [{"type": "input", "shape": n_in},
                             {"type": "dense_rec", "shape": 4, "weight": rng.integers(0, 250, (4, n_in)),
                              "weight_rec": rng.integers(-40, 40, (4, 4)), "neuron": cuba(1024, 512, 150)}],
        # pitfall 1: zeros and negatives only with min <= -128 and an odd weight -> netx picks MIXED and
        # num_weight_bits 9, Lava's Dense picks INHIBITORY and truncates by -1 bits: every weight becomes 0.
        "netx_pitfall": [{"type": "input", "shape": n_in},
                         {"type": "dense", "shape": 3, "weight": rng.integers(0, 200, (3, n_in)),
                          "neuron": cuba(1024, 256, 20)},
                         {"type": "dense", "shape": 2, "weight": np.array([[0, -200, -3], [-5, 0, -1]]),
                          "bias": np.array([30, 30]), "neuron": cuba(4096, 0, 100)}],
        # pitfall 3: no positive weight and min(W) a power of two (here -64): netx scales min to exactly -256, but
        # Lava clips inhibitory weights to [-255, 0] and then truncates low bits: the effective weights shrink.
        "netx_pitfall_pow2": [{"type": "input", "shape": n_in},
                              {"type": "dense", "shape": 3, "weight": rng.integers(0, 100, (3, n_in)),
                               "neuron": cuba(1024, 256, 20)},
                              {"type": "dense", "shape": 2, "weight": np.array([[-1, -64, -3], [-5, -2, -64]]),
                               "bias": np.array([40, 40]), "neuron": cuba(4096, 0, 100)}],
    }
    ok = True
    for name, layers in cases.items():
        path = os.path.join(directory, f"{name}.net.h5")
        write_netx(path, layers)
        lava_sp, kinds, secs = run_netx(path, raster.astype(np.int32))
        b = bundle_from_netx(path, cols + 1, ids, T)
        emu = emulate(b)
        problems = compare_spikes(lava_sp, emu)
        counts = {k: int(v[0].size) for k, v in lava_sp.items()}
        exact = {pr.name: netx_weights_exact(pr) for pr in b.projections.values()}
        print(f"{name}: blocks {kinds}; spikes per layer {counts}; weights reproduced exactly {exact}; "
              f"run {secs:.2f} s (incl. compile); "
              + ("emulate() identical" if not problems else "MISMATCH: " + "; ".join(problems)), flush=True)
        ok &= not problems
    return ok


# ----------------------------------------------------------------------------------------------------------------
# CLI
# ----------------------------------------------------------------------------------------------------------------

def cmd_compare(path: str, out: Optional[str], state: bool = False) -> bool:
    b = load_bundle(path)
    t0 = time.perf_counter()
    emu = emulate(b, record_state=state)
    t_emu = time.perf_counter() - t0
    if state:
        emu, emu_tr = emu
        lava_sp, timing, lava_tr = run_lava(b, record_state=True)
    else:
        lava_sp, timing = run_lava(b)
    problems = compare_spikes(lava_sp, emu)
    if state and not problems:
        for n in emu_tr:
            for k, (x, y) in enumerate(zip(emu_tr[n], lava_tr[n])):
                if not np.array_equal(x, y):
                    problems.append(f"{n}: {'uv'[k]} traces differ")
    print(f"{os.path.basename(path)}: {summarize(lava_sp, b)}; emulate {t_emu * 1e3:.0f} ms; "
          + ("IDENTICAL to emulate()" if not problems else "MISMATCH: " + "; ".join(problems)), flush=True)
    if out:
        write_spikes(out, lava_sp, b, "lava", {k: v for k, v in timing.items()})
    return not problems


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    for c in ("run", "emulate", "compare"):
        s = sub.add_parser(c)
        s.add_argument("bundle")
        s.add_argument("-o", "--output", required=(c != "compare"))
        s.add_argument("--state", action="store_true", help="also record u and v (Lava: Monitor; slow)")
    s = sub.add_parser("examples")
    s.add_argument("dir")
    s = sub.add_parser("selftest")
    s.add_argument("dir", nargs="?", default="lava-selftest")
    s = sub.add_parser("netx-check")
    s.add_argument("dir", nargs="?", default="lava-selftest")
    a = ap.parse_args(argv)
    try:
        if a.cmd == "run":
            b = load_bundle(a.bundle)
            if a.state:
                sp, timing, tr = run_lava(b, record_state=True)
            else:
                (sp, timing), tr = run_lava(b), None
            print(summarize(sp, b))
            write_spikes(a.output, sp, b, "lava", timing, traces=tr)
        elif a.cmd == "emulate":
            b = load_bundle(a.bundle)
            res = emulate(b, record_state=a.state)
            sp, tr = res if a.state else (res, None)
            print(summarize(sp, b))
            write_spikes(a.output, sp, b, "emulate", traces=tr)
        elif a.cmd == "compare":
            return 0 if cmd_compare(a.bundle, a.output, a.state) else 1
        elif a.cmd == "examples":
            for p in make_examples(a.dir):
                print(p)
        elif a.cmd == "selftest":
            ok = True
            for p in make_examples(a.dir):
                ok &= cmd_compare(p, p.replace(".h5", ".lava-spikes.h5"))
            ok &= netx_check(a.dir)
            print("selftest:", "all identical" if ok else "MISMATCHES (see above)")
            return 0 if ok else 1
        elif a.cmd == "netx-check":
            return 0 if netx_check(a.dir) else 1
    except BundleError as e:
        print(f"lava_reference.py: invalid bundle: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
