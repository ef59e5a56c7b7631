"""Checkpoint/resume (`ndml run --checkpoint-every-ms T`, `ndml resume CHECKPOINT`).

* A run killed with SIGKILL at random moments — again and again, while resuming too — and resumed
  each time, on a different thread count each time, ends with a results file whose every dataset
  equals, bit for bit, that of an uninterrupted run. After each kill the partial file is readable
  by h5py and says `running` (it is not complete).
* A checkpoint that is truncated, corrupted, not a checkpoint, written by another build, or whose
  config changed, is refused with a clear error (exit 1, the file named, no backtrace), and the
  partial results file is left exactly as it was.

The kill points come from a seeded generator (the seed is in the test id), so a failure can be
replayed.
"""

from __future__ import annotations

import json
import random
import shutil
import signal
import struct
import subprocess
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

# (config, extra overrides, checkpoint interval in ms): plasticity with Poisson inputs and weight
# snapshots; BTSP with plateaus and place-cell inputs; a recurrent network with delays, three
# threads' worth of neurons and state recording; homeostatic scaling of static weights.
CASES = [
    ("experiments/stdp_song2000.yaml", [], 2000),
    ("experiments/btsp_place_field.yaml", [], 1000),
    ("experiments/brunel2000_ai.yaml", ["simulation.duration_ms=1500"], 110),
    # Homeostatic scaling on a 60 s clock, checkpoints between its ticks (sensor, integral, weights).
    ("experiments/homeostasis.yaml", ["simulation.duration_ms=1500000"], 90000),
    # A Benna-Fusi chain on a 1 s clock: hidden variables checkpointed between ticks.
    ("experiments/consolidation_chain.yaml", ["simulation.duration_ms=900000"], 70500),
    # stc: the first checkpoint 4 ms into the first tetanus, with a presynaptic calcium jump still
    # queued (it is due 19 ms after the first spike); then one after the stimulation.
    ("experiments/tagging_capture.yaml", ["simulation.duration_ms=7300000"], 3600004),
    # The memory lifecycle: the first checkpoint 2 ms into the first recall probe's response window
    # (an open probe, its evoked neurons so far), the second amid the next recall's probes.
    ("experiments/memory_lifecycle.yaml",
     ["simulation.duration_ms=700000", "memory.single.items={every: 120, count: 20}",
      "memory.chain.items={every: 120, count: 20}"], 300062),
    # Sine and noise currents (serial work every step): checkpoints 0.3 ms into a 1 ms noise
    # interval and mid-way through a sine period; the held noise values are the kernels' drive.
    ("experiments/current_inputs.yaml", ["simulation.duration_ms=3000"], 110.3),
]


def datasets(path: Path) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: out.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
    return out


def assert_same_results(a: Path, b: Path) -> None:
    da, db = datasets(a), datasets(b)
    assert sorted(da) == sorted(db)
    for name in da:
        nan = np.asarray(da[name]).dtype.kind == "f"  # NaN marks "not yet stored" in /memory
        assert np.array_equal(da[name], db[name], equal_nan=nan), f"{name} differs"


def ndml_args(ndml_bin, config, overrides, *extra):
    args = [str(ndml_bin), *extra]
    if extra[0] == "run":
        args += [config, *sum((["--set", o] for o in overrides), [])]
    return args


def kill_after_checkpoint(cmd, cwd, checkpoint: Path, rng: random.Random, previous: bytes | None) -> bool:
    """Starts `cmd`, waits until it has written a (new) checkpoint, then SIGKILLs it after a random
    delay; returns False if the run finished first."""
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    while proc.poll() is None and time.time() < deadline:
        if checkpoint.exists() and checkpoint.read_bytes() != previous:
            break
        time.sleep(0.005)
    time.sleep(rng.uniform(0, 0.15))
    proc.kill()
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        return False
    assert proc.returncode == -signal.SIGKILL, err
    return True


