"""Run PyNN 0.13.0's own system-test scenarios against the NDML backend.

The pinned sdist is downloaded from PyPI (cached in .build/pynn-sdist/), its
`test/system/scenarios/` package is unpacked into .build/pynn-scenarios/ beside
Tests/pynn/conftest.py (which registers `pyNN.ndml` and makes every scenario run on it), and
pytest runs them. Scenarios listed in Tests/pynn/expected_failures.py are strict xfails: an
unexpected pass fails the run as much as an unexpected failure does.

Usage: .venv/bin/python Tests/pynn/run_scenarios.py [pytest args...]
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

PYNN_VERSION = "0.13.0"
HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CACHE = ROOT / ".build" / "pynn-sdist"
WORK = ROOT / ".build" / "pynn-scenarios"


def sdist() -> Path:
    archive = CACHE / f"pynn-{PYNN_VERSION}.tar.gz"
    if not archive.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                        "--no-binary", ":all:", "--disable-pip-version-check",
                        f"pynn=={PYNN_VERSION}", "-d", str(CACHE)], check=True)
    return archive


def unpack(archive: Path) -> Path:
    if WORK.exists():
        shutil.rmtree(WORK)
    WORK.mkdir(parents=True)
    prefix = f"pynn-{PYNN_VERSION}/test/system/scenarios/"
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            if member.name.startswith(prefix) and member.isfile():
                member.name = "scenarios/" + member.name[len(prefix):]
                tar.extract(member, WORK, filter="data")
    shutil.copy(HERE / "conftest.py", WORK / "conftest.py")
    shutil.copy(HERE / "expected_failures.py", WORK / "expected_failures.py")
    return WORK


def main() -> int:
    work = unpack(sdist())
    args = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rfEX",
            "--rootdir", str(work), str(work / "scenarios")] + sys.argv[1:]
    return subprocess.run(args, cwd=work).returncode


if __name__ == "__main__":
    sys.exit(main())
