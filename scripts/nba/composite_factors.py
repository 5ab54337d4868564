"""Composite factors of one date from the summaries of its window (rule nba_composite_factors)."""

import os
from pathlib import Path

os.environ["POLARS_MAX_THREADS"] = str(snakemake.threads)

import polars as pl  # noqa: E402

from shardflow.io import script_logger, write_polars  # noqa: E402
from shardflow.nba.composite import composite_factors  # noqa: E402
from shardflow.nba.history import HISTORY_COLUMNS, load_summaries  # noqa: E402
from shardflow.nba.summary import unreadable_reason  # noqa: E402

log = script_logger(snakemake.log[0], "nba.composite_factors")
date, p = snakemake.wildcards.date, snakemake.params
if reason := unreadable_reason(snakemake.input.roster):
    message = f"no composite factors for {date}: its box-score file is unreadable: {reason}"
    log.error(message)
    raise SystemExit(f"nba: {message}")
window = [Path(f).stem for f in snakemake.input.window]
factors = composite_factors(
    pl.read_parquet(snakemake.input.roster), load_summaries(snakemake.input.window, HISTORY_COLUMNS), date, window,
    high_usage_pct=p.high_usage_pct, bootstrap_games=p.bootstrap_games, production_ready_pct=p.production_ready_pct,
)  # fmt: skip
write_polars(factors, snakemake.output[0])
log.info("%s: %d players from %d window dates (%d unreadable); %d production-ready, %d bootstrapping",
         date, len(factors), len(window), factors["window_unreadable_dates"].max() or 0,
         factors["production_ready"].sum(), factors["early_season_bootstrap"].sum())
