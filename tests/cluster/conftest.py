"""The cluster tests run the real snakemake against a real one-node SLURM cluster, which
``slurm.sh`` installs, starts and stops on this machine."""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SLURM_SH = HERE / "slurm.sh"
STATE_DIR = Path(os.environ.get("SHARDFLOW_SLURM_DIR", "/tmp/shardflow-slurm"))

#: Wall times of the runs, printed in the terminal summary: {label: (seconds, SLURM jobs)}.
WALL_TIMES = pytest.StashKey[dict]()


@dataclass(frozen=True)
class SlurmCluster:
    """The running cluster: where its job records are, and a helper to read them."""

    state_dir: Path

    def job_records(self) -> dict[str, dict[str, str]]:
        """Slurm's own record of every finished job (jobcomp/filetxt), by job id: JobState,
        Name (the SLURM run ID of the snakemake run that submitted it), ExitCode, ..."""
        path = self.state_dir / "log" / "jobcomp.log"
        records = {}
        for line in path.read_text().splitlines() if path.exists() else []:
            fields = dict(re.findall(r"(\w+)=(\S*)", line))
            records[fields["JobId"]] = fields
        return records

    def wait_for_record(self, job_id: str, timeout: float = 60) -> dict[str, str]:
        deadline = time.monotonic() + timeout
        while (record := self.job_records().get(job_id)) is None:
            assert time.monotonic() < deadline, f"SLURM job {job_id} has no job record after {timeout} s"
            time.sleep(0.5)
        return record


def _slurm_sh(command: str, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(SLURM_SH), command], capture_output=True, text=True, timeout=timeout)


def _exclusive_lock(path: Path, timeout: float):
    """Hold ``path`` locked: two test sessions on one machine take turns with the cluster
    instead of one stopping it under the other."""
    handle = open(path, "w")
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return handle
        except BlockingIOError:
            if time.monotonic() > deadline:
                handle.close()
                pytest.fail(f"another test session has held the SLURM cluster ({path}) for {timeout:.0f} s")
            time.sleep(1)


@pytest.fixture(scope="session")
def slurm_cluster() -> SlurmCluster:
    """Start the cluster (installing Slurm from Debian's packages the first time) and stop it
    at the end of the session, whether the tests passed or not."""
    if os.geteuid() != 0:
        pytest.skip("the SLURM cluster tests need root (slurmd, /etc/slurm/slurm.conf, apt-get)")
    if not shutil.which("sbatch") and not shutil.which("apt-get"):
        pytest.skip("SLURM is not installed and there is no apt-get to install it")
    lock = _exclusive_lock(STATE_DIR.with_name(STATE_DIR.name + ".lock"), timeout=1800)
    try:
        started = _slurm_sh("start", timeout=600)
        if started.returncode != 0:
            _slurm_sh("stop", timeout=120)
            pytest.fail(f"tests/cluster/slurm.sh start failed:\n{started.stdout}\n{started.stderr}")
        yield SlurmCluster(STATE_DIR)
    finally:
        stopped = _slurm_sh("stop", timeout=120)
        lock.close()
    assert stopped.returncode == 0, f"tests/cluster/slurm.sh stop failed:\n{stopped.stderr}"


@pytest.fixture(scope="session")
def wall_times(request) -> dict[str, tuple[float, int]]:
    """Record a run's wall time here, ``{label: (seconds, SLURM jobs)}``, to have it printed at
    the end of the session."""
    return request.config.stash.setdefault(WALL_TIMES, {})


def pytest_terminal_summary(terminalreporter, config):
    if times := config.stash.get(WALL_TIMES, {}):
        terminalreporter.section("SLURM against local wall time")
        for label, (seconds, jobs) in times.items():
            terminalreporter.write_line(f"{label:<50} {seconds:7.1f} s   {jobs:3d} SLURM jobs")
