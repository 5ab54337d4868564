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
    """Demo catalog with ground truth and TESS SPOC-format light curves (deterministic)."""
    output:
        catalog=f"{EXO_DEMO_DIR}/catalog.csv",
        lightcurves=expand(f"{EXO_DEMO_DIR}/lightcurves/{{target_id}}.fits", target_id=demo_target_ids()),
    log:
        f"{EXO_LOGS}/demo_data.log",
    benchmark:
        f"{EXO_BENCH}/demo_data.tsv"
    conda:
        "../envs/exoplanets.yaml"
    params:
        target_ids=demo_target_ids(),
        seed=EXO["demo"]["seed"],
    script:
        "../scripts/exoplanets/demo_data.py"


rule exoplanets_compile:
    """Compile the numba kernels of TLS and wotan once into NUMBA_CACHE_DIR, shared by all jobs."""
    output:
        "resources/numba_cache/exoplanets.compiled",
    log:
        f"{EXO_LOGS}/compile.log",
    benchmark:
        f"{EXO_BENCH}/compile.tsv"
    conda:
        "../envs/exoplanets.yaml"
    script:
        "../scripts/exoplanets/compile.py"


checkpoint exoplanets_catalog:
    """Validate the catalog and assign each row to a batch; the batches are read from it."""
    input:
        exoplanet_catalog_csv,
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
    script:
        "../scripts/exoplanets/catalog.py"


rule exoplanets_download:
    """Download one target's light curve from MAST into the cache, with retries."""
    input:
        catalog=ancient("results/exoplanets/catalog.parquet"),
    output:
        record=f"{EXO['mast']['cache_dir']}/records/{{target_id}}.json",
    log:
        f"{EXO_LOGS}/download/{{target_id}}.log",
    benchmark:
        f"{EXO_BENCH}/download/{{target_id}}.tsv"
    retries: 1
    conda:
        "../envs/exoplanets.yaml"
    resources:
        mast_downloads=1,
    params:
        mission=exoplanet_mission,
        cache_dir=lambda wildcards, output: os.path.dirname(os.path.dirname(output.record)),
        author=EXO["mast"]["author"],
        exptime=EXO["mast"]["exptime"],
        retries=EXO["mast"]["retries"],
        backoff_s=EXO["mast"]["backoff_s"],
        timeout_s=EXO["mast"]["timeout_s"],
    script:
        "../scripts/exoplanets/download.py"


rule exoplanets_features:
    """The 27 features of every target in one batch; a bad target is a failed row."""
    input:
        catalog=ancient("results/exoplanets/catalog.parquet"),
        lightcurves=exoplanet_batch_lightcurves,
        compiled=ancient("resources/numba_cache/exoplanets.compiled"),
    output:
        "results/exoplanets/features/batch_{batch}.parquet",
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
        mast_cache_dir=EXO["mast"]["cache_dir"],
        search=EXO["search"],
    script:
        "../scripts/exoplanets/features.py"


rule exoplanets_merge:
    """Concatenate the batch tables in catalog order; list the failed samples."""
    input:
        exoplanet_batch_files,
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
    """Recovered versus catalog period, SDE by label, diagnostics of the strongest signals."""
    input:
        features="results/exoplanets/features.parquet",
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
        source=EXO_SOURCE,
        lightcurves_dir=exoplanet_lightcurve_dir(),
        mast_cache_dir=EXO["mast"]["cache_dir"],
        search=EXO["search"],
    script:
        "../scripts/exoplanets/plots.py"
