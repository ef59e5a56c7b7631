"""`ndml plot`: every kind renders to a valid, non-blank PNG (rsvg-convert from Debian's
librsvg2-bin, installed by the Makefile), with its title and axis labels; bad requests fail
cleanly with the file named."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image

KINDS = {
    # kind: (experiment, extra args, words the SVG must contain)
    "raster": ("experiments/coba.yaml", [], ["Spike raster", "time (ms)", "exc", "inh"]),
    "rate": ("experiments/coba.yaml", ["--bin-ms", "10"], ["Population rate", "rate (Hz per neuron)"]),
    "isi": ("experiments/coba.yaml", [], ["Inter-spike intervals", "interval (ms)"]),
    "voltage": ("experiments/coba.yaml", [], ["Membrane potential", "v (mV)", "exc neuron 0"]),
    "weights": ("experiments/btsp_place_field.yaml", [], ["Synaptic weights", "weight (mV)", "btsp"]),
    "recall": ("experiments/memory_lifecycle.yaml", [], ["Recall from partial cues", "age of the trace (s)",
                                                          "chain: mean per age bin", "single"]),
}
# Runs shortened for the plot (the memory lifecycle: 20 minutes, 40 tracked items).
RUN_ARGS = {"experiments/memory_lifecycle.yaml": ["--set", "simulation.duration_ms=1200000"]}


@pytest.fixture(scope="module")
def results(run_ndml, tmp_path_factory):
    folder = tmp_path_factory.mktemp("plots")
    out = {}
    for config in {v[0] for v in KINDS.values()}:
        path = folder / (config.split("/")[-1].replace(".yaml", ".h5"))
        run_ndml("run", config, "-o", path, "-q", *RUN_ARGS.get(config, []))
        out[config] = path
    return out


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_plot_renders_to_a_non_blank_png(kind, results, run_ndml, tmp_path):
    config, extra, words = KINDS[kind]
    svg = tmp_path / f"{kind}.svg"
    run_ndml("plot", results[config], "--kind", kind, "-o", svg, "-q", *extra)
    text = svg.read_text()
    assert text.startswith("<?xml") and text.rstrip().endswith("</svg>")
    for word in words:
        assert word in text, f"{kind}: '{word}' missing from the SVG"
    png = tmp_path / f"{kind}.png"
    assert shutil.which("rsvg-convert"), "rsvg-convert (librsvg2-bin) is installed by `make test`"
    subprocess.run(["rsvg-convert", str(svg), "-o", str(png)], check=True)
    image = np.asarray(Image.open(png).convert("RGB"), dtype=np.int32)
    assert image.shape[0] >= 400 and image.shape[1] >= 700
    ink = (image.sum(axis=2) < 3 * 235).mean()
    colours = len({tuple(p) for p in image.reshape(-1, 3)[::97]})
    assert ink > 0.01, f"{kind}: only {ink:.3%} of the image is drawn"
    assert colours > 5, f"{kind}: {colours} colours, the plot looks empty"


def test_plot_errors_name_the_file(results, ndml_bin, tmp_path):
    coba = results["experiments/coba.yaml"]
    cases = [
        (["plot", str(coba), "--kind", "recall", "-o", str(tmp_path / "r.svg")], "no /memory group"),
        (["plot", str(coba), "--kind", "weights", "-o", str(tmp_path / "w.svg")], "no weight snapshots"),
        (["plot", str(coba), "--kind", "raster", "--population", "nope", "-o", str(tmp_path / "x.svg")], "nope"),
        (["plot", str(tmp_path / "missing.h5"), "--kind", "rate", "-o", str(tmp_path / "m.svg")], "missing.h5"),
    ]
    for args, expected in cases:
        done = subprocess.run([str(ndml_bin), *args], capture_output=True, text=True)
        assert done.returncode == 1, (args, done.returncode, done.stderr)
        assert expected in done.stderr, (args, done.stderr)
        assert "Fatal error" not in done.stderr
