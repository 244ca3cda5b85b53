# `make` sets up what is missing, then builds every edition of every publication.
# `make test` sets up, then runs the test suite.
VENV   := .venv
PYTHON := $(VENV)/bin/python
SETUP  := $(VENV)/.setup-done

.PHONY: all build test check proof bench clean

all: build

$(SETUP): pyproject.toml scripts/install-system-packages
	./scripts/install-system-packages
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install -q --upgrade pip
	$(PYTHON) -m pip install -q -e '.[dev]'
	touch $@

build: $(SETUP)
	$(PYTHON) build.py

check: $(SETUP)
	$(PYTHON) build.py check

test: $(SETUP)
	$(PYTHON) -m pytest

proof: $(SETUP)
	$(PYTHON) build.py proof

bench: $(SETUP)
	$(PYTHON) benchmarks/run.py

clean:
	rm -rf output
