# NBA player analytics.
#   demo season (default boxscores_dir) or your boxscores_dir of YYYY-MM-DD.json date files,
#   or of season tables staged into such date files (one staging job per date)
#   -> player game summary, one job per date (plus the date's points lines)
#   -> history segments: the summaries of each 16-day period of a season in one file
#   -> composite factors and ML feature store, one job per date (two files), from the date's
#      summary and its window: the segments wholly inside it and the summaries of its other
#      dates (at most about 23 + 32 inputs whatever the season's length; exactly its window)
#   -> merged ml_feature_store.parquet -> plots
# Windows, formats, columns and formulas: docs/nba.md.


include: "nba_inputs.smk"


NBA_LOGS = "results/logs/nba"
NBA_BENCH = "results/benchmarks/rules/nba"


rule nba:
    """Target rule: every final output of the nba pipeline."""
    input:
        nba_outputs,


rule nba_demo_data:
    """Demo season: stats.nba.com V2 date files, points lines and the truth (deterministic)."""
    output:
        boxscores=expand(f"{NBA_DEMO_DIR}/boxscores/{{date}}.json", date=nba_demo_dates()) if NBA_IS_DEMO else [],
        lines=expand(f"{NBA_DEMO_DIR}/lines/{{date}}.csv", date=nba_demo_dates()) if NBA_IS_DEMO else [],
        players=f"{NBA_DEMO_DIR}/truth/players.csv",
        games=f"{NBA_DEMO_DIR}/truth/games.csv",
    log:
        f"{NBA_LOGS}/demo_data.log",
    benchmark:
        f"{NBA_BENCH}/demo_data.tsv"
    conda:
        "../envs/nba.yaml"
    params:
        dates=list(nba_demo_dates()) if NBA_IS_DEMO else [],
        n_teams=NBA["demo"]["n_teams"],
        roster_size=NBA["demo"]["roster_size"],
        seed=NBA["demo"]["seed"],
    script:
        "../scripts/nba/demo_data.py"


rule nba_stage:
    """The date file of one date, staged from the season tables that hold its games."""
    input:
        nba_stage_tables,
    output:
        f"{NBA_STAGED}/{{date}}.json",
    log:
        f"{NBA_LOGS}/stage/{{date}}.log",
    benchmark:
        f"{NBA_BENCH}/stage/{{date}}.tsv"
    conda:
        "../envs/nba.yaml"
    params:
        season_types=",".join(NBA["season_types"]),
        digest=nba_stage_digest,
    shell:
        "python -m shardflow.nba.jobs stage --date {wildcards.date} --season-types {params.season_types}"
        " --log {log:q} --output {output:q} {input:q}"


rule nba_input_errors:
    """Every file of boxscores_dir that no reader takes, and why (never silently ignored)."""
    output:
        "results/nba/input_errors.csv",
    log:
        f"{NBA_LOGS}/input_errors.log",
    benchmark:
        f"{NBA_BENCH}/input_errors.tsv"
    conda:
        "../envs/nba.yaml"
    params:
        rows=lambda wildcards: nba_input_errors(),
        folder=NBA_BOXSCORES,
    script:
        "../scripts/nba/input_errors.py"


rule nba_summary:
    """Player game summary of one date; an unreadable file gives an empty summary marked so."""
    input:
        boxscores=nba_boxscores,
        lines=nba_lines,
    output:
        "results/nba/player_game_summary/{date}.parquet",
    log:
        f"{NBA_LOGS}/summary/{{date}}.log",
    benchmark:
        f"{NBA_BENCH}/summary/{{date}}.tsv"
    priority: nba_priority(0)
    conda:
        "../envs/nba.yaml"
    params:
        format=NBA["format"],
        lines=lambda wildcards, input: shell_option("--lines", input.lines),
        season_types=",".join(NBA["season_types"]),
    shell:
        "POLARS_MAX_THREADS={threads} python -m shardflow.nba.jobs summary"
        " --date {wildcards.date} --boxscores {input.boxscores:q} {params.lines}"
        " --format {params.format} --season-types {params.season_types} --log {log:q} --output {output:q}"


rule nba_history_segment:
    """The summaries of the dates of one history segment (a 16-day period of a season), in one file."""
    input:
        nba_segment_summaries,
    output:
        "results/nba/history_segments/{segment}.parquet",
    log:
        f"{NBA_LOGS}/history_segments/{{segment}}.log",
    benchmark:
        f"{NBA_BENCH}/history_segments/{{segment}}.tsv"
    wildcard_constraints:
        segment=r"\d{4}-\d{2}-\d{2}",
    priority: nba_segment_priority
    conda:
        "../envs/nba.yaml"
    shell:
        "POLARS_MAX_THREADS={threads} python -m shardflow.nba.jobs segment"
        " --date {wildcards.segment} --log {log:q} --output {output:q} {input:q}"


rule nba_features:
    """Composite factors (fatigue, pace, usage-spike and shot-zone adjustments) and the feature
    vectors of one date, from its roster and its window."""
    input:
        roster="results/nba/player_game_summary/{date}.parquet",
        segments=nba_window_segments,
        summaries=nba_window_summaries,
    output:
        factors="results/nba/composite_factors/{date}.parquet",
        features="results/nba/ml_feature_store/{date}.parquet",
    log:
        f"{NBA_LOGS}/features/{{date}}.log",
    benchmark:
        f"{NBA_BENCH}/features/{{date}}.tsv"
    priority: nba_priority(1)
    conda:
        "../envs/nba.yaml"
    params:
        high_usage_pct=NBA["high_usage_pct"],
        high_usage_min_minutes=NBA["high_usage_min_minutes"],
        bootstrap_games=NBA["bootstrap_games"],
        production_ready_pct=NBA["production_ready_pct"],
        segments=lambda wildcards, input: " ".join(f"--segment {shlex.quote(s)}" for s in input.segments),
    shell:
        "POLARS_MAX_THREADS={threads} python -m shardflow.nba.jobs features"
        " --date {wildcards.date} --roster {input.roster:q} --high-usage-pct {params.high_usage_pct}"
        " --high-usage-min-minutes {params.high_usage_min_minutes}"
        " --bootstrap-games {params.bootstrap_games} --production-ready-pct {params.production_ready_pct}"
        " {params.segments} --log {log:q} --factors-output {output.factors:q} --output {output.features:q}"
        " {input.summaries:q}"


rule nba_merge:
    """All dates' feature vectors in one table."""
    input:
        nba_date_files("ml_feature_store"),
    output:
        "results/nba/ml_feature_store.parquet",
    log:
        f"{NBA_LOGS}/merge.log",
    benchmark:
        f"{NBA_BENCH}/merge.tsv"
    conda:
        "../envs/nba.yaml"
    script:
        "../scripts/nba/merge.py"


rule nba_plots:
    """Feature distributions and one player's rolling form."""
    input:
        features="results/nba/ml_feature_store.parquet",
        summaries=nba_date_files("player_game_summary"),
    output:
        distributions=report(
            "results/nba/plots/feature_distributions.png",
            caption="../report/nba_feature_distributions.rst",
            category="NBA",
        ),
        form=report("results/nba/plots/player_form.png", caption="../report/nba_player_form.rst", category="NBA"),
    log:
        f"{NBA_LOGS}/plots.log",
    benchmark:
        f"{NBA_BENCH}/plots.tsv"
    conda:
        "../envs/nba.yaml"
    params:
        player_id=NBA["plots"]["player_id"],
    script:
        "../scripts/nba/plots.py"
