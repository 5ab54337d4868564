"""Validate the catalog CSV and assign batches (checkpoint exoplanets_catalog)."""

from shardflow.exoplanets.catalog import assign_batches, read_catalog
from shardflow.io import script_logger, write_parquet

log = script_logger(snakemake.log[0], "exoplanets.catalog")
catalog = read_catalog(snakemake.input[0])
batched = assign_batches(catalog, snakemake.params.batch_size)
write_parquet(batched, snakemake.output.table)
log.info(
    "%s: %d targets in %d batches of up to %d",
    snakemake.input[0],
    len(batched),
    batched["batch"].nunique(),
    snakemake.params.batch_size,
)
