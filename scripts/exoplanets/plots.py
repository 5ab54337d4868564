"""Figures of the exoplanet pipeline (rule exoplanets_plots), drawn from the final feature table
and the diagnostic series (periodograms, folds) that the feature jobs wrote."""

import pandas as pd

from shardflow.exoplanets import plots
from shardflow.io import script_logger

log = script_logger(snakemake.log[0], "exoplanets.plots")
features = pd.read_parquet(snakemake.input.features)
plots.period_recovery(features, snakemake.output.period)
plots.sde_by_label(features, snakemake.output.sde)

top = features[features["status"] == "ok"].nlargest(snakemake.params.n_diagnostics, "tls_sde")
series = pd.concat([pd.read_parquet(path) for path in snakemake.input.diagnostics], ignore_index=True)
series = series[series["target_id"].isin(top["target_id"])]
for row in top.itertuples():
    log.info("diagnostics for %s (SDE %.1f)", row.target_id, row.tls_sde)
plots.diagnostics(top, series, snakemake.output.diagnostics)
