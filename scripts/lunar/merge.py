"""All months in one table, all read errors in one CSV (rule lunar_merge)."""

from pathlib import Path

import polars as pl

from shardflow.io import replace_atomically, script_logger, write_polars

log = script_logger(snakemake.log[0], "lunar.merge")
table = pl.concat([pl.read_parquet(p) for p in snakemake.input.tables]).sort(
    "time_utc", "source_file", "line", nulls_last=True
)
errors = pl.concat([pl.read_parquet(p) for p in snakemake.input.errors]).sort("source_file", "line", nulls_last=False)
write_polars(table, snakemake.output.table)
replace_atomically(Path(snakemake.output.errors), lambda tmp: errors.write_csv(tmp))
log.info("%d spectra from %d months; %d read errors", table.height, len(snakemake.input.tables), errors.height)
