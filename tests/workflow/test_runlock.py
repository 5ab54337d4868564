"""Stale-lock recovery (shardflow.runlock) against a real Snakemake lock: kept while a run works
in the directory, even when the owner record still names an earlier, finished run (the moment
between Snakemake taking its lock and ``onstart`` recording the owner); removed once that run
has been killed."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

from shardflow.runlock import OWNER_FILE, clear_stale_locks

SNAKEFILE = 'rule slow:\n    output: "done.txt"\n    shell: "sleep 60; touch {output}"\n'


def finished_pid() -> int:
    """The pid of a process that has ended (the owner of an earlier, finished run)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_live_runs_lock_is_kept_and_a_killed_runs_lock_removed(tmp_path, monkeypatch):
    (tmp_path / "Snakefile").write_text(SNAKEFILE)
    monkeypatch.chdir(tmp_path)
    run = subprocess.Popen(
        [sys.executable, "-m", "snakemake", "--cores", "1", "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    locks = tmp_path / ".snakemake" / "locks"
    try:
        deadline = time.monotonic() + 120
        while not (locks.is_dir() and any(locks.iterdir())):
            assert run.poll() is None and time.monotonic() < deadline, "snakemake did not take its lock"
            time.sleep(0.1)
        owner = {"pid": finished_pid(), "host": socket.gethostname()}
        (tmp_path / ".snakemake" / OWNER_FILE).write_text(json.dumps(owner))

        assert clear_stale_locks() is None
        assert any(locks.iterdir())
    finally:
        os.killpg(run.pid, signal.SIGKILL)
        run.wait()

    assert "removed the stale lock" in clear_stale_locks()
    assert not any(locks.iterdir())
