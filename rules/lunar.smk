# Lunar surface potential from Lunar Prospector ER 3D spectra.
#   Moon orientation kernel (IAU 2009 with periodic terms); demo: orbit SPK and ER files
#   -> one job per month: read, SPICE geometry, kappa fit and spacecraft potential,
#      loss-cone fit and surface potential -> months/{YYYY-MM}.parquet, errors/{YYYY-MM}.parquet
#   -> potential.parquet, read_errors.csv -> a map per month, a time series
# Columns, units and methods: docs/lunar.md.


include: "lunar_inputs.smk"


LUNAR_LOGS = "results/logs/lunar"
LUNAR_BENCH = "results/benchmarks/rules/lunar"


rule lunar:
    """Target rule: every final output of the lunar pipeline."""
    input:
        lunar_outputs,


rule lunar_moon_pck:
    """The Moon's IAU 2009 orientation, with its periodic terms, as a SPICE text kernel."""
    output:
        LUNAR_PCK,
    log:
        f"{LUNAR_LOGS}/moon_pck.log",
    benchmark:
        f"{LUNAR_BENCH}/moon_pck.tsv"
    conda:
        "../envs/lunar.yaml"
    script:
        "../scripts/lunar/moon_pck.py"


rule lunar_demo_data:
    """Demo: a polar-orbit SPK and ER 3D files from known truth, one file malformed."""
    input:
        pck=LUNAR_PCK,
    output:
        er=lunar_demo_files() if LUNAR_IS_DEMO else [],
        spk=f"{LUNAR_DEMO_DIR}/kernels/lp_demo_orbit.bsp",
        truth=f"{LUNAR_DEMO_DIR}/truth.parquet",
    log:
        f"{LUNAR_LOGS}/demo_data.log",
    benchmark:
        f"{LUNAR_BENCH}/demo_data.tsv"
    conda:
        "../envs/lunar.yaml"
    params:
        days=LUNAR["demo"]["days"],
        spectra_per_day=LUNAR["demo"]["spectra_per_day"],
        malformed_day=LUNAR["demo"]["malformed_day"],
        seed=LUNAR["demo"]["seed"],
        see=LUNAR["spacecraft"],
    script:
        "../scripts/lunar/demo_data.py"


rule lunar_month:
    """One month: every spectrum's geometry, spacecraft potential and surface potential."""
    input:
        files=lunar_month_files,
        pck=LUNAR_PCK,
        kernels=lunar_kernels,
        theta=[LUNAR["theta_file"]] if LUNAR["theta_file"] else [],
    output:
        table="results/lunar/months/{month}.parquet",
        errors="results/lunar/errors/{month}.parquet",
    log:
        f"{LUNAR_LOGS}/month/{{month}}.log",
    benchmark:
        f"{LUNAR_BENCH}/month/{{month}}.tsv"
    conda:
        "../envs/lunar.yaml"
    threads: 2
    resources:
        mem_mb=6000,
    params:
        spacecraft=LUNAR["spacecraft"],
        fit=LUNAR["fit"],
    script:
        "../scripts/lunar/month.py"


rule lunar_merge:
    """All months in one table; all read errors, and every file under er_dir that no reader
    takes (declared here, so that adding or removing one reruns this rule), in one CSV."""
    input:
        tables=lunar_month_outputs("results/lunar/months/{month}.parquet"),
        errors=lunar_month_outputs("results/lunar/errors/{month}.parquet"),
        other=lunar_other_files,
    output:
        table="results/lunar/potential.parquet",
        errors="results/lunar/read_errors.csv",
    log:
        f"{LUNAR_LOGS}/merge.log",
    benchmark:
        f"{LUNAR_BENCH}/merge.tsv"
    conda:
        "../envs/lunar.yaml"
    params:
        other_reasons=lunar_other_reasons,
        er_dir=LUNAR_ER_DIR,
    script:
        "../scripts/lunar/merge.py"


rule lunar_map:
    """Median surface potential of one month in latitude-longitude bins."""
    input:
        "results/lunar/months/{month}.parquet",
    output:
        report("results/lunar/plots/map_{month}.png", caption="../report/lunar_map.rst", category="Lunar"),
    log:
        f"{LUNAR_LOGS}/map/{{month}}.log",
    benchmark:
        f"{LUNAR_BENCH}/map/{{month}}.tsv"
    conda:
        "../envs/lunar.yaml"
    params:
        lat_bin_deg=LUNAR["map"]["lat_bin_deg"],
        lon_bin_deg=LUNAR["map"]["lon_bin_deg"],
    script:
        "../scripts/lunar/map.py"


rule lunar_timeseries:
    """Spacecraft and surface potential of every spectrum against time."""
    input:
        "results/lunar/potential.parquet",
    output:
        report("results/lunar/plots/timeseries.png", caption="../report/lunar_timeseries.rst", category="Lunar"),
    log:
        f"{LUNAR_LOGS}/timeseries.log",
    benchmark:
        f"{LUNAR_BENCH}/timeseries.tsv"
    conda:
        "../envs/lunar.yaml"
    script:
        "../scripts/lunar/timeseries.py"
