# The two commands of the README:
#   make run    create .venv, install everything, run the workflow on the demo data
#   make test   create .venv, install everything, run the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
CORES  ?= all

.PHONY: install run test test-cluster test-faults test-all lint bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --editable '.[test]'
	touch $@

run: install
	$(BIN)/snakemake --cores $(CORES)

# What CI runs: everything except tests marked slow. The real-SLURM tests (tests/cluster) and
# the slow fault-injection suite (tests/faults -m slow) are still being finished (issue 6):
# run them with `make test-cluster` and `make test-faults`.
test: install
	$(BIN)/python -m pytest -m "not slow" --ignore=tests/cluster

test-cluster: install
	$(BIN)/python -m pytest tests/cluster

test-faults: install
	$(BIN)/python -m pytest tests/faults

test-all: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/snakemake --lint

bench: install
	$(BIN)/python benchmarks/exoplanets_accuracy.py
	$(BIN)/python benchmarks/chips_accuracy.py
	$(BIN)/python benchmarks/chips_workflow.py
	$(BIN)/python benchmarks/exoplanets_features.py
	$(BIN)/python benchmarks/exoplanets_workflow.py
	$(BIN)/python benchmarks/exoplanets_workflow.py --n-targets 120 --batch-size 60
	$(BIN)/python benchmarks/lunar_accuracy.py
	$(BIN)/python benchmarks/lunar_month.py
	$(BIN)/python benchmarks/nba_workflow.py

clean:
	rm -rf results .snakemake
