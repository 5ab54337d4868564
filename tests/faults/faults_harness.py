"""Running the real ``snakemake`` under faults: a prepared workdir per pipeline with snapshots to
restore between trials, process-group kills, the fault shim's environment, and what Snakemake
itself records about a run (locks, incomplete markers).

Snapshots: a pipeline's :class:`Lab` builds its demo inputs once (``base``), then runs the final
tables uninterrupted (``reference``: the tables every faulted run must give) and once more from
``base``, timed (the span within which kills are drawn, in wall and CPU seconds). A trial restores one of the two states
(workflow files, ``resources/``, ``results/`` and ``.snakemake/``, modification times kept)
instead of building a new workdir, so a kill trial costs one run of the pipeline's shards.

Settings, from the environment so that they work however pytest is started:

``SHARDFLOW_FAULTS_SEED``         seed of every random choice (kill moments, MAST faults); 20261122
``SHARDFLOW_FAULTS_KILL_TRIALS``  kill -9 trials per pipeline; 10
``SHARDFLOW_FAULTS_MAST_RATE``    probability that a MAST search or HTTP request fails; 0.3
"""

from __future__ import annotations

import base64
import json
import os
import resource
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from pipelines import Pipeline
from workdir import make_workdir, snakemake_cmd, tables_equal

SEED = int(os.environ.get("SHARDFLOW_FAULTS_SEED", "20261122"))
KILL_TRIALS = int(os.environ.get("SHARDFLOW_FAULTS_KILL_TRIALS", "10"))
MAST_RATE = float(os.environ.get("SHARDFLOW_FAULTS_MAST_RATE", "0.3"))

SHIM_DIR = Path(__file__).resolve().parent / "shim"

#: What Snakemake prints when a second run finds the working directory locked.
LOCK_REFUSED = "Directory cannot be locked"


def shim_env(log: Path, **settings: str | float) -> dict[str, str]:
    """Environment of a snakemake run with the fault shim (``shim/sitecustomize.py``) loaded:
    ``settings`` become ``SHARDFLOW_FAULTS_<NAME>`` variables; injected faults go to ``log``."""
    env = os.environ.copy()
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SHIM_DIR), env.get("PYTHONPATH")]))
    env["SHARDFLOW_FAULTS_LOG"] = str(log)
    for name, value in settings.items():
        env[f"SHARDFLOW_FAULTS_{name.upper()}"] = str(value)
    return env


