"""The manifest of all staged runs and the table of rejected files (checkpoint chips_manifest)."""

import pandas as pd

from shardflow.chips.staging import merge_manifests
from shardflow.io import script_logger, write_csv, write_parquet

log = script_logger(snakemake.log[0], "chips.manifest")
manifest = merge_manifests([pd.read_parquet(p) for p in snakemake.input.manifests])
errors = pd.concat([pd.read_parquet(p) for p in snakemake.input.errors], ignore_index=True)
write_parquet(manifest, snakemake.output.manifest)
write_csv(errors, snakemake.output.errors)
groups = manifest.groupby(["chip_number", "proc"]).size()
log.info("%d runs in %d (chip, procedure) groups; %d files rejected", len(manifest), len(groups), len(errors))
