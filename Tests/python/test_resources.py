"""Resource limits and write failures (`ndml run --max-memory`, `--disk-reserve-mb`).

* A disk that fills up during the run: the run stops cleanly before it is full (the reserve),
  exits 1 naming the file, and leaves `<output>.partial` readable by h5py with every spike and
  sample up to the stop. The disk is a 3 MiB tmpfs mounted in a private mount namespace
  (`unshare -rm`, no root needed).
* A write that fails outright (here the file-size limit, RLIMIT_FSIZE: EFBIG) stops the run with
  the system's reason and the file named, and never crashes.
* A network above `--max-memory` is refused before anything is built or written.
"""

from __future__ import annotations

import resource
import signal
import subprocess

import h5py
import numpy as np


def test_full_disk_stops_the_run_cleanly_and_keeps_the_data(ndml_bin, repo_root, tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    out = mount / "cuba.h5"
    script = (f"mount -t tmpfs -o size=3m tmpfs {mount} && "
              f"{ndml_bin} run experiments/cuba.yaml -o {out} -q --set simulation.duration_ms=20000 "
              f"--disk-reserve-mb 1; echo exit=$?; "
              f"{repo_root}/.venv/bin/python -c \"import h5py, numpy as np; f = h5py.File('{out}.partial', 'r'); "
              f"t = f['spikes/exc/timestamps'][:]; v = f['report/exc/v/data'][:]; "
              f"print('status', f['ndml'].attrs['status']); print('spikes', len(t), t.max()); "
              f"print('ordered', bool(np.all(np.diff(t) >= 0))); print('samples', v.shape[0], bool(np.isfinite(v).all()))\"")
    r = subprocess.run(["unshare", "-rm", "sh", "-c", script], cwd=repo_root, capture_output=True, text=True,
                       timeout=300)
    assert "exit=1" in r.stdout, (r.stdout, r.stderr)
    assert "is almost full" in r.stderr and f"{out}.partial" in r.stderr, r.stderr
    assert "may need about" in r.stderr, "the disk estimate warns before the run"
    assert "crashed" not in r.stderr.lower()
    report = dict(line.split(" ", 1) for line in r.stdout.splitlines() if " " in line)
    assert report["status"] == "failed"
    count, last = report["spikes"].split()
    assert int(count) > 1000 and 500 < float(last) < 20000, report
    assert report["ordered"] == "True"
    samples, finite = report["samples"].split()
    assert int(samples) >= float(last) - 1000 and finite == "True", report  # v every 1 ms up to about the stop


def test_failed_write_gives_the_reason_and_no_crash(ndml_bin, repo_root, tmp_path):
    def limit_file_size():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # write() then fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (400_000, 400_000))

    out = tmp_path / "cuba.h5"
    r = subprocess.run([str(ndml_bin), "run", "experiments/cuba.yaml", "-o", str(out), "-q",
                        "--set", "simulation.duration_ms=3000"], cwd=repo_root, capture_output=True, text=True,
                       preexec_fn=limit_file_size, timeout=300)
    assert r.returncode == 1, (r.returncode, r.stderr)
    assert f"writing results to {out}.partial failed: File too large (errno 27)" in r.stderr, r.stderr
    assert "crashed" not in r.stderr.lower() and "backtrace" not in r.stderr.lower(), r.stderr
    assert not out.exists()


def test_network_above_max_memory_is_refused_before_writing(ndml_bin, repo_root, tmp_path):
    out = tmp_path / "cuba.h5"
    r = subprocess.run([str(ndml_bin), "run", "experiments/cuba.yaml", "-o", str(out), "--max-memory", "2M"],
                       cwd=repo_root, capture_output=True, text=True)
    assert r.returncode == 1 and "--max-memory" in r.stderr and "experiments/cuba.yaml" in r.stderr, r.stderr
    assert not out.exists() and not (tmp_path / "cuba.h5.partial").exists()
    ok = subprocess.run([str(ndml_bin), "run", "experiments/cuba.yaml", "-o", str(out), "-q", "--max-memory", "4G",
                         "--set", "simulation.duration_ms=50"], cwd=repo_root, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run([str(ndml_bin), "run", "experiments/cuba.yaml", "--max-memory", "lots"],
                         cwd=repo_root, capture_output=True, text=True)
    assert bad.returncode != 0 and "--max-memory lots" in bad.stderr
