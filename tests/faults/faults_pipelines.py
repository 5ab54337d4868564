"""The pipelines under fault injection, one :class:`Pipeline` entry each, in :data:`PIPELINES`.

An entry says what the generic fault tests need: a tiny configuration, the targets that build
its inputs and its final tables, where its finished shards are, how to read its final tables,
how to damage one of its input files in its real format and where to put such a file, which
writes to crash in, and malformed configurations with the key each error must name. To add a
pipeline, write its entry below and add it to :data:`PIPELINES`; every test picks it up.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from workdir import chips_tables


@dataclass(frozen=True)
class Pipeline:
    name: str
    #: Workflow config of the fault runs (``pipelines:`` only this one, tiny sizes).
    config: dict
    #: Targets built once before any fault: the pipeline's (demo) inputs.
    prepare: tuple[str, ...]
    #: Targets of the faulted runs: the final tables.
    targets: tuple[str, ...]
    #: Globs of the per-shard outputs: one parquet file per finished shard.
    shards: tuple[str, ...]
    #: The final tables of a finished workdir, without columns that legitimately differ.
    read_tables: Callable[[Path], dict[str, pd.DataFrame]]
    #: Columns of the shard tables that legitimately differ between runs.
    volatile_columns: tuple[str, ...]
    #: The input format the readers take, and damaged versions of a good file of it, by name.
    input_format: str
    damages: dict[str, Callable[[bytes], bytes]]
    #: A good input file of a workdir whose ``prepare`` targets are built.
    sample_input: Callable[[Path], Path]
    #: Put an extra input file with these bytes where the pipeline reads it, named after ``name``
    #: (unique, no suffix); return the file name as the pipeline's messages will show it.
    add_input: Callable[[Path, str, bytes], str]
    #: The per-item error messages (failed rows, rejected files) of a finished run.
    rejections: Callable[[Path], list[str]]
    #: (shard output to remove so that its job runs, fnmatch pattern of a parquet write of that
    #: job (polars ``write_parquet`` or pandas ``to_parquet``) to crash in, what is written there).
    crash_writes: tuple[tuple[str, str, str], ...]
    #: (malformed config, texts the schema error must contain: they name the key).
    bad_configs: tuple[tuple[dict, tuple[str, ...]], ...]


def _garbage(n: int, seed: int = 0) -> bytes:
    rng = random.Random(seed)
    return bytes(rng.randrange(256) for _ in range(n))


# --- exoplanets: FITS light curves ---------------------------------------------------------

#: FITS files are 2880-byte blocks; the LIGHTCURVE table's header starts with this card.
_BINTABLE = b"XTENSION= 'BINTABLE'"


def _zero_table_header(data: bytes) -> bytes:
    start = data.index(_BINTABLE)
    return data[:start] + bytes(2880) + data[start + 2880 :]


FITS_DAMAGES = {
    "truncated-in-header": lambda data: data[:1000],
    "truncated-in-table": lambda data: data[: len(data) * 6 // 10],
    "garbage-primary-header": lambda data: _garbage(2880) + data[2880:],
    "zeroed-table-header": _zero_table_header,
    "empty": lambda data: b"",
    "html-error-page": lambda data: b"<html><head><title>502 Bad Gateway</title></head><body>502</body></html>\n",
}

EXO_DEMO = "resources/demo/exoplanets"


def exoplanet_tables(workdir: Path) -> dict[str, pd.DataFrame]:
    out = workdir / "results" / "exoplanets"
    return {
        "features": pd.read_parquet(out / "features.parquet").drop(columns=["runtime_s"]),
        "features_csv": pd.read_csv(out / "features.csv").drop(columns=["runtime_s"]),
        "failed": pd.read_csv(out / "failed_samples.csv"),
    }


def add_exoplanet_target(workdir: Path, name: str, data: bytes) -> str:
    """A new catalog row, a copy of the first target's (as text, so no number changes), whose
    light curve is ``name``.fits."""
    catalog_path = workdir / EXO_DEMO / "catalog.csv"
    with open(catalog_path, newline="") as fh:
        header, first = list(csv.reader(fh))[:2]
    row = dict(zip(header, first)) | {"target_id": name, "path": f"{name}.fits"}
    with open(catalog_path, "a", newline="") as fh:
        csv.writer(fh).writerow([row[column] for column in header])
    (workdir / EXO_DEMO / "lightcurves" / f"{name}.fits").write_bytes(data)
    return f"{name}.fits"


EXOPLANETS = Pipeline(
    name="exoplanets",
    # a planet and the demo's 3 broken files, in 2 batches (each job spends ~3 s importing)
    config={
        "pipelines": ["exoplanets"],
        "exoplanets": {"batch_size": 2, "demo": {"n_targets": 4}, "search": {"period_max_days": 4.0}},
    },
    prepare=(f"{EXO_DEMO}/catalog.csv", "resources/numba_cache/exoplanets.compiled"),
    targets=("results/exoplanets/features.parquet", "results/exoplanets/failed_samples.csv"),
    shards=("results/exoplanets/features/batch_*.parquet",),
    read_tables=exoplanet_tables,
    volatile_columns=("runtime_s",),
    input_format="FITS light curve (TESS SPOC)",
    damages=FITS_DAMAGES,
    sample_input=lambda workdir: workdir / EXO_DEMO / "lightcurves" / "DEMO-0001.fits",
    add_input=add_exoplanet_target,
    rejections=lambda workdir: pd.read_csv(workdir / "results/exoplanets/failed_samples.csv")["reason"].tolist(),
    crash_writes=(
        ("results/exoplanets/features/batch_0001.parquet", "*/features/.batch_0001.parquet.tmp-*",
         "a feature batch (pandas, atomic rename)"),
    ),
    bad_configs=(
        ({"exoplanets": {"batchsize": 3}}, ("'batchsize' was unexpected", "On instance['exoplanets']")),
        ({"exoplanets": {"batch_size": "ten"}}, ("On instance['exoplanets']['batch_size']",)),
        ({"exoplanets": {"lightcurves": {"source": "ftp"}}}, ("On instance['exoplanets']['lightcurves']['source']",)),
        ({"exoplanets": {"mast": {"retries": -1}}}, ("On instance['exoplanets']['mast']['retries']",)),
    ),
)


# --- chips: instrument run CSVs --------------------------------------------------------------

def _cut_mid_row(data: bytes) -> bytes:
    table = data.index(b"\n", data.index(b"#Data:") + 7) + 1  # first row after the column header
    return data[: data.index(b"\n", table + 200) - 4]


def _zero_block(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes(512) + data[middle + 512 :]


def _garble_number(data: bytes) -> bytes:
    row = data.index(b"\n", data.index(b"#Data:") + 7) + 1
    row = data.index(b"\n", row + 300) + 1
    return data[:row] + b"1.2.3" + data[data.index(b",", row) :]


CSV_DAMAGES = {
    "truncated-mid-row": _cut_mid_row,
    "truncated-in-header": lambda data: data[: data.index(b"#Data:") // 2],
    "truncated-after-column-header": lambda data: data[: data.index(b"\n", data.index(b"#Data:") + 7) + 1],
    "zeroed-block": _zero_block,
    "invalid-utf8": lambda data: data[:400] + b"\xff\xfe\xfa" + data[400:],
    "garbled-number": _garble_number,
    "empty": lambda data: b"",
}

CHIPS_RAW = "resources/demo/chips/raw"


def chips_sample_run(workdir: Path) -> Path:
    """The first IVg run file of the demo lab that its truth calls good."""
    truth = pd.read_csv(workdir / "resources/demo/chips/truth.csv")
    good = truth[(truth["kind"] == "ok") & (truth["proc"] == "IVg")].sort_values(["date", "filename"]).iloc[0]
    return workdir / CHIPS_RAW / good["date"] / good["filename"]


def add_chips_run(workdir: Path, name: str, data: bytes) -> str:
    """A new run file ``name``.csv in the lab's first date folder."""
    first_date = sorted(p for p in (workdir / CHIPS_RAW).iterdir() if p.is_dir())[0]
    (first_date / f"{name}.csv").write_bytes(data)
    return f"{name}.csv"


