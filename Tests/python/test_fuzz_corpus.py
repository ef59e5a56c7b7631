"""The committed fuzz corpus (Tests/fuzz/corpus, made by Tests/fuzz/make_corpus.py) through the
real CLI: every malformed config through `ndml validate`, every damaged results file through
`ndml inspect` and `ndml analyze`. Each must end within its time limit (no hang), with exit
status 0 or 1 (no crash: a signal or a Swift runtime trap gives 128+ or a negative status), and a
failure must say which file it is about — never a backtrace."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[1] / "fuzz" / "corpus"
CONFIGS = sorted((CORPUS / "configs").glob("*.yaml"))
RESULTS = sorted((CORPUS / "h5").glob("*.h5"))
CRASH_MARKERS = ("Fatal error", "Program crashed", "Backtrace", "Segmentation fault", "Illegal instruction")
TIME_LIMIT_S = 30


def test_corpus_is_large_enough():
    assert len(CONFIGS) >= 200, len(CONFIGS)
    assert len(RESULTS) >= 50, len(RESULTS)


def check(ndml_bin, repo_root, args, path: Path) -> subprocess.CompletedProcess:
    try:
        proc = subprocess.run([str(ndml_bin), *map(str, args)], cwd=repo_root, capture_output=True,
                              timeout=TIME_LIMIT_S)
    except subprocess.TimeoutExpired:
        pytest.fail(f"`ndml {' '.join(map(str, args))}` hung (> {TIME_LIMIT_S} s)")
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode in (0, 1, 2), f"exit status {proc.returncode} for {path.name}:\n{err[-2000:]}"
    assert not any(m in err for m in CRASH_MARKERS), f"{path.name}: crash output:\n{err[-2000:]}"
    if proc.returncode != 0:
        assert path.name in err, f"{path.name}: the error does not name the file:\n{err[-1000:]}"
    return proc


@pytest.mark.parametrize("config", CONFIGS, ids=lambda p: p.stem)
def test_malformed_config(config, ndml_bin, repo_root):
    check(ndml_bin, repo_root, ["validate", config, "--quiet"], config)


@pytest.mark.parametrize("results", RESULTS, ids=lambda p: p.stem)
def test_damaged_results_file(results, ndml_bin, repo_root):
    check(ndml_bin, repo_root, ["inspect", results, "--quiet"], results)
    check(ndml_bin, repo_root, ["analyze", results, "--quiet"], results)
