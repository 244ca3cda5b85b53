# `make` sets up what is missing, then builds every edition of every publication.
# `make test` sets up, then runs the test suite.
# Setup installs the Python packages from requirements.lock, hashes checked (`make lock` makes it).
VENV   := .venv
PYTHON := $(VENV)/bin/python
SETUP  := $(VENV)/.setup-done
# The CMYK press profile print.pdf embeds (publish/render/press.py looks here): built from
# Debian's FOGRA39 measurements at setup (again when its script changes), never fetched,
# never committed.
PRESS_PROFILE := $(VENV)/share/publish/FOGRA39.icc

.PHONY: all build test check proof bench clean lock

all: build

$(SETUP): pyproject.toml requirements.lock scripts/install-system-packages package.json package-lock.json
	./scripts/install-system-packages
	test -x $(PYTHON) || python3 -m venv $(VENV)
	# Every Python package at the version and hash requirements.lock gives (the same on every machine),
	# then this package itself, editable, built by the locked setuptools and adding nothing.
	$(PYTHON) -m pip install -q --require-hashes -r requirements.lock
	$(PYTHON) -m pip install -q --no-deps --no-build-isolation -e .
	# Ace by DAISY and axe-core for the accessibility tests (they are skipped without them;
	# no browser is downloaded: Debian's Chromium is used).
	if command -v npm >/dev/null; then \
	  PUPPETEER_SKIP_DOWNLOAD=1 ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error \
	  || echo "npm ci failed: the Ace and axe tests will be skipped"; fi
	touch $@

$(PRESS_PROFILE): scripts/make-press-profile | $(SETUP)
	rm -f $@ && ./scripts/make-press-profile $@

build: $(SETUP) $(PRESS_PROFILE)
	$(PYTHON) build.py

check: $(SETUP)
	$(PYTHON) build.py check

test: $(SETUP) $(PRESS_PROFILE)
	$(PYTHON) -m pytest

proof: $(SETUP)
	$(PYTHON) build.py proof

bench: $(SETUP)
	$(PYTHON) benchmarks/run.py

clean:
	rm -rf output

# Resolve the dependencies again (after a change in pyproject.toml): every package pinned, with its hashes,
# for Python 3.11 on Linux x86_64, the dev extras and the build's setuptools included. Extras stay on the
# pinned line (`fonttools[woff]==…`): pip 23 with --require-hashes refuses a dependency asked for with an
# extra (WeasyPrint's `fonttools[woff]>=…`) once a newer release of it exists, when the lock names it bare.
lock:
	test -x .cache/lock-venv/bin/pip-compile || { python3 -m venv .cache/lock-venv && \
	  .cache/lock-venv/bin/python -m pip install -q pip-tools==7.6.2; }
	CUSTOM_COMPILE_COMMAND="make lock" .cache/lock-venv/bin/pip-compile --quiet --extra dev --all-build-deps \
	  --allow-unsafe --generate-hashes --no-emit-index-url --no-emit-find-links \
	  -o requirements.lock pyproject.toml
