"""Index the local light-curve folder (rule exoplanets_lightcurve_index), reusing the entries of
files unchanged since the last run from the index cache."""

import os

import pandas as pd

from shardflow.exoplanets.folder_index import update_index
from shardflow.io import script_logger, write_parquet

log = script_logger(snakemake.log[0], "exoplanets.lightcurve_index")
folder, cache = snakemake.params.folder, snakemake.params.cache
previous = pd.read_parquet(cache) if os.path.exists(cache) else None
index, opened = update_index(folder, previous)
os.makedirs(os.path.dirname(cache), exist_ok=True)
write_parquet(index, cache)
write_parquet(index, snakemake.output[0])
log.info("%s: %d files, %d opened (new or changed), %d stars", folder, len(index), opened, index["star_id"].nunique())
for row in index[index["status"] != "ok"].itertuples():
    log.warning("%s: %s", row.file, row.reason)
