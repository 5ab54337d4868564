"""Spacecraft and surface potential against time (rule lunar_timeseries)."""

import polars as pl

from shardflow.io import script_logger
from shardflow.lunar.plots import time_series

log = script_logger(snakemake.log[0], "lunar.timeseries")
table = pl.read_parquet(snakemake.input[0])
time_series(table, snakemake.output[0])
log.info("time series of %d spectra", table.height)
