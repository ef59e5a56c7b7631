# NDML — build, demo and tests. Two commands do everything on a fresh Debian/Ubuntu machine:
#   make demo   # installs what is missing, builds (release), runs experiments/cuba.yaml
#   make test   # the same set-up, then lint, Swift tests (also under sanitizers), the API reference
#               # (warnings fail) and the Python tests
SHELL := /bin/bash
.DEFAULT_GOAL := demo

SYSTEM_PACKAGES := libhdf5-dev libopenblas-dev pkg-config g++ librsvg2-bin libopenmpi-dev openmpi-bin
# -target-cpu native: Swift emits SSE2 only otherwise, and the SIMD kernels are 2–5× slower.
# It changes vector width, not results (Swift never contracts a*b+c into FMA by itself).
RELEASE_FLAGS := -c release -Xswiftc -target-cpu -Xswiftc native
NDML := .build/release/ndml
VENV := .venv
# Python 3.12 for the venv: pyenv's 3.12.x first, else a python3.12 that really runs (a pyenv shim
# on PATH may exist without the version being selected).
PY312 := $(shell for p in "$$(pyenv prefix 3.12.1 2>/dev/null)/bin/python" "$$(pyenv prefix 3.12 2>/dev/null)/bin/python" python3.12; do \
  "$$p" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' 2>/dev/null && { echo "$$p"; break; }; done)
export OPENBLAS_NUM_THREADS := 1

.PHONY: demo test deps build lint swift-test sanitize sanitize-address sanitize-thread python-test pynn-test venv lava-venv bench \
  notebooks docs clean

demo: deps build
	@$(NDML) run experiments/cuba.yaml

test: deps build venv lint swift-test sanitize docs python-test pynn-test

# System libraries: installed with apt-get when run as root, otherwise listed for the user.
deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if ! command -v apt-get >/dev/null; then \
	    echo "Install with your package manager:$$missing (macOS: brew install hdf5 openblas pkg-config)"; exit 1; \
	  elif [ "$$(id -u)" = 0 ]; then \
	    echo "Installing$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Missing system packages:$$missing — run: sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi

build:
	swift build $(RELEASE_FLAGS)

lint:
	swift format lint --strict --recursive Sources Tests Fuzz/Sources Fuzz/Package.swift

swift-test:
	swift test

# The whole Swift test suite under sanitizers (docs/sanitizers.md), each build in its own scratch
# path: AddressSanitizer (+ LeakSanitizer) and UndefinedBehaviorSanitizer (C code only: Swift has
# no -sanitize=undefined on Linux) on the debug build; ThreadSanitizer on the release build (at
# -Onone TSan misses the accesses made inside the standard library's generic code). A sanitizer
# report or a crash fails the target; the Swift backtracer is off (under ASan its helper hangs
# `swift test` after a crash). Leak suppressions (Foundation, XCTest, libxml2): Tests/sanitizers/lsan.supp.
SANITIZER_ENV := SWIFT_BACKTRACE=enable=no
sanitize: sanitize-address sanitize-thread

sanitize-address:
	$(SANITIZER_ENV) ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/sanitizers/lsan.supp:print_suppressions=0 \
	  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  swift test --scratch-path .build-asan --sanitize=address -Xcc -fsanitize=undefined -Xcc -fno-sanitize-recover=undefined

sanitize-thread:
	$(SANITIZER_ENV) TSAN_OPTIONS=halt_on_error=1 \
	  swift test --scratch-path .build-tsan -c release -Xswiftc -enable-testing --sanitize=thread

# The Python venv (Python 3.12: Brian2 2.10.1 needs it) from pinned requirements.
venv: $(VENV)/.installed
$(VENV)/.installed: Tests/python/requirements.txt python/pyproject.toml
	@test -n "$(PY312)" || { echo "Python 3.12 not found (pyenv install 3.12.1, or put python3.12 on PATH)"; exit 1; }
	$(PY312) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r Tests/python/requirements.txt
	$(VENV)/bin/pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e python
	touch $@

# Lava (lava-nc, lava-dl, nir; Python 3.10, ≈5.6 GB) in a per-user cache keyed by the pins' hash
# (lava/make_venv.sh; reused when unchanged): the Loihi tests run the exported networks in it.
lava-venv:
	@lava/make_venv.sh > /dev/null

python-test: build venv lava-venv
	NDML_BIN=$(CURDIR)/$(NDML) NDML_LAVA_PYTHON=$$(lava/make_venv.sh | tail -n 1) \
	  $(VENV)/bin/python -m pytest Tests/python -q --durations=25

# PyNN 0.13.0's own system-test scenarios (the pinned sdist from PyPI, not copied here) against
# the PyNN backend (python/pynn_ndml); known failures and their reasons: Tests/pynn/expected_failures.py.
pynn-test: build venv
	NDML_BIN=$(CURDIR)/$(NDML) $(VENV)/bin/python Tests/pynn/run_scenarios.py

# The benchmark suite (benchmarks/run.py): NDML, Brian2, NEST and ANNarchy side by side. Its venv
# adds ANNarchy (built from source, plus cmake) to the test requirements.
BENCH_VENV := .venv-bench
bench: deps build $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python benchmarks/run.py --python $(BENCH_VENV)/bin/python --ndml $(NDML)
$(BENCH_VENV)/.installed: Tests/python/requirements.txt benchmarks/bench-requirements.txt
	@test -n "$(PY312)" || { echo "Python 3.12 not found (pyenv install 3.12.1, or put python3.12 on PATH)"; exit 1; }
	$(PY312) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install -q --disable-pip-version-check -r Tests/python/requirements.txt -r benchmarks/bench-requirements.txt
	touch $@

# API reference of the library modules (DocC): .build/docs/<Module>.doccarchive; warnings fail.
DOC_TARGETS := NDMLModel NDMLConfig NDMLEngine NDMLResults NDMLHDF5 NDMLAnalysis NDMLPlot NDMLLoihi
docs: deps
	@mkdir -p .build/docs; for t in $(DOC_TARGETS); do \
	  swift package --disable-sandbox generate-documentation --target $$t --warnings-as-errors \
	    --output-path .build/docs/$$t.doccarchive 2>&1 | grep -E "warning|error" ; test $${PIPESTATUS[0]} = 0 || exit 1; \
	  echo "docs: .build/docs/$$t.doccarchive"; \
	done

# Executed notebooks (.ipynb, .html) in notebooks-export/exported/, from fresh results in results/.
notebooks: deps build venv
	$(VENV)/bin/python notebooks-export/export.py --make-results --ndml $(NDML)

clean:
	rm -rf .build .build-asan .build-tsan results
