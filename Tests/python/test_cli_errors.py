"""Bad input through the real CLI: a clear message naming file, line and key; a non-zero exit;
nothing already written is lost."""

from __future__ import annotations

import subprocess

import h5py
import pytest

CUBA_SMALL = """\
simulation: {dt_ms: 0.1, duration_ms: 50, seed: 1}
populations:
  exc:
    size: 20
    model: lif_cuba
    params: {tau_m_ms: 20, v_rest_mV: -49, v_thresh_mV: -50, v_reset_mV: -60, tau_ref_ms: 5}
projections:
  ee: {source: exc, target: exc, connectivity: {fixed_probability: 0.1}, weight_mV: 1.6}
record: {spikes: [exc]}
"""


def ndml(ndml_bin, repo_root, *args):
    return subprocess.run([str(ndml_bin), *map(str, args)], cwd=repo_root, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize(
    "change, expected",
    [
        (("tau_m_ms: 20", "tau_m: 20"), ":6: populations.exc.params.tau_m: unknown key; did you mean 'tau_m_ms'?"),
        (("tau_m_ms: 20", "tau_m_ms: 20 ms"), "the unit is part of the key name"),
        (("tau_m_ms: 20", "tau_m_ms: -20"), "populations.exc.params.tau_m_ms: must be positive"),
        (("duration_ms: 50", "duration_ms: .nan"), "simulation.duration_ms: is NaN"),
        (("size: 20", "size: 20\n    sise: 3"), "did you mean 'size'?"),
        (("weight_mV: 1.6", "weight_mV: -1.6"), "use receptor: inhibitory for negative weights"),
        (("{tau_m_ms: 20,", "{tau_m_ms: 20"), "YAML syntax error"),
        (("model: lif_cuba", "model: lif_cubaa"), "did you mean 'lif_cuba'?"),
    ],
)
def test_bad_config_is_refused_with_location(ndml_bin, repo_root, tmp_path, change, expected):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text(CUBA_SMALL.replace(*change))
    for command in ("validate", "run"):
        r = ndml(ndml_bin, repo_root, command, cfg, "-o", tmp_path / "out.h5") if command == "run" else ndml(
            ndml_bin, repo_root, command, cfg)
        assert r.returncode == 2, f"{command}: exit {r.returncode}\n{r.stderr}"
        assert str(cfg) in r.stderr and expected in r.stderr, r.stderr
    assert not (tmp_path / "out.h5").exists()


def test_missing_input_file_and_config(ndml_bin, repo_root, tmp_path):
    cfg = tmp_path / "x.yaml"
    cfg.write_text(CUBA_SMALL.replace("model: lif_cuba\n    params: {tau_m_ms: 20, v_rest_mV: -49, v_thresh_mV: -50, v_reset_mV: -60, tau_ref_ms: 5}",
                                      "model: spike_source\n    params: {file: datasets/none.csv}"))
    r = ndml(ndml_bin, repo_root, "run", cfg)
    assert r.returncode == 2 and "datasets/none.csv" in r.stderr, r.stderr
    r = ndml(ndml_bin, repo_root, "run", tmp_path / "absent.yaml")
    assert r.returncode == 2 and "config file not found" in r.stderr, r.stderr


def test_bench_outside_the_repository_says_where_to_run_it(ndml_bin, tmp_path):
    r = subprocess.run([str(ndml_bin), "bench", "cuba", "--no-peers", "--no-probe"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 64, r  # a usage error
    assert "experiments/cuba.yaml not found in" in r.stderr and "from the repository root" in r.stderr, r.stderr
    assert r.stdout == "", r.stdout  # no table header before the error


def test_unwritable_output_keeps_nothing_half_written(ndml_bin, repo_root, tmp_path):
    cfg = tmp_path / "ok.yaml"
    cfg.write_text(CUBA_SMALL)
    r = ndml(ndml_bin, repo_root, "run", cfg, "-o", "/proc/ndml/out.h5")
    assert r.returncode == 1 and "cannot write results to /proc/ndml/out.h5" in r.stderr, r.stderr


def test_existing_results_survive_a_failed_run(ndml_bin, repo_root, tmp_path):
    cfg = tmp_path / "ok.yaml"
    cfg.write_text(CUBA_SMALL)
    out = tmp_path / "out.h5"
    assert ndml(ndml_bin, repo_root, "run", cfg, "-o", out).returncode == 0
    before = out.read_bytes()
    # A run that blows up numerically (huge weights) stops with an error; the old file stays.
    cfg.write_text(CUBA_SMALL.replace("weight_mV: 1.6", "weight_mV: 1.0e308").replace("tau_m_ms: 20", "tau_m_ms: 20, tau_syn_e_ms: 0"))
    r = ndml(ndml_bin, repo_root, "run", cfg, "-o", out)
    assert r.returncode == 1 and "became non-finite" in r.stderr and "population" in r.stderr and "neuron" in r.stderr, r.stderr
    assert out.read_bytes() == before
    with h5py.File(str(out) + ".partial", "r") as f:
        assert f["ndml"].attrs["status"] == "failed"


def test_network_too_large_is_refused_before_allocating(ndml_bin, repo_root, tmp_path):
    cfg = tmp_path / "huge.yaml"
    cfg.write_text(CUBA_SMALL.replace("size: 20", "size: 2000000").replace("fixed_probability: 0.1", "fixed_probability: 0.5"))
    r = ndml(ndml_bin, repo_root, "run", cfg, "-o", tmp_path / "out.h5")
    assert r.returncode == 1 and "the network needs an estimated" in r.stderr and "GiB" in r.stderr, r.stderr
    assert not (tmp_path / "out.h5").exists() and not (tmp_path / "out.h5.partial").exists()


def test_inspect_refuses_truncated_file(ndml_bin, repo_root, tmp_path):
    cfg = tmp_path / "ok.yaml"
    cfg.write_text(CUBA_SMALL)
    out = tmp_path / "out.h5"
    assert ndml(ndml_bin, repo_root, "run", cfg, "-o", out).returncode == 0
    data = out.read_bytes()
    out.write_bytes(data[: len(data) // 2])
    r = ndml(ndml_bin, repo_root, "inspect", out)
    assert r.returncode == 1 and "is not a readable NDML results file" in r.stderr, r.stderr
