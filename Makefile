# `make` sets up what is missing, then builds every edition of every publication.
# `make test` sets up, then runs the test suite.
VENV   := .venv
PYTHON := $(VENV)/bin/python
SETUP  := $(VENV)/.setup-done
# The CMYK press profile print.pdf embeds (publish/render/press.py looks here): built from
# Debian's FOGRA39 measurements at setup (again when its script changes), never fetched,
# never committed.
PRESS_PROFILE := $(VENV)/share/publish/FOGRA39.icc

.PHONY: all build test check proof bench clean

all: build

$(SETUP): pyproject.toml scripts/install-system-packages package.json package-lock.json
	./scripts/install-system-packages
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install -q --upgrade pip
	$(PYTHON) -m pip install -q -e '.[dev]'
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
