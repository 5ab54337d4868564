# The chips pipeline's constants and input functions (included by rules/chips.smk). They read
# the pipeline's folders only when called, that is when its rules are in the requested DAG.

CHIPS = config["chips"]
CHIPS_DEMO_DIR = "resources/demo/chips"
CHIPS_RAW = CHIPS["raw_dir"]
CHIPS_IS_DEMO = os.path.normpath(CHIPS_RAW) == os.path.normpath(f"{CHIPS_DEMO_DIR}/raw")


def chips_demo_dates():
    """The demo lab's dates (from the config alone)."""
    from datetime import date, timedelta

    start = date.fromisoformat(CHIPS["demo"]["start_date"])
    return [str(start + timedelta(days=i)) for i in range(CHIPS["demo"]["n_days"])]


@lru_cache
def chips_dates():
    """Date folders to stage: the demo's dates, or the YYYY-MM-DD folders of raw_dir (read only
    when the chips rules are in the DAG; none stops the run with the folder named)."""
    import re

    if CHIPS_IS_DEMO:
        return chips_demo_dates()
    dates = []
    if os.path.isdir(CHIPS_RAW):
        dates = sorted(d for d in os.listdir(CHIPS_RAW) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", d))
    if not dates:
        no_shards("chips.raw_dir", CHIPS_RAW, "one folder per measurement day named YYYY-MM-DD holding run files")
    return dates


def chips_stage_outputs(wildcards):
    """The staged manifest fragments and error tables of every date."""
    return {
        "manifests": expand("results/chips/stage/manifest/date={date}.parquet", date=chips_dates()),
        "errors": expand("results/chips/stage/errors/date={date}.parquet", date=chips_dates()),
    }


def chips_geometry(wildcards):
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


def chips_outputs(wildcards=None):
    """The final outputs of the pipeline (what the target `chips` builds); the dates are found on the way."""
    chips_dates()
    return [
        "results/chips/manifest.parquet",
        "results/chips/staging_errors.csv",
        "results/chips/metrics.parquet",
        "results/chips/plots/cnp_vs_time.png",
        "results/chips/plots/photoresponse.png",
        "results/chips/plots/example_fits.png",
    ]


PIPELINE_OUTPUTS["chips"] = chips_outputs
