#!/usr/bin/env python3
"""Generates the committed fuzz corpus (Tests/fuzz/corpus/): malformed experiment configs derived
from experiments/*.yaml and damaged results files derived from one short run, deterministically
(seed 2026). Tests/python/test_fuzz_corpus.py runs every entry through the CLI.

    .venv/bin/python Tests/fuzz/make_corpus.py --ndml .build/release/ndml

Configs (configs/*.yaml): truncations, deleted and duplicated lines, values replaced by NaN,
infinities, huge, negative, zero, null, strings, lists and maps, unknown keys, byte flips, and
hostile YAML (deep nesting, alias bombs, binary, empty, tabs, anchors to nothing). Results files
(h5/*.h5): truncations at many offsets, bit flips in the superblock, object headers and
data, zeroed blocks, a file that is not HDF5, and valid HDF5 files with NDML's groups missing or
of the wrong type and shape.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e-?\d+)?(?![\w.])")
REPLACEMENTS = [".nan", ".inf", "-.inf", "-1", "0", "1e308", "-1e308", "99999999999999999999999", "null",
                "abc", "[]", "{}", "[1, 2]", "{a: 1}", "''", "true", "0x10", "1_000", "2.5e-400", "~"]
HOSTILE = {
    "empty": "",
    "only_document_marker": "---\n",
    "scalar_document": "42\n",
    "list_document": "- simulation\n- populations\n",
    "deep_lists": "[" * 5000 + "]" * 5000 + "\n",
    "deep_maps": "".join(f"{'  ' * i}k{i}:\n" for i in range(400)) + "  " * 400 + "v: 1\n",
    "alias_bomb": "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(8)),
    "undefined_alias": "simulation: *nothing\n",
    "tabs": "simulation:\n\tduration_ms: 10\n",
    "binary": None,  # filled below
    "unterminated_string": "simulation: {duration_ms: \"10}\n",
    "duplicate_top_keys": "simulation: {duration_ms: 10}\nsimulation: {duration_ms: 20}\npopulations: {}\n",
    "huge_size": "simulation: {duration_ms: 10}\npopulations:\n  p: {size: 99999999999999, model: lif_cuba}\n",
    "negative_size": "simulation: {duration_ms: 10}\npopulations:\n  p: {size: -5, model: lif_cuba}\n",
    "huge_duration": "simulation: {duration_ms: 1e300}\npopulations:\n  p: {size: 5, model: lif_cuba}\n",
    "tiny_dt": "simulation: {duration_ms: 10, dt_ms: 1e-300}\npopulations:\n  p: {size: 5, model: lif_cuba}\n",
    "self_projection_unknown": "simulation: {duration_ms: 10}\npopulations:\n  p: {size: 5, model: lif_cuba}\n"
                               "projections:\n  x: {source: q, target: p, connectivity: all_to_all, weight_mV: 1}\n",
    "utf16_bom": None,
    "nul_bytes": "simulation: {duration_ms: 10}\x00\x00populations: {}\n",
    "very_long_key": "simulation: {" + "k" * 100000 + ": 1, duration_ms: 10}\n",
}


# The run whose results file is damaged: small, so the corpus stays small.
SMALL_RUN = """\
simulation: {dt_ms: 0.1, duration_ms: 100, seed: 1}
populations:
  exc: {size: 40, model: lif_cuba, params: {v_rest_mV: -49, v_thresh_mV: -50, v_reset_mV: -60},
        init: {v_mV: {uniform: [-60, -50]}}}
  inh: {size: 10, model: lif_cuba, params: {v_rest_mV: -49, v_thresh_mV: -50, v_reset_mV: -60}}
projections:
  ee: {source: exc, target: exc, connectivity: {fixed_probability: 0.2}, weight_mV: 1.6}
  ie: {source: inh, target: exc, connectivity: {fixed_probability: 0.2}, weight_mV: -4, receptor: inhibitory}
record:
  spikes: [exc, inh]
  state: [{population: exc, variables: [v], neurons: [0, 1], interval_ms: 1}]
