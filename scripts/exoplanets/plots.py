"""Figures of the exoplanet pipeline (rule exoplanets_plots). The diagnostic figure reruns
the search on the targets with the highest TLS SDE to get their periodograms."""

import pandas as pd

from shardflow.exoplanets import plots
from shardflow.exoplanets.features import Settings, compute_features
from shardflow.exoplanets.lightcurves import read_lightcurve
from shardflow.exoplanets.sources import locate
from shardflow.io import script_logger

log = script_logger(snakemake.log[0], "exoplanets.plots")
p = snakemake.params
features = pd.read_parquet(snakemake.input.features)
plots.period_recovery(features, snakemake.output.period)
plots.sde_by_label(features, snakemake.output.sde)

settings = Settings(**p.search)
top = features[features["status"] == "ok"].nlargest(p.n_diagnostics, "tls_sde")
items = []
for row in top.to_dict("records"):
    inputs = {
        **row,
        "period": row["input_period"],
        "depth": row["input_depth"],
        "duration": row["input_duration"] * 24,
        "epoch": row["input_epoch"],
    }
    lc = read_lightcurve(
        locate(row, p.source, p.lightcurves_dir, p.mast_cache_dir), settings.quality_bitmask, settings.min_points
    )
    feats, extra = compute_features(lc, inputs, settings)
    items.append({"target_id": row["target_id"], "features": feats, "search": extra["search"]})
    log.info("diagnostics for %s (SDE %.1f)", row["target_id"], feats["tls_sde"])
plots.diagnostics(items, snakemake.output.diagnostics)
