"""The target catalog: reading, validation and batching.

A catalog is a CSV with at least ``target_id, mission, period, depth, duration, epoch, label``:
period and epoch in days (epoch as BJD_TDB), depth in ppm, duration in hours. An optional
``path`` column names each target's light-curve file relative to the light-curve folder.
Other columns are carried through to the feature table unchanged.

Validation errors name the file, the CSV line (the header is line 1) and the column.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np
import pandas as pd

REQUIRED_COLUMNS = ("target_id", "mission", "period", "depth", "duration", "epoch", "label")
NUMERIC_COLUMNS = ("period", "depth", "duration", "epoch")
#: Optional numeric columns, validated like the required ones when present (solar units).
OPTIONAL_NUMERIC_COLUMNS = ("star_radius", "star_mass")


class CatalogError(ValueError):
    """The catalog file cannot be used; the message names the file, line and column."""


def _read_records(path: Path) -> tuple[list[str], list[list[str]], list[int]]:
    """Header, records and the file line each record starts on (blank lines skipped; a
    quoted field may span lines). A record with the wrong number of fields is an error."""
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh, skipinitialspace=True)
            header = next(reader, None)
            if not header:
                raise CatalogError(f"{path}: the catalog is empty")
            header = [h.strip() for h in header]
            records, lines = [], []
            start = reader.line_num + 1
            for record in reader:
                if any(field.strip() for field in record):
                    if len(record) != len(header):
                        raise CatalogError(f"{path}, line {start}: {len(record)} fields, the header has {len(header)}")
                    records.append(record)
                    lines.append(start)
                start = reader.line_num + 1
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise CatalogError(f"{path}: cannot read the catalog as CSV: {exc}") from exc
    return header, records, lines


def read_catalog(path: str | os.PathLike) -> pd.DataFrame:
    """Read and validate a catalog CSV.

    Empty numeric cells are allowed (a non-transiting star has no period) and become NaN;
    anything else that is not a number is an error. ``target_id`` must be present and unique.
    Returns the frame in file order with ``target_id`` as string, the numeric columns as
    float64, other columns that hold only numbers as numbers and the rest as strings, and a
    ``catalog_line`` column giving each row's line in the file.
    """
    path = Path(path)
    header, records, lines = _read_records(path)
    df = pd.DataFrame(records, columns=header)

    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise CatalogError(
            f"{path}: missing required column(s) {', '.join(missing)}; the file has {', '.join(df.columns)}"
        )
    if df.empty:
        raise CatalogError(f"{path}: the catalog has no rows")

    lines = np.asarray(lines)
    df = df.map(str.strip)

    empty_ids = df["target_id"] == ""
    if empty_ids.any():
        raise CatalogError(f"{path}, line {lines[empty_ids.to_numpy()][0]}, column target_id: empty target_id")
    dup = df["target_id"].duplicated(keep=False).to_numpy()
    if dup.any():
        first = df.loc[dup, "target_id"].iloc[0]
        at = lines[(df["target_id"] == first).to_numpy()]
        raise CatalogError(f"{path}, lines {', '.join(map(str, at))}, column target_id: duplicate target_id {first!r}")

    for col in (*NUMERIC_COLUMNS, *[c for c in OPTIONAL_NUMERIC_COLUMNS if c in df.columns]):
        text = df[col]
        values = pd.to_numeric(text.where(text != ""), errors="coerce")
        bad = (values.isna() & (text != "")).to_numpy()
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise CatalogError(f"{path}, line {lines[i]}, column {col}: {text.iloc[i]!r} is not a number")
        df[col] = values.astype("float64")

    checked = {"target_id", *NUMERIC_COLUMNS, *OPTIONAL_NUMERIC_COLUMNS}
    for col in df.columns.difference(list(checked)):
        text = df[col]
        values = pd.to_numeric(text.where(text != ""), errors="coerce")
        if (values.notna() | (text == "")).all() and values.notna().any():
            df[col] = values

    df.insert(len(df.columns), "catalog_line", lines)
    return df


def assign_batches(catalog: pd.DataFrame, batch_size: int) -> pd.DataFrame:
    """Return a copy of ``catalog`` with a ``batch`` column: row i goes to batch i // batch_size.

    Batches follow catalog order, so adding rows at the end of a catalog leaves the
    existing full batches (and their finished outputs) unchanged.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    out = catalog.copy()
    out["batch"] = np.arange(len(out)) // batch_size
    return out