def injected(log: Path) -> list[dict]:
    """The faults the shim recorded in ``log`` (one dict per fault)."""
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def start(workdir: Path, *args: str, env: dict | None = None, output: Path | None = None) -> subprocess.Popen:
    """Start ``snakemake *args`` in ``workdir`` as the leader of a new process group, with
    stdout and stderr going to ``output`` (discarded when None)."""
    out = open(output, "w") if output else subprocess.DEVNULL
    try:
        return subprocess.Popen(
            snakemake_cmd(*args),
            cwd=workdir,
            env=env or os.environ.copy(),
            start_new_session=True,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    finally:
        if output:
            out.close()


def run(workdir: Path, *args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``snakemake *args`` in ``workdir`` to the end; stdout and stderr together in ``.stdout``."""
    return subprocess.run(
        snakemake_cmd(*args),
        cwd=workdir,
        env=env or os.environ.copy(),
        timeout=timeout,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _group_stats(pgid: int) -> dict[int, list[str]]:
    """``/proc/PID/stat`` fields, from the state on, of the live (not zombie) processes of
    process group ``pgid``."""
    stats = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            stats[int(entry.name)] = fields
    return stats


def group_members(pgid: int) -> list[int]:
    """Live processes (not zombies) of process group ``pgid``."""
    return list(_group_stats(pgid))


def group_cpu_s(pgid: int) -> float:
    """CPU seconds used so far by process group ``pgid``: user and system time of its live
    processes and of the children they have reaped (a finished job counts in snakemake's)."""
    ticks = sum(sum(int(f) for f in fields[11:15]) for fields in _group_stats(pgid).values())
    return ticks / os.sysconf("SC_CLK_TCK")


def children_cpu_s() -> float:
    """CPU seconds of this process's reaped children (and theirs), user plus system."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def kill_group(proc: subprocess.Popen, timeout: float = 30) -> None:
    """SIGKILL the whole process group of ``proc`` (snakemake and every job it started) and wait
    until none of them is left."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()
    deadline = time.monotonic() + timeout
    while group_members(proc.pid):
        assert time.monotonic() < deadline, f"processes of group {proc.pid} survived SIGKILL"
        time.sleep(0.05)


def wait_for(condition, proc: subprocess.Popen | None = None, timeout: float = 120, what: str = "") -> None:
    """Poll ``condition()`` until it is true; fail if ``proc`` ends or ``timeout`` passes first."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc is None or proc.poll() is None, f"snakemake ended before {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def locks(workdir: Path) -> list[Path]:
    """Snakemake's lock files in ``workdir``."""
    return sorted((workdir / ".snakemake" / "locks").glob("*.lock"))


def incomplete_outputs(workdir: Path) -> set[str]:
    """Outputs Snakemake has marked incomplete (a job started and did not finish): the files
    of ``.snakemake/incomplete`` are the outputs' paths, urlsafe-base64 encoded."""
    markers = workdir / ".snakemake" / "incomplete"
    if not markers.is_dir():
        return set()
    paths = set()
    for marker in markers.rglob("*"):
        if marker.is_file() and marker.name != "migration_underway":
            parts = marker.relative_to(markers).parts
            encoded = "".join(p.removeprefix("@") for p in parts)
            paths.add(base64.urlsafe_b64decode(encoded).decode())
    return paths


def file_states(workdir: Path, globs: tuple[str, ...]) -> dict[str, tuple[int, int]]:
    """(inode, mtime in ns) of every file matching ``globs``, by path relative to ``workdir``:
    a file rewritten in any way (atomic rename or in place) changes one of the two."""
    states = {}
    for pattern in globs:
        for path in workdir.glob(pattern):
            st = path.stat()
            states[str(path.relative_to(workdir))] = (st.st_ino, st.st_mtime_ns)
    return states


def stray_temp_files(workdir: Path) -> list[str]:
    """Temporary files of ``shardflow.io.replace_atomically`` (``.NAME.tmp-PID``) left in results."""
    return sorted(str(p.relative_to(workdir)) for p in (workdir / "results").rglob(".*.tmp-*"))


@dataclass
class Lab:
    """One pipeline's prepared workdir, its two snapshots and its reference results."""

    pipeline: Pipeline
    workdir: Path
    snapshots: Path
    reference: dict[str, pd.DataFrame] = field(default_factory=dict)
    span_s: float = 0.0
    cpu_s: float = 0.0
    reference_shards: dict[str, pd.DataFrame] = field(default_factory=dict)

    @classmethod
    def build(cls, pipeline: Pipeline, root: Path) -> Lab:
        """Prepare the demo inputs (snapshot ``base``), run the final tables uninterrupted with
        ``--cores 2`` (snapshot ``reference``), then once more from ``base``, timed in wall and
        CPU seconds (snakemake and all its jobs): the span of a run as the trials start it (the
        first run in a workdir is slower), and a check that two runs agree."""
        lab = cls(pipeline, make_workdir(root / "workdir", pipeline.config), root / "snapshots")
        lab.run_ok("--cores", "2", *pipeline.demo_inputs)
        lab.save("base")
        lab.run_ok(*lab.tables_args())
        lab.reference = pipeline.read_tables(lab.workdir)
        lab.reference_shards = pipeline.shard_tables(lab.workdir)
        lab.save("reference")
        lab.restore("base")
        start_time, start_cpu = time.monotonic(), children_cpu_s()
        lab.run_ok(*lab.tables_args())
        lab.span_s, lab.cpu_s = time.monotonic() - start_time, children_cpu_s() - start_cpu
        lab.assert_reference_results()
        return lab

    def run_ok(self, *args: str) -> None:
        result = run(self.workdir, *args)
        assert result.returncode == 0, result.stdout[-4000:]

    def tables_args(self) -> list[str]:
        """Command-line arguments of a run that builds the final tables."""
        return ["--cores", "2", *self.pipeline.targets]

    def save(self, state: str) -> None:
        shutil.copytree(self.workdir, self.snapshots / state, symlinks=True)

    def restore(self, state: str) -> None:
        """Put the workdir back exactly as it was in snapshot ``state`` (``base`` or ``reference``)."""
        shutil.rmtree(self.workdir)
        shutil.copytree(self.snapshots / state, self.workdir, symlinks=True)

    def assert_reference_results(self) -> None:
        """Every shard table and every final table equals the reference run's."""
        shards = self.pipeline.shard_tables(self.workdir)
        assert shards.keys() == self.reference_shards.keys()
        for path, table in shards.items():
            pd.testing.assert_frame_equal(table, self.reference_shards[path], obj=path)
        tables_equal(self.pipeline.read_tables(self.workdir), self.reference)