output: {gzip: 4}
"""


def mutate_configs(out: Path, rng: random.Random) -> int:
    sources = sorted((REPO / "experiments").glob("*.yaml"))
    n = 0

    def write(name: str, text: str | bytes):
        nonlocal n
        path = out / f"{name}.yaml"
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
        n += 1

    for src in sources:
        text = src.read_text()
        lines = text.splitlines(keepends=True)
        stem = src.stem
        for k in (0.1, 0.35, 0.6, 0.85):
            write(f"{stem}-truncated-{int(k * 100)}", text[: int(len(text) * k)])
        for i in range(2):
            j = rng.randrange(len(lines))
            write(f"{stem}-deleted-line-{i}", "".join(lines[:j] + lines[j + 1:]))
        j = rng.randrange(len(lines))
        write(f"{stem}-duplicated-line", "".join(lines[: j + 1] + [lines[j]] + lines[j + 1:]))
        numbers = list(NUMBER.finditer(text))
        for i in range(6):
            if not numbers:
                break
            m = rng.choice(numbers)
            value = REPLACEMENTS[(i + rng.randrange(len(REPLACEMENTS))) % len(REPLACEMENTS)]
            write(f"{stem}-value-{i}", text[: m.start()] + value + text[m.end():])
        keys = [m for m in re.finditer(r"^(\s*)([a-z_]+):", text, re.M)]
        if keys:
            m = rng.choice(keys)
            write(f"{stem}-unknown-key", text[: m.start(2)] + m.group(2) + "x" + text[m.end(2):])
            m = rng.choice(keys)
            write(f"{stem}-key-deleted-value", text[: m.end()] + " " + text[text.find("\n", m.end()):])
        raw = bytearray(text.encode())
        for i in range(2):
            flipped = bytearray(raw)
            for _ in range(5):
                p = rng.randrange(len(flipped))
                flipped[p] = rng.randrange(256)
            write(f"{stem}-bytes-{i}", bytes(flipped))
    for name, text in HOSTILE.items():
        if name == "binary":
            text = bytes(rng.randrange(256) for _ in range(4096))
        elif name == "utf16_bom":
            text = "\ufeffsimulation: {duration_ms: 10}\n".encode("utf-16")
        write(f"hostile-{name}", text)
    return n


def damaged_results(out: Path, ndml: str, rng: random.Random) -> int:
    import h5py
    import numpy as np

    n = 0
    with tempfile.TemporaryDirectory() as tmp:
        good = Path(tmp) / "good.h5"
        config = Path(tmp) / "small.yaml"
        config.write_text(SMALL_RUN)
        subprocess.run([ndml, "run", config, "-o", good, "--quiet"], check=True, cwd=REPO)
        data = good.read_bytes()

        def write(name: str, blob: bytes):
            nonlocal n
            (out / f"{name}.h5").write_bytes(blob)
            n += 1

        for k in (0, 8, 64, 512, 2048, 4096, len(data) // 8, len(data) // 4, len(data) // 2,
                  3 * len(data) // 4, len(data) - 512, len(data) - 1):
            write(f"truncated-{k}", data[:k])
        for region, (lo, hi) in {"superblock": (0, 96), "header": (96, 4096),
                                 "body": (4096, len(data))}.items():
            for i in range(8):
                blob = bytearray(data)
                for _ in range(4 if region != "body" else 64):
                    p = rng.randrange(lo, hi)
                    blob[p] ^= 1 << rng.randrange(8)
                write(f"bitflip-{region}-{i}", bytes(blob))
        for i in range(6):
            blob = bytearray(data)
            start = rng.randrange(len(data) - 1024)
            blob[start:start + 1024] = bytes(1024)
            write(f"zeroed-{i}", bytes(blob))
        write("not-hdf5-text", b"this is not an HDF5 file\n" * 100)
        write("empty", b"")

        def variant(name: str, edit):
            path = Path(tmp) / f"{name}.h5"
            shutil.copy(good, path)
            with h5py.File(path, "r+") as f:
                edit(f)
            write(name, path.read_bytes())

        variant("no-spikes-group", lambda f: f.__delitem__("spikes"))
        variant("no-ndml-group", lambda f: f.__delitem__("ndml"))
        variant("spikes-is-dataset", lambda f: (f.__delitem__("spikes"), f.create_dataset("spikes", data=[1, 2])))
        variant("timestamps-wrong-type", lambda f: (f["spikes/exc"].__delitem__("timestamps"),
                                                    f["spikes/exc"].create_dataset("timestamps", data=np.array([b"x"]))))
        variant("timestamps-2d", lambda f: (f["spikes/exc"].__delitem__("timestamps"),
                                            f["spikes/exc"].create_dataset("timestamps", data=np.zeros((3, 3)))))
        variant("node-ids-negative", lambda f: (f["spikes/exc"].__delitem__("node_ids"),
                                                f["spikes/exc"].create_dataset("node_ids", data=-np.ones(
                                                    f["spikes/exc/timestamps"].shape[0], dtype=np.int64))))
        variant("node-ids-shorter", lambda f: (f["spikes/exc"].__delitem__("node_ids"),
                                               f["spikes/exc"].create_dataset("node_ids", data=np.zeros(1, np.uint64))))
        variant("timestamps-nan", lambda f: f["spikes/exc/timestamps"].__setitem__(slice(None), np.nan))
        variant("status-not-string", lambda f: f["ndml"].attrs.__setitem__("status", 5))
        variant("report-data-wrong-shape", lambda f: (f["report/exc/v"].__delitem__("data"),
                                                      f["report/exc/v"].create_dataset("data", data=np.zeros(7))))
        variant("report-mapping-missing", lambda f: f["report/exc/v"].__delitem__("mapping"))
        variant("config-dataset-garbage", lambda f: (f["ndml"].__delitem__("config"),
                                                     f["ndml"].create_dataset("config", data=np.zeros(3))))
        variant("sorting-attr-garbage", lambda f: f["spikes"].attrs.__setitem__("sorting", "sideways"))
    return n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ndml", default=str(REPO / ".build" / "release" / "ndml"))
    args = ap.parse_args()
    corpus = HERE / "corpus"
    for sub in ("configs", "h5"):
        shutil.rmtree(corpus / sub, ignore_errors=True)
        (corpus / sub).mkdir(parents=True)
    rng = random.Random(2026)
    c = mutate_configs(corpus / "configs", rng)
    r = damaged_results(corpus / "h5", args.ndml, rng)
    print(f"{c} configs, {r} results files in {corpus}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
