"""All groups' metrics in one table (rule chips_merge)."""

import pandas as pd

from shardflow.chips.metrics import PANDAS_DTYPES
from shardflow.io import script_logger, write_parquet

log = script_logger(snakemake.log[0], "chips.merge")
metrics = pd.concat([pd.read_parquet(p) for p in snakemake.input], ignore_index=True).astype(PANDAS_DTYPES)
write_parquet(metrics, snakemake.output[0])
log.info("%d metric rows from %d groups", len(metrics), len(snakemake.input))
