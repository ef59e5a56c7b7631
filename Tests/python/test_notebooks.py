"""Every notebook source in notebooks-export/ executes (nbclient, the venv's ipykernel) against
results generated here by the `ndml` binary, reading them with h5py only; each notebook's own
asserts check what it shows (rates, bimodal weights, place-field shift, recall)."""

from __future__ import annotations

import importlib.util

import pytest


def _export_module(repo_root):
    spec = importlib.util.spec_from_file_location("nb_export", repo_root / "notebooks-export" / "export.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def export(repo_root):
    return _export_module(repo_root)


def test_every_notebook_source_is_listed(export, repo_root):
    sources = {p.stem for p in (repo_root / "notebooks-export").glob("*.py")} - {"export", "quickstart"}
    assert sources == set(export.NEEDS), "add new notebooks to export.NEEDS with the experiments they read"


@pytest.mark.parametrize("name", ["network_activity", "stdp_song2000", "btsp_memory", "loihi_quantization",
                                  "memory_lifecycle"])
def test_notebook_executes(name, export, ndml_bin, tmp_path):
    export.make_results(tmp_path, ndml_bin, export.NEEDS[name])
    notebook = export.execute(export.HERE / f"{name}.py", tmp_path)
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs), f"{name} draws at least one figure"
