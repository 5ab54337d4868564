# Exoplanet transit-search features.
#   demo data (source demo) or MAST downloads (source mast) or local FITS (source local)
#   -> validated, batched catalog (checkpoint)
#   -> one feature table per batch of catalog rows
#   -> merged features.parquet / features.csv / failed_samples.csv -> plots
# Units and feature definitions: docs/exoplanets.md.


include: "exoplanets_inputs.smk"


EXO_LOGS = "results/logs/exoplanets"
EXO_BENCH = "results/benchmarks/rules/exoplanets"


rule exoplanets:
    """Target rule: every final output of the exoplanet pipeline."""
    input:
        exoplanet_outputs,


rule exoplanets_demo_data:
    """Demo catalog with ground truth and TESS SPOC-format light curves (deterministic): single-
    sector targets, and multi-sector stars with one to three planets, also as an archive TOI table."""
    output:
        catalog=f"{EXO_DEMO_DIR}/catalog.csv",
        toi=f"{EXO_DEMO_DIR}/catalog_toi.csv",
        lightcurves=expand(f"{EXO_DEMO_DIR}/lightcurves/{{name}}", name=demo_lightcurve_files()),
    log:
        f"{EXO_LOGS}/demo_data.log",
    benchmark:
        f"{EXO_BENCH}/demo_data.tsv"
    conda:
        "../envs/exoplanets.yaml"
    params:
        target_ids=demo_target_ids(),
        multi_star_ids=demo_multi_star_ids(),
        seed=EXO["demo"]["seed"],
    script:
        "../scripts/exoplanets/demo_data.py"


rule exoplanets_compile:
    """Compile the numba kernels of the transit search and wotan once into NUMBA_CACHE_DIR, shared by all jobs."""
    output:
        "resources/numba_cache/exoplanets.compiled",
    log:
        f"{EXO_LOGS}/compile.log",
    benchmark:
        f"{EXO_BENCH}/compile.tsv"
    conda:
        "../envs/exoplanets.yaml"
    params:
        search=EXO["search"],
    script:
        "../scripts/exoplanets/compile.py"


rule exoplanets_lightcurve_index:
    """Which star (and sector or quarter) each file of the local light-curve folder holds, from
    its FITS header; files unchanged since the last index are not opened again."""
    input:
        exoplanet_local_files,
    output:
        EXO_INDEX,
    log:
        f"{EXO_LOGS}/lightcurve_index.log",
    benchmark:
        f"{EXO_BENCH}/lightcurve_index.tsv"
    conda:
        "../envs/exoplanets.yaml"
    params:
        folder=EXO["lightcurves"]["dir"],
        cache=exoplanet_index_cache(),
    script:
        "../scripts/exoplanets/lightcurve_index.py"


checkpoint exoplanets_catalog:
    """Read the catalog (simple, or the archive's TOI or KOI table), give every row its star's
    light-curve files and assign batches (a star's rows share one); the batches are read from it."""
    input:
        unpack(exoplanet_catalog_inputs),
    output:
        table="results/exoplanets/catalog.parquet",
    log:
        f"{EXO_LOGS}/catalog.log",
    benchmark:
        f"{EXO_BENCH}/catalog.tsv"
    conda:
        "../envs/exoplanets.yaml"
    params:
        batch_size=EXO["batch_size"],
        catalog_format=EXO["catalog_format"],
        labels=EXO["labels"],
    script:
        "../scripts/exoplanets/catalog.py"


rule exoplanets_download:
    """Download every light curve of each star of one batch from MAST into the per-file cache
    (files already there are not fetched again), with retries."""
    input:
        catalog=ancient("results/exoplanets/catalog.parquet"),
    output:
        record=f"{EXO['mast']['cache_dir']}/records/batch_{{batch}}.json",
    log:
        f"{EXO_LOGS}/download/batch_{{batch}}.log",
    benchmark:
        f"{EXO_BENCH}/download/batch_{{batch}}.tsv"
    retries: 1
    conda:
        "../envs/exoplanets.yaml"
    resources:
        mast_downloads=1,
    params:
        stars=exoplanet_batch_stars,
        cache_dir=lambda wildcards, output: os.path.dirname(os.path.dirname(output.record)),
        author=EXO["mast"]["author"],
        exptime=EXO["mast"]["exptime"],
        retries=EXO["mast"]["retries"],
        backoff_s=EXO["mast"]["backoff_s"],
        timeout_s=EXO["mast"]["timeout_s"],
    script:
        "../scripts/exoplanets/download.py"


rule exoplanets_features:
    """The 27 features of every catalog row in one batch, star by star (every sector stitched,
    every planet searched); a bad row or star gives failed rows. Also the diagnostic series."""
    input:
        catalog=ancient("results/exoplanets/catalog.parquet"),
        lightcurves=exoplanet_batch_lightcurves,
        compiled=ancient("resources/numba_cache/exoplanets.compiled"),
    output:
        features="results/exoplanets/features/batch_{batch}.parquet",
        diagnostics="results/exoplanets/diagnostics/batch_{batch}.parquet",
    log:
        f"{EXO_LOGS}/features/batch_{{batch}}.log",
    benchmark:
        f"{EXO_BENCH}/features/batch_{{batch}}.tsv"
    conda:
        "../envs/exoplanets.yaml"
    threads: 1
    resources:
        mem_mb=2000,
    params:
        rows=exoplanet_batch_digest,
        source=EXO_SOURCE,
        lightcurves_dir=exoplanet_lightcurve_dir(),
        search=EXO["search"],
    script:
        "../scripts/exoplanets/features.py"


rule exoplanets_merge:
    """Concatenate the batch tables in catalog order; list the failed samples."""
    input:
        exoplanet_feature_files,
    output:
        parquet="results/exoplanets/features.parquet",
        csv="results/exoplanets/features.csv",
        failed="results/exoplanets/failed_samples.csv",
    log:
        f"{EXO_LOGS}/merge.log",
    benchmark:
        f"{EXO_BENCH}/merge.tsv"
    conda:
        "../envs/exoplanets.yaml"
    script:
        "../scripts/exoplanets/merge.py"


rule exoplanets_plots:
    """Recovered versus catalog period, SDE by label, diagnostics of the strongest signals
    (drawn from the periodograms and folds the feature jobs wrote)."""
    input:
        features="results/exoplanets/features.parquet",
        diagnostics=exoplanet_diagnostic_files,
    output:
        period=report(
            "results/exoplanets/plots/period_recovery.png",
            caption="../report/exoplanets_period_recovery.rst",
            category="Exoplanets",
        ),
        sde=report(
            "results/exoplanets/plots/sde_by_label.png",
            caption="../report/exoplanets_sde_by_label.rst",
            category="Exoplanets",
        ),
        diagnostics=report(
            "results/exoplanets/plots/diagnostics.png",
            caption="../report/exoplanets_diagnostics.rst",
            category="Exoplanets",
        ),
    log:
        f"{EXO_LOGS}/plots.log",
    benchmark:
        f"{EXO_BENCH}/plots.tsv"
    conda:
        "../envs/exoplanets.yaml"
    params:
        n_diagnostics=EXO["plots"]["diagnostics"],
    script:
        "../scripts/exoplanets/plots.py"
