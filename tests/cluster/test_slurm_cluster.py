"""The workflow on a real SLURM cluster: ``--profile profiles/slurm`` with the real
snakemake-executor-plugin-slurm, on the one-node cluster of ``slurm.sh``.

A tiny demo of every pipeline runs once locally and once through SLURM: the final tables must
be equal, and every job must have been a SLURM job (submitted, recorded by Slurm as completed,
with its SLURM log). Then, in the SLURM run's folder, two jobs are forced to run again: one
asks for far too little memory and is killed by Slurm, the other is scancel-ed while it runs.
Snakemake must report both, and a plain rerun must redo only them (and what reads them) and give
the same tables again.
"""

from __future__ import annotations

import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from pipelines import PIPELINES
from workdir import make_workdir, run_snakemake, snakemake_cmd, tables_equal

#: The tiny demo of every pipeline (tests/pipelines.py), all in one run.
CONFIG = {"pipelines": list(PIPELINES), **{name: p.section for name, p in PIPELINES.items()}}

#: The faults: a job that asks for TINY_MEM_MB, and a job that is scancel-ed while it runs.
OVER_MEMORY_RULE = "exoplanets_merge"
CANCELLED_RULE = "chips_merge"
TINY_MEM_MB = 20  # far below a Python process: Slurm kills the job at its first memory sample
#: What a plain rerun after the faults must run: the two failed jobs and the plots that read them.
RERUN_AFTER_FAULTS = {"exoplanets_merge", "exoplanets_plots", "chips_merge", "chips_plots"}

TEST_PROFILE = Path(__file__).resolve().with_name("profile")
SLURM_PROFILES = ("--profile", "profiles/slurm", "--profile", str(TEST_PROFILE))
SUBMITTED = re.compile(r"Job \d+ has been submitted with SLURM jobid (\d+) \(log: (\S+)\)\.")
FAILED = re.compile(r"SLURM-job '(\d+)' failed, SLURM status is: '(\w+)'")


def final_tables(workdir: Path) -> dict[str, pd.DataFrame]:
    """Every final table of every pipeline, without the columns that vary between runs."""
    tables = {}
    for name, pipeline in PIPELINES.items():
        for target in pipeline.targets:
            assert (workdir / target).exists(), (
                f"{target} is missing: the run stopped early ({progress(workdir)}); "
                "see docs/cluster.md, 'A run that ends early'"
            )
        tables |= {f"{name}/{table}": frame for table, frame in pipeline.read_tables(workdir).items()}
    return tables


def progress(workdir: Path) -> str:
    """The last progress line of the newest snakemake log in ``workdir``."""
    logs = sorted((workdir / ".snakemake" / "log").glob("*.snakemake.log"))
    lines = re.findall(r"^\d+ of \d+ steps.*$", logs[-1].read_text(), flags=re.M) if logs else []
    return lines[-1] if lines else "no progress line"


def slurm_jobs(log: str) -> dict[str, Path]:
    """SLURM job id -> SLURM log file, of every job that snakemake submitted."""
    return {job_id: Path(path) for job_id, path in SUBMITTED.findall(log)}


def run_uuid(log: str) -> str:
    return re.search(r"SLURM run ID: (\S+)", log).group(1)


def job_count(workdir: Path) -> int:
    """Jobs that ran: every rule writes a benchmark file."""
    return len(list((workdir / "results" / "benchmarks" / "rules").rglob("*.tsv")))


@dataclass
class Run:
    workdir: Path
    log: str  #: snakemake's stdout and stderr
    wall_s: float


def timed_snakemake(workdir: Path, *args: str) -> Run:
    start = time.monotonic()
    result = run_snakemake(workdir, *args, timeout=900)
    return Run(workdir, result.stdout + result.stderr, time.monotonic() - start)


@pytest.fixture(scope="module")
def local_run(tmp_path_factory, wall_times) -> Run:
    run = timed_snakemake(make_workdir(tmp_path_factory.mktemp("local"), CONFIG), "--cores", "2")
    wall_times[f"local: {', '.join(PIPELINES)}, --cores 2"] = (run.wall_s, 0)
    return run


@pytest.fixture(scope="module")
def slurm_run(slurm_cluster, local_run, tmp_path_factory, wall_times) -> Run:
    """The same configuration through SLURM (after the local run, so neither slows the other)."""
    run = timed_snakemake(make_workdir(tmp_path_factory.mktemp("slurm"), CONFIG), *SLURM_PROFILES)
    wall_times[f"SLURM: {', '.join(PIPELINES)}"] = (run.wall_s, len(slurm_jobs(run.log)))
    return run


def test_a_slurm_run_gives_the_tables_of_a_local_run(local_run, slurm_run):
    print(f"\nwall time: SLURM {slurm_run.wall_s:.1f} s, local {local_run.wall_s:.1f} s")
    local, slurm = final_tables(local_run.workdir), final_tables(slurm_run.workdir)
    assert all(len(frame) for frame in local.values()), "a final table is empty"
    tables_equal(slurm, local)