CHIPS = Pipeline(
    name="chips",
    config={"pipelines": ["chips"], "chips": {"demo": {"n_chips": 2, "n_days": 3, "runs_per_chip_day": 3}}},
    prepare=("resources/demo/chips/truth.csv",),
    targets=("results/chips/metrics.parquet", "results/chips/staging_errors.csv"),
    shards=("results/chips/stage/manifest/date=*.parquet", "results/chips/metrics/chip=*/proc=*.parquet"),
    read_tables=chips_tables,
    volatile_columns=(),
    input_format="instrument run CSV (PyMeasure layout)",
    damages=CSV_DAMAGES,
    sample_input=chips_sample_run,
    add_input=add_chips_run,
    rejections=lambda workdir: pd.read_csv(workdir / "results/chips/staging_errors.csv")["reason"].tolist(),
    crash_writes=(
        ("results/chips/stage/manifest/date=2025-03-04.parquet", "*/stage/proc=*/date=2025-03-04/run_id=*/part-000.parquet",
         "a staged run (polars, in place inside the date's directory output)"),
        ("results/chips/metrics/chip=1/proc=IVg.parquet", "*/metrics/chip=1/.proc=IVg.parquet.tmp-*",
         "a metrics group (polars, atomic rename)"),
    ),
    bad_configs=(
        ({"chips": {"rawdir": "lab"}}, ("'rawdir' was unexpected", "On instance['chips']")),
        ({"chips": {"demo": {"n_chips": "three"}}}, ("On instance['chips']['demo']['n_chips']",)),
        ({"chips": {"demo": {"start_date": "3 March"}}}, ("On instance['chips']['demo']['start_date']",)),
        ({"chips": {"demo": {"n_days": 0}}}, ("On instance['chips']['demo']['n_days']",)),
    ),
)


PIPELINES: dict[str, Pipeline] = {p.name: p for p in (EXOPLANETS, CHIPS)}
