"""Surface-potential map of one month (rule lunar_map)."""

import polars as pl

from shardflow.io import script_logger
from shardflow.lunar.plots import surface_map

log = script_logger(snakemake.log[0], "lunar.map")
table = pl.read_parquet(snakemake.input[0])
surface_map(
    table, snakemake.wildcards.month, snakemake.output[0], snakemake.params.lat_bin_deg, snakemake.params.lon_bin_deg
)
log.info("%s: %d spectra with a surface potential", snakemake.wildcards.month, (table["surface_status"] == "ok").sum())
