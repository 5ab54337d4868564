"""Metrics of one (chip, procedure) group (rule chips_metrics)."""

import os
from pathlib import Path

# polars sizes its thread pool when first imported: give it the rule's threads, no more
# (with --cores N, N jobs already share the cores; measured: a second polars thread per job
# only adds CPU time).
os.environ["POLARS_MAX_THREADS"] = str(snakemake.threads)

import polars as pl  # noqa: E402

from shardflow.chips.metrics import extract_group  # noqa: E402
from shardflow.chips.staging import load_run  # noqa: E402
from shardflow.io import script_logger, write_polars  # noqa: E402

log = script_logger(snakemake.log[0], "chips.metrics")
chip, proc = int(snakemake.wildcards.chip), snakemake.wildcards.proc
group = pl.read_parquet(snakemake.input.manifest).filter((pl.col("chip_number") == chip) & (pl.col("proc") == proc))
stage_dir = Path(snakemake.input.stage[0]).parents[1]
runs = [load_run(stage_dir, row) for row in group.iter_rows(named=True)]
geometry = None
if snakemake.input.geometry:
    chips = pl.read_csv(snakemake.input.geometry[0])
    chips = chips.filter(pl.col("chip_number").cast(pl.Int64, strict=False) == chip)  # "7" and 7 match
    geometry = chips.row(0, named=True) if len(chips) else None
metrics = extract_group(runs, geometry)
write_polars(metrics, snakemake.output[0])
failed = metrics.filter(pl.col("metric_name") == "extraction_failed")
log.info(
    "chip %d %s: %d runs, %d metric rows, %d runs failed extraction, geometry %s",
    chip,
    proc,
    len(runs),
    len(metrics),
    len(failed),
    "known" if geometry else "unknown",
)
for run_id, flags in failed.select("run_id", "flags").iter_rows():
    log.warning("%s: %s", run_id, flags)
