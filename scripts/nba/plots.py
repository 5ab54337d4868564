"""Figures of the nba pipeline (rule nba_plots)."""

import polars as pl

from shardflow.io import script_logger
from shardflow.nba import plots
from shardflow.nba.history import load_summaries

log = script_logger(snakemake.log[0], "nba.plots")
features = pl.read_parquet(snakemake.input.features)
summaries = load_summaries(snakemake.input.summaries)
plots.feature_distributions(features, snakemake.output.distributions)
player = plots.form_player(summaries, snakemake.params.player_id)
plots.player_form(summaries, features, player, snakemake.output.form)
log.info("plots of %d feature vectors; form of player %d", len(features), player)
