"""Workflow tests run the real ``snakemake`` in a temporary copy of the workflow."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pipelines import isolated_config
from workdir import make_workdir, run_snakemake


@pytest.fixture(scope="session")
def reference(tmp_path_factory) -> Callable[[str], Path]:
    """``reference(name)``: the workdir of one uninterrupted run of pipeline ``name``'s target
    with ``--cores 2`` on its tiny demo, the other pipelines' inputs absent (made on first use);
    other tests compare to it."""
    runs: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in runs:
            workdir = make_workdir(tmp_path_factory.mktemp(f"{name}_reference"), isolated_config(name))
            run_snakemake(workdir, "--cores", "2", name)
            runs[name] = workdir
        return runs[name]

    return get
