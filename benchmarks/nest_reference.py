#!/usr/bin/env python3
"""NEST reference run of Brunel (2000) model A, the network of NDML's `experiments/brunel2000_ai.yaml`.

Used as the peer for that experiment by `Tests/python/test_nest_agreement.py` and in
`docs/validation.md`. It reads the network from NDML's own config file (PyYAML), so the two
simulators cannot drift apart, builds it in NEST 3.x (`nest-simulator` 3.10.0 from PyPI) and
reduces the spikes with `Tests/python/spikestats.py`, the code the pytest suite uses for NDML.

    python benchmarks/nest_reference.py --config experiments/brunel2000_ai.yaml \
        --duration-ms 1000 --seed 1 --threads 1 --out-json results/nest_brunel.json

Source: NEST's example `pynest/examples/brunel_delta_nest.py` (Brunel 2000, model A:
`iaf_psc_delta` neurons, static synapses with weight = PSP jump J in mV, one homogeneous delay,
`fixed_indegree` connectivity C_E = epsilon N_E from the excitatory and C_I = epsilon N_I from the
inhibitory population, external drive by ONE `poisson_generator` connected `all_to_all`, which
draws an independent Poisson train for every target, at rate C_E * nu_ext per neuron, weight J).
Taken from the config: N_E, N_I (populations exc/inh `size`), C_E, C_I (`fixed_in_degree` of
ee/ei and ie/ii), J (ee/ei `weight_mV`), g = -(ie/ii `weight_mV`) / J, D (`delay_ms`), tau_m,
theta, V_reset, t_ref, E_L (`v_rest_mV`), the external rate (ext_exc/ext_inh `rate_Hz`, i.e.
C_E * nu_ext, with the xe/xi weight and delay), the initial V_m range, dt, duration and seed
(NEST kernel `rng_seed`). The script stops with an error if the config is not model A (e.g.
ee and ei, or ie and ii, differ; synapses are not delta synapses).

Deviations from NEST's example (as shipped with NEST 3.10.0, `nest/doc/examples/pynest/
brunel_delta_nest.py` in the wheel), all to match NDML's config, which follows the paper:
  * V_reset = 10 mV as in Brunel's paper (the example resets to 0 mV);
  * initial V_m uniform in the config's range ([0, 20) mV, `nest.random.uniform`); the example
    starts every neuron at V_m = 0 mV;
  * `allow_autapses` and `allow_multapses` False, to match NDML's `fixed_in_degree` (k distinct
    sources, no self-connections); the example uses NEST's defaults (both allowed);
  * all excitatory and inhibitory neurons are recorded, not the example's first 50, and the
    statistics are computed over [--transient-ms, duration) (default [200, duration) ms);
  * one thread (`local_num_threads`, `--threads`), resolution = the config's dt, `rng_seed` set.
`refractory_input` stays False (NEST's default): input arriving during the refractory period is
lost, as in NDML, where v is held at V_reset.
Remaining differences of the neuron model itself: NEST spikes at V_m >= theta, NDML at v > theta
(no effect with continuous input statistics); both integrate the leak exactly on the dt grid.

Output (JSON, printed unless --quiet, and written to --out-json): `rate_hz` {exc, inh} and
`cv_isi_mean` {exc, inh} (spikestats.population_stats), `chi` (spikestats.synchrony_chi: 5 ms
bins, exc neurons 0..999), `spectral_peak_hz` (spikestats.rate_spectrum_peak_hz: all exc,
0.1 ms bins, Welch 100 ms Hann segments, peak above 20 Hz), full per-population `stats`,
`n_synapses` (counted as NDML counts them: recurrent synapses plus the N_E + N_I connections
from the Poisson generator, i.e. NEST's `num_connections` minus the N_E + N_I connections to the
spike recorders), and `timing_s` {build (wall time of creating and connecting the network),
simulate (wall time of nest.Simulate), simulate_cpu}.
Deterministic for a given (config, seed, threads): with the shipped config and seed 1 it gives
exactly the NEST figures quoted in docs/validation.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peer_common import REPO_ROOT, spikestats, write_result  # noqa: E402

DEFAULT_CONFIG = REPO_ROOT / "experiments" / "brunel2000_ai.yaml"
CHI_NEURONS = 1000
CHI_BIN_MS = 5.0
SPECTRUM_MIN_HZ = 20.0


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--config", type=Path, default=DEFAULT_CONFIG,
                   help="NDML experiment config (default experiments/brunel2000_ai.yaml)")
    p.add_argument("--duration-ms", type=float, default=None,
                   help="simulated time (default: the config's simulation.duration_ms)")
    p.add_argument("--seed", type=int, default=None,
                   help="NEST rng_seed (default: the config's simulation.seed)")
    p.add_argument("--threads", type=int, default=1, help="NEST local_num_threads (default 1)")
    p.add_argument("--transient-ms", type=float, default=200.0,
                   help="start of the analysis window (default 200 ms)")
    p.add_argument("--out-json", type=Path, default=None)
    p.add_argument("--spikes-npz", type=Path, default=None,
                   help="also save all spikes (t_ms, i for exc; t_inh_ms, i_inh for inh; 0-based ids)")
    p.add_argument("--quiet", action="store_true", help="do not print the JSON")
    return p.parse_args(argv)


def model_a(cfg: dict) -> dict:
    """Brunel model A parameters from an NDML config; ValueError if it is not model A."""
    pops, proj = cfg["populations"], cfg["projections"]

    def need(cond, what):
        if not cond:
            raise ValueError(f"config is not Brunel model A as this script builds it: {what}")

    pe, pi = pops["exc"]["params"], pops["inh"]["params"]
    need(pops["exc"]["model"] == "lif_cuba" and pops["inh"]["model"] == "lif_cuba", "models must be lif_cuba")
    need(pe == pi, "exc and inh neuron params differ")
    need(pe.get("tau_syn_e_ms") == 0 and pe.get("tau_syn_i_ms") == 0, "synapses must be delta (tau_syn = 0)")
    need(pops["exc"].get("init") == pops["inh"].get("init"), "exc and inh init differ")
    v_init = pops["exc"]["init"]["v_mV"]["uniform"]

    def indeg(name):
        return int(proj[name]["connectivity"]["fixed_in_degree"])

    for a, b in (("ee", "ei"), ("ie", "ii"), ("xe", "xi")):
        for key in ("weight_mV", "delay_ms"):
            need(proj[a][key] == proj[b][key], f"{a}.{key} != {b}.{key}")
    need(indeg("ee") == indeg("ei") and indeg("ie") == indeg("ii"), "in-degrees of ee/ei or ie/ii differ")
    need(proj["ee"]["delay_ms"] == proj["ie"]["delay_ms"], "excitatory and inhibitory delays differ")
    for name, src, tgt in (("ee", "exc", "exc"), ("ei", "exc", "inh"), ("ie", "inh", "exc"),
                           ("ii", "inh", "inh"), ("xe", "ext_exc", "exc"), ("xi", "ext_inh", "inh")):
        need(proj[name]["source"] == src and proj[name]["target"] == tgt, f"{name} is not {src} -> {tgt}")
        need(not proj[name].get("allow_autapses", False), f"{name} allows autapses")
    need(proj["xe"]["connectivity"] == "one_to_one" and proj["xi"]["connectivity"] == "one_to_one",
         "external drive must be one_to_one")
    ext_e, ext_i = pops["ext_exc"], pops["ext_inh"]
    need(ext_e["model"] == "poisson" and ext_i["model"] == "poisson", "external populations must be poisson")
    need(ext_e["params"]["rate_Hz"] == ext_i["params"]["rate_Hz"], "ext_exc and ext_inh rates differ")
    need(ext_e["size"] == pops["exc"]["size"] and ext_i["size"] == pops["inh"]["size"],
         "external population sizes must equal their targets'")
    j = float(proj["ee"]["weight_mV"])
    return {
        "N_E": int(pops["exc"]["size"]), "N_I": int(pops["inh"]["size"]),
        "C_E": indeg("ee"), "C_I": indeg("ie"),
        "J_mV": j, "g": round(-float(proj["ie"]["weight_mV"]) / j, 12), "J_in_mV": float(proj["ie"]["weight_mV"]),
        "delay_ms": float(proj["ee"]["delay_ms"]),
        "tau_m_ms": float(pe["tau_m_ms"]), "E_L_mV": float(pe["v_rest_mV"]),
        "V_th_mV": float(pe["v_thresh_mV"]), "V_reset_mV": float(pe["v_reset_mV"]),
        "t_ref_ms": float(pe["tau_ref_ms"]),
        "V_m_init_uniform_mV": [float(v_init[0]), float(v_init[1])],
        "ext_rate_hz": float(ext_e["params"]["rate_Hz"]),
        "ext_weight_mV": float(proj["xe"]["weight_mV"]), "ext_delay_ms": float(proj["xe"]["delay_ms"]),
        "dt_ms": float(cfg["simulation"]["dt_ms"]),
        "duration_ms": float(cfg["simulation"]["duration_ms"]),
        "seed": int(cfg["simulation"]["seed"]),
    }


def run(m: dict, threads: int, transient_ms: float, spikes_npz=None) -> dict:
    import nest  # imported here so that --help works without NEST

    simtime = m["duration_ms"]
    nest.ResetKernel()
    nest.verbosity = nest.VerbosityLevel.WARNING
    nest.SetKernelStatus({"local_num_threads": threads, "resolution": m["dt_ms"], "rng_seed": m["seed"]})

    t0 = time.perf_counter()
    neuron_params = {"C_m": 1.0, "tau_m": m["tau_m_ms"], "t_ref": m["t_ref_ms"], "E_L": m["E_L_mV"],
                     "V_reset": m["V_reset_mV"], "V_th": m["V_th_mV"], "refractory_input": False}
    nodes_ex = nest.Create("iaf_psc_delta", m["N_E"], params=neuron_params)
    nodes_in = nest.Create("iaf_psc_delta", m["N_I"], params=neuron_params)
    lo, hi = m["V_m_init_uniform_mV"]
    (nodes_ex + nodes_in).V_m = nest.random.uniform(lo, hi)

    noise = nest.Create("poisson_generator", params={"rate": m["ext_rate_hz"]})
    espikes = nest.Create("spike_recorder")
    ispikes = nest.Create("spike_recorder")

    nest.CopyModel("static_synapse", "excitatory", {"weight": m["J_mV"], "delay": m["delay_ms"]})
    nest.CopyModel("static_synapse", "inhibitory", {"weight": m["J_in_mV"], "delay": m["delay_ms"]})
    ext_syn = {"synapse_model": "excitatory", "weight": m["ext_weight_mV"], "delay": m["ext_delay_ms"]}
    nest.Connect(noise, nodes_ex, syn_spec=ext_syn)
    nest.Connect(noise, nodes_in, syn_spec=ext_syn)
    nest.Connect(nodes_ex, espikes)
    nest.Connect(nodes_in, ispikes)

    conn_ex = {"rule": "fixed_indegree", "indegree": m["C_E"], "allow_autapses": False, "allow_multapses": False}
    conn_in = {"rule": "fixed_indegree", "indegree": m["C_I"], "allow_autapses": False, "allow_multapses": False}
    nest.Connect(nodes_ex, nodes_ex + nodes_in, conn_ex, "excitatory")
    nest.Connect(nodes_in, nodes_ex + nodes_in, conn_in, "inhibitory")
    build_s = time.perf_counter() - t0

    t1, c1 = time.perf_counter(), time.process_time()
    nest.Simulate(simtime)
    sim_s, sim_cpu_s = time.perf_counter() - t1, time.process_time() - c1

    ev = espikes.get("events")
    t_ex = np.asarray(ev["times"], dtype=np.float64)
    i_ex = np.asarray(ev["senders"], dtype=np.int64) - nodes_ex[0].global_id
    ev = ispikes.get("events")
    t_in = np.asarray(ev["times"], dtype=np.float64)
    i_in = np.asarray(ev["senders"], dtype=np.int64) - nodes_in[0].global_id
    if spikes_npz is not None:
        Path(spikes_npz).parent.mkdir(parents=True, exist_ok=True)
        np.savez(spikes_npz, t_ms=t_ex, i=i_ex, t_inh_ms=t_in, i_inh=i_in)

    stats = spikestats.summarize({"exc": (t_ex, i_ex, m["N_E"]), "inh": (t_in, i_in, m["N_I"])},
                                 transient_ms, simtime)
    chi = spikestats.synchrony_chi(t_ex, i_ex, n_neurons_sampled=min(CHI_NEURONS, m["N_E"]),
                                   bin_ms=CHI_BIN_MS, t_start_ms=transient_ms, t_stop_ms=simtime)
    peak = spikestats.rate_spectrum_peak_hz(t_ex, m["N_E"], transient_ms, simtime, bin_ms=m["dt_ms"],
                                            min_hz=SPECTRUM_MIN_HZ)
    pops = stats["populations"]
    return {
        "simulator": "NEST", "nest_version": nest.__version__, "model": "Brunel 2000 model A (iaf_psc_delta)",
        "seed": m["seed"], "threads": threads, "duration_ms": simtime,
        "window_ms": stats["window_ms"],
        "rate_hz": {p: pops[p]["rate_hz"] for p in pops},
        "cv_isi_mean": {p: pops[p]["cv_isi_mean"] for p in pops},
        "chi": chi, "chi_settings": {"neurons": f"exc 0..{min(CHI_NEURONS, m['N_E']) - 1}", "bin_ms": CHI_BIN_MS},
        "spectral_peak_hz": peak,
        "spectrum_settings": {"bin_ms": m["dt_ms"], "segment_ms": 100.0, "window": "hann", "overlap": 0.5,
                              "min_hz": SPECTRUM_MIN_HZ, "population": "exc"},
        "n_synapses": int(nest.GetKernelStatus("num_connections")) - m["N_E"] - m["N_I"],
        "n_connections_nest": int(nest.GetKernelStatus("num_connections")),
        "stats": stats,
        "timing_s": {"build": build_s, "simulate": sim_s, "simulate_cpu": sim_cpu_s},
        "parameters": m,
    }



def main(argv=None) -> int:
    args = parse_args(argv)
    cfg = yaml.safe_load(args.config.read_text())
    m = model_a(cfg)
    if args.duration_ms is not None:
        m["duration_ms"] = float(args.duration_ms)
    if args.seed is not None:
        m["seed"] = int(args.seed)
    if not 0 <= args.transient_ms < m["duration_ms"]:
        raise SystemExit(f"--transient-ms {args.transient_ms} must lie in [0, duration)")
    result = run(m, args.threads, args.transient_ms, args.spikes_npz)
    result["config"] = str(args.config)
    write_result(result, args.out_json, args.quiet)
    return 0


if __name__ == "__main__":
    sys.exit(main())
