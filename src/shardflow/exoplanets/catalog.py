"""The target catalog: reading, validation, grouping by star and batching.

Three formats, detected from the header (or named with ``exoplanets.catalog_format``):

- ``simple``: a CSV with at least ``target_id, mission, period, depth, duration, epoch, label``:
  period and epoch in days (epoch as BJD_TDB), depth in ppm, duration in hours. Optional:
  ``star_id`` (rows with the same one are planets of one star; default: the row's own
  ``target_id``), ``path`` (the star's light-curve files relative to the light-curve folder,
  several separated by ``;``), ``star_radius`` and ``star_mass`` (solar units).
- ``toi``: the NASA Exoplanet Archive's TESS Objects of Interest table as downloaded.
- ``koi``: the archive's Kepler Objects of Interest cumulative table as downloaded.

Archive tables are mapped onto the simple columns (:data:`ARCHIVE_FORMATS`): ids, period (d),
epoch (BJD_TDB; KOI epochs are BKJD = BJD_TDB - 2454833), duration (h), depth (ppm), stellar
radius and mass (solar units; the mass from log g and the radius, M = g R^2 / G) and a label
from the disposition through a configurable mapping. Every archive column is carried through.
An archive row without a usable id or period is kept as a failed row (``catalog_status``
``failed``, ``catalog_reason``), not a rejected catalog. ``#`` lines (the archive's column
descriptions) are skipped in every format.

Validation errors name the file, the line (the header's line in the file counts) and the column.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .lightcurve_fits import KEPLER_BJD_OFFSET as BKJD_OFFSET

REQUIRED_COLUMNS = ("target_id", "mission", "period", "depth", "duration", "epoch", "label")
NUMERIC_COLUMNS = ("period", "depth", "duration", "epoch")
#: Optional numeric columns, validated like the required ones when present (solar units).
OPTIONAL_NUMERIC_COLUMNS = ("star_radius", "star_mass")


#: log10 of the Sun's surface gravity in cm s^-2 (IAU 2015 nominal GM_sun and R_sun: 4.438).
LOGG_SUN = 4.438
#: Default disposition -> label mapping (``exoplanets.labels``): confirmed and known planets 1,
#: false positives and false alarms 0; a disposition not listed (candidates) is unlabelled.
DEFAULT_LABELS = {"CP": 1, "KP": 1, "FP": 0, "FA": 0, "CONFIRMED": 1, "FALSE POSITIVE": 0}


@dataclass(frozen=True)
class ArchiveFormat:
    """How an archive table's columns map onto the catalog's (units as in the module doc)."""

    name: str
    mission: str
    row_id: str  # the object of interest: target_id = f"{row_prefix}{value}"
    row_prefix: str
    star_id: str  # the star's catalog number: star_id = f"{star_prefix} {value}"
    star_prefix: str
    period: str
    epoch: str
    epoch_offset: float  # added to the epoch column to get BJD_TDB
    duration: str
    depth: str
    radius: str
    logg: str
    disposition: str


ARCHIVE_FORMATS = {
    "toi": ArchiveFormat(
        "toi",
        "TESS",
        "toi",
        "TOI-",
        "tid",
        "TIC",
        "pl_orbper",
        "pl_tranmid",
        0.0,
        "pl_trandurh",
        "pl_trandep",
        "st_rad",
        "st_logg",
        "tfopwg_disp",
    ),  # fmt: skip
    "koi": ArchiveFormat(
        "koi",
        "Kepler",
        "kepoi_name",
        "",
        "kepid",
        "KIC",
        "koi_period",
        "koi_time0bk",
        BKJD_OFFSET,
        "koi_duration",
        "koi_depth",
        "koi_srad",
        "koi_slogg",
        "koi_disposition",
    ),  # fmt: skip
}


class CatalogError(ValueError):
    """The catalog file cannot be used; the message names the file, line and column."""


def _read_records(path: Path) -> tuple[list[str], list[list[str]], list[int], int]:
    """Header, records, the file line each record starts on (blank and ``#`` lines skipped; a
    quoted field may span lines) and the header's line. A record with the wrong number of
    fields is an error."""
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            numbered = [(n, line) for n, line in enumerate(fh, 1) if not line.startswith("#")]
        reader = csv.reader((line for _, line in numbered), skipinitialspace=True)
        header = next(reader, None)
        if not header:
            raise CatalogError(f"{path}: the catalog is empty")
        header_line = numbered[0][0]
        header = [h.strip() for h in header]
        records, lines = [], []
        start = reader.line_num
        for record in reader:
            if any(field.strip() for field in record):
                line = numbered[start][0]
                if len(record) != len(header):
                    raise CatalogError(f"{path}, line {line}: {len(record)} fields, the header has {len(header)}")
                records.append(record)
                lines.append(line)
            start = reader.line_num
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise CatalogError(f"{path}: cannot read the catalog as CSV: {exc}") from exc
    return header, records, lines, header_line


def _archive_columns(fmt: ArchiveFormat) -> tuple[str, ...]:
    return (fmt.row_id, fmt.star_id, fmt.period, fmt.epoch, fmt.duration, fmt.depth)


def detect_format(columns, path) -> str:
    """``toi`` or ``koi`` when the header has the archive table's mapped columns, ``simple``
    when it has the simple catalog's required columns; otherwise a ``CatalogError`` saying what
    is missing for each."""
    for name, fmt in ARCHIVE_FORMATS.items():
        if all(c in columns for c in _archive_columns(fmt)):
            return name
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if not missing:
        return "simple"
    raise CatalogError(
        f"{path}: missing required column(s) {', '.join(missing)}; the file has {', '.join(columns)} "
        "(nor is it the archive's TOI table, with toi, tid, pl_orbper, ..., or KOI table, with kepid, "
        "kepoi_name, koi_period, ...)"
    )


def _numbers(text: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Text cells as float64 (empty -> NaN), and the mask of non-empty cells that are not numbers."""
    values = pd.to_numeric(text.where(text != ""), errors="coerce").astype("float64")
    return values, (values.isna() & (text != "")).to_numpy()


