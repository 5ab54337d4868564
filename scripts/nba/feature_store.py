"""Feature vectors of one date from its composite factors and window (rule nba_feature_store)."""

import os

os.environ["POLARS_MAX_THREADS"] = str(snakemake.threads)

import polars as pl  # noqa: E402

from shardflow.io import script_logger, write_polars  # noqa: E402
from shardflow.nba.features import FEATURE_VERSION, FEATURES, feature_store  # noqa: E402
from shardflow.nba.history import HISTORY_COLUMNS, load_summaries  # noqa: E402

log = script_logger(snakemake.log[0], "nba.feature_store")
date = snakemake.wildcards.date
history = load_summaries(snakemake.input.window, HISTORY_COLUMNS)
features = feature_store(pl.read_parquet(snakemake.input.factors), history)
write_polars(features, snakemake.output[0])
log.info("%s: %d feature vectors of %d features (%s) from %d window dates", date, len(features), len(FEATURES),
         FEATURE_VERSION, len(snakemake.input.window))
