# The exoplanets pipeline's constants and input functions (included by rules/exoplanets.smk). They read
# the pipeline's folders only when called, that is when its rules are in the requested DAG.

from shardflow.exoplanets.sources import lightcurve_files, mast_batch_record

EXO = config["exoplanets"]
EXO_SOURCE = EXO["lightcurves"]["source"]
EXO_DEMO_DIR = "resources/demo/exoplanets"
EXO_INDEX = "results/exoplanets/lightcurve_index.parquet"


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


def demo_multi_star_ids():
    return [f"DEMO-M{k:02d}" for k in range(1, EXO["demo"]["multi_stars"] + 1)]


def demo_lightcurve_files():
    """Every light-curve file the demo writes: one per single-sector target, one per sector of
    each multi-sector star."""
    from shardflow.exoplanets.demo_layout import multi_star_files

    multi = [name for k, star in enumerate(demo_multi_star_ids()) for name in multi_star_files(star, k)]
    return [f"{t}.fits" for t in demo_target_ids()] + multi


def exoplanet_catalog_inputs(wildcards=None):
    """The catalog, and for the local source the index of the light-curve folder."""
    inputs = {"catalog": exoplanet_catalog_csv()}
    if EXO_SOURCE == "local":
        inputs["index"] = EXO_INDEX
    return inputs


def exoplanet_local_files(wildcards=None):
    """Every light-curve file of the local folder (names only: no file is opened here). A
    folder that does not exist stops the run before any job; in an existing folder without a
    light curve of a star, that star's rows fail with no_data, naming the folder."""
    from shardflow.exoplanets.folder_index import FITS_SUFFIXES, folder_files

    folder = EXO["lightcurves"]["dir"]
    if not os.path.isdir(folder):
        no_shards("exoplanets.lightcurves.dir", folder, f"a folder of light-curve files ({', '.join(FITS_SUFFIXES)})")
    return [os.path.join(folder, name) for name in folder_files(folder)]


def exoplanet_index_cache():
    """The index cache of the configured folder (one per folder, named by its path's digest)."""
    import hashlib

    key = hashlib.sha256(os.path.abspath(EXO["lightcurves"]["dir"]).encode()).hexdigest()[:12]
    return f"resources/exoplanets/lightcurve_index/{key}.parquet"


@lru_cache
def _batches(path, mtime):
    """{batch: its light-curve files, its stars (id, mission) and the digest of its rows}, built
    once per catalog (not once per job)."""
    import hashlib

    import pandas

    catalog = pandas.read_parquet(path)
    folder = exoplanet_lightcurve_dir()
    out = {}
    for batch, rows in catalog.groupby("batch", sort=True):
        stars = rows.drop_duplicates("star_id")
        files = sorted({f for r in stars.to_dict("records") for f in lightcurve_files(r, folder)})
        text = rows.to_json(orient="records", double_precision=15)
        out[int(batch)] = {
            "files": files,
            "stars": [[r["star_id"], r["mission"]] for r in stars.to_dict("records")],
            "digest": hashlib.sha256(text.encode()).hexdigest()[:16],
        }
    return out


def exoplanet_batches():
    """The batches of the validated catalog (after the checkpoint has run)."""
    path = checkpoints.exoplanets_catalog.get().output.table
    return _batches(path, os.path.getmtime(path))


def _batch_outputs(kind):
    return [f"results/exoplanets/{kind}/batch_{b:04d}.parquet" for b in exoplanet_batches()]


def exoplanet_feature_files(wildcards):
    return _batch_outputs("features")


def exoplanet_diagnostic_files(wildcards):
    return _batch_outputs("diagnostics")


def exoplanet_batch_lightcurves(wildcards):
    """Inputs of one batch: its MAST download record, or its stars' light-curve files.

    Local files that do not exist are left out, so the batch still runs and reports those
    stars as failed (category no_data) instead of the whole job failing.
    """
    if EXO_SOURCE == "mast":
        return [mast_batch_record(wildcards.batch, EXO["mast"]["cache_dir"])]
    files = exoplanet_batches()[int(wildcards.batch)]["files"]
    return files if EXO_SOURCE == "demo" else [p for p in files if os.path.exists(p)]


def exoplanet_batch_digest(wildcards):
    """A digest of the batch's catalog rows (their star's files included): a batch reruns when,
    and only when, its rows change (the catalog file itself is an ancient() input, so adding
    rows or files of other stars leaves finished batches alone)."""
    return exoplanet_batches()[int(wildcards.batch)]["digest"]


def exoplanet_batch_stars(wildcards):
    """[[star id, mission], ...] of one batch, for its download job."""
    return exoplanet_batches()[int(wildcards.batch)]["stars"]
