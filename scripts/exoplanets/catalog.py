"""Read the catalog, give each row its star's light-curve files and assign batches
(checkpoint exoplanets_catalog)."""

import pandas as pd

from shardflow.exoplanets.catalog import assign_batches, read_catalog
from shardflow.exoplanets.folder_index import star_files
from shardflow.exoplanets.sources import attach_files
from shardflow.io import script_logger, write_parquet

log = script_logger(snakemake.log[0], "exoplanets.catalog")
p = snakemake.params
catalog = read_catalog(snakemake.input.catalog, p.catalog_format, dict(p.labels))
index = star_files(pd.read_parquet(snakemake.input.index)) if "index" in snakemake.input.keys() else None
batched = assign_batches(attach_files(catalog, index), p.batch_size)
write_parquet(batched, snakemake.output.table)
failed = batched[batched["catalog_status"] != "ok"]
log.info(
    "%s: %d rows of %d stars in %d batches of up to %d rows; %d rows failed",
    snakemake.input.catalog,
    len(batched),
    batched["star_id"].nunique(),
    batched["batch"].nunique(),
    p.batch_size,
    len(failed),
)
for row in failed.itertuples():
    log.warning("line %d, %s: %s", row.catalog_line, row.target_id, row.catalog_reason)
