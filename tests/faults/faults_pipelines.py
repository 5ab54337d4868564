"""The faults of each pipeline, one :class:`FaultCases` entry each, in :data:`FAULT_CASES`.

The pipelines themselves (tiny configuration, targets, shards, table readers) are described
once, in the registry ``tests/pipelines.py``. An entry here adds what only the fault tests need:
how to damage one of the pipeline's input files in its real format and where to put such a file,
which writes to crash in, and malformed configurations with the key each error must name. To
add a pipeline, write its registry entry and its entry below; every fault test picks it up.
"""

from __future__ import annotations

import csv
import json
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import yaml
from pipelines import CHIPS_DEMO, EXO_DEMO, LUNAR_DEMO, NBA_DEMO, NBA_START


@dataclass(frozen=True)
class FaultCases:
    #: The input format the readers take, and damaged versions of a good file of it, by name.
    input_format: str
    damages: dict[str, Callable[[bytes], bytes]]
    #: A good input file of a workdir whose demo inputs are built.
    sample_input: Callable[[Path], Path]
    #: Put an extra input file with these bytes where the pipeline reads it, named after ``name``
    #: (unique, no suffix) where the pipeline lets files have any name, else under a new name of
    #: the form it needs (a new date); return the file name as the pipeline's messages will show it.
    add_input: Callable[[Path, str, bytes], str]
    #: The per-item error messages (failed rows, rejected files, failed shards) of a run.
    rejections: Callable[[Path], list[str]]
    #: (shard output to remove so that its job runs, fnmatch pattern of a parquet write of that
    #: job (polars ``write_parquet`` or pandas ``to_parquet``) to crash in, what is written there).
    crash_writes: tuple[tuple[str, str, str], ...]
    #: (malformed config, texts the schema error must contain: they name the key).
    bad_configs: tuple[tuple[dict, tuple[str, ...]], ...]
    #: Whether a damaged input fails the shard it belongs to (its job fails naming the file, the
    #: run exits non-zero and every other shard finishes; the final tables are not built) instead
    #: of becoming rows of the final tables of a run that succeeds.
    damaged_input_fails_shard: bool = False


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


def add_exoplanet_target(workdir: Path, name: str, data: bytes) -> str:
    """A new catalog row, a copy of the first target's (as text, so no number changes), of a
    star of its own whose light curve is ``name``.fits."""
    catalog_path = workdir / EXO_DEMO / "catalog.csv"
    with open(catalog_path, newline="") as fh:
        header, first = list(csv.reader(fh))[:2]
    row = dict(zip(header, first)) | {"target_id": name, "star_id": name, "path": f"{name}.fits"}
    with open(catalog_path, "a", newline="") as fh:
        csv.writer(fh).writerow([row[column] for column in header])
    (workdir / EXO_DEMO / "lightcurves" / f"{name}.fits").write_bytes(data)
    return f"{name}.fits"


