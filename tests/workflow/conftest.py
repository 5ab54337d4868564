"""Workflow tests run the real ``snakemake`` in a temporary copy of the workflow."""

from __future__ import annotations

from pathlib import Path

import pytest
from workdir import TINY_CONFIG, make_workdir, run_snakemake


@pytest.fixture(scope="session")
def reference_run(tmp_path_factory) -> Path:
    """One uninterrupted run of the tiny demo with --cores 2; other tests compare to it."""
    workdir = make_workdir(tmp_path_factory.mktemp("reference"), TINY_CONFIG)
    run_snakemake(workdir, "--cores", "2")
    return workdir
