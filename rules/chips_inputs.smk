# The chips pipeline's constants and input functions (included by rules/chips.smk). They read
# the pipeline's folders only when called, that is when its rules are in the requested DAG.

import json

CHIPS = config["chips"]
CHIPS_DEMO_DIR = "resources/demo/chips"
CHIPS_RAW = CHIPS["raw_dir"]
CHIPS_IS_DEMO = os.path.normpath(CHIPS_RAW) == os.path.normpath(f"{CHIPS_DEMO_DIR}/raw")
CHIPS_STAGE_DAYS = CHIPS["stage_days"]
# The metric thresholds as the metrics job's --settings (JSON): a changed threshold reruns every group.
CHIPS_METRICS_SETTINGS = json.dumps(CHIPS["metrics"], sort_keys=True)


def chips_demo_dates():
    """The demo lab's dates (from the config alone)."""
    from datetime import date, timedelta

    start = date.fromisoformat(CHIPS["demo"]["start_date"])
    return [str(start + timedelta(days=i)) for i in range(CHIPS["demo"]["n_days"])]


@lru_cache
def chips_formats():
    """The formats the raw folder is read with (chips.formats, else raw_dir/formats.yaml, else
    the instrument CSVs) and the descriptions file, if any; a bad description stops the run."""
    from shardflow.chips.formats import FormatError, load_formats

    try:
        return load_formats(CHIPS.get("formats"), CHIPS_RAW)
    except FormatError as err:
        raise WorkflowError(f"chips format description: {err}") from None


@lru_cache
def chips_day_folders():
    """ISO date -> day folder of raw_dir: the demo's dates, or the folders whose names a format's
    `folder` form parses (read only when the chips rules are in the DAG; none stops the run with
    the folder named)."""
    from shardflow.chips.formats import FormatError, day_folders

    if CHIPS_IS_DEMO:
        return {d: d for d in chips_demo_dates()}
    formats, _ = chips_formats()
    try:
        days = day_folders(formats, CHIPS_RAW)
    except FormatError as err:
        raise WorkflowError(str(err)) from None
    if not days:
        forms = ", ".join(sorted({f.folder for f in formats}))
        no_shards("chips.raw_dir", CHIPS_RAW, f"one folder per measurement day named as {forms} holding run files")
    return days


def chips_dates():
    """The dates to stage (YYYY-MM-DD), in order."""
    return sorted(chips_day_folders())


@lru_cache
def chips_blocks():
    """Staging block (its first date) -> its dates with a day folder, in order."""
    from shardflow.chips.staging import stage_block

    blocks = {}
    for date in chips_dates():
        blocks.setdefault(stage_block(date, CHIPS_STAGE_DAYS), []).append(date)
    return blocks


def chips_block_folders(wildcards):
    """Date -> day folder, for each date of a staging block."""
    return {d: f"{CHIPS_RAW}/{chips_day_folders()[d]}" for d in chips_blocks()[wildcards.block]}


def chips_block_days(wildcards):
    """The block's dates and day folders as JSON (the stage job's --days)."""
    return json.dumps(chips_block_folders(wildcards), sort_keys=True)


def chips_format_params(wildcards):
    """The formats as JSON (the stage job's --formats): a changed description restages every date."""
    return json.dumps([f.as_dict() for f in chips_formats()[0]], sort_keys=True)


def chips_stage_outputs(wildcards):
    """The staged manifest fragments and error tables of every block."""
    return {
        "manifests": expand("results/chips/stage/manifest/block={block}.parquet", block=chips_blocks()),
        "errors": expand("results/chips/stage/errors/block={block}.parquet", block=chips_blocks()),
    }


def chips_stage_folders(wildcards):
    """Every block's stage folder (the example-fit plot reads runs from them)."""
    return expand("results/chips/stage/block={block}", block=chips_blocks())


def chips_geometry(wildcards):
    """The raw folder's chips.csv (chip geometry) when there is one: always for the demo."""
    path = f"{CHIPS_RAW}/chips.csv"
    return [path] if CHIPS_IS_DEMO or os.path.exists(path) else []


def chips_block_input(wildcards):
    """The day folders of a staging block (for the demo, those the demo rule writes) and the
    formats file, if any. The folders, not their files, are the input: Snakemake checks every
    input of every waiting job at each scheduling step, so a large lab's ten thousand files
    cost more than the staging itself (docs/chips.md, Speed); chips_block_listing reruns a
    block whose files change."""
    folders = sorted(chips_block_folders(wildcards).values())
    described = None if CHIPS_IS_DEMO else chips_formats()[1]
    return folders + ([described] if described else [])


def chips_block_listing(wildcards):
    """A digest of the block's day folders' files (name, size, modification time in ns; hidden
    files aside): a file added, removed or edited in place restages its block (the stage job's
    params). The demo's folders are written whole by the demo rule, which their mtime tracks."""
    import hashlib

    if CHIPS_IS_DEMO:
        return "demo"
    entries = sorted(
        (date, e.name, e.stat().st_size, e.stat().st_mtime_ns)
        for date, folder in chips_block_folders(wildcards).items()
        for e in os.scandir(folder)
        if not e.name.startswith(".") and e.is_file()
    )
    return hashlib.sha256(json.dumps(entries).encode()).hexdigest()[:16]


@lru_cache
def _read_manifest(path, mtime):
    import pandas

    return pandas.read_parquet(path, columns=["run_id", "chip_number", "proc", "date", "start_time_utc", "path"])


def chips_manifest():
    path = checkpoints.chips_manifest.get().output.manifest
    return _read_manifest(path, os.path.getmtime(path))


def chips_chip_files(wildcards):
    """The metrics file of every chip of the manifest."""
    return [f"results/chips/metrics/chip={c}.parquet" for c in sorted(chips_manifest()["chip_number"].unique())]


def _chip_runs(wildcards):
    m = chips_manifest()
    return m[m["chip_number"] == int(wildcards.chip)]


def chips_chip_stage(wildcards):
    """The stage folders a chip's metrics read: those of the blocks with a date of its runs."""
    from shardflow.chips.staging import stage_block

    dates = _chip_runs(wildcards)["date"].unique()
    return [f"results/chips/stage/block={b}" for b in sorted({stage_block(d, CHIPS_STAGE_DAYS) for d in dates})]


def chips_chip_digest(wildcards):
    """A digest of the chip's runs: its metrics rerun when, and only when, its runs change."""
    import hashlib

    rows = _chip_runs(wildcards).to_json(orient="records")
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