def test_every_job_of_a_slurm_run_ran_as_a_completed_slurm_job(slurm_run, local_run, slurm_cluster):
    jobs = slurm_jobs(slurm_run.log)
    assert len(jobs) == job_count(slurm_run.workdir) == job_count(local_run.workdir)
    # only the target rules, which have no outputs and nothing to run, stay on the submit host
    local_rules = set(re.findall(r"^localrule (\w+):", slurm_run.log, flags=re.M))
    assert local_rules <= {"all", *PIPELINES}, local_rules
    records = slurm_cluster.job_records()
    uuid = run_uuid(slurm_run.log)
    for job_id, slurm_log in jobs.items():
        record = records[job_id]
        assert (record["JobState"], record["Name"]) == ("COMPLETED", uuid), record
        rule = slurm_log.relative_to(slurm_run.workdir / ".snakemake" / "slurm_logs").parts[0].removeprefix("rule_")
        assert f"(Rule: {rule})" in slurm_log.read_text(), f"{slurm_log} does not show the job finishing"


def squeue_running() -> dict[str, str]:
    """Running SLURM jobs: job id -> comment (the plugin's ``rule_<name>[_wildcards_...]``)."""
    out = subprocess.run(["squeue", "-h", "-t", "RUNNING", "-o", "%i|%k"], capture_output=True, text=True).stdout
    return dict(line.split("|", 1) for line in out.splitlines() if "|" in line)


def cancel_first_running(rule: str, proc: subprocess.Popen, timeout: float = 300) -> str:
    """scancel the first job of ``rule`` seen running; return its SLURM job id."""
    deadline = time.monotonic() + timeout
    while True:
        running = [job_id for job_id, comment in squeue_running().items() if comment == f"rule_{rule}"]
        if running:
            subprocess.run(["scancel", running[0]], check=True)
            return running[0]
        assert proc.poll() is None, f"snakemake ended before a {rule} job ran"
        assert time.monotonic() < deadline, f"no {rule} job ran within {timeout} s"
        time.sleep(0.2)


@dataclass
class FaultRuns:
    faulty: Run  #: the run with one job over its memory and one cancelled job
    over_memory_job: str
    cancelled_job: str
    rerun: Run  #: the plain rerun after it


@pytest.fixture(scope="module")
def fault_runs(slurm_run, slurm_cluster, wall_times) -> FaultRuns:
    """In the finished SLURM run's folder: force the over-memory rule (asking for TINY_MEM_MB)
    and the cancelled rule (scancel-ed once it runs) to run again, then the plain command."""
    workdir = slurm_run.workdir
    # --set-resources on the command line replaces the profile's whole set-resources
    args = snakemake_cmd(
        *SLURM_PROFILES,
        "--forcerun",
        OVER_MEMORY_RULE,
        CANCELLED_RULE,
        "--set-resources",
        f"{OVER_MEMORY_RULE}:mem_mb={TINY_MEM_MB}",
    )
    output = workdir / "faulty_run.log"
    start = time.monotonic()
    with output.open("w") as out:
        proc = subprocess.Popen(args, cwd=workdir, stdout=out, stderr=subprocess.STDOUT)
        try:
            cancelled = cancel_first_running(CANCELLED_RULE, proc)
            proc.wait(timeout=600)
        finally:
            if proc.poll() is None:
                proc.kill()
    faulty = Run(workdir, output.read_text(), time.monotonic() - start)
    assert proc.returncode != 0, f"the faulty run succeeded:\n{faulty.log[-3000:]}"
    over_memory = [job_id for job_id, log in slurm_jobs(faulty.log).items() if f"rule_{OVER_MEMORY_RULE}" in log.parts]
    assert len(over_memory) == 1, f"expected one {OVER_MEMORY_RULE} job:\n{faulty.log[-3000:]}"

    rerun = timed_snakemake(workdir, *SLURM_PROFILES)
    wall_times["SLURM: 2 forced jobs, both failing"] = (faulty.wall_s, len(slurm_jobs(faulty.log)))
    wall_times["SLURM: the plain rerun after them"] = (rerun.wall_s, len(slurm_jobs(rerun.log)))
    return FaultRuns(faulty, over_memory[0], cancelled, rerun)


def test_a_job_over_its_memory_is_killed_and_reported(fault_runs, slurm_cluster):
    job_id = fault_runs.over_memory_job
    record = slurm_cluster.wait_for_record(job_id)
    assert record["JobState"] == "FAILED" and f"mem={TINY_MEM_MB}M" in record["Tres"], record
    slurm_log = slurm_jobs(fault_runs.faulty.log)[job_id]
    assert "exceeded memory limit" in slurm_log.read_text()
    log = fault_runs.faulty.log
    assert (job_id, "FAILED") in FAILED.findall(log)
    assert f"Error in rule {OVER_MEMORY_RULE}:" in log
    assert str(slurm_log) in log  # the report names the SLURM log, which has the reason


def test_a_cancelled_job_is_reported(fault_runs, slurm_cluster):
    job_id = fault_runs.cancelled_job
    assert slurm_cluster.wait_for_record(job_id)["JobState"] == "CANCELLED"
    log = fault_runs.faulty.log
    assert (job_id, "CANCELLED") in FAILED.findall(log)
    assert f"Error in rule {CANCELLED_RULE}:" in log


def test_a_plain_rerun_redoes_only_the_failed_jobs_and_gives_the_local_tables(fault_runs, local_run, slurm_cluster):
    rerun = fault_runs.rerun
    assert set(re.findall(r"^(?:rule|checkpoint) (\w+):", rerun.log, flags=re.M)) == RERUN_AFTER_FAULTS
    records = slurm_cluster.job_records()
    assert all(records[job_id]["JobState"] == "COMPLETED" for job_id in slurm_jobs(rerun.log))
    tables_equal(final_tables(rerun.workdir), final_tables(local_run.workdir))
