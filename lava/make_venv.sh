#!/usr/bin/env bash
# Creates — or reuses — the Python 3.10 virtual environment with Lava (lava-nc), lava-dl, nir and h5py
# that NDML's Loihi reference runs need (lava/lava_reference.py). Usage:
#
#   PY=$(lava/make_venv.sh | tail -n 1)      # the venv's python is the last line on stdout
#   "$PY" lava/lava_reference.py bundle.h5 -o spikes.h5
#
# The venv lives in a per-user cache directory keyed by the sha256 of lava/requirements.txt
# (${XDG_CACHE_HOME:-$HOME/.cache}/ndml/lava-venv-<first 12 hex digits>), so changing a pin makes a
# new one and an unchanged file reuses the old one. A venv counts as done only when it has the marker
# file .ndml-complete, written after every pinned package installed and Lava imported; a half-made one
# (interrupted install) is deleted and built again. Concurrent callers wait for each other (flock).
#
# The interpreter: $NDML_LAVA_PYTHON if set, else pyenv's newest 3.10.x, else python3.10 on PATH.
# Lava 0.10 and lava-dl 0.6 declare Requires-Python >=3.10,<3.11, so it must be 3.10.
# Install output goes to stderr; only the python path goes to stdout. Any failure exits non-zero.
set -euo pipefail

die() { echo "make_venv.sh: error: $*" >&2; exit 1; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
req="$here/requirements.txt"
[ -f "$req" ] || die "missing $req"
hash=$(sha256sum "$req" | cut -c1-12) || die "sha256sum failed"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/ndml"
venv="$cache/lava-venv-$hash"
marker="$venv/.ndml-complete"
mkdir -p "$cache" || die "cannot create $cache"

is_py310() { [ -n "$1" ] && "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; }

find_python() {
  if [ -n "${NDML_LAVA_PYTHON:-}" ]; then
    is_py310 "$NDML_LAVA_PYTHON" || die "NDML_LAVA_PYTHON=$NDML_LAVA_PYTHON is not a working Python 3.10"
    echo "$NDML_LAVA_PYTHON"; return
  fi
  local p
  if command -v pyenv >/dev/null 2>&1; then
    for v in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.10\.[0-9]+$' | sort -t. -k3,3nr); do
      p="$(pyenv prefix "$v" 2>/dev/null)/bin/python"
      if is_py310 "$p"; then echo "$p"; return; fi
    done
  fi
  for p in python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10; do
    if is_py310 "$p"; then command -v "$p"; return; fi
  done
  die "no Python 3.10 found (Lava 0.10 needs exactly 3.10): install one (e.g. 'pyenv install 3.10') or set NDML_LAVA_PYTHON"
}

# Fast path: a finished venv.
if [ -f "$marker" ] && [ -x "$venv/bin/python" ]; then
  echo "$venv/bin/python"; exit 0
fi

# Serialise builders of the same venv.
exec 9>"$venv.lock" || die "cannot open lock file $venv.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi
if [ -f "$marker" ] && [ -x "$venv/bin/python" ]; then   # another caller finished it meanwhile
  echo "$venv/bin/python"; exit 0
fi

py=$(find_python)
echo "make_venv.sh: building $venv with $py ($("$py" --version 2>&1))" >&2
start=$(date +%s)
rm -rf "$venv"
"$py" -m venv "$venv" >&2 || die "python -m venv failed"
# Every package (transitive ones too) is pinned in requirements.txt: install exactly those, no resolver
# surprises (--no-deps), then let pip check that the set is consistent.
"$venv/bin/python" -m pip install --disable-pip-version-check --no-input --no-deps -r "$req" >&2 \
  || die "pip install -r $req failed; the half-made venv $venv will be rebuilt on the next call"
"$venv/bin/python" -m pip check >&2 || die "pip check failed in $venv"
"$venv/bin/python" - >&2 <<'PY' || die "smoke test (imports) failed in $venv"
import h5py, numpy, nir
from lava.proc.lif.process import LIF
from lava.proc.dense.process import Dense
from lava.magma.core.run_configs import Loihi2SimCfg
from lava.lib.dl import netx
print("lava venv ok: numpy", numpy.__version__, "h5py", h5py.__version__, "nir", nir.__version__)
PY
date -u +%Y-%m-%dT%H:%M:%SZ > "$marker"
echo "make_venv.sh: done in $(( $(date +%s) - start )) s; size $(du -sh "$venv" | cut -f1)" >&2
echo "$venv/bin/python"
