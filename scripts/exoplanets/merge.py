"""Merge the batch tables into the final feature table (rule exoplanets_merge)."""

import pandas as pd

from shardflow.io import script_logger, write_csv, write_parquet

log = script_logger(snakemake.log[0], "exoplanets.merge")
table = pd.concat([pd.read_parquet(path) for path in snakemake.input], ignore_index=True)
table = table.sort_values("catalog_line", kind="stable").reset_index(drop=True)
write_parquet(table, snakemake.output.parquet)
write_csv(table, snakemake.output.csv)
failed = table.loc[table["status"] == "failed", ["target_id", "category", "reason"]]
write_csv(failed, snakemake.output.failed)
log.info(
    "%d targets from %d batches: %d ok, %d failed",
    len(table),
    len(snakemake.input),
    len(table) - len(failed),
    len(failed),
)
for category, n in failed["category"].value_counts().sort_index().items():
    log.info("failed, %s: %d", category, n)