@pytest.mark.parametrize("config,overrides,every_ms", CASES, ids=[Path(c[0]).stem for c in CASES])
@pytest.mark.parametrize("seed", [1, 2])
def test_killed_and_resumed_runs_equal_the_uninterrupted_run(
    config, overrides, every_ms, seed, ndml_bin, repo_root, tmp_path
):
    rng = random.Random(f"{config}/{seed}")
    reference = tmp_path / "reference.h5"
    subprocess.run(ndml_args(ndml_bin, config, overrides, "run", "-q", "-o", str(reference), "--threads", "1"),
                   cwd=repo_root, check=True)
    out = tmp_path / "run.h5"
    partial = tmp_path / "run.h5.partial"
    checkpoint = tmp_path / "run.h5.ckpt"
    first = ndml_args(ndml_bin, config, overrides, "run", "-q", "-o", str(out), "--threads", "2",
                      "--checkpoint-every-ms", str(every_ms))
    kills = 0
    assert kill_after_checkpoint(first, repo_root, checkpoint, rng, None), "the run must be killed at least once"
    late = False  # a kill that came after the run had completed its file, just before it exited
    while True:
        kills += 1
        if out.exists() and not partial.exists():
            late = True
            break
        with h5py.File(partial, "r") as f:  # readable after the kill, and not complete
            assert f["ndml"].attrs["status"] == "running"
        assert not out.exists()
        threads = rng.choice([1, 3, 4])
        resume = [str(ndml_bin), "resume", str(checkpoint), "-q", "--threads", str(threads)]
        if kills < 3 and kill_after_checkpoint(resume, repo_root, checkpoint, rng, checkpoint.read_bytes()):
            continue
        if out.exists():
            break  # the last kill came too late: the run had finished
        done = subprocess.run(resume, cwd=repo_root, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        break
    assert out.exists() and not partial.exists()
    assert late or not checkpoint.exists(), "a completed run removes its checkpoint"
    with h5py.File(out, "r") as f:
        assert f["ndml"].attrs["status"] == "complete"
    assert_same_results(out, reference)


@pytest.fixture
def killed_run(ndml_bin, repo_root, tmp_path):
    """A Song 2000 run from a config copy, killed after its second checkpoint: (config, checkpoint,
    partial file)."""
    config = tmp_path / "song.yaml"
    shutil.copy(repo_root / "experiments/stdp_song2000.yaml", config)
    out = tmp_path / "song.h5"
    checkpoint = tmp_path / "song.h5.ckpt"
    cmd = [str(ndml_bin), "run", str(config), "-q", "-o", str(out), "--checkpoint-every-ms", "1000"]
    proc = subprocess.Popen(cmd, cwd=repo_root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seen = set()
    while proc.poll() is None and len(seen) < 2:
        if checkpoint.exists():
            seen.add(checkpoint.read_bytes()[-8:])
        time.sleep(0.002)
    proc.kill()
    proc.communicate()
    assert checkpoint.exists() and proc.returncode == -signal.SIGKILL
    return config, checkpoint, tmp_path / "song.h5.partial"


def refused(ndml_bin, repo_root, checkpoint, partial, *needles):
    before = partial.read_bytes()
    done = subprocess.run([str(ndml_bin), "resume", str(checkpoint), "-q"], cwd=repo_root, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1, (done.returncode, done.stderr)
    assert str(checkpoint) in done.stderr, done.stderr
    for needle in needles:
        assert needle in done.stderr, done.stderr
    assert "Fatal error" not in done.stderr and "backtrace" not in done.stderr.lower()
    assert partial.read_bytes() == before, "a refused resume must not touch the results"


def test_truncated_checkpoint_is_refused(killed_run, ndml_bin, repo_root):
    _, checkpoint, partial = killed_run
    data = checkpoint.read_bytes()
    for cut in (0, 10, len(data) // 2, len(data) - 1):
        checkpoint.write_bytes(data[:cut])
        refused(ndml_bin, repo_root, checkpoint, partial, "not a usable checkpoint")


def test_corrupted_checkpoint_is_refused(killed_run, ndml_bin, repo_root):
    _, checkpoint, partial = killed_run
    data = bytearray(checkpoint.read_bytes())
    data[len(data) // 2] ^= 0x01
    checkpoint.write_bytes(bytes(data))
    refused(ndml_bin, repo_root, checkpoint, partial, "checksum")


def test_a_file_that_is_no_checkpoint_is_refused(killed_run, ndml_bin, repo_root):
    config, checkpoint, partial = killed_run
    checkpoint.write_bytes(config.read_bytes())
    refused(ndml_bin, repo_root, checkpoint, partial, "signature")


def test_changed_config_is_refused(killed_run, ndml_bin, repo_root):
    config, checkpoint, partial = killed_run
    config.write_text(config.read_text().replace("seed: 2000", "seed: 2001", 1))
    refused(ndml_bin, repo_root, checkpoint, partial, "changed since the checkpoint")


def checksum(data: bytes) -> int:
    """CheckpointFile.checksum: FNV-1a over little-endian 64-bit words (tail zero-padded), then
    the length (docs/checkpoint.md)."""
    mask = (1 << 64) - 1
    prime = 0x100000001B3
    h = 0xCBF29CE484222325
    padded = data + bytes(-len(data) % 8)
    for (word,) in struct.iter_unpack("<Q", padded):
        h = ((h ^ word) * prime) & mask
    return ((h ^ len(data)) * prime) & mask


def rewrite_header(path: Path, change) -> None:
    data = path.read_bytes()
    assert data[:8] == b"NDMLCKPT"
    (header_length,) = struct.unpack_from("<Q", data, 12)
    header = json.loads(data[20 : 20 + header_length])
    change(header)
    encoded = json.dumps(header).encode()
    body = data[:12] + struct.pack("<Q", len(encoded)) + encoded + data[20 + header_length : -8]
    assert checksum(data[:-8]) == struct.unpack("<Q", data[-8:])[0], "the documented checksum"
    path.write_bytes(body + struct.pack("<Q", checksum(body)))


def test_checkpoint_of_another_build_is_refused(killed_run, ndml_bin, repo_root):
    _, checkpoint, partial = killed_run
    rewrite_header(checkpoint, lambda h: h.__setitem__("build", "0.0.9-0123456789abcdef"))
    refused(ndml_bin, repo_root, checkpoint, partial, "0.0.9-0123456789abcdef", "same build")


def test_checkpoint_of_another_format_version_is_refused(killed_run, ndml_bin, repo_root):
    _, checkpoint, partial = killed_run
    data = bytearray(checkpoint.read_bytes())
    data[8:12] = struct.pack("<I", 99)
    checkpoint.write_bytes(bytes(data))
    refused(ndml_bin, repo_root, checkpoint, partial, "format version 99")


def test_checkpoint_interval_must_be_positive(ndml_bin, repo_root):
    done = subprocess.run([str(ndml_bin), "run", "experiments/cuba.yaml", "--checkpoint-every-ms", "0"],
                          cwd=repo_root, capture_output=True, text=True)
    assert done.returncode != 0 and "--checkpoint-every-ms" in done.stderr
