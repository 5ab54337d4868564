"""All dates' feature vectors in one table (rule nba_merge)."""

import os

os.environ["POLARS_MAX_THREADS"] = str(snakemake.threads)

import polars as pl  # noqa: E402

from shardflow.io import script_logger, write_polars  # noqa: E402

log = script_logger(snakemake.log[0], "nba.merge")
features = pl.read_parquet(list(snakemake.input)).sort("game_date", "game_id", "team_id", "player_id")
write_polars(features, snakemake.output[0])
log.info("%d feature vectors over %d dates", len(features), len(snakemake.input))
