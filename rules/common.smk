# Helper functions and wildcard constraints shared by the rule files. Nothing else.

import os
import shlex
from functools import lru_cache

from snakemake.exceptions import WorkflowError

from shardflow.exoplanets.sources import lightcurve_file, mast_record_file


wildcard_constraints:
    batch=r"\d{4}",
    target_id=r"[^/]+",
    date=r"\d{4}-\d{2}-\d{2}",
    chip=r"\d+",
    proc=r"IVg|VVg|It",
    month=r"\d{4}-\d{2}",


def shell_option(flag, values):
    """``flag`` and the quoted path for a `shell:` command when an optional input list holds one
    path, else nothing."""
    return f"{flag} {shlex.quote(values[0])}" if values else ""


EXO = config["exoplanets"]
EXO_SOURCE = EXO["lightcurves"]["source"]
EXO_DEMO_DIR = "resources/demo/exoplanets"


def exoplanet_catalog_csv():
    """The catalog the pipeline reads: the generated one for the demo source."""
    return f"{EXO_DEMO_DIR}/catalog.csv" if EXO_SOURCE == "demo" else EXO["catalog"]


def exoplanet_lightcurve_dir():
    return f"{EXO_DEMO_DIR}/lightcurves" if EXO_SOURCE == "demo" else EXO["lightcurves"]["dir"]


def demo_target_ids():
    return [f"DEMO-{i:04d}" for i in range(1, EXO["demo"]["n_targets"] + 1)]


@lru_cache
def _read_batched_catalog(path, mtime):
    import pandas

    return pandas.read_parquet(path)


def exoplanet_catalog():
    """The validated catalog with its batch column (after the checkpoint has run)."""
    path = checkpoints.exoplanets_catalog.get().output.table
    return _read_batched_catalog(path, os.path.getmtime(path))


def _batch_rows(batch):
    catalog = exoplanet_catalog()
    return catalog[catalog["batch"] == int(batch)]


def exoplanet_batch_files(wildcards):
    batches = sorted(exoplanet_catalog()["batch"].unique())
    return [f"results/exoplanets/features/batch_{b:04d}.parquet" for b in batches]


def exoplanet_batch_lightcurves(wildcards):
    """Inputs of one batch: MAST download records, or the batch's light-curve files.

    Local files that do not exist are left out, so the batch still runs and reports those
    targets as failed (category no_data) instead of the whole job failing.
    """
    rows = _batch_rows(wildcards.batch).to_dict("records")
    if EXO_SOURCE == "mast":
        return [mast_record_file(r["target_id"], EXO["mast"]["cache_dir"]) for r in rows]
    paths = [lightcurve_file(r, exoplanet_lightcurve_dir()) for r in rows]
    return paths if EXO_SOURCE == "demo" else [p for p in paths if os.path.exists(p)]


def exoplanet_batch_digest(wildcards):
    """A digest of the batch's catalog rows: a batch reruns when, and only when, its rows
    change (the catalog file itself is an ancient() input, so appending rows to a catalog
    leaves finished batches alone)."""
    import hashlib

    rows = _batch_rows(wildcards.batch).to_json(orient="records", double_precision=15)
    return hashlib.sha256(rows.encode()).hexdigest()[:16]


def exoplanet_mission(wildcards):
    catalog = exoplanet_catalog()
    return catalog.loc[catalog["target_id"] == wildcards.target_id, "mission"].iloc[0]


# --- chips -------------------------------------------------------------------------------

CHIPS = config["chips"]
CHIPS_DEMO_DIR = "resources/demo/chips"
CHIPS_RAW = CHIPS["raw_dir"]
CHIPS_IS_DEMO = os.path.normpath(CHIPS_RAW) == os.path.normpath(f"{CHIPS_DEMO_DIR}/raw")