#: Stellar masses outside this range (M_sun) come from inconsistent log g and radius values;
#: they are left out (NaN: the search uses ``exoplanets.search.star_mass``).
STELLAR_MASS_RANGE = (0.05, 50.0)


def stellar_mass(logg, radius) -> np.ndarray:
    """Stellar mass in solar masses from log10 g (cgs) and the radius (R_sun):
    M / M_sun = 10**(log g - LOGG_SUN) * (R / R_sun)**2. NaN where either is missing or the
    result lies outside :data:`STELLAR_MASS_RANGE`."""
    mass = np.power(10.0, np.asarray(logg, float) - LOGG_SUN) * np.asarray(radius, float) ** 2
    lo, hi = STELLAR_MASS_RANGE
    return np.where((mass >= lo) & (mass <= hi), mass, np.nan)


def read_catalog(path: str | os.PathLike, catalog_format: str = "auto", labels: dict | None = None) -> pd.DataFrame:
    """Read and validate a catalog (any format of the module doc; ``auto`` detects it).

    Returns the frame in file order with ``target_id``, ``star_id`` and ``mission`` as strings,
    ``period, depth, duration, epoch`` (and ``star_radius, star_mass`` when known) as float64,
    other columns that hold only numbers as numbers and the rest as strings, ``catalog_line``
    (each row's line in the file), and ``catalog_status`` (``ok`` or ``failed``) with
    ``catalog_reason``. ``labels`` maps archive dispositions to labels (default
    :data:`DEFAULT_LABELS`).
    """
    path = Path(path)
    header, records, lines, header_line = _read_records(path)
    df = pd.DataFrame(records, columns=header).map(str.strip)
    name = detect_format(df.columns, path) if catalog_format == "auto" else catalog_format
    needed = REQUIRED_COLUMNS if name == "simple" else _archive_columns(ARCHIVE_FORMATS[name])
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise CatalogError(
            f"{path}: missing required column(s) {', '.join(missing)} of the {name} format; "
            f"the file has {', '.join(df.columns)}"
        )
    if df.empty:
        raise CatalogError(f"{path}: the catalog has no rows")
    lines = np.asarray(lines)
    out = _simple(df, path, lines) if name == "simple" else _archive(df, ARCHIVE_FORMATS[name], labels)
    out.insert(len(out.columns), "catalog_line", lines)
    dup = out["target_id"].duplicated(keep=False).to_numpy()
    if dup.any():
        first = out.loc[dup, "target_id"].iloc[0]
        at = lines[(out["target_id"] == first).to_numpy()]
        raise CatalogError(f"{path}, lines {', '.join(map(str, at))}, column target_id: duplicate target_id {first!r}")
    return out


def _carry(df: pd.DataFrame, checked) -> pd.DataFrame:
    """Columns not in ``checked`` that hold only numbers (or blanks) become numbers."""
    for col in df.columns.difference(list(checked)):
        text = df[col]
        values = pd.to_numeric(text.where(text != ""), errors="coerce")
        if (values.notna() | (text == "")).all() and values.notna().any():
            df[col] = values
    return df


