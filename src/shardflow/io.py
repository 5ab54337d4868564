"""Helpers shared by the rule scripts: logging to the rule's log file and atomic table writes.

Outputs are written to a temporary file next to the target and renamed into place, so a job
killed mid-write never leaves a file that looks finished. Tables carry no timestamps, so the
same inputs give byte-identical files.

Importing this module imports neither pandas nor polars: the pandas writers take a frame the
caller made, and :func:`write_polars` uses the polars frame's own writer, so a job that works
with polars never pays for pandas (about 0.2 s of every job's start and exit). pyarrow is no
way around that: building or converting any pyarrow array imports pandas when it is installed.
"""

from __future__ import annotations

import glob
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl


def script_logger(log_path: str | os.PathLike | None, name: str) -> logging.Logger:
    """Return a logger writing timestamped lines to ``log_path`` (the rule's ``log:``).

    Warnings from libraries (``warnings`` module) are routed to the same file, so a job's
    log shows everything it had to say. Without a path, messages go to standard error.
    """
    logger = logging.getLogger(name)
    logger.setLevel(logging.INFO)
    logger.handlers.clear()
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(log_path, mode="w")
    else:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    logging.captureWarnings(True)
    warn_logger = logging.getLogger("py.warnings")
    warn_logger.handlers = [handler]
    warn_logger.propagate = False
    return logger


def replace_atomically(path: Path, write) -> None:
    """Call ``write(tmp)`` on a temporary path beside ``path``, then rename it to ``path``.

    The rename is atomic on POSIX filesystems: readers see the old file or the whole new one.
    A temporary file that a killed writer of the same path left behind (``.NAME.tmp-PID``) is
    removed first; no other job writes this path meanwhile (Snakemake runs one job per output).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob(f".{glob.escape(path.name)}.tmp-*"):
        stale.unlink(missing_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_parquet(df: pd.DataFrame, path: str | os.PathLike) -> None:
    """Write ``df`` to ``path`` as parquet (pyarrow, zstd), atomically, without the pandas index."""
    replace_atomically(Path(path), lambda tmp: df.to_parquet(tmp, index=False, compression="zstd", engine="pyarrow"))


def write_polars(df: pl.DataFrame, path: str | os.PathLike) -> None:
    """Write the polars ``df`` to ``path`` as parquet (polars' writer, zstd), atomically.

    Neither pandas nor pyarrow is imported. The file keeps the polars schema (strings are
    arrow ``large_string``) and carries no pandas metadata, so ``pandas.read_parquet`` gives
    each column the default dtype of its type: strings object, an Int64 column with nulls
    float64.
    """
    replace_atomically(Path(path), lambda tmp: df.write_parquet(tmp, compression="zstd"))


def write_csv(df: pd.DataFrame, path: str | os.PathLike) -> None:
    """Write ``df`` to ``path`` as CSV, atomically, without the pandas index."""
    replace_atomically(Path(path), lambda tmp: df.to_csv(tmp, index=False))
