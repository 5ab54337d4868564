"""Staging day folders of run files into per-run parquet partitions.

Each file of a day folder is read with the first format that takes it (:mod:`.formats`; by
default the instrument run CSVs ``{raw_dir}/{YYYY-MM-DD}/{name}.csv``). Each readable run becomes
``{stage_dir}/proc={proc}/date={date}/run_id={run_id}/part-000.parquet`` (the canonical data
columns of ``runfiles.DATA_COLUMNS``, float64 in SI units, zstd), plus one row of the date's
manifest fragment; a file that cannot be read, or that no format takes, becomes one row of the
date's staging errors, and the date still succeeds. A staging job stages a block of
consecutive calendar days (:func:`stage_block`; one day by default) into a folder of its own,
``{stage_root}/block={first date}``, which is the ``stage_dir`` of each of its days.

Staging and reading partitions use polars and numpy: a job that imports this module does not
import pandas, which would add about 0.2 s to every job's start and exit (pyarrow imports it as
soon as it builds or converts an array, so pyarrow is no way around it).
:func:`merge_manifests`, for the one manifest job, takes pandas frames.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from .formats import DEFAULT_FORMAT, Format, index_files, read_described
from .runfiles import PROCEDURES, RunFileError, run_id

if TYPE_CHECKING:
    import pandas as pd

#: Settings promoted to manifest columns (float64 in the unit of their suffix, null where a
#: run has none, which pandas reads as NaN); every setting of a run is also kept in
#: ``settings`` as JSON.
SETTING_COLUMNS = ("vds_v", "ids_a", "wavelength_nm", "led_voltage_v", "vg_step_v")
#: Manifest columns and their types: ``chip_number`` and ``n_points`` (table rows) Int64,
#: settings Float64, the rest strings.
MANIFEST_SCHEMA = pl.Schema(
    {
        "run_id": pl.String,
        "chip_number": pl.Int64,
        "proc": pl.String,
        "date": pl.String,
        "start_time_utc": pl.String,
        "n_points": pl.Int64,
        **dict.fromkeys(SETTING_COLUMNS, pl.Float64),
        "settings": pl.String,
        "path": pl.String,
        "source_file": pl.String,
    }
)
MANIFEST_COLUMNS = tuple(MANIFEST_SCHEMA.names())
#: Staging error columns, all strings: the date, the file's name, the reader's message.
ERROR_SCHEMA = pl.Schema({"date": pl.String, "source_file": pl.String, "reason": pl.String})
ERROR_COLUMNS = tuple(ERROR_SCHEMA.names())


def stage_block(date: str, days: int) -> str:
    """The block of ``days`` consecutive calendar days that holds ``date`` (ISO), named by its
    first day (ISO): blocks start every ``days`` days counted from Monday 0001-01-01, so a
    block never changes when other dates come or go, and ``days=7`` gives Monday-to-Sunday
    weeks; ``days=1``: the date itself."""
    from datetime import date as Date

    first = (Date.fromisoformat(date).toordinal() - 1) // days * days + 1
    return Date.fromordinal(first).isoformat()


def block_dir(stage_root: str | os.PathLike, date: str, days: int) -> Path:
    """The stage folder of the block that holds ``date``: the base of the manifest's ``path``."""
    return Path(stage_root) / f"block={stage_block(date, days)}"


def partition_path(proc: str, date: str, run: str) -> str:
    """Relative path of a staged run below the staging folder (hive-style partitions)."""
    return f"proc={proc}/date={date}/run_id={run}/part-000.parquet"


