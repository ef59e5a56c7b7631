"""NDML → NIR → NDML gives the same network (`ndml export --format nir`, `ndml import-nir`).

For each of the four Loihi networks in experiments/:

1. `ndml export CONFIG --format nir -o FILE` writes a NIR graph;
2. the reference reader, `nir.read` (nir 1.0.8 in the Lava venv, $NDML_LAVA_PYTHON), parses it
   with its type checks, and the node types, shapes, edges and parameters are what
   docs/loihi-nir.md says;
3. `ndml import-nir FILE -o CONFIG` gives a config whose run has exactly the spikes of the
   original's run;
4. the same with every node's NDML metadata removed by the nir package (read, strip, write): the
   network then comes from the continuous parameters alone (the config's sources and `init` still
   come from the graph metadata) and must still spike identically.

Plus: a graph with a node NDML does not support (a Conv2d written by the nir package itself) is
refused with a message naming the node and its type. These tests never skip: a missing Lava venv
fails them.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import h5py
import pytest

REPO = Path(__file__).resolve().parents[2]
NETWORKS = ["loihi_feedforward", "loihi_ei_network", "loihi_bias_only", "loihi_delays"]


def run_nir(python: str, script: str, *args) -> str:
    proc = subprocess.run([python, "-c", script, *map(str, args)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"nir script failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


DESCRIBE = r"""
import json, sys, numpy as np, nir
g = nir.read(sys.argv[1])
out = {"version": nir.version, "edges": sorted(map(list, g.edges)), "metadata": sorted(g.metadata), "nodes": {}}
for name, n in g.nodes.items():
    d = {"type": type(n).__name__, "metadata": sorted(n.metadata)}
    for key in ["weight", "delay", "tau_syn", "tau_mem", "r", "v_leak", "v_threshold", "v_reset", "w_in"]:
        if hasattr(n, key):
            v = np.asarray(getattr(n, key), dtype=float)
            d[key] = {"shape": list(v.shape), "min": float(v.min()) if v.size else 0.0,
                      "max": float(v.max()) if v.size else 0.0}
    if type(n).__name__ in ("Input", "Output"):
        d["shape"] = np.asarray(n.input_type["input"]).tolist()
    out["nodes"][name] = d
print(json.dumps(out))
"""

STRIP = r"""
import sys, nir
g = nir.read(sys.argv[1])
for n in g.nodes.values():
    n.metadata = {}
nir.write(sys.argv[2], g)
"""

CONV = r"""
import sys, numpy as np, nir
g = nir.NIRGraph(
    nodes={"in": nir.Input(input_type=np.array([1, 8, 8])),
           "edge_detector": nir.Conv2d(input_shape=(8, 8), weight=np.ones((2, 1, 3, 3)), stride=1, padding=1,
                                       dilation=1, groups=1, bias=np.zeros(2)),
           "out": nir.Output(output_type=np.array([2, 8, 8]))},
    edges=[("in", "edge_detector"), ("edge_detector", "out")])
