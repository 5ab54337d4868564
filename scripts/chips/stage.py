"""Stage one date folder (rule chips_stage)."""

import os
from collections import Counter
from pathlib import Path

# polars sizes its thread pool when first imported: give it the rule's threads, no more
# (with --cores N, N jobs already share the cores; measured: a second polars thread per job
# only adds CPU time).
os.environ["POLARS_MAX_THREADS"] = str(snakemake.threads)

from shardflow.chips.formats import parse_formats  # noqa: E402
from shardflow.chips.staging import stage_date  # noqa: E402
from shardflow.io import script_logger, write_polars  # noqa: E402

log = script_logger(snakemake.log[0], "chips.stage")
date = snakemake.wildcards.date
stage_dir = Path(snakemake.output.ivg).parents[1]
formats = parse_formats(list(snakemake.params.formats), "rule chips_stage params")
manifest, errors = stage_date(snakemake.params.raw, date, stage_dir, formats)
write_polars(manifest, snakemake.output.manifest)
write_polars(errors, snakemake.output.errors)
log.info(
    "%s: %d runs staged (%s), %d files rejected",
    date,
    len(manifest),
    ", ".join(f"{p} {n}" for p, n in sorted(Counter(manifest["proc"]).items())),
    len(errors),
)
for reason in errors["reason"]:
    log.warning("rejected %s", reason)
