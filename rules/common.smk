# Helper functions and wildcard constraints shared by the rule files. Nothing else.

import os
from functools import lru_cache

from snakemake.exceptions import WorkflowError

from shardflow.exoplanets.sources import lightcurve_file, mast_record_file


wildcard_constraints:
    batch=r"\d{4}",
    target_id=r"[^/]+",
    date=r"\d{4}-\d{2}-\d{2}",
    chip=r"\d+",
    proc=r"IVg|VVg|It",


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
