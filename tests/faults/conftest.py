"""Fault-injection suite: the pipelines' labs shared by its tests, and the summary table printed
at the end of the session (settings: ``faults_harness``; JSON output: ``faults_report``)."""

from __future__ import annotations

import time
from pathlib import Path

import faults_report
import pytest
from faults_harness import SEED, Lab
from pipelines import PIPELINES

STARTED = time.monotonic()


class Labs:
    """Each pipeline's :class:`Lab`, built on first use and shared by the session's tests."""

    def __init__(self, root: Path):
        self.root = root
        self.labs: dict[str, Lab] = {}

    def __getitem__(self, name: str) -> Lab:
        if name not in self.labs:
            self.labs[name] = Lab.build(PIPELINES[name], self.root / name)
        return self.labs[name]


@pytest.fixture(scope="session")
def labs(tmp_path_factory) -> Labs:
    return Labs(tmp_path_factory.mktemp("fault_labs"))


def pytest_terminal_summary(terminalreporter):
    lines = faults_report.lines()
    if not lines:
        return
    terminalreporter.section(f"fault-injection summary (seed {SEED})")
    for line in lines:
        terminalreporter.write_line(line)
    terminalreporter.write_line(f"suite wall time {time.monotonic() - STARTED:.0f} s")
    path = faults_report.write_json()
    if path:
        terminalreporter.write_line(f"written to {path}")
