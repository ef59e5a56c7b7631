"""Benna–Fusi consolidation (issue 5) through the real CLI: experiments/consolidation_chain.yaml.

One potentiation episode (all within the first 1 s tick of the chains), then 3 h of silence; the
same 20 synapses carry an 8-variable chain (τ₁ = 10 s) and, separately, a single leaky variable
(τ = 1000 s). Checked from the recorded weights with h5py and numpy only:
* the weight curve of each equals numpy's own solution of the chain, exp(A t)₁₁ from the
  eigen-decomposition of the symmetrised generator (C_k = 2^(k−1), g_{k,k+1} = 2^(−(k−1))/τ₁, leak),
  to 1e-9 relative (the write's size cancels in w(t)/w(10 s));
* the chain forgets as a power law: log–log slope −0.50 ± 0.05 over more than 2 decades
  (40 s … 2.8 h), the single variable exponentially (log-linear with slope −1/τ);
* bad input: consolidation on a static projection, a clock off the step grid, too many variables.
"""

from __future__ import annotations

import subprocess

import h5py
import numpy as np
import pytest
import yaml
from chain_theory import chain_response


@pytest.fixture(scope="module")
def chain_run(run_ndml, repo_root, tmp_path_factory):
    out = tmp_path_factory.mktemp("consolidation") / "chain.h5"
    run_ndml("run", "experiments/consolidation_chain.yaml", "-o", out, timeout=600)
    return out, yaml.safe_load((repo_root / "experiments/consolidation_chain.yaml").read_text())


def test_weights_follow_the_chain_exactly(chain_run, validation):
    path, config = chain_run
    with h5py.File(path, "r") as f:
        for name in ("chain", "single"):
            c = config["projections"][name]["consolidation"]
            w = f[f"weights/{name}/weights"][:]
            t = f[f"weights/{name}/time"][:]
            assert w[0].max() == 0 and w[1].min() > 0.1, name  # one write, in every synapse
            expected = chain_response(c["variables"], c["tau_1_ms"], c.get("leak", True), t[1:])
            measured = w[1:] / w[1:2]
            np.testing.assert_allclose(measured, np.broadcast_to((expected / expected[0])[:, None], measured.shape),
                                       rtol=1e-9, err_msg=name)
            validation.record("consolidation_chain.yaml", f"{name}: w(3 h)/w(10 s)",
                              "exp(A t)₁₁ of the chain (numpy eigen-decomposition)", expected[-1] / expected[0],
                              float(measured[-1, 0]), "1e-9 rel.", True)


def test_power_law_vs_exponential_forgetting(chain_run, validation):
    path, config = chain_run
    with h5py.File(path, "r") as f:
        w = f["weights/chain/weights"][:, 0]
        t = f["weights/chain/time"][:]
        single = f["weights/single/weights"][:, 0]
    window = (t >= 40_000) & (t <= 10_000_000)
    assert np.log10(t[window].max() / t[window].min()) > 2.3
    slope = np.polyfit(np.log(t[window]), np.log(w[window]), 1)[0]
    validation.record("consolidation_chain.yaml", "log-log slope of the weight, 40 s – 2.8 h (8-variable chain)",
                      "Benna & Fusi 2016: t^(-1/2)", -0.5, slope, "± 0.05", abs(slope + 0.5) <= 0.05)
    assert abs(slope + 0.5) <= 0.05, slope
    # The single variable: exponential, and not a power law (its log-log slope grows steeper).
    tau = config["projections"]["single"]["consolidation"]["tau_1_ms"]
    rate = -np.polyfit(t[1:], np.log(single[1:]), 1)[0]
    assert abs(rate * tau - 1) < 1e-6, rate * tau
    early = np.polyfit(np.log(t[1:10]), np.log(single[1:10]), 1)[0]
    late = np.polyfit(np.log(t[-100:]), np.log(single[-100:]), 1)[0]
    assert late < 10 * early < 0, (early, late)
    # After 3 h the chain keeps far more of the memory than one variable with a 100× slower τ₁.
    assert w[-1] / w[1] > 50 * single[-1] / single[1]


BASE = """\
simulation: {dt_ms: 1, duration_ms: 100, seed: 1}
populations:
  pre: {size: 2, model: poisson, params: {rate_Hz: 5}}
  post: {size: 1, model: lif_cuba}
projections:
  p:
    source: pre
    target: post
    connectivity: all_to_all
    weight_mV: 0.5
    plasticity: {rule: pair_stdp, w_min_mV: 0, w_max_mV: 1}
    consolidation: {model: benna_fusi, variables: 8, tau_1_ms: 10000, clock_ms: 100}
"""


@pytest.mark.parametrize(
    "change, expected",
    [
        ("    plasticity: {rule: pair_stdp, w_min_mV: 0, w_max_mV: 1}\n",
         "projections.p.consolidation: needs a plastic projection"),
        ("clock_ms: 100", "projections.p.consolidation.clock_ms: (100.5 ms) is not a whole multiple"),
        ("variables: 8", "projections.p.consolidation.variables: must be 1 to 16, got 40"),
        ("model: benna_fusi", "projections.p.consolidation.model: 'cascade' is not valid"),
        ("tau_1_ms: 10000, ", "projections.p.consolidation.tau_1_ms: is required"),
        ("clock_ms: 100", "may be late: writes enter the chain up to one clock period late"),
    ],
)
def test_bad_consolidation_input(ndml_bin, tmp_path, change, expected):
    replacement = {
        "clock_ms: 100": "clock_ms: 100.5" if "multiple" in expected else "clock_ms: 20000",
        "variables: 8": "variables: 40",
        "model: benna_fusi": "model: cascade",
    }.get(change, "")
    text = BASE.replace(change, replacement)
    assert text != BASE
    if "late" in expected:
        expected = "is longer than tau_1_ms"
    config = tmp_path / "bad.yaml"
    config.write_text(text)
    r = subprocess.run([str(ndml_bin), "validate", str(config)], capture_output=True, text=True, timeout=120)
    out = r.stdout + r.stderr
    assert expected in out, out
    assert (r.returncode == 0) == ("tau_1_ms" in expected and "longer" in expected), out