def _simple(df: pd.DataFrame, path: Path, lines: np.ndarray) -> pd.DataFrame:
    """The simple format: empty numeric cells are allowed (a non-transiting star has no
    period) and become NaN; anything else that is not a number is an error naming the line."""
    empty_ids = df["target_id"] == ""
    if empty_ids.any():
        raise CatalogError(f"{path}, line {lines[empty_ids.to_numpy()][0]}, column target_id: empty target_id")
    for col in (*NUMERIC_COLUMNS, *[c for c in OPTIONAL_NUMERIC_COLUMNS if c in df.columns]):
        values, bad = _numbers(df[col])
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise CatalogError(f"{path}, line {lines[i]}, column {col}: {df[col].iloc[i]!r} is not a number")
        df[col] = values
    if "star_id" not in df.columns:
        df.insert(1, "star_id", df["target_id"])
    df["star_id"] = df["star_id"].where(df["star_id"] != "", df["target_id"])
    df = _carry(df, {"target_id", "star_id", *NUMERIC_COLUMNS, *OPTIONAL_NUMERIC_COLUMNS})
    df["catalog_status"] = "ok"
    df["catalog_reason"] = ""
    return df


def _archive(df: pd.DataFrame, fmt: ArchiveFormat, labels: dict | None) -> pd.DataFrame:
    """Map an archive table onto the catalog columns, carrying every archive column through.
    A row without its object or star id, or without a positive period, is a failed row; a
    non-numeric value in a mapped column is one too."""
    labels = DEFAULT_LABELS if labels is None else labels
    reasons = pd.Series("", index=df.index)
    mapped = {}
    for key, col in (("period", fmt.period), ("epoch", fmt.epoch), ("duration", fmt.duration), ("depth", fmt.depth)):
        mapped[key], bad = _numbers(df[col])
        reasons[bad & (reasons == "")] = f"{col} is not a number"
    for key, col in (("radius", fmt.radius), ("logg", fmt.logg)):
        values, bad = _numbers(df[col]) if col in df.columns else (pd.Series(np.nan, index=df.index), None)
        mapped[key] = values.where(values > 0)
    for col in (fmt.row_id, fmt.star_id):
        reasons[(df[col] == "") & (reasons == "")] = f"{col} is empty"
    no_period = ~(mapped["period"] > 0)
    reasons[no_period.to_numpy() & (reasons == "")] = f"{fmt.period} is empty or not positive"
    star_text = df[fmt.star_id].str.replace(r"\.0+$", "", regex=True)
    disposition = df[fmt.disposition] if fmt.disposition in df.columns else pd.Series("", index=df.index)
    out = pd.DataFrame(
        {
            "target_id": fmt.row_prefix + df[fmt.row_id],
            "star_id": fmt.star_prefix + " " + star_text,
            "mission": fmt.mission,
            "period": mapped["period"],
            "depth": mapped["depth"],
            "duration": mapped["duration"],
            "epoch": mapped["epoch"] + fmt.epoch_offset,
            "label": pd.to_numeric(disposition.map(labels), errors="coerce").astype("Int64"),
            "star_radius": mapped["radius"],
            "star_mass": stellar_mass(mapped["logg"], mapped["radius"]),
        }
    )
    carried = _carry(df.copy(), set())
    out = pd.concat([out, carried.drop(columns=[c for c in carried.columns if c in out.columns])], axis=1)
    out["catalog_status"] = np.where(reasons == "", "ok", "failed")
    out["catalog_reason"] = reasons.to_numpy()
    return out


def assign_batches(catalog: pd.DataFrame, batch_size: int) -> pd.DataFrame:
    """Return a copy of ``catalog`` with a ``batch`` column; the rows of one star (same
    ``star_id``) always share a batch.

    Stars are taken in the order of their first row; a batch is filled with whole stars up to
    ``batch_size`` rows, and a star with more rows than that gets a batch of its own. Rows keep
    their catalog order inside the frame, so adding rows of new stars at the end of a catalog
    leaves the existing full batches (and their finished outputs) unchanged.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    stars = catalog["star_id"] if "star_id" in catalog.columns else catalog["target_id"]
    sizes = stars.value_counts(sort=False)
    batch_of, batch, filled = {}, 0, 0
    for star in pd.unique(stars):
        n = int(sizes[star])
        if filled and filled + n > batch_size:
            batch, filled = batch + 1, 0
        batch_of[star] = batch
        filled += n
    out = catalog.copy()
    out["batch"] = stars.map(batch_of).astype("int64").to_numpy()
    return out
