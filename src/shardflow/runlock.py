"""Stale-lock recovery, so a plain rerun after a killed run just works.

Snakemake locks the working directory while it runs and refuses a second run on the same
files; a run killed with SIGKILL (or a lost node, or a power cut) leaves its lock behind, and
Snakemake then asks for ``--unlock``. The workflow records the process that holds the lock
(``record_owner``, from ``onstart``, i.e. after the lock is taken); at the start of the next
run ``clear_stale_locks`` removes the lock only if that owner is known to be dead on this
host and no other Snakemake process works in this directory. A lock whose owner is alive, runs
on another host or is unknown is left alone, so a second concurrent run is still refused by
Snakemake. The second condition covers a run that has taken its lock but not yet recorded
itself (Snakemake locks after building the DAG, ``onstart`` comes later): the record then still
names an earlier, finished run.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

OWNER_FILE = "shardflow-lock-owner.json"


def _alive(pid: int) -> bool:
    """True if ``pid`` is a live (not zombie) snakemake process on this host."""
    proc = Path(f"/proc/{pid}")
    if proc.exists():
        try:
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            return False
        return state != "Z" and "snakemake" in cmdline
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _another_snakemake_here() -> bool:
    """Whether another live Snakemake process on this host works in this directory (False where
    there is no /proc). A Snakemake process is one whose command runs the ``snakemake`` program
    or module; a job's own script is not one."""
    here, me = Path.cwd().resolve(), os.getpid()
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            pid = int(proc.name)
            if pid == me or Path(os.readlink(proc / "cwd")).resolve() != here:
                continue
            argv = (proc / "cmdline").read_bytes().split(b"\0")[:3]
        except (OSError, ValueError):
            continue
        if b"snakemake" in map(os.path.basename, argv) and _alive(pid):
            return True
    return False


def record_owner(snakemake_dir: str | os.PathLike = ".snakemake") -> None:
    """Record this process as the holder of the working directory's lock."""
    path = Path(snakemake_dir) / OWNER_FILE
    path.write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname()}))


def clear_stale_locks(snakemake_dir: str | os.PathLike = ".snakemake") -> str | None:
    """Remove the locks of a dead run; return a message saying what was removed, or None."""
    locks = sorted((Path(snakemake_dir) / "locks").glob("*.lock"))
    owner_path = Path(snakemake_dir) / OWNER_FILE
    if not locks or not owner_path.exists():
        return None
    try:
        owner = json.loads(owner_path.read_text())
        pid, host = int(owner["pid"]), owner["host"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if host != socket.gethostname() or _alive(pid) or _another_snakemake_here():
        return None
    for lock in locks:
        lock.unlink(missing_ok=True)
    owner_path.unlink(missing_ok=True)
    return f"removed the stale lock of a run that was killed (pid {pid} on {host})"
