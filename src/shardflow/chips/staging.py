"""Staging one date folder of run files into per-run parquet partitions.

Each readable run ``{raw_dir}/{date}/{name}.csv`` becomes
``{stage_dir}/proc={proc}/date={date}/run_id={run_id}/part-000.parquet`` (the canonical data
columns of ``runfiles.DATA_COLUMNS``), plus one row of the date's manifest fragment; a file that
cannot be read becomes one row of the date's staging errors, and the date still succeeds.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .runfiles import PROCEDURES, RunFileError, read_run, run_id

#: Settings promoted to manifest columns (floats, NaN where a run has none); every setting
#: of a run is also kept in ``settings`` as JSON.
SETTING_COLUMNS = ("vds_v", "ids_a", "wavelength_nm", "led_voltage_v", "vg_step_v")
MANIFEST_COLUMNS = (
    "run_id", "chip_number", "proc", "date", "start_time_utc", "n_points",
    *SETTING_COLUMNS, "settings", "path", "source_file",
)  # fmt: skip
ERROR_COLUMNS = ("date", "source_file", "reason")


def partition_path(proc: str, date: str, run: str) -> str:
    """Relative path of a staged run below the staging folder (hive-style partitions)."""
    return f"proc={proc}/date={date}/run_id={run}/part-000.parquet"


def stage_date(date_dir: str | os.PathLike, date: str, stage_dir: str | os.PathLike) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stage every ``*.csv`` of ``date_dir`` (in name order); return (manifest fragment, errors).

    Manifest columns: ``MANIFEST_COLUMNS`` (``path`` relative to ``stage_dir``, ``source_file``
    the run file's name); error columns: ``ERROR_COLUMNS``. The proc folders of the date are
    created even when empty, so every date has the same outputs.
    """
    date_dir, stage_dir = Path(date_dir), Path(stage_dir)
    for proc in PROCEDURES:
        (stage_dir / f"proc={proc}" / f"date={date}").mkdir(parents=True, exist_ok=True)
    rows, errors = [], []
    for path in sorted(date_dir.glob("*.csv")):
        try:
            run = read_run(path)
        except RunFileError as err:
            errors.append({"date": date, "source_file": path.name, "reason": str(err)})
            continue
        rid = run_id(date, path.stem)
        rel = partition_path(run.meta["proc"], date, rid)
        target = stage_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pandas(run.data, preserve_index=False), target, compression="zstd")
        meta = run.meta
        settings = {k: v for k, v in meta.items() if k not in ("chip_number", "proc", "start_time_utc")}
        rows.append({
            "run_id": rid,
            "chip_number": int(meta["chip_number"]),
            "proc": meta["proc"],
            "date": date,
            "start_time_utc": meta["start_time_utc"],
            "n_points": len(run.data),
            **{c: float(meta[c]) if isinstance(meta.get(c), (int, float)) else float("nan") for c in SETTING_COLUMNS},
            "settings": json.dumps(settings, sort_keys=True),
            "path": rel,
            "source_file": path.name,
        })  # fmt: skip
    manifest = pd.DataFrame(rows, columns=list(MANIFEST_COLUMNS)).astype({"chip_number": "int64", "n_points": "int64"})
    return manifest, pd.DataFrame(errors, columns=list(ERROR_COLUMNS))


def merge_manifests(fragments: list[pd.DataFrame]) -> pd.DataFrame:
    """The manifest: all fragments, one row per run, ordered by chip, procedure, start time
    and run id (so groups and consecutive pairs read in time order)."""
    manifest = pd.concat(fragments, ignore_index=True)
    if manifest["run_id"].duplicated().any():
        dup = manifest.loc[manifest["run_id"].duplicated(), "run_id"].iloc[0]
        raise ValueError(f"run_id {dup!r} appears twice in the manifest")
    return manifest.sort_values(["chip_number", "proc", "start_time_utc", "run_id"], kind="stable").reset_index(drop=True)
