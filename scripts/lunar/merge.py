"""All months in one table; all read errors, and the files under er_dir that no reader takes,
in one CSV (rule lunar_merge)."""

import os
from pathlib import Path

import polars as pl

from shardflow.io import replace_atomically, script_logger, write_polars
from shardflow.lunar.month import ERROR_SCHEMA

log = script_logger(snakemake.log[0], "lunar.merge")
table = pl.concat([pl.read_parquet(p) for p in snakemake.input.tables]).sort(
    "time_utc", "source_file", "line", nulls_last=True
)
other = pl.DataFrame(
    {
        "source_file": [os.path.relpath(p, snakemake.params.er_dir) for p in snakemake.input.other],
        "line": [None] * len(snakemake.input.other),
        "reason": list(snakemake.params.other_reasons),
    },
    schema=ERROR_SCHEMA,
)
errors = pl.concat([*(pl.read_parquet(p) for p in snakemake.input.errors), other]).sort(
    "source_file", "line", nulls_last=False
)
write_polars(table, snakemake.output.table)
replace_atomically(Path(snakemake.output.errors), lambda tmp: errors.write_csv(tmp))
log.info("%d spectra from %d months; %d read errors", table.height, len(snakemake.input.tables), errors.height)
for reason in other["reason"]:
    log.warning("not read: %s", reason)
