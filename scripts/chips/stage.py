"""Stage one date folder (rule chips_stage)."""

from pathlib import Path

from shardflow.chips.staging import stage_date
from shardflow.io import script_logger, write_parquet

log = script_logger(snakemake.log[0], "chips.stage")
date = snakemake.wildcards.date
stage_dir = Path(snakemake.output.ivg).parents[1]
manifest, errors = stage_date(snakemake.params.raw, date, stage_dir)
write_parquet(manifest, snakemake.output.manifest)
write_parquet(errors, snakemake.output.errors)
log.info("%s: %d runs staged (%s), %d files rejected", date, len(manifest),
         ", ".join(f"{p} {n}" for p, n in manifest["proc"].value_counts().sort_index().items()), len(errors))
for row in errors.itertuples():
    log.warning("rejected %s", row.reason)
