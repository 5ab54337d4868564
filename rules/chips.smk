# Graphene-chip device metrics.
#   demo lab (default raw_dir) or your raw_dir of day folders of run files (chips.formats or
#   raw_dir/formats.yaml describe them; by default YYYY-MM-DD folders of instrument CSVs)
#   -> staging, one job per block of chips.stage_days dates (by default one date): per-run
#      parquet partitions, manifest fragment, errors
#   -> manifest (checkpoint): the chips and their (chip, procedure) groups
#   -> metrics, one job per chip (each of its procedure groups) -> metrics.parquet -> plots
# Metric names, units and flags: docs/chips.md.


include: "chips_inputs.smk"


CHIPS_LOGS = "results/logs/chips"
CHIPS_BENCH = "results/benchmarks/rules/chips"


rule chips:
    """Target rule: every final output of the chips pipeline."""
    input:
        chips_outputs,


rule chips_demo_data:
    """Demo lab: instrument CSVs for several chips over several days, with per-run truth."""
    output:
        dates=[directory(f"{CHIPS_DEMO_DIR}/raw/{d}") for d in chips_demo_dates()] if CHIPS_IS_DEMO else [],
        truth=f"{CHIPS_DEMO_DIR}/truth.csv",
        geometry=f"{CHIPS_DEMO_DIR}/raw/chips.csv",
    log:
        f"{CHIPS_LOGS}/demo_data.log",
    benchmark:
        f"{CHIPS_BENCH}/demo_data.tsv"
    conda:
        "../envs/chips.yaml"
    params:
        dates=chips_demo_dates() if CHIPS_IS_DEMO else [],
        n_chips=CHIPS["demo"]["n_chips"],
        runs_per_chip_day=CHIPS["demo"]["runs_per_chip_day"],
        seed=CHIPS["demo"]["seed"],
    script:
        "../scripts/chips/demo_data.py"


rule chips_stage:
    """Stage a block of chips.stage_days calendar days (one by default): each run file becomes a
    parquet partition; a broken file an error row."""
    input:
        chips_block_input,
    output:
        stage=directory("results/chips/stage/block={block}"),
        manifest="results/chips/stage/manifest/block={block}.parquet",
        errors="results/chips/stage/errors/block={block}.parquet",
    log:
        f"{CHIPS_LOGS}/stage/{{block}}.log",
    benchmark:
        f"{CHIPS_BENCH}/stage/{{block}}.tsv"
    wildcard_constraints:
        block=r"\d{4}-\d{2}-\d{2}",
    conda:
        "../envs/chips.yaml"
    params:
        days=chips_block_days,
        files=chips_block_listing,
        formats=chips_format_params,
    shell:
        "POLARS_MAX_THREADS={threads} python -m shardflow.chips.jobs stage --days {params.days:q}"
        " --formats {params.formats:q} --stage-dir {output.stage:q}"
        " --manifest {output.manifest:q} --errors {output.errors:q} --log {log:q}"


checkpoint chips_manifest:
    """One row per staged run; the (chip, procedure) groups are read from it."""
    input:
        unpack(chips_stage_outputs),
    output:
        manifest="results/chips/manifest.parquet",
        errors="results/chips/staging_errors.csv",
    log:
        f"{CHIPS_LOGS}/manifest.log",
    benchmark:
        f"{CHIPS_BENCH}/manifest.tsv"
    conda:
        "../envs/chips.yaml"
    script:
        "../scripts/chips/manifest.py"


rule chips_metrics:
    """Device metrics of one chip, each of its (chip, procedure) groups, long format."""
    input:
        manifest=ancient("results/chips/manifest.parquet"),
        stage=chips_chip_stage,
        geometry=chips_geometry,
    output:
        "results/chips/metrics/chip={chip}.parquet",
    log:
        f"{CHIPS_LOGS}/metrics/chip={{chip}}.log",
    benchmark:
        f"{CHIPS_BENCH}/metrics/chip={{chip}}.tsv"
    conda:
        "../envs/chips.yaml"
    resources:
        mem_mb=1000,
    params:
        runs=chips_chip_digest,
        stage_days=CHIPS_STAGE_DAYS,
        geometry=lambda wildcards, input: shell_option("--geometry", input.geometry),
        settings=CHIPS_METRICS_SETTINGS,
    shell:
        "POLARS_MAX_THREADS={threads} python -m shardflow.chips.jobs metrics --chip {wildcards.chip}"
        " --manifest {input.manifest:q} --stage-dir results/chips/stage --stage-days {params.stage_days}"
        " {params.geometry} --settings {params.settings:q} --log {log:q} --output {output:q}"


rule chips_merge:
    """All chips' metrics in one table."""
    input:
        chips_chip_files,
    output:
        "results/chips/metrics.parquet",
    log:
        f"{CHIPS_LOGS}/merge.log",
    benchmark:
        f"{CHIPS_BENCH}/merge.tsv"
    conda:
        "../envs/chips.yaml"
    script:
        "../scripts/chips/merge.py"


rule chips_plots:
    """Charge-neutrality point against time, photoresponse per chip, example fits."""
    input:
        manifest="results/chips/manifest.parquet",
        metrics="results/chips/metrics.parquet",
        stage=chips_stage_folders,
    output:
        cnp=report("results/chips/plots/cnp_vs_time.png", caption="../report/chips_cnp_vs_time.rst", category="Chips"),
        photo=report(
            "results/chips/plots/photoresponse.png", caption="../report/chips_photoresponse.rst", category="Chips"
        ),
        fits=report(
            "results/chips/plots/example_fits.png", caption="../report/chips_example_fits.rst", category="Chips"
        ),
    log:
        f"{CHIPS_LOGS}/plots.log",
    benchmark:
        f"{CHIPS_BENCH}/plots.tsv"
    conda:
        "../envs/chips.yaml"
    params:
        settings=CHIPS["metrics"],
        stage_days=CHIPS_STAGE_DAYS,
    script:
        "../scripts/chips/plots.py"