def chips_dates():
    """Date folders to stage: the demo's dates, or the YYYY-MM-DD folders of raw_dir."""
    import re
    from datetime import date, timedelta

    if CHIPS_IS_DEMO:
        start = date.fromisoformat(CHIPS["demo"]["start_date"])
        return [str(start + timedelta(days=i)) for i in range(CHIPS["demo"]["n_days"])]
    if not os.path.isdir(CHIPS_RAW):
        raise WorkflowError(f"chips.raw_dir {CHIPS_RAW!r} is not a folder")
    return sorted(d for d in os.listdir(CHIPS_RAW) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", d))


def chips_geometry():
    """The raw folder's chips.csv (chip geometry) when there is one: always for the demo."""
    path = f"{CHIPS_RAW}/chips.csv"
    return [path] if CHIPS_IS_DEMO or os.path.exists(path) else []


def chips_date_input(wildcards):
    """The run files of a date (so an edited file restages its date); for the demo, the
    date folder that the demo rule writes."""
    folder = f"{CHIPS_RAW}/{wildcards.date}"
    if CHIPS_IS_DEMO:
        return folder
    return sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".csv"))


@lru_cache
def _read_manifest(path, mtime):
    import pandas

    return pandas.read_parquet(path, columns=["run_id", "chip_number", "proc", "date", "start_time_utc", "path"])


def chips_manifest():
    path = checkpoints.chips_manifest.get().output.manifest
    return _read_manifest(path, os.path.getmtime(path))


def chips_group_files(wildcards):
    groups = chips_manifest()[["chip_number", "proc"]].drop_duplicates().sort_values(["chip_number", "proc"])
    return [f"results/chips/metrics/chip={c}/proc={p}.parquet" for c, p in groups.itertuples(index=False)]


def _group_runs(wildcards):
    m = chips_manifest()
    return m[(m["chip_number"] == int(wildcards.chip)) & (m["proc"] == wildcards.proc)]


def chips_group_stage(wildcards):
    """The staged partitions a (chip, proc) group reads: its procedure's folder of each date
    on which it has runs."""
    dates = sorted(_group_runs(wildcards)["date"].unique())
    return [f"results/chips/stage/proc={wildcards.proc}/date={d}" for d in dates]


def chips_group_digest(wildcards):
    """A digest of the group's runs: the group reruns when, and only when, its runs change."""
    import hashlib

    rows = _group_runs(wildcards).to_json(orient="records")
    return hashlib.sha256(rows.encode()).hexdigest()[:16]


# --- nba ---------------------------------------------------------------------------------

NBA = config["nba"]
NBA_DEMO_DIR = "resources/demo/nba"
NBA_BOXSCORES = NBA["boxscores_dir"]
NBA_IS_DEMO = os.path.normpath(NBA_BOXSCORES) == os.path.normpath(f"{NBA_DEMO_DIR}/boxscores")
# Points lines: lines_dir when set; the demo season's own lines when it runs on the demo.
NBA_LINES = NBA["lines_dir"] or (f"{NBA_DEMO_DIR}/lines" if NBA_IS_DEMO else None)
NBA_LINES_ARE_DEMO = NBA_IS_DEMO and NBA["lines_dir"] is None


@lru_cache
def nba_dates():
    """Game dates: the demo's, or the stems of the YYYY-MM-DD.json files of boxscores_dir."""
    import re

    from shardflow.nba.windows import consecutive_dates

    if NBA_IS_DEMO:
        return tuple(consecutive_dates(NBA["demo"]["start_date"], NBA["demo"]["n_dates"]))
    if not os.path.isdir(NBA_BOXSCORES):
        raise WorkflowError(f"nba.boxscores_dir {NBA_BOXSCORES!r} is not a folder")
    return tuple(sorted(f[:-5] for f in os.listdir(NBA_BOXSCORES) if re.fullmatch(r"\d{4}-\d{2}-\d{2}\.json", f)))


def nba_lines(wildcards):
    """The date's points-lines CSV, when there is one (always for the demo, whose rule writes
    them)."""
    if NBA_LINES is None:
        return []
    path = f"{NBA_LINES}/{wildcards.date}.csv"
    return [path] if NBA_LINES_ARE_DEMO or os.path.exists(path) else []


