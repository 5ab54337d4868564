# The exoplanets pipeline's constants and input functions (included by rules/exoplanets.smk). They read
# the pipeline's folders only when called, that is when its rules are in the requested DAG.

from shardflow.exoplanets.sources import lightcurve_file, mast_record_file

EXO = config["exoplanets"]
EXO_SOURCE = EXO["lightcurves"]["source"]
EXO_DEMO_DIR = "resources/demo/exoplanets"


def exoplanet_catalog_csv(wildcards=None):
    """The catalog the pipeline reads: the generated one for the demo source. A user's catalog
    without a data row stops the run before any job."""
    if EXO_SOURCE == "demo":
        return f"{EXO_DEMO_DIR}/catalog.csv"
    path = EXO["catalog"]
    if not os.path.isfile(path):
        no_shards(
            "exoplanets.catalog", path, "a catalog table (CSV) with one row per target", found=folder_contents(path)
        )
    with open(path, errors="replace") as lines:
        rows = sum(1 for line in lines if line.strip() and not line.startswith("#"))
    if rows < 2:
        no_shards("exoplanets.catalog", path, "a header line and at least one target row", found="it has no data row")
    return path


def exoplanet_outputs(wildcards=None):
    """The final outputs of the pipeline (what the target `exoplanets` builds)."""
    return [
        "results/exoplanets/features.parquet",
        "results/exoplanets/features.csv",
        "results/exoplanets/failed_samples.csv",
        "results/exoplanets/plots/period_recovery.png",
        "results/exoplanets/plots/sde_by_label.png",
        "results/exoplanets/plots/diagnostics.png",
        # also a plain input here: the features read it as ancient(), and Snakemake 9.27 can end a
        # cluster run early otherwise (docs/cluster.md, "A run that ends early")
        "resources/numba_cache/exoplanets.compiled",
    ]


PIPELINE_OUTPUTS["exoplanets"] = exoplanet_outputs


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
