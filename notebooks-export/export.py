"""Executes the notebook sources of notebooks-export/ and exports them.

Each `*.py` here in jupytext's percent format (except this script and quickstart.py) is converted to
a notebook, executed with nbclient against the results files in $NDML_RESULTS_DIR (default
`results/`; `--make-results` first runs the experiments each notebook needs with the `ndml` binary),
and written as an executed `.ipynb` and a self-contained `.html` to `notebooks-export/exported/`.

    .venv/bin/python notebooks-export/export.py --make-results      # from the repository root
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
# Experiments each notebook reads (results/<name>.h5).
NEEDS = {
    "network_activity": ["cuba", "coba"],
    "stdp_song2000": ["stdp_song2000"],
    "btsp_memory": ["btsp_place_field", "btsp_cam"],
    "memory_lifecycle": ["memory_lifecycle"],
    # "export:NAME": `ndml export experiments/NAME.yaml --format lava -o results/NAME_lava`.
    "loihi_quantization": ["loihi_from_float", "export:loihi_from_float"],
}


def sources() -> list[Path]:
    return sorted(p for p in HERE.glob("*.py") if p.stem in NEEDS)


def make_results(results: Path, ndml: Path, names: list[str]) -> None:
    for name in names:
        if name.startswith("export:"):
            name = name.removeprefix("export:")
            subprocess.run([str(ndml), "export", str(REPO / "experiments" / f"{name}.yaml"), "--format", "lava",
                            "-o", str(results / f"{name}_lava"), "-q"], check=True, cwd=REPO)
            continue
        out = results / f"{name}.h5"
        subprocess.run([str(ndml), "run", str(REPO / "experiments" / f"{name}.yaml"), "-o", str(out), "-q"],
                       check=True, cwd=REPO)


def execute(source: Path, results: Path, timeout_s: int = 600):
    """The executed notebook of one source (raises on the first failing cell)."""
    import jupytext
    from nbclient import NotebookClient

    notebook = jupytext.read(source)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    os.environ["NDML_RESULTS_DIR"] = str(results)
    NotebookClient(notebook, timeout=timeout_s, kernel_name="python3",
                   resources={"metadata": {"path": str(REPO)}}).execute()
    return notebook


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--make-results", action="store_true", help="run the experiments first")
    parser.add_argument("--ndml", type=Path, default=REPO / ".build/release/ndml")
    parser.add_argument("--out", type=Path, default=HERE / "exported")
    args = parser.parse_args(argv)
    results = Path(os.environ.get("NDML_RESULTS_DIR", REPO / "results")).resolve()
    results.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    import nbformat
    from nbconvert import HTMLExporter

    for source in sources():
        if args.make_results:
            make_results(results, args.ndml, NEEDS[source.stem])
        notebook = execute(source, results)
        nbformat.write(notebook, args.out / f"{source.stem}.ipynb")
        html, _ = HTMLExporter().from_notebook_node(notebook)
        (args.out / f"{source.stem}.html").write_text(html)
        print(f"{source.name} -> {args.out / source.stem}.ipynb, .html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