EXOPLANETS = FaultCases(
    input_format="FITS light curve (TESS SPOC)",
    damages=FITS_DAMAGES,
    sample_input=lambda workdir: workdir / EXO_DEMO / "lightcurves" / "DEMO-0001.fits",
    add_input=add_exoplanet_target,
    rejections=lambda workdir: pd.read_csv(workdir / "results/exoplanets/failed_samples.csv")["reason"].tolist(),
    crash_writes=(
        (
            "results/exoplanets/features/batch_0001.parquet",
            "*/features/.batch_0001.parquet.tmp-*",
            "a feature batch (pandas, atomic rename)",
        ),
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

CHIPS_RAW = f"{CHIPS_DEMO}/raw"


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


CHIPS = FaultCases(
    input_format="instrument run CSV (PyMeasure layout)",
    damages=CSV_DAMAGES,
    sample_input=chips_sample_run,
    add_input=add_chips_run,
    rejections=lambda workdir: pd.read_csv(workdir / "results/chips/staging_errors.csv")["reason"].tolist(),
    crash_writes=(
        (
            "results/chips/stage/manifest/block=2025-03-04.parquet",
            "*/stage/block=2025-03-04/proc=*/date=2025-03-04/run_id=*/part-000.parquet",
            "a staged run (polars, in place inside the block's directory output)",
        ),
        (
            "results/chips/metrics/chip=1.parquet",
            "*/metrics/.chip=1.parquet.tmp-*",
            "a chip's metrics (polars, atomic rename)",
        ),
    ),
    bad_configs=(
        ({"chips": {"rawdir": "lab"}}, ("'rawdir' was unexpected", "On instance['chips']")),
        ({"chips": {"demo": {"n_chips": "three"}}}, ("On instance['chips']['demo']['n_chips']",)),
        ({"chips": {"demo": {"start_date": "3 March"}}}, ("On instance['chips']['demo']['start_date']",)),
        ({"chips": {"demo": {"n_days": 0}}}, ("On instance['chips']['demo']['n_days']",)),
    ),
)


# --- nba: stats.nba.com date files (JSON) -------------------------------------------------

#: The date file that damaged copies are made of: the demo's first.
NBA_SAMPLE_DATE = NBA_START
#: A copy of the demo's date files, as the workdir's own ``nba.boxscores_dir`` (inputs test).
NBA_OWN_BOXSCORES = "resources/fault_inputs/nba/boxscores"


def set_config(workdir: Path, section: str, **values) -> None:
    """Set keys of one section of the workdir's config (``test.yaml``)."""
    path = workdir / "test.yaml"
    config = yaml.safe_load(path.read_text())
    config[section] = config.get(section, {}) | values
    path.write_text(yaml.safe_dump(config))


def _drop_player_column(data: bytes, column: str = "PTS") -> bytes:
    """The box scores without one column of their PlayerStats (header and values)."""
    documents = json.loads(data)
    for document in documents:
        for result_set in document["resultSets"]:
            if result_set["name"] == "PlayerStats":
                at = result_set["headers"].index(column)
                del result_set["headers"][at]
                for row in result_set["rowSet"]:
                    del row[at]
    return json.dumps(documents, ensure_ascii=False).encode()


def _garble_player_stat(data: bytes, column: str = "PTS") -> bytes:
    """One statistic of a player who played written as no number is."""
    documents = json.loads(data)
    player_stats = next(r for d in documents for r in d["resultSets"] if r["name"] == "PlayerStats")
    row = next(r for r in player_stats["rowSet"] if r[player_stats["headers"].index("MIN")])
    row[player_stats["headers"].index(column)] = "1.2.3"
    return json.dumps(documents, ensure_ascii=False).encode()


def _only_scoreboard(data: bytes) -> bytes:
    """The date's ScoreboardV2 response alone (the box-score requests failed)."""
    return json.dumps(json.loads(data)[:1], ensure_ascii=False).encode()


JSON_DAMAGES = {
    "truncated": lambda data: data[: len(data) * 6 // 10],
    "empty": lambda data: b"",
    "html-error-page": FITS_DAMAGES["html-error-page"],
    "invalid-utf8": lambda data: data[:400] + b"\xff\xfe\xfa" + data[400:],
    "scoreboard-without-box-scores": _only_scoreboard,
    "missing-column": _drop_player_column,
    "garbled-number": _garble_player_stat,
}


def add_nba_date(workdir: Path, name: str, data: bytes) -> str:
    """A new date file after the last date. The demo reads only its configured dates, so the
    first extra file makes a copy of the demo's date files the workdir's ``boxscores_dir`` (and
    the demo's lines its ``lines_dir``: the same tables), where every file is a date. A file's
    name is its date, so ``name`` is not used; the copy of the sample date is re-dated (its date
    strings replaced, same length) so that undamaged it would be a good file of its new date."""
    own = workdir / NBA_OWN_BOXSCORES
    if not own.is_dir():
        shutil.copytree(workdir / NBA_DEMO / "boxscores", own)
        set_config(workdir, "nba", boxscores_dir=NBA_OWN_BOXSCORES, lines_dir=f"{NBA_DEMO}/lines")
    day = (date.fromisoformat(max(p.stem for p in own.glob("*.json"))) + timedelta(days=1)).isoformat()
    for old, new in ((NBA_SAMPLE_DATE, day), (NBA_SAMPLE_DATE.replace("-", ""), day.replace("-", ""))):
        data = data.replace(old.encode(), new.encode())
    (own / f"{day}.json").write_bytes(data)
    return f"{day}.json"


def nba_rejections(workdir: Path) -> list[str]:
    """The errors of the dates' features jobs (a date whose file is unreadable fails there)."""
    logs = sorted((workdir / "results/logs/nba/features").glob("*.log"))
    return [line for log in logs for line in log.read_text().splitlines() if " ERROR " in line]


NBA = FaultCases(
    input_format="date file of stats.nba.com responses (ScoreboardV2, BoxScoreTraditionalV2, ShotChartDetail; JSON)",
    damages=JSON_DAMAGES,
    sample_input=lambda workdir: workdir / NBA_DEMO / "boxscores" / f"{NBA_SAMPLE_DATE}.json",
    add_input=add_nba_date,
    rejections=nba_rejections,
    # only the feature store: a missing summary or composite-factors shard is not redone while
    # the date's feature vectors exist (Snakemake does not rebuild missing intermediate files)
    crash_writes=(
        (
            "results/nba/ml_feature_store/2024-10-24.parquet",
            "*/ml_feature_store/.2024-10-24.parquet.tmp-*",
            "a date's feature vectors (polars, atomic rename, in python -m shardflow.nba.jobs run by shell:)",
        ),
    ),
    bad_configs=(
        ({"nba": {"boxscore_dir": "box"}}, ("'boxscore_dir' was unexpected", "On instance['nba']")),
        ({"nba": {"format": "v4"}}, ("On instance['nba']['format']",)),
        ({"nba": {"window_days": 0}}, ("On instance['nba']['window_days']",)),
        ({"nba": {"demo": {"n_teams": "four"}}}, ("On instance['nba']['demo']['n_teams']",)),
    ),
    damaged_input_fails_shard=True,
)


# --- lunar: Lunar Prospector ER 3D day files (PDS TAB) -------------------------------------

#: A copy of the demo's day files, as the workdir's own ``lunar.er_dir`` (inputs test).
LUNAR_OWN_ER = "resources/fault_inputs/lunar/er"


def _cut_tab_mid_row(data: bytes) -> bytes:
    lines = data.splitlines(keepends=True)
    keep = len(lines) // 2
    return b"".join(lines[:keep]) + lines[keep][: len(lines[keep]) // 2]


def _cut_tab_at_row_end(data: bytes) -> bytes:
    """Cut after a whole row inside a spectrum (15 rows each)."""
    lines = data.splitlines(keepends=True)
    return b"".join(lines[: len(lines) * 2 // 5 + 3])


def _overflow_field(data: bytes) -> bytes:
    """A flux field of one row written as Fortran writes a number too wide for its format."""
    lines = data.splitlines(keepends=True)
    at = len(lines) // 3
    fields = lines[at].split()
    fields[20] = b"*********"
    lines[at] = b" ".join(fields) + b"\n"
    return b"".join(lines)


def _drop_tab_row(data: bytes) -> bytes:
    lines = data.splitlines(keepends=True)
    del lines[len(lines) // 4]
    return b"".join(lines)


TAB_DAMAGES = {
    "truncated-mid-row": _cut_tab_mid_row,
    "truncated-at-row-end": _cut_tab_at_row_end,
    "missing-row": _drop_tab_row,
    "fortran-overflow": _overflow_field,
    "zeroed-block": _zero_block,
    "invalid-utf8": lambda data: data[:4000] + b"\xff\xfe\xfa" + data[4000:],
    "garbage": lambda data: _garbage(20000),
    "empty": lambda data: b"",
    "html-error-page": FITS_DAMAGES["html-error-page"],
}


def _er_day(name: str) -> date:
    """The day of an ER 3D file name 3DYYMMDD.TAB (YY >= 90 is 19YY)."""
    year = int(name[2:4])
    return date(1900 + year if year >= 90 else 2000 + year, int(name[4:6]), int(name[6:8]))


def add_lunar_day(workdir: Path, name: str, data: bytes) -> str:
    """A new day file 3DYYMMDD.TAB after the last day. The demo reads only its configured days,
    so the first extra file makes a copy of the demo's day files the workdir's ``er_dir`` (with
    the demo's orbit as ``kernels``), where every file is read. A file's name is its day, so
    ``name`` is not used."""
    own = workdir / LUNAR_OWN_ER
    if not own.is_dir():
        shutil.copytree(workdir / LUNAR_DEMO / "er", own)
        set_config(workdir, "lunar", er_dir=LUNAR_OWN_ER, kernels=[f"{LUNAR_DEMO}/kernels/lp_demo_orbit.bsp"])
    last = max(_er_day(p.name) for p in own.glob("3D*.TAB"))
    file_name = f"3D{last + timedelta(days=1):%y%m%d}.TAB"
    (own / file_name).write_bytes(data)
    return file_name


LUNAR = FaultCases(
    input_format="ER 3D day file (PDS TAB, Lunar Prospector)",
    damages=TAB_DAMAGES,
    sample_input=lambda workdir: workdir / LUNAR_DEMO / "er" / "3D980411.TAB",
    add_input=add_lunar_day,
    rejections=lambda workdir: pd.read_csv(workdir / "results/lunar/read_errors.csv")["reason"].tolist(),
    crash_writes=(
        (
            "results/lunar/months/1998-05.parquet",
            "*/months/.1998-05.parquet.tmp-*",
            "a month's table (polars, atomic rename)",
        ),
        (
            "results/lunar/errors/1998-04.parquet",
            "*/errors/.1998-04.parquet.tmp-*",
            "a month's read errors, after its table (the job's second output; polars, atomic rename)",
        ),
    ),
    bad_configs=(
        ({"lunar": {"erdir": "er"}}, ("'erdir' was unexpected", "On instance['lunar']")),
        ({"lunar": {"months": ["1998-4"]}}, ("On instance['lunar']['months'][0]",)),
        ({"lunar": {"fit": {"max_kappa_deviance": 0}}}, ("On instance['lunar']['fit']['max_kappa_deviance']",)),
        ({"lunar": {"demo": {"spectra_per_day": 5}}}, ("On instance['lunar']['demo']['spectra_per_day']",)),
    ),
)


FAULT_CASES: dict[str, FaultCases] = {"exoplanets": EXOPLANETS, "chips": CHIPS, "nba": NBA, "lunar": LUNAR}