nir.write(sys.argv[1], g)
"""


def config_of(network: str) -> dict:
    import yaml
    return yaml.safe_load((REPO / "experiments" / f"{network}.yaml").read_text())


def spikes(path: Path) -> dict:
    with h5py.File(path, "r") as f:
        return {p: (f[f"spikes/{p}/timestamps"][()].tolist(), f[f"spikes/{p}/node_ids"][()].tolist())
                for p in f["spikes"]}


def check_graph(graph: dict, network: str):
    cfg = config_of(network)
    dt = cfg["simulation"]["dt_ms"] / 1000
    nodes, edges = graph["nodes"], graph["edges"]
    assert graph["version"] == "1.0.8"
    assert {"config", "dt_ms", "steps", "seed", "ndml_format"} <= set(graph["metadata"])
    for name, pop in cfg["populations"].items():
        n = pop["size"]
        if pop["model"] == "loihi_cuba":
            node = nodes[name]
            assert node["type"] == "CubaLIF"
            p = {"du": 0, "dv": 0, "vth": 10, "bias_mant": 0, "bias_exp": 0, **pop.get("params", {})}
            for key in ["tau_syn", "tau_mem", "r", "v_leak", "v_threshold", "v_reset", "w_in"]:
                assert node[key]["shape"] == [n]
            assert node["v_threshold"]["min"] == node["v_threshold"]["max"] == 64 * p["vth"]
            assert node["w_in"]["max"] == 64 and node["v_reset"]["max"] == 0
            tau_mem = node["tau_mem"]["max"]
            assert abs((1 - pow(2.718281828459045, -dt / tau_mem)) * 4096 - p["dv"]) < 1e-6
            assert abs(node["v_leak"]["max"] * p["dv"] / 4096 - p["bias_mant"] * 2 ** p["bias_exp"]) < 1e-6
            assert {"du", "dv", "vth", "bias_mant", "bias_exp", "u_init", "v_init"} <= set(node["metadata"])
            assert nodes[f"{name}__output"]["type"] == "Output" and [name, f"{name}__output"] in edges
        else:
            assert nodes[name]["type"] == "Input" and nodes[name]["shape"] == [n]
    for name, proj in cfg["projections"].items():
        linears = {k: v for k, v in nodes.items() if v["type"] == "Linear" and (k == name or k.startswith(name + "__d"))}
        assert linears, f"no Linear for projection {name}"
        target, source = cfg["populations"][proj["target"]]["size"], cfg["populations"][proj["source"]]["size"]
        for k, v in linears.items():
            assert v["weight"]["shape"] == [target, source]
            assert [k, proj["target"]] in edges
            delays = [e[0] for e in edges if e[1] == k]
            assert len(delays) == 1
            if delays[0] == proj["source"]:
                continue
            delay = nodes[delays[0]]
            assert delay["type"] == "Delay" and delay["delay"]["shape"] == [source]
            assert [proj["source"], delays[0]] in edges
            assert delay["delay"]["min"] == delay["delay"]["max"] > 0
            steps = delay["delay"]["max"] / dt
            assert abs(steps - round(steps)) < 1e-6


@pytest.mark.parametrize("network", NETWORKS)
def test_ndml_nir_ndml_gives_the_same_network(network, tmp_path, run_ndml, lava_python):
    config = REPO / "experiments" / f"{network}.yaml"
    graph_file = tmp_path / f"{network}.nir"
    run_ndml("export", config, "--format", "nir", "-o", graph_file)
    check_graph(json.loads(run_nir(lava_python, DESCRIBE, graph_file)), network)

    original = tmp_path / "original.h5"
    run_ndml("run", config, "-o", original, "-q")
    expected = spikes(original)
    assert sum(len(t) for t, _ in expected.values()) > 1000

    # With NDML's metadata (exact integers), and with the continuous parameters alone.
    stripped = tmp_path / f"{network}_continuous.nir"
    run_nir(lava_python, STRIP, graph_file, stripped)
    for graph in [graph_file, stripped]:
        imported = tmp_path / f"{graph.stem}_imported.yaml"
        proc = run_ndml("import-nir", graph, "-o", imported)
        assert "approximat" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
        rerun = tmp_path / f"{graph.stem}_imported.h5"
        run_ndml("run", imported, "-o", rerun, "-q")
        got = spikes(rerun)
        assert got.keys() == expected.keys()
        for pop in expected:
            assert got[pop] == expected[pop], f"{network}/{pop} via {graph.name}: {len(got[pop][0])} spikes, " \
                                              f"original {len(expected[pop][0])}"


def test_unsupported_node_is_named(tmp_path, ndml_bin, lava_python):
    graph_file = tmp_path / "conv.nir"
    run_nir(lava_python, CONV, graph_file)
    proc = subprocess.run([ndml_bin, "import-nir", graph_file, "-o", tmp_path / "conv.yaml"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "node 'edge_detector' of type Conv2d" in proc.stderr, proc.stderr
    assert not (tmp_path / "conv.yaml").exists()


def test_float_network_is_quantised_with_notes(tmp_path, ndml_bin, lava_python):
    script = r"""
import sys, numpy as np, nir
g = nir.NIRGraph(
    nodes={"in": nir.Input(input_type=np.array([3])),
           "fc": nir.Affine(weight=np.array([[0.5, -0.25, 1.0], [0.1, 0.2, 0.3]]), bias=np.zeros(2)),
           "lif": nir.CubaLIF(tau_syn=np.full(2, 5e-3), tau_mem=np.full(2, 2e-2), r=np.ones(2),
                              v_leak=np.zeros(2), v_threshold=np.ones(2)),
           "out": nir.Output(output_type=np.array([2]))},
    edges=[("in", "fc"), ("fc", "lif"), ("lif", "out")])
nir.write(sys.argv[1], g)
"""
    graph_file = tmp_path / "float.nir"
    run_nir(lava_python, script, graph_file)
    out = tmp_path / "float.yaml"
    proc = subprocess.run([ndml_bin, "import-nir", graph_file, "-o", out], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "approximated" in proc.stderr
    text = out.read_text()
    assert "model: loihi_cuba" in text and "Poisson source" in text
    # dv from tau_mem = 20 ms at dt = 1 ms: 4096 (1 - e^-0.05) = 199.8 -> 200.
    assert "dv: 200" in text
    proc = subprocess.run([ndml_bin, "run", out, "-o", tmp_path / "float.h5", "-q"], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
