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

# What CI runs: the linters (lint), then every test not marked slow, the real-SLURM tests (tests/cluster)
# included, then the fault-injection suite (tests/faults -m slow: kills, crashes, corrupt inputs,
# flaky downloads, concurrent runs). The SLURM tests need root: they install Slurm with apt-get
# the first time and start a one-node cluster on loopback (docs/cluster.md); without root they
# skip, with the reason.
test: lint
	$(BIN)/python -m pytest -m "not slow"
	$(BIN)/python -m pytest tests/faults -m slow

test-cluster: install
	$(BIN)/python -m pytest tests/cluster

test-faults: install
	$(BIN)/python -m pytest tests/faults

test-all: install
	$(BIN)/python -m pytest

# ruff (lint and format) on Python, snakefmt on the Snakefile and rule files, Snakemake's linter.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/snakefmt --check Snakefile rules
	$(BIN)/snakemake --lint

bench: install
	$(BIN)/python benchmarks/exoplanets_accuracy.py
	$(BIN)/python benchmarks/chips_accuracy.py
	$(BIN)/python benchmarks/chips_workflow.py
	$(BIN)/python benchmarks/exoplanets_features.py
	$(BIN)/python benchmarks/exoplanets_workflow.py
	$(BIN)/python benchmarks/exoplanets_workflow.py --n-targets 120 --batch-size 60
	$(BIN)/python benchmarks/exoplanets_sectors.py
	$(BIN)/python benchmarks/exoplanets_dryrun.py
	$(BIN)/python benchmarks/lunar_accuracy.py
	$(BIN)/python benchmarks/lunar_month.py
	$(BIN)/python benchmarks/nba_workflow.py
	$(BIN)/python benchmarks/faults_summary.py
	$(BIN)/python benchmarks/slurm_workflow.py

clean:
	rm -rf results .snakemake