def nba_priority(stage):
    """Job priority of a per-date step (0 summary, 1 composite factors, 2 feature store): dates in
    order, each date's steps before the next date's. A backfill then finishes dates one after
    the other and only a few jobs with many window inputs wait at a time, which keeps
    Snakemake's scheduling cheaper (it reads the inputs of every waiting job whenever it looks
    for a job to start; measured on a 165-date backfill: 85 s of its CPU in date order, 103 s
    without)."""

    def priority(wildcards):
        dates = nba_dates()
        return 3 * (len(dates) - dates.index(wildcards.date)) + stage

    return priority


def nba_window(wildcards):
    """Summaries of the dates in the date's window (shardflow.nba.windows): earlier dates of its
    season, at most nba.window_days back. A changed summary reruns exactly the dates whose
    window holds it."""
    from shardflow.nba.windows import window_dates

    days = window_dates(list(nba_dates()), wildcards.date, NBA["window_days"])
    return [f"results/nba/player_game_summary/{d}.parquet" for d in days]


# --- lunar -------------------------------------------------------------------------------

LUNAR = config["lunar"]
LUNAR_DEMO_DIR = "resources/demo/lunar"
LUNAR_ER_DIR = LUNAR["er_dir"]
LUNAR_IS_DEMO = os.path.normpath(LUNAR_ER_DIR) == os.path.normpath(f"{LUNAR_DEMO_DIR}/er")
LUNAR_PCK = "resources/lunar/kernels/moon_iau2009.tpc"


def lunar_file_month(name):
    """YYYY-MM of an ER 3D file name 3DYYMMDD.TAB (any case; YY >= 90 is 19YY), else None."""
    import re

    match = re.fullmatch(r"3D(\d{2})(\d{2})\d{2}\.TAB", name, flags=re.IGNORECASE)
    if not match:
        return None
    year = int(match[1])
    return f"{1900 + year if year >= 90 else 2000 + year}-{match[2]}"


def lunar_demo_files():
    return [f"{LUNAR_ER_DIR}/3D{d[2:4]}{d[5:7]}{d[8:10]}.TAB" for d in LUNAR["demo"]["days"]]


@lru_cache
def lunar_files_by_month():
    """{YYYY-MM: sorted ER 3D files}: the demo's files, or those found under er_dir; only the
    months of lunar.months when it is set (a listed month without files is an error)."""
    if LUNAR_IS_DEMO:
        paths = lunar_demo_files()
    elif os.path.isdir(LUNAR_ER_DIR):
        paths = [os.path.join(root, f) for root, _, files in os.walk(LUNAR_ER_DIR) for f in files]
    else:
        raise WorkflowError(f"lunar.er_dir {LUNAR_ER_DIR!r} is not a folder")
    months = {}
    for path in sorted(paths):
        month = lunar_file_month(os.path.basename(path))
        if month:
            months.setdefault(month, []).append(path)
    if LUNAR["months"]:
        missing = sorted(set(LUNAR["months"]) - set(months))
        if missing:
            raise WorkflowError(f"lunar.months {missing} have no 3DYYMMDD.TAB files under {LUNAR_ER_DIR!r}")
        months = {m: months[m] for m in LUNAR["months"]}
    return months


def lunar_kernels():
    """The trajectory kernels: the demo's generated orbit, or the user's lunar.kernels (required,
    so that real spectra are never paired with the demo orbit)."""
    if LUNAR_IS_DEMO:
        return [f"{LUNAR_DEMO_DIR}/kernels/lp_demo_orbit.bsp"]
    if not LUNAR["kernels"]:
        raise WorkflowError("lunar.kernels is empty: list the SPK files of the spacecraft trajectory for your er_dir")
    return LUNAR["kernels"]


def lunar_months():
    return sorted(lunar_files_by_month())


def lunar_month_files(wildcards):
    return lunar_files_by_month()[wildcards.month]
