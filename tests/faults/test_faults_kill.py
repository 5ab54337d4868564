"""kill -9 of the whole workflow (snakemake and every job, one process group) at a random moment,
then a plain rerun: the final tables equal the uninterrupted run's, and no shard that had
finished at the kill is computed again.

Each trial restores the pipeline's prepared inputs, starts the final tables with ``--cores 2``
and SIGKILLs the process group at a moment drawn (seeded) from the span of the uninterrupted
reference run, so kills land in startup, in the checkpoints, between and inside shard jobs and
in the merge. The span is measured in CPU seconds of the whole process group (snakemake and its
jobs), not wall seconds, so that a busy machine does not move the moments past the end of the
run. The rerun has no ``--unlock``: ``shardflow.runlock`` clears the dead run's lock.

A shard counts as finished at the kill when its output file exists and Snakemake has no
incomplete marker for it; a shard whose output exists with a marker was running (its job had
started and not been recorded as done), and the rerun may redo it. It may also keep it:
Snakemake 9.27 checks incomplete markers before it re-evaluates the checkpoints, so the jobs
that a checkpoint creates (feature batches, metrics groups) are never checked and an output of
theirs that exists is trusted. That is safe only because those outputs are written atomically
(``shardflow.io``): the test checks every shard against the reference after each rerun.
"""

from __future__ import annotations

import random
import time
from fnmatch import fnmatch

import faults_report
import pytest
from faults_harness import (
    KILL_TRIALS,
    SEED,
    file_states,
    group_cpu_s,
    incomplete_outputs,
    kill_group,
    locks,
    run,
    start,
)
from pipelines import PIPELINES

FAULT = "kill -9 of the whole workflow"
pytestmark = pytest.mark.slow  # minutes of real snakemake runs: a CI step of its own


def kill_fraction(pipeline: str, trial: int) -> float:
    """Where in the uninterrupted run's span trial ``trial`` kills (0 start, 1 end), seeded."""
    return random.Random(f"{SEED}:kill:{pipeline}:{trial}").random()


@pytest.mark.parametrize("trial", range(KILL_TRIALS))
@pytest.mark.parametrize("name", PIPELINES)
def test_kill_9_then_plain_rerun_gives_the_reference_and_keeps_finished_shards(labs, name, trial, tmp_path):
    lab = labs[name]
    with faults_report.timed(FAULT):
        faults_report.add(FAULT, "kills survived / trials", name, 0, 1)
        lab.restore("base")
        moment = kill_fraction(name, trial) * lab.cpu_s
        proc = start(lab.workdir, *lab.tables_args(), output=tmp_path / "killed.log")
        while proc.poll() is None and group_cpu_s(proc.pid) < moment:
            time.sleep(0.05)  # a scan of /proc costs ~3 ms of CPU
        landed = proc.poll() is None
        kill_group(proc)

        shards = file_states(lab.workdir, lab.pipeline.shards)
        running = {p for p in incomplete_outputs(lab.workdir) if any(fnmatch(p, g) for g in lab.pipeline.shards)}
        finished = {path: state for path, state in shards.items() if path not in running}
        stale_lock = bool(locks(lab.workdir))

        rerun = run(lab.workdir, *lab.tables_args())
        assert rerun.returncode == 0, f"rerun after a kill at {moment:.2f} CPU s failed:\n{rerun.stdout[-4000:]}"
        if stale_lock:
            assert "removed the stale lock" in rerun.stdout
        assert not locks(lab.workdir)
        after = file_states(lab.workdir, lab.pipeline.shards)
        lab.assert_reference_results()
        faults_report.add(FAULT, "kills survived / trials", name, 1)

        recomputed = sorted(path for path, state in finished.items() if after[path] != state)
        kept_marked = sorted(path for path in running if path in shards and after[path] == shards[path])
        faults_report.add(FAULT, "kills that landed while snakemake ran / trials", name, int(landed), 1)
        faults_report.add(FAULT, "finished shards kept at the kill", name, len(finished) - len(recomputed))
        faults_report.add(FAULT, "shards running at the kill, then rerun", name, len(running) - len(kept_marked))
        faults_report.add(FAULT, "finished shards recomputed (target 0)", name, len(recomputed))
        faults_report.add(
            FAULT, "running shards kept: output existed, Snakemake skipped its marker", name, len(kept_marked)
        )
        faults_report.add(FAULT, "stale locks cleared by the plain rerun", name, int(stale_lock))
        assert not recomputed, f"kill at {moment:.2f} CPU s: finished shards computed again: {recomputed}"
