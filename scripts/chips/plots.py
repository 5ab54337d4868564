"""Figures of the chips pipeline (rule chips_plots)."""

from pathlib import Path

import pandas as pd

from shardflow.chips import plots
from shardflow.chips.metrics import Settings
from shardflow.chips.staging import block_dir, load_run
from shardflow.io import script_logger

log = script_logger(snakemake.log[0], "chips.plots")
manifest = pd.read_parquet(snakemake.input.manifest)
metrics = pd.read_parquet(snakemake.input.metrics)
plots.cnp_vs_time(manifest, metrics, snakemake.output.cnp)
plots.photoresponse(metrics, snakemake.output.photo)

stage = Path(snakemake.input.stage[0]).parent


def first_run(proc):
    """The first run of ``proc`` (manifest order) with metrics and no failure, with its data."""
    failed = set(metrics.loc[metrics["metric_name"] == "extraction_failed", "run_id"])
    rows = manifest[(manifest["proc"] == proc) & ~manifest["run_id"].isin(failed)]
    if rows.empty:
        return None
    row = rows.iloc[0].to_dict()
    return load_run(block_dir(stage, row["date"], snakemake.params.stage_days), row)


plots.example_fits(first_run("IVg"), first_run("It"), snakemake.output.fits, Settings(**snakemake.params.settings))
log.info("plots of %d runs written", len(manifest))