def stage_date(
    date_dir: str | os.PathLike,
    date: str,
    stage_dir: str | os.PathLike,
    formats: list[Format] | tuple[Format, ...] = (DEFAULT_FORMAT,),
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Stage every file of the day folder ``date_dir`` (in name order) with the first of
    ``formats`` that takes it; return (manifest fragment, errors).

    A file that no format takes is an error row ("no format takes this file"); the formats'
    sidecar index files, the files of an ``ignore`` format and hidden files (a name starting
    with ``.``: Snakemake's ``.snakemake_timestamp``, ``.DS_Store``) are neither runs nor
    errors.

    Both are polars frames, one row per file in name order: the manifest fragment has
    :data:`MANIFEST_SCHEMA` (``path`` relative to ``stage_dir``, ``source_file`` the run file's
    name), the errors :data:`ERROR_SCHEMA`. Partitions are parquet files written by polars
    (zstd, no pandas metadata; about 0.7 ms for 2,500 x 3 values). The proc folders of the
    date are created even when empty, so every date has the same outputs.
    """
    date_dir, stage_dir = Path(date_dir), Path(stage_dir)
    for proc in PROCEDURES:
        (stage_dir / f"proc={proc}" / f"date={date}").mkdir(parents=True, exist_ok=True)
    rows, errors = [], []
    indexes = index_files(list(formats))
    for path in sorted(p for p in date_dir.iterdir() if p.is_file() and not p.name.startswith(".")):
        if path.name in indexes:
            continue
        fmt = next((f for f in formats if f.takes(date_dir.name, path.name)), None)
        if fmt is None:
            tried = "; ".join(f"{f.name!r}: {f.files} in {f.folder}" for f in formats)
            reason = f"{path}: no format takes this file (formats: {tried})"
            errors.append({"date": date, "source_file": path.name, "reason": reason})
            continue
        if fmt.reader == "ignore":
            continue
        try:
            run = read_described(fmt, path, date_dir.parent, date)
        except RunFileError as err:
            errors.append({"date": date, "source_file": path.name, "reason": str(err)})
            continue
        rid = run_id(date, path.stem)
        rel = partition_path(run.meta["proc"], date, rid)
        target = stage_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        pl.DataFrame(dict(run.data)).write_parquet(target, compression="zstd")
        meta = run.meta
        settings = {k: v for k, v in meta.items() if k not in ("chip_number", "proc", "start_time_utc")}
        rows.append(
            {
                "run_id": rid,
                "chip_number": int(meta["chip_number"]),
                "proc": meta["proc"],
                "date": date,
                "start_time_utc": meta["start_time_utc"],
                "n_points": run.n_points,
                **{c: float(meta[c]) if isinstance(meta.get(c), (int, float)) else None for c in SETTING_COLUMNS},
                "settings": json.dumps(settings, sort_keys=True),
                "path": rel,
                "source_file": path.name,
            }
        )
    return pl.DataFrame(rows, schema=MANIFEST_SCHEMA), pl.DataFrame(errors, schema=ERROR_SCHEMA)


def read_partition(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """The data of one staged run (a ``part-000.parquet``): column name -> read-only 1-D float64
    numpy array in SI units, rows in file order, as :attr:`.runfiles.RunFile.data` had them."""
    frame = pl.read_parquet(path)
    return {name: frame.get_column(name).to_numpy() for name in frame.columns}


def load_run(stage_dir: str | os.PathLike, row: dict) -> tuple[dict, dict[str, np.ndarray]]:
    """One staged run as the extractors take it: the manifest ``row`` with its JSON
    ``settings`` spread into it (the row's own columns win), and its partition's data."""
    return {**json.loads(row["settings"]), **row}, read_partition(Path(stage_dir) / row["path"])


def merge_manifests(fragments: list[pd.DataFrame]) -> pd.DataFrame:
    """The manifest: all fragments, one row per run, ordered by chip, procedure, start time
    and run id (so groups and consecutive pairs read in time order)."""
    import pandas as pd

    manifest = pd.concat(fragments, ignore_index=True)
    if manifest["run_id"].duplicated().any():
        dup = manifest.loc[manifest["run_id"].duplicated(), "run_id"].iloc[0]
        raise ValueError(f"run_id {dup!r} appears twice in the manifest")
    return manifest.sort_values(["chip_number", "proc", "start_time_utc", "run_id"], kind="stable").reset_index(
        drop=True
    )
