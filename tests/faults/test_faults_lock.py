"""A second ``snakemake`` started on the same workdir while one runs is refused with Snakemake's
lock error; the first run then finishes and its tables equal the reference (nothing corrupted).

The first run redoes one shard of the finished reference; the shim holds that shard's write
(the first crash point of the pipeline's fault cases) until the second runs are over, so they
meet a run that is certainly in the middle of its work, however slow the machine. The last test
holds the first run at an earlier moment: after Snakemake took its lock, before the workflow
recorded who holds it.
"""

from __future__ import annotations

import faults_report
import pytest
from faults_harness import LOCK_REFUSED, injected, kill_group, locks, run, shim_env, start, wait_for
from faults_pipelines import FAULT_CASES
from pipelines import PIPELINES

FAULT = "second snakemake while one runs"
pytestmark = pytest.mark.slow  # minutes of real snakemake runs: a CI step of its own
SECOND_RUNS = 2


def start_held(lab, tmp_path, **hold):
    """Redo the first crash-point shard of ``lab``'s reference with the shim holding the run as
    ``hold`` says; return the run and the file whose creation releases it."""
    output, pattern, _ = FAULT_CASES[lab.pipeline.name].crash_writes[0]
    lab.restore("reference")
    for path in (output, *lab.pipeline.targets):
        (lab.workdir / path).unlink()
    log, release = tmp_path / "faults.jsonl", tmp_path / "release"
    env = shim_env(log, release=release, **({"hold_write": pattern} | hold))
    first = start(lab.workdir, *lab.tables_args(), env=env, output=tmp_path / "first.log")
    wait_for(
        lambda: any(f["event"].startswith("hold_") for f in injected(log)) and locks(lab.workdir),
        first,
        what="the first run to be held with the lock taken",
    )
    return first, release


@pytest.mark.parametrize("name", PIPELINES)
def test_a_second_snakemake_is_refused_and_the_first_finishes_intact(labs, name, tmp_path):
    lab = labs[name]
    with faults_report.timed(FAULT):
        faults_report.add(FAULT, "first runs finished with the reference tables / runs", name, 0, 1)
        first, release = start_held(lab, tmp_path)
        try:
            for _ in range(SECOND_RUNS):
                faults_report.add(FAULT, "refused with the lock error / started", name, 0, 1)
                second = run(lab.workdir, *lab.tables_args())
                assert second.returncode != 0 and LOCK_REFUSED in second.stdout, second.stdout[-3000:]
                assert "removed the stale lock" not in second.stdout, "the second run removed the first run's lock"
                faults_report.add(FAULT, "refused with the lock error / started", name, 1)
            release.touch()
            assert first.wait(timeout=600) == 0, (tmp_path / "first.log").read_text()[-3000:]
        finally:
            release.touch()
            kill_group(first)
        lab.assert_reference_results()
        faults_report.add(FAULT, "first runs finished with the reference tables / runs", name, 1)


def test_a_second_snakemake_is_refused_before_the_first_records_its_owner(labs, tmp_path):
    """Snakemake takes its lock after building the DAG, and ``onstart`` records the owner only
    after the DAG's post-processing: a moment that grows with the DAG (seconds for a 12,000-target
    catalog), held open here. The race does not depend on the pipeline: the cheapest one runs it."""
    lab = labs[min(PIPELINES, key=lambda name: labs[name].span_s)]
    first, release = start_held(lab, tmp_path, hold_owner=1)
    try:
        second = run(lab.workdir, *lab.tables_args())
        assert second.returncode != 0 and LOCK_REFUSED in second.stdout, second.stdout[-3000:]
    finally:
        release.touch()
        kill_group(first)
